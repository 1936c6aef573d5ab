"""Commands on process instances: start, deliver a message, correlate, suspend, resume,
terminate. Each reads what it checks inside its own transaction."""

from dataclasses import dataclass
from typing import Any, Literal

from ..auth.permissions import require_tenant_admin, require_visible_tenant
from ..auth.principal import Principal
from ..errors import Conflict, FieldError, Forbidden, Invalid
from ..instances.messages import Delivery
from ..instances.service import visible
from ..plans import service as plans
from ..tasks.forms import validate_variables
from ..tenants.service import require as require_tenant
from .unit_of_work import UnitOfWork


@dataclass(frozen=True)
class StartInstance:
    """Start an instance on the tenant's active diagram set, run to its first wait; the
    new instance's id."""

    principal: Principal
    tenant_id: str
    process_id: str | None
    business_key: str | None
    variables: dict[str, Any]

    async def run(self, uow: UnitOfWork) -> str:
        require_visible_tenant(self.principal, self.tenant_id)
        tenant = await require_tenant(uow.session, self.tenant_id)
        if tenant.active_set_id is None:
            raise Conflict(f"tenant '{self.tenant_id}' has no active diagram set: "
                           "deploy one first", code="tenant.no_active_set",
                           params={"tenant": self.tenant_id})
        specs = await uow.ctx.specs.get(uow.session, tenant.active_set_id)
        process_id = self.process_id or specs.main_process_id
        if not process_id:
            raise Invalid("the active diagram set has no main process: name the process to "
                          "start", [FieldError("body.process_id", "one of: "
                                               f"{', '.join(sorted(specs.processes))}")],
                          code="process.main_missing")
        if process_id not in specs.processes:
            raise Invalid(f"process '{process_id}' is not in the active diagram set", [
                FieldError("body.process_id", f"one of: {', '.join(sorted(specs.processes))}")],
                code="process.not_in_active_set", params={"process_id": process_id})
        require_starter(self.principal, specs, process_id)
        validate_variables(specs.processes[process_id].start_form, self.variables)
        plans.refuse_server_variables(process_id, self.variables)
        instance_id, _ = await uow.start(self.tenant_id, tenant.active_set_id, process_id,
                                         self.business_key, self.variables, self.principal.user)
        return instance_id


def require_starter(principal: Principal, specs: Any, process_id: str) -> None:
    """Who may start a process through the API (docs/contract.md "Who may start a
    process"): not a called-only one (camunda:isStartableInTasklist="false"), and, when the
    process names candidate starters, only a user in one of its groups or named there;
    administrators included."""
    info = specs.processes[process_id]
    if not info.startable:
        callers = sorted(p.id for p in specs.processes.values()
                         if process_id in p.called_processes and p.id != process_id)
        raise Forbidden(f"process '{process_id}' is started only by a call activity of "
                        f"{', '.join(callers) or 'another process'}: start that process",
                        code="instance.not_startable",
                        params={"process_id": process_id, "callers": ", ".join(callers)})
    groups, users = info.starter_groups, info.starter_users
    if (groups or users) and principal.user not in users \
            and not set(groups) & set(principal.groups):
        raise Forbidden(f"user '{principal.user}' may not start process '{process_id}': "
                        f"its starters are groups {list(groups)} and users {list(users)}",
                        code="instance.start_forbidden",
                        params={"user": principal.user, "process_id": process_id,
                                "groups": ", ".join(groups) or "-"})


@dataclass(frozen=True)
class DeliverMessage:
    """A message to one instance: 409 if it is not waiting for it, 403 if the caller is
    not one of its senders, 422 for a payload key it does not take (instances/messages.py)."""

    principal: Principal
    instance_id: str
    name: str
    payload: dict[str, Any]

    async def run(self, uow: UnitOfWork) -> None:
        row = await visible(uow.session, self.principal, self.instance_id)
        await uow.send(row, Delivery(self.name, self.payload, self.principal),
                       self.principal.user)


@dataclass(frozen=True)
class Correlate:
    """A message to every running instance of the tenant that waits for it and whose
    variables equal ``correlation``; their ids. One refusal refuses all (403)."""

    principal: Principal
    tenant_id: str
    name: str
    correlation: dict[str, Any]
    payload: dict[str, Any]

    async def run(self, uow: UnitOfWork) -> list[str]:
        require_visible_tenant(self.principal, self.tenant_id)
        await require_tenant(uow.session, self.tenant_id)
        return await uow.correlate(self.tenant_id, self.name, self.correlation, self.payload,
                                   None, self.principal.user, principal=self.principal)


@dataclass(frozen=True)
class SetState:
    """Suspend a running instance; resume a suspended one, or retry one a failed timer put
    in ``error``. The state is read and checked in the transaction that changes it, so an
    instance that completes meanwhile is never marked suspended."""

    principal: Principal
    instance_id: str
    action: Literal["suspend", "resume"]

    async def run(self, uow: UnitOfWork) -> None:
        row = await visible(uow.session, self.principal, self.instance_id)
        require_tenant_admin(self.principal, row.tenant_id)
        if self.action == "suspend":
            await uow.set_state(row.id, "suspended", self.principal.user, "instance_suspended",
                                expected=("running",))
        else:
            expected = "error" if row.state == "error" else "suspended"
            await uow.set_state(row.id, "running", self.principal.user, "instance_resumed",
                                expected=(expected,))


@dataclass(frozen=True)
class Terminate:
    """Cancel every open task; the instance ends with outcome ``terminated``. A suspended
    instance, or one in ``error`` (an incident an admin gives up on), may be terminated."""

    principal: Principal
    instance_id: str
    reason: str

    async def run(self, uow: UnitOfWork) -> None:
        row = await visible(uow.session, self.principal, self.instance_id)
        require_tenant_admin(self.principal, row.tenant_id)
        if row.state in ("suspended", "error"):
            await uow.set_state(row.id, "running", self.principal.user,
                                "instance_resumed" if row.state == "suspended"
                                else "incident_resolved", expected=(row.state,))
        reason = self.reason
        await uow.step(row.id, lambda e: e.terminate(reason), self.principal.user)
