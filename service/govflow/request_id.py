"""The request id: taken from the client's (or proxy's) X-Request-ID header when it is a
sane token, else generated; returned in the response, put on every log record of the
request and into the data of every history event the request writes."""

import logging
import re
import time
import uuid
from contextvars import ContextVar
from typing import Any

HEADER = "x-request-id"
# Anything else (too long, spaces, control characters) is replaced, never echoed or logged.
_ACCEPTED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")

current: ContextVar[str | None] = ContextVar("govflow_request_id", default=None)
access_log = logging.getLogger("govflow.access")


def accepted(value: str | None) -> str:
    return value if value and _ACCEPTED.fullmatch(value) else uuid.uuid4().hex


class RequestIdMiddleware:
    """Plain ASGI: sets the request id for the request's context and answers with it, and
    writes one access log record (method, route path, status, milliseconds)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = dict(scope["headers"]).get(HEADER.encode(), b"").decode("latin-1")
        request_id = accepted(sent)
        token = current.set(request_id)
        started, status = time.perf_counter(), [500]

        async def with_id(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                message["headers"] = [*message.get("headers", []),
                                      (HEADER.encode(), request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, with_id)
        finally:
            access_log.info("%s %s %s", scope["method"], scope["path"], status[0], extra={
                "method": scope["method"], "path": scope["path"], "status": status[0],
                "duration_ms": round((time.perf_counter() - started) * 1000, 2)})
            current.reset(token)
