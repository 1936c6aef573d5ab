"""Rows of the task operations: delegation, drafts and urging on the task row; copies
(抄送) and comments in their own tables. Every update compares and sets, so two racing
operations cannot both win."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ..store.db import rowcount
from ..store.tables import comments, history, instance_copies, task_copies, tasks


def _ready(task_id: str, assignee: str | None) -> sa.ColumnElement[bool]:
    same = tasks.c.assignee.is_(None) if assignee is None else tasks.c.assignee == assignee
    return sa.and_(tasks.c.id == task_id, tasks.c.state == "ready", same)


async def update_ready(session: AsyncSession, task_id: str, expected_assignee: str | None,
                       expected_delegation: str | None, **values: Any) -> bool:
    """Set ``values`` on a ready task whose assignee and delegation state are still as read."""
    state = tasks.c.delegation_state
    same = state.is_(None) if expected_delegation is None else state == expected_delegation
    result = await session.execute(sa.update(tasks).where(
        _ready(task_id, expected_assignee), same).values(**values))
    return rowcount(result) == 1


async def urge(session: AsyncSession, task_id: str, now: datetime, not_since: datetime
               ) -> bool:
    """Count an urging, unless the task was urged after ``not_since`` (or is no longer
    ready)."""
    result = await session.execute(sa.update(tasks).where(
        tasks.c.id == task_id, tasks.c.state == "ready",
        sa.or_(tasks.c.last_urged_at.is_(None), tasks.c.last_urged_at <= not_since))
        .values(urged_count=tasks.c.urged_count + 1, last_urged_at=now))
    return rowcount(result) == 1


async def copied_to(session: AsyncSession, task_id: str) -> set[str]:
    result = await session.execute(sa.select(task_copies.c.user_name).where(
        task_copies.c.task_id == task_id))
    return set(result.scalars())


async def insert_copies(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if rows:
        await session.execute(sa.insert(task_copies), rows)


async def mark_read(session: AsyncSession, task_id: str, user: str, now: datetime) -> bool:
    """Mark the copy read (the first read counts); False when there is no copy for ``user``."""
    result = await session.execute(sa.update(task_copies).where(
        task_copies.c.task_id == task_id, task_copies.c.user_name == user)
        .values(read_at=sa.func.coalesce(task_copies.c.read_at, now)))
    return rowcount(result) == 1


async def copies(session: AsyncSession, task_id: str) -> list[sa.Row[Any]]:
    result = await session.execute(sa.select(task_copies).where(
        task_copies.c.task_id == task_id).order_by(task_copies.c.copied_at,
                                                   task_copies.c.user_name))
    return list(result.all())


async def insert_comment(session: AsyncSession, row: dict[str, Any]) -> int:
    result = await session.execute(sa.insert(comments).values(**row)
                                   .returning(comments.c.id))
    return int(result.scalar_one())


async def list_comments(session: AsyncSession, instance_id: str, task_id: str | None,
                        offset: int, limit: int) -> list[sa.Row[Any]]:
    """An instance's comments (all of them, its tasks' too), or one task's, oldest first."""
    query = sa.select(comments).where(comments.c.instance_id == instance_id)
    if task_id is not None:
        query = query.where(comments.c.task_id == task_id)
    result = await session.execute(query.order_by(comments.c.id).offset(offset).limit(limit))
    return list(result.all())


async def get_comment(session: AsyncSession, comment_id: int) -> sa.Row[Any]:
    result = await session.execute(sa.select(comments).where(comments.c.id == comment_id))
    return result.one()


HANDLED = ("task_claimed", "task_transferred", "task_delegated", "task_resolved")


async def handled(session: AsyncSession, instance_id: str, task_ids: list[str]
                  ) -> list[tuple[str, str]]:
    """(task_id, event) of each claim, transfer, delegation or resolution of these tasks."""
    if not task_ids:
        return []
    result = await session.execute(
        sa.select(history.c.task_id, history.c.event).where(
            history.c.instance_id == instance_id, history.c.task_id.in_(task_ids),
            history.c.event.in_(HANDLED)).order_by(history.c.id))
    return [(str(r[0]), str(r[1])) for r in result.all()]


async def tasks_by_id(session: AsyncSession, task_ids: list[str]) -> list[sa.Row[Any]]:
    if not task_ids:
        return []
    result = await session.execute(sa.select(tasks).where(tasks.c.id.in_(task_ids)))
    return list(result.all())


async def instance_copied_to(session: AsyncSession, instance_id: str) -> set[str]:
    result = await session.execute(sa.select(instance_copies.c.user_name).where(
        instance_copies.c.instance_id == instance_id))
    return set(result.scalars())


async def insert_instance_copies(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if rows:
        await session.execute(sa.insert(instance_copies), rows)


async def mark_instance_read(session: AsyncSession, instance_id: str, user: str,
                             now: datetime) -> bool:
    result = await session.execute(sa.update(instance_copies).where(
        instance_copies.c.instance_id == instance_id, instance_copies.c.user_name == user)
        .values(read_at=sa.func.coalesce(instance_copies.c.read_at, now)))
    return rowcount(result) == 1


async def instance_copies_of(session: AsyncSession, instance_id: str) -> list[sa.Row[Any]]:
    result = await session.execute(sa.select(instance_copies).where(
        instance_copies.c.instance_id == instance_id).order_by(
        instance_copies.c.copied_at, instance_copies.c.user_name))
    return list(result.all())


async def handled_instance(session: AsyncSession, instance_id: str, user: str) -> bool:
    """Whether ``user`` holds, owns or completed one of the instance's tasks."""
    result = await session.execute(sa.select(sa.literal(1)).where(
        tasks.c.instance_id == instance_id,
        sa.or_(tasks.c.assignee == user, tasks.c.owner == user,
               tasks.c.completed_by == user)).limit(1))
    return result.first() is not None
