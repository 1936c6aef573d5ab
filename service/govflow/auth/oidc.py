"""Access tokens of an OpenID Connect provider (a county's identity provider), beside the
CLI's HS256 tokens.

A provider's token is a JWT signed with one of its published keys (JWKS). Which key:
the token header's ``kid``, looked up in the provider's key set, fetched from its
discovery document (``<issuer>/.well-known/openid-configuration``) or a configured URL and
cached. A ``kid`` not in the cached set means the provider rotated its keys: the set is
fetched again, at most once per ``oidc_jwks_min_refresh_seconds``, so a flood of tokens
with made-up ``kid`` values cannot make us hammer the provider.

Only the configured asymmetric algorithms are accepted, and only with a key of the
matching type (RSA for RS*/PS*, EC for ES*, OKP for EdDSA): ``none`` and HS* never reach
this module (tokens.py routes HS256 to the service's own secret), so a provider's public
key can never be used as an HMAC secret. ``exp``, ``iss`` and ``aud`` are required and
checked, ``nbf`` and ``iat`` when present, with a bounded leeway for clock skew.

What the token says is mapped onto GovFlow's claims (user, tenants, groups, admin) by
claim names set in the settings, then checked by the same strict model as our own
tokens (claims.py).
"""

import json
import logging
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt
from pydantic import ValidationError

from ..errors import Unauthorized
from ..settings import Settings
from .claims import Claims
from .principal import Principal

log = logging.getLogger("govflow.auth.oidc")

MAX_DOCUMENT_BYTES = 256 * 1024  # a discovery document or key set is a few kilobytes
FETCH_TIMEOUT_SECONDS = 5.0
KEY_TYPES = {"RS": "RSA", "PS": "RSA", "ES": "EC", "Ed": "OKP"}

Fetch = Callable[[str], dict[str, Any]]


@dataclass(frozen=True)
class OidcConfig:
    issuer: str
    audience: str
    jwks_url: str
    algorithms: tuple[str, ...]
    leeway: int
    cache_seconds: int
    min_refresh_seconds: int
    user_claim: str
    tenants_claim: str
    groups_claim: str
    admin_claim: str
    admin_value: str

    @classmethod
    def from_settings(cls, s: Settings) -> "OidcConfig | None":
        """The provider the settings name; None when none is configured."""
        if not s.oidc_issuer:
            return None
        if not s.oidc_audience:
            raise ValueError("GOVFLOW_OIDC_AUDIENCE is required with GOVFLOW_OIDC_ISSUER: "
                             "without it a token issued for any other application would pass")
        return cls(s.oidc_issuer, s.oidc_audience, s.oidc_jwks_url, tuple(s.oidc_algorithms),
                   s.oidc_leeway_seconds, s.oidc_jwks_cache_seconds,
                   s.oidc_jwks_min_refresh_seconds, s.oidc_user_claim, s.oidc_tenants_claim,
                   s.oidc_groups_claim, s.oidc_admin_claim, s.oidc_admin_value)


def fetch_json(url: str) -> dict[str, Any]:
    """GET a JSON object, bounded in time and size."""
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"not an http(s) URL: {url[:200]}")
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_SECONDS) as response:
        body = response.read(MAX_DOCUMENT_BYTES + 1)
    if len(body) > MAX_DOCUMENT_BYTES:
        raise ValueError(f"{url[:200]} answered more than {MAX_DOCUMENT_BYTES} bytes")
    document = json.loads(body)
    if not isinstance(document, dict):
        raise TypeError(f"{url[:200]} did not answer a JSON object")
    return document


class KeySet:
    """The provider's signing keys, fetched when first needed, when stale, and when a token
    names a key not seen yet (at most once per ``min_refresh_seconds``)."""

    def __init__(self, config: OidcConfig, fetch: Fetch = fetch_json,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self.fetches = 0  # key set downloads, for tests and logs
        self._fetch, self._clock = fetch, clock
        self._jwks_url = config.jwks_url
        # By kid: the key, and the algorithm the provider declares for it (if it does).
        self._keys: dict[str | None, tuple[jwt.PyJWK, str | None]] = {}
        self._fetched_at: float | None = None
        self._lock = threading.Lock()

    def key_for(self, kid: str | None) -> tuple[jwt.PyJWK, str | None]:
        with self._lock:
            now = self._clock()
            if self._fetched_at is None or now - self._fetched_at >= self.config.cache_seconds:
                self._refresh(now)
            key = self._find(kid)
            if key is None and self._fetched_at is not None \
                    and now - self._fetched_at >= self.config.min_refresh_seconds:
                self._refresh(now)  # the provider may have rotated its keys
                key = self._find(kid)
        if key is None and not self._keys:  # the provider was unreachable, not retried yet
            raise Unauthorized("the OpenID provider's keys could not be fetched; the bearer "
                               "token cannot be checked",
                               code="auth.oidc_keys_unavailable")
        if key is None:
            raise Unauthorized("the bearer token is signed by a key the OpenID provider does "
                               "not publish",
                               code="auth.token_invalid",
                               params={"reason": "signed by a key the OpenID provider does "
                                                 "not publish"})
        return key

    def _find(self, kid: str | None) -> tuple[jwt.PyJWK, str | None] | None:
        if kid is None:  # no kid: only unambiguous with a single key
            return next(iter(self._keys.values())) if len(self._keys) == 1 else None
        return self._keys.get(kid)

    def _refresh(self, now: float) -> None:
        try:
            keys = self._download()
        except Exception as exc:
            log.warning("OpenID provider keys could not be fetched: %s", exc)
            if not self._keys:
                raise Unauthorized("the OpenID provider's keys could not be fetched; the "
                                   "bearer token cannot be checked",
                                   code="auth.oidc_keys_unavailable") from exc
            return  # keep the keys we have; try again after min_refresh_seconds
        finally:
            self._fetched_at = now
        self._keys = keys

    def _download(self) -> dict[str | None, tuple[jwt.PyJWK, str | None]]:
        if not self._jwks_url:
            self._jwks_url = self._discover()
        document = self._fetch(self._jwks_url)
        self.fetches += 1
        keys: dict[str | None, tuple[jwt.PyJWK, str | None]] = {}
        for entry in document.get("keys", []) if isinstance(document.get("keys"), list) else []:
            if not isinstance(entry, dict) or entry.get("use", "sig") != "sig":
                continue
            try:
                key = jwt.PyJWK(entry)
            except jwt.PyJWTError:
                continue  # a key type or curve we cannot use: other keys still serve
            declared = entry.get("alg")
            if key.key_type in KEY_TYPES.values():
                keys[key.key_id] = (key, declared if isinstance(declared, str) else None)
        if not keys:
            raise ValueError(f"{self._jwks_url[:200]} publishes no usable signing key")
        return keys

    def _discover(self) -> str:
        url = self.config.issuer.rstrip("/") + "/.well-known/openid-configuration"
        document = self._fetch(url)
        if document.get("issuer") != self.config.issuer:
            raise ValueError(f"{url[:200]} names issuer {str(document.get('issuer'))[:200]!r}, "
                             f"not {self.config.issuer!r}")
        jwks_uri = document.get("jwks_uri")
        if not isinstance(jwks_uri, str):
            raise TypeError(f"{url[:200]} has no jwks_uri")
        return jwks_uri


_KEYSETS: dict[OidcConfig, KeySet] = {}
_KEYSETS_LOCK = threading.Lock()


def keyset_for(config: OidcConfig) -> KeySet:
    """One key cache per provider configuration, shared by the process's requests."""
    with _KEYSETS_LOCK:
        if config not in _KEYSETS:
            _KEYSETS[config] = KeySet(config)
        return _KEYSETS[config]


def verify_provider_token(keys: KeySet, token: str, header: dict[str, Any]) -> Principal:
    """The principal a provider's valid token maps to; ``Unauthorized`` for anything else."""
    config = keys.config
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in config.algorithms:
        raise Unauthorized(f"invalid bearer token: algorithm {str(alg)[:20]!r} is not accepted "
                           f"(accepted: HS256 for GovFlow's own tokens, "
                           f"{', '.join(config.algorithms)} from the OpenID provider)",
                           code="auth.token_invalid",
                           params={"reason": f"algorithm {str(alg)[:20]!r} is not accepted"})
    kid = header.get("kid")
    key, declared = keys.key_for(kid if isinstance(kid, str) else None)
    if key.key_type != KEY_TYPES.get(alg[:2]) or declared not in (None, alg):
        raise Unauthorized(f"invalid bearer token: a {alg} token cannot be signed with the "
                           f"provider's key {str(key.key_id)[:64]!r} ({key.key_type}, "
                           f"{declared or 'no declared algorithm'})",
                           code="auth.token_invalid",
                           params={"reason": f"a {alg} token cannot be signed with key "
                                             f"{str(key.key_id)[:64]!r}"})
    try:
        payload = jwt.decode(token, key.key, algorithms=[alg], audience=config.audience,
                             issuer=config.issuer, leeway=config.leeway,
                             options={"require": ["exp", "iss", "aud"], "verify_sub": False})
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("the bearer token has expired",
                           code="auth.token_expired") from exc
    except jwt.PyJWTError as exc:
        raise Unauthorized(f"invalid bearer token: {exc}",
                           code="auth.token_invalid",
                           params={"reason": str(exc)}) from exc
    return _principal(config, payload)


def _principal(config: OidcConfig, payload: dict[str, Any]) -> Principal:
    tenants = _claim(payload, config.tenants_claim)
    admin = _claim(payload, config.admin_claim)
    claims = {
        "iss": payload["iss"], "exp": payload["exp"],
        "sub": _claim(payload, config.user_claim),
        "tenants": [tenants] if isinstance(tenants, str) else tenants,
        "groups": _claim(payload, config.groups_claim) or [],
        "admin": admin is True or (isinstance(admin, list) and config.admin_value in admin),
    }
    names = {"sub": config.user_claim, "tenants": config.tenants_claim,
             "groups": config.groups_claim}
    for name in ("sub", "tenants"):
        if claims[name] is None:
            raise Unauthorized(f"invalid bearer token claims: claim '{names[name]}' is missing "
                               "(GovFlow reads the "
                               f"{'user id' if name == 'sub' else 'tenants'} from it)",
                               code="auth.token_claims_invalid",
                               params={"reason": f"claim {names[name]!r} is missing"})
    try:
        checked = Claims.model_validate(claims)
    except ValidationError as exc:
        problems = [f"claim '{names.get(str(e['loc'][0]), e['loc'][0])}': {e['msg']}"
                    for e in exc.errors(include_input=False, include_url=False)[:5]]
        raise Unauthorized("invalid bearer token claims: " + "; ".join(problems),
                           code="auth.token_claims_invalid",
                           params={"reason": "; ".join(problems)}) from exc
    return Principal(user=checked.sub, tenants=tuple(checked.tenants),
                     groups=tuple(checked.groups), admin=checked.admin)


def _claim(payload: dict[str, Any], path: str) -> Any:
    """A claim by name, or a nested one by dotted path (``realm_access.roles``)."""
    value: Any = payload
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value
