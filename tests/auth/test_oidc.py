"""Tokens of a real OpenID provider: oidc-provider (OpenID certified) on Node, started by
the test (tests/oidc/provider.mjs). GovFlow finds its keys by discovery, takes a JWT access
token obtained by client credentials for its resource, maps the token's claims onto a
tenant, and refuses expired tokens, other audiences and issuers, forged algorithms, and keys
the provider does not publish; a provider that rotates its keys is followed.

Skipped only when Node.js is absent; tests/modeler/setup.sh (run by CI) installs the package.
"""

import asyncio
import base64
import hashlib
import hmac
import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
import pytest_asyncio
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from govflow.auth.oidc import OidcConfig, keyset_for
from govflow.main import build_context
from govflow.settings import Settings
from govflow.store.clock import FrozenClock
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from tests.conftest import ADMIN, SECRET, START, app_for
from tests.support.sample import sample_set

HERE = Path(__file__).resolve().parents[1] / "oidc"
NODE = shutil.which("node")
AUDIENCE = "https://govflow.test/api"
API = "/api/v1"
SECRET_OF_CLIENTS = "client-secret-" + "x" * 32

pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js is not installed: the OpenID "
                                "provider these tests start runs on it")

CLIENTS = [
    {"client_id": "county-a", "claims": {"govflow_tenants": ["demo"], "groups": ["unit"]}},
    {"client_id": "county-es", "alg": "ES256", "claims": {"govflow_tenants": "demo"}},
    {"client_id": "short-lived", "ttl": 1, "claims": {"govflow_tenants": ["demo"]}},
    {"client_id": "no-tenants", "claims": {"groups": ["unit"]}},
    {"client_id": "other-admin", "claims": {"govflow_tenants": ["other"],
                                            "govflow_admin": ["admin"]}},
]


def rsa_key(kid: str) -> dict[str, Any]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return {**json.loads(RSAAlgorithm.to_jwk(key)), "kid": kid, "use": "sig", "alg": "RS256"}


def ec_key(kid: str) -> dict[str, Any]:
    key = ec.generate_private_key(ec.SECP256R1())
    return {**json.loads(ECAlgorithm.to_jwk(key)), "kid": kid, "use": "sig", "alg": "ES256"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _install_provider() -> None:
    """The pinned oidc-provider of tests/oidc, installed by npm the first time (as
    tests/modeler/setup.sh does in CI), so the README's test command needs no extra step."""
    if (HERE / "node_modules" / "oidc-provider").is_dir():
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("tests/oidc needs npm to install oidc-provider (node is installed)")
    done = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], check=False,
                          cwd=HERE, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        pytest.fail("npm ci in tests/oidc failed:\n" + done.stdout + done.stderr)


class Provider:
    """One oidc-provider process; ``token`` asks it for an access token."""

    def __init__(self, directory: Path, keys: list[dict[str, Any]], port: int | None = None
                 ) -> None:
        _install_provider()
        self.port = port or free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        config = {"issuer": self.issuer, "port": self.port, "audience": AUDIENCE, "keys": keys,
                  "clients": [{**c, "client_secret": SECRET_OF_CLIENTS} for c in CLIENTS]}
        path = directory / f"provider-{self.port}-{time.monotonic_ns()}.json"
        path.write_text(json.dumps(config))
        self.process = subprocess.Popen([NODE or "node", str(HERE / "provider.mjs"), str(path)],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        text=True)
        seen = []
        while (line := self.process.stdout.readline()) and "ready" not in line:  # type: ignore[union-attr]
            seen.append(line)
        if self.process.poll() is not None:
            pytest.fail("the OpenID provider did not start:\n" + "".join(seen))

    def token(self, client: str, resource: str = AUDIENCE) -> str:
        body = urllib.parse.urlencode({
            "grant_type": "client_credentials", "client_id": client,
            "client_secret": SECRET_OF_CLIENTS, "resource": resource}).encode()
        try:
            with urllib.request.urlopen(self.issuer + "/token", body, timeout=10) as response:
                return str(json.load(response)["access_token"])
        except urllib.error.HTTPError as exc:
            raise AssertionError(f"token request refused: {exc.read()!r}") from exc

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def provider_keys() -> list[dict[str, Any]]:
    return [rsa_key("r1"), ec_key("e1")]


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory, provider_keys) -> Iterator[Provider]:
    running = Provider(tmp_path_factory.mktemp("oidc"), provider_keys)
    yield running
    running.stop()


@pytest.fixture
def start_provider(tmp_path: Path) -> Iterator[Callable[..., Provider]]:
    started: list[Provider] = []

    def start(keys: list[dict[str, Any]], port: int | None = None) -> Provider:
        started.append(Provider(tmp_path, keys, port))
        return started[-1]

    yield start
    for running in started:
        if running.process.poll() is None:
            running.stop()


@pytest_asyncio.fixture
async def govflow(database) -> AsyncIterator[Callable[..., Any]]:
    """Makes a client of GovFlow trusting the given issuer (and its own HS256 tokens)."""
    made: list[Any] = []

    async def make(issuer: str, **oidc: Any) -> httpx.AsyncClient:
        oidc = {"oidc_issuer": issuer, "oidc_audience": AUDIENCE, "oidc_leeway_seconds": 0,
                "oidc_jwks_min_refresh_seconds": 0, **oidc}
        settings = Settings(database_url=database.url, secret_key=SECRET,
                            load_bundled_diagrams=False, **oidc)
        ctx = build_context(settings, FrozenClock(START), database.connect_args)
        transport = httpx.ASGITransport(app=app_for(ctx), raise_app_exceptions=False)
        client = httpx.AsyncClient(transport=transport, base_url="http://govflow.test")
        made.append((ctx, client))
        for tenant in ("demo", "other"):
            await client.put(f"{API}/tenants/{tenant}", json={"name": tenant}, headers=ADMIN)
        return client

    yield make
    for ctx, client in made:
        await client.aclose()
        await ctx.engine.dispose()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def refused(response: httpx.Response, words: str) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert words.lower() in response.json()["detail"].lower(), response.json()["detail"]


async def test_a_provider_token_reaches_its_tenant_and_no_other(provider, govflow):
    client = await govflow(provider.issuer)
    token = provider.token("county-a")
    assert jwt.get_unverified_header(token)["typ"] == "at+jwt"
    mine = await client.get(f"{API}/tenants/demo", headers=bearer(token))
    assert mine.status_code == 200, mine.text
    other = await client.get(f"{API}/tenants/other", headers=bearer(token))
    assert other.status_code == 404  # another tenant answers as a missing one
    listed = await client.get(f"{API}/tenants", headers=bearer(token))
    assert [t["id"] for t in listed.json()["items"]] == ["demo"]
    # ES256 from the same provider, and GovFlow's own HS256 tokens still work beside them.
    es = await client.get(f"{API}/tenants/demo", headers=bearer(provider.token("county-es")))
    assert es.status_code == 200, es.text
    assert (await client.get(f"{API}/tenants/other", headers=ADMIN)).status_code == 200


async def test_the_admin_claim_maps_to_an_admin_of_its_tenants_only(provider, govflow):
    client = await govflow(provider.issuer)
    token = bearer(provider.token("other-admin"))
    files = [("files", (n, c, "application/xml")) for n, c in sample_set().items()]
    upload = await client.post(f"{API}/tenants/other/diagram-sets", headers=token, files=files)
    assert upload.status_code == 201, upload.text
    elsewhere = await client.post(f"{API}/tenants/demo/diagram-sets", headers=token,
                                  files=files)
    assert elsewhere.status_code == 404
    user = bearer(provider.token("county-a"))  # no admin claim: a user of demo
    refusal = await client.post(f"{API}/tenants/demo/diagram-sets", headers=user, files=files)
    assert refusal.status_code == 403


async def test_expired_token_is_refused(provider, govflow):
    client = await govflow(provider.issuer)
    token = provider.token("short-lived")
    await asyncio.sleep(2.1)
    refused(await client.get(f"{API}/tenants/demo", headers=bearer(token)), "expired")


async def test_token_for_another_audience_is_refused(provider, govflow):
    client = await govflow(provider.issuer)
    token = provider.token("county-a", resource="https://elsewhere.test/api")
    refused(await client.get(f"{API}/tenants/demo", headers=bearer(token)), "audience")


async def test_token_of_another_issuer_is_refused(provider, provider_keys, govflow,
                                                  start_provider):
    # Same keys, another issuer: the signature checks out, the issuer does not.
    impostor = start_provider(provider_keys)
    client = await govflow(provider.issuer)
    token = impostor.token("county-a")
    refused(await client.get(f"{API}/tenants/demo", headers=bearer(token)), "issuer")


async def test_a_token_without_the_tenants_claim_is_refused(provider, govflow):
    client = await govflow(provider.issuer)
    token = provider.token("no-tenants")
    refused(await client.get(f"{API}/tenants/demo", headers=bearer(token)), "govflow_tenants")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _forge_hs256(claims: dict[str, Any], secret: bytes, kid: str) -> str:
    signing = (_b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode()) + "."
               + _b64(json.dumps(claims).encode()))
    mac = hmac.new(secret, signing.encode(), hashlib.sha256).digest()
    return signing + "." + _b64(mac)


async def test_forged_algorithms_and_keys_are_refused(provider, provider_keys, govflow):
    client = await govflow(provider.issuer)
    claims = {**jwt.decode(provider.token("county-a"), options={"verify_signature": False})}
    public = jwt.PyJWK(provider_keys[0]).key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    # HS256 with the provider's public key as the secret: checked with GovFlow's secret.
    confused = _forge_hs256(claims, public, "r1")
    refused(await client.get(f"{API}/tenants/demo", headers=bearer(confused)), "invalid")
    # alg none
    unsigned = (_b64(json.dumps({"alg": "none", "kid": "r1"}).encode()) + "."
                + _b64(json.dumps(claims).encode()) + ".")
    refused(await client.get(f"{API}/tenants/demo", headers=bearer(unsigned)), "not accepted")
    # RS256 signed by a key of our own, claiming the provider's kid.
    own = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    stolen_kid = jwt.encode(claims, own, algorithm="RS256", headers={"kid": "r1"})
    refused(await client.get(f"{API}/tenants/demo", headers=bearer(stolen_kid)), "signature")
    # RS256 header naming the provider's EC key.
    crossed = jwt.encode(claims, own, algorithm="RS256", headers={"kid": "e1"})
    refused(await client.get(f"{API}/tenants/demo", headers=bearer(crossed)), "cannot be signed")
    # A kid the provider never published.
    unknown = jwt.encode(claims, own, algorithm="RS256", headers={"kid": "made-up"})
    refused(await client.get(f"{API}/tenants/demo", headers=bearer(unknown)), "does not publish")


async def test_a_provider_token_is_refused_when_no_provider_is_configured(provider, client):
    refused(await client.get(f"{API}/tenants", headers=bearer(provider.token("county-a"))),
            "invalid bearer token")


async def test_rotated_keys_are_fetched_again(start_provider, govflow):
    first = start_provider([rsa_key("rot-1")])
    client = await govflow(first.issuer, oidc_jwks_cache_seconds=3600)
    keys = keyset_for(OidcConfig.from_settings(Settings(
        oidc_issuer=first.issuer, oidc_audience=AUDIENCE, oidc_leeway_seconds=0,
        oidc_jwks_min_refresh_seconds=0, oidc_jwks_cache_seconds=3600)))
    before = await client.get(f"{API}/tenants/demo", headers=bearer(first.token("county-a")))
    assert before.status_code == 200, before.text
    assert keys.fetches == 1
    first.stop()
    # The provider comes back with a new key only: a token signed by it names a kid the
    # cache does not hold, so the key set is fetched again, once.
    rotated = start_provider([rsa_key("rot-2")], port=first.port)
    token = rotated.token("county-a")
    after = await client.get(f"{API}/tenants/demo", headers=bearer(token))
    assert after.status_code == 200, after.text
    assert keys.fetches == 2
    assert (await client.get(f"{API}/tenants/demo", headers=bearer(token))).status_code == 200
    assert keys.fetches == 2


async def test_unknown_keys_do_not_make_the_key_set_fetched_more_than_the_limit(
        start_provider, govflow):
    first = start_provider([rsa_key("lim-1")])
    client = await govflow(first.issuer, oidc_jwks_min_refresh_seconds=3600)
    keys = keyset_for(OidcConfig.from_settings(Settings(
        oidc_issuer=first.issuer, oidc_audience=AUDIENCE, oidc_leeway_seconds=0,
        oidc_jwks_min_refresh_seconds=3600)))
    ok = await client.get(f"{API}/tenants/demo", headers=bearer(first.token("county-a")))
    assert ok.status_code == 200, ok.text
    first.stop()
    rotated = start_provider([rsa_key("lim-2")], port=first.port)
    token = rotated.token("county-a")
    for _ in range(3):
        refused(await client.get(f"{API}/tenants/demo", headers=bearer(token)),
                "does not publish")
    assert keys.fetches == 1  # refetched at most once per oidc_jwks_min_refresh_seconds
