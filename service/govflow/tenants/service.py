"""Tenants: cities and counties, each with its active diagram set."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ..auth.claims import TENANT_ID
from ..auth.permissions import (
    require_global_admin,
    require_tenant_admin,
    require_visible_tenant,
    tenant_not_found,
)
from ..auth.principal import Principal
from ..context import AppContext
from ..errors import FieldError, Invalid
from ..fields import TENANT_MAX
from ..jsonbounds import has_control
from ..store.jsontext import utc
from . import repository as repo


async def list_tenants(session: AsyncSession, principal: Principal) -> list[dict[str, Any]]:
    """Tenants the caller may see, each with its active diagram set."""
    rows = await repo.list_all(session, principal.visible_tenants())
    return [_view(r) for r in rows]


async def save_tenant(ctx: AppContext, session: AsyncSession, principal: Principal,
                      tenant_id: str, name: str) -> bool:
    """Create a tenant (global admin only) or rename one (its tenant admin); True when it
    is new (commands/tenants.py commits)."""
    await _require_put_right(session, principal, tenant_id)
    if not TENANT_ID.match(tenant_id):
        raise Invalid("invalid tenant id", [FieldError(
            "path.tenant", "lowercase letters, digits, '-' and '_', starting with a letter")],
            code="tenant.id_invalid")
    if not name.strip():
        raise Invalid("a tenant needs a name", [FieldError("body.name", "must not be empty")],
                      code="tenant.name_missing")
    return await repo.upsert(session, tenant_id, name.strip(), ctx.clock.now())


async def get_tenant(session: AsyncSession, principal: Principal, tenant_id: str
                     ) -> dict[str, Any]:
    require_visible_tenant(principal, tenant_id)
    rows = await repo.list_all(session, [tenant_id])
    if not rows:
        raise tenant_not_found(tenant_id)
    return _view(rows[0])


async def require(session: AsyncSession, tenant_id: str) -> Any:
    # Endpoints bound the path already; this guards any caller that does not (a NUL would
    # fail the lookup itself on PostgreSQL).
    if len(tenant_id) > TENANT_MAX or has_control(tenant_id):
        raise Invalid("invalid tenant id", [FieldError(
            "path.tenant", f"at most {TENANT_MAX} characters, without control characters")],
            code="tenant.id_invalid")
    row = await repo.get(session, tenant_id)
    if row is None:
        raise tenant_not_found(tenant_id)
    return row


async def _require_put_right(session: AsyncSession, principal: Principal, tenant_id: str
                             ) -> None:
    """A global admin creates and renames; a tenant admin renames its own tenants only.

    A tenant admin gets the same 403 for a new id as for another tenant's existing one, so
    the answer does not tell which tenants exist.
    """
    if principal.is_global_admin:
        return
    if principal.administers(tenant_id) and await repo.get(session, tenant_id) is not None:
        return
    if principal.admin:
        require_global_admin(principal, f"creating tenant '{tenant_id}'")
    require_tenant_admin(principal, tenant_id)


def _view(row: repo.TenantListing) -> dict[str, Any]:
    active = None
    if row.active_set_id is not None:
        active = {"id": row.active_set_id, "version": row.active_version,
                  "main_process_id": row.active_main_process}
    return {"id": row.id, "name": row.name, "active_diagram_set": active,
            "created_at": utc(row.created_at)}
