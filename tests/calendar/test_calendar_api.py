"""The calendar over HTTP and the CLI: read any year, an admin loads or corrects one.

2031 stands for "next year": the package only estimates it (statutory days moved off
weekends, 10-01..03 for 国庆). The arrangement loaded below is made up for the test, in the
shape of a real notice: 10-01..07 off, Sunday 09-28 and Saturday 10-11 worked.
"""

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import httpx
import pytest
from govflow.calendar.service import load_calendar

from tests.conftest import ADMIN, token

API = "/api/v1"
READER = token("reader", "demo", ("unit",))
NOT_ADMIN = token("boss", "*", ("unit",))

NOTICE = "国办发明电〔2030〕9号"
NATIONAL_DAY = [f"2031-10-0{d}" for d in range(1, 8)]
ARRANGEMENT_2031 = {
    "days_off": ["2031-01-01", *NATIONAL_DAY],
    "make_up_workdays": ["2031-09-28", "2031-10-11"],
    "source": NOTICE,
}


@pytest.fixture
def api(client) -> httpx.AsyncClient:
    """The client; each test has a database of its own, so it starts from the package's
    data alone."""
    return client


async def _working_days(api: httpx.AsyncClient, start: str, days: int) -> dict:
    response = await api.get(f"{API}/calendar/working-days",
                             params={"start": start, "days": days}, headers=READER)
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_package_year_is_official(api):
    response = await api.get(f"{API}/calendar/years/2026", headers=READER)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["year"], body["official"], body["source"]) == (2026, True, "holidays package")
    assert "2026-10-01" in body["days_off"]
    assert "2026-10-10" in body["make_up_workdays"]
    assert body["days_off"] == sorted(body["days_off"])


async def test_a_year_without_a_notice_is_estimated(api):
    body = (await api.get(f"{API}/calendar/years/2031", headers=READER)).json()
    assert (body["official"], body["source"], body["notice"]) == (False, "estimated", None)
    assert "2031-10-01" in body["days_off"]
    assert body["make_up_workdays"] == []


async def test_reading_needs_a_token_and_a_year_in_range(api):
    assert (await api.get(f"{API}/calendar/years/2026")).status_code == 401
    response = await api.get(f"{API}/calendar/years/1800", headers=READER)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == "path.year"


async def test_an_admin_loads_next_year_and_counting_uses_it(api, ctx):
    before = await _working_days(api, "2031-09-29", 10)
    # Estimated: 10-01..03 off only: 09-30, 10-06..10, 10-13..16.
    assert (before["due"], before["estimated"]) == ("2031-10-16", True)

    response = await api.put(f"{API}/calendar/years/2031", json=ARRANGEMENT_2031, headers=ADMIN)
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["year"], body["official"], body["source"], body["notice"]) == \
        (2031, True, "loaded by root", NOTICE)
    assert body["days_off"] == ["2031-01-01", *NATIONAL_DAY]
    assert body["make_up_workdays"] == ["2031-09-28", "2031-10-11"]
    assert body["loaded_at"].startswith("2026-03-02T09:00:00")

    assert (await api.get(f"{API}/calendar/years/2031", headers=READER)).json() == body
    after = await _working_days(api, "2031-09-29", 10)
    # Loaded: 09-30, 10-08, 10-09, 10-10, Saturday 10-11, 10-13..17.
    assert after == {"start": "2031-09-29", "days": 10, "due": "2031-10-17", "estimated": False}
    due = (await api.get(f"{API}/calendar/due", headers=READER,
                         params={"spec": "10WD", "start": "2031-09-29T09:00:00+08:00"})).json()
    assert (due["due_day"], due["estimated"]) == ("2031-10-17", False)
    assert ctx.calendar.known_year(2031)


async def test_a_correction_replaces_the_loaded_year(api):
    first = await api.put(f"{API}/calendar/years/2031", json=ARRANGEMENT_2031, headers=ADMIN)
    assert first.status_code == 201
    corrected = {**ARRANGEMENT_2031, "make_up_workdays": ["2031-09-28"],
                 "source": "国办发明电〔2030〕10号"}
    second = await api.put(f"{API}/calendar/years/2031", json=corrected, headers=ADMIN)
    assert second.status_code == 200, second.text
    assert (second.json()["make_up_workdays"], second.json()["notice"]) == \
        (["2031-09-28"], "国办发明电〔2030〕10号")
    # Without Saturday 10-11: 09-30, 10-08..10, 10-13..17, 10-20.
    assert (await _working_days(api, "2031-09-29", 10))["due"] == "2031-10-20"


async def test_only_admins_load_or_delete(api):
    response = await api.put(f"{API}/calendar/years/2031", json=ARRANGEMENT_2031,
                             headers=NOT_ADMIN)
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert (await api.delete(f"{API}/calendar/years/2031", headers=NOT_ADMIN)).status_code == 403
    assert (await api.get(f"{API}/calendar/years/2031", headers=READER)).json()["official"] is False


@pytest.mark.parametrize(("field", "values", "loc", "named"), [
    ("days_off", ["2031-01-01", "2032-01-01"], "body.days_off.1", "2032-01-01"),
    ("days_off", ["2031-02-30"], "body.days_off.0", "2031-02-30"),
    ("days_off", ["2031/10/01"], "body.days_off.0", "2031/10/01"),
    ("make_up_workdays", ["2031-09-28", "2031-09-30"], "body.make_up_workdays.1", "2031-09-30"),
    ("make_up_workdays", ["2031-10-04"], "body.make_up_workdays.0", "2031-10-04"),
])
async def test_a_bad_date_is_422_naming_field_and_date(api, field, values, loc, named):
    body = {**ARRANGEMENT_2031, field: values}
    response = await api.put(f"{API}/calendar/years/2031", json=body, headers=ADMIN)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["errors"][0]["loc"] == loc
    assert named in problem["errors"][0]["msg"]
    assert (await api.get(f"{API}/calendar/years/2031", headers=READER)).json()["official"] is False


async def test_an_arrangement_needs_days_off_and_a_source(api):
    empty = await api.put(f"{API}/calendar/years/2031", headers=ADMIN,
                          json={**ARRANGEMENT_2031, "days_off": []})
    assert (empty.status_code, empty.json()["errors"][0]["loc"]) == (422, "body.days_off")
    unsourced = await api.put(f"{API}/calendar/years/2031", headers=ADMIN,
                              json={**ARRANGEMENT_2031, "source": "  "})
    assert (unsourced.status_code, unsourced.json()["errors"][0]["loc"]) == (422, "body.source")


async def test_delete_reverts_to_the_package(api, ctx):
    await api.put(f"{API}/calendar/years/2031", json=ARRANGEMENT_2031, headers=ADMIN)
    response = await api.delete(f"{API}/calendar/years/2031", headers=ADMIN)
    assert response.status_code == 200, response.text
    assert (response.json()["official"], response.json()["source"]) == (False, "estimated")
    assert await _working_days(api, "2031-09-29", 10) == \
        {"start": "2031-09-29", "days": 10, "due": "2031-10-16", "estimated": True}
    assert not ctx.calendar.known_year(2031)
    again = await api.delete(f"{API}/calendar/years/2031", headers=ADMIN)
    assert again.status_code == 404
    assert again.headers["content-type"] == "application/problem+json"


async def test_a_package_year_can_be_corrected_and_restored(api):
    # 2026 as the package has it, but with Saturday 10-10 a day off after all.
    package = (await api.get(f"{API}/calendar/years/2026", headers=READER)).json()
    corrected = {"days_off": package["days_off"],
                 "make_up_workdays": [d for d in package["make_up_workdays"] if d != "2026-10-10"],
                 "source": "更正"}
    assert (await api.put(f"{API}/calendar/years/2026", json=corrected,
                          headers=ADMIN)).status_code == 201
    # 国庆 2026-10-01..07 off: 09-29, 09-30, 10-08, 10-09, then 10-12 (not Saturday 10-10).
    assert (await _working_days(api, "2026-09-28", 5))["due"] == "2026-10-12"
    restored = await api.delete(f"{API}/calendar/years/2026", headers=ADMIN)
    assert restored.json()["source"] == "holidays package"
    assert (await _working_days(api, "2026-09-28", 5))["due"] == "2026-10-10"


async def test_load_calendar_builds_every_loaded_year(api, ctx):
    await api.put(f"{API}/calendar/years/2031", json=ARRANGEMENT_2031, headers=ADMIN)
    async with ctx.sessions() as session:
        calendar = await load_calendar(session)
    assert calendar.known_year(2031)
    assert not calendar.known_year(2032)
    assert calendar.arrangement(2031) == ctx.calendar.arrangement(2031)
    assert calendar.add_working_days(date(2031, 9, 29), 10) == date(2031, 10, 17)


async def test_working_days_validates_its_query(api):
    response = await api.get(f"{API}/calendar/working-days", headers=READER,
                             params={"start": "2026-09-28", "days": 0})
    assert (response.status_code, response.json()["errors"][0]["loc"]) == (422, "query.days")


async def test_due_counts_working_days_from_the_start_in_beijing(api):
    response = await api.get(f"{API}/calendar/due", headers=READER,
                             params={"spec": "10WD", "start": "2026-09-28T09:00+08:00"})
    assert response.status_code == 200, response.text
    # 23:59:59.999999 in Beijing on the due day, in UTC.
    assert response.json() == {"due_at": "2026-10-16T15:59:59.999999Z",
                               "due_day": "2026-10-16", "estimated": False}


async def test_due_with_plan_year(api):
    response = await api.get(f"{API}/calendar/due", headers=READER, params={
        "spec": "--09-30@plan_year-1", "start": "2026-03-02T09:00+08:00", "plan_year": 2027})
    assert response.json()["due_day"] == "2026-09-30"
    missing = await api.get(f"{API}/calendar/due", headers=READER, params={
        "spec": "--09-30@plan_year-1", "start": "2026-03-02T09:00+08:00"})
    assert (missing.status_code, missing.json()["errors"][0]["loc"]) == (422, "query.plan_year")


async def test_due_rejects_a_bad_spec_and_a_naive_start(api):
    response = await api.get(f"{API}/calendar/due", headers=READER,
                             params={"spec": "10 days", "start": "2026-09-28T09:00+08:00"})
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["loc"] == "query.spec"
    assert error["msg"].startswith("Invalid deadline '10 days'")
    assert "Accepted forms" in error["msg"]
    naive = await api.get(f"{API}/calendar/due", headers=READER,
                          params={"spec": "10WD", "start": "2026-09-28T09:00"})
    assert (naive.status_code, naive.json()["errors"][0]["loc"]) == (422, "query.start")


def _govflow(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "govflow", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def test_cli_loads_and_shows_a_year(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVFLOW_")}
    env["GOVFLOW_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    assert _govflow("db", "upgrade", cwd=tmp_path, env=env).returncode == 0
    (tmp_path / "2031.json").write_text(json.dumps(ARRANGEMENT_2031, ensure_ascii=False),
                                        encoding="utf-8")

    loaded = _govflow("calendar", "load", "2031", "2031.json", cwd=tmp_path, env=env)
    assert loaded.returncode == 0, loaded.stderr
    body = json.loads(loaded.stdout)
    assert (body["created"], body["official"], body["source"], body["notice"]) == \
        (True, True, "loaded by cli", NOTICE)

    shown = _govflow("calendar", "show", "2031", cwd=tmp_path, env=env)
    assert shown.returncode == 0, shown.stderr
    body = json.loads(shown.stdout)
    assert (body["official"], body["days_off"], body["make_up_workdays"]) == \
        (True, ARRANGEMENT_2031["days_off"], ARRANGEMENT_2031["make_up_workdays"])
    assert json.loads(_govflow("calendar", "show", "2032", cwd=tmp_path,
                               env=env).stdout)["source"] == "estimated"

    (tmp_path / "bad.json").write_text(json.dumps({**ARRANGEMENT_2031,
                                                   "days_off": ["2032-01-01"]}))
    refused = _govflow("calendar", "load", "2031", "bad.json", cwd=tmp_path, env=env)
    assert refused.returncode == 1
    problem = json.loads(refused.stderr)
    assert problem["errors"][0]["loc"] == "bad.json.days_off.0"
    assert "2032-01-01" in problem["errors"][0]["msg"]
