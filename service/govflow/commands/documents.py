"""Documents as commands: an upload (a row, a blob, a ``document_uploaded`` event, all or
nothing) and the uses a task's completion records (``document_used``)."""

import uuid
from dataclasses import dataclass
from functools import partial
from typing import Any

from ..auth.principal import Principal
from ..documents import fields
from ..documents import repository as repo
from ..documents.intake import Received
from ..documents.service import may_upload
from ..documents.storage import StorageError
from ..errors import Conflict, Unavailable
from ..instances import repository as instance_repo
from .gates import check_duties
from .unit_of_work import UnitOfWork


@dataclass(frozen=True)
class UploadDocument:
    """Store a received document on a ready task the caller may complete; its id. The blob
    is written after the row and deleted again if the transaction does not commit."""

    principal: Principal
    task_id: str
    received: Received

    async def run(self, uow: UnitOfWork) -> str:
        task = await may_upload(uow.session, self.principal, self.task_id)
        await check_duties(uow, task, self.principal.user, "worked on")
        instance = await instance_repo.get(uow.session, task.instance_id)
        if instance is None or instance.state != "running":
            state = instance.state if instance is not None else "deleted"
            raise Conflict(f"process instance {task.instance_id} is {state}",
                           code="instance.not_running",
                           params={"instance_id": task.instance_id, "state": state})
        doc, got = str(uuid.uuid4()), self.received
        key = f"{task.instance_id}/{doc}"
        await repo.insert(uow.session, {
            "id": doc, "instance_id": task.instance_id, "tenant_id": task.tenant_id,
            "task_id": task.id, "task_key": task.key, "filename": got.filename,
            "media_type": got.media_type, "size": got.size, "sha256": got.sha256,
            "storage_key": key, "uploaded_by": self.principal.user,
            "uploaded_at": uow.ctx.clock.now()})
        store = uow.ctx.documents
        uow.on_rollback(partial(store.delete, key))  # also a PUT that failed half-way
        try:
            await store.put(key, got.file, got.size, got.media_type)
        except StorageError as exc:
            raise Unavailable(str(exc), code="document.storage_failed",
                              params={"detail": str(exc)}) from exc
        await uow.record(task, self.principal.user, "document_uploaded", task_id=task.id,
                         element_id=task.key, element_name=task.name, data={
                             "document_id": doc, "filename": got.filename,
                             "media_type": got.media_type, "size": got.size,
                             "sha256": got.sha256})
        return doc


async def use_documents(uow: UnitOfWork, task: Any, form: dict[str, Any],
                        variables: dict[str, Any], user: str) -> None:
    """Check the documents a completion names in its ``file`` fields (422 ``form.invalid``
    for one that is not the instance's, or of a type the field refuses) and record each
    use: a ``document_uses`` row and a ``document_used`` event."""
    used = await fields.check_submitted(uow.session, task.instance_id, form, variables)
    now = uow.ctx.clock.now()
    await repo.insert_uses(uow.session, [
        {"document_id": doc.id, "task_id": task.id, "field": field,
         "instance_id": task.instance_id, "used_by": user, "used_at": now}
        for field, doc in used])
    for field, doc in used:
        await uow.record(task, user, "document_used", task_id=task.id, element_id=task.key,
                         element_name=task.name, data={
                             "document_id": doc.id, "field": field, "filename": doc.filename,
                             "sha256": doc.sha256})
