"""SQLModel tables, Alembic migrations and the queries the bot needs."""
