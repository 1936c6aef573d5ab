"""What a unit of work calls before it commits: the outbox rows of the events it wrote
(same transaction: none for a rolled-back change, never lost for a committed one)."""

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from . import repository
from .kinds import FEED_EVENTS
from .notifier import Notifier

NOTIFIER = Notifier()


async def enqueue(session: AsyncSession, events: list[dict[str, Any]], now: datetime) -> bool:
    """Write the outbox rows; True when any event is one the feed carries (wake the
    streams and the webhook worker after the commit)."""
    if not any(e["event"] in FEED_EVENTS for e in events):
        return False
    await repository.enqueue(session, events, now)
    return True
