"""What GovFlow does not run is refused at upload, naming file, line, element and what to
use instead; a reference that points nowhere names the element holding it.

Each diagram is drawn by tools/bpmn_builder.py (with DI, as Camunda Modeler writes it) and
then given the one construct under test."""

from collections.abc import Callable

import pytest
from lxml import etree

from tests.conftest import deploy
from tests.support.api import ADMIN, API, complete, start, token
from tools.bpmn_builder import ProcessBuilder

B = "http://www.omg.org/spec/BPMN/20100524/MODEL"
C = "http://camunda.org/schema/1.0/bpmn"
UNIT = token("ur", "refuse", ("unit",))


def base() -> ProcessBuilder:
    b = ProcessBuilder("p", lanes=[("unit", "单位")], main=True)
    b.start("s")
    b.user_task("review", "审核", candidate_groups=["unit"])
    b.exclusive_gateway("gw", "通过?", default="Flow_gw_done")
    b.script_task("calc", "计算", script="x = 1")
    b.boundary_error("failed", "失败", attached_to="calc")
    b.message_catch("reply", "回复", message="reply")
    b.call_activity("sub", "子流程", called="p")
    b.end("done")
    b.end("broken")
    for source, target in (("s", "review"), ("review", "gw"), ("gw", "done"), ("gw", "calc"),
                           ("calc", "reply"), ("reply", "sub"), ("sub", "done"),
                           ("failed", "broken")):
        b.flow(source, target, **({"condition": "x == 1"} if target == "calc" else {}))
    return b


def _find(root, element_id: str):
    return root.xpath("//*[@id=$i]", i=element_id)[0]


def _rename(element_id: str, tag: str) -> Callable:
    def change(root) -> None:
        _find(root, element_id).tag = f"{{{B}}}{tag}"
    return change


def _extension(element_id: str, xml: str) -> Callable:
    def change(root) -> None:
        node = _find(root, element_id)
        ext = node.find(f"{{{B}}}extensionElements")
        if ext is None:
            ext = etree.Element(f"{{{B}}}extensionElements")
            node.insert(0, ext)
        ext.append(etree.fromstring(f'<x xmlns:camunda="{C}">{xml}</x>')[0])
    return change


def _attribute(element_id: str, name: str, value: str) -> Callable:
    def change(root) -> None:
        _find(root, element_id).set(name, value)
    return change


def _event_definition(element_id: str, tag: str) -> Callable:
    def change(root) -> None:
        node = _find(root, element_id)
        for old in node:
            if old.tag.endswith("EventDefinition"):
                old.tag = f"{{{B}}}{tag}"
                for attr in ("messageRef", "errorRef"):
                    old.attrib.pop(attr, None)
                if tag == "conditionalEventDefinition":
                    etree.SubElement(old, f"{{{B}}}condition").text = "x > 1"
    return change


def _data_store(root) -> None:
    process = root.find(f"{{{B}}}process")
    etree.SubElement(process, f"{{{B}}}dataStoreReference", id="archive", name="档案库")
    plane = root.find(".//{http://www.omg.org/spec/BPMN/20100524/DI}BPMNPlane")
    shape = etree.SubElement(plane, "{http://www.omg.org/spec/BPMN/20100524/DI}BPMNShape",
                             id="archive_di", bpmnElement="archive")
    etree.SubElement(shape, "{http://www.omg.org/spec/DD/20100524/DC}Bounds",
                     x="500", y="400", width="50", height="50")


def diagram(*changes: Callable, builder: ProcessBuilder | None = None) -> bytes:
    root = etree.fromstring((builder or base()).to_xml())
    for change in changes:
        change(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def lines_in(content: bytes, element_id: str) -> set[int]:
    """The lines of the element and of what it holds: the culprit's own line is named
    (a listener, an event definition)."""
    return {n.sourceline for n in _find(etree.fromstring(content), element_id).iter()}


def javascript() -> ProcessBuilder:
    b = base()
    b.nodes["calc"].attrs["scriptFormat"] = "javascript"
    return b


REFUSED = [
    ("complex gateway", diagram(_rename("gw", "complexGateway")), "gw", "inclusive gateway"),
    ("transaction", diagram(_rename("sub", "transaction")), "sub", "ordinary sub-process"),
    ("ad-hoc sub-process", diagram(_rename("sub", "adHocSubProcess")), "sub", "parallel gateway"),
    ("compensation boundary", diagram(_event_definition("failed", "compensateEventDefinition")),
     "failed", "undo the work"),
    ("compensation activity", diagram(_attribute("calc", "isForCompensation", "true")), "calc",
     "undo the work"),
    ("conditional event", diagram(_event_definition("reply", "conditionalEventDefinition")),
     "reply", "exclusive gateway"),
    ("JavaScript", diagram(builder=javascript()), "calc", "Python"),
    ("Groovy", diagram(_attribute("calc", "scriptFormat", "groovy")), "calc", "Python"),
    ("external script", diagram(_attribute("calc", f"{{{C}}}resource", "deployment://a.py")),
     "calc", "inline"),
    ("execution listener", diagram(_extension(
        "review", '<camunda:executionListener class="org.Audit" event="start"/>')), "review",
     "script task"),
    ("task listener", diagram(_extension(
        "review", '<camunda:taskListener event="create" delegateExpression="${mail}"/>')),
     "review", "boundary timer"),
    ("connector", diagram(_extension(
        "calc", "<camunda:connector><camunda:connectorId>http-connector</camunda:connectorId>"
                "</camunda:connector>")), "calc", 'camunda:type="external"'),
    ("external form", diagram(_attribute("review", f"{{{C}}}formKey", "embedded:app:f.html")),
     "review", "camunda:formData"),
    ("data store", diagram(_data_store), "archive", "process variables"),
]


@pytest.mark.parametrize(("what", "content", "element", "instead"), REFUSED,
                         ids=[r[0] for r in REFUSED])
async def test_what_does_not_run_is_refused_naming_where_and_what_instead(
        client, what, content, element, instead):
    response = await deploy(client, "refuse", {"p.bpmn": content})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    errors = [e for e in response.json()["errors"] if e["element"] == element]
    assert errors, response.json()["errors"]
    assert errors[0]["loc"] == "p.bpmn"
    assert errors[0]["line"] in lines_in(content, element)
    assert instead in errors[0]["msg"]
    assert "not supported" in errors[0]["msg"] or "not run" in errors[0]["msg"]
    sets = await client.get(f"{API}/tenants/refuse/diagram-sets", headers=ADMIN)
    assert sets.json()["items"] == []  # nothing stored


def _dangling_flow(root) -> None:
    _find(root, "Flow_sub_done").set("targetRef", "nowhere")


def _missing_process(root) -> None:
    _find(root, "sub").set("calledElement", "acceptance")


def _missing_message(root) -> None:
    for definition in _find(root, "reply"):
        if definition.tag == f"{{{B}}}messageEventDefinition":
            definition.set("messageRef", "Message_gone")


@pytest.mark.parametrize(("change", "element", "words"), [
    (_dangling_flow, "Flow_sub_done", ["from 'sub' to 'nowhere'", "target 'nowhere'"]),
    (_missing_process, "sub", ["'acceptance'", "upload its file"]),
    (_missing_message, "reply", ["'Message_gone'"]),
], ids=["flow", "call activity", "message"])
async def test_a_broken_reference_names_the_element_that_holds_it(client, change, element,
                                                                  words):
    content = diagram(change)
    response = await deploy(client, "refuse", {"p.bpmn": content})
    assert response.status_code == 422, response.text
    [error] = response.json()["errors"]
    assert (error["loc"], error["element"]) == ("p.bpmn", element)
    assert error["line"] in lines_in(content, element)
    assert all(w in error["msg"] for w in words), error["msg"]


async def test_every_refusal_of_a_file_is_listed_at_once(client):
    content = diagram(_rename("gw", "complexGateway"), _attribute("calc", "scriptFormat", "js"),
                      _dangling_flow)
    response = await deploy(client, "refuse", {"p.bpmn": content})
    assert response.status_code == 422
    assert {e["element"] for e in response.json()["errors"]} == {"gw", "calc", "Flow_sub_done"}


async def test_async_continuations_are_accepted_and_change_nothing(client):
    b = ProcessBuilder("p", lanes=[("unit", "单位")], main=True)
    b.start("s")
    b.user_task("review", "审核", candidate_groups=["unit"])
    b.end("done")
    b.flow("s", "review")
    b.flow("review", "done")
    content = diagram(_attribute("review", f"{{{C}}}asyncBefore", "true"),
                      _attribute("review", f"{{{C}}}asyncAfter", "true"), builder=b)
    assert (await deploy(client, "refuse", {"p.bpmn": content})).status_code == 201
    instance = await start(client, "refuse", UNIT)
    done = await complete(client, instance, "review", {}, UNIT)
    assert done["state"] == "completed"
