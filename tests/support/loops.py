"""Camunda Modeler markup tools/bpmn_builder.py does not write: a task's multi-instance
marker, its ``camunda:inputOutput`` and ``camunda:candidateUsers``, added to a built diagram
exactly where the modeler puts them (the marker last in the task, the mapping in its
extensionElements)."""

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
XSI = "http://www.w3.org/2001/XMLSchema-instance"


def _task(root: etree._Element, task_id: str) -> etree._Element:
    found = root.xpath("//*[@id=$i]", i=task_id)
    assert found, task_id
    return found[0]


def _expression(parent: etree._Element, tag: str, text: str) -> None:
    el = etree.SubElement(parent, f"{{{BPMN}}}{tag}", {f"{{{XSI}}}type": "bpmn:tFormalExpression"})
    el.text = text


def multi_instance(xml: bytes, task_id: str, *, collection: str | None = None,
                   element: str | None = None, cardinality: str | None = None,
                   condition: str | None = None, sequential: bool = False,
                   data_input: str | None = None, input_item: str | None = None,
                   data_output: str | None = None, output_item: str | None = None) -> bytes:
    """Camunda style (collection, element) or standard BPMN (data_input, input_item,
    data_output, output_item), as the modeler's XML writes them."""
    root = etree.fromstring(xml)
    task = _task(root, task_id)
    attrs = {"isSequential": "true"} if sequential else {}
    if collection:
        attrs[f"{{{CAMUNDA}}}collection"] = collection
    if element:
        attrs[f"{{{CAMUNDA}}}elementVariable"] = element
    loop = etree.SubElement(task, f"{{{BPMN}}}multiInstanceLoopCharacteristics", attrs)
    if cardinality:
        _expression(loop, "loopCardinality", cardinality)
    if data_input:
        etree.SubElement(loop, f"{{{BPMN}}}loopDataInputRef").text = data_input
    if data_output:
        etree.SubElement(loop, f"{{{BPMN}}}loopDataOutputRef").text = data_output
    if input_item:
        etree.SubElement(loop, f"{{{BPMN}}}inputDataItem", {"id": f"Item_{input_item}",
                                                            "name": input_item})
    if output_item:
        etree.SubElement(loop, f"{{{BPMN}}}outputDataItem", {"id": f"Item_{output_item}",
                                                             "name": output_item})
    if condition:
        _expression(loop, "completionCondition", condition)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def io_mapping(xml: bytes, task_id: str, inputs: dict[str, str] | None = None,
               outputs: dict[str, str] | None = None) -> bytes:
    """``camunda:inputOutput`` with text parameters (a literal or ``${...}``)."""
    root = etree.fromstring(xml)
    task = _task(root, task_id)
    ext = task.find(f"{{{BPMN}}}extensionElements")
    if ext is None:
        ext = etree.Element(f"{{{BPMN}}}extensionElements")
        doc = task.find(f"{{{BPMN}}}documentation")
        task.insert(0 if doc is None else 1, ext)
    io = etree.SubElement(ext, f"{{{CAMUNDA}}}inputOutput")
    for kind, params in (("input", inputs or {}), ("output", outputs or {})):
        for name, value in params.items():
            etree.SubElement(io, f"{{{CAMUNDA}}}{kind}Parameter", {"name": name}).text = value
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def set_attributes(xml: bytes, task_id: str, **attrs: str) -> bytes:
    """Camunda attributes on a task, e.g. ``candidateUsers="${reviewer}, wang"``."""
    root = etree.fromstring(xml)
    task = _task(root, task_id)
    for name, value in attrs.items():
        task.set(f"{{{CAMUNDA}}}{name}", value)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
