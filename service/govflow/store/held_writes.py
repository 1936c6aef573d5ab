"""Writes held back while a batch of steps runs, then sent as one statement per kind.

The repositories' write functions take a ``Writer``: the session itself (each write sent
at once), or a ``HeldWrites`` that keeps them until ``flush``. Held writes are grouped by
statement object, so every statement a write function hands over is built once at module
level with its values as bind parameters; ``flush`` then sends each statement once with
all the rows the batch gave it (an executemany: one round trip however many instances
wrote rows), in the order the statements were first used -- a statement that must follow
another in one step (candidates after their task) follows it in the batch too.
"""

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable


class Writer(Protocol):
    """What a repository write function writes through: an ``AsyncSession`` or ``HeldWrites``."""

    async def execute(self, statement: Executable, params: Any = None, /) -> Any: ...


class HeldWrites:
    """Writes kept for one ``flush``; nothing is read back from them (no result)."""

    def __init__(self) -> None:
        self._held: dict[int, tuple[Executable, list[Mapping[str, Any]]]] = {}

    def __bool__(self) -> bool:
        return bool(self._held)

    async def execute(self, statement: Executable, params: Any = None, /) -> None:
        rows: Sequence[Mapping[str, Any]] = [params] if isinstance(params, Mapping) \
            else list(params or ())
        if not rows:  # its values are in the statement: it cannot share a round trip
            raise TypeError("a held write carries its values as parameters")
        self._held.setdefault(id(statement), (statement, []))[1].extend(rows)

    async def flush(self, session: AsyncSession) -> None:
        """Send every held statement once, with all its rows."""
        held, self._held = self._held, {}
        for statement, rows in held.values():
            await session.execute(statement, rows)
