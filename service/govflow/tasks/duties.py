"""Separation of duties: one user may not decide for two bodies of the same project.

A process that sets the camunda property ``separationOfDuties`` to ``true`` gives each body
of its regulation its own candidate group. A user who completed a task of this instance
whose candidate groups share none with a ready task's (another body's decision) may not
claim or complete it: the unit that declared a project does not review it, the reviewing
department does not also grant the permit. Tasks open to anyone (no candidate groups)
belong to no body and are not counted.
"""

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ..errors import Forbidden
from ..store.jsontext import loads
from ..store.tables import tasks


async def refuse_other_body(session: AsyncSession, row: Any, user: str, action: str) -> None:
    """Raise 403 ``task.separation_of_duties`` if ``user`` decided an earlier task of this
    instance for another body (call it only where the process separates duties)."""
    groups = set(loads(row.candidate_groups))
    if not groups:
        return
    decided = await session.execute(
        sa.select(tasks.c.key, tasks.c.name, tasks.c.candidate_groups)
        .where(tasks.c.instance_id == row.instance_id, tasks.c.state == "completed",
               tasks.c.completed_by == user, tasks.c.id != row.id)
        .order_by(tasks.c.completed_at))
    for earlier in decided:
        theirs = set(loads(earlier.candidate_groups))
        if theirs and not theirs & groups:
            raise Forbidden(
                f"user '{user}' decided '{earlier.name or earlier.key}' for "
                f"{', '.join(sorted(theirs))} in this project; '{row.name or row.key}' "
                f"({', '.join(sorted(groups))}) is another body's decision and cannot be "
                f"{action} by the same user",
                code="task.separation_of_duties",
                params={"task_id": row.id, "user": user, "earlier": earlier.key,
                        "earlier_groups": "、".join(sorted(theirs)),
                        "groups": "、".join(sorted(groups))})
