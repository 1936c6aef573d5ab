"""Reading and writing an instance's engine rows (see engine/rows.py)."""

from collections.abc import Sequence
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from .direct import direct
from .held_writes import Writer
from .tables import engine_rows

# (row_id, seq, hash, body), as engine/rows.py's StoredRow
Row = tuple[str, int, str, str]

_UPDATE = direct(
    sa.update(engine_rows)
    .where(engine_rows.c.instance_id == sa.bindparam("b_instance"),
           engine_rows.c.row_id == sa.bindparam("b_row"))
    .values(hash=sa.bindparam("b_hash"), body=sa.bindparam("b_body"))
)
# Built once, values as parameters: a batch holds them and sends each once (held_writes.py).
_INSERT = direct(sa.insert(engine_rows))
_DELETE = direct(sa.delete(engine_rows).where(engine_rows.c.instance_id == sa.bindparam("b_instance"),
                                       engine_rows.c.row_id == sa.bindparam("b_row")))
_DROP = direct(sa.delete(engine_rows).where(engine_rows.c.instance_id == sa.bindparam("b_instance")))


async def load_rows(session: AsyncSession, instance_id: str) -> list[Row]:
    result = await session.execute(
        sa.select(engine_rows.c.row_id, engine_rows.c.seq, engine_rows.c.hash,
                  engine_rows.c.body)
        .where(engine_rows.c.instance_id == instance_id)
        .order_by(engine_rows.c.seq)
    )
    return [(r.row_id, r.seq, r.hash, r.body) for r in result.all()]


class RowChanges(Protocol):
    """What a step changed (engine/rows.py's RowChanges)."""

    @property
    def inserted(self) -> Sequence[Row]: ...
    @property
    def updated(self) -> Sequence[Row]: ...
    @property
    def deleted(self) -> Sequence[str]: ...


async def write_changes(session: Writer, instance_id: str, changes: RowChanges) -> None:
    """Insert new rows, update changed ones, delete removed ones: nothing else."""
    if changes.inserted:
        await session.execute(_INSERT, [
            {"instance_id": instance_id, "row_id": row_id, "seq": seq, "hash": digest,
             "body": body} for row_id, seq, digest, body in changes.inserted])
    if changes.updated:
        await session.execute(_UPDATE, [
            {"b_instance": instance_id, "b_row": row_id, "b_hash": digest, "b_body": body}
            for row_id, _, digest, body in changes.updated])
    if changes.deleted:
        await session.execute(_DELETE, [{"b_instance": instance_id, "b_row": row_id}
                                        for row_id in changes.deleted])


async def drop_rows(session: Writer, instance_id: str) -> None:
    """An instance that ended is never resumed: its engine rows go (history, task rows and
    variables keep what it did; its diagram is drawn from history)."""
    await session.execute(_DROP, {"b_instance": instance_id})
