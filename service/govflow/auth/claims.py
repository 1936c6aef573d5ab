"""The claims a bearer token may carry, checked strictly: no coercion of types.

A token is signed by us, but the signing key also sits with every operator who mints
tokens by hand; a claim of the wrong type (``"admin": "false"``, ``"tenants": "*x"``) is
refused instead of read as whatever Python's truthiness or iteration makes of it.
"""

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

# A tenant id as the API spells it in paths: lowercase, a letter first, at most 64 chars.
TENANT_ID = re.compile(r"^[a-z][a-z0-9_-]{1,63}$")
ALL_TENANTS = "*"
MAX_NAME_CHARS = 128
MAX_TENANTS = 500
MAX_GROUPS = 100


def _printable(value: str) -> str:
    if not value.isprintable() or not value.strip():
        raise ValueError("must be printable text: no NUL, control characters or blank value")
    return value


def _tenant_list(value: list[str]) -> list[str]:
    if value == [ALL_TENANTS]:
        return value
    for tenant in value:
        if not TENANT_ID.match(tenant):
            raise ValueError(f'either ["{ALL_TENANTS}"] (every tenant) or tenant ids: '
                             "lowercase letters, digits, '-' and '_', starting with a letter, "
                             "2 to 64 characters")
    return value


Name = Annotated[str, StringConstraints(min_length=1, max_length=MAX_NAME_CHARS),
                 AfterValidator(_printable)]
TenantIds = Annotated[list[Annotated[str, StringConstraints(max_length=64)]],
                      Field(min_length=1, max_length=MAX_TENANTS), AfterValidator(_tenant_list)]


class Claims(BaseModel):
    """The payload of a GovFlow token; ``strict``: JSON types must match exactly."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    iss: str
    sub: Name
    tenants: TenantIds
    groups: list[Name] = Field(default_factory=list, max_length=MAX_GROUPS)
    admin: bool = False
    iat: int | None = None
    nbf: int | None = None
    exp: int
