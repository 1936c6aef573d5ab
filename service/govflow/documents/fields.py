"""``file`` form fields (engine/forms.py): what a form offers and what a completion may name.

A file field's value is the id of a document uploaded to the same instance, of a type the
field accepts. The task view lists those documents as the field's options (``enum`` with
the file names as ``ui:enumNames``), so react-jsonschema-form draws a plain select; a
completion naming anything else is refused field by field (``form.invalid``)."""

import copy
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ..errors import FieldError, Invalid
from ..problem_codes import FIELD_CODES
from . import repository as repo

MARK = "x-govflow-document"  # the schema keyword engine/forms.py puts on a file field


def file_fields(form: dict[str, Any]) -> dict[str, list[str]]:
    """The form's file fields and the media types each accepts ([]: any allowed type)."""
    return {name: list(spec[MARK].get("accept", []))
            for name, spec in form.get("properties", {}).items()
            if isinstance(spec, dict) and MARK in spec}


def accepts(accept: list[str], media_type: str) -> bool:
    return not accept or media_type in accept


async def offer(session: AsyncSession, instance_id: str, form: dict[str, Any],
                ui_schema: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The form and UI schema with each file field's options: the instance's documents of
    a type it accepts (none: no ``enum``; unchanged when the form has no file field)."""
    fields = file_fields(form)
    if not fields:
        return form, ui_schema
    docs = await repo.of_instance(session, instance_id)
    form, ui_schema = copy.deepcopy(form), copy.deepcopy(ui_schema)
    for name, accept in fields.items():
        usable = [d for d in docs if accepts(accept, d.media_type)]
        if usable:  # JSON Schema forbids an empty enum: nothing uploaded, no options
            form["properties"][name]["enum"] = [d.id for d in usable]
            ui_schema.setdefault(name, {})["ui:enumNames"] = [d.filename for d in usable]
    return form, ui_schema


async def check_submitted(session: AsyncSession, instance_id: str, form: dict[str, Any],
                          variables: dict[str, Any]) -> list[tuple[str, sa.Row[Any]]]:
    """The (field, document) pairs a completion names; refuses (422 ``form.invalid``) a
    document that does not exist, belongs to another instance or is of a type the field
    does not accept. Presence and format were checked by the form's schema."""
    named = {f: variables[f] for f in file_fields(form) if isinstance(variables.get(f), str)}
    found = await repo.by_ids(session, list(set(named.values())))
    accept = file_fields(form)
    errors, used = [], []
    for field, document_id in named.items():
        doc = found.get(document_id)
        if doc is None or doc.instance_id != instance_id:
            errors.append(FieldError(
                f"variables.{field}", f"{document_id!r} is not a document of this instance",
                {"field": field}, code="document_unknown",
                message_zh=FIELD_CODES["document_unknown"]))
        elif not accepts(accept[field], doc.media_type):
            expected = "、".join(accept[field])
            errors.append(FieldError(
                f"variables.{field}", f"{doc.filename!r} is {doc.media_type}, not one of "
                f"{', '.join(accept[field])}", {"field": field}, code="document_type",
                message_zh=FIELD_CODES["document_type"].format(expected=expected)))
        else:
            used.append((field, doc))
    if errors:
        raise Invalid("the variables do not match the form: " + "; ".join(
            f"{e.extra['field']}: {e.msg}" for e in errors), errors, code="form.invalid",
            params={"count": len(errors)})
    return used
