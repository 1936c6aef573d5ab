"""The S3 document store against a real S3 server (SeaweedFS, started by the test): blobs
written whole, read back byte for byte, deleted; and the API end to end on it, including
an upload whose transaction fails, which leaves no object behind."""

import io
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from govflow.commands.unit_of_work import UnitOfWork
from govflow.documents.backends import make_store
from govflow.documents.s3 import S3BlobStore
from govflow.documents.storage import StorageError
from govflow.documents.sweep import sweep
from govflow.settings import Settings

from tests.documents import seaweed
from tests.documents.support import OTHER_TENANT, PDF, UNIT, deployed, submit_task, upload
from tests.support.api import API


def store_for(server: seaweed.SeaweedS3, prefix: str) -> S3BlobStore:
    store = make_store(Settings(documents_backend="s3", s3_endpoint_url=server.endpoint,
                                s3_bucket=seaweed.BUCKET, s3_prefix=prefix,
                                s3_access_key_id=seaweed.ACCESS_KEY,
                                s3_secret_access_key=seaweed.SECRET_KEY))
    assert isinstance(store, S3BlobStore)
    return store


def objects(server: seaweed.SeaweedS3, prefix: str) -> list[str]:
    listed = server.client().list_objects_v2(Bucket=seaweed.BUCKET, Prefix=prefix)
    return sorted(o["Key"] for o in listed.get("Contents", []))


@pytest.fixture
def prefix() -> str:
    return f"t-{uuid.uuid4().hex[:12]}/"  # each test its own corner of the bucket


async def collect(store: S3BlobStore, key: str) -> bytes:
    return b"".join([chunk async for chunk in store.read(key)])


async def test_put_read_delete_on_a_real_s3_server(s3_server, prefix):
    store = store_for(s3_server, prefix)
    content = bytes(range(256)) * 4000  # about 1 MB, several read chunks
    await store.put("inst/doc", io.BytesIO(content), len(content), "application/pdf")
    assert objects(s3_server, prefix) == [prefix + "inst/doc"]
    assert await store.exists("inst/doc")
    assert await collect(store, "inst/doc") == content
    head = s3_server.client().head_object(Bucket=seaweed.BUCKET, Key=prefix + "inst/doc")
    assert (head["ContentLength"], head["ContentType"]) == (len(content), "application/pdf")
    await store.delete("inst/doc")
    assert not await store.exists("inst/doc")
    assert objects(s3_server, prefix) == []
    with pytest.raises(StorageError):
        await collect(store, "inst/doc")


async def test_wrong_credentials_are_a_storage_error(s3_server, prefix):
    store = store_for(s3_server, prefix)
    store.client = S3BlobStore.from_settings(Settings(
        documents_backend="s3", s3_endpoint_url=s3_server.endpoint, s3_bucket=seaweed.BUCKET,
        s3_access_key_id="nobody", s3_secret_access_key="wrong-secret")).client
    with pytest.raises(StorageError):
        await store.put("inst/doc", io.BytesIO(PDF), len(PDF), "application/pdf")


async def test_documents_through_the_api_on_s3(client, ctx, s3_server, prefix, monkeypatch):
    ctx.documents = store_for(s3_server, prefix)
    await deployed(client)
    instance, task = await submit_task(client)
    response = await upload(client, task["id"], "验收报告.pdf", PDF, UNIT)
    assert response.status_code == 201, response.text
    doc = response.json()
    assert objects(s3_server, prefix) == [f"{prefix}{instance['id']}/{doc['id']}"]
    got = await client.get(doc["content_url"], headers=UNIT)
    assert (got.status_code, got.content) == (200, PDF)
    stranger = await client.get(doc["content_url"], headers=OTHER_TENANT)
    assert stranger.status_code == 404

    async def broken_record(self, *args, **kwargs):
        raise RuntimeError("the database went away after the object was written")

    monkeypatch.setattr(UnitOfWork, "record", broken_record)
    failed = await upload(client, task["id"], "第二份.pdf", PDF, UNIT)
    monkeypatch.undo()
    assert failed.status_code == 500
    assert objects(s3_server, prefix) == [f"{prefix}{instance['id']}/{doc['id']}"]
    listed = await client.get(f"{API}/process-instances/{instance['id']}/documents",
                              headers=UNIT)
    assert [d["id"] for d in listed.json()["items"]] == [doc["id"]]


async def test_an_unreachable_store_refuses_the_upload_with_503(client, ctx, prefix):
    ctx.documents = S3BlobStore.from_settings(Settings(
        documents_backend="s3", s3_endpoint_url="http://127.0.0.1:9", s3_bucket="none",
        s3_access_key_id="a", s3_secret_access_key="b"))
    await deployed(client)
    instance, task = await submit_task(client)
    response = await upload(client, task["id"], "验收报告.pdf", PDF, UNIT)
    assert (response.status_code, response.json()["code"]) == (503, "document.storage_failed")
    listed = await client.get(f"{API}/process-instances/{instance['id']}/documents",
                              headers=UNIT)
    assert listed.json()["items"] == []


async def test_the_sweep_on_s3_deletes_the_objects_no_document_names(client, ctx, s3_server,
                                                                    prefix):
    ctx.documents = store_for(s3_server, prefix)
    await deployed(client)
    instance, task = await submit_task(client)
    doc = (await upload(client, task["id"], "验收报告.pdf", PDF, UNIT)).json()
    orphan = f"{instance['id']}/{uuid.uuid4()}"
    await ctx.documents.put(orphan, io.BytesIO(PDF), len(PDF), "application/pdf")
    later = datetime.now(UTC) + timedelta(minutes=1)  # everything counts as old here
    assert await sweep(ctx.sessions, ctx.documents, later) == [orphan]
    assert objects(s3_server, prefix) == [f"{prefix}{instance['id']}/{doc['id']}"]
