"""``execute``: the one way a command runs (Camunda 7's ``CommandContextInterceptor``).

It opens a session and a unit of work, runs the command, and commits on a clean exit:
messages thrown are correlated first, then the transaction commits, the touched instances
are checked back into the cache, and the after-commit hooks run. Any exception rolls the
transaction back and discards the touched instances from the cache; no hook runs.
A command never commits and nothing outside this package does.
"""

from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from ..context import AppContext
from .unit_of_work import UnitOfWork

T_co = TypeVar("T_co", covariant=True)
T = TypeVar("T")


class Command(Protocol[T_co]):
    """A small object holding an operation's inputs; ``run`` checks its preconditions
    against what it reads through ``uow`` (inside the transaction), then changes state."""

    async def run(self, uow: UnitOfWork) -> T_co: ...


async def execute(ctx: AppContext, command: Command[T_co]) -> T_co:
    """Run ``command`` in a transaction of its own and commit it."""
    async with ctx.sessions() as session, UnitOfWork(ctx, session) as uow:
        result = await command.run(uow)
        await uow.commit()
    return result


async def execute_and_show(ctx: AppContext, command: Command[T],
                           view: Callable[[AsyncSession, T], Awaitable[dict[str, Any]]]
                           ) -> dict[str, Any]:
    """Run ``command`` and read the response ``view(session, result)`` in its transaction,
    just before it commits (everything thrown correlated by then): the answer shows exactly
    what committed, on the connection the command used. A refused view rolls back."""
    async with ctx.sessions() as session, UnitOfWork(ctx, session) as uow:
        result = await command.run(uow)
        shown = await uow.commit(lambda: view(session, result))
    assert shown is not None
    return shown
