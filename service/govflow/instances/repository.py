"""Instance rows, their variables, message subscriptions and history."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ..request_id import current as current_request_id
from ..store.db import rowcount
from ..store.direct import direct
from ..store.held_writes import Writer
from ..store.jsontext import dumps, loads
from ..store.keyset import Cursor, Order
from ..store.tables import (
    diagram_sets,
    history,
    instance_copies,
    message_subscriptions,
    process_instances,
    tenants,
    variables,
)

_UPSERT_VARIABLE = direct(
    sa.update(variables)
    .where(variables.c.instance_id == sa.bindparam("b_instance"),
           variables.c.name == sa.bindparam("b_name"))
    .values(value=sa.bindparam("b_value"))
)
# Built once, values as parameters: a batch holds them and sends each once (held_writes.py).
_INSERT_VARIABLE = direct(sa.insert(variables))
_DELETE_VARIABLE = direct(sa.delete(variables).where(variables.c.instance_id == sa.bindparam("b_instance"),
                                              variables.c.name == sa.bindparam("b_name")))
_SUBSCRIBE = direct(sa.insert(message_subscriptions))
_UNSUBSCRIBE = direct(sa.delete(message_subscriptions).where(
    message_subscriptions.c.instance_id == sa.bindparam("b_instance"),
    message_subscriptions.c.task_id == sa.bindparam("b_task"),
    message_subscriptions.c.message_name == sa.bindparam("b_name")))
_APPEND_HISTORY = direct(sa.insert(history))


class InstanceRow:
    """A process_instances row read in another table's query (tasks/repository.py
    get_with_instance): its columns as attributes and as ``_mapping``, like a ``Row``."""

    __slots__ = ("_mapping",)

    def __init__(self, mapping: dict[str, Any]) -> None:
        self._mapping = mapping

    def __getattr__(self, name: str) -> Any:
        try:
            return self._mapping[name]
        except KeyError:
            raise AttributeError(name) from None


async def get(session: AsyncSession, instance_id: str) -> sa.Row[Any] | None:
    result = await session.execute(_BY_ID, {"b_id": instance_id})
    return result.first()


# Built once (see tasks/repository.py): the reads every step and instance view runs.
_BY_ID = direct(sa.select(process_instances).where(process_instances.c.id == sa.bindparam("b_id")))
_VARIABLES = direct(sa.select(variables.c.name, variables.c.value).where(
    variables.c.instance_id == sa.bindparam("b_instance")))


async def insert(session: AsyncSession, row: Mapping[str, Any]) -> None:
    await session.execute(sa.insert(process_instances).values(**row))


_BUMP = direct(
    sa.update(process_instances)
    .where(process_instances.c.id == sa.bindparam("b_id"),
           process_instances.c.version == sa.bindparam("b_seen"))
    .values(version=sa.bindparam("b_next"), updated_at=sa.bindparam("b_at"))
)


async def update_versioned(session: AsyncSession, instance_id: str, seen_version: int,
                           **values: Any) -> bool:
    """Bump the version if nobody else did since we read it; False means a lost race."""
    if set(values) == {"updated_at"}:  # the common step: one prepared statement, reused
        result = await session.execute(_BUMP, {"b_id": instance_id, "b_seen": seen_version,
                                               "b_next": seen_version + 1,
                                               "b_at": values["updated_at"]})
    else:
        result = await session.execute(
            sa.update(process_instances)
            .where(process_instances.c.id == instance_id,
                   process_instances.c.version == seen_version)
            .values(version=seen_version + 1, **values))
    return rowcount(result) == 1


# Built once: the version bumps of a batch of steps, checked together (RETURNING names those
# that were still at the version their step read).
_BUMP_MANY = (
    sa.update(process_instances)
    .where(sa.tuple_(process_instances.c.id, process_instances.c.version)
           .in_(sa.bindparam("b_seen", expanding=True)))
    .values(version=process_instances.c.version + 1, updated_at=sa.bindparam("b_at"))
    .returning(process_instances.c.id)
)


async def bump_versions(session: AsyncSession, seen: Mapping[str, int], at: datetime
                        ) -> list[str]:
    """``update_versioned`` for many instances in one statement (instance id -> version
    read); the ids whose version another command moved meanwhile (nothing is bumped for
    them)."""
    if len(seen) == 1:
        [(instance_id, version)] = seen.items()
        ok = await update_versioned(session, instance_id, version, updated_at=at)
        return [] if ok else [instance_id]
    result = await session.execute(_BUMP_MANY, {"b_seen": list(seen.items()), "b_at": at})
    bumped = set(result.scalars().all())
    return [i for i in seen if i not in bumped]


async def load_variables(session: AsyncSession, instance_id: str) -> dict[str, Any]:
    result = await session.execute(_VARIABLES, {"b_instance": instance_id})
    return {name: loads(value) for name, value in result.all()}


async def write_variables(session: Writer, instance_id: str, before: Mapping[str, Any],
                          after: Mapping[str, Any]) -> dict[str, Any]:
    """Write the variables that changed; return them (the history's 'what data changed')."""
    old = {k: dumps(v) for k, v in before.items()}
    new = {k: dumps(v) for k, v in after.items()}
    added = [k for k in new if k not in old]
    changed = [k for k in new if k in old and new[k] != old[k]]
    removed = [k for k in old if k not in new]
    if added:
        await session.execute(_INSERT_VARIABLE, [
            {"instance_id": instance_id, "name": k, "value": new[k]} for k in added])
    if changed:
        await session.execute(_UPSERT_VARIABLE, [
            {"b_instance": instance_id, "b_name": k, "b_value": new[k]} for k in changed])
    if removed:
        await session.execute(_DELETE_VARIABLE, [{"b_instance": instance_id, "b_name": k}
                                                 for k in removed])
    return {k: after[k] for k in added + changed} | {k: None for k in removed}


async def write_subscriptions(session: Writer, instance_id: str, tenant_id: str,
                              before: Mapping[tuple[str, str], str],
                              after: Mapping[tuple[str, str], str]) -> None:
    """Keep one row per (waiting task, message name) the instance listens for."""
    gone = [key for key in before if key not in after]
    new = [key for key in after if key not in before]
    if gone:
        await session.execute(_UNSUBSCRIBE, [
            {"b_instance": instance_id, "b_task": task_id, "b_name": name}
            for task_id, name in gone])
    if new:
        await session.execute(_SUBSCRIBE, [
            {"instance_id": instance_id, "task_id": task_id, "tenant_id": tenant_id,
             "message_name": name} for task_id, name in new])


async def load_subscriptions(session: AsyncSession, instance_id: str
                             ) -> dict[tuple[str, str], str]:
    result = await session.execute(
        sa.select(message_subscriptions.c.task_id, message_subscriptions.c.message_name)
        .where(message_subscriptions.c.instance_id == instance_id))
    return {(task_id, name): name for task_id, name in result.all()}


def history_row(instance_id: str, tenant_id: str, at: datetime, actor: str | None, event: str,
                element_id: str | None = None, element_name: str | None = None,
                task_id: str | None = None, data: dict[str, Any] | None = None
                ) -> dict[str, Any]:
    """One history event, as append_history takes it; written while serving a request, its
    data carries the request id (the X-Request-ID the response returned)."""
    if (request := current_request_id.get()) is not None:
        data = {**(data or {}), "request_id": request}
    return {"instance_id": instance_id, "tenant_id": tenant_id, "at": at, "actor": actor,
            "event": event, "element_id": element_id, "element_name": element_name,
            "task_id": task_id, "data": data}


async def append_history(session: Writer, rows: list[dict[str, Any]]) -> int:
    """Append events; returns the bytes of data written (for the benchmark's accounting)."""
    if not rows:
        return 0
    for row in rows:
        row["data"] = dumps(row["data"]) if row.get("data") is not None else None
    await session.execute(_APPEND_HISTORY, rows)
    return sum(len(r["data"] or "") for r in rows)


async def list_history(session: AsyncSession, instance_id: str, offset: int, limit: int,
                       after_id: int | None = None) -> list[sa.Row[Any]]:
    """Events in order: ``offset`` skipped, or (faster when deep) those after ``after_id``."""
    query = sa.select(history).where(history.c.instance_id == instance_id)
    if after_id is not None:
        query = query.where(history.c.id > after_id)
    result = await session.execute(query.order_by(history.c.id).offset(offset).limit(limit))
    return list(result.all())


async def completed_elements(session: AsyncSession, instance_id: str) -> set[str]:
    """Elements the instance has passed through (for its diagram)."""
    result = await session.execute(
        sa.select(history.c.element_id).distinct().where(
            history.c.instance_id == instance_id,
            history.c.event.in_(("element_completed", "task_completed"))))
    return {r[0] for r in result.all() if r[0]}


async def find_subscribed(session: AsyncSession, tenant_id: str, message_name: str,
                          correlation: Mapping[str, Any], business_keys: list[str] | None,
                          except_business_keys: list[str] | None = None) -> list[str]:
    """Running instances of the tenant waiting for the message whose variables match."""
    pi = process_instances
    query = (
        sa.select(pi.c.id).distinct()
        .join(message_subscriptions, message_subscriptions.c.instance_id == pi.c.id)
        .where(message_subscriptions.c.tenant_id == tenant_id,
               message_subscriptions.c.message_name == message_name,
               pi.c.state == "running")
    )
    for name, value in correlation.items():
        v = variables.alias()
        query = query.where(sa.exists().where(
            v.c.instance_id == pi.c.id, v.c.name == name, v.c.value == dumps(value)))
    if business_keys is not None:
        query = query.where(pi.c.business_key.in_(business_keys))
    if except_business_keys:
        query = query.where(sa.or_(pi.c.business_key.is_(None),
                                   pi.c.business_key.not_in(except_business_keys)))
    result = await session.execute(query.order_by(pi.c.id))
    return [r[0] for r in result.all()]


NEWEST_FIRST = Order(process_instances.c.created_at, process_instances.c.id, descending=True)


# An instance as lists show it: with its tenant's name and its set's process names.
LISTED = sa.select(
    process_instances, tenants.c.name.label("tenant_name"),
    diagram_sets.c.processes.label("set_processes"),
).select_from(
    process_instances.join(tenants, tenants.c.id == process_instances.c.tenant_id)
    .join(diagram_sets, diagram_sets.c.id == process_instances.c.diagram_set_id))


# The instance view's read: the listed row once per variable (``var_name``, ``var_value``;
# both None for an instance without variables), one round trip instead of two.
_LISTED_WITH_VARIABLES = direct(
    LISTED.add_columns(variables.c.name.label("var_name"), variables.c.value.label("var_value"))
    .outerjoin(variables, variables.c.instance_id == process_instances.c.id)
    .where(process_instances.c.id == sa.bindparam("b_id")))


async def get_listed_with_variables(session: AsyncSession, instance_id: str
                                    ) -> tuple[sa.Row[Any] | None, dict[str, Any]]:
    """The instance as lists show it, and its variables (``load_variables``), in one
    query."""
    rows = (await session.execute(_LISTED_WITH_VARIABLES, {"b_id": instance_id})).all()
    if not rows:
        return None, {}
    return rows[0], {r.var_name: loads(r.var_value) for r in rows if r.var_name is not None}


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def search(session: AsyncSession, filters: Mapping[str, Any], tenants: list[str] | None,
                 offset: int, limit: int, after: Cursor | None = None) -> list[sa.Row[Any]]:
    """Newest first: ``offset`` rows skipped, or (faster when deep) those after ``after``."""
    pi = process_instances
    query = LISTED
    for name in ("tenant_id", "state", "business_key", "process_id", "diagram_set_id"):
        if filters.get(name) is not None:
            query = query.where(getattr(pi.c, name) == filters[name])
    if filters.get("business_key_prefix") is not None:
        query = query.where(pi.c.business_key.like(
            escape_like(filters["business_key_prefix"]) + "%", escape="\\"))
    if filters.get("label") is not None:
        query = query.where(pi.c.label.ilike("%" + escape_like(filters["label"]) + "%",
                                             escape="\\"))
    if tenants is not None:
        query = query.where(pi.c.tenant_id.in_(tenants))
    if filters.get("cc") is not None:  # copied to this user (抄送)
        query = query.where(sa.exists().where(instance_copies.c.instance_id == pi.c.id,
                                              instance_copies.c.user_name == filters["cc"]))
    if after is not None:
        query = query.where(NEWEST_FIRST.after(after))
    result = await session.execute(
        query.order_by(*NEWEST_FIRST.order_by()).offset(offset).limit(limit))
    return list(result.all())


def instance_row(instance_id: str, tenant_id: str, set_id: int, process_id: str,
                 business_key: str | None, actor: str, now: datetime, serializer: str
                 ) -> dict[str, Any]:
    return {"id": instance_id, "tenant_id": tenant_id, "diagram_set_id": set_id,
            "process_id": process_id, "business_key": business_key, "state": "running",
            "outcome": None, "error": None, "version": 0, "serializer_version": serializer,
            "started_by": actor, "created_at": now, "updated_at": now, "ended_at": None}
