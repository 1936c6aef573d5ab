"""Wakes this process's event streams and webhook worker after a commit that wrote events.

Only a hint: each of them polls the database anyway (another process's commits reach it
that way), so a lost wake-up costs at most one poll interval."""

import asyncio


class Notifier:
    def __init__(self) -> None:
        self._waiters: set[asyncio.Future[None]] = set()

    def notify(self) -> None:
        for waiter in list(self._waiters):
            if not waiter.done():
                loop = waiter.get_loop()
                if loop.is_closed():
                    continue
                loop.call_soon_threadsafe(_wake, waiter)

    async def wait(self, timeout: float) -> None:
        """Until the next ``notify`` or ``timeout`` seconds, whichever comes first."""
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.add(waiter)
        try:
            await asyncio.wait_for(waiter, timeout)
        except TimeoutError:
            pass
        finally:
            self._waiters.discard(waiter)


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)
