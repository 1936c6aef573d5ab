"""Reads the annual plan needs: projects waiting for their year's plan, the plan processes of
a year, instances by business key. Plain queries over instances, variables and message
subscriptions; nothing here writes."""

from collections.abc import Collection, Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ..store.jsontext import dumps, loads
from ..store.tables import message_subscriptions, process_instances, variables

# The contract between a project process and the annual-plan process (docs/messages.md):
# a project that passed review waits for PLAN_MESSAGE, correlated by PLAN_YEAR; the plan
# process is the process PLAN_PROCESS, issued once its approval completed with ISSUED true.
PLAN_MESSAGE = "annual_plan_approved"
CLOSED_MESSAGE = "annual_plan_closed"
PLAN_PROCESS = "annual_plan"
PLAN_YEAR = "plan_year"
ISSUED = "approved"
# The amount a project enters the plan with: the reviewed budget, else what it declared.
AMOUNT_VARIABLES = ("approved_budget", "total_investment")
NAME_VARIABLE = "project_name"

pi, ms, var = process_instances, message_subscriptions, variables


def _variable_is(name: str, value: Any) -> sa.ColumnElement[bool]:
    v = var.alias()
    return sa.exists().where(v.c.instance_id == pi.c.id, v.c.name == name,
                             v.c.value == dumps(value))


def _waiting(message: str = PLAN_MESSAGE) -> sa.Select[Any]:
    return (sa.select(pi.c.id, pi.c.tenant_id, pi.c.business_key, pi.c.process_id,
                      pi.c.created_at).distinct()
            .join(ms, ms.c.instance_id == pi.c.id)
            .where(ms.c.message_name == message, pi.c.state == "running"))


async def waiting_for_plan(session: AsyncSession, tenant_id: str, year: int
                           ) -> list[sa.Row[Any]]:
    """Running projects of the tenant that passed review and wait for ``year``'s plan, by
    business key."""
    query = _waiting().where(pi.c.tenant_id == tenant_id, _variable_is(PLAN_YEAR, year))
    return list((await session.execute(query.order_by(pi.c.business_key, pi.c.id))).all())


async def waiting_among(session: AsyncSession, instance_ids: Collection[str],
                        message: str = PLAN_MESSAGE) -> list[sa.Row[Any]]:
    """Which of these instances wait for ``message`` (a plan of any year, by default)."""
    if not instance_ids:
        return []
    query = _waiting(message).where(pi.c.id.in_(list(instance_ids)))
    return list((await session.execute(query.order_by(pi.c.id))).all())


async def by_business_key(session: AsyncSession, tenant_id: str, keys: Collection[str]
                          ) -> dict[str, list[Any]]:
    """The tenant's instances (any state) carrying these business keys, plan processes
    aside."""
    if not keys:
        return {}
    result = await session.execute(
        sa.select(pi.c.id, pi.c.business_key, pi.c.state, pi.c.process_id)
        .where(pi.c.tenant_id == tenant_id, pi.c.business_key.in_(list(keys)),
               pi.c.process_id != PLAN_PROCESS))
    found: dict[str, list[Any]] = {}
    for row in result.all():
        found.setdefault(row.business_key, []).append(row)
    return found


async def values_of(session: AsyncSession, instance_ids: Iterable[str], names: Iterable[str]
                    ) -> dict[str, dict[str, Any]]:
    """Some variables of some instances: {instance id: {name: value}}."""
    ids, wanted = list(instance_ids), list(names)
    if not ids:
        return {}
    result = await session.execute(
        sa.select(var.c.instance_id, var.c.name, var.c.value)
        .where(var.c.instance_id.in_(ids), var.c.name.in_(wanted)))
    found: dict[str, dict[str, Any]] = {i: {} for i in ids}
    for instance_id, name, value in result.all():
        found[instance_id][name] = loads(value)
    return found


async def plans_of_year(session: AsyncSession, tenant_id: str, year: int
                        ) -> list[Any]:
    """The tenant's annual-plan processes for ``year``, oldest first, terminated aside."""
    result = await session.execute(
        sa.select(pi.c.id, pi.c.state, pi.c.created_at, pi.c.ended_at)
        .where(pi.c.tenant_id == tenant_id, pi.c.process_id == PLAN_PROCESS,
               pi.c.state != "terminated", _variable_is(PLAN_YEAR, year))
        .order_by(pi.c.created_at, pi.c.id))
    return list(result.all())


async def lock_plans_of_year(session: AsyncSession, tenant_id: str, year: int) -> None:
    """Lock the year's plan instances (in id order) until the transaction ends, so that two
    approvals of rival plans are checked one after the other (PostgreSQL; SQLite has one
    writer at a time already)."""
    await session.execute(
        sa.select(pi.c.id).where(pi.c.tenant_id == tenant_id, pi.c.process_id == PLAN_PROCESS,
                                 _variable_is(PLAN_YEAR, year))
        .order_by(pi.c.id).with_for_update(of=pi))


async def issued_plan(session: AsyncSession, tenant_id: str, year: int,
                      other_than: str | None = None) -> str | None:
    """The id of ``year``'s issued plan (its approval completed with ``approved`` true)."""
    query = (sa.select(pi.c.id)
             .where(pi.c.tenant_id == tenant_id, pi.c.process_id == PLAN_PROCESS,
                    pi.c.state != "terminated", _variable_is(PLAN_YEAR, year),
                    _variable_is(ISSUED, True)))
    if other_than is not None:
        query = query.where(pi.c.id != other_than)
    result = await session.execute(query.order_by(pi.c.created_at, pi.c.id).limit(1))
    return result.scalar()
