"""Documents: upload to a task, list a task's or an instance's, download one's contents."""

from collections.abc import AsyncIterator
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from starlette.datastructures import UploadFile

from ..commands import execute
from ..commands.documents import UploadDocument
from ..deps import ContextDep, CurrentUser, SessionDep
from ..errors import Invalid, Unavailable
from ..fields import NO_CONTROL, Offset, UuidPath
from ..schemas import PROBLEMS
from . import service
from .intake import FILENAME_MAX, Received, receive
from .schemas import UPLOAD_BODY, Document, Documents
from .storage import CHUNK, StorageError

router = APIRouter(tags=["documents"], responses=PROBLEMS)
# Its body limit is GOVFLOW_DOCUMENT_MAX_BYTES (main.py), not the general one.
UPLOAD_PATH = "/tasks/{task_id}/documents"
Limit = Annotated[int, Query(ge=1, le=500)]
Filename = Annotated[str | None, Query(
    max_length=FILENAME_MAX, pattern=NO_CONTROL,
    description="the file name, for a body sent as application/octet-stream")]


@router.post(UPLOAD_PATH, response_model=Document, status_code=201,
             openapi_extra={"requestBody": UPLOAD_BODY})
async def upload(task_id: UuidPath, request: Request, ctx: ContextDep, session: SessionDep,
                 user: CurrentUser, filename: Filename = None) -> dict[str, Any]:
    # Rights first: a caller who may not upload must not make us read megabytes.
    await service.may_upload(session, user, task_id)
    await session.rollback()  # the command opens its own (write) transaction
    received = await _receive(request, filename, ctx.settings.document_max_bytes,
                              ctx.settings.document_types)
    try:
        document_id = await execute(ctx, UploadDocument(user, task_id, received))
    finally:
        received.close()
    return await service.view(session, document_id)


async def _receive(request: Request, filename: str | None, max_bytes: int,
                   allowed: list[str]) -> Received:
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        async with request.form(max_files=1, max_fields=1) as form:
            part = form.get("file")
            if not isinstance(part, UploadFile):
                raise Invalid("a multipart upload needs one file in the field 'file'",
                              code="document.filename_invalid", params={"max": FILENAME_MAX})
            return await receive(_chunks(part), part.filename, max_bytes, allowed)
    return await receive(request.stream(), filename, max_bytes, allowed)


async def _chunks(part: UploadFile) -> AsyncIterator[bytes]:
    while chunk := await part.read(CHUNK):
        yield chunk


@router.get(UPLOAD_PATH, response_model=Documents)
async def task_documents(task_id: UuidPath, session: SessionDep, user: CurrentUser,
                         limit: Limit = 100, offset: Offset = 0) -> dict[str, Any]:
    items = await service.of_task(session, user, task_id, offset, limit)
    return {"items": items, "next": offset + limit if len(items) == limit else None}


@router.get("/process-instances/{instance_id}/documents", response_model=Documents)
async def instance_documents(instance_id: UuidPath, session: SessionDep, user: CurrentUser,
                             limit: Limit = 100, offset: Offset = 0) -> dict[str, Any]:
    items = await service.of_instance(session, user, instance_id, offset, limit)
    return {"items": items, "next": offset + limit if len(items) == limit else None}


@router.get("/process-instances/{instance_id}/documents/{document_id}/content",
            response_class=StreamingResponse,
            responses={200: {"content": {"application/octet-stream": {}}}})
async def content(instance_id: UuidPath, document_id: UuidPath, ctx: ContextDep,
                  session: SessionDep, user: CurrentUser) -> StreamingResponse:
    row = await service.one(session, user, instance_id, document_id)
    chunks = ctx.documents.read(row.storage_key)
    try:
        first = await anext(chunks, b"")  # a store that fails answers 503, not a cut body
    except StorageError as exc:
        raise Unavailable(str(exc), code="document.storage_failed",
                          params={"detail": str(exc)}) from exc

    async def body() -> AsyncIterator[bytes]:
        yield first
        async for chunk in chunks:
            yield chunk

    ascii_name = row.filename.encode("ascii", "replace").decode().replace('"', "_")
    return StreamingResponse(body(), media_type=row.media_type, headers={
        "Content-Length": str(row.size),
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; "
                               f"filename*=UTF-8''{quote(row.filename)}",
        "ETag": f'"{row.sha256}"', "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store"})
