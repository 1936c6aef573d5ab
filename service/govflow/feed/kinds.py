"""The history events the change feed carries (streams and webhooks)."""

from collections.abc import Iterable

from ..errors import Invalid

FEED_EVENTS = (
    "task_created", "task_completed", "task_cancelled", "task_claimed", "task_unclaimed",
    "instance_started", "instance_completed", "instance_terminated", "instance_suspended",
    "instance_resumed", "incident", "external_task_created",
)


def check_kinds(kinds: Iterable[str] | None) -> list[str] | None:
    """The kinds asked for, sorted and once each (None or empty: all), or a 422."""
    wanted = sorted({k.strip() for k in kinds or () if k.strip()})
    unknown = [k for k in wanted if k not in FEED_EVENTS]
    if unknown:
        names = "、".join(unknown)[:500]
        raise Invalid(f"unknown event kinds: {', '.join(unknown)[:500]}; the feed carries "
                      f"{', '.join(FEED_EVENTS)}", code="events.kinds_invalid",
                      params={"kinds": names})
    return wanted or None
