"""Documents through HTTP: upload to a task, list on the task and the instance, download,
name in a `file` field at completion; and every refusal, with nothing half-stored."""

import hashlib
import io
import os
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from govflow.commands import retention
from govflow.commands.unit_of_work import UnitOfWork
from govflow.documents.sweep import sweep

from tests.documents.support import (
    EXE,
    FINANCE,
    HUB,
    OFD,
    OTHER_TENANT,
    PDF,
    PNG,
    UNIT,
    deployed,
    submit_task,
    upload,
)
from tests.support.api import API, history, ready, snapshot, token

PDF_TYPE, OFD_TYPE = "application/pdf", "application/ofd"


@pytest.fixture(autouse=True)
async def sets(client):
    await deployed(client)


def blob_files(blobs) -> list:
    return sorted(p for p in blobs.rglob("*") if p.is_file()) if blobs.exists() else []


async def events(client, instance_id: str, name: str) -> list[dict]:
    return [e for e in await history(client, instance_id) if e["event"] == name]


async def test_upload_list_download_and_complete_with_the_documents(client, blobs, put):
    instance, task = await submit_task(client)
    report = await put(task["id"], "验收报告.ofd", OFD)
    raw = await client.post(f"{API}/tasks/{task['id']}/documents", headers=UNIT,
                            params={"filename": "安全测评报告.pdf"}, content=PDF)
    assert raw.status_code == 201, raw.text
    security = raw.json()
    assert (report["media_type"], report["size"], report["sha256"]) == (
        OFD_TYPE, len(OFD), hashlib.sha256(OFD).hexdigest())
    assert (security["filename"], security["media_type"], security["uploaded_by"]) == (
        "安全测评报告.pdf", PDF_TYPE, "ua")
    assert security["task_key"] == "submit_acceptance"

    # The form offers each file field the instance's documents of a type it accepts.
    view = (await client.get(f"{API}/tasks/{task['id']}", headers=UNIT)).json()
    props = view["form"]["properties"]
    assert props["acceptance_report"]["enum"] == [report["id"], security["id"]]
    assert props["security_report"]["enum"] == [security["id"]]  # PDF only
    assert "enum" not in props["site_photos"]  # nothing of its types uploaded yet
    assert view["ui_schema"]["acceptance_report"]["ui:widget"] == "select"
    assert view["ui_schema"]["acceptance_report"]["ui:enumNames"] == [
        "验收报告.ofd", "安全测评报告.pdf"]
    assert view["form"]["required"] == ["acceptance_report", "security_report"]

    listed = (await client.get(f"{API}/tasks/{task['id']}/documents", headers=FINANCE)).json()
    assert [d["id"] for d in listed["items"]] == [report["id"], security["id"]]
    assert [d["id"] for d in view["documents"]] == [report["id"], security["id"]]

    got = await client.get(report["content_url"], headers=FINANCE)  # sees the instance
    assert got.status_code == 200
    assert got.content == OFD
    assert got.headers["content-type"] == OFD_TYPE
    assert got.headers["etag"] == f'"{report["sha256"]}"'
    assert "filename*=UTF-8''%E9%AA%8C%E6%94%B6" in got.headers["content-disposition"]
    assert len(blob_files(blobs)) == 2

    done = await client.post(f"{API}/tasks/{task['id']}/complete", headers=UNIT, json={
        "variables": {"acceptance_report": report["id"], "security_report": security["id"],
                      "note": "材料齐全"}})
    assert done.status_code == 200, done.text
    assert ready(done.json(), "file_acceptance")

    uploads = await events(client, instance["id"], "document_uploaded")
    assert [(e["task_id"], e["data"]["sha256"]) for e in uploads] == [
        (task["id"], report["sha256"]), (task["id"], security["sha256"])]
    uses = await events(client, instance["id"], "document_used")
    assert sorted((e["task_id"], e["data"]["field"], e["data"]["document_id"]) for e in uses) == [
        (task["id"], "acceptance_report", report["id"]),
        (task["id"], "security_report", security["id"])]
    on_instance = (await client.get(f"{API}/process-instances/{instance['id']}/documents",
                                    headers=UNIT)).json()["items"]
    assert {d["id"]: [(u["task_id"], u["field"]) for u in d["used_by"]]
            for d in on_instance} == {report["id"]: [(task["id"], "acceptance_report")],
                                      security["id"]: [(task["id"], "security_report")]}


async def test_too_large_wrong_type_and_empty_uploads_store_nothing(client, blobs, ctx):
    instance, task = await submit_task(client)
    too_large = await upload(client, task["id"], "大.pdf",
                             PDF + b"0" * ctx.settings.document_max_bytes, UNIT)
    assert too_large.status_code == 413
    assert too_large.json()["code"] == "document.too_large"
    exe = await upload(client, task["id"], "报告.pdf", EXE, UNIT)  # renamed program
    assert exe.status_code == 422
    assert exe.json()["code"] == "document.type_not_allowed"
    assert "application/vnd.microsoft.portable-executable" in exe.json()["detail"]
    text = await upload(client, task["id"], "说明.pdf", b"just text, not a PDF", UNIT)
    assert text.json()["code"] == "document.type_not_allowed"
    empty = await upload(client, task["id"], "空.pdf", b"", UNIT)
    assert (empty.status_code, empty.json()["code"]) == (422, "document.empty")
    no_name = await client.post(f"{API}/tasks/{task['id']}/documents", headers=UNIT,
                                content=PDF)
    assert no_name.json()["code"] == "document.filename_invalid"
    # Beyond the limit and the multipart allowance, the body is refused unread.
    huge = await client.post(f"{API}/tasks/{task['id']}/documents", headers=UNIT,
                             params={"filename": "a.pdf"}, content=b"0" * (200 * 1024))
    assert (huge.status_code, huge.json()["code"]) == (413, "request.too_large")

    listed = await client.get(f"{API}/process-instances/{instance['id']}/documents",
                              headers=UNIT)
    assert listed.json()["items"] == []
    assert blob_files(blobs) == []
    assert await events(client, instance["id"], "document_uploaded") == []


async def test_strangers_cannot_upload_list_or_download(client, blobs, put):
    instance, task = await submit_task(client)
    doc = await put(task["id"], "验收报告.pdf", PDF)
    # Another tenant's user: the task, the instance and the document do not exist.
    refused = await upload(client, task["id"], "x.pdf", PDF, OTHER_TENANT)
    assert (refused.status_code, refused.json()["code"]) == (404, "task.not_found")
    for path in (f"/process-instances/{instance['id']}/documents",
                 f"/tasks/{task['id']}/documents"):
        response = await client.get(API + path, headers=OTHER_TENANT)
        assert response.status_code == 404
    download = await client.get(doc["content_url"], headers=OTHER_TENANT)
    assert (download.status_code, download.json()["code"]) == (404, "instance.not_found")
    assert download.content != PDF
    # A user of the tenant who is no candidate of the task sees it but may not upload.
    not_candidate = await upload(client, task["id"], "x.pdf", PDF, FINANCE)
    assert (not_candidate.status_code, not_candidate.json()["code"]) == (
        403, "task.not_candidate")
    assert len(blob_files(blobs)) == 1


async def test_a_document_of_another_instance_or_of_a_refused_type_is_refused(client, blobs, put):
    _first, first_task = await submit_task(client, "2027-001")
    second, second_task = await submit_task(client, "2027-002")
    elsewhere = await put(first_task["id"], "验收报告.pdf", PDF)
    photo = await put(second_task["id"], "照片.png", PNG)
    security = await put(second_task["id"], "安全测评.pdf", PDF)
    before = await snapshot(client, second["id"])

    response = await client.post(f"{API}/tasks/{second_task['id']}/complete", headers=UNIT,
                                 json={"variables": {"acceptance_report": elsewhere["id"],
                                                     "security_report": photo["id"]}})
    assert response.status_code == 422
    assert response.json()["code"] == "form.invalid"
    assert {(e["field"], e["code"]) for e in response.json()["errors"]} == {
        ("acceptance_report", "document_unknown"), ("security_report", "document_type")}
    assert await snapshot(client, second["id"]) == before
    # Not under another instance's path either.
    crossed = await client.get(f"{API}/process-instances/{second['id']}/documents/"
                               f"{elsewhere['id']}/content", headers=UNIT)
    assert (crossed.status_code, crossed.json()["code"]) == (404, "document.not_found")

    ok = await client.post(f"{API}/tasks/{second_task['id']}/complete", headers=UNIT, json={
        "variables": {"acceptance_report": security["id"], "security_report": security["id"],
                      "site_photos": photo["id"]}})
    assert ok.status_code == 200, ok.text


async def test_completion_without_a_required_file_is_refused(client, blobs, put):
    instance, task = await submit_task(client)
    report = await put(task["id"], "验收报告.pdf", PDF)
    before = await snapshot(client, instance["id"])
    missing = await client.post(f"{API}/tasks/{task['id']}/complete", headers=UNIT,
                                json={"variables": {"acceptance_report": report["id"]}})
    assert missing.status_code == 422
    assert [(e["field"], e["code"]) for e in missing.json()["errors"]] == [
        ("security_report", "required")]
    not_an_id = await client.post(
        f"{API}/tasks/{task['id']}/complete", headers={**UNIT, "Accept-Language": "zh-CN"},
        json={"variables": {"acceptance_report": report["id"], "security_report": "报告.pdf"}})
    assert [(e["field"], e["code"]) for e in not_an_id.json()["errors"]] == [
        ("security_report", "format")]
    assert "请先上传文件" in not_an_id.json()["errors"][0]["message"]
    assert await snapshot(client, instance["id"]) == before


async def test_an_upload_whose_transaction_fails_leaves_no_row_and_no_blob(
        client, blobs, monkeypatch):
    instance, task = await submit_task(client)

    async def broken_record(self, *args, **kwargs):
        raise RuntimeError("the database went away after the blob was written")

    monkeypatch.setattr(UnitOfWork, "record", broken_record)
    response = await upload(client, task["id"], "验收报告.pdf", PDF, UNIT)
    assert response.status_code == 500
    monkeypatch.undo()
    assert blob_files(blobs) == []
    listed = await client.get(f"{API}/process-instances/{instance['id']}/documents",
                              headers=UNIT)
    assert listed.json()["items"] == []


async def test_a_later_task_uploads_its_own_documents_and_lists_what_it_used(client, blobs, put):
    _instance, task = await submit_task(client)
    report = await put(task["id"], "验收报告.pdf", PDF)
    done = await client.post(f"{API}/tasks/{task['id']}/complete", headers=UNIT, json={
        "variables": {"acceptance_report": report["id"], "security_report": report["id"]}})
    filing = ready(done.json(), "file_acceptance")
    # The unit's task is done: no more uploads to it.
    late = await upload(client, task["id"], "补充.pdf", PDF, UNIT)
    assert (late.status_code, late.json()["code"]) == (409, "task.not_ready")
    receipt = await put(filing["id"], "备案回执.png", PNG, HUB)
    view = (await client.get(f"{API}/tasks/{filing['id']}", headers=HUB)).json()
    assert view["form"]["properties"]["filing_receipt"]["enum"] == [report["id"], receipt["id"]]
    done = await client.post(f"{API}/tasks/{filing['id']}/complete", headers=HUB, json={
        "variables": {"filed": True, "filing_receipt": receipt["id"]}})
    assert done.json()["state"] == "completed"
    on_first = (await client.get(f"{API}/tasks/{task['id']}/documents", headers=HUB)).json()
    assert [d["id"] for d in on_first["items"]] == [report["id"]]
    on_filing = (await client.get(f"{API}/tasks/{filing['id']}/documents", headers=HUB)).json()
    assert [d["id"] for d in on_filing["items"]] == [receipt["id"]]


async def test_history_cleanup_deletes_an_ended_instances_documents_and_blobs(
        client, blobs, put, ctx):
    _instance, task = await submit_task(client)
    report = await put(task["id"], "验收报告.pdf", PDF)
    done = await client.post(f"{API}/tasks/{task['id']}/complete", headers=UNIT, json={
        "variables": {"acceptance_report": report["id"], "security_report": report["id"]}})
    filing = ready(done.json(), "file_acceptance")
    await client.post(f"{API}/tasks/{filing['id']}/complete", headers=HUB,
                      json={"variables": {"filed": True}})
    _running, running_task = await submit_task(client, "2027-002")
    kept = await put(running_task["id"], "在办.pdf", PDF)
    assert len(blob_files(blobs)) == 2
    ctx.clock.advance(days=40)
    assert await retention.cleanup(ctx, timedelta(days=30)) == 1
    assert [p.name for p in blob_files(blobs)] == [kept["id"]]
    gone = await client.get(report["content_url"], headers=UNIT)
    assert gone.status_code == 404


async def test_who_decided_for_the_unit_may_not_upload_for_the_data_centre(client, blobs, put):
    both = token("ub", "demo", ("unit", "hub"))
    _instance, task = await submit_task(client)
    report = await put(task["id"], "验收报告.pdf", PDF, both)
    done = await client.post(f"{API}/tasks/{task['id']}/complete", headers=both, json={
        "variables": {"acceptance_report": report["id"], "security_report": report["id"]}})
    filing = ready(done.json(), "file_acceptance")
    refused = await upload(client, filing["id"], "备案回执.pdf", PDF, both)
    assert (refused.status_code, refused.json()["code"]) == (403, "task.separation_of_duties")
    assert [p.name for p in blob_files(blobs)] == [report["id"]]


async def test_the_sweep_deletes_only_old_blobs_no_document_names(client, blobs, put, ctx):
    instance, task = await submit_task(client)
    kept = await put(task["id"], "验收报告.pdf", PDF)
    # What a crash between writing the blob and committing its row leaves behind.
    orphan = f"{instance['id']}/{uuid.uuid4()}"
    await ctx.documents.put(orphan, io.BytesIO(PDF), len(PDF), PDF_TYPE)
    young = f"{instance['id']}/{uuid.uuid4()}"
    await ctx.documents.put(young, io.BytesIO(PDF), len(PDF), PDF_TYPE)
    an_hour_ago = time.time() - 3600
    for key in (kept["id"], orphan.split("/")[1]):
        os.utime(blobs / instance["id"] / key, (an_hour_ago, an_hour_ago))
    swept = await sweep(ctx.sessions, ctx.documents, datetime.now(UTC) - timedelta(minutes=30))
    assert swept == [orphan]  # the young one may be an upload about to commit
    assert sorted(p.name for p in blob_files(blobs)) == sorted([kept["id"],
                                                                young.split("/")[1]])
    got = await client.get(kept["content_url"], headers=UNIT)
    assert got.content == PDF
