"""Receiving an upload: the bytes are spooled to a temporary file (memory up to 1 MiB)
while they are counted and hashed, cut off past the size limit, and typed from their own
bytes (documents/detect.py) against the allow-list. All before any transaction opens."""

import hashlib
import unicodedata
from collections.abc import AsyncIterator
from dataclasses import dataclass
from tempfile import SpooledTemporaryFile
from typing import IO

from ..errors import Invalid, PayloadTooLarge
from .detect import detect

FILENAME_MAX = 255


@dataclass
class Received:
    """A whole upload, checked: its bytes (``file``, at position 0) and what they are."""

    file: IO[bytes]
    filename: str
    size: int
    sha256: str
    media_type: str

    def close(self) -> None:
        self.file.close()


def clean_filename(raw: str | None) -> str:
    """The file's own name: the last path segment, NFC, no control characters."""
    name = unicodedata.normalize("NFC", (raw or "").replace("\\", "/").split("/")[-1]).strip()
    if not name or name in (".", "..") or len(name) > FILENAME_MAX or any(
            unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in name):
        raise Invalid(f"the file name {(raw or '')[:80]!r} is not usable: 1 to "
                      f"{FILENAME_MAX} characters, no control characters",
                      code="document.filename_invalid", params={"max": FILENAME_MAX})
    return name


async def receive(chunks: AsyncIterator[bytes], filename: str | None, max_bytes: int,
                  allowed: list[str]) -> Received:
    """Spool, count, hash and type an upload; refuses one that is empty, larger than
    ``max_bytes`` (413) or of a type not in ``allowed`` (422)."""
    name = clean_filename(filename)
    spool: IO[bytes] = SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115 - returned
    digest, size = hashlib.sha256(), 0
    try:
        async for chunk in chunks:
            size += len(chunk)
            if size > max_bytes:
                raise PayloadTooLarge(f"the document is larger than {max_bytes} bytes",
                                      code="document.too_large",
                                      params={"limit": max_bytes, "filename": name})
            digest.update(chunk)
            spool.write(chunk)
        if size == 0:
            raise Invalid(f"the document {name!r} is empty", code="document.empty",
                          params={"filename": name})
        media_type = detect(spool, name)
        if media_type not in allowed:
            raise Invalid(f"{name!r} is {media_type}, which is not accepted "
                          f"(accepted: {', '.join(allowed)})", code="document.type_not_allowed",
                          params={"filename": name, "media_type": media_type,
                                  "allowed": "、".join(allowed)})
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return Received(spool, name, size, digest.hexdigest(), media_type)
