"""Commands on diagram sets: upload a version, choose the active one. Not instance state
(no version, no history), but committed the same way as every other write."""

from dataclasses import dataclass
from typing import Any

from ..auth.principal import Principal
from ..context import AppContext
from ..diagrams import service as diagrams
from .base import execute
from .unit_of_work import UnitOfWork


@dataclass(frozen=True)
class UploadDiagramSet:
    """Validate and store a new version of the tenant's diagram set: its id, and whether
    it is new (identical content returns the existing set)."""

    principal: Principal
    tenant_id: str
    files: dict[str, bytes]
    main_process: str | None = None
    activate: bool | None = None

    async def run(self, uow: UnitOfWork) -> tuple[int, bool]:
        set_id, specs = await diagrams.store_set(uow.ctx, uow.session, self.principal,
                                                 self.tenant_id, self.files, self.main_process,
                                                 self.activate)
        if specs is not None:  # parsed once: new instances need not parse it again
            uow.after_commit(lambda: uow.ctx.specs.put(set_id, specs))
        return set_id, specs is not None


@dataclass(frozen=True)
class ActivateDiagramSet:
    """Make a set the one new instances start on; running instances keep their own."""

    principal: Principal
    tenant_id: str
    set_id: int

    async def run(self, uow: UnitOfWork) -> None:
        await diagrams.set_active(uow.session, self.principal, self.tenant_id, self.set_id)


async def deploy_set(ctx: AppContext, principal: Principal, tenant_id: str,
                     files: dict[str, bytes], main_process: str | None = None,
                     activate: bool | None = None) -> tuple[dict[str, Any], bool]:
    """Upload, then the set as the API shows it (the CLI, bootstrap and tests)."""
    set_id, created = await execute(ctx, UploadDiagramSet(principal, tenant_id, files,
                                                          main_process, activate))
    async with ctx.sessions() as session:
        return await diagrams.get_set(session, principal, set_id), created
