"""The audit log: who viewed, exported, changed or deleted client data."""
