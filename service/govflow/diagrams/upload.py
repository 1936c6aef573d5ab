"""Turning an upload (several files, or one zip) into a {name: content} mapping."""

import io
import posixpath
import zipfile
import zlib
from dataclasses import dataclass

from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile
from starlette.requests import Request

from ..errors import FieldError, Invalid

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_SET_BYTES = 20 * 1024 * 1024
MAX_FILES = 200
MAX_MEMBERS = 1_000  # entries of a zip, whatever they are
MAX_NAME = 255  # characters of a file name, or a zip member's path
_CHUNK = 64 * 1024


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
                    f"body.{key}", "files are sent as 'files' parts; other fields as text")],
                    code="upload.field_invalid", params={"field": key})
            else:
                fields[key] = value
    try:
        parsed = _FormFields.model_validate(fields)
    except ValidationError as exc:
        raise Invalid("the upload form is not valid", [
            FieldError("body." + ".".join(str(p) for p in e["loc"]), e["msg"])
            for e in exc.errors(include_url=False)], code="upload.form_invalid") from exc
    return UploadForm(files, parsed.main_process, parsed.activate)


def collect_files(uploads: list[tuple[str, bytes]]) -> dict[str, bytes]:
    """Flatten uploads into diagram files; a .zip contributes its .bpmn/.dmn members."""
    files: dict[str, bytes] = {}
    for name, content in uploads:
        _check_name(_printable(name), name)
        if name.lower().endswith(".zip"):
            for member, data in _unzip(name, content):
                _add(files, member, data)
        else:
            _add(files, posixpath.basename(name.replace("\\", "/")), content)
    if not files:
        raise Invalid("no diagram files uploaded",
                      [FieldError("files", "upload .bpmn and .dmn files, or one .zip of them")],
                      code="upload.no_files")
    if len(files) > MAX_FILES:
        raise Invalid(f"a set holds at most {MAX_FILES} files", [FieldError("files", "too many")],
                      code="upload.too_many_files", params={"limit": MAX_FILES})
    return files


def _add(files: dict[str, bytes], name: str, content: bytes) -> None:
    if name in files:
        raise Invalid(f"file '{name}' uploaded twice", [FieldError(name, "duplicate file name")],
                      code="upload.duplicate_file", params={"name": name})
    if len(content) > MAX_FILE_BYTES:
        raise Invalid(f"file '{name}' is larger than {MAX_FILE_BYTES} bytes",
                      [FieldError(name, "file too large")], code="upload.file_too_large",
                      params={"name": name, "limit": MAX_FILE_BYTES})
    files[name] = content


def _unzip(name: str, content: bytes) -> list[tuple[str, bytes]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as exc:
        raise Invalid(f"'{name}' is not a zip archive", [FieldError(name, "bad zip")],
                      code="upload.bad_zip", params={"name": name}) from exc
    if len(entries) > MAX_MEMBERS:
        raise Invalid(f"'{name}' holds more than {MAX_MEMBERS} entries",
                      [FieldError(name, "too many entries")], code="upload.zip_too_many_entries",
                      params={"name": name, "limit": MAX_MEMBERS})
    members = [i for i in entries
               if not i.is_dir() and i.filename.lower().endswith((".bpmn", ".dmn"))]
    # The headers' sizes are the uploader's word: a first, cheap refusal, never the limit.
    if sum(i.file_size for i in members) > MAX_SET_BYTES:
        raise Invalid(f"'{name}' unpacks to more than {MAX_SET_BYTES} bytes",
                      [FieldError(name, "archive too large")], code="upload.zip_too_large",
                      params={"name": name, "limit": MAX_SET_BYTES})
    unpacked, total = [], 0
    for info in members:
        where = f"{name}/{_printable(info.filename)}"
        _check_name(where, info.filename)
        data = _read_member(archive, info, where, min(MAX_FILE_BYTES, MAX_SET_BYTES - total))
        total += len(data)
        unpacked.append((posixpath.basename(info.filename), data))
    return unpacked


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str, limit: int
                 ) -> bytes:
    """The member's bytes, decompressed a chunk at a time and never more than ``limit``."""
    chunks, size = [], 0
    try:
        with archive.open(info) as member:
            while chunk := member.read(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise Invalid(f"'{where}' unpacks to more than {limit} bytes",
                                  [FieldError(where, "file too large")],
                                  code="upload.zip_too_large",
                                  params={"name": where, "limit": limit})
                chunks.append(chunk)
    except Invalid:
        raise
    # A header that lies about sizes ends in a CRC or EOF error; an encrypted or exotically
    # compressed member in RuntimeError or NotImplementedError.
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, RuntimeError,
            NotImplementedError, zlib.error) as exc:
        raise Invalid(f"'{where}' cannot be unpacked: {exc}",
                      [FieldError(where, "corrupt zip member")], code="upload.zip_unreadable",
                      params={"name": where, "reason": str(exc)}) from exc
    if size != info.file_size:
        raise Invalid(f"'{where}' holds {size} bytes but its header says {info.file_size}",
                      [FieldError(where, "corrupt zip member")],
                      code="upload.zip_size_mismatch", params={"name": where})
    return b"".join(chunks)


def _check_name(where: str, name: str) -> None:
    if len(name) > MAX_NAME or any(ord(c) < 0x20 or ord(c) == 0x7F for c in name):
        raise Invalid(f"'{where}' is not a usable file name", [FieldError(
            where, f"at most {MAX_NAME} characters, without control characters")],
            code="upload.file_name_invalid", params={"name": where})


def _printable(name: str) -> str:
    shown = "".join(c if c.isprintable() else "?" for c in name)
    return shown if len(shown) <= 80 else shown[:77] + "..."
