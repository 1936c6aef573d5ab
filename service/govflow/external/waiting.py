"""Long polling: a fetch that found nothing waits until a task may have become fetchable
in its tenant (woken by the command that made it so, in this process) or until it polls
again. Other processes' tasks are found by the periodic poll, never missed."""

import asyncio
from collections import defaultdict

_waiting: dict[str, set[asyncio.Event]] = defaultdict(set)


def wake(tenant_id: str) -> None:
    """Tell this process's waiting fetches of the tenant to look again (after a commit)."""
    for event in list(_waiting.get(tenant_id, ())):
        event.set()


async def wait(tenant_id: str, seconds: float) -> None:
    """Return when woken for the tenant, or after ``seconds``."""
    event = asyncio.Event()
    _waiting[tenant_id].add(event)
    try:
        await asyncio.wait_for(event.wait(), seconds)
    except TimeoutError:
        pass
    finally:
        _waiting[tenant_id].discard(event)
        if not _waiting[tenant_id]:
            _waiting.pop(tenant_id, None)
