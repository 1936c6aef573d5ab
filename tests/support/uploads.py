"""Uploading a task's materials in scenario tests: a form value ``DOC`` stands for "upload
a small PDF to this task and put its id here" (``attach``), so a walk reads like the form."""

from typing import Any

import httpx

from tests.support.api import API

DOC = "<upload a PDF>"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<<>>\n%%EOF\n"


async def upload(client: httpx.AsyncClient, task_id: str, headers: dict,
                 name: str = "材料.pdf", content: bytes = PDF,
                 media_type: str = "application/pdf") -> dict[str, Any]:
    """Upload ``content`` to the task as ``headers``' user; the new document."""
    response = await client.post(f"{API}/tasks/{task_id}/documents", headers=headers,
                                 files={"file": (name, content, media_type)})
    assert response.status_code == 201, response.text
    return dict(response.json())


async def attach(client: httpx.AsyncClient, task_id: str, data: dict[str, Any],
                 headers: dict) -> dict[str, Any]:
    """``data`` with every ``DOC`` replaced by a PDF uploaded to the task (one per field)."""
    return {field: (await upload(client, task_id, headers, f"{field}.pdf"))["id"]
            if value == DOC else value for field, value in data.items()}
