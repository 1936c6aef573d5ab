"""Domain exceptions and their problem+json mapping (RFC 9457).

Raise these anywhere below the API; one handler in ``main.py`` turns them into responses.
"""

import logging
from dataclasses import dataclass, field
from typing import Any

from .fields import NO_CONTROL, PRINTABLE
from .problem_codes import CODES, detail_zh, title

log = logging.getLogger("govflow.errors")
MEDIA = "application/problem+json"
# Pydantic quotes the regular expression; say what it means instead.
PATTERN_MESSAGES = {
    NO_CONTROL: "must not contain control characters (NUL, tab, newline, ...)",
    PRINTABLE: "printable characters only, without leading or trailing blanks",
}


@dataclass
class FieldError:
    """One problem with one field, file or element of the request. ``code`` and
    ``message_zh`` are set where the kind is known (form fields): ``message`` is then the
    problem in the language the caller asked for."""

    loc: str
    msg: str
    extra: dict[str, Any] = field(default_factory=dict)
    code: str | None = None
    message_zh: str | None = None

    def as_dict(self, lang: str = "en") -> dict[str, Any]:
        entry = {"loc": self.loc, "msg": self.msg, **self.extra}
        if self.code is not None:
            entry["code"] = self.code
        entry["message"] = self.message_zh if lang == "zh" and self.message_zh else self.msg
        return entry


class DomainError(Exception):
    """An error the caller can act on. ``code`` is its stable kind (problem_codes.py);
    ``params`` fill the code's Chinese detail."""

    status = 500
    title = "Internal error"
    type_slug = "internal"

    def __init__(self, detail: str, errors: list[FieldError] | None = None, *,
                 code: str = "internal.error", params: dict[str, Any] | None = None) -> None:
        super().__init__(detail)
        if code not in CODES:
            raise ValueError(f"unknown problem code {code!r}")  # a programming error
        self.detail = detail
        self.errors = errors or []
        self.code = code
        self.params = params or {}

    def problem(self, instance: str | None = None, lang: str = "en") -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"https://govflow.dev/problems/{self.type_slug}",
            "title": (title(self.code, lang) if lang == "zh" else None) or self.title,
            "status": self.status,
            "detail": detail_zh(self.code, self.detail, self.params) if lang == "zh"
            else self.detail,
            "code": self.code,
        }
        if instance:
            body["instance"] = instance
        if self.errors:
            body["errors"] = [e.as_dict(lang) for e in self.errors]
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


class TooManyRequests(DomainError):
    status, title, type_slug = 429, "Too many requests", "too-many-requests"


class Unavailable(DomainError):
    status, title, type_slug = 503, "Service unavailable", "unavailable"


class EngineFailure(DomainError):
    """A diagram failed at run time (a script error, a missing variable in a condition)."""

    status, title, type_slug = 422, "Process step failed", "engine-failure"

    def __init__(self, detail: str, errors: list[FieldError] | None = None,
                 element: str | None = None, *, code: str = "engine.step_failed",
                 params: dict[str, Any] | None = None) -> None:
        super().__init__(detail, errors, code=code, params=params)
        self.element = element  # the diagram element that failed, when known


def install_handlers(app: Any) -> None:
    """Every error leaves as application/problem+json."""
    from fastapi import Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse
    from starlette.exceptions import HTTPException

    def respond(request: Request, body: dict[str, Any], status: int,
                headers: dict[str, str] | None = None) -> JSONResponse:
        lang = language(request.headers.get("accept-language"))
        return JSONResponse(body, status, media_type=MEDIA, headers={
            **(headers or {}), "Content-Language": "zh-CN" if lang == "zh" else "en",
            "Vary": "Accept-Language"})

    async def domain(request: Request, exc: DomainError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        lang = language(request.headers.get("accept-language"))
        return respond(request, exc.problem(request.url.path, lang), exc.status, headers)

    async def validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [FieldError(".".join(str(p) for p in e["loc"]), _message(e), code=e["type"],
                             message_zh=_REQUEST_ZH.get(e["type"]))
                  for e in exc.errors()]
        problem = Invalid("the request is not valid", errors, code="request.invalid")
        lang = language(request.headers.get("accept-language"))
        return respond(request, problem.problem(request.url.path, lang), 422)

    async def http(request: Request, exc: HTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "http.error")
        lang = language(request.headers.get("accept-language"))
        entry = CODES[code]
        zh = lang == "zh"
        body = {"type": "about:blank",
                "title": entry.title_zh if zh else str(exc.detail),
                "status": exc.status_code,
                "detail": detail_zh(code, str(exc.detail), {}) if zh else str(exc.detail),
                "code": code, "instance": request.url.path}
        return respond(request, body, exc.status_code, dict(exc.headers or {}))

    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        lang = language(request.headers.get("accept-language"))
        body = _unexpected().problem(request.url.path, lang)
        return respond(request, body, 500)

    app.add_exception_handler(DomainError, domain)
    app.add_exception_handler(RequestValidationError, validation)
    app.add_exception_handler(HTTPException, http)
    app.add_exception_handler(Exception, unexpected)
    app.add_middleware(UnexpectedErrors)


def _unexpected() -> DomainError:
    return DomainError("an unexpected error occurred; nothing was changed",
                       code="internal.error")


_HTTP_CODES = {404: "http.not_found", 405: "http.method_not_allowed"}
# Chinese for the request checks' (pydantic's) commonest kinds; others keep their English.
_REQUEST_ZH = {
    "missing": "必填", "string_too_long": "太长", "string_too_short": "太短",
    "string_type": "应为字符串", "int_parsing": "应为整数", "int_type": "应为整数",
    "bool_parsing": "应为布尔值", "bool_type": "应为布尔值", "dict_type": "应为对象",
    "list_type": "应为数组", "literal_error": "不是可选值之一", "greater_than_equal": "太小",
    "less_than_equal": "太大", "string_pattern_mismatch": "含有不允许的字符",
    "json_invalid": "不是有效的 JSON", "extra_forbidden": "不接受这个字段",
    "datetime_from_date_parsing": "不是有效的时间", "date_from_datetime_parsing": "不是有效的日期",
    "value_error": "值无效", "uuid_parsing": "不是有效的 UUID",
}


def language(header: str | None) -> str:
    """``zh`` when Accept-Language prefers Chinese (zh, zh-CN, zh-Hans ...) to English,
    else ``en``; a malformed header is English."""
    best, best_q = "en", 0.0
    for part in (header or "")[:512].split(","):
        tag, _, rest = part.strip().partition(";")
        q = 1.0
        if rest.strip().startswith("q="):
            try:
                q = float(rest.strip()[2:])
            except ValueError:
                q = 0.0
        lang = tag.strip().lower().split("-")[0]
        if lang in ("zh", "en") and q > best_q:
            best, best_q = lang, q
    return best


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

            headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                       for k, v in scope.get("headers", [])}
            body = _unexpected().problem(scope["path"], language(headers.get("accept-language")))
            await JSONResponse(body, 500, media_type=MEDIA)(scope, receive, send)
