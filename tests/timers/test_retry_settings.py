"""The retry settings refuse values that would retry at once, never wait, or never end."""

import pytest
from govflow.settings import Settings
from pydantic import ValidationError


@pytest.mark.parametrize("bad", [{"timer_retries": -1}, {"timer_retries": 1000},
                                 {"timer_retry_backoff_seconds": []},
                                 {"timer_retry_backoff_seconds": [10, 0]},
                                 {"timer_retry_backoff_seconds": [86400 * 8]}])
def test_retry_settings_are_bounded(bad):
    with pytest.raises(ValidationError):
        Settings(**bad)


def test_retry_settings_default_to_three_retries_after_10_s_1_min_5_min():
    settings = Settings()
    assert (settings.timer_retries, settings.timer_retry_backoff_seconds) == (3, [10, 60, 300])
