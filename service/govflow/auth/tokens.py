"""Bearer tokens: JWTs signed with the service's secret key (HS256)."""

from datetime import datetime, timedelta

import jwt

from ..errors import Unauthorized
from .principal import Principal

ISSUER = "govflow"


def mint(secret: str, principal: Principal, now: datetime, ttl: timedelta) -> str:
    claims = {
        "iss": ISSUER, "sub": principal.user, "tenants": list(principal.tenants),
        "groups": list(principal.groups), "admin": principal.admin,
        "iat": int(now.timestamp()), "exp": int((now + ttl).timestamp()),
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def verify(secret: str, token: str) -> Principal:
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], issuer=ISSUER,
                            options={"require": ["exp", "sub", "iss"]})
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("the bearer token has expired") from exc
    except jwt.PyJWTError as exc:
        raise Unauthorized(f"invalid bearer token: {exc}") from exc
    return Principal(
        user=str(claims["sub"]),
        tenants=tuple(claims.get("tenants") or ()),
        groups=tuple(claims.get("groups") or ()),
        admin=bool(claims.get("admin", False)),
    )
