"""Turning an upload (several files, or one zip) into a {name: content} mapping."""

import io
import posixpath
import zipfile

from ..errors import FieldError, Invalid

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_SET_BYTES = 20 * 1024 * 1024
MAX_FILES = 200


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
