"""Loading instances that are not in memory: their rows in one round trip, however many.

A step on an instance the cache does not hold needs its engine rows and, to tell what the
step changed, its variables, message subscriptions and timers as last written. Read one
table at a time, that was four queries per instance on top of the instance's own row; here
it is one ``UNION ALL`` for any number of instances (``load_stored``), so a worker firing a
batch of timers or a start-up warming the recently active instances pays one round trip
for all of them, and a single cold load one instead of four.
"""

import asyncio
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ..engine.runtime import EngineInstance
from ..engine.specs import DiagramSpecs
from ..store.jsontext import loads, utc
from ..store.tables import TS, engine_rows, message_subscriptions, process_instances, timers
from ..store.tables import variables as variables_table
from .cache import CachedInstance

_ROWS, _VARIABLES, _SUBSCRIPTIONS, _TIMERS = 0, 1, 2, 3


@dataclass
class Stored:
    """What an instance's step starts from, as the tables hold it."""

    rows: list[tuple[str, int, str, str]] = field(default_factory=list)  # engine rows
    variables: dict[str, Any] = field(default_factory=dict)
    subscriptions: dict[tuple[str, str], str] = field(default_factory=dict)
    timers: dict[str, str] = field(default_factory=dict)  # task id -> due (ISO)


def _select(kind: int, table: sa.Table, a: Any, b: Any = None, c: Any = None, n: Any = None,
            due: Any = None) -> sa.Select[Any]:
    none = sa.null()
    return sa.select(
        sa.literal_column(str(kind), sa.Integer).label("k"), table.c.instance_id.label("i"),
        a.label("a"), (none if b is None else b).label("b"),
        (sa.cast(none, sa.Text) if c is None else c).label("c"),
        (sa.cast(none, sa.Integer) if n is None else n).label("n"),
        (sa.cast(none, TS) if due is None else due).label("d"))


def _stored_query() -> sa.CompoundSelect[Any]:
    er, v, ms, t = engine_rows, variables_table, message_subscriptions, timers
    ids: sa.BindParameter[Any] = sa.bindparam("ids", expanding=True)
    return sa.union_all(
        _select(_ROWS, er, er.c.row_id, er.c.hash, er.c.body, er.c.seq)
        .where(er.c.instance_id.in_(ids)),
        _select(_VARIABLES, v, v.c.name, c=v.c.value).where(v.c.instance_id.in_(ids)),
        _select(_SUBSCRIPTIONS, ms, ms.c.task_id, ms.c.message_name)
        .where(ms.c.instance_id.in_(ids)),
        _select(_TIMERS, t, t.c.task_id, due=t.c.due_at).where(t.c.instance_id.in_(ids)),
    )


# Built once: constructing it (and its cache key) per call cost more than running it.
_STORED = _stored_query()
_INSTANCES = sa.select(process_instances).where(
    process_instances.c.id.in_(sa.bindparam("ids", expanding=True)))


async def load_stored(session: AsyncSession, instance_ids: Collection[str]
                      ) -> dict[str, Stored]:
    """Every instance's ``Stored`` (empty for one without rows), in one query."""
    ids = list(dict.fromkeys(instance_ids))
    found = {i: Stored() for i in ids}
    if not ids:
        return found
    result = await session.execute(_STORED, {"ids": ids})
    for kind, instance_id, a, b, c, n, due in result.all():
        stored = found[instance_id]
        if kind == _ROWS:
            stored.rows.append((a, n, b, c))
        elif kind == _VARIABLES:
            stored.variables[a] = loads(c)
        elif kind == _SUBSCRIPTIONS:
            stored.subscriptions[(a, b)] = b
        else:
            stored.timers[a] = _iso(due)
    for stored in found.values():
        stored.rows.sort(key=lambda r: r[1])
    return found


async def instance_rows(session: AsyncSession, instance_ids: Collection[str]
                        ) -> list[sa.Row[Any]]:
    """The instances' own rows (as instances.repository.get reads one), in one query."""
    if not instance_ids:
        return []
    result = await session.execute(_INSTANCES, {"ids": list(instance_ids)})
    return list(result.all())


async def rebuild(specs: DiagramSpecs, row: Any, stored: Stored) -> CachedInstance:
    """The instance in memory at its committed version (the engine's work in a thread)."""
    return await asyncio.to_thread(rebuilt, specs, row, stored)


def rebuilt(specs: DiagramSpecs, row: Any, stored: Stored) -> CachedInstance:
    """``rebuild`` in the calling thread (for a caller already in a worker thread)."""
    engine = EngineInstance.load(specs, row.process_id, stored.rows, row.serializer_version)
    return CachedInstance(row.version, engine, stored.variables, stored.subscriptions,
                          stored.timers)


def _iso(value: datetime) -> str:
    return (utc(value) or value).isoformat()
