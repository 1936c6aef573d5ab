"""A migration plan: which set to which, the explicit element and variable maps, and what
happens to due dates. Plain data, stored with each batch as JSON."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..store.jsontext import dumps, loads

DueDates = Literal["keep", "recompute"]


@dataclass(frozen=True)
class MigrationPlan:
    source_set_id: int
    target_set_id: int
    # process id -> {old element id: new element id}
    element_map: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # old variable name -> new
    variable_map: Mapping[str, str] = field(default_factory=dict)
    due_dates: DueDates = "keep"

    def inverse(self) -> "MigrationPlan":
        """The plan that moves instances back: maps turned round."""
        return MigrationPlan(
            self.target_set_id, self.source_set_id,
            {p: {new: old for old, new in m.items()} for p, m in self.element_map.items()},
            {new: old for old, new in self.variable_map.items()}, self.due_dates)

    def to_json(self) -> str:
        return dumps({"element_map": {p: dict(m) for p, m in self.element_map.items()},
                      "variable_map": dict(self.variable_map), "due_dates": self.due_dates})

    def as_dict(self) -> dict[str, Any]:
        return {"source_set_id": self.source_set_id, "target_set_id": self.target_set_id,
                **loads(self.to_json())}


def plan_from_json(source_set_id: int, target_set_id: int, text: str) -> MigrationPlan:
    body = loads(text)
    return MigrationPlan(source_set_id, target_set_id, body["element_map"],
                         body["variable_map"], body["due_dates"])
