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
