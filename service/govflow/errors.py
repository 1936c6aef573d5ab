"""Domain exceptions and their problem+json mapping (RFC 9457).

Raise these anywhere below the API; one handler in ``main.py`` turns them into responses.
"""

import logging
from dataclasses import dataclass, field
from typing import Any

from .fields import NO_CONTROL, PRINTABLE

log = logging.getLogger("govflow.errors")
MEDIA = "application/problem+json"
# Pydantic quotes the regular expression; say what it means instead.
PATTERN_MESSAGES = {
    NO_CONTROL: "must not contain control characters (NUL, tab, newline, ...)",
    PRINTABLE: "printable characters only, without leading or trailing blanks",
}


@dataclass
class FieldError:
    """One problem with one field, file or element of the request."""

    loc: str
    msg: str
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"loc": self.loc, "msg": self.msg, **self.extra}


class DomainError(Exception):
    status = 500
    title = "Internal error"
    type_slug = "internal"

    def __init__(self, detail: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []

    def problem(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"https://govflow.dev/problems/{self.type_slug}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        if self.errors:
            body["errors"] = [e.as_dict() for e in self.errors]
        return body


class NotFound(DomainError):
    status, title, type_slug = 404, "Not found", "not-found"


class Unauthorized(DomainError):
    status, title, type_slug = 401, "Unauthorized", "unauthorized"


class Forbidden(DomainError):
    status, title, type_slug = 403, "Forbidden", "forbidden"


class Conflict(DomainError):
    status, title, type_slug = 409, "Conflict", "conflict"


class PayloadTooLarge(DomainError):
    status, title, type_slug = 413, "Content too large", "content-too-large"


class Invalid(DomainError):
    status, title, type_slug = 422, "Invalid input", "invalid"


class EngineFailure(DomainError):
    """A diagram failed at run time (a script error, a missing variable in a condition)."""

    status, title, type_slug = 422, "Process step failed", "engine-failure"

    def __init__(self, detail: str, errors: list[FieldError] | None = None,
                 element: str | None = None) -> None:
        super().__init__(detail, errors)
        self.element = element  # the diagram element that failed, when known


def install_handlers(app: Any) -> None:
    """Every error leaves as application/problem+json."""
    from fastapi import Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse
    from starlette.exceptions import HTTPException

    media = MEDIA

    async def domain(request: Request, exc: DomainError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return JSONResponse(exc.problem(request.url.path), exc.status, headers=headers,
                            media_type=media)

    async def validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [FieldError(".".join(str(p) for p in e["loc"]), _message(e))
                  for e in exc.errors()]
        problem = Invalid("the request is not valid", errors)
        return JSONResponse(problem.problem(request.url.path), 422, media_type=media)

    async def http(request: Request, exc: HTTPException) -> JSONResponse:
        body = {"type": "about:blank", "title": str(exc.detail), "status": exc.status_code,
                "detail": str(exc.detail), "instance": request.url.path}
        return JSONResponse(body, exc.status_code, media_type=media)

    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        body = DomainError("an unexpected error occurred; nothing was changed").problem(
            request.url.path)
        return JSONResponse(body, 500, media_type=media)

    app.add_exception_handler(DomainError, domain)
    app.add_exception_handler(RequestValidationError, validation)
    app.add_exception_handler(HTTPException, http)
    app.add_exception_handler(Exception, unexpected)
    app.add_middleware(UnexpectedErrors)


def _message(error: Any) -> str:
    pattern = (error.get("ctx") or {}).get("pattern")
    if error.get("type") == "string_pattern_mismatch" and pattern in PATTERN_MESSAGES:
        return PATTERN_MESSAGES[pattern]
    if error.get("type") == "value_error":  # our validators' own words, without "Value error, "
        return str((error.get("ctx") or {}).get("error") or error["msg"])
    return str(error["msg"])


class UnexpectedErrors:
    """Answer an unexpected exception with a problem+json 500, and return normally.

    Starlette's ``ServerErrorMiddleware`` sends the handler's response and then re-raises,
    and uvicorn closes the keep-alive connection of a request whose app raised. Caught here,
    below it, the client keeps its connection and the server still logs the traceback.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking(message: dict[str, Any]) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception:
            if started:  # half a response is out: only closing the connection can end it
                raise
            log.exception("unexpected error in %s %s", scope["method"], scope["path"])
            from fastapi.responses import JSONResponse

            body = DomainError("an unexpected error occurred; nothing was changed").problem(
                scope["path"])
            await JSONResponse(body, 500, media_type=MEDIA)(scope, receive, send)
