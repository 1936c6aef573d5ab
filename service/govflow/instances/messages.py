"""Messages are commands: only the senders a catching element names may deliver them.

A catching element declares ``senders`` (groups) and ``payload`` (keys) as camunda
properties (engine/message_catch.py). Over the API a message is delivered only if, for
every element of the instance it would reach, the caller is an administrator of the
instance's tenant (or a global one) or belongs to one of the declared sender groups;
a message throw event of a process needs no sender right (the diagram is the sender).
Either way the payload may carry only keys every reached element declares: a key it
does not declare is refused, never merged into the instance's variables. Signals follow
the same rule (``kind="signal"``), for catches and for signal start events alike.
"""

from dataclasses import dataclass
from typing import Any

from ..auth.principal import Principal
from ..engine.message_catch import MessageCatchDef
from ..engine.runtime import EngineInstance, StepResult
from ..errors import EngineFailure, FieldError, Forbidden, Invalid


@dataclass(frozen=True)
class Delivery:
    """One message on its way to one instance: checked, then delivered."""

    name: str
    payload: dict[str, Any]
    principal: Principal | None = None  # None: thrown by a process of the tenant
    thrown_by: str | None = None        # the throwing instance, when thrown
    kind: str = "message"               # or "signal"

    def check(self, tenant_id: str, instance_id: str, engine: EngineInstance
              ) -> dict[str, Any]:
        """Refuse the delivery (403, 422) or return who sends it, for the history."""
        return self.check_catches(tenant_id, instance_id,
                                  engine.message_catches(self.name, self.kind))

    def check_catches(self, tenant_id: str, where: str, catches: list[MessageCatchDef]
                      ) -> dict[str, Any]:
        """The rule for the catches the message would reach (``where``: the instance, or
        the process a signal would start)."""
        sender = self._sender(tenant_id, where, catches)
        for catch in catches:
            undeclared = [k for k in self.payload if k not in catch.payload]
            if undeclared:
                self._refuse_payload(where, catch, undeclared)
        return sender

    def deliver(self, tenant_id: str, instance_id: str, engine: EngineInstance) -> StepResult:
        sender = self.check(tenant_id, instance_id, engine)
        return engine.deliver_message(self.name, self.payload, sender, self.kind)

    def _sender(self, tenant_id: str, instance_id: str, catches: list[MessageCatchDef]
                ) -> dict[str, Any]:
        p = self.principal
        if p is None:
            return {"user": "engine", "as": "process", "thrown_by": self.thrown_by}
        if p.administers(tenant_id):
            return {"user": p.user, "as": "admin", "groups": []}
        used: set[str] = set()
        for catch in catches:
            mine = set(catch.senders) & set(p.groups)
            if not mine:
                allowed = (f"groups {', '.join(catch.senders)} and administrators"
                           if catch.senders else "administrators and the process itself")
                raise Forbidden(f"user '{p.user}' may not send {self.kind} '{self.name}' to "
                                f"element '{catch.element_id}' of {_where(instance_id)}: "
                                f"only {allowed} may",
                                code="message.sender_forbidden", params={
                                    "user": p.user, "message": self.name,
                                    "element": catch.element_id, "instance_id": instance_id})
            used |= mine
        return {"user": p.user, "as": "sender", "groups": sorted(used)}

    def _refuse_payload(self, instance_id: str, catch: MessageCatchDef,
                        undeclared: list[str]) -> None:
        accepted = ", ".join(catch.payload) or "none"
        detail = (f"{self.kind} '{self.name}' to element '{catch.element_id}' of "
                  f"{_where(instance_id)} does not take the payload key(s) "
                  f"{', '.join(map(repr, undeclared))} (it takes: {accepted})")
        params = {"message": self.name, "keys": "、".join(undeclared), "accepted": accepted}
        if self.principal is None:  # a diagram's throw event carries a key its catch lacks
            raise EngineFailure(detail, code="message.payload_refused", params=params)
        raise Invalid(detail, [FieldError(f"body.payload.{k}", "not a key this message takes "
                                          f"(it takes: {accepted})") for k in undeclared],
                      code="message.payload_key_unknown", params=params)


def _where(target: str) -> str:
    """An instance id, or ``process:<id>`` for a process a signal would start."""
    if target.startswith("process:"):
        return f"process '{target.removeprefix('process:')}' (its signal start event)"
    return f"process instance {target}"
