"""Reads of the change feed: a tenant's webhooks and their delivery log, and the event
stream (server-sent events) a caller may open."""

import time
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ..auth.permissions import require_tenant_admin
from ..auth.principal import Principal
from ..context import AppContext
from ..errors import Invalid, NotFound, TooManyRequests, Unavailable
from ..store.jsontext import dumps
from . import repository as repo
from .outbox import NOTIFIER

PAGE = 200  # history rows one poll reads at most


async def require_webhook(session: AsyncSession, tenant_id: str, webhook_id: str) -> Any:
    row = await repo.get_webhook(session, tenant_id, webhook_id)
    if row is None:
        raise NotFound(f"webhook {webhook_id} does not exist", code="webhook.not_found",
                       params={"webhook_id": webhook_id})
    return row


async def webhooks(session: AsyncSession, principal: Principal, tenant_id: str
                   ) -> list[dict[str, Any]]:
    require_tenant_admin(principal, tenant_id)
    return [repo.webhook_view(r) for r in await repo.list_webhooks(session, tenant_id)]


async def deliveries(session: AsyncSession, principal: Principal, tenant_id: str,
                     webhook_id: str, after: int, limit: int) -> list[dict[str, Any]]:
    require_tenant_admin(principal, tenant_id)
    await require_webhook(session, tenant_id, webhook_id)
    return await repo.list_deliveries(session, webhook_id, after, limit)


class StreamSlots:
    """Open streams of this process, per user: bounded (429 per user, 503 in all)."""

    def __init__(self) -> None:
        self.open: Counter[str] = Counter()

    def take(self, ctx: AppContext, user: str) -> None:
        settings = ctx.settings
        if self.open[user] >= settings.events_streams_per_user:
            raise TooManyRequests(
                f"user '{user}' has {settings.events_streams_per_user} event streams open "
                "already; close one first", code="events.too_many_streams",
                params={"user": user, "limit": settings.events_streams_per_user})
        if sum(self.open.values()) >= settings.events_streams_max:
            raise Unavailable(f"this process serves {settings.events_streams_max} event "
                              "streams already; reconnect later", code="events.server_busy",
                              params={"limit": settings.events_streams_max})
        self.open[user] += 1

    def give_back(self, user: str) -> None:
        self.open[user] -= 1
        if self.open[user] <= 0:
            del self.open[user]


SLOTS = StreamSlots()


def parse_last_event_id(value: str | None) -> int | None:
    if value is None or value.strip() == "":
        return None
    text = value.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise Invalid("Last-Event-ID must be a non-negative integer: the id of an event this "
                      "stream sent", code="events.last_event_id_invalid")
    return int(text)


async def start_position(ctx: AppContext, last_id: int | None) -> tuple[int, bool]:
    """Where a stream starts reading history, and whether a resume missed more than the
    replay limit (the stream then starts at the newest event and says ``resync``)."""
    async with ctx.sessions() as session:
        newest = await repo.last_event_id(session)
    if last_id is None:
        return newest, False
    if newest - last_id > ctx.settings.events_replay_limit:
        return newest, True
    return min(last_id, newest), False


class _Cursor:
    """How far a stream has read history. Ids are taken when a row is inserted, not when its
    transaction commits, so (on PostgreSQL) an id below the highest one read may still
    commit: each poll looks ``LOOKBACK`` ids behind the highest and skips those it sent."""

    def __init__(self, start: int) -> None:
        self.floor = self.high = start
        self.seen: set[int] = set()

    async def poll(self, session: AsyncSession) -> tuple[list[dict[str, Any]], bool]:
        """The rows not read before, and whether the page was full (read on at once)."""
        rows = await repo.history_after(session, max(self.high - LOOKBACK, self.floor),
                                        PAGE + LOOKBACK)
        new = [r for r in rows if r["id"] not in self.seen]
        self.seen.update(r["id"] for r in new)
        if rows:
            self.high = max(self.high, rows[-1]["id"])
        self.seen = {i for i in self.seen if i > self.high - LOOKBACK}
        return new, len(rows) == PAGE + LOOKBACK


LOOKBACK = 100


async def stream(ctx: AppContext, principal: Principal, position: int, resync: bool,
                 kinds: Sequence[str]) -> AsyncIterator[bytes]:
    """Server-sent events: each visible event as ``id:``/``event:``/``data:``, a comment
    every heartbeat interval, until the client goes or the stream's lifetime ends. A
    database session is open only while one poll reads."""
    settings = ctx.settings
    tenants = principal.visible_tenants()
    cursor = _Cursor(position)
    yield f"retry: 3000\n: stream open at event {position}\n\n".encode()
    if resync:
        yield (f"id: {position}\nevent: resync\ndata: "
               f'{{"reason": "more than {settings.events_replay_limit} events were '
               'missed: reload what you show"}\n\n').encode()
    ends = time.monotonic() + settings.events_stream_max_seconds
    beat = time.monotonic() + settings.events_heartbeat_seconds
    while time.monotonic() < ends:
        async with ctx.sessions() as session:
            rows, more = await cursor.poll(session)
        sent = False
        for row in rows:
            if row["event"] in kinds and (tenants is None or row["tenant_id"] in tenants):
                event = repo.event_view(row)
                sent = True
                yield (f"id: {event['id']}\nevent: {event['event']}\n"
                       f"data: {dumps(event)}\n\n").encode()
        now = time.monotonic()
        if sent:
            beat = now + settings.events_heartbeat_seconds
        elif now >= beat:
            yield b": heartbeat\n\n"
            beat = now + settings.events_heartbeat_seconds
        if not more:
            await NOTIFIER.wait(min(settings.events_poll_seconds,
                                    max(beat - time.monotonic(), 0.01)))
