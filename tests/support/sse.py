"""Reading server-sent events from the ASGI app in a test.

httpx's own ``ASGITransport`` collects the whole body before it answers, so an endless
``text/event-stream`` would never return through it. ``StreamingASGITransport`` hands each
chunk over as the app sends it, and tells the app the client went away when the response
is closed; ``EventReader`` reads N events at a time (skipping comments) within a timeout."""

import asyncio
import json
from typing import Any

import httpx


class _Body(httpx.AsyncByteStream):
    def __init__(self, chunks: asyncio.Queue[bytes | None], gone: asyncio.Event,
                 app: asyncio.Task[None]) -> None:
        self.chunks, self.gone, self.app = chunks, gone, app

    async def __aiter__(self) -> Any:
        while (chunk := await self.chunks.get()) is not None:
            yield chunk

    async def aclose(self) -> None:
        self.gone.set()
        try:
            await asyncio.wait_for(asyncio.shield(self.app), 5)
        except TimeoutError:
            self.app.cancel()


class StreamingASGITransport(httpx.AsyncBaseTransport):
    def __init__(self, app: Any) -> None:
        self.app = app

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        chunks: asyncio.Queue[bytes | None] = asyncio.Queue()
        gone = asyncio.Event()
        started: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await gone.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                started.set_result(message)
            elif message["type"] == "http.response.body":
                if message.get("body"):
                    await chunks.put(message["body"])
                if not message.get("more_body", False):
                    await chunks.put(None)

        scope = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"},
                 "http_version": "1.1", "method": request.method,
                 "headers": [(k.lower(), v) for k, v in request.headers.raw],
                 "scheme": "http", "path": request.url.path,
                 "raw_path": request.url.raw_path.split(b"?")[0],
                 "query_string": request.url.query, "server": ("govflow.test", 80),
                 "client": ("127.0.0.1", 1234), "root_path": ""}

        async def run() -> None:
            try:
                await self.app(scope, receive, send)
            except BaseException as exc:
                if not started.done():
                    started.set_exception(exc)
                raise
            finally:
                await chunks.put(None)

        app = asyncio.create_task(run())
        start = await started
        return httpx.Response(start["status"], headers=start.get("headers", []),
                              stream=_Body(chunks, gone, app))


def streaming_client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=StreamingASGITransport(app),
                             base_url="http://govflow.test")


class EventReader:
    """Reads an open stream's events, N at a time: {"id", "event", "data"} each."""

    def __init__(self, response: httpx.Response) -> None:
        self._chunks = response.aiter_text()
        self._buffer = ""
        self._ready: list[dict[str, Any]] = []

    async def next(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        async def fill() -> None:
            while len(self._ready) < count:
                self._buffer += await self._chunks.__anext__()
                while "\n\n" in self._buffer:
                    block, self._buffer = self._buffer.split("\n\n", 1)
                    self._parse(block)

        await asyncio.wait_for(fill(), timeout)
        taken, self._ready = self._ready[:count], self._ready[count:]
        return taken

    def _parse(self, block: str) -> None:
        fields: dict[str, str] = {}
        for line in block.split("\n"):
            if line.startswith(":") or ":" not in line:
                continue
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")
        if "event" in fields or "data" in fields:
            self._ready.append({"id": fields.get("id"), "event": fields.get("event"),
                                "data": json.loads(fields.get("data") or "null")})
