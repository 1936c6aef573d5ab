from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from ..deps import ContextDep, CurrentUser, SessionDep
from ..fields import NamePath, TenantPath
from ..jsonbounds import Variables
from ..schemas import PROBLEMS
from . import service

router = APIRouter(tags=["decisions"], responses=PROBLEMS)


class EvaluateIn(BaseModel):
    inputs: Variables


class MatchedRule(BaseModel):
    id: str
    row: int
    annotation: str | None = Field(description="the rule's annotation: the clause it encodes")


class Evaluation(BaseModel):
    decision_id: str
    diagram_set_id: int
    hit_policy: str | None = Field(
        description="the table's hit policy (with its aggregation: 'COLLECT SUM'); null for "
                    "a literal expression decision")
    outputs: list[dict[str, Any]] = Field(
        description="the decision's result after its hit policy: one object per rule in the "
                    "result (output name -> value), one for an aggregation, "
                    "{variable: value} for a literal expression; empty when nothing matched")
    matched_rules: list[MatchedRule]


@router.post("/tenants/{tenant}/decisions/{decision_id}/evaluate", response_model=Evaluation)
async def evaluate(tenant: TenantPath, decision_id: NamePath, body: EvaluateIn, ctx: ContextDep,
                   session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    return await service.evaluate(ctx, session, user, tenant, decision_id, body.inputs)
