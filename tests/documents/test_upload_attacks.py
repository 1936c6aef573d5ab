"""Uploads that lie (issue 11 under attack): a file name that climbs directories or carries
a header, a declared Content-Type the bytes contradict, another tenant's document named in
a completion, an upload to a task another user claimed. Each must be refused or defused."""

import pytest

from tests.documents.support import HUB, OTHER_TENANT, PDF, PNG, UNIT, deployed, submit_task
from tests.support.api import API, start, token


@pytest.fixture(autouse=True)
async def sets(client):
    await deployed(client)


async def _raw(client, task_id: str, filename: str, content: bytes, headers: dict = UNIT,
               content_type: str = "application/octet-stream"):
    return await client.post(f"{API}/tasks/{task_id}/documents", headers=headers,
                             files={"file": (filename, content, content_type)})


async def test_a_file_name_cannot_climb_directories_or_inject_a_header(client, blobs):
    instance, task = await submit_task(client)
    for name in ("../../etc/passwd.pdf", "..\\..\\windows\\passwd.pdf"):
        stored = await _raw(client, task["id"], name, PDF)
        assert stored.status_code == 201, stored.text
        assert stored.json()["filename"] == "passwd.pdf"
    # Every blob lies under this instance's folder of the store, named by document id.
    assert {p.parent.name for p in blobs.rglob("*") if p.is_file()} == {instance["id"]}
    for name in ("报告\r\nX-Injected: 1.pdf", "a\x00.pdf", "..", "/"):
        refused = await client.post(f"{API}/tasks/{task['id']}/documents", headers=UNIT,
                                    params={"filename": name}, content=PDF)
        assert refused.status_code == 422, name  # refused by the query's check or ours
        assert refused.json()["code"] in ("request.invalid", "document.filename_invalid")
    # In a multipart part: a right-to-left override (gpj.pdf shown as fdp.jpg) is refused;
    # CR LF arrive percent-encoded by the client and stay harmless text.
    refused = await _raw(client, task["id"], "a\u202egpj.pdf", PDF)
    assert (refused.status_code, refused.json()["code"]) == (422, "document.filename_invalid")
    crlf = await _raw(client, task["id"], "报告\r\nX-Injected: 1.pdf", PDF)
    assert not any(c in crlf.json()["filename"] for c in "\r\n")
    quoted = (await client.post(f"{API}/tasks/{task['id']}/documents", headers=UNIT,
                                params={"filename": 'a";b=".pdf'}, content=PDF)).json()
    got = await client.get(quoted["content_url"], headers=UNIT)
    assert got.headers["content-disposition"].startswith('attachment; filename="a_;b=_.pdf"')


async def test_a_declared_content_type_does_not_make_a_png_a_pdf(client, blobs):
    _instance, task = await submit_task(client)
    lying = await _raw(client, task["id"], "安全测评报告.pdf", PNG,
                       content_type="application/pdf")
    assert lying.status_code == 201, lying.text
    assert lying.json()["media_type"] == "image/png"
    refused = await client.post(f"{API}/tasks/{task['id']}/complete", headers=UNIT, json={
        "variables": {"acceptance_report": lying.json()["id"],
                      "security_report": lying.json()["id"]}})
    assert refused.status_code == 422
    assert {(e["field"], e["code"]) for e in refused.json()["errors"]} == {
        ("acceptance_report", "document_type"), ("security_report", "document_type")}


async def test_another_tenants_document_is_unknown_to_a_completion(client, blobs):
    theirs = await start(client, "other", OTHER_TENANT)
    (their_task,) = theirs["ready_tasks"]
    foreign = await _raw(client, their_task["id"], "验收报告.pdf", PDF, OTHER_TENANT)
    assert foreign.status_code == 201, foreign.text
    _instance, task = await submit_task(client)
    refused = await client.post(f"{API}/tasks/{task['id']}/complete", headers=UNIT, json={
        "variables": {"acceptance_report": foreign.json()["id"],
                      "security_report": foreign.json()["id"]}})
    assert refused.status_code == 422
    assert {e["code"] for e in refused.json()["errors"]} == {"document_unknown"}
    # Nor can it be read through this tenant's instance.
    crossed = await client.get(f"{API}/process-instances/{_instance['id']}/documents/"
                               f"{foreign.json()['id']}/content", headers=UNIT)
    assert crossed.status_code == 404
    assert crossed.content != PDF


async def test_a_candidate_cannot_upload_to_a_task_a_colleague_claimed(client, blobs):
    _instance, task = await submit_task(client)
    colleague = token("ub", "demo", ("unit",))
    assert (await client.post(f"{API}/tasks/{task['id']}/claim",
                              headers=colleague)).status_code == 200
    refused = await _raw(client, task["id"], "验收报告.pdf", PDF, UNIT)
    assert (refused.status_code, refused.json()["code"]) == (403, "task.claimed_by_other")
    hub = await _raw(client, task["id"], "验收报告.pdf", PDF, HUB)
    assert (hub.status_code, hub.json()["code"]) == (403, "task.not_candidate")
