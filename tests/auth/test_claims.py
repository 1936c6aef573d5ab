"""Token claims are checked, not coerced: a claim of the wrong type is a 401 naming it."""

import time
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from govflow.auth.principal import Principal
from govflow.auth.tokens import mint
from govflow.errors import Invalid

from tests.conftest import SECRET
from tests.support.api import API, token

VALID = {"iss": "govflow", "sub": "mallory", "tenants": ["demo"], "groups": ["unit"],
         "admin": False}


def bearer(**claims: object) -> dict[str, str]:
    """A correctly signed token whose claims are VALID changed by ``claims``."""
    now = int(time.time())
    payload = {**VALID, "iat": now, "exp": now + 3600, **claims}
    return {"Authorization": f"Bearer {jwt.encode(payload, SECRET, algorithm='HS256')}"}


@pytest.mark.parametrize(("claim", "value"), [
    ("admin", "false"),             # a non-empty string: bool() made it True
    ("admin", 1),
    ("admin", "true"),
    ("tenants", "*x"),              # a string: tuple() made it ('*', 'x'), every tenant
    ("tenants", "*"),
    ("tenants", "demo"),
    ("tenants", ["*", "demo"]),     # '*' only alone
    ("tenants", ["Demo"]),          # not a tenant id the API could have
    ("tenants", ["d" * 65]),
    ("tenants", []),
    ("tenants", [{"id": "demo"}]),
    ("tenants", {"demo": True}),
    ("groups", "abc"),
    ("groups", [["unit"]]),
    ("groups", ["unit\x00hub"]),
    ("sub", 42),
    ("sub", ""),
    ("sub", "   "),
    ("sub", "x" * 129),
    ("sub", "root\x00alice"),
    ("sub", "eve\nadmin"),
    ("sub", {"name": "root"}),
    ("sub", ["root"]),
    ("exp", "9999999999"),
    ("role", "superuser"),          # a claim we never mint
])
async def test_claim_of_the_wrong_shape_is_401_naming_it(client, claim, value):
    response = await client.get(f"{API}/tenants", headers=bearer(**{claim: value}))
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert f"claim '{claim}" in response.json()["detail"]


async def test_tenants_claim_is_required_and_well_formed_claims_pass(client):
    now = int(time.time())
    payload = {"iss": "govflow", "sub": "x", "exp": now + 60}
    headers = {"Authorization": f"Bearer {jwt.encode(payload, SECRET, algorithm='HS256')}"}
    response = await client.get(f"{API}/tenants", headers=headers)
    assert response.status_code == 401
    assert "claim 'tenants'" in response.json()["detail"]
    response = await client.get(f"{API}/tenants", headers=bearer(sub="张三·审核员"))
    assert response.status_code == 200, response.text
    assert (await client.get(f"{API}/tenants", headers=token("u", "*"))).status_code == 200


@pytest.mark.parametrize("size", [9 * 1024, 1_300_000])
async def test_oversize_token_is_401_before_decoding(client, size):
    groups = [f"g{i:07d}" for i in range(size // 11)]
    headers = bearer(groups=groups)
    assert len(headers["Authorization"]) > size
    response = await client.get(f"{API}/tenants", headers=headers)
    assert response.status_code == 401
    assert "longer than 8192 bytes" in response.json()["detail"]


@pytest.mark.parametrize("tenants", [("*", "demo"), ("Demo",), ()])
def test_mint_refuses_what_verify_would_refuse(tenants):
    with pytest.raises(Invalid, match="claim 'tenants'"):
        mint(SECRET, Principal("u", tenants, ()), datetime.now(UTC), timedelta(hours=1))
