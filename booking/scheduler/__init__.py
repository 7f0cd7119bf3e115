"""The scheduler worker: runs periodic jobs in its own process, never in web workers."""
