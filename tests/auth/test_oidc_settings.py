"""Provider settings that would weaken the token check are refused when the service starts,
not discovered on the first request."""

import pytest
from govflow.main import create_app
from govflow.settings import Settings
from pydantic import ValidationError


def test_an_issuer_without_an_audience_does_not_start():
    settings = Settings(oidc_issuer="https://idp.example.gov.cn/realms/county",
                        secret_key="x" * 40)
    with pytest.raises(ValueError, match="GOVFLOW_OIDC_AUDIENCE is required"):
        create_app(_Context(settings))  # type: ignore[arg-type]


@pytest.mark.parametrize("algorithms", [["HS256"], ["none"], ["RS256", "HS512"]])
def test_symmetric_and_none_algorithms_cannot_be_configured(algorithms):
    with pytest.raises(ValidationError, match="only asymmetric algorithms"):
        Settings(oidc_algorithms=algorithms)


def test_clock_skew_is_bounded():
    with pytest.raises(ValidationError):
        Settings(oidc_leeway_seconds=3600)


class _Context:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings


def test_an_unreachable_provider_is_a_401_and_is_retried_at_the_rate_limit():
    from govflow.auth.oidc import KeySet, OidcConfig
    from govflow.errors import Unauthorized

    calls, now = [], [1000.0]

    def down(url: str) -> dict:
        calls.append(url)
        raise OSError("connection refused")

    config = OidcConfig.from_settings(Settings(
        oidc_issuer="https://idp.example", oidc_audience="govflow",
        oidc_jwks_min_refresh_seconds=30))
    keys = KeySet(config, fetch=down, clock=lambda: now[0])
    for _ in range(3):
        with pytest.raises(Unauthorized, match="could not be fetched"):
            keys.key_for("k1")
    assert len(calls) == 1  # one attempt, then none until the interval has passed
    now[0] += 31
    with pytest.raises(Unauthorized, match="could not be fetched"):
        keys.key_for("k1")
    assert len(calls) == 2
