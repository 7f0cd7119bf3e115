"""Network administration: organisations, locations, services, users, audit log, messages."""
