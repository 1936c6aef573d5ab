"""Edited copies of a city's bundled set, as a process owner would make them in Camunda
Modeler: an element renamed, a task taken out (its flows joined), a deadline or a DMN
threshold changed. Each edit works on the XML text and keeps the diagram (DI) consistent."""

import re

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
DI = "http://www.omg.org/spec/BPMN/20100524/DI"


def rename(xml: bytes, old: str, new: str) -> bytes:
    """Give element ``old`` the id ``new`` wherever the file names it (ids, refs, DI)."""
    text = xml.decode()
    text = re.sub(rf'(["> ]){re.escape(old)}(["<])', rf"\g<1>{new}\g<2>", text)
    return text.encode()


def remove_task(xml: bytes, task_id: str) -> bytes:
    """Take a task with one incoming and one outgoing flow out: the incoming flow goes on to
    where the outgoing one went; the task, that flow and their shapes go."""
    root = etree.fromstring(xml)
    ns = {"bpmn": BPMN, "bpmndi": DI}
    task = root.xpath(f"//bpmn:*[@id='{task_id}']", namespaces=ns)[0]
    incoming = task.find(f"{{{BPMN}}}incoming").text
    outgoing = task.find(f"{{{BPMN}}}outgoing").text
    flow_in = root.xpath(f"//bpmn:sequenceFlow[@id='{incoming}']", namespaces=ns)[0]
    flow_out = root.xpath(f"//bpmn:sequenceFlow[@id='{outgoing}']", namespaces=ns)[0]
    target = flow_out.get("targetRef")
    flow_in.set("targetRef", target)
    after = root.xpath(f"//bpmn:*[@id='{target}']", namespaces=ns)[0]
    for ref in after.iterfind(f"{{{BPMN}}}incoming"):
        if ref.text == outgoing:
            ref.text = incoming
    for node in [task, flow_out,
                 *root.xpath(f"//bpmn:flowNodeRef[text()='{task_id}']", namespaces=ns),
                 *root.xpath(f"//bpmndi:*[@bpmnElement='{task_id}' or "
                             f"@bpmnElement='{outgoing}']", namespaces=ns)]:
        node.getparent().remove(node)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def set_deadline(xml: bytes, task_id: str, old: str, new: str) -> bytes:
    """Change a task's camunda:dueDate and the timer on its boundary from ``old`` to
    ``new``."""
    text = xml.decode()
    text, n = re.subn(rf'(id="{task_id}"[^>]*camunda:dueDate="){old}"', rf'\g<1>{new}"', text)
    assert n == 1, f"no dueDate {old} on {task_id}"
    pattern = (rf'(attachedToRef="{task_id}"(?:(?!</bpmn:boundaryEvent>).)*?'
               rf'<bpmn:timeDuration[^>]*>){old}<')
    text, n = re.subn(pattern, rf"\g<1>{new}<", text, flags=re.DOTALL)
    assert n == 1, f"no boundary timer {old} on {task_id}"
    return text.encode()


def replace(xml: bytes, old: str, new: str) -> bytes:
    text = xml.decode()
    assert old in text, old
    return text.replace(old, new).encode()
