"""Evaluating a tenant's DMN decision on its active diagram set."""

import asyncio
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ..auth.permissions import require_visible_tenant
from ..auth.principal import Principal
from ..context import AppContext
from ..engine.decisions import evaluate_decision
from ..engine.errors import StepError
from ..errors import Conflict, FieldError, Invalid, NotFound
from ..tenants.service import require as require_tenant


async def evaluate(ctx: AppContext, session: AsyncSession, principal: Principal, tenant_id: str,
                   decision_id: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """The decision's result (after its hit policy), with the rules that matched (and the
    clauses they cite)."""
    require_visible_tenant(principal, tenant_id)
    tenant = await require_tenant(session, tenant_id)
    if tenant.active_set_id is None:
        raise Conflict(f"tenant '{tenant_id}' has no active diagram set",
                       code="tenant.no_active_set", params={"tenant": tenant_id})
    specs = await ctx.specs.get(session, tenant.active_set_id)
    decision = specs.decisions.get(decision_id)
    if decision is None:
        raise NotFound(f"decision '{decision_id}' is not in tenant '{tenant_id}'s active set "
                       f"(decisions: {', '.join(sorted(specs.decisions)) or 'none'})",
                       code="decision.not_found",
                       params={"decision_id": decision_id, "tenant": tenant_id})
    try:
        evaluated = await asyncio.to_thread(evaluate_decision, decision, inputs)
    except StepError as exc:
        raise Invalid(f"decision '{decision_id}' could not be evaluated: {exc}",
                      [FieldError("body.inputs", str(exc))], code="decision.evaluation_failed",
                      params={"decision_id": decision_id, "reason": str(exc)}) from exc
    return {
        "decision_id": decision_id, "diagram_set_id": tenant.active_set_id,
        "hit_policy": decision.hit_policy,
        "outputs": evaluated.outputs,
        "matched_rules": [{"id": m.id, "row": m.row, "annotation": m.annotation}
                          for m in evaluated.matched_rules],
    }
