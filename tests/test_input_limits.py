"""Hostile input is a 422 naming the field, and nothing of it is stored (docs/input-limits.md).

Each case was a 500 on PostgreSQL (a NUL, a string past its VARCHAR, an integer past the
INTEGER column) or a committed instance that could no longer be read (260 nested levels).
"""

import io
import json
import struct
import zipfile

import httpx
import pytest
from govflow.instances import service as instance_service
from govflow.main import create_app

from tests.conftest import deploy
from tests.support.api import ADMIN, API, token
from tests.support.sample import sample_set
from tools.bpmn_builder import ProcessBuilder

UNIT = token("ua", "limits", ("unit",))
LIMITS = f"{API}/tenants/limits"


@pytest.fixture(autouse=True)
async def deployed(client):
    assert (await deploy(client, "limits", sample_set())).status_code == 201


def nested(levels: int) -> dict:
    value: dict = {"leaf": 1}
    for _ in range(levels - 1):
        value = {"a": value}
    return value


async def instance_count(client) -> int:
    response = await client.get(f"{API}/process-instances",
                                params={"tenant": "limits", "limit": 500}, headers=ADMIN)
    assert response.status_code == 200, response.text
    return len(response.json()["items"])


def assert_refused(response: httpx.Response, loc: str, says: str = "") -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert [e["loc"] for e in errors] == [loc], errors
    assert says in errors[0]["msg"], errors


@pytest.mark.parametrize(("body", "loc", "says"), [
    ({"variables": {"project": nested(40)}}, "body.variables", "nested deeper than 32"),
    ({"variables": {"x": [0] * 1001}}, "body.variables", "more than 1000 entries"),
    ({"variables": {"x": "字" * 100_001}}, "body.variables", "at most 100000 characters"),
    ({"variables": {"n" * 201: 1}}, "body.variables", "identifier of at most 200"),
    ({"variables": {"plan-year": 2026}}, "body.variables", "identifier"),
    ({"variables": {"x": {"k\x00": 1}}}, "body.variables", "control characters"),
    ({"variables": {"x": 2**64}}, "body.variables", "64 bits"),
    ({"business_key": "A\x00B"}, "body.business_key", "printable"),
    ({"business_key": "K" * 201}, "body.business_key", "at most 200"),
    ({"process_id": "p\x00"}, "body.process_id", "control characters"),
])
async def test_a_refused_start_names_the_field_and_stores_nothing(client, body, loc, says):
    before = await instance_count(client)
    response = await client.post(f"{LIMITS}/process-instances", json=body, headers=UNIT)
    assert_refused(response, loc, says)
    assert await instance_count(client) == before


async def test_not_a_number_in_variables_is_refused(client):
    before = await instance_count(client)
    response = await client.post(f"{LIMITS}/process-instances", headers={
        **UNIT, "Content-Type": "application/json"}, content='{"variables": {"x": NaN}}')
    assert_refused(response, "body.variables", "not a JSON number")
    assert await instance_count(client) == before


async def test_the_bounds_themselves_are_accepted_and_read_back(client):
    key = "键" * 200
    response = await client.post(f"{LIMITS}/process-instances", headers=UNIT, json={
        "business_key": key, "variables": {"project": nested(32)}})
    assert response.status_code == 201, response.text
    again = await client.get(f"{API}/process-instances/{response.json()['id']}", headers=ADMIN)
    assert again.status_code == 200
    assert again.json()["business_key"] == key
    history = await client.get(f"{API}/process-instances/{response.json()['id']}/history",
                               headers=ADMIN)
    assert history.status_code == 200
    one_more = await client.post(f"{LIMITS}/process-instances", headers=UNIT, json={
        "business_key": key + "键", "variables": {"project": nested(33)}})
    assert one_more.status_code == 422


async def test_bodies_carrying_variables_are_bounded_alike(client):
    deep = {"x": nested(40)}
    cases = [
        (f"{API}/tasks/00000000-0000-0000-0000-000000000000/complete", {"variables": deep},
         "body.variables"),
        (f"{API}/process-instances/00000000-0000-0000-0000-000000000000/messages",
         {"name": "m", "payload": deep}, "body.payload"),
        (f"{LIMITS}/messages", {"name": "m", "correlation": deep}, "body.correlation"),
        (f"{LIMITS}/decisions/review_mode/evaluate", {"inputs": deep}, "body.inputs"),
        (f"{LIMITS}/messages", {"name": "m\x00"}, "body.name"),
    ]
    for url, body, loc in cases:
        assert_refused(await client.post(url, json=body, headers=ADMIN), loc)


async def test_tenant_names_are_bounded_and_unchanged_when_refused(client):
    for name, says in (("N" * 201, "at most 200"), ("a\x00b", "control characters")):
        response = await client.put(f"{LIMITS}", json={"name": name}, headers=ADMIN)
        assert_refused(response, "body.name", says)
    assert (await client.get(LIMITS, headers=ADMIN)).json()["name"] == "limits"


@pytest.mark.parametrize(("url", "params", "loc"), [
    ("/process-instances", {"business_key": "a\x00"}, "query.business_key"),
    ("/process-instances", {"process_id": "p" * 201}, "query.process_id"),
    ("/process-instances", {"offset": 2**64}, "query.offset"),
    ("/process-instances", {"offset": 2**31}, "query.offset"),
    ("/process-instances", {"diagram_set_id": 2**64}, "query.diagram_set_id"),
    ("/process-instances/00000000-0000-0000-0000-000000000000/history", {"offset": 2**63},
     "query.offset"),
    ("/tasks", {"candidate_group": "g\x00"}, "query.candidate_group.0"),
    ("/tasks", {"key": "k" * 201}, "query.key"),
    ("/tasks", {"offset": 2**64}, "query.offset"),
    ("/tasks", {"due_before": "9999-12-31T23:59:59-12:00"}, "query.due_before"),
    ("/diagram-sets/9223372036854775808/processes/project", {}, "path.set_id"),
    ("/process-instances/" + "x" * 37, {}, "path.instance_id"),
    ("/tasks/t%00", {}, "path.task_id"),
    ("/tenants/t%00", {}, "path.tenant"),
    ("/calendar/due", {"spec": "10WD", "plan_year": 10**20}, "query.plan_year"),
])
async def test_filters_ids_and_offsets_out_of_range_are_422(client, url, params, loc):
    assert_refused(await client.get(f"{API}{url}", params=params, headers=ADMIN), loc)


@pytest.mark.parametrize(("spec", "start"), [
    ("10WD", "9999-12-30T00:00:00+08:00"),
    ("P1M", "9999-12-30T00:00:00+08:00"),
    ("P2W", "9999-12-30T00:00:00+08:00"),
    ("--01-01", "9999-12-30T00:00:00+08:00"),
    ("P1D", "9999-12-31T23:00:00-12:00"),
    ("1WD", "0001-01-01T00:00:00+14:00"),
])
async def test_a_deadline_past_the_last_date_is_422_naming_the_start(client, spec, start):
    response = await client.get(f"{API}/calendar/due", params={"spec": spec, "start": start},
                                headers=ADMIN)
    assert_refused(response, "query.start", "9999-12-31")


async def test_a_task_due_past_the_last_date_refuses_the_start_and_stores_nothing(client):
    b = ProcessBuilder("late", lanes=[("unit", "单位")])
    b.start("s")
    b.user_task("declare", "申报", candidate_groups=["unit"], due="5WD@base_day")
    b.end("e")
    b.flow("s", "declare")
    b.flow("declare", "e")
    assert (await deploy(client, "late", {"late.bpmn": b.to_xml()})).status_code == 201
    late = token("ua", "late", ("unit",))
    response = await client.post(f"{API}/tenants/late/process-instances", headers=late,
                                 json={"variables": {"base_day": "9999-12-30"}})
    assert response.status_code == 422, response.text
    assert "9999-12-31" in response.json()["detail"]
    listed = await client.get(f"{API}/process-instances", params={"tenant": "late"},
                              headers=ADMIN)
    assert listed.json()["items"] == []


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def lie_about_size(archive: bytes, member: str, size: int) -> bytes:
    """Rewrite the uncompressed size the local and central headers give for ``member``."""
    data, name = bytearray(archive), member.encode()
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature)
        while at != -1:
            name_at = at + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at:name_at + len(name)] == name:
                struct.pack_into("<I", data, at + offset, size)
            at = data.find(signature, at + 4)
    return bytes(data)


def corrupt(archive: bytes) -> bytes:
    """Flip bytes inside the first member's compressed data."""
    data = bytearray(archive)
    start = 30 + struct.unpack_from("<H", data, 26)[0] + struct.unpack_from("<H", data, 28)[0]
    for i in range(start + 2, start + 12):
        data[i] ^= 0xFF
    return bytes(data)


async def upload(client, files: list[tuple[str, bytes]]) -> httpx.Response:
    return await client.post(f"{API}/tenants/limits/diagram-sets", headers=ADMIN,
                             files=[("files", (n, c, "application/zip")) for n, c in files])


@pytest.mark.parametrize("told", [10, 10_000_000, 0])
async def test_a_zip_whose_header_lies_about_a_size_is_422_naming_the_member(client, told):
    before = (await client.get(f"{API}/tenants/limits/diagram-sets", headers=ADMIN)).json()
    honest = zipped({"sets/project.bpmn": sample_set()["project.bpmn"],
                     "acceptance.bpmn": sample_set()["acceptance.bpmn"]})
    response = await upload(client, [("set.zip", lie_about_size(honest, "sets/project.bpmn",
                                                                told))])
    assert response.status_code == 422, response.text
    assert [e["loc"] for e in response.json()["errors"]] == ["set.zip/sets/project.bpmn"]
    after = (await client.get(f"{API}/tenants/limits/diagram-sets", headers=ADMIN)).json()
    assert after == before


async def test_a_zip_bomb_is_refused_by_what_it_unpacks_to(client):
    bomb = lie_about_size(zipped({"p.bpmn": b"<" * (6 * 1024 * 1024)}), "p.bpmn", 100)
    response = await upload(client, [("bomb.zip", bomb)])
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["loc"] == "bomb.zip/p.bpmn"


@pytest.mark.parametrize(("name", "content", "loc"), [
    ("flipped.zip", corrupt(zipped({"p.bpmn": b"<x/>" * 1000})), "flipped.zip/p.bpmn"),
    ("many.zip", zipped({f"f{i}.txt": b"" for i in range(1001)}), "many.zip"),
    ("names.zip", zipped({"a\x01.bpmn": b"<x/>"}), "names.zip/a?.bpmn"),
])
async def test_a_corrupt_or_overfull_zip_is_422(client, name, content, loc):
    response = await upload(client, [(name, content)])
    assert response.status_code == 422, response.text
    assert [e["loc"] for e in response.json()["errors"]] == [loc]


async def test_an_unexpected_error_is_answered_not_raised(ctx, monkeypatch):
    """The app itself answers with problem+json: an exception escaping it makes uvicorn
    close the client's keep-alive connection."""

    async def broken(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(instance_service, "search", broken)
    transport = httpx.ASGITransport(app=create_app(ctx), raise_app_exceptions=True)
    async with httpx.AsyncClient(transport=transport, base_url="http://govflow.test") as c:
        response = await c.get(f"{API}/process-instances", headers=ADMIN)
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert json.loads(response.text)["detail"] == ("an unexpected error occurred; nothing was "
                                                   "changed")


@pytest.mark.parametrize(("build", "element", "says"), [
    (lambda b: b.user_task("t", "任务", candidate_groups=["g" * 101]), "t", "candidate group"),
    (lambda b: b.user_task("t" * 201, "任务", candidate_groups=["unit"]), "t" * 57 + "...",
     "element id"),
    (lambda b: b.user_task("t", "名" * 301, candidate_groups=["unit"]), "t", "name"),
])
async def test_a_diagram_whose_ids_overflow_the_columns_is_refused_at_upload(client, build,
                                                                           element, says):
    b = ProcessBuilder("wide", lanes=[("unit", "单位")])
    b.start("s")
    task = build(b)
    b.end("e")
    b.flow("s", task)
    b.flow(task, "e")
    response = await client.post(f"{API}/tenants/limits/diagram-sets", headers=ADMIN, files=[
        ("files", ("wide.bpmn", b.to_xml(), "application/xml"))])
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert [(e["loc"], e["element"]) for e in errors] == [("wide.bpmn", element)]
    assert says in errors[0]["msg"]


async def test_an_upload_to_a_tenant_id_that_cannot_exist_is_422(client):
    files = [("files", (n, c, "application/xml")) for n, c in sample_set().items()]
    response = await client.post(f"{API}/tenants/a%00b/diagram-sets", files=files,
                                 headers=ADMIN)
    assert_refused(response, "path.tenant", "control characters")
