"""A cap on request bodies, as plain ASGI middleware (no task per request).

Starlette's own ``RequestBodyLimitMiddleware`` answers text/plain and only once the app
starts reading; this one answers problem+json, refuses a too-large Content-Length before
the app is called, and cuts a chunked body the moment it passes the limit.
"""

import json
from collections.abc import Iterable
from typing import Any

from starlette.datastructures import Headers
from starlette.routing import compile_path

from .errors import PayloadTooLarge, language

Message = dict[str, Any]


class _BodyCut(Exception):
    """Raised into the app from ``receive`` once the body passed the limit."""


class RequestBodyLimit:
    """Bodies above ``max_bytes`` get 413; paths matching ``upload_paths`` (route templates,
    e.g. ``/api/v1/tenants/{tenant}/diagram-sets``) may send up to ``max_upload_bytes``,
    and those in ``path_limits`` (template -> bytes) their own limit."""

    def __init__(self, app: Any, max_bytes: int, max_upload_bytes: int,
                 upload_paths: Iterable[str] = (),
                 path_limits: dict[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_upload_bytes = max_upload_bytes
        self.upload_paths = [compile_path(p)[0] for p in upload_paths]
        self.path_limits = [(compile_path(p)[0], n) for p, n in (path_limits or {}).items()]

    def limit_for(self, scope: dict[str, Any]) -> int:
        path, root = scope["path"], scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root):]
        if scope["method"] == "POST" and any(p.match(path) for p in self.upload_paths):
            return self.max_upload_bytes
        if scope["method"] == "POST":
            for pattern, limit in self.path_limits:
                if pattern.match(path):
                    return limit
        return self.max_bytes

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        length = Headers(scope=scope).get("content-length", "")
        if length.isdigit() and int(length) > limit:
            await _refuse(scope, send, limit)  # nothing of the body is read
            return
        received, started, cut = 0, False, False

        async def limited_receive() -> Message:
            nonlocal received, cut
            message: Message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    if not started:
                        cut = True
                        await _refuse(scope, send, limit)
                    raise _BodyCut
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if cut:  # the app's own reaction to the cut body goes nowhere: we answered
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not cut:
                raise


async def _refuse(scope: dict[str, Any], send: Any, limit: int) -> None:
    problem = PayloadTooLarge(f"the request body is larger than {limit} bytes",
                              code="request.too_large", params={"limit": limit})
    asked = dict(scope.get("headers") or []).get(b"accept-language", b"")
    body = json.dumps(problem.problem(scope["path"], language(asked.decode("latin-1")))
                      ).encode()
    await send({"type": "http.response.start", "status": 413, "headers": [
        (b"content-type", b"application/problem+json"),
        (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
