"""Bounded types for what a request carries in its path, query and body.

Each bound is what the column or the runtime can hold (see docs/input-limits.md): a string
longer than its ``VARCHAR``, a NUL (PostgreSQL text cannot hold one), an integer beyond the
``INTEGER`` column or a year Python's ``datetime`` cannot reach would otherwise fail deep in
the store as a 500. Declared here, each refusal is a 422 naming the field, and the OpenAPI
document carries the bound, so clients and the fuzzer see it.
"""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Path, Query
from pydantic import AfterValidator, Field

INT32_MAX = 2**31 - 1  # ids and history positions are INTEGER columns
NAME_MAX = 200  # VARCHAR(200): process ids, business keys, message names, users, groups
TENANT_MAX = 64  # VARCHAR(64)
UUID_MAX = 36  # VARCHAR(36): instance and task ids
TEXT_MAX = 2_000  # free text: a termination reason, a notice's title
# No C0 control character nor DEL: NUL breaks PostgreSQL text, the others break logs and keys.
NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"
# A business key is shown and searched: printable, no surrounding blanks.
PRINTABLE = r"^[^\x00-\x20\x7f]([^\x00-\x1f\x7f]*[^\x00-\x20\x7f])?$"

Name = Annotated[str, Field(min_length=1, max_length=NAME_MAX, pattern=NO_CONTROL)]
BusinessKey = Annotated[str, Field(min_length=1, max_length=NAME_MAX, pattern=PRINTABLE,
                                   description="printable, at most 200 characters")]
Text = Annotated[str, Field(min_length=1, max_length=TEXT_MAX, pattern=NO_CONTROL)]
DbId = Annotated[int, Field(ge=1, le=INT32_MAX)]

# Path parameters. An id of the wrong shape cannot exist: 422 names it instead of a 500 from
# the database (a well-shaped unknown one is still a 404).
TenantPath = Annotated[str, Path(min_length=1, max_length=TENANT_MAX, pattern=NO_CONTROL)]
UuidPath = Annotated[str, Path(min_length=1, max_length=UUID_MAX, pattern=NO_CONTROL)]
NamePath = Annotated[str, Path(min_length=1, max_length=NAME_MAX, pattern=NO_CONTROL)]
IdPath = Annotated[int, Path(ge=1, le=INT32_MAX)]

# Query filters and pages.
FilterQuery = Annotated[str | None, Query(max_length=NAME_MAX, pattern=NO_CONTROL)]
TenantQuery = Annotated[str | None, Query(max_length=TENANT_MAX, pattern=NO_CONTROL)]
UuidQuery = Annotated[str | None, Query(max_length=UUID_MAX, pattern=NO_CONTROL)]
IdQuery = Annotated[int | None, Query(ge=1, le=INT32_MAX)]
Offset = Annotated[int, Query(ge=0, le=INT32_MAX)]


def _storable(value: datetime | None) -> datetime | None:
    """Aware (naive is read as UTC), and within years the database and ``datetime`` hold."""
    if value is None:
        return None
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    try:
        in_utc = aware.astimezone(UTC)
    except OverflowError:
        in_utc = None
    if in_utc is None or not 1 < in_utc.year < 9999:
        raise ValueError("must be between years 0002 and 9998")
    return in_utc


MomentQuery = Annotated[datetime | None, AfterValidator(_storable)]
