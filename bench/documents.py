"""Uploading and downloading documents through the REST API (in process, SQLite), on the
local directory store and on S3 (SeaweedFS's `weed mini`, started here as the tests start
it): the median time of an upload and a download per size, and what a completion waits
while a large upload is being stored (the upload's transaction holds SQLite's write lock
while the blob is written).

    python bench/documents.py [--sizes-mb 1 20] [--repeat 5] [--no-s3]
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from govflow.documents.s3 import S3BlobStore
from govflow.documents.storage import BlobStore
from govflow.main import build_context, create_app
from govflow.settings import Settings
from govflow.store.migrate import upgrade

from tests.conftest import ADMIN, SECRET, deploy
from tests.documents import seaweed
from tests.documents.support import DIAGRAM, PDF, UNIT

API = "/api/v1"


def pdf_of(mb: int) -> bytes:
    return PDF + b"0" * (mb * 1024 * 1024 - len(PDF))


async def run(store: BlobStore | None, label: str, sizes: list[int], repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        await asyncio.to_thread(upgrade, f"sqlite+aiosqlite:///{db}")
        settings = Settings(database_url=f"sqlite+aiosqlite:///{db}", secret_key=SECRET,
                            load_bundled_diagrams=False, document_max_bytes=200 * 1024 ** 2)
        ctx = build_context(settings)
        if store is not None:
            ctx.documents = store
        app = create_app(ctx, run_worker=False)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://b",
                                     timeout=300) as client:
            assert (await deploy(client, "demo", {"a.bpmn": DIAGRAM})).status_code == 201
            for mb in sizes:
                content = pdf_of(mb)
                ups, downs = [], []
                for i in range(repeat):
                    started = await client.post(f"{API}/tenants/demo/process-instances",
                                                json={"business_key": f"{mb}-{i}"},
                                                headers=UNIT)
                    task = started.json()["ready_tasks"][0]["id"]
                    t0 = time.perf_counter()
                    up = await client.post(f"{API}/tasks/{task}/documents", headers=UNIT,
                                           params={"filename": "a.pdf"}, content=content)
                    ups.append(time.perf_counter() - t0)
                    assert up.status_code == 201, up.text
                    t0 = time.perf_counter()
                    down = await client.get(up.json()["content_url"], headers=ADMIN)
                    downs.append(time.perf_counter() - t0)
                    assert len(down.content) == len(content)
                print(f"{label:6} {mb:4d} MB  upload median {statistics.median(ups)*1000:8.1f} ms"
                      f"  download median {statistics.median(downs)*1000:8.1f} ms")
            # A completion racing a large upload on the same database.
            big = pdf_of(max(sizes))
            a = (await client.post(f"{API}/tenants/demo/process-instances",
                                   json={"business_key": "race-a"}, headers=UNIT)).json()
            b = (await client.post(f"{API}/tenants/demo/process-instances",
                                   json={"business_key": "race-b"}, headers=UNIT)).json()
            doc = (await client.post(f"{API}/tasks/{b['ready_tasks'][0]['id']}/documents",
                                     headers=UNIT, params={"filename": "r.pdf"},
                                     content=PDF)).json()
            upload = asyncio.create_task(client.post(
                f"{API}/tasks/{a['ready_tasks'][0]['id']}/documents", headers=UNIT,
                params={"filename": "big.pdf"}, content=big))
            await asyncio.sleep(0.05)
            t0 = time.perf_counter()
            done = await client.post(f"{API}/tasks/{b['ready_tasks'][0]['id']}/complete",
                                     headers=UNIT, json={"variables": {
                                         "acceptance_report": doc["id"],
                                         "security_report": doc["id"]}})
            waited = time.perf_counter() - t0
            assert done.status_code == 200, done.text
            assert (await upload).status_code == 201
            print(f"{label:6} a completion during a {max(sizes)} MB upload: "
                  f"{waited*1000:.1f} ms")
        await ctx.engine.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes-mb", type=int, nargs="+", default=[1, 20])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-s3", action="store_true")
    args = parser.parse_args()
    await run(None, "local", args.sizes_mb, args.repeat)
    weed = None if args.no_s3 else seaweed.weed_binary()
    if weed is None:
        return
    with tempfile.TemporaryDirectory() as tmp:
        server = seaweed.start(weed, Path(tmp))
        try:
            store = S3BlobStore.from_settings(Settings(
                documents_backend="s3", s3_endpoint_url=server.endpoint,
                s3_bucket=seaweed.BUCKET, s3_prefix=f"bench-{uuid.uuid4().hex[:8]}/",
                s3_access_key_id=seaweed.ACCESS_KEY, s3_secret_access_key=seaweed.SECRET_KEY))
            await run(store, "s3", args.sizes_mb, args.repeat)
        finally:
            server.stop()


if __name__ == "__main__":
    asyncio.run(main())
