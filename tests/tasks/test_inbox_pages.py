"""Inbox and instance listings page by cursor: every row once, in order, whatever the ties;
counts agree with the lists; a cursor that is not one the listing gave is refused."""

from datetime import timedelta

import pytest

from tests.conftest import deploy
from tests.support.api import ADMIN, API, complete, start, token
from tools.bpmn_builder import ProcessBuilder

UNIT = token("pa", "pages", ("unit",))
EXPERT = token("pe", "pages", ("experts",))


def fork_of_three() -> bytes:
    """Three tasks at once: one due in 3 working days, one without a due date, one for
    experts due in 10; the clock stays put, so many rows share created_at."""
    b = ProcessBuilder("fork", lanes=[("unit", "单位"), ("experts", "专家")], main=True)
    b.start("s", lane="unit")
    b.parallel_gateway("split", lane="unit")
    b.user_task("soon", "三日内", lane="unit", candidate_groups=["unit"], due="3WD")
    b.user_task("whenever", "不限期", lane="unit", candidate_groups=["unit"])
    b.user_task("review", "评审", lane="experts", candidate_groups=["experts"], due="10WD")
    b.parallel_gateway("join", lane="unit")
    b.end("e", lane="unit")
    for source, target in (("s", "split"), ("split", "soon"), ("split", "whenever"),
                           ("split", "review"), ("soon", "join"), ("whenever", "join"),
                           ("review", "join"), ("join", "e")):
        b.flow(source, target)
    return b.to_xml()


@pytest.fixture(autouse=True)
async def instances(client, ctx):
    assert (await deploy(client, "pages", {"fork.bpmn": fork_of_three()})).status_code == 201
    started = []
    for n in range(7):
        if n % 3 == 0:  # some instances later than others, most at the same moment
            ctx.clock.set(ctx.clock.now() + timedelta(hours=1))
        started.append(await start(client, "pages", UNIT, business_key=f"P{n}"))
    # Some history: completed tasks beside ready ones.
    for instance in started[:3]:
        await complete(client, instance, "soon", {}, UNIT)
    ctx.clock.set(ctx.clock.now() + timedelta(days=6))  # "soon" tasks now overdue
    return started


async def everything(client, path: str, params: dict, headers: dict) -> list[dict]:
    body = (await client.get(f"{API}{path}", params={**params, "limit": 500},
                             headers=headers)).json()
    assert body["next_cursor"] is None
    return body["items"]


async def by_cursor(client, path: str, params: dict, headers: dict, limit: int) -> list[dict]:
    seen, cursor = [], None
    for _ in range(100):
        query = {**params, "limit": limit} | ({"cursor": cursor} if cursor else {})
        response = await client.get(f"{API}{path}", params=query, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["items"]) <= limit
        if cursor is not None:
            assert body["next"] is None  # an offset means nothing after a cursor
        seen.extend(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return seen
    raise AssertionError("the cursor never reached the last page")


@pytest.mark.parametrize("sort", ["created_at", "-created_at", "due_at", "-due_at"])
@pytest.mark.parametrize("filters", [{}, {"state": "ready"}, {"candidate_group": "unit"},
                                     {"state": "completed"}])
@pytest.mark.parametrize("limit", [1, 2, 5])
async def test_cursor_pages_list_every_task_once_in_order(client, sort, filters, limit):
    params = {"tenant": "pages", "sort": sort, **filters}
    whole = await everything(client, "/tasks", params, ADMIN)
    assert whole  # the filters match something
    paged = await by_cursor(client, "/tasks", params, ADMIN, limit)
    assert [t["id"] for t in paged] == [t["id"] for t in whole]


async def test_tasks_sorted_by_due_date_put_tasks_without_one_last(client):
    for sort in ("due_at", "-due_at"):
        items = await by_cursor(client, "/tasks", {"tenant": "pages", "state": "ready",
                                                    "sort": sort}, ADMIN, 4)
        dues = [t["due_at"] for t in items]
        dated = [d for d in dues if d is not None]
        assert dues == dated + [None] * (len(dues) - len(dated))
        assert dated == sorted(dated, reverse=sort.startswith("-"))
        assert len(dated) < len(dues)


async def test_instances_page_by_cursor_newest_first(client, instances):
    whole = await everything(client, "/process-instances", {"tenant": "pages"}, UNIT)
    assert {i["id"] for i in whole} == {i["id"] for i in instances}
    for limit in (1, 3):
        paged = await by_cursor(client, "/process-instances", {"tenant": "pages"}, UNIT, limit)
        assert [i["id"] for i in paged] == [i["id"] for i in whole]
    created = [i["created_at"] for i in whole]
    assert created == sorted(created, reverse=True)


async def test_a_task_finished_between_pages_neither_repeats_nor_hides_another(client,
                                                                              instances):
    params = {"tenant": "pages", "state": "ready", "candidate_group": "unit", "limit": 3}
    first = (await client.get(f"{API}/tasks", params=params, headers=UNIT)).json()
    before = await everything(client, "/tasks", {k: v for k, v in params.items()
                                                 if k != "limit"}, UNIT)
    # Complete one task of the first page: with offsets the next page would skip a task.
    done = first["items"][0]
    answer = await client.post(f"{API}/tasks/{done['id']}/complete", json={"variables": {}},
                               headers=UNIT)
    assert answer.status_code == 200, answer.text
    rest = []
    cursor = first["next_cursor"]
    while cursor:
        body = (await client.get(f"{API}/tasks", params={**params, "cursor": cursor},
                                 headers=UNIT)).json()
        rest.extend(body["items"])
        cursor = body["next_cursor"]
    assert [t["id"] for t in first["items"]] + [t["id"] for t in rest] == \
        [t["id"] for t in before]


@pytest.mark.parametrize("filters", [{}, {"state": "ready"}, {"state": "completed"},
                                     {"candidate_group": "experts"}, {"overdue": "true"},
                                     {"overdue": "false"}, {"state": "ready", "sort": None},
                                     {"key": "soon", "assignee": "me"}])
async def test_counts_equal_the_lists(client, filters):
    filters = {k: v for k, v in filters.items() if v is not None}
    for headers in (UNIT, EXPERT, ADMIN):
        listed = await everything(client, "/tasks", {"tenant": "pages", **filters}, headers)
        counted = await client.get(f"{API}/tasks/count", params={"tenant": "pages", **filters},
                                   headers=headers)
        assert counted.status_code == 200, counted.text
        assert counted.json() == {"count": len(listed)}


async def test_overdue_lists_ready_tasks_past_their_due_date(client):
    overdue = await everything(client, "/tasks", {"tenant": "pages", "overdue": "true"}, UNIT)
    assert overdue
    assert {t["key"] for t in overdue} == {"soon"}
    assert all(t["state"] == "ready" for t in overdue)


async def test_counts_keep_to_the_callers_tenants(client):
    stranger = token("sx", "elsewhere", ("unit",))
    assert (await client.get(f"{API}/tasks/count", headers=stranger)).json() == {"count": 0}
    # As the list: another tenant's tasks are simply not the caller's to see.
    listed = await client.get(f"{API}/tasks", params={"tenant": "pages"}, headers=stranger)
    counted = await client.get(f"{API}/tasks/count", params={"tenant": "pages"},
                               headers=stranger)
    assert (listed.status_code, counted.status_code) == (200, 200)
    assert (listed.json()["items"], counted.json()) == ([], {"count": 0})


@pytest.mark.parametrize("cursor", ["nonsense", "bm9uc2Vuc2U=", "WzEsMiwzXQ==", "e30=",
                                    "x" * 301, "a b", "WyJkdWVfYXQiLG51bGwsIngiXQ=="])
async def test_a_cursor_the_listing_did_not_give_is_refused(client, cursor):
    for path in ("/tasks", "/process-instances"):
        response = await client.get(f"{API}{path}", params={"cursor": cursor}, headers=UNIT)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_cursor_of_another_sort_or_with_an_offset_is_refused(client):
    first = (await client.get(f"{API}/tasks", params={"tenant": "pages", "limit": 1},
                              headers=UNIT)).json()
    cursor = first["next_cursor"]
    other_sort = await client.get(f"{API}/tasks", params={"cursor": cursor, "sort": "due_at"},
                                  headers=UNIT)
    assert other_sort.status_code == 422
    both = await client.get(f"{API}/tasks", params={"cursor": cursor, "offset": 2},
                            headers=UNIT)
    assert both.status_code == 422
    assert "cursor" in both.json()["detail"]


@pytest.mark.parametrize("moment", ["2026-03-02T09:00:00", "2026-03-02T09:00:00+08:00",
                                    "9999-12-31T23:59:59", "0001-01-01T00:00:00+00:00"])
async def test_a_hand_made_cursor_with_any_moment_is_answered_not_a_500(client, moment):
    import base64
    import json

    for path, sort in (("/tasks", "created_at"), ("/tasks", "-due_at"),
                       ("/process-instances", "-created_at")):
        made = base64.urlsafe_b64encode(json.dumps([sort, moment, "abc"]).encode()).decode()
        params = {"cursor": made} | ({"sort": sort} if path == "/tasks" else {})
        response = await client.get(f"{API}{path}", params=params, headers=UNIT)
        assert response.status_code in (200, 422), response.text
