"""A browser app on a configured origin may call the API: preflights are answered, the
response headers a front end reads (ETag, Link, the request id) are exposed. Other origins,
and every origin when none is configured, get no CORS headers."""

import httpx
import pytest
from govflow.main import build_context
from govflow.settings import Settings
from govflow.store.clock import FrozenClock
from pydantic import ValidationError

from tests.conftest import ADMIN, SECRET, START, app_for

UI = "https://approvals.example.gov.cn"
PREFLIGHT = {"Origin": UI, "Access-Control-Request-Method": "GET",
             "Access-Control-Request-Headers": "authorization,if-none-match"}


@pytest.fixture
async def browser(database):
    settings = Settings(database_url=database.url, secret_key=SECRET,
                        load_bundled_diagrams=False, cors_origins=[UI])
    ctx = build_context(settings, FrozenClock(START), database.connect_args)
    transport = httpx.ASGITransport(app=app_for(ctx), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://govflow.test") as c:
        yield c
    await ctx.engine.dispose()


async def test_preflight_and_request_from_a_configured_origin(browser):
    preflight = await browser.options("/api/v1/tasks", headers=PREFLIGHT)
    assert preflight.status_code == 200, preflight.text
    assert preflight.headers["access-control-allow-origin"] == UI
    allowed = preflight.headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed
    assert "if-none-match" in allowed
    assert "access-control-allow-credentials" not in preflight.headers  # bearer, no cookies
    response = await browser.get("/api/v1/tasks", headers={**ADMIN, "Origin": UI})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == UI
    exposed = response.headers["access-control-expose-headers"].lower()
    assert {"etag", "link", "x-request-id"} <= {h.strip() for h in exposed.split(",")}
    # Refusals carry the header too, so the app can read the problem.
    refused = await browser.get("/api/v1/tasks", headers={"Origin": UI})
    assert refused.status_code == 401
    assert refused.headers["access-control-allow-origin"] == UI


async def test_another_origin_gets_no_cors_headers(browser):
    other = {**PREFLIGHT, "Origin": "https://evil.example"}
    preflight = await browser.options("/api/v1/tasks", headers=other)
    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers
    response = await browser.get("/api/v1/tasks", headers={**ADMIN, "Origin": other["Origin"]})
    assert "access-control-allow-origin" not in response.headers


async def test_no_origin_configured_means_no_cors(client):
    preflight = await client.options("/api/v1/tasks", headers=PREFLIGHT)
    assert preflight.status_code == 405
    assert "access-control-allow-origin" not in preflight.headers


@pytest.mark.parametrize("origin", ["https://ui.example/", "https://ui.example/path",
                                    "ui.example", "javascript:alert(1)"])
def test_an_origin_must_be_scheme_and_host(origin):
    with pytest.raises(ValidationError, match="not an origin"):
        Settings(cors_origins=[origin])
