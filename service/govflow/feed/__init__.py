"""The change feed: task and instance events as server-sent events and tenant webhooks.

Both read what the history table holds, so they see only committed changes and work across
several ``serve`` processes: a stream polls history by id (woken early by ``NOTIFIER`` after
a commit in its own process), and a webhook's deliveries are outbox rows written in the
transaction of the change they report (docs/frontend.md)."""
