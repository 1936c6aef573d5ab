"""A token that passed once is remembered (its signature is not checked on every request),
but never past its expiry, and never for another signing key."""

import asyncio
from datetime import UTC, datetime, timedelta

from govflow.auth.principal import Principal
from govflow.auth.tokens import mint

from tests.conftest import SECRET
from tests.support.api import API


async def test_a_remembered_token_is_refused_once_it_expires(client):
    # Valid for about two more seconds.
    soon = mint(SECRET, Principal("brief", ("*",), (), True),
                datetime.now(UTC) - timedelta(hours=1) + timedelta(seconds=2),
                timedelta(hours=1))
    headers = {"Authorization": f"Bearer {soon}"}
    for _ in range(2):  # the second answer comes from the remembered verification
        assert (await client.get(f"{API}/tenants", headers=headers)).status_code == 200
    await asyncio.sleep(2.2)
    response = await client.get(f"{API}/tenants", headers=headers)
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


async def test_a_token_remembered_under_one_key_is_refused_under_another(client, ctx):
    token = mint(SECRET, Principal("kept", ("*",), (), True), datetime.now(UTC),
                 timedelta(hours=1))
    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.get(f"{API}/tenants", headers=headers)).status_code == 200
    ctx.settings = ctx.settings.model_copy(
        update={"secret_key": "a-rotated-key-a-rotated-key-a-rotated-key-0"})
    response = await client.get(f"{API}/tenants", headers=headers)
    assert response.status_code == 401
