"""What the document tests share: the test diagram, sample files of each kind, helpers."""

import io
import zipfile
from pathlib import Path

import httpx

from tests.conftest import deploy
from tests.support.api import API, ready, start, token

DIAGRAM = (Path(__file__).parent / "fixtures" / "acceptance_documents.bpmn").read_bytes()
# The string field `note`, and the same with an `accept` property only file fields may have.
NOTE = 'id="note" label="说明" type="string" />'
NOTE_WITH_ACCEPT = ('id="note" label="说明" type="string"><camunda:properties>'
                    '<camunda:property id="accept" value=".pdf" /></camunda:properties>'
                    '</camunda:formField>')
UNIT = token("ua", "demo", ("unit",))
HUB = token("ha", "demo", ("hub",))
FINANCE = token("fa", "demo", ("finance",))  # sees the instance, works on none of its tasks
OTHER_TENANT = token("xa", "other", ("unit", "hub"))


def _zip(entries: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in entries.items():
            archive.writestr(name, text)
    return buffer.getvalue()


PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog>>endobj\ntrailer<<>>\n%%EOF\n"
OFD = _zip({"OFD.xml": "<ofd:OFD xmlns:ofd='http://www.ofdspec.org/2016'/>",
            "Doc_0/Document.xml": "<ofd:Document/>"})
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


async def deployed(client: httpx.AsyncClient) -> None:
    for tenant in ("demo", "other"):
        response = await deploy(client, tenant, {"acceptance_documents.bpmn": DIAGRAM})
        assert response.status_code == 201, response.text


async def submit_task(client: httpx.AsyncClient, key: str = "2027-001") -> tuple[dict, dict]:
    instance = await start(client, "demo", UNIT, business_key=key)
    return instance, ready(instance, "submit_acceptance")


async def upload(client: httpx.AsyncClient, task_id: str, name: str, content: bytes,
                 headers: dict) -> httpx.Response:
    """A multipart upload, as a browser's FormData sends it."""
    return await client.post(f"{API}/tasks/{task_id}/documents", headers=headers,
                             files={"file": (name, content, "application/octet-stream")})


async def uploaded(client: httpx.AsyncClient, task_id: str, name: str, content: bytes,
                   headers: dict = UNIT) -> dict:
    response = await upload(client, task_id, name, content, headers)
    assert response.status_code == 201, response.text
    return response.json()
