"""Where document contents live, behind one small interface (``BlobStore``).

The embedded default keeps them in a directory beside the SQLite database; production
points GovFlow at S3-compatible object storage (documents/s3.py). A blob is written whole
or not at all (a temporary file renamed into place; one S3 PUT), under a key the document
row names. A blob without a row is never listed nor served: an upload whose transaction
fails deletes its blob (commands/documents.py), and a crash in between leaves at most an
unreferenced blob that nothing shows.
"""

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import IO, Protocol

CHUNK = 256 * 1024


class BlobStore(Protocol):
    """Put, read and delete whole blobs by key (``<instance id>/<document id>``)."""

    name: str

    async def put(self, key: str, source: IO[bytes], size: int, media_type: str) -> None: ...

    def read(self, key: str) -> AsyncIterator[bytes]: ...

    async def delete(self, key: str) -> None: ...

    async def exists(self, key: str) -> bool: ...

    def keys(self, written_before: datetime) -> AsyncIterator[str]:
        """Every blob's key last written before ``written_before`` (the orphan sweep)."""
        ...


class StorageError(RuntimeError):
    """The blob store failed (unreachable, refused, full); the upload stored nothing."""


class LocalBlobStore:
    """Blobs as files under ``root``, one directory per instance."""

    name = "local"

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        parts = key.split("/")
        if not parts or any(p in ("", ".", "..") or os.sep in p for p in parts):
            raise StorageError(f"invalid blob key {key!r}")
        return self.root.joinpath(*parts)

    async def put(self, key: str, source: IO[bytes], size: int, media_type: str) -> None:
        await asyncio.to_thread(self._put, self._path(key), source)

    @staticmethod
    def _put(path: Path, source: IO[bytes]) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
            try:
                with os.fdopen(fd, "wb") as out:
                    source.seek(0)
                    while chunk := source.read(CHUNK):
                        out.write(chunk)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(temp, path)  # whole or not at all
            except BaseException:
                Path(temp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise StorageError(f"could not write {path.name}: {exc.strerror}") from exc

    async def read(self, key: str) -> AsyncIterator[bytes]:
        path = self._path(key)
        try:
            handle = await asyncio.to_thread(path.open, "rb")
        except OSError as exc:
            raise StorageError(f"could not read blob {key}: {exc.strerror}") from exc
        try:
            while chunk := await asyncio.to_thread(handle.read, CHUNK):
                yield chunk
        finally:
            handle.close()

    async def delete(self, key: str) -> None:
        try:
            await asyncio.to_thread(self._path(key).unlink, True)
        except OSError as exc:
            raise StorageError(f"could not delete blob {key}: {exc.strerror}") from exc

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self._path(key).is_file)

    async def keys(self, written_before: datetime) -> AsyncIterator[str]:
        cutoff = written_before.timestamp()
        found = await asyncio.to_thread(lambda: [
            p.relative_to(self.root).as_posix() for p in self.root.rglob("*")
            if p.is_file() and p.stat().st_mtime < cutoff] if self.root.is_dir() else [])
        for key in found:
            yield key
