"""Hostile diagram code through the API: refused at upload, or failing its step with 422
that names the element and the limit, leaving the instance as it was; and never holding
up the service while it runs."""

import asyncio
import threading
from datetime import UTC, datetime

import pytest
import pytest_asyncio
from govflow.engine import scripting
from govflow.main import build_context
from govflow.settings import Settings
from govflow.store.clock import FrozenClock

from tests.conftest import SECRET, app_for, deploy
from tests.diagrams.test_deploy import single_task
from tests.support.api import ADMIN, API, ready, start, token
from tools.bpmn_builder import ProcessBuilder
from tools.dmn_builder import DecisionTable, Input, Output, dmn_document


@pytest_asyncio.fixture
async def ctx(database):
    # A short CPU limit keeps the CPU bombs quick; the other limits are the defaults.
    settings = Settings(database_url=database.url, secret_key=SECRET,
                        load_bundled_diagrams=False, script_cpu_seconds=0.3,
                        script_step_cpu_seconds=0.6)
    context = build_context(settings, FrozenClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC)),
                            database.connect_args)
    yield context
    await context.engine.dispose()


@pytest_asyncio.fixture
async def client(ctx):
    import httpx

    transport = httpx.ASGITransport(app=app_for(ctx), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://govflow.test") as c:
        yield c


@pytest.mark.parametrize("script", [
    ("try:\n    1 / 0\nexcept Exception as e:\n    match e:\n"
    "        case Exception(__traceback__=tb):\n            g = tb.tb_frame.f_globals"),
    "g = (i for i in [1])\nf = g.gi_frame.f_back",
    "s = '{0.__init__.__globals__}'.format(len)",
    "@len\ndef f():\n    pass",
    "s = f'{1:999999999}'",
    "k = vars()",
    "x = ｇｌｏｂａｌｓ()",
    "x = " + "1 + " * 100_000 + "1",
])
async def test_escapes_are_refused_at_upload(client, script):
    response = await deploy(client, "escape", {"p.bpmn": single_task(script=script)})
    assert response.status_code == 422, response.text
    error = response.json()["errors"][0]
    assert (error["loc"], error["element"]) == ("p.bpmn", "calc")
    assert isinstance(error["line"], int)


async def _fails_unchanged(client, tenant: str, words: list[str], **files: bytes) -> dict:
    """Deploy, start, complete 'declare': the step fails with 422 naming ``words``; the
    instance reads back as before."""
    assert (await deploy(client, tenant, dict(files))).status_code in (200, 201)
    headers = token("ua", tenant, ("unit",))
    instance = await start(client, tenant, headers)
    response = await client.post(f"{API}/tasks/{ready(instance, 'declare')['id']}/complete",
                                 json={"variables": {}}, headers=headers)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    for word in words:
        assert word in detail, detail
    after = (await client.get(f"{API}/process-instances/{instance['id']}",
                              headers=headers)).json()
    assert (after["version"], after["state"], after["variables"]) == (
        instance["version"], "running", instance["variables"])
    assert [t["id"] for t in after["ready_tasks"]] == [t["id"] for t in instance["ready_tasks"]]
    return after


@pytest.mark.parametrize(("script", "setting"), [
    ("x = 10**10**10", "script_max_int_bits"),
    ("x = 1 << 10**10", "script_max_int_bits"),
    ("x = 'a' * 10**10", "script_max_string"),
    ("x = '%0999999999d' % 1", "script_max_string"),
    ("x = 'a'.ljust(10**10)", "script_max_string"),
    ("x = [0] * 10**9", "script_max_sequence"),
    ("x = [1]\nfor i in range(64):\n    x = x + x", "script_max_sequence"),
    ("x = [0] * 1000\ny = [x for _ in range(10**4)]", "script_max_sequence"),
    ("while True:\n    pass", "script_cpu_seconds"),
    ("f = lambda n: 0 if n == 0 else f(n - 1) + f(n - 1)\nx = f(60)", "script_cpu_seconds"),
])
async def test_a_script_bomb_fails_its_step_naming_element_and_limit(client, script, setting):
    await _fails_unchanged(client, f"bomb{abs(hash(script)) % 10**8}", ["calc", setting],
                           **{"p.bpmn": single_task(script=script)})


async def test_a_condition_bomb_fails_the_gateway(client):
    await _fails_unchanged(client, "condbomb", ["gw", "script_max_int_bits"],
                           **{"p.bpmn": single_task(condition="10**10**10 > 0")})


async def test_a_message_payload_bomb_fails_the_throw_event(client):
    b = ProcessBuilder("p", lanes=[("unit", "单位")])
    b.start("s")
    b.user_task("declare", "申报", candidate_groups=["unit"])
    b.message_throw("notify", "通知", message="m", expression="{'x': 'a' * 10**10}")
    b.end("e")
    b.flow("s", "declare")
    b.flow("declare", "notify")
    b.flow("notify", "e")
    await _fails_unchanged(client, "msgbomb", ["notify", "script_max_string"],
                           **{"p.bpmn": b.to_xml()})


async def test_a_diagram_looping_on_itself_stops_at_the_step_limit(client):
    b = ProcessBuilder("p", lanes=[("unit", "单位")])
    b.start("s")
    b.user_task("declare", "申报", candidate_groups=["unit"])
    b.script_task("calc", "计算", script="n = 1")
    b.exclusive_gateway("gw", default="Flow_out")
    b.end("e")
    b.flow("s", "declare")
    b.flow("declare", "calc")
    b.flow("calc", "gw")
    b.flow("gw", "calc", condition="True")
    b.flow("gw", "e", id="Flow_out")
    await _fails_unchanged(client, "loop", ["script_step_cpu_seconds"], **{"p.bpmn": b.to_xml()})


async def test_what_a_script_raises_is_reported_briefly(client):
    await _fails_unchanged(client, "raises", ["calc", "ValueError on line 2", "aaa..."],
                           **{"p.bpmn": single_task(script="x = 1\nraise ValueError('a' * 10**5)")})
    # An argument that is not plain text is not printed: it could be a structure whose
    # text is astronomically long.
    await _fails_unchanged(client, "raises2", ["calc", "ValueError", "not shown"],
                           **{"p.bpmn": single_task(script="raise ValueError([1, 2])")})
    await _fails_unchanged(client, "raises3", ["calc", "ValueError", "not shown"],
                           **{"p.bpmn": single_task(script=(
                               "e = [0]\nfor i in range(60):\n    e = ValueError(e, e)\n"
                               "raise e"))})


def _decision_set(entry: str) -> dict[str, bytes]:
    table = DecisionTable("route", "路由", [Input("金额", "amount", "integer")],
                          [Output("route", "路由")])
    table.rule([entry], ['"a"'], "规则")
    b = ProcessBuilder("p", lanes=[("unit", "单位")])
    b.start("s")
    b.user_task("declare", "申报", candidate_groups=["unit"])
    b.business_rule_task("decide", "判定", decision="route")
    b.end("e")
    b.flow("s", "declare")
    b.flow("declare", "decide")
    b.flow("decide", "e")
    return {"p.bpmn": b.to_xml(), "route.dmn": dmn_document("route_defs", "路由", [table])}


async def test_a_dmn_entry_bomb_fails_the_rule_task_and_the_evaluation_endpoint(client):
    files = _decision_set("> 10**10**10")
    # The task carries no amount yet: the input expression reads one the start did not set,
    # so give it through the completed task.
    assert (await deploy(client, "dmnbomb", files)).status_code in (200, 201)
    headers = token("ua", "dmnbomb", ("unit",))
    instance = await start(client, "dmnbomb", headers)
    response = await client.post(f"{API}/tasks/{ready(instance, 'declare')['id']}/complete",
                                 json={"variables": {"amount": 5}}, headers=headers)
    assert response.status_code == 422, response.text
    assert "decide" in response.json()["detail"]
    assert "script_max_int_bits" in response.json()["detail"]
    after = (await client.get(f"{API}/process-instances/{instance['id']}",
                              headers=headers)).json()
    assert after["version"] == instance["version"]
    evaluated = await client.post(f"{API}/tenants/dmnbomb/decisions/route/evaluate",
                                  json={"inputs": {"amount": 5}}, headers=ADMIN)
    assert evaluated.status_code == 422, evaluated.text
    assert "script_max_int_bits" in evaluated.json()["detail"]


@pytest.mark.parametrize(("script", "words"), [
    ("r = range(3)", "range"),
    ("s = {1, 2}", "set"),
    ("g = (i for i in [1, 2])", "generator"),
    ("n = float('nan')", "nan"),
    ("d = {1: 'a'}", "not a string"),
    ("e = 1\nfor i in range(60):\n    e = KeyError(e, e)\nd = {}\nd[e] = 1", "not a string"),
    ("x = []\nfor i in range(100):\n    x = [x]", "data_max_depth"),
    (("root = cur = []\nfor i in range(2000):\n    nxt = []\n    cur.append(nxt)\n"
     "    cur = nxt"), "data_max_depth"),
    ("loop = []\nloop.append(loop)", "data_max_depth"),
    (f"{'v' * 201} = 1", "longer than 200"),
])
async def test_data_that_is_not_json_fails_the_step(client, script, words):
    await _fails_unchanged(client, f"unsafe{abs(hash(script)) % 10**8}", ["calc", words],
                           **{"p.bpmn": single_task(script=script)})


async def test_a_tuple_is_stored_as_a_list(client):
    assert (await deploy(client, "tuple", {"p.bpmn": single_task(
        script="t = (1, 'a')")})).status_code in (200, 201)
    headers = token("ua", "tuple", ("unit",))
    instance = await start(client, "tuple", headers)
    response = await client.post(f"{API}/tasks/{ready(instance, 'declare')['id']}/complete",
                                 json={"variables": {}}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "completed"
    history = await client.get(f"{API}/process-instances/{instance['id']}/history",
                               headers=headers)
    assert history.status_code == 200


async def test_start_variables_nested_too_deep_are_refused_and_nothing_is_stored(client):
    assert (await deploy(client, "deep", {"p.bpmn": single_task()})).status_code in (200, 201)
    headers = token("ua", "deep", ("unit",))
    nested: dict = {}
    for _ in range(300):
        nested = {"a": nested}
    response = await client.post(f"{API}/tenants/deep/process-instances",
                                 json={"variables": {"x": nested}}, headers=headers)
    assert response.status_code == 422, response.text
    listed = await client.get(f"{API}/process-instances", params={"tenant": "deep"},
                              headers=headers)
    assert listed.status_code == 200
    assert listed.json()["items"] == []


async def test_a_slow_script_does_not_hold_up_healthz(client, monkeypatch):
    """The step runs in a worker thread: /healthz answers while the script spins."""
    assert (await deploy(client, "slow", {"p.bpmn": single_task(
        script="while True:\n    pass")})).status_code in (200, 201)
    headers = token("ua", "slow", ("unit",))
    instance = await start(client, "slow", headers)
    running = threading.Event()
    execute = scripting.RestrictedEnvironment.execute

    finished: list[str] = []

    def spy(self, script, context, external_context=None):
        running.set()
        try:
            return execute(self, script, context, external_context)
        finally:
            finished.append("script")

    monkeypatch.setattr(scripting.RestrictedEnvironment, "execute", spy)

    async def slow() -> None:
        response = await client.post(
            f"{API}/tasks/{ready(instance, 'declare')['id']}/complete",
            json={"variables": {}}, headers=headers)
        assert response.status_code == 422

    async def health() -> None:
        # Only once the script runs; on a blocked event loop this line waits for it to end.
        assert await asyncio.to_thread(running.wait, 30)
        assert (await client.get("/healthz")).status_code == 200
        finished.append("healthz")

    await asyncio.gather(slow(), health())
    assert finished == ["healthz", "script"]



@pytest.mark.parametrize("tag", ["loopCardinality", "completionCondition"])
async def test_multi_instance_expressions_are_checked_at_upload(client, tag):
    loop = (f"<bpmn:multiInstanceLoopCharacteristics><bpmn:{tag}>vars()</bpmn:{tag}>"
            "</bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>").encode()
    xml = single_task().replace(b"</bpmn:userTask>", loop, 1)
    response = await deploy(client, "multi", {"p.bpmn": xml})
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["element"] == "declare"
    assert "vars" in response.json()["errors"][0]["msg"]
