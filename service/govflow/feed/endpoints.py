"""The change feed: ``GET /events/stream`` (server-sent events) and a tenant's webhooks."""

from typing import Any

from fastapi import APIRouter, Header, Query, Response
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from ..commands import execute
from ..commands.webhooks import CreateWebhook, DeleteWebhook
from ..deps import ContextDep, CurrentUser, SessionDep
from ..fields import INT32_MAX, TenantPath, UuidPath
from ..schemas import PROBLEMS, Problem
from . import service
from .kinds import FEED_EVENTS, check_kinds
from .schemas import WebhookIn

router = APIRouter(tags=["events"], responses=PROBLEMS)

_BUSY: dict[int | str, dict[str, Any]] = {status: {"model": Problem, "content": {"application/problem+json": {}}}
         for status in (429, 503)}
_STREAM: dict[int | str, dict[str, Any]] = {200: {"description": "`text/event-stream`: one event per task or instance change "
                 "the caller may see (`id:` the history id, `event:` its kind, `data:` JSON), "
                 "and a comment line as heartbeat", "content": {"text/event-stream": {
                     "schema": {"type": "string"}}}}, **_BUSY}


class EventStreamResponse(StreamingResponse):
    """Gives the caller's stream slot back however the response ends (even unstarted)."""

    media_type = "text/event-stream"

    def __init__(self, body: Any, release: Any) -> None:
        super().__init__(body, media_type="text/event-stream", headers={
            "Cache-Control": "no-store", "X-Accel-Buffering": "no"})
        self._release = release

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._release()


@router.get("/events/stream", status_code=200, response_class=EventStreamResponse,
            responses=_STREAM)
async def stream(ctx: ContextDep, user: CurrentUser,
                 kinds: str | None = Query(None, max_length=1000,
                                           description="comma-separated event kinds; "
                                           "default: all (" + ", ".join(FEED_EVENTS) + ")"),
                 last_event_id: str | None = Header(None, alias="Last-Event-ID", max_length=40)
                 ) -> EventStreamResponse:
    """Events of the caller's tenants as they commit; ``Last-Event-ID`` replays missed ones."""
    wanted = check_kinds(kinds.split(",") if kinds else None) or list(FEED_EVENTS)
    position, resync = await service.start_position(
        ctx, service.parse_last_event_id(last_event_id))
    service.SLOTS.take(ctx, user.user)
    return EventStreamResponse(service.stream(ctx, user, position, resync, wanted),
                               lambda: service.SLOTS.give_back(user.user))


@router.post("/tenants/{tenant}/webhooks", status_code=201)
async def create_webhook(tenant: TenantPath, body: WebhookIn, ctx: ContextDep,
                         user: CurrentUser) -> dict[str, Any]:
    """A webhook; the answer holds its signing ``secret``, shown this once."""
    return await execute(ctx, CreateWebhook(user, tenant, body.url, body.kinds))


@router.get("/tenants/{tenant}/webhooks")
async def list_webhooks(tenant: TenantPath, session: SessionDep, user: CurrentUser
                        ) -> list[dict[str, Any]]:
    """The tenant's webhooks (without their secrets)."""
    return await service.webhooks(session, user, tenant)


@router.delete("/tenants/{tenant}/webhooks/{webhook_id}", status_code=204)
async def delete_webhook(tenant: TenantPath, webhook_id: UuidPath, ctx: ContextDep,
                         user: CurrentUser) -> Response:
    """The webhook, its pending deliveries and its log."""
    await execute(ctx, DeleteWebhook(user, tenant, webhook_id))
    return Response(status_code=204)


@router.get("/tenants/{tenant}/webhooks/{webhook_id}/deliveries")
async def deliveries(tenant: TenantPath, webhook_id: UuidPath, session: SessionDep,
                     user: CurrentUser, after: int = Query(0, ge=0, le=INT32_MAX),
                     limit: int = Query(50, ge=1, le=500)) -> list[dict[str, Any]]:
    """Delivery attempts, newest first; ``after``: the smallest id of the page before."""
    return await service.deliveries(session, user, tenant, webhook_id, after, limit)
