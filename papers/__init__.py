"""The papers the product prints: the official forms (DOCX) and the exports (Excel, CSV).

Between the conversations (handlers/) and the database (storage/): a paper is read from
the stored data, filled in and written as bytes; nothing here sends a message or writes
to the database. `spreadsheet` holds the cells every spreadsheet writer goes through."""
