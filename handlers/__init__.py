"""Platform-neutral conversations, written once for every messenger."""
