"""The opaque ``cursor`` token of list endpoints: which sort it belongs to, and where the
last page ended (store/keyset.py). A token that does not decode, or that was made for
another sort, is a 422 naming the parameter, never a 500."""

import base64
import binascii
import json
from datetime import datetime
from typing import Annotated

from fastapi import Query

from .errors import FieldError, Invalid
from .store.keyset import Cursor

CURSOR_MAX = 300

CursorQuery = Annotated[str | None, Query(
    min_length=1, max_length=CURSOR_MAX, pattern=r"^[A-Za-z0-9_=-]+$",
    description="`next_cursor` of the previous page: continue after it (instead of offset)")]


def encode(sort: str, cursor: Cursor) -> str:
    value = cursor.value.isoformat() if cursor.value is not None else None
    raw = json.dumps([sort, value, cursor.id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode(sort: str, token: str) -> Cursor:
    try:
        made_for, value, row_id = json.loads(base64.urlsafe_b64decode(token.encode()))
        if made_for != sort or not isinstance(row_id, str) or len(row_id) > 64:
            raise ValueError("made for another listing or sort")
        return Cursor(None if value is None else datetime.fromisoformat(value), row_id)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise not_ours() from exc


def not_ours() -> Invalid:
    """The 422 for a cursor this listing did not return."""
    return Invalid("the cursor is not one this listing returned", [FieldError(
        "query.cursor", "pass next_cursor of the previous page, with the same sort")],
        code="pagination.cursor_invalid")


def refuse_both(offset: int, token: str | None) -> None:
    if token is not None and offset:
        raise Invalid("a page is found by cursor or by offset, not both", [FieldError(
            "query.offset", "leave it out when a cursor is given")],
            code="pagination.cursor_and_offset")
