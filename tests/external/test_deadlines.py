"""An external task with a deadline: when the boundary timer fires first, the task is
cancelled and the worker that still holds it finds nothing to complete."""

from govflow.timers.worker import Worker

from tests.conftest import deploy
from tests.external.test_external_tasks import ADMIN, API, BASE, WORKER, fetch, post
from tests.support.api import history, start
from tools.bpmn_builder import ProcessBuilder

TENANT = "ext"


def tender_process() -> bytes:
    b = ProcessBuilder("tender", name="招标", lanes=[("hub", "大数据局")])
    b.start("start", "开始")
    b.service_task("open_tender", "发布招标公告", topic="procurement", priority=5)
    b.boundary_timer("too_late", "超时", attached_to="open_tender", duration="P1D")
    b.end("opened", "已发布", outcome="opened")
    b.end("timed_out", "超时未发布", outcome="timed_out")
    b.flow("start", "open_tender")
    b.flow("open_tender", "opened")
    b.flow("too_late", "timed_out")
    return b.to_xml()


async def test_a_boundary_timer_cancels_the_external_task_its_worker_holds(client, ctx):
    response = await deploy(client, TENANT, {"tender.bpmn": tender_process()})
    assert response.status_code == 201, response.text
    started = await start(client, TENANT, ADMIN, business_key="T-1")
    [task] = await fetch(client, topic="procurement", lock=20 * 3600 * 1000)
    assert task["priority"] == 5
    ctx.clock.advance(days=2)
    assert await Worker(ctx, "test").fire_due() == 1
    got = (await client.get(f"{API}/process-instances/{started['id']}", headers=ADMIN)).json()
    assert (got["state"], got["outcome"]) == ("completed", "timed_out")
    assert (await client.get(BASE, headers=WORKER)).json()["items"] == []
    late = await post(client, task["id"], "complete", {"worker_id": "w1"})
    assert late.status_code == 404
    events = [e["event"] for e in await history(client, started["id"])]
    assert "deadline_passed" in events
    assert "external_task_completed" not in events


async def test_the_process_view_lists_its_external_tasks_for_whoever_sets_up_workers(client):
    response = await deploy(client, TENANT, {"tender.bpmn": tender_process()})
    assert response.status_code == 201, response.text
    meta = await client.get(f"{API}/diagram-sets/{response.json()['id']}/processes/tender",
                            headers=ADMIN)
    assert meta.status_code == 200, meta.text
    assert meta.json()["external_tasks"] == [
        {"element_id": "open_tender", "name": "发布招标公告", "topic": "procurement",
         "priority": 5, "outputs": []}]
    assert meta.json()["tasks"] == []
