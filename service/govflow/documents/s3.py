"""Document contents in S3-compatible object storage (AWS S3, MinIO, SeaweedFS, Ceph RGW,
and the object stores of Chinese government clouds), through boto3.

boto3 is synchronous; each call runs in a worker thread, which suits a handful of uploads
and downloads per second and keeps the best-kept S3 client (aiobotocore pins botocore to
narrow ranges and lags its releases). Path-style addressing and checksums only when the
operation requires them: what S3-compatible servers implement alike.
"""

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
from typing import IO, Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from ..settings import Settings
from .storage import CHUNK, StorageError


class S3BlobStore:
    """Blobs as objects ``<prefix><key>`` of one bucket."""

    name = "s3"

    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    @classmethod
    def from_settings(cls, settings: Settings) -> "S3BlobStore":
        if not settings.s3_bucket:
            raise ValueError("GOVFLOW_DOCUMENTS_BACKEND=s3 needs GOVFLOW_S3_BUCKET")
        client = boto3.client(
            "s3", endpoint_url=settings.s3_endpoint_url or None,
            region_name=settings.s3_region,
            aws_access_key_id=settings.s3_access_key_id or None,
            aws_secret_access_key=settings.s3_secret_access_key or None,
            config=Config(s3={"addressing_style": "path"}, signature_version="s3v4",
                          retries={"max_attempts": 3, "mode": "standard"},
                          connect_timeout=5, read_timeout=60,
                          request_checksum_calculation="when_required",
                          response_checksum_validation="when_required"))
        return cls(client, settings.s3_bucket, settings.s3_prefix)

    async def _call(self, method: str, **kwargs: Any) -> Any:
        try:
            return await asyncio.to_thread(getattr(self.client, method), Bucket=self.bucket,
                                           **kwargs)
        except (BotoCoreError, ClientError) as exc:
            raise StorageError(f"object storage {method} failed: {exc}") from exc

    async def put(self, key: str, source: IO[bytes], size: int, media_type: str) -> None:
        source.seek(0)
        await self._call("put_object", Key=self.prefix + key, Body=source,
                         ContentLength=size, ContentType=media_type)

    async def read(self, key: str) -> AsyncIterator[bytes]:
        response = await self._call("get_object", Key=self.prefix + key)
        body = response["Body"]
        try:
            while chunk := await asyncio.to_thread(body.read, CHUNK):
                yield chunk
        finally:
            body.close()

    async def delete(self, key: str) -> None:
        await self._call("delete_object", Key=self.prefix + key)

    async def keys(self, written_before: datetime) -> AsyncIterator[str]:
        token: str | None = None
        while True:
            extra = {"ContinuationToken": token} if token else {}
            page = await self._call("list_objects_v2", Prefix=self.prefix, **extra)
            for item in page.get("Contents", []):
                if item["LastModified"] < written_before:
                    yield item["Key"][len(self.prefix):]
            token = page.get("NextContinuationToken")
            if not page.get("IsTruncated") or not token:
                return

    async def exists(self, key: str) -> bool:
        try:
            await asyncio.to_thread(self.client.head_object, Bucket=self.bucket,
                                    Key=self.prefix + key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise StorageError(f"object storage head_object failed: {exc}") from exc
        except BotoCoreError as exc:
            raise StorageError(f"object storage head_object failed: {exc}") from exc
        return True
