"""The annual plan at the edge (docs/contract.md "Annual plans")."""

from typing import Literal

from pydantic import BaseModel, Field


class PlanItem(BaseModel):
    business_key: str
    instance_id: str = Field(description="the project's process instance")
    project_name: str | None
    amount: float | None = Field(description="万元: the budget its review approved "
                                 "(approved_budget), else its declared total_investment")


class Plan(BaseModel):
    instance_id: str = Field(description="the annual-plan process instance")
    year: int | None
    state: Literal["running", "completed", "error", "suspended"] | None = Field(
        None, description="the plan process's state (in the plan-year view)")
    compiled: bool = Field(description="plan_compilation completed: items and total are "
                           "the server's")
    issued: bool = Field(description="plan_approval approved it (计划下达): late projects "
                         "of the year go to the next year's plan")
    items: list[PlanItem] = Field(description="the projects it lists, in the order chosen")
    total: float | None = Field(description="万元: the sum of the items' amounts, computed "
                                "by the server")
    left_out: list[str] = Field(description="business keys of the candidates it did not list")
    candidates: list[PlanItem] | None = Field(
        None, description="on a ready plan_compilation task: the projects to choose from")


class PlanYear(BaseModel):
    tenant: str
    year: int
    candidates: list[PlanItem] = Field(description="projects that passed review and wait "
                                       "for this year's plan, by business key")
    plans: list[Plan] = Field(description="the year's plan processes, oldest first "
                              "(terminated ones left out)")
