"""Task rows: one per user or manual task instance, queryable by the inbox filters."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ..auth.principal import Principal
from ..instances.repository import InstanceRow, escape_like
from ..store.db import rowcount
from ..store.direct import direct
from ..store.held_writes import Writer
from ..store.jsontext import dumps
from ..store.keyset import Cursor, Order
from ..store.tables import (
    diagram_sets,
    document_uses,
    documents,
    process_instances,
    task_candidate_users,
    task_candidates,
    task_copies,
    tasks,
    tenants,
)

_FINISH = direct(
    sa.update(tasks)
    .where(tasks.c.id == sa.bindparam("b_id"))
    .values(state=sa.bindparam("b_state"), completed_at=sa.bindparam("b_at"),
            completed_by=sa.bindparam("b_by"), data=sa.bindparam("b_data"))
)
# Built once: a batch holds the rows and sends each statement once (held_writes.py).
_INSERT = direct(sa.insert(tasks))
_INSERT_CANDIDATES = direct(sa.insert(task_candidates))
_INSERT_USERS = direct(sa.insert(task_candidate_users))


async def insert_tasks(session: Writer, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    candidates = [{"task_id": r["id"], "group_name": g}
                  for r in rows for g in r.pop("groups")]
    users = [{"task_id": r["id"], "user_name": u} for r in rows for u in r.pop("users")]
    await session.execute(_INSERT, rows)
    if candidates:
        await session.execute(_INSERT_CANDIDATES, candidates)
    if users:
        await session.execute(_INSERT_USERS, users)


async def finish_tasks(session: Writer, finished: list[dict[str, Any]]) -> None:
    """Mark tasks completed or cancelled (b_id, b_state, b_at, b_by, b_data)."""
    if finished:
        await session.execute(_FINISH, finished)


async def get(session: AsyncSession, task_id: str) -> sa.Row[Any] | None:
    """The task as lists show it (with its instance's business key and label)."""
    result = await session.execute(_BY_ID, {"b_task": task_id})
    return result.first()


async def ready_of_instance(session: AsyncSession, instance_id: str) -> list[sa.Row[Any]]:
    """The instance's ready tasks, oldest first."""
    result = await session.execute(_READY_OF_INSTANCE, {"b_instance": instance_id})
    return list(result.all())


async def set_assignee(session: AsyncSession, task_id: str, expected: str | None,
                       assignee: str | None) -> bool:
    """Compare-and-set the assignee, so two claims cannot both win."""
    condition = tasks.c.assignee.is_(None) if expected is None else tasks.c.assignee == expected
    result = await session.execute(
        sa.update(tasks).where(tasks.c.id == task_id, tasks.c.state == "ready", condition)
        .values(assignee=assignee))
    return rowcount(result) == 1


def _filtered(query: sa.Select[Any], filters: Mapping[str, Any], tenants: list[str] | None
              ) -> sa.Select[Any]:
    t = tasks
    for name in ("tenant_id", "state", "assignee", "instance_id", "key"):
        if filters.get(name) is not None:
            query = query.where(getattr(t.c, name) == filters[name])
    if tenants is not None:
        query = query.where(t.c.tenant_id.in_(tenants))
    if filters.get("candidate_group"):  # any of the groups given
        query = query.where(sa.exists().where(
            task_candidates.c.task_id == t.c.id,
            task_candidates.c.group_name.in_(filters["candidate_group"])))
    if filters.get("candidate_user"):
        query = query.where(sa.exists().where(
            task_candidate_users.c.task_id == t.c.id,
            task_candidate_users.c.user_name == filters["candidate_user"]))
    if filters.get("mine") is not None:
        query = query.where(_mine(filters["mine"]))
    if filters.get("cc") is not None:  # copied to this user (抄送)
        query = query.where(sa.exists().where(task_copies.c.task_id == t.c.id,
                                              task_copies.c.user_name == filters["cc"]))
    pi = process_instances
    if filters.get("business_key_prefix") is not None:
        query = query.where(pi.c.business_key.like(
            escape_like(filters["business_key_prefix"]) + "%", escape="\\"))
    if filters.get("label") is not None:
        query = query.where(pi.c.label.ilike(
            "%" + escape_like(filters["label"]) + "%", escape="\\"))
    if filters.get("candidate_groups") is not None:
        # Tasks the caller may act on: no candidate groups, or one of the caller's.
        groups = filters["candidate_groups"]
        query = query.where(sa.or_(
            sa.exists().where(task_candidates.c.task_id == t.c.id,
                              task_candidates.c.group_name.in_(groups)),
            ~sa.exists().where(task_candidates.c.task_id == t.c.id)))
    if filters.get("due_before") is not None:
        query = query.where(t.c.due_at < filters["due_before"])
    if filters.get("overdue") is not None:
        # 'ready' as a literal, not a parameter: the planner can then prove the partial
        # index ix_tasks_ready_due applies, in a prepared statement's generic plan too.
        ready = t.c.state == sa.literal_column("'ready'")
        overdue = sa.and_(ready, t.c.due_at.is_not(None), t.c.due_at < filters["now"])
        query = query.where(overdue if filters["overdue"] else sa.not_(overdue))
    return query


def _mine(principal: Principal) -> sa.ColumnElement[bool]:
    """Ready tasks the caller has claimed, or unclaimed ones offered to a group it is in or
    to it by name (candidate users).
    (Tasks with no candidate group are open to anyone in the tenant, so in no one's inbox.)"""
    t = tasks
    # 'ready' as a literal, as for overdue: the tenant-and-state indexes apply to any plan.
    ready = t.c.state == sa.literal_column("'ready'")
    # The row's own candidate_groups text (canonical JSON, so a group is always written as
    # dumps(group)) answers "offered to one of my groups" without a probe per row: a probe
    # of task_candidates for each of a county's ready tasks made the count of a user of 20
    # tenants cost a query per task, and PostgreSQL may instead hash every task ever
    # offered to the groups.
    # Candidate users the same way: the row's candidate_users JSON names the caller.
    offers = [t.c.candidate_groups.like("%" + escape_like(dumps(g)) + "%", escape="\\")
              for g in principal.groups]
    offers.append(t.c.candidate_users.like("%" + escape_like(dumps(principal.user)) + "%",
                                           escape="\\"))
    offered = sa.and_(t.c.assignee.is_(None), sa.or_(*offers))
    return sa.and_(ready, sa.or_(t.c.assignee == principal.user, offered))


def _joined(query: sa.Select[Any], filters: Mapping[str, Any]) -> sa.Select[Any]:
    """The instance's row joined in, for the filters on its business key or label."""
    if filters.get("business_key_prefix") is None and filters.get("label") is None:
        return query
    return query.join(process_instances, process_instances.c.id == tasks.c.instance_id)


# A listed task carries what its row in a list shows without another request.
LISTED = sa.select(
    tasks, process_instances.c.business_key, process_instances.c.label,
    tenants.c.name.label("tenant_name"), diagram_sets.c.processes.label("set_processes"),
).select_from(
    tasks.join(process_instances, process_instances.c.id == tasks.c.instance_id)
    .join(tenants, tenants.c.id == tasks.c.tenant_id)
    .join(diagram_sets, diagram_sets.c.id == tasks.c.diagram_set_id))


# The statements every task read and completion runs, built once: a statement built per
# call costs SQLAlchemy a cache key walk over every column of the join each time.
_BY_ID = direct(LISTED.where(tasks.c.id == sa.bindparam("b_task")))
_READY_OF_INSTANCE = direct(
    LISTED.where(tasks.c.instance_id == sa.bindparam("b_instance"), tasks.c.state == "ready")
    .order_by(tasks.c.created_at, tasks.c.id))


# A completion's first read: the task as listed and its instance's row (``pi_`` columns),
# so the step that follows does not read the instance again.
_INSTANCE_COLUMNS = [(c.name, f"pi_{c.name}") for c in process_instances.c]
_BY_ID_WITH_INSTANCE = direct(LISTED.add_columns(
    *[process_instances.c[name].label(label) for name, label in _INSTANCE_COLUMNS]
).where(tasks.c.id == sa.bindparam("b_task")))


async def get_with_instance(session: AsyncSession, task_id: str
                            ) -> tuple[sa.Row[Any] | None, InstanceRow | None]:
    """``get``, and the task's instance row as ``instances.repository.get`` reads it."""
    row = (await session.execute(_BY_ID_WITH_INSTANCE, {"b_task": task_id})).first()
    if row is None:
        return None, None
    found = row._mapping
    return row, InstanceRow({name: found[label] for name, label in _INSTANCE_COLUMNS})


def order(sort: str) -> Order:
    by_due = sort.lstrip("-") == "due_at"
    return Order(tasks.c.due_at if by_due else tasks.c.created_at, tasks.c.id,
                 descending=sort.startswith("-"), nullable=by_due)


async def search(session: AsyncSession, filters: Mapping[str, Any], tenants: list[str] | None,
                 sort: str, offset: int, limit: int, after: Cursor | None = None
                 ) -> list[sa.Row[Any]]:
    """A page of tasks: ``offset`` rows skipped, or (faster when deep) those after ``after``."""
    by = order(sort)
    query = _filtered(LISTED, filters, tenants)
    if after is not None:
        query = query.where(by.after(after))
    await _custom_plan(session, filters)
    result = await session.execute(query.order_by(*by.order_by()).offset(offset).limit(limit))
    return list(result.all())


async def count(session: AsyncSession, filters: Mapping[str, Any], tenants: list[str] | None
                ) -> int:
    """How many tasks match; with ``state=ready`` or ``overdue`` the count reads ready rows
    only (indexes lead with tenant and state), never the completed history."""
    await _custom_plan(session, filters)
    query = _filtered(_joined(sa.select(sa.func.count()).select_from(tasks), filters), filters,
                      tenants)
    return int((await session.execute(query)).scalar_one())


async def _custom_plan(session: AsyncSession, filters: Mapping[str, Any]) -> None:
    """On PostgreSQL, plan the overdue query for this ``now``: a prepared statement's generic
    plan cannot tell how few ready tasks are past due and scans every past due date."""
    if filters.get("overdue") is not None and session.get_bind().dialect.name == "postgresql":
        await session.execute(sa.text("SET LOCAL plan_cache_mode = force_custom_plan"))


def task_row(task: Any, instance: Mapping[str, Any], now: datetime, due_at: datetime | None,
             due_estimated: bool) -> dict[str, Any]:
    """The row for a newly ready human task (engine.runtime.HumanTask, its assignee and
    candidates resolved). While ready, ``data`` holds its camunda:inputParameters."""
    d = task.definition
    return {
        "id": task.id, "instance_id": instance["id"], "tenant_id": instance["tenant_id"],
        "diagram_set_id": instance["diagram_set_id"], "process_id": task.process_id,
        "key": d.key, "name": d.name, "lane": d.lane,
        "candidate_groups": dumps(list(task.candidate_groups)),
        "groups": list(task.candidate_groups),
        "candidate_users": dumps(list(task.candidate_users)) if task.candidate_users else None,
        "users": list(task.candidate_users), "slot": task.slot,
        "assignee": task.assignee, "state": "ready", "clause": d.clause, "created_at": now,
        "due_at": due_at, "due_estimated": due_estimated, "completed_at": None,
        "completed_by": None, "data": dumps(task.inputs) if task.inputs else None,
    }


# The task view's read: the task as listed, with what the latest completed task of its key
# in its instance submitted (a rework loop's earlier round, as stored) as ``earlier_data``,
# and whether any document was uploaded to it or named by its completion
# (``has_documents``: documents/repository.py of_task's rows), so a task without any is
# shown in one round trip.
_earlier = tasks.alias("earlier")
_BY_ID_WITH_EARLIER = direct(LISTED.add_columns(
    sa.select(_earlier.c.data)
    .where(_earlier.c.instance_id == tasks.c.instance_id, _earlier.c.key == tasks.c.key,
           _earlier.c.state == "completed")
    .order_by(_earlier.c.completed_at.desc(), _earlier.c.id.desc()).limit(1)
    .scalar_subquery().label("earlier_data"),
    sa.or_(sa.exists().where(documents.c.task_id == tasks.c.id),
           sa.exists().where(document_uses.c.task_id == tasks.c.id)).label("has_documents"),
).where(tasks.c.id == sa.bindparam("b_task")))


async def get_with_earlier(session: AsyncSession, task_id: str) -> sa.Row[Any] | None:
    """``get``, with the task key's earlier submission in the instance as ``earlier_data``
    (None if there is none) and ``has_documents``."""
    result = await session.execute(_BY_ID_WITH_EARLIER, {"b_task": task_id})
    return result.first()
