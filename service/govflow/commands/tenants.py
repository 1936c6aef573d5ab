"""Commands on tenants: create or rename."""

from dataclasses import dataclass

from ..auth.principal import Principal
from ..tenants import repository as repo
from ..tenants import service as tenants
from .unit_of_work import UnitOfWork


@dataclass(frozen=True)
class PutTenant:
    """Create a tenant (global admin only) or rename one (its admin); True when new."""

    principal: Principal
    tenant_id: str
    name: str

    async def run(self, uow: UnitOfWork) -> bool:
        return await tenants.save_tenant(uow.ctx, uow.session, self.principal, self.tenant_id,
                                         self.name)


@dataclass(frozen=True)
class EnsureTenant:
    """Create the tenant unless it exists (the CLI and bootstrap, acting as the system);
    True when created."""

    tenant_id: str
    name: str

    async def run(self, uow: UnitOfWork) -> bool:
        if await repo.get(uow.session, self.tenant_id) is not None:
            return False
        return await repo.upsert(uow.session, self.tenant_id, self.name, uow.ctx.clock.now())
