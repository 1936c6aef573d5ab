"""Request bodies of the migration paths: bounded maps of names."""

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field

from ..fields import DbId, Name
from ..jsonbounds import variable_name_problem

MAX_PROCESSES = 100
MAX_ELEMENTS = 1_000
MAX_VARIABLES = 500


def _variable_names(value: dict[str, str]) -> dict[str, str]:
    for name in (*value, *value.values()):
        problem = variable_name_problem(name)
        if problem:
            raise ValueError(problem)
    if len(set(value.values())) != len(value):
        raise ValueError("two variables are renamed to the same name")
    return value


def _elements(value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    if sum(len(m) for m in value.values()) > MAX_ELEMENTS:
        raise ValueError(f"at most {MAX_ELEMENTS} elements in all")
    return value


ElementMap = Annotated[
    dict[Name, Annotated[dict[Name, Name], Field(max_length=MAX_ELEMENTS)]],
    Field(max_length=MAX_PROCESSES,
          description="process id -> {old element id: new element id}"),
    AfterValidator(_elements)]
VariableMap = Annotated[dict[Name, Name], Field(max_length=MAX_VARIABLES,
                                                description="old variable -> new name"),
                        AfterValidator(_variable_names)]


class PlanIn(BaseModel):
    target_set_id: DbId
    element_map: ElementMap = Field(default_factory=dict)
    variable_map: VariableMap = Field(default_factory=dict)
    due_dates: Literal["keep", "recompute"] = "keep"
    dry_run: bool = False


class MigrationIn(PlanIn):
    source_set_id: DbId | None = Field(None, description="default: the tenant's active set")
    limit: int = Field(100, ge=1, le=1000, description="dry run: instances reported")
