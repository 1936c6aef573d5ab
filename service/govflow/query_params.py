"""Unknown query parameters are refused (422), never silently ignored: a misspelt filter
(``?businesskey=``) would otherwise answer with every row, which a caller takes as the
filtered answer."""

from typing import Any

from fastapi import Request

from .errors import FieldError, Invalid

_KNOWN: dict[int, frozenset[str]] = {}


def known_query(route: object) -> frozenset[str] | None:
    """The query parameters a route declares (its dependencies' too); None if not a route."""
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return None
    key = id(route)
    if key not in _KNOWN:
        _KNOWN[key] = frozenset(_query_names(dependant))
    return _KNOWN[key]


def _query_names(dependant: Any) -> set[str]:
    """Query parameter names of a FastAPI ``Dependant`` and of its sub-dependencies."""
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


async def refuse_unknown_query(request: Request) -> None:
    """A router dependency (async: no thread hop): 422 naming every query parameter the
    route does not take."""
    if not request.scope.get("query_string"):  # most requests: nothing to parse
        return
    known = known_query(request.scope.get("route"))
    if known is None:
        return
    unknown = sorted({name for name in request.query_params if name not in known})
    if unknown:
        taken = ", ".join(sorted(known)) or "none"
        raise Invalid(f"unknown query parameter{'s' if len(unknown) > 1 else ''}: "
                      f"{', '.join(unknown)[:300]}", [FieldError(
                          f"query.{name[:100]}", f"not a parameter of this endpoint "
                          f"(it takes: {taken})") for name in unknown[:20]],
                      code="request.unknown_parameter",
                      params={"names": ", ".join(unknown)[:300]})
