"""Turning an upload (several files, or one zip) into a {name: content} mapping."""

import io
import posixpath
import zipfile
from dataclasses import dataclass

from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile
from starlette.requests import Request

from ..errors import FieldError, Invalid

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_SET_BYTES = 20 * 1024 * 1024
MAX_FILES = 200


@dataclass(frozen=True)
class UploadForm:
    files: list[tuple[str, bytes]]
    main_process: str | None
    activate: bool | None


class _FormFields(BaseModel):
    main_process: str | None = None
    activate: bool | None = None


async def read_upload(request: Request) -> UploadForm:
    """The multipart body of an upload. Read it only once the caller's right to upload is
    checked: FastAPI would read a declared form before any dependency runs."""
    files: list[tuple[str, bytes]] = []
    fields: dict[str, str] = {}
    async with request.form(max_files=MAX_FILES, max_fields=10) as form:
        for key, value in form.multi_items():
            if key == "files" and isinstance(value, UploadFile):
                files.append((value.filename or "unnamed", await value.read()))
            elif key == "files" or isinstance(value, UploadFile):
                raise Invalid(f"form field '{key}' is not valid here", [FieldError(
                    f"body.{key}", "files are sent as 'files' parts; other fields as text")])
            else:
                fields[key] = value
    try:
        parsed = _FormFields.model_validate(fields)
    except ValidationError as exc:
        raise Invalid("the upload form is not valid", [
            FieldError("body." + ".".join(str(p) for p in e["loc"]), e["msg"])
            for e in exc.errors(include_url=False)]) from exc
    return UploadForm(files, parsed.main_process, parsed.activate)


def collect_files(uploads: list[tuple[str, bytes]]) -> dict[str, bytes]:
    """Flatten uploads into diagram files; a .zip contributes its .bpmn/.dmn members."""
    files: dict[str, bytes] = {}
    for name, content in uploads:
        if name.lower().endswith(".zip"):
            for member, data in _unzip(name, content):
                _add(files, member, data)
        else:
            _add(files, posixpath.basename(name.replace("\\", "/")), content)
    if not files:
        raise Invalid("no diagram files uploaded",
                      [FieldError("files", "upload .bpmn and .dmn files, or one .zip of them")])
    if len(files) > MAX_FILES:
        raise Invalid(f"a set holds at most {MAX_FILES} files", [FieldError("files", "too many")])
    return files


def _add(files: dict[str, bytes], name: str, content: bytes) -> None:
    if name in files:
        raise Invalid(f"file '{name}' uploaded twice", [FieldError(name, "duplicate file name")])
    if len(content) > MAX_FILE_BYTES:
        raise Invalid(f"file '{name}' is larger than {MAX_FILE_BYTES} bytes",
                      [FieldError(name, "file too large")])
    files[name] = content


def _unzip(name: str, content: bytes) -> list[tuple[str, bytes]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile as exc:
        raise Invalid(f"'{name}' is not a zip archive", [FieldError(name, "bad zip")]) from exc
    members = [i for i in archive.infolist()
               if not i.is_dir() and i.filename.lower().endswith((".bpmn", ".dmn"))]
    if sum(i.file_size for i in members) > MAX_SET_BYTES:
        raise Invalid(f"'{name}' unpacks to more than {MAX_SET_BYTES} bytes",
                      [FieldError(name, "archive too large")])
    return [(posixpath.basename(i.filename), archive.read(i)) for i in members]
