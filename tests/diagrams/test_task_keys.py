"""Task keys stay the contract's: a user or manual task of a bundled diagram has a key
(its BPMN id) that docs/contract.md lists as shared, or one the city's page in docs/cities/
documents. A key renamed by hand in the modeler, which front ends would no longer find, fails
here until the documentation says so (docs/modeler.md)."""

import re
from pathlib import Path

import pytest
from lxml import etree

ROOT = Path(__file__).resolve().parents[2]
CITIES = sorted(p.name for p in (ROOT / "bpmn").iterdir() if p.is_dir())
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def contract_keys() -> set[str]:
    text = (ROOT / "docs" / "contract.md").read_text(encoding="utf-8")
    listed = text[text.index("Task keys (where the city has the step):"):
                  text.index("The digest maps them")]
    return set(re.findall(r"`([a-z_]+)`", listed))


def documented(city: str) -> set[str]:
    text = (ROOT / "docs" / "cities" / f"{city}.md").read_text(encoding="utf-8")
    return set(re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)`", text))


def task_keys(xml: bytes) -> list[str]:
    root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    return [el.get("id") for tag in ("userTask", "manualTask") for el in root.iter(BPMN + tag)]


def unknown_keys(city: str, files: dict[str, bytes]) -> list[str]:
    known = contract_keys() | documented(city)
    return sorted(f"{name}: {key}" for name, xml in files.items() for key in task_keys(xml)
                  if key not in known)


def bundled_files(city: str) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((ROOT / "bpmn" / city).glob("*.bpmn"))}


def test_the_contract_lists_the_shared_keys():
    assert {"declare", "approval", "initial_review", "final_acceptance"} <= contract_keys()


@pytest.mark.parametrize("city", CITIES)
def test_every_task_key_is_the_contracts_or_documented(city):
    files = bundled_files(city)
    assert sum(len(task_keys(xml)) for xml in files.values()) > 5
    assert unknown_keys(city, files) == []


def test_a_key_renamed_in_the_modeler_is_caught():
    files = bundled_files("heyuan")
    renamed = files["declaration.bpmn"].replace(b'id="crypto_review"', b'id="cryptoReview"')
    assert unknown_keys("heyuan", {"declaration.bpmn": renamed}) == [
        "declaration.bpmn: cryptoReview"]
