"""Who is calling, and what that caller may see and do."""

from dataclasses import dataclass

from ..errors import Forbidden

ALL_TENANTS = "*"


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

    def require_tenant(self, tenant_id: str) -> None:
        if not self.sees_tenant(tenant_id):
            raise Forbidden(f"user '{self.user}' has no access to tenant '{tenant_id}'")

    def require_admin(self, tenant_id: str | None = None) -> None:
        if not self.admin:
            raise Forbidden(f"user '{self.user}' is not an admin")
        if tenant_id is not None:
            self.require_tenant(tenant_id)

    def may_work_on(self, candidate_groups: list[str]) -> bool:
        return not candidate_groups or bool(set(candidate_groups) & set(self.groups))
