"""Every permission check, in one place.

Two rules. Another tenant's object answers exactly like a missing one (404, the same
message), so ids cannot be used to learn which tenants exist or what they hold. A 403
is only for what the caller can see but lacks the right to do.
"""

from ..errors import Forbidden, NotFound
from .principal import Principal


def tenant_not_found(tenant_id: str) -> NotFound:
    """The one answer for a tenant that does not exist, or that the caller cannot see."""
    return NotFound(f"tenant '{tenant_id}' does not exist", code="tenant.not_found",
                    params={"tenant": tenant_id})


def require_visible(principal: Principal, tenant_id: str | None, missing: str, code: str,
                    **params: object) -> None:
    """404 ``missing`` (Problem ``code``) unless the object exists (``tenant_id`` given) in
    a visible tenant."""
    if tenant_id is None or not principal.sees_tenant(tenant_id):
        raise NotFound(missing, code=code, params=params)


def require_visible_tenant(principal: Principal, tenant_id: str) -> None:
    """404, as for an unknown tenant, unless the caller's token names this tenant (or '*')."""
    if not principal.sees_tenant(tenant_id):
        raise tenant_not_found(tenant_id)


def require_tenant_admin(principal: Principal, tenant_id: str) -> None:
    """Deploy, activate, suspend, resume, terminate: an admin of this tenant (or global)."""
    require_visible_tenant(principal, tenant_id)
    if not principal.administers(tenant_id):
        raise Forbidden(f"user '{principal.user}' is not an administrator of tenant "
                        f"'{tenant_id}'", code="auth.not_tenant_admin",
                        params={"user": principal.user, "tenant": tenant_id})


def require_global_admin(principal: Principal, action: str) -> None:
    """The calendar, new tenants: an admin whose token names every tenant ('*')."""
    if not principal.is_global_admin:
        raise Forbidden(f"{action} needs a global administrator (an admin of tenant '*'); "
                        f"user '{principal.user}' is not one", code="auth.not_global_admin",
                        params={"user": principal.user, "action": action})


# The group a worker's token carries (`govflow token create --external-worker`): it may
# fetch, lock, complete and fail the tenant's external tasks (docs/external-tasks.md).
EXTERNAL_WORKER = "external-worker"


def require_external_worker(principal: Principal, tenant_id: str) -> None:
    """Fetch, complete, fail, throw a BPMN error, extend a lock: a token of this tenant in
    the group ``external-worker``."""
    require_visible_tenant(principal, tenant_id)
    if EXTERNAL_WORKER not in principal.groups:
        raise Forbidden(f"user '{principal.user}' is not an external worker of tenant "
                        f"'{tenant_id}' (a token in the group '{EXTERNAL_WORKER}')",
                        code="external.not_worker",
                        params={"user": principal.user, "tenant": tenant_id})


def require_worker_or_admin(principal: Principal, tenant_id: str) -> None:
    """List external tasks, unlock one: an external worker or an administrator."""
    require_visible_tenant(principal, tenant_id)
    if EXTERNAL_WORKER not in principal.groups and not principal.administers(tenant_id):
        raise Forbidden(f"user '{principal.user}' is neither an external worker nor an "
                        f"administrator of tenant '{tenant_id}'",
                        code="external.not_worker_or_admin",
                        params={"user": principal.user, "tenant": tenant_id})
