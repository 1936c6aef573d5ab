"""A tenant's webhooks (create, delete) and their deliveries (claim, record an attempt).

The outbox rows themselves are written by the unit of work of the change they report
(feed/outbox.py); the worker (feed/worker.py) claims due rows in one short transaction,
POSTs them with no transaction open, and records each attempt in another."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..auth.permissions import require_tenant_admin
from ..auth.principal import Principal
from ..errors import Conflict
from ..feed import repository as repo
from ..feed.kinds import check_kinds
from ..feed.service import require_webhook
from ..feed.signing import new_secret
from ..feed.urls import check_url
from ..store.jsontext import dumps
from ..tenants.service import require as require_tenant
from .unit_of_work import UnitOfWork


@dataclass(frozen=True)
class CreateWebhook:
    """A webhook of the tenant; its secret is in the answer, and never again."""

    principal: Principal
    tenant_id: str
    url: str
    kinds: list[str] | None

    async def run(self, uow: UnitOfWork) -> dict[str, Any]:
        require_tenant_admin(self.principal, self.tenant_id)
        await require_tenant(uow.session, self.tenant_id)
        check_url(self.url, uow.ctx.settings.webhook_allow_private_addresses)
        kinds = check_kinds(self.kinds)
        limit = uow.ctx.settings.webhooks_per_tenant
        if await repo.count_webhooks(uow.session, self.tenant_id) >= limit:
            raise Conflict(f"tenant '{self.tenant_id}' has {limit} webhooks already; delete "
                           "one first", code="webhook.too_many",
                           params={"tenant": self.tenant_id, "limit": limit})
        row = {"id": str(uuid.uuid4()), "tenant_id": self.tenant_id, "url": self.url,
               "kinds": dumps(kinds) if kinds else None,
               "secret": new_secret(), "created_by": self.principal.user,
               "created_at": uow.ctx.clock.now()}
        await repo.insert_webhook(uow.session, row)
        return row


@dataclass(frozen=True)
class DeleteWebhook:
    """The webhook, its pending deliveries and its log."""

    principal: Principal
    tenant_id: str
    webhook_id: str

    async def run(self, uow: UnitOfWork) -> None:
        require_tenant_admin(self.principal, self.tenant_id)
        await require_webhook(uow.session, self.tenant_id, self.webhook_id)
        await repo.delete_webhook(uow.session, self.webhook_id)


@dataclass(frozen=True)
class ClaimDeliveries:
    """Lease up to ``limit`` due deliveries to the calling worker."""

    limit: int
    skip_locked: bool

    async def run(self, uow: UnitOfWork) -> list[dict[str, Any]]:
        now = uow.ctx.clock.now()
        return await repo.claim_due(uow.session, now, self.limit, self.skip_locked,
                                    now + timedelta(seconds=repo.LEASE_SECONDS))


@dataclass(frozen=True)
class RecordAttempt:
    """One attempt's outcome: delivered (2xx), retried after a back-off, or failed for good
    once the attempts are spent."""

    delivery: dict[str, Any]
    status_code: int | None
    error: str | None

    async def run(self, uow: UnitOfWork) -> str:
        settings, now = uow.ctx.settings, uow.ctx.clock.now()
        attempt = self.delivery["attempts"] + 1
        next_at: datetime | None = None
        if self.status_code is not None and 200 <= self.status_code < 300:
            outcome = "delivered"
        elif attempt >= settings.webhook_max_attempts:
            outcome = "failed"
        else:
            outcome = "retrying"
            delay = min(settings.webhook_backoff_base_seconds * 2 ** (attempt - 1),
                        settings.webhook_backoff_max_seconds)
            next_at = now + timedelta(seconds=delay)
        await repo.record_attempt(uow.session, self.delivery, attempt, self.status_code,
                                  self.error, outcome, now, next_at)
        return outcome
