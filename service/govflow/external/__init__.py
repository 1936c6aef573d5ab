"""External tasks: service and send tasks another system fetches, locks and completes
(docs/external-tasks.md)."""
