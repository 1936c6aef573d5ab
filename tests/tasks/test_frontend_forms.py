"""Forms a front end renders with react-jsonschema-form as served: Chinese option labels,
a ui_schema (order and widgets), defaults, formats enforced, the start form before an
instance exists, and field errors with codes in English and Chinese."""

import pytest

from tests.conftest import deploy
from tests.support.api import ADMIN, API, ready, start, token
from tools.bpmn_builder import Field, ProcessBuilder

UNIT = token("ua", "ff", ("unit",))
HUB = token("ha", "ff", ("hub",))
OTHER = token("xa", "elsewhere", ("unit",))
ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}
START_FIELDS = [
    Field("project_name", "string", label="项目名称", required=True, maxlength=100),
    Field("category", "enum", label="项目类别", required=True,
          values={"engineering": "工程类", "goods": "货物类", "services": "服务类"}),
    Field("secret", "boolean", label="是否涉密"),
    Field("crypto_relevant", "boolean", label="是否涉及密码应用", required=True),
    Field("submitted_on", "date", label="申报日期", required=True),
    Field("background", "string", label="建设背景", maxlength=2000),
    Field("plan_year", "long", label="计划年度", default=2027),
]
REVIEW_FIELDS = [
    Field("approved", "boolean", label="是否同意", required=True),
    Field("opinion", "string", label="审查意见", required=True),
    Field("level", "enum", label="审查级别", values={"county": "县级", "city": "市级"},
          default="county"),
    Field("summary", "string", label="摘要", widget="textarea"),
]
START_OK = {"project_name": "政务云迁移", "category": "services", "crypto_relevant": False,
            "submitted_on": "2027-03-01"}


def forms_process() -> bytes:
    b = ProcessBuilder("project", name="项目审批", lanes=[("unit", "建设单位"), ("hub", "数据局")],
                       main=True)
    b.start("s", "申报", lane="unit", form=START_FIELDS)
    b.user_task("review", "审查", lane="hub", candidate_groups=["hub"], form=REVIEW_FIELDS)
    b.end("e", "结束", lane="hub", outcome="accepted")
    b.flow("s", "review")
    b.flow("review", "e")
    return b.to_xml()


@pytest.fixture(autouse=True)
async def deployed(client):
    response = await deploy(client, "ff", {"project.bpmn": forms_process()})
    assert response.status_code == 201, response.text


async def test_the_start_form_is_served_before_any_instance_exists(client):
    response = await client.get(f"{API}/tenants/ff/processes/project/start-form", headers=UNIT)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["process_id"], body["process_name"]) == ("project", "项目审批")
    form, ui = body["form"], body["ui_schema"]
    assert form["required"] == ["project_name", "category", "crypto_relevant", "submitted_on"]
    # Options are plain enum values (no oneOf of consts, whose first option the renderer
    # would pre-select); their Chinese names are in the ui_schema, in the same order.
    assert form["properties"]["category"] == {
        "type": "string", "enum": ["engineering", "goods", "services"], "title": "项目类别"}
    assert ui["category"] == {"ui:widget": "select", "ui:enumNames": ["工程类", "货物类", "服务类"]}
    assert form["properties"]["submitted_on"] == {"type": "string", "format": "date",
                                                  "title": "申报日期"}
    # An optional yes/no defaults to no; a required one carries no answer of ours.
    assert form["properties"]["secret"]["default"] is False
    assert form["properties"]["crypto_relevant"] == {"type": "boolean", "title": "是否涉及密码应用"}
    assert form["properties"]["plan_year"]["default"] == 2027
    assert ui["ui:order"] == [f.id for f in START_FIELDS]
    assert ui["secret"] == {"ui:widget": "radio", "ui:enumNames": ["是", "否"]}
    assert ui["submitted_on"] == {"ui:widget": "date"}
    assert ui["background"] == {"ui:widget": "textarea"}  # maxlength over 200
    assert "project_name" not in ui  # a line of text: the renderer's default input


async def test_the_start_form_refuses_strangers_and_unknown_processes(client):
    stranger = await client.get(f"{API}/tenants/ff/processes/project/start-form",
                                headers=OTHER)
    assert (stranger.status_code, stranger.json()["code"]) == (404, "tenant.not_found")
    unknown = await client.get(f"{API}/tenants/ff/processes/nope/start-form", headers=UNIT)
    assert (unknown.status_code, unknown.json()["code"]) == (404, "process.not_found")
    await client.put(f"{API}/tenants/empty", json={"name": "空"}, headers=ADMIN)
    empty = await client.get(f"{API}/tenants/empty/processes/project/start-form",
                             headers=ADMIN)
    assert (empty.status_code, empty.json()["code"]) == (409, "tenant.no_active_set")


async def test_the_start_form_is_enforced_at_start_with_formats(client):
    response = await client.post(
        f"{API}/tenants/ff/process-instances", headers=UNIT,
        json={"variables": {**START_OK, "submitted_on": "not-a-date", "category": "food"}})
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "form.invalid"
    errors = {e["field"]: e for e in problem["errors"]}
    assert set(errors) == {"submitted_on", "category"}
    assert (errors["submitted_on"]["code"], errors["submitted_on"]["loc"]) == (
        "format", "variables.submitted_on")
    assert errors["category"]["code"] == "one_of"
    impossible = await client.post(
        f"{API}/tenants/ff/process-instances", headers=UNIT,
        json={"variables": {**START_OK, "submitted_on": "2027-02-30"}})
    assert impossible.status_code == 422
    assert impossible.json()["errors"][0]["field"] == "submitted_on"
    started = await client.post(f"{API}/tenants/ff/process-instances", headers=UNIT,
                                json={"variables": START_OK})
    assert started.status_code == 201, started.text


async def test_a_task_form_comes_with_its_ui_schema(client):
    instance = await start(client, "ff", UNIT, variables=START_OK)
    task = ready(instance, "review")
    detail = (await client.get(f"{API}/tasks/{task['id']}", headers=HUB)).json()
    assert detail["form"]["properties"]["level"]["default"] == "county"
    assert detail["ui_schema"] == {
        "ui:order": ["approved", "opinion", "level", "summary"],
        "approved": {"ui:widget": "radio", "ui:enumNames": ["是", "否"]},
        "opinion": {"ui:widget": "textarea"},
        "level": {"ui:widget": "select", "ui:enumNames": ["县级", "市级"]},
        "summary": {"ui:widget": "textarea"}}
    metadata = (await client.get(
        f"{API}/diagram-sets/{instance['diagram_set_id']}/processes/project",
        headers=HUB)).json()
    assert metadata["tasks"][0]["ui_schema"] == detail["ui_schema"]
    assert metadata["start_ui_schema"]["ui:order"][0] == "project_name"
    assert metadata["start_form"]["required"][0] == "project_name"


async def test_an_untouched_form_names_only_the_unanswered_required_fields(client):
    """What a user who submits at once sees: one error per required field, nothing for
    fields that have a default or may stay empty, each in both languages."""
    instance = await start(client, "ff", UNIT, variables=START_OK)
    task = ready(instance, "review")
    # What react-jsonschema-form submits untouched when required yes/no questions are left
    # open (requiredBooleanDefault: 'skip', as docs/frontend.md advises for reviews).
    untouched = {"level": "county", "summary": ""}
    english = await client.post(f"{API}/tasks/{task['id']}/complete", headers=HUB,
                                json={"variables": untouched})
    chinese = await client.post(f"{API}/tasks/{task['id']}/complete",
                                headers={**HUB, **ZH}, json={"variables": untouched})
    assert english.status_code == chinese.status_code == 422
    en, zh = english.json(), chinese.json()
    assert [(e["field"], e["code"]) for e in en["errors"]] == [
        ("approved", "required"), ("opinion", "required")]
    assert [e["message"] for e in en["errors"]] == ["is required", "is required"]
    assert [e["message"] for e in zh["errors"]] == ["必填", "必填"]
    assert (zh["title"], zh["code"]) == ("输入无效", "form.invalid")
    assert zh["detail"] == "提交的变量不符合表单：2 处错误"
    assert chinese.headers["content-language"] == "zh-CN"
    assert "approved" in en["detail"]
    assert "opinion" in en["detail"]


async def test_a_wrong_value_is_named_once_with_the_options_in_chinese(client):
    instance = await start(client, "ff", UNIT, variables=START_OK)
    task = ready(instance, "review")
    response = await client.post(
        f"{API}/tasks/{task['id']}/complete", headers={**HUB, **ZH},
        json={"variables": {"approved": "yes", "opinion": "同意", "level": "province"}})
    assert response.status_code == 422
    errors = {e["field"]: e for e in response.json()["errors"]}
    assert (errors["approved"]["code"], errors["approved"]["message"]) == (
        "type", "类型不对：应为是或否")
    assert errors["level"]["message"] == "不是可选值之一（可选：county、city）"
    done = await client.post(f"{API}/tasks/{task['id']}/complete", headers=HUB,
                             json={"variables": {"approved": True, "opinion": "同意"}})
    assert done.status_code == 200, done.text


async def test_an_unknown_widget_is_refused_at_upload(client):
    b = ProcessBuilder("bad", lanes=[("unit", "单位")], main=True)
    b.start("s", form=[Field("x", "string", widget="slider")])
    b.end("e")
    b.flow("s", "e")
    response = await deploy(client, "ff", {"bad.bpmn": b.to_xml()})
    assert response.status_code == 422
    assert response.json()["code"] == "diagram.invalid"
    assert "slider" in response.json()["detail"]
