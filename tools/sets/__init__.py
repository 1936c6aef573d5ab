"""Drafting scripts for the bundled diagram sets: ``python -m tools.sets.<tenant>`` writes
``bpmn/<tenant>/`` and ``dmn/<tenant>/``.

The written .bpmn/.dmn files are what the service loads and what process owners open in a
modeler. Regenerating overwrites the files, so a change made in a modeler must be carried
back into the script (or the script retired for that tenant) before the next regeneration.
"""

from collections.abc import Mapping
from pathlib import Path

from tools.bpmn_builder import Field, ProcessBuilder

ROOT = Path(__file__).resolve().parents[2]


def review_form(*criteria: tuple[str, str]) -> list[Field]:
    """A review's form: the decision, the opinion (a rejection carries its reason), and a
    checklist of the criteria the text lists, as (field id, label) pairs."""
    return [
        Field("approved", "boolean", label="审查通过", required=True),
        Field("opinion", "string", label="审查意见", required=True, minlength=1),
        *(Field(field_id, "boolean", label=label, required=True) for field_id, label in criteria),
    ]


def escalate(b: ProcessBuilder, task: str, *, timer_clause: str, escalation_clause: str,
             form: list[Field], groups: tuple[str, ...] = ("hub",), end_clause: str | None = None,
             due: str | None = None, name: str | None = None, end_name: str = "督办完毕") -> None:
    """A deadline passing: a non-interrupting boundary timer ``<task>_overdue`` (the task's
    own due notation unless ``due``) opens ``<task>_escalation`` in the hub's lane; that branch
    ends at ``<task>_escalated`` with no outcome, and ``task`` itself stays open."""
    host = b.nodes[task]
    b.boundary_timer(f"{task}_overdue", "超期", attached_to=task,
                     duration=due or host.attrs["camunda:dueDate"], cancel=False,
                     clause=timer_clause)
    b.user_task(f"{task}_escalation", f"超期督办：{name or host.name}", lane="hub",
                candidate_groups=list(groups), clause=escalation_clause, form=form)
    b.end(f"{task}_escalated", end_name, lane="hub", clause=end_clause or timer_clause)
    b.flow(f"{task}_overdue", f"{task}_escalation")
    b.flow(f"{task}_escalation", f"{task}_escalated")


# The second documentation line of a message catch the annual-plan process answers.
FROM_THE_PLAN = "由年度计划流程的消息抛出事件发出；未声明 senders：经接口仅管理员可发送"


def message_senders(*groups: str, payload: tuple[str, ...] = ()) -> dict[str, str]:
    """A message catch's camunda properties: the groups whose users may send it over the API
    (``senders``) and the payload keys it takes (``payload``); see docs/messages.md."""
    return {"senders": ",".join(groups)} | ({"payload": ",".join(payload)} if payload else {})


def write_set(tenant: str, bpmn: Mapping[str, bytes], dmn: Mapping[str, bytes]) -> list[Path]:
    """Replace the tenant's bundled files with these; returns the paths written."""
    written = []
    for kind, files in (("bpmn", bpmn), ("dmn", dmn)):
        folder = ROOT / kind / tenant
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob(f"*.{kind}"):
            if stale.name not in files:
                stale.unlink()
        for name, content in files.items():
            path = folder / name
            path.write_bytes(content)
            written.append(path)
    return written
