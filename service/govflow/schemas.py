"""Shapes shared by every endpoint: pages and problems."""

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next: int | None = Field(None, description="offset of the next page; null on the last page")


def page(items: list[Any], offset: int, limit: int) -> dict[str, Any]:
    return {"items": items, "next": offset + limit if len(items) == limit else None}


class CursorPage(Page[T], Generic[T]):
    next: int | None = Field(None, description="offset of the next page; null on the last "
                             "page, and when the page was asked for by cursor")
    next_cursor: str | None = Field(
        None, description="pass as `cursor` for the next page (stable under inserts, as fast "
                          "deep as on page one); null on the last page")


def cursor_page(items: list[Any], offset: int, limit: int, by_cursor: bool,
                next_cursor: str | None) -> dict[str, Any]:
    full = len(items) == limit
    return {"items": items, "next": offset + limit if full and not by_cursor else None,
            "next_cursor": next_cursor if full else None}


class ProblemItem(BaseModel):
    """One problem with one field, file or element of the request."""

    loc: str = Field(description="where: `variables.<field>`, `body.<key>`, `query.<name>`, "
                     "a file name ...")
    msg: str = Field(description="the problem, in English")
    message: str = Field(description="the problem in the language Accept-Language asked for")
    code: str | None = Field(None, description="the kind of problem: for form fields "
                             "`required`, `type`, `format`, `one_of`, `minimum`, `maximum`, "
                             "`min_length`, `max_length`, `unknown_field`, `invalid`")
    field: str | None = Field(None, description="the form field (form errors)")
    line: int | None = Field(None, description="the line of a diagram file")
    element: str | None = Field(None, description="the diagram element")


class Problem(BaseModel):
    """An error (RFC 9457, `application/problem+json`). `code` is stable: switch on it.
    `title` and `detail` are Chinese when Accept-Language asks for zh."""

    type: str
    title: str
    status: int
    detail: str
    code: str = Field(description="the stable kind of error, e.g. `task.not_found`, "
                      "`form.invalid` (docs/contract.md lists them)")
    instance: str | None = None
    errors: list[ProblemItem] | None = None


PROBLEMS: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem, "content": {"application/problem+json": {}}}
    for code in (400, 401, 403, 404, 409, 413, 422)
}
