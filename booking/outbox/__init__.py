"""The transactional outbox: messages written with the change that causes them, sent later."""
