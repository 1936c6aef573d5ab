"""Diagram sets: upload with validation and duplicate detection, versions, the active set."""

import hashlib
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ..auth.permissions import require_tenant_admin, require_visible, require_visible_tenant
from ..auth.principal import Principal
from ..calendar.deadlines import validate_deadline
from ..context import AppContext
from ..engine.bounds import oversized
from ..engine.errors import DiagramError
from ..engine.specs import DiagramSpecs, ProcessInfo, parse_diagram_set
from ..errors import Conflict, FieldError, Invalid, NotFound
from ..store.jsontext import dumps, loads, utc
from ..tenants import repository as tenant_repo
from ..tenants.service import require as require_tenant
from . import repository as repo
from .svg import render_svg


def content_hash(files: dict[str, bytes]) -> str:
    """Identical content, whatever the upload order, hashes alike."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return digest.hexdigest()


async def store_set(ctx: AppContext, session: AsyncSession, principal: Principal,
                    tenant_id: str, files: dict[str, bytes], main_process: str | None = None,
                    activate: bool | None = None) -> tuple[int, DiagramSpecs | None]:
    """Validate and store a new version (commands/diagrams.py commits it); identical
    content stores nothing: the existing set's id and None."""
    require_tenant_admin(principal, tenant_id)
    tenant = await require_tenant(session, tenant_id)
    digest = content_hash(files)
    existing = await repo.find_by_hash(session, tenant_id, digest)
    if existing is not None:
        return int(existing.id), None
    try:
        specs = parse_diagram_set(files, main_process, check_due=validate_deadline)
        if problems := oversized(specs):
            raise DiagramError(problems)
    except DiagramError as exc:
        raise Invalid(f"diagram set refused: {exc}", [
            FieldError(p.file or "files", p.message, {"line": p.line, "element": p.element})
            for p in exc.problems], code="diagram.invalid", params={"reason": str(exc)}
        ) from exc
    row = {
        "tenant_id": tenant_id, "version": await repo.next_version(session, tenant_id),
        "content_hash": digest, "main_process_id": specs.main_process_id,
        "processes": dumps([{"id": p.id, "name": p.name, "file": p.file}
                            for p in specs.processes.values()]),
        "decisions": dumps(sorted(specs.decisions)), "created_by": principal.user,
        "created_at": ctx.clock.now(),
    }
    set_id = await repo.insert(session, row, files)
    if activate or (activate is None and tenant.active_set_id is None):
        await tenant_repo.set_active(session, tenant_id, set_id)
    return set_id, specs


async def get_set(session: AsyncSession, principal: Principal, set_id: int) -> dict[str, Any]:
    """A set as the API shows it, marked active or not."""
    row = await repo.get(session, set_id)
    if row is None:
        raise NotFound(f"diagram set {set_id} does not exist", code="diagram_set.not_found",
                       params={"set_id": set_id})
    require_visible(principal, row.tenant_id, f"diagram set {set_id} does not exist",
                    "diagram_set.not_found", set_id=set_id)
    tenant = await require_tenant(session, row.tenant_id)
    return _view(row, tenant.active_set_id)


async def list_sets(session: AsyncSession, principal: Principal, tenant_id: str
                    ) -> list[dict[str, Any]]:
    """Versions of a tenant's diagram sets, newest first."""
    require_visible_tenant(principal, tenant_id)
    tenant = await require_tenant(session, tenant_id)
    return [_view(r, tenant.active_set_id) for r in await repo.list_for_tenant(session, tenant_id)]


async def set_active(session: AsyncSession, principal: Principal, tenant_id: str,
                     set_id: int) -> None:
    """Make a set the one new instances start on; running instances keep their own."""
    require_tenant_admin(principal, tenant_id)
    await require_tenant(session, tenant_id)
    row = await repo.get(session, set_id)
    if row is None or row.tenant_id != tenant_id:
        raise Invalid(f"diagram set {set_id} is not a set of tenant '{tenant_id}'",
                      [FieldError("body.diagram_set_id", "unknown for this tenant")],
                      code="diagram_set.not_in_tenant",
                      params={"set_id": set_id, "tenant": tenant_id})
    await tenant_repo.set_active(session, tenant_id, set_id)


async def load(ctx: AppContext, session: AsyncSession, principal: Principal, set_id: int
               ) -> tuple[repo.DiagramSetRow, DiagramSpecs]:
    row = await repo.get(session, set_id)
    require_visible(principal, row.tenant_id if row is not None else None,
                    f"diagram set {set_id} does not exist", "diagram_set.not_found",
                    set_id=set_id)
    assert row is not None  # require_visible refused a missing set
    return row, await ctx.specs.get(session, set_id)


async def process_metadata(ctx: AppContext, session: AsyncSession, principal: Principal,
                           set_id: int, process_id: str) -> dict[str, Any]:
    """A process of a set: its human tasks (key, lane, groups, clause, form), the messages it
    catches (who may send them, which payload keys they take) and decisions."""
    row, specs = await load(ctx, session, principal, set_id)
    info = _process(specs, process_id)
    return {
        "id": info.id, "name": info.name, "file": info.file, "diagram_set_id": set_id,
        "tenant": row.tenant_id, "main": info.id == specs.main_process_id,
        "called_processes": list(info.called_processes),
        "tasks": [{"key": t.key, "name": t.name, "lane": t.lane,
                   "candidate_groups": list(t.candidate_groups), "due": t.due,
                   "clause": t.clause, "form": t.form, "ui_schema": t.ui_schema}
                  for t in info.human_tasks],
        "start_form": info.start_form, "start_ui_schema": info.start_ui_schema,
        "startable": info.startable, "starter_groups": list(info.starter_groups),
        "starter_users": list(info.starter_users),
        "message_catches": [{"element_id": c.element_id, "name": c.element_name,
                             "messages": list(c.messages), "senders": list(c.senders),
                             "payload": list(c.payload)} for c in info.message_catches],
        "external_tasks": [{"element_id": e.element_id, "name": e.element_name,
                            "topic": e.topic, "priority": e.priority,
                            "outputs": list(e.outputs)} for e in info.external_tasks],
        "decisions": [{"id": d.id, "name": d.name,
                       "inputs": [{"id": i.id, "label": i.label, "expression": i.expression,
                                   "type": i.type} for i in d.inputs],
                       "outputs": [{"id": o.id, "label": o.label, "name": o.name,
                                    "type": o.type} for o in d.outputs]}
                      for d in specs.decisions.values()],
    }


async def start_form(ctx: AppContext, session: AsyncSession, principal: Principal,
                     tenant_id: str, process_id: str) -> dict[str, Any]:
    """The start form of a process of the tenant's active set, before any instance exists:
    what ``POST /tenants/{tenant}/process-instances`` checks the variables against."""
    require_visible_tenant(principal, tenant_id)
    tenant = await require_tenant(session, tenant_id)
    if tenant.active_set_id is None:
        raise Conflict(f"tenant '{tenant_id}' has no active diagram set: deploy one first",
                       code="tenant.no_active_set", params={"tenant": tenant_id})
    specs = await ctx.specs.get(session, tenant.active_set_id)
    info = _process(specs, process_id)
    return {"tenant": tenant_id, "diagram_set_id": tenant.active_set_id,
            "process_id": info.id, "process_name": info.name, "form": info.start_form,
            "ui_schema": info.start_ui_schema}


async def process_xml(ctx: AppContext, session: AsyncSession, principal: Principal, set_id: int,
                      process_id: str) -> bytes:
    _, specs = await load(ctx, session, principal, set_id)
    return specs.files[_process(specs, process_id).file]


async def process_svg(ctx: AppContext, session: AsyncSession, principal: Principal, set_id: int,
                      process_id: str, **marks: set[str]) -> str:
    xml = await process_xml(ctx, session, principal, set_id, process_id)
    return render_svg(xml, process_id, **marks)


def _process(specs: DiagramSpecs, process_id: str) -> ProcessInfo:
    info = specs.processes.get(process_id)
    if info is None:
        raise NotFound(f"process '{process_id}' is not in this diagram set "
                       f"(processes: {', '.join(specs.processes)})",
                       code="process.not_found", params={
                           "process_id": process_id, "processes": "、".join(specs.processes)})
    return info


def _view(row: repo.DiagramSetRow | None, active_set_id: int | None) -> dict[str, Any]:
    assert row is not None  # read back inside the transaction that wrote or checked it
    return {"id": row.id, "tenant": row.tenant_id, "version": row.version,
            "content_hash": row.content_hash, "main_process_id": row.main_process_id,
            "processes": loads(row.processes), "decisions": loads(row.decisions),
            "active": row.id == active_set_id, "created_by": row.created_by,
            "created_at": utc(row.created_at)}
