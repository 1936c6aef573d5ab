"""What a hostile request costs before it is refused: time and bytes of body read.

Sends, over ASGI to an app on a fresh SQLite file: a 200 MB streamed upload by a user who
may not upload, the same by a global admin (over the upload limit), a 2 MB JSON body, and
a 1.3 MB bearer token. Prints status, milliseconds and megabytes the service pulled.

    python bench/refusals.py
"""

import asyncio
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import jwt

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from govflow.auth.principal import Principal
from govflow.auth.tokens import mint
from govflow.main import build_context, create_app
from govflow.settings import Settings
from govflow.store.migrate import upgrade

SECRET = "bench-secret-bench-secret-bench-secret-0123"
MB = 1024 * 1024
BOUNDARY = "bench"


class Body:
    def __init__(self, megabytes: int) -> None:
        self.megabytes, self.pulled = megabytes, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; '
               'filename="big.bpmn"\r\n\r\n').encode()
        for _ in range(self.megabytes):
            self.pulled += MB
            yield b"x" * MB
        yield f"\r\n--{BOUNDARY}--\r\n".encode()


def bearer(principal: Principal) -> dict[str, str]:
    now = datetime.now(UTC)
    return {"Authorization": "Bearer " + mint(SECRET, principal, now, timedelta(hours=1))}


async def timed(label: str, send: Callable[[], Awaitable[httpx.Response]],
                pulled: Callable[[], int] | None = None) -> None:
    started = time.perf_counter()
    response = await send()
    ms = (time.perf_counter() - started) * 1000
    read = "" if pulled is None else f"{pulled() / MB:6.1f} MB of body read"
    print(f"{label:<42} {response.status_code}  {ms:8.1f} ms  {read}")


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        await asyncio.to_thread(upgrade, url)
        ctx = build_context(Settings(database_url=url, secret_key=SECRET))
        admin = bearer(Principal("root", ("*",), (), admin=True))
        unit = bearer(Principal("u", ("demo",), ("unit",)))
        transport = httpx.ASGITransport(app=create_app(ctx), raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            await client.put("/api/v1/tenants/demo", json={"name": "demo"}, headers=admin)
            await client.get("/api/v1/tenants", headers=unit)  # warm up: first connection
            multipart = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
            for label, headers in (("200 MB upload, user without the right", unit),
                                   ("200 MB upload, global admin", admin)):
                body = Body(200)
                await timed(label, lambda h=headers, b=body: client.post(
                    "/api/v1/tenants/demo/diagram-sets", content=b,
                    headers={**h, **multipart}), lambda b=body: b.pulled)
            await timed("2 MB JSON body to start an instance", lambda: client.post(
                "/api/v1/tenants/demo/process-instances", headers=unit,
                json={"variables": {"pad": "x" * 2 * MB}}))
            now = int(time.time())
            huge = jwt.encode({"iss": "govflow", "sub": "u", "tenants": ["*"], "admin": True,
                               "exp": now + 60, "pad": "x" * 1_300_000}, SECRET)
            await timed("1.3 MB bearer token", lambda: client.get(
                "/api/v1/tenants", headers={"Authorization": f"Bearer {huge}"}))
        await ctx.engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
