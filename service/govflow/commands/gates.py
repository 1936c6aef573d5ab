"""What a regulation demands of a completion beyond the form: its gates (every mandatory
condition of the task must hold, engine/gates.py; a refusal is 422 naming the clause and
leaves the instance unchanged) and separation of duties (tasks/duties.py)."""

from typing import Any

from ..engine.gates import GateRefused
from ..engine.runtime import EngineInstance
from ..errors import FieldError, Invalid
from ..tasks.duties import refuse_other_body
from .unit_of_work import UnitOfWork


async def check_gates(uow: UnitOfWork, row: Any, variables: dict[str, Any]) -> None:
    if not await _may_have_gates(uow, row):
        # Nothing to check: skip reading the instance a second time (the step that follows
        # refuses a task the engine does not hold ready, with the same 409).
        return
    found: list[GateRefused] = []

    def check(engine: EngineInstance) -> None:
        try:
            engine.check_gates(row.id, variables)
        except GateRefused as exc:
            found.append(exc)

    await uow.check(row.instance_id, check)
    if found:
        refused = found[0]
        errors = [FieldError(f"gates.{f.gate.clause}",
                             f.reason or "the condition does not hold",
                             {"clause": f.gate.clause, "expression": f.gate.expression},
                             code="task.gate_failed",
                             message_zh=f"不满足：{f.gate.clause}")
                  for f in refused.failed]
        raise Invalid(f"task '{row.key}' cannot be completed: {refused}", errors,
                      code="task.gate_failed",
                      params={"task_id": row.id, "clause": refused.failed[0].gate.clause,
                              "clauses": "；".join(f.gate.clause for f in refused.failed)})


async def gated_form(uow: UnitOfWork, row: Any, form: dict[str, Any]) -> dict[str, Any]:
    """The schema a completion is checked against: a gated task takes only its form's
    fields, even where it has no form (whose schema takes anything), so that its submitter
    cannot supply, nor write into the process, a value its gate reads."""
    specs = await uow.ctx.specs.get(uow.session, row.diagram_set_id)
    task = specs.human_task(row.process_id, row.key)
    if task is None or not task.gates or form.get("additionalProperties") is False:
        return form
    return {**form, "properties": form.get("properties", {}), "additionalProperties": False}


async def _may_have_gates(uow: UnitOfWork, row: Any) -> bool:
    specs = await uow.ctx.specs.get(uow.session, row.diagram_set_id)
    info = specs.processes.get(row.process_id)
    found = [t for t in info.human_tasks if t.key == row.key] if info is not None else []
    return not found or any(t.gates for t in found)


async def check_duties(uow: UnitOfWork, row: Any, user: str, action: str) -> None:
    """Refuse ``user`` a task of another body than one they decided, where the instance's
    process separates duties (its ``separationOfDuties`` property)."""
    specs = await uow.ctx.specs.get(uow.session, row.diagram_set_id)
    process = specs.processes.get(row.process_id)
    if process is not None and process.separation_of_duties:
        await refuse_other_body(uow.session, row, user, action)
