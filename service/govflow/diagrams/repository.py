"""Diagram set rows and their files."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ..store.tables import diagram_files, diagram_sets


@dataclass(frozen=True)
class DiagramSetRow:
    id: int
    tenant_id: str
    version: int
    content_hash: str
    main_process_id: str
    processes: str  # JSON: [{id, name, file}]
    decisions: str  # JSON: [decision id]
    created_by: str
    created_at: datetime


def _set_row(row: sa.Row[Any] | None) -> DiagramSetRow | None:
    return DiagramSetRow(**row._mapping) if row is not None else None


async def find_by_hash(session: AsyncSession, tenant_id: str, content_hash: str
                       ) -> DiagramSetRow | None:
    return _set_row((await session.execute(sa.select(diagram_sets).where(
        diagram_sets.c.tenant_id == tenant_id,
        diagram_sets.c.content_hash == content_hash))).first())


async def get(session: AsyncSession, set_id: int) -> DiagramSetRow | None:
    return _set_row((await session.execute(
        sa.select(diagram_sets).where(diagram_sets.c.id == set_id))).first())


async def next_version(session: AsyncSession, tenant_id: str) -> int:
    current = (await session.execute(sa.select(sa.func.max(diagram_sets.c.version)).where(
        diagram_sets.c.tenant_id == tenant_id))).scalar()
    return (current or 0) + 1


async def insert(session: AsyncSession, row: dict[str, Any], files: dict[str, bytes]) -> int:
    result = await session.execute(sa.insert(diagram_sets).values(**row)
                                   .returning(diagram_sets.c.id))
    set_id = int(result.scalar_one())
    await session.execute(sa.insert(diagram_files), [
        {"set_id": set_id, "name": name, "content": content}
        for name, content in sorted(files.items())])
    return set_id


async def list_for_tenant(session: AsyncSession, tenant_id: str) -> list[DiagramSetRow]:
    return [DiagramSetRow(**r._mapping) for r in (await session.execute(
        sa.select(diagram_sets).where(diagram_sets.c.tenant_id == tenant_id)
        .order_by(diagram_sets.c.version.desc()))).all()]


async def files(session: AsyncSession, set_id: int) -> dict[str, bytes]:
    """The set's files by name."""
    result = await session.execute(sa.select(diagram_files.c.name, diagram_files.c.content)
                                   .where(diagram_files.c.set_id == set_id))
    return {name: content for name, content in result.all()}


async def file_content(session: AsyncSession, set_id: int, name: str) -> bytes | None:
    return (await session.execute(sa.select(diagram_files.c.content).where(
        diagram_files.c.set_id == set_id, diagram_files.c.name == name))).scalar()
