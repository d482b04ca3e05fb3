"""Notifications: an outbox written in the same transaction as the change it reports; a worker sends it later."""
