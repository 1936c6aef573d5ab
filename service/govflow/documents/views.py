"""A document as the API shows it."""

from typing import Any

from ..store.jsontext import utc

API = "/api/v1"


def content_url(instance_id: str, document_id: str) -> str:
    return f"{API}/process-instances/{instance_id}/documents/{document_id}/content"


def document_view(r: Any, uses: list[Any] | None = None) -> dict[str, Any]:
    return {"id": r.id, "process_instance_id": r.instance_id, "task_id": r.task_id,
            "task_key": r.task_key, "filename": r.filename, "media_type": r.media_type,
            "size": r.size, "sha256": r.sha256, "uploaded_by": r.uploaded_by,
            "uploaded_at": utc(r.uploaded_at),
            "content_url": content_url(r.instance_id, r.id),
            "used_by": [{"task_id": u.task_id, "field": u.field, "used_by": u.used_by,
                         "used_at": utc(u.used_at)} for u in uses or []]}
