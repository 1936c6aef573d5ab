"""The webhook worker: POSTs due outbox rows to their webhooks, signed, and records each
attempt (delivered, retried after a back-off, or failed once the attempts are spent).

It claims a batch in one short transaction (a lease: on PostgreSQL ``FOR UPDATE SKIP
LOCKED``, so several workers share the work), POSTs with no transaction or connection
held, and records each attempt in a transaction of its own. A worker that dies mid-batch
leaves its rows to be tried again when the lease ends: delivery is at least once
(receivers dedupe by ``X-GovFlow-Delivery``)."""

import asyncio
import http.client
import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ..commands import execute
from ..commands.webhooks import ClaimDeliveries, RecordAttempt
from ..context import AppContext
from ..store.jsontext import dumps, loads
from .outbox import NOTIFIER
from .signing import sign
from .urls import resolves_to_public

log = logging.getLogger("govflow.webhooks")

MAX_ERROR_CHARS = 500


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer (3xx: retried), never followed: it could lead anywhere."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


# No proxies from the environment either: the address checked is the address called.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


@dataclass
class WebhookWorker:
    ctx: AppContext
    poll_seconds: float = 1.0
    batch_size: int = 20

    async def deliver_due(self) -> int:
        """One round: claim due deliveries, POST them (concurrently), record each attempt;
        how many were tried."""
        skip_locked = self.ctx.engine.dialect.name == "postgresql"
        claimed = await execute(self.ctx, ClaimDeliveries(self.batch_size, skip_locked))
        await asyncio.gather(*(self._deliver(d) for d in claimed))
        return len(claimed)

    async def run(self, stop: asyncio.Event) -> None:
        """Until ``stop`` is set; woken early by commits of this process that wrote events."""
        log.info("webhook worker started")
        while not stop.is_set():
            tried = 0
            try:
                tried = await self.deliver_due()
            except Exception:
                log.exception("webhook worker: round failed")
            if tried == self.batch_size:
                continue
            await NOTIFIER.wait(self.poll_seconds)

    async def _deliver(self, delivery: dict[str, Any]) -> None:
        status, error = await asyncio.to_thread(self._post, delivery)
        try:
            outcome = await execute(self.ctx, RecordAttempt(delivery, status, error))
        except Exception:  # the lease runs out and the next round tries again
            log.exception("webhook delivery %s: attempt not recorded", delivery["id"])
            return
        if outcome != "delivered":
            log.info("webhook delivery %s to %s: %s (%s)", delivery["id"], delivery["url"],
                     outcome, error or status)

    def _post(self, delivery: dict[str, Any]) -> tuple[int | None, str | None]:
        """(status code, error) of one POST; runs in a thread."""
        url = delivery["url"]
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        settings = self.ctx.settings
        if not settings.webhook_allow_private_addresses and not resolves_to_public(host, port):
            return None, f"'{host}' resolves to a private, loopback or reserved address"
        body = dumps({"delivery_id": delivery["id"], **loads(delivery["body"])}).encode()
        stamp = int(time.time())
        request = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": "application/json", "User-Agent": "GovFlow-Webhook/1",
            "X-GovFlow-Event": delivery["event"], "X-GovFlow-Delivery": str(delivery["id"]),
            "X-GovFlow-Timestamp": str(stamp),
            "X-GovFlow-Signature": sign(delivery["secret"], stamp, body)})
        try:
            with _OPENER.open(request, timeout=settings.webhook_timeout_seconds) as response:
                return int(response.status), None
        except urllib.error.HTTPError as exc:
            return exc.code, f"HTTP {exc.code}"
        except (OSError, ValueError, http.client.HTTPException) as exc:  # all retried
            return None, f"{type(exc).__name__}: {exc}"[:MAX_ERROR_CHARS]
