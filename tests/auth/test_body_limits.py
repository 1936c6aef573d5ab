"""Rights before bodies, and bounded bodies: real large bodies sent over ASGI.

The bodies are async iterables that count the chunks the service pulls, so a test sees
what was read, not only what was answered.
"""

import json
from collections.abc import AsyncIterator

import pytest

from tests.conftest import deploy
from tests.support.api import ADMIN, API, token
from tests.support.sample import sample_set

MB = 1024 * 1024
BOUNDARY = "govflow-test-boundary"
MULTIPART = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
UNIT = token("ua", "demo", ("unit",))
FAR_ADMIN = token("fa", "far", (), admin=True)


class CountingBody:
    """A streamed (chunked, no Content-Length) body; ``pulled`` counts chunks read."""

    def __init__(self, head: bytes, chunks: int, chunk_size: int, tail: bytes = b"") -> None:
        self.parts = [head, *([b"x" * chunk_size] * chunks), tail]
        self.pulled = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for part in self.parts:
            self.pulled += 1
            yield part


def upload_body(chunks: int, chunk_size: int = MB) -> CountingBody:
    head = (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; '
            'filename="big.bpmn"\r\nContent-Type: application/xml\r\n\r\n').encode()
    return CountingBody(head, chunks, chunk_size, f"\r\n--{BOUNDARY}--\r\n".encode())


@pytest.fixture(autouse=True)
async def deployed(client):
    await deploy(client, "demo", sample_set())
    await deploy(client, "far", sample_set())


async def set_count(client, tenant: str) -> int:
    response = await client.get(f"{API}/tenants/{tenant}/diagram-sets", headers=ADMIN)
    return len(response.json()["items"])


@pytest.mark.parametrize(("headers", "status"), [(UNIT, 403), (FAR_ADMIN, 404)])
async def test_upload_without_the_right_is_refused_before_its_body_is_read(
        client, headers, status):
    before = await set_count(client, "demo")
    body = upload_body(chunks=30)
    response = await client.post(f"{API}/tenants/demo/diagram-sets", content=body,
                                 headers={**headers, **MULTIPART})
    assert response.status_code == status, response.text
    assert body.pulled <= 1  # not the 30 MB behind the first chunk
    assert await set_count(client, "demo") == before


async def test_json_body_over_the_limit_is_413_from_its_content_length(client):
    before = (await client.get(f"{API}/process-instances?tenant=demo", headers=ADMIN)).json()
    padded = json.dumps({"business_key": "PAD", "variables": {"pad": "x" * (2 * MB)}})
    response = await client.post(f"{API}/tenants/demo/process-instances", content=padded,
                                 headers={**UNIT, "Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == f"the request body is larger than {MB} bytes"
    after = (await client.get(f"{API}/process-instances?tenant=demo", headers=ADMIN)).json()
    assert after == before


async def test_streamed_json_body_is_cut_at_the_limit(client):
    body = CountingBody(b'{"variables": {"pad": "', chunks=48, chunk_size=64 * 1024,
                        tail=b'"}}')
    response = await client.post(f"{API}/tenants/demo/process-instances", content=body,
                                 headers={**UNIT, "Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["status"] == 413
    assert body.pulled <= 1 + MB // (64 * 1024) + 1  # head, a megabyte, the chunk past it


async def test_uploads_have_their_own_larger_limit(client):
    before = await set_count(client, "demo")
    files = sample_set()
    # 2 MB: over the general limit, well under the upload limit.
    files["project.bpmn"] = files["project.bpmn"].replace(
        b"?>", b"?><!-- " + b"x" * (2 * MB) + b" -->", 1)
    allowed = await client.post(f"{API}/tenants/demo/diagram-sets", headers=ADMIN,
                                files=[("files", (n, c, "application/xml"))
                                       for n, c in files.items()])
    assert allowed.status_code == 201, allowed.text
    sized = await client.post(f"{API}/tenants/demo/diagram-sets", headers=ADMIN,
                              files=[("files", ("big.bpmn", b"x" * (21 * MB), "text/xml"))])
    assert sized.status_code == 413
    assert sized.json()["detail"] == f"the request body is larger than {20 * MB} bytes"
    streamed = upload_body(chunks=25)
    response = await client.post(f"{API}/tenants/demo/diagram-sets", content=streamed,
                                 headers={**ADMIN, **MULTIPART})
    assert response.status_code == 413
    assert streamed.pulled <= 22
    assert await set_count(client, "demo") == before + 1
