"""Tenant webhooks: signed deliveries from an outbox written with the change itself,
retried with back-off, logged; only tenant administrators manage them."""

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa
from govflow.commands import execute
from govflow.feed.signing import verify
from govflow.feed.worker import WebhookWorker
from govflow.store.tables import webhook_outbox

from tests.conftest import deploy, token
from tests.support.api import API, start
from tests.support.sample import linear

UNIT = token("ua", "demo", ("unit",))
BOSS = token("boss", "demo", (), admin=True)
OTHER_BOSS = token("oboss", "other", (), admin=True)
HOOKS = f"{API}/tenants/demo/webhooks"


@dataclass
class Receiver:
    """A local HTTP server that records what is POSTed and answers ``status``."""

    status: int = 204
    received: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    got = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            got.received.append({"headers": {k.lower(): v for k, v in self.headers.items()},
                                 "body": body})
            self.send_response(got.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    got.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    yield got
    server.shutdown()
    server.server_close()


@pytest.fixture
def local(ctx):
    """Tests reach their receiver on 127.0.0.1, and retry at once."""
    ctx.settings.webhook_allow_private_addresses = True
    ctx.settings.webhook_backoff_base_seconds = 0
    return ctx


async def _hook(client, url: str, kinds: list[str] | None = None) -> dict[str, Any]:
    assert (await deploy(client, "demo", {"linear.bpmn": linear(2)})).status_code == 201
    created = await client.post(HOOKS, headers=BOSS, json={"url": url, "kinds": kinds})
    assert created.status_code == 201, created.text
    return created.json()


async def _deliveries(client, hook_id: str) -> list[dict[str, Any]]:
    response = await client.get(f"{HOOKS}/{hook_id}/deliveries", headers=BOSS)
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_delivery_is_signed_and_its_signature_verifies(local, client, receiver):
    hook = await _hook(client, receiver.url)
    assert hook["secret"].startswith("whsec_")
    instance = await start(client, "demo", UNIT)
    assert await WebhookWorker(local).deliver_due() == 2
    assert len(receiver.received) == 2
    bodies = [json.loads(r["body"]) for r in receiver.received]
    assert sorted(b["event"] for b in bodies) == ["instance_started", "task_created"]
    assert {b["instance_id"] for b in bodies} == {instance["id"]}
    for got in receiver.received:
        headers = got["headers"]
        assert headers["x-govflow-signature"].startswith("sha256=")
        assert verify(hook["secret"], int(headers["x-govflow-timestamp"]), got["body"],
                      headers["x-govflow-signature"])
        assert not verify("whsec_wrong", int(headers["x-govflow-timestamp"]), got["body"],
                          headers["x-govflow-signature"])
        assert headers["x-govflow-event"] == json.loads(got["body"])["event"]
    log = await _deliveries(client, hook["id"])
    assert [(d["outcome"], d["status_code"], d["attempt"]) for d in log] == [
        ("delivered", 204, 1)] * 2
    # Delivered once: a second round sends nothing.
    assert await WebhookWorker(local).deliver_due() == 0
    # The secret is shown once: the listing leaves it out.
    listed = (await client.get(HOOKS, headers=BOSS)).json()
    assert [h["id"] for h in listed] == [hook["id"]]
    assert "secret" not in listed[0]


async def test_a_failing_receiver_is_retried_then_logged_as_failed(local, client, receiver):
    local.settings.webhook_max_attempts = 3
    receiver.status = 500
    hook = await _hook(client, receiver.url, kinds=["instance_started"])
    await start(client, "demo", UNIT)
    for _ in range(4):
        await WebhookWorker(local).deliver_due()
    assert len(receiver.received) == 3
    assert len({json.loads(r["body"])["delivery_id"] for r in receiver.received}) == 1
    log = await _deliveries(client, hook["id"])
    assert [(d["attempt"], d["status_code"], d["outcome"]) for d in log] == [
        (3, 500, "failed"), (2, 500, "retrying"), (1, 500, "retrying")]
    assert log[0]["error"] == "HTTP 500"
    assert log[0]["event"] == "instance_started"


async def test_the_back_off_grows_between_attempts(local, client, receiver):
    local.settings.webhook_backoff_base_seconds = 10
    receiver.status = 503
    await _hook(client, receiver.url, kinds=["instance_started"])
    await start(client, "demo", UNIT)
    worker = WebhookWorker(local)
    assert await worker.deliver_due() == 1
    assert await worker.deliver_due() == 0  # not due yet
    local.clock.advance(seconds=10)
    assert await worker.deliver_due() == 1
    local.clock.advance(seconds=10)
    assert await worker.deliver_due() == 0  # the second back-off is 20 s
    local.clock.advance(seconds=10)
    assert await worker.deliver_due() == 1


async def test_an_unreachable_receiver_is_logged_with_its_error(local, client, receiver):
    hook = await _hook(client, "http://127.0.0.1:9/nothing-listens", ["instance_started"])
    await start(client, "demo", UNIT)
    await WebhookWorker(local).deliver_due()
    log = await _deliveries(client, hook["id"])
    assert log[0]["status_code"] is None
    assert log[0]["outcome"] == "retrying"
    assert log[0]["error"]


@dataclass(frozen=True)
class _Claims:
    """Writes a history event through the unit of work, then fails (or not)."""

    instance: Any
    fail: bool

    async def run(self, uow: Any) -> None:
        await uow.record(self.instance, "ua", "task_claimed", task_id=None)
        if self.fail:
            raise RuntimeError("after the history insert")


async def test_a_rolled_back_change_delivers_nothing(local, client, receiver):
    await _hook(client, receiver.url, kinds=["task_claimed"])
    instance = await start(client, "demo", UNIT)
    row = SimpleNamespace(instance_id=instance["id"], tenant_id="demo")
    with pytest.raises(RuntimeError):
        await execute(local, _Claims(row, fail=True))
    async with local.sessions() as session:
        count = (await session.execute(sa.select(sa.func.count()).select_from(webhook_outbox)
                                       .where(webhook_outbox.c.event == "task_claimed"))).scalar()
    assert count == 0
    assert await WebhookWorker(local).deliver_due() == 0
    assert receiver.received == []
    # The same change committed is delivered.
    await execute(local, _Claims(row, fail=False))
    assert await WebhookWorker(local).deliver_due() == 1
    assert json.loads(receiver.received[0]["body"])["event"] == "task_claimed"


async def test_only_tenant_administrators_manage_webhooks(local, client, receiver):
    hook = await _hook(client, receiver.url)
    for method, url, body in (("POST", HOOKS, {"url": receiver.url}), ("GET", HOOKS, None),
                              ("DELETE", f"{HOOKS}/{hook['id']}", None),
                              ("GET", f"{HOOKS}/{hook['id']}/deliveries", None)):
        refused = await client.request(method, url, headers=UNIT, json=body)
        assert (refused.status_code, refused.json()["code"]) == (403, "auth.not_tenant_admin")
        foreign = await client.request(method, url, headers=OTHER_BOSS, json=body)
        assert (foreign.status_code, foreign.json()["code"]) == (404, "tenant.not_found")
    assert (await client.post(HOOKS, json={"url": receiver.url})).status_code == 401
    assert len((await client.get(HOOKS, headers=BOSS)).json()) == 1
    deleted = await client.delete(f"{HOOKS}/{hook['id']}", headers=BOSS)
    assert deleted.status_code == 204
    gone = await client.get(f"{HOOKS}/{hook['id']}/deliveries", headers=BOSS)
    assert (gone.status_code, gone.json()["code"]) == (404, "webhook.not_found")
    assert (await client.get(HOOKS, headers=BOSS)).json() == []


@pytest.mark.parametrize(("url", "code"), [
    ("ftp://example.com/hook", "webhook.url_invalid"),
    ("javascript:alert(1)", "webhook.url_invalid"),
    ("http://user:pw@example.com/", "webhook.url_invalid"),
    ("http://exa mple.com/", "webhook.url_invalid"),
    ("http://127.0.0.1:8080/hook", "webhook.url_not_allowed"),
    ("http://localhost/hook", "webhook.url_not_allowed"),
    ("http://10.1.2.3/hook", "webhook.url_not_allowed"),
    ("http://169.254.169.254/latest/meta-data", "webhook.url_not_allowed"),
    ("http://[::1]/hook", "webhook.url_not_allowed"),
    ("http://[::ffff:192.168.0.1]/hook", "webhook.url_not_allowed"),
])
async def test_bad_and_private_urls_are_refused(client, url, code):
    assert (await deploy(client, "demo", {"linear.bpmn": linear(2)})).status_code == 201
    refused = await client.post(HOOKS, headers=BOSS, json={"url": url})
    assert (refused.status_code, refused.json()["code"]) == (422, code), refused.text
    assert (await client.get(HOOKS, headers=BOSS)).json() == []


async def test_unknown_kinds_and_too_many_webhooks_are_refused(ctx, client):
    assert (await deploy(client, "demo", {"linear.bpmn": linear(2)})).status_code == 201
    bad = await client.post(HOOKS, headers=BOSS, json={"url": "https://example.com/h",
                                                       "kinds": ["task_created", "bogus"]})
    assert (bad.status_code, bad.json()["code"]) == (422, "events.kinds_invalid")
    ctx.settings.webhooks_per_tenant = 1
    assert (await client.post(HOOKS, headers=BOSS,
                              json={"url": "https://example.com/h"})).status_code == 201
    full = await client.post(HOOKS, headers=BOSS, json={"url": "https://example.com/2"})
    assert (full.status_code, full.json()["code"]) == (409, "webhook.too_many")


async def test_a_name_resolving_to_a_private_address_is_not_called(ctx, client, receiver):
    """Created while its name looked public, it is checked again before each delivery."""
    assert (await deploy(client, "demo", {"linear.bpmn": linear(2)})).status_code == 201
    created = await client.post(HOOKS, headers=BOSS, json={
        "url": receiver.url.replace("127.0.0.1", "127.0.0.1.nip.io.invalid"),
        "kinds": ["instance_started"]})
    assert created.status_code == 201
    from govflow.feed import urls
    original = urls.socket.getaddrinfo
    urls.socket.getaddrinfo = lambda *a, **k: [(2, 1, 6, "", ("127.0.0.1", 0))]  # type: ignore
    try:
        await start(client, "demo", UNIT)
        await WebhookWorker(ctx).deliver_due()
    finally:
        urls.socket.getaddrinfo = original
    assert receiver.received == []
    log = await _deliveries(client, created.json()["id"])
    assert "private" in log[0]["error"]
