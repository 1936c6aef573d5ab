from datetime import datetime
from typing import Any

from pydantic import BaseModel


class DocumentUse(BaseModel):
    task_id: str
    field: str
    used_by: str
    used_at: datetime


class Document(BaseModel):
    id: str
    process_instance_id: str
    task_id: str | None
    task_key: str | None
    filename: str
    media_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime
    content_url: str
    used_by: list[DocumentUse]


class Documents(BaseModel):
    items: list[Document]
    next: int | None


UPLOAD_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "multipart/form-data": {"schema": {
            "type": "object", "required": ["file"],
            "properties": {"file": {"type": "string", "format": "binary",
                                    "description": "the document; its file name is kept"}}}},
        "application/octet-stream": {"schema": {
            "type": "string", "format": "binary",
            "description": "the document's bytes; its name in the `filename` parameter"}},
    },
}
