"""Multi-instance user and manual tasks (会签, 多部门并联), as Camunda 7 and BPMN write them.

SpiffWorkflow models a multi-instance activity as a loop task whose children are instances
of the original task spec (renamed ``<id> [child]``); its stock Camunda variant reads only
``camunda:collection``/``elementVariable`` and writes each child's element variable back
over the collection, dropping what the child submitted. GovFlow's ``MultiInstance`` keeps
the library's structure (the same parent/child tasks, the same ``merged`` bookkeeping) and
changes the data rules:

- the slots come from ``camunda:collection`` (a variable name or ``${expression}``),
  ``bpmn:loopDataInputRef`` or ``bpmn:loopCardinality``; each slot gets its item under
  ``camunda:elementVariable`` / ``bpmn:inputDataItem`` and its index as ``loopCounter``;
- a slot's output (its ``bpmn:outputDataItem`` value, or else what it submitted, after its
  ``camunda:outputParameter`` mapping) goes into the output collection at the slot's index:
  ``bpmn:loopDataOutputRef``, or ``<element id>_results``. Slots never merge their data into
  the process, so parallel slots cannot overwrite each other. A slot that did not complete
  (cancelled) leaves ``None`` at its index;
- ``completionCondition`` sees ``nrOfInstances``, ``nrOfActiveInstances``,
  ``nrOfCompletedInstances``, the output collection so far and the completing slot's data;
  when it holds, the remaining slots are cancelled.
"""

from copy import deepcopy
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowDataException
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.mixins.bpmn_spec_mixin import BpmnSpecMixin
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.util.task import TaskState

from .expressions import is_expression, unwrap

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"

MAX_SLOTS = 500
RESULTS_SUFFIX = "_results"
SUBMITTED = "govflow_output"  # a slot's output, from its completion to its merge
COUNTERS = ("nrOfInstances", "nrOfActiveInstances", "nrOfCompletedInstances")


@dataclass(frozen=True)
class LoopDef:
    """A multi-instance marker as the diagram declares it."""

    sequential: bool
    collection: str | None  # a variable name or a ${...} expression
    cardinality: str | None  # an expression
    element_variable: str | None
    output_collection: str
    output_item: str | None
    condition: str | None


class MultiInstance(LoopTask, BpmnSpecMixin):
    """Parent of the slots of one multi-instance task."""

    def __init__(self, wf_spec: Any, bpmn_id: str, task_spec: str, loop: LoopDef,
                 **kwargs: Any) -> None:
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.task_spec = task_spec
        self.loop = loop

    def _update_hook(self, my_task: Any) -> Any:
        super()._update_hook(my_task)
        items = self._items(my_task)
        my_task.internal_data.update(merged=[], items=items, next=0)
        my_task.data[self.loop.output_collection] = [None] * len(items)
        if not items:
            return True
        # Started before its slots are added: reached from a path still predicted (after a
        # non-interrupting boundary event) it is MAYBE here, and a predicted task may not
        # have definite children.
        my_task._set_state(TaskState.STARTED)
        for _ in items[:1] if self.loop.sequential else items:
            self._add_next(my_task)
        return None

    def _items(self, my_task: Any) -> list[Any]:
        loop, engine = self.loop, my_task.workflow.script_engine
        if loop.collection is not None:
            if is_expression(loop.collection):
                value = engine.evaluate(my_task, unwrap(loop.collection))
            elif loop.collection in my_task.data:
                value = my_task.data[loop.collection]
            else:
                raise WorkflowDataException(
                    f"the collection '{loop.collection}' is not a variable of the instance",
                    my_task)
            if isinstance(value, dict):
                value = list(value)
            if not isinstance(value, list | tuple):
                raise WorkflowDataException(
                    f"the collection '{loop.collection}' is a {type(value).__name__}, "
                    "not a list", my_task)
            items = list(value)
        else:
            count = engine.evaluate(my_task, unwrap(loop.cardinality or "0"))
            if not isinstance(count, int) or isinstance(count, bool) or count < 0:
                raise WorkflowDataException(
                    f"loopCardinality '{loop.cardinality}' gave {count!r}, not a whole number",
                    my_task)
            items = list(range(min(count, MAX_SLOTS + 1)))
        if len(items) > MAX_SLOTS:
            raise WorkflowDataException(f"a multi-instance task may have at most {MAX_SLOTS} "
                                        "instances", my_task)
        return items

    def _add_next(self, my_task: Any) -> None:
        index = my_task.internal_data["next"]
        item = my_task.internal_data["items"][index]
        my_task.internal_data["next"] = index + 1
        task_spec = my_task.workflow.spec.task_specs[self.task_spec]
        if not task_spec.completed_event.is_connected(self.merge_child):
            task_spec.completed_event.connect(self.merge_child)
        child = my_task._add_child(task_spec, TaskState.WAITING)
        child.triggered = True
        child.internal_data["key_or_index"] = index
        child.task_spec._update(child)
        # After the child inherited the parent's data: the slot's own values win.
        child.data["loopCounter"] = index
        if self.loop.element_variable:
            child.data[self.loop.element_variable] = deepcopy(item)

    def slots(self, my_task: Any) -> list[Any]:
        return [c for c in my_task.children if c.task_spec.name == self.task_spec]

    def merge_child(self, workflow: Any, child: Any) -> None:
        my_task = child.parent
        if my_task is None or my_task.task_spec is not self:
            return
        index = child.internal_data.get("key_or_index", 0)
        output = child.internal_data.pop(SUBMITTED, None)
        if self.loop.output_item is not None:
            output = child.data.get(self.loop.output_item)
        results = list(my_task.data.get(self.loop.output_collection) or [])
        results += [None] * (index + 1 - len(results))
        results[index] = deepcopy(output)
        my_task.data[self.loop.output_collection] = results
        # .get: a parent written by the stock spec (before GovFlow's) lacks items and next.
        my_task.internal_data.setdefault("merged", []).append(str(child.id))
        if self._condition_holds(my_task, child):
            for slot in self.slots(my_task):
                if not slot.has_state(TaskState.FINISHED_MASK):
                    slot.cancel()
            my_task._set_state(TaskState.READY)
        elif my_task.internal_data.get("next", 0) < len(my_task.internal_data.get("items", [])):
            if self.loop.sequential:
                self._add_next(my_task)
        elif all(s.state == TaskState.COMPLETED for s in self.slots(my_task)):
            my_task._set_state(TaskState.READY)

    def counters(self, my_task: Any) -> dict[str, int]:
        total = len(my_task.internal_data.get("items", []))
        done = len(my_task.internal_data.get("merged", []))
        active = sum(1 for s in self.slots(my_task)
                     if not s.has_state(TaskState.FINISHED_MASK))
        return {"nrOfInstances": total, "nrOfActiveInstances": active,
                "nrOfCompletedInstances": done}

    def _condition_holds(self, my_task: Any, child: Any) -> bool:
        if not self.loop.condition:
            return False
        # The completing slot's data (disposable: slots do not merge) with the collection
        # as it is now; the counters as the external context.
        child.data[self.loop.output_collection] = my_task.data.get(self.loop.output_collection)
        for name in COUNTERS:
            child.data.pop(name, None)
        return bool(my_task.workflow.script_engine.evaluate(
            child, unwrap(self.loop.condition), external_context=self.counters(my_task)))


def slot_index(task: Any) -> int | None:
    """A slot's index in its multi-instance task; None for any other task."""
    parent = task.parent
    if parent is None or not isinstance(parent.task_spec, MultiInstance):
        return None
    index = task.internal_data.get("key_or_index")
    return index if isinstance(index, int) else None


def in_multi_instance(task: Any) -> bool:
    return slot_index(task) is not None


class MultiInstanceParser:
    """Mixed into a task parser: reads both dialects into a ``MultiInstance``."""

    node: Any
    spec: Any
    task: Any
    bpmn_id: str

    def _add_multiinstance_task(self, loop_characteristics: Any) -> None:
        ns = {"bpmn": BPMN, "camunda": CAMUNDA}

        def text(tag: str) -> str | None:
            found = loop_characteristics.find(f"bpmn:{tag}", ns)
            return (found.text or "").strip() or None if found is not None else None

        def item(tag: str) -> str | None:
            # The variable is the item's name when that is one (Camunda Modeler users write
            # it), else its id (as SpiffWorkflow reads it: ``name="input item"``).
            found = loop_characteristics.find(f"bpmn:{tag}", ns)
            if found is None:
                return None
            name = found.get("name") or ""
            return name if name.isidentifier() else found.get("id")

        collection = loop_characteristics.get(f"{{{CAMUNDA}}}collection") or text(
            "loopDataInputRef")
        cardinality = text("loopCardinality")
        if (collection is None) == (cardinality is None):
            self.raise_validation_exception(
                "a multi-instance task needs exactly one of camunda:collection, "
                "loopDataInputRef or loopCardinality")
        element = loop_characteristics.get(f"{{{CAMUNDA}}}elementVariable") or item(
            "inputDataItem")
        output_item = item("outputDataItem")
        names = {"camunda:elementVariable / inputDataItem": element,
                 "outputDataItem": output_item, "loopDataOutputRef": text("loopDataOutputRef")}
        if collection is not None and not is_expression(collection):
            names["camunda:collection / loopDataInputRef"] = collection
        for what, name in names.items():
            if name is not None and not name.isidentifier():
                self.raise_validation_exception(f"{what} '{name}' is not a variable name")
        loop = LoopDef(
            sequential=loop_characteristics.get("isSequential") == "true",
            collection=collection, cardinality=cardinality, element_variable=element,
            output_collection=text("loopDataOutputRef") or self.bpmn_id + RESULTS_SUFFIX,
            output_item=output_item, condition=text("completionCondition"))
        original = self.spec.task_specs.pop(self.task.name)
        self.task = MultiInstance(self.spec, original.name, "", loop,
                                  description="Multi-instance", lane=original.lane,
                                  bpmn_name=original.bpmn_name,
                                  documentation=original.documentation)
        self._copy_task_attrs(original, loop_characteristics)  # type: ignore[attr-defined]
        original.completed_event.connect(self.task.merge_child)

    def raise_validation_exception(self, message: str) -> None:
        raise ValidationException(message, node=self.node,
                                  file_name=getattr(self, "filename", None))
