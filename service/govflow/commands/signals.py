"""Broadcasting a signal to a tenant: every waiting catch, every signal start."""

from dataclasses import dataclass
from typing import Any

from ..auth.permissions import require_visible_tenant
from ..auth.principal import Principal
from ..tenants.service import require as require_tenant
from .unit_of_work import UnitOfWork


@dataclass(frozen=True)
class BroadcastSignal:
    """A signal to every running instance of the tenant that waits for it and a new
    instance of every process of the active set that a signal start of that name begins.
    The caller must be a declared sender (or an administrator) of every catch and start it
    reaches, and the payload may carry only keys each declares; one refusal refuses all
    (instances/messages.py). Returns the instances reached and those started."""

    principal: Principal
    tenant_id: str
    name: str
    payload: dict[str, Any]

    async def run(self, uow: UnitOfWork) -> tuple[list[str], list[str]]:
        require_visible_tenant(self.principal, self.tenant_id)
        await require_tenant(uow.session, self.tenant_id)
        return await uow.broadcast(self.tenant_id, self.name, self.payload,
                                   self.principal.user, principal=self.principal)
