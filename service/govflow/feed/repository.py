"""Webhook rows, their outbox and delivery log, and history read as a feed."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ..store.db import rowcount
from ..store.direct import direct
from ..store.jsontext import dumps, loads
from ..store.tables import history, webhook_deliveries, webhook_outbox, webhooks
from .kinds import FEED_EVENTS

LEASE_SECONDS = 120  # a claimed delivery is tried again after this if its worker died


def event_view(row: Any, event_id: int | None = None) -> dict[str, Any]:
    """An event as streams and webhooks send it: what happened to which task or instance
    (no variables: the receiver reads the task or instance it names, with its own rights)."""
    at = row["at"]
    return {"id": event_id if event_id is not None else row.get("id"),
            "event": row["event"], "tenant_id": row["tenant_id"],
            "instance_id": row["instance_id"], "task_id": row.get("task_id"),
            "element_id": row.get("element_id"), "element_name": row.get("element_name"),
            "actor": row.get("actor"),
            "at": at.isoformat().replace("+00:00", "Z") if isinstance(at, datetime) else at}


# --- history as a feed -------------------------------------------------------------------

async def last_event_id(session: AsyncSession) -> int:
    result = await session.execute(sa.select(sa.func.max(history.c.id)))
    return int(result.scalar() or 0)


async def history_after(session: AsyncSession, after: int, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` history rows after id ``after``, any tenant, any event, in id order."""
    result = await session.execute(
        sa.select(history.c.id, history.c.event, history.c.tenant_id, history.c.instance_id,
                  history.c.task_id, history.c.element_id, history.c.element_name,
                  history.c.actor, history.c.at)
        .where(history.c.id > after).order_by(history.c.id).limit(limit))
    return [dict(r._mapping) for r in result.all()]


# --- webhooks ----------------------------------------------------------------------------

def webhook_view(row: Any) -> dict[str, Any]:
    return {"id": row.id, "tenant_id": row.tenant_id, "url": row.url,
            "kinds": loads(row.kinds) if row.kinds else None,
            "created_by": row.created_by, "created_at": row.created_at}


async def insert_webhook(session: AsyncSession, row: dict[str, Any]) -> None:
    await session.execute(sa.insert(webhooks).values(**row))


async def count_webhooks(session: AsyncSession, tenant_id: str) -> int:
    result = await session.execute(
        sa.select(sa.func.count()).select_from(webhooks).where(webhooks.c.tenant_id == tenant_id))
    return int(result.scalar() or 0)


async def list_webhooks(session: AsyncSession, tenant_id: str) -> list[Any]:
    result = await session.execute(
        sa.select(webhooks).where(webhooks.c.tenant_id == tenant_id)
        .order_by(webhooks.c.created_at, webhooks.c.id))
    return list(result.all())


async def get_webhook(session: AsyncSession, tenant_id: str, webhook_id: str) -> Any:
    result = await session.execute(
        sa.select(webhooks).where(webhooks.c.id == webhook_id,
                                  webhooks.c.tenant_id == tenant_id))
    return result.first()


async def delete_webhook(session: AsyncSession, webhook_id: str) -> None:
    for table in (webhook_deliveries, webhook_outbox):
        await session.execute(sa.delete(table).where(table.c.webhook_id == webhook_id))
    await session.execute(sa.delete(webhooks).where(webhooks.c.id == webhook_id))


async def list_deliveries(session: AsyncSession, webhook_id: str, after: int, limit: int
                          ) -> list[dict[str, Any]]:
    """Attempts, newest first (``after``: below that id, for the next page)."""
    query = sa.select(webhook_deliveries).where(webhook_deliveries.c.webhook_id == webhook_id)
    if after > 0:
        query = query.where(webhook_deliveries.c.id < after)
    result = await session.execute(query.order_by(webhook_deliveries.c.id.desc()).limit(limit))
    return [{"id": r.id, "delivery_id": r.outbox_id, "event": r.event, "attempt": r.attempt,
             "status_code": r.status_code, "error": r.error, "outcome": r.outcome, "at": r.at}
            for r in result.all()]


# --- the outbox --------------------------------------------------------------------------

# Run by every step that writes a feed event: built once, so SQLAlchemy does not make its
# cache key again per call.
_HOOKS_OF = sa.select(webhooks.c.id, webhooks.c.tenant_id, webhooks.c.kinds).where(
    webhooks.c.tenant_id.in_(sa.bindparam("b_tenants", expanding=True)))
# A step's events are one tenant's: the same read without an expanding IN, sent straight to
# the driver on PostgreSQL (store/direct.py).
_HOOKS_OF_ONE = direct(sa.select(webhooks.c.id, webhooks.c.tenant_id, webhooks.c.kinds).where(
    webhooks.c.tenant_id == sa.bindparam("b_tenant")))


async def enqueue(session: AsyncSession, events: list[dict[str, Any]], now: datetime) -> int:
    """Outbox rows for every webhook that wants one of ``events`` (history rows written in
    this transaction); how many."""
    events = [e for e in events if e["event"] in FEED_EVENTS]
    if not events:
        return 0
    tenants = sorted({e["tenant_id"] for e in events})
    result = await (session.execute(_HOOKS_OF_ONE, {"b_tenant": tenants[0]}) if len(tenants) == 1
                    else session.execute(_HOOKS_OF, {"b_tenants": tenants}))
    hooks = [(r.id, r.tenant_id, set(loads(r.kinds)) if r.kinds else None) for r in result.all()]
    rows = [{"webhook_id": hook_id, "tenant_id": tenant, "event": e["event"],
             "body": dumps({k: v for k, v in event_view(e).items() if k != "id"}), "state": "pending", "attempts": 0,
             "next_at": now, "created_at": now}
            for e in events for hook_id, tenant, kinds in hooks
            if e["tenant_id"] == tenant and (kinds is None or e["event"] in kinds)]
    if rows:
        await session.execute(sa.insert(webhook_outbox), rows)
    return len(rows)


async def claim_due(session: AsyncSession, now: datetime, limit: int, skip_locked: bool,
                    lease_until: datetime) -> list[dict[str, Any]]:
    """Due pending deliveries with their webhook, leased to the caller until
    ``lease_until`` (another worker skips them meanwhile)."""
    query = (sa.select(webhook_outbox.c.id).where(webhook_outbox.c.state == "pending",
                                                  webhook_outbox.c.next_at <= now)
             .order_by(webhook_outbox.c.next_at, webhook_outbox.c.id).limit(limit))
    if skip_locked:
        query = query.with_for_update(skip_locked=True)
    ids = [r[0] for r in (await session.execute(query)).all()]
    if not ids:
        return []
    await session.execute(sa.update(webhook_outbox).where(webhook_outbox.c.id.in_(ids))
                          .values(next_at=lease_until))
    result = await session.execute(
        sa.select(webhook_outbox, webhooks.c.url, webhooks.c.secret)
        .join(webhooks, webhooks.c.id == webhook_outbox.c.webhook_id)
        .where(webhook_outbox.c.id.in_(ids)).order_by(webhook_outbox.c.id))
    return [dict(r._mapping) for r in result.all()]


async def record_attempt(session: AsyncSession, delivery: dict[str, Any], attempt: int,
                         status_code: int | None, error: str | None, outcome: str,
                         now: datetime, next_at: datetime | None) -> None:
    state = {"delivered": "delivered", "failed": "failed"}.get(outcome, "pending")
    updated = await session.execute(
        sa.update(webhook_outbox).where(webhook_outbox.c.id == delivery["id"])
        .values(state=state, attempts=attempt, next_at=next_at or now))
    if rowcount(updated) == 0:  # its webhook was deleted meanwhile
        return
    await session.execute(sa.insert(webhook_deliveries).values(
        webhook_id=delivery["webhook_id"], outbox_id=delivery["id"], event=delivery["event"],
        attempt=attempt, status_code=status_code, error=error, outcome=outcome, at=now))
