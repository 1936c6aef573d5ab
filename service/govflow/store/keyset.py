"""Keyset (cursor) pagination: continue after the last row seen instead of skipping rows.

A page sorted by ``(column, id)`` continues with the rows that sort after the last one
shown, so a deep page costs what the first does (an index walk from the cursor on), and a
row inserted or finished meanwhile neither repeats nor hides another. ``id`` breaks ties
in ascending order whichever way ``column`` sorts; a nullable column's NULLs come last.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa


@dataclass(frozen=True)
class Cursor:
    """The sort value and id of the last row of a page."""

    value: datetime | None
    id: str


@dataclass(frozen=True)
class Order:
    column: sa.ColumnElement[Any]
    id: sa.ColumnElement[Any]
    descending: bool = False
    nullable: bool = False

    def order_by(self) -> list[sa.ColumnElement[Any]]:
        first = self.column.desc() if self.descending else self.column.asc()
        return [first.nulls_last() if self.nullable else first, self.id.asc()]

    def after(self, cursor: Cursor) -> sa.ColumnElement[bool]:
        """Rows that sort after ``cursor`` in this order."""
        later_id = self.id > cursor.id
        if cursor.value is None:  # within the trailing NULLs
            return sa.and_(self.column.is_(None), later_id)
        if self.descending:
            reached, beyond = self.column <= cursor.value, self.column < cursor.value
        else:
            reached, beyond = self.column >= cursor.value, self.column > cursor.value
        # ``reached`` alone is what an index range can start from; the OR then drops the
        # rows of the cursor's own value up to and including its id.
        clause = sa.and_(reached, sa.or_(beyond, later_id))
        return sa.or_(clause, self.column.is_(None)) if self.nullable else clause

    def cursor_of(self, row: Any, name: str) -> Cursor:
        return Cursor(getattr(row, name), row.id)
