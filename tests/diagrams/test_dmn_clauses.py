"""Every rule of a bundled decision table cites its clause: the rule's annotation (the
modeler's "Annotations" column, DMN `<description>`) starts with the city and a clause, as the
BPMN clauses do. bpmnlint does not read DMN, so this test is the DMN half of the lint
(docs/modeler.md)."""

from pathlib import Path

import pytest
from lxml import etree

ROOT = Path(__file__).resolve().parents[2]
CITY = {"gaoqing": "高青", "heyuan": "河源", "shizuishan": "石嘴山", "zhaoyuan": "招远"}
FILES = sorted((ROOT / "dmn").glob("*/*.dmn"))


def uncited_rules(xml: bytes, city: str) -> list[str]:
    root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    missing = []
    for rule in root.iter("{*}rule"):
        found = rule.find("{*}description")
        annotation = (found.text or "").strip() if found is not None else ""
        words = annotation.split(maxsplit=1)
        if len(words) < 2 or words[0] != CITY[city]:
            missing.append(rule.get("id"))
    return missing


def test_every_city_has_decision_tables():
    assert {path.parent.name for path in FILES} == set(CITY)


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_rule_cites_its_clause(path):
    assert path.read_bytes().count(b"<rule ") > 0
    assert uncited_rules(path.read_bytes(), path.parent.name) == []


def test_a_rule_without_its_clause_is_caught():
    xml = (ROOT / "dmn" / "heyuan" / "route.dmn").read_bytes()
    stripped = xml.replace(b"<description>\xe6\xb2\xb3\xe6\xba\x90 ", b"<description>", 1)
    assert uncited_rules(stripped, "heyuan") == ["Rule_route_1"]
