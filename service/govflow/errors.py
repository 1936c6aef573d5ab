"""Domain exceptions and their problem+json mapping (RFC 9457).

Raise these anywhere below the API; one handler in ``main.py`` turns them into responses.
"""

from dataclasses import dataclass, field
from typing import Any


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

    media = "application/problem+json"

    async def domain(request: Request, exc: DomainError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return JSONResponse(exc.problem(request.url.path), exc.status, headers=headers,
                            media_type=media)

    async def validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [FieldError(".".join(str(p) for p in e["loc"]), e["msg"]) for e in exc.errors()]
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
