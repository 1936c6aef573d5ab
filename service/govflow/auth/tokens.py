"""Bearer tokens: JWTs signed with the service's secret key (HS256), or by the configured
OpenID provider (oidc.py)."""

import time
from datetime import datetime, timedelta

import jwt
from pydantic import ValidationError

from ..errors import Invalid, Unauthorized
from ..settings import Settings
from .claims import Claims
from .oidc import OidcConfig, keyset_for, verify_provider_token
from .principal import Principal

ISSUER = "govflow"
# Refused before any decoding: a token is a few hundred bytes, never megabytes.
MAX_TOKEN_BYTES = 8 * 1024


def mint(secret: str, principal: Principal, now: datetime, ttl: timedelta) -> str:
    """A signed token for ``principal``; ``Invalid`` if it would not pass ``verify``."""
    claims = {
        "iss": ISSUER, "sub": principal.user, "tenants": list(principal.tenants),
        "groups": list(principal.groups), "admin": principal.admin,
        "iat": int(now.timestamp()), "exp": int((now + ttl).timestamp()),
    }
    try:
        Claims.model_validate(claims)
    except ValidationError as exc:
        raise Invalid(f"cannot mint this token: {_describe(exc)}", code="token.mint_invalid",
                      params={"reason": _describe(exc)}) from exc
    return jwt.encode(claims, secret, algorithm="HS256")


def authenticate(settings: Settings, token: str) -> Principal:
    """The principal of a GovFlow token (HS256) or, when a provider is configured, of the
    provider's token (its header names an asymmetric algorithm)."""
    if len(token) > settings.max_token_bytes:
        raise Unauthorized(f"the bearer token is longer than {settings.max_token_bytes} bytes",
                           code="auth.token_too_long",
                           params={"max_bytes": settings.max_token_bytes})
    provider = OidcConfig.from_settings(settings)
    if provider is not None:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise Unauthorized(f"invalid bearer token: {exc}",
                               code="auth.token_invalid",
                               params={"reason": str(exc)}) from exc
        if header.get("alg") != "HS256":  # HS256 is ours alone: never checked with a JWK
            return verify_provider_token(keyset_for(provider), token, header)
    return verified(settings.secret_key, token, settings.max_token_bytes)


# Tokens of ours that passed ``verify``, with their expiry: a client sends the same token
# with every request, and checking its signature and claims again cost 3 % of a task
# completion's CPU. A token is signed and immutable, so what it proved stays proved until
# it expires (it can only get older); the signing key is part of the key of the cache.
_VERIFIED: dict[tuple[str, str], tuple[Principal, int]] = {}
_VERIFIED_MAX = 4096


def verified(secret: str, token: str, max_bytes: int = MAX_TOKEN_BYTES) -> Principal:
    """``verify``, remembering tokens that passed until they expire."""
    known = _VERIFIED.get((secret, token))
    if known is not None and time.time() < known[1]:
        return known[0]
    principal = verify(secret, token, max_bytes)
    expires = jwt.decode(token, options={"verify_signature": False})["exp"]
    if len(_VERIFIED) >= _VERIFIED_MAX:
        _VERIFIED.pop(next(iter(_VERIFIED)))  # the oldest entry
    _VERIFIED[(secret, token)] = (principal, int(expires))
    return principal


def verify(secret: str, token: str, max_bytes: int = MAX_TOKEN_BYTES) -> Principal:
    """The principal a valid token names; ``Unauthorized`` for anything else."""
    if len(token) > max_bytes:
        raise Unauthorized(f"the bearer token is longer than {max_bytes} bytes",
                           code="auth.token_too_long", params={"max_bytes": max_bytes})
    try:
        # "sub" is left to Claims, which bounds it too, so every claim error reads alike.
        payload = jwt.decode(token, secret, algorithms=["HS256"], issuer=ISSUER,
                             options={"require": ["exp", "sub", "iss"], "verify_sub": False})
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("the bearer token has expired", code="auth.token_expired") from exc
    except jwt.PyJWTError as exc:
        raise Unauthorized(f"invalid bearer token: {exc}", code="auth.token_invalid",
                           params={"reason": str(exc)}) from exc
    try:
        claims = Claims.model_validate(payload)
    except ValidationError as exc:
        raise Unauthorized(f"invalid bearer token claims: {_describe(exc)}",
                           code="auth.token_claims_invalid",
                           params={"reason": _describe(exc)}) from exc
    return Principal(user=claims.sub, tenants=tuple(claims.tenants),
                     groups=tuple(claims.groups), admin=claims.admin)


def _describe(exc: ValidationError) -> str:
    """Which claims are wrong and why, without echoing their (possibly hostile) values."""
    problems = [f"claim '{'.'.join(str(p) for p in e['loc'])}': {e['msg']}"
                for e in exc.errors(include_input=False, include_url=False)[:5]]
    return "; ".join(problems)
