"""Who is calling: a user, the tenants it sees, its lane groups, whether it administers.

The checks that turn these into 403s and 404s live in ``permissions``.
"""

from dataclasses import dataclass

from .claims import ALL_TENANTS

__all__ = ["ALL_TENANTS", "Principal"]


@dataclass(frozen=True)
class Principal:
    user: str
    tenants: tuple[str, ...]
    groups: tuple[str, ...]
    admin: bool = False

    def sees_tenant(self, tenant_id: str) -> bool:
        return ALL_TENANTS in self.tenants or tenant_id in self.tenants

    def visible_tenants(self) -> list[str] | None:
        """Tenants to filter queries by; None means all."""
        return None if ALL_TENANTS in self.tenants else list(self.tenants)

    @property
    def is_global_admin(self) -> bool:
        """Admin of every tenant: the calendar, new tenants, anything across tenants."""
        return self.admin and self.tenants == (ALL_TENANTS,)

    def administers(self, tenant_id: str) -> bool:
        """Admin of this tenant (a tenant administrator, or a global one)."""
        return self.admin and self.sees_tenant(tenant_id)

    def may_work_on(self, candidate_groups: list[str]) -> bool:
        return not candidate_groups or bool(set(candidate_groups) & set(self.groups))
