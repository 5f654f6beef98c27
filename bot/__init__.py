"""The composition root: configuration, messenger adapters, scheduler and outbox sender."""
