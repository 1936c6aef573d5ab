"""Every Problem carries a stable ``code`` from the documented list, and speaks Chinese when
Accept-Language asks for it."""

import ast
import re
import string
from pathlib import Path

import govflow
import pytest
from govflow.errors import language
from govflow.problem_codes import CODES, FIELD_CODES

from tests.conftest import deploy
from tests.support.api import ADMIN, API, start, token
from tests.support.sample import sample_set

PACKAGE = Path(govflow.__file__).parent
CONTRACT = Path(__file__).parents[1] / "docs" / "contract.md"
ERRORS = {"DomainError", "Invalid", "NotFound", "Forbidden", "Conflict", "Unauthorized",
          "EngineFailure", "PayloadTooLarge", "TooManyRequests", "Unavailable"}
UNIT = token("ua", "demo", ("unit",))
EXPERT = token("ea", "demo", ("experts",))
ZH = {"Accept-Language": "zh-CN"}


def _calls() -> list[tuple[str, int, ast.Call]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                found.append((str(path.relative_to(PACKAGE)), node.lineno, node))
    return found


def test_every_raise_site_names_a_documented_code():
    missing, unknown, seen = [], [], set()
    for where, line, call in _calls():
        name = call.func.id  # type: ignore[attr-defined]
        if name in ERRORS:
            code = next((k.value for k in call.keywords if k.arg == "code"), None)
        elif name == "require_visible":
            code = call.args[3] if len(call.args) > 3 else None
        else:
            continue
        if isinstance(code, ast.Name) and (where, code.id) == ("auth/permissions.py", "code"):
            continue  # require_visible passes on its caller's code, checked above
        if not isinstance(code, ast.Constant):
            missing.append(f"{where}:{line}")
        elif code.value not in CODES:
            unknown.append(f"{where}:{line} {code.value}")
        else:
            seen.add(code.value)
    assert missing == [], "raise sites without a code"
    assert unknown == [], "codes not in problem_codes.CODES"
    # The handlers' own codes (errors.py) are chosen at run time: request.invalid, http.*.
    handler_codes = {"request.invalid", "http.not_found", "http.method_not_allowed",
                     "http.error"}
    assert set(CODES) - seen - handler_codes == set(), "codes no raise site uses"


def test_every_code_is_documented_in_the_contract():
    contract = CONTRACT.read_text(encoding="utf-8")
    section = contract[contract.index("## Problem codes"):]
    section = section[:section.find("\n## ", 1)] if "\n## " in section[1:] else section
    listed = set(re.findall(r"^\| `([a-z_.]+)` \|", section, flags=re.MULTILINE))
    assert listed == set(CODES)
    assert set(re.findall(r"`([a-z_]+)`", section.split("Field codes")[1])) >= set(FIELD_CODES)


def test_every_chinese_template_is_chinese_and_well_formed():
    for code, entry in CODES.items():
        assert re.search(r"[\u4e00-\u9fff]", entry.title_zh), code
        assert re.search(r"[\u4e00-\u9fff]|\{detail\}", entry.detail_zh), code
        names = [name for _, name, _, _ in string.Formatter().parse(entry.detail_zh) if name]
        assert all(name.isidentifier() for name in names), code


@pytest.mark.parametrize(("header", "expected"), [
    ("zh-CN", "zh"), ("zh", "zh"), ("zh-Hans-CN,zh;q=0.9", "zh"), ("en-US,en;q=0.9", "en"),
    ("en;q=0.9,zh-CN;q=0.95", "zh"), ("zh;q=0.5,en", "en"), (None, "en"), ("fr", "en"),
    ("zh;q=abc", "en"), (";;,,", "en"),
])
def test_accept_language_picks_chinese_only_when_preferred(header, expected):
    assert language(header) == expected


async def _problems(client) -> dict[str, tuple]:
    """One request per kind a front end meets every day: (response, expected code)."""
    assert (await deploy(client, "demo", sample_set())).status_code == 201
    instance = await start(client, "demo", UNIT, business_key="P-1")
    task = instance["ready_tasks"][0]["id"]
    zero = "00000000-0000-0000-0000-000000000000"
    return {
        "auth.token_missing": ("GET", f"{API}/tasks", {}, None),
        "auth.token_invalid": ("GET", f"{API}/tasks", {"Authorization": "Bearer x.y.z"}, None),
        "auth.not_tenant_admin": ("POST", f"{API}/process-instances/{instance['id']}/suspend",
                                  UNIT, None),
        "task.not_found": ("GET", f"{API}/tasks/{zero}", UNIT, None),
        "task.not_candidate": ("POST", f"{API}/tasks/{task}/complete", EXPERT,
                               {"variables": {}}),
        "form.invalid": ("POST", f"{API}/tasks/{task}/complete", UNIT,
                         {"variables": {"plan_year": "soon"}}),
        "request.invalid": ("GET", f"{API}/tasks", {**UNIT}, None, {"limit": "many"}),
        "instance.not_found": ("GET", f"{API}/process-instances/{zero}", UNIT, None),
        "tenant.not_found": ("GET", f"{API}/tenants/nowhere", UNIT, None),
        "http.not_found": ("GET", "/api/v1/no-such-thing", UNIT, None),
        "http.method_not_allowed": ("DELETE", f"{API}/tasks", UNIT, None),
        "decision.not_found": ("POST", f"{API}/tenants/demo/decisions/nope/evaluate", UNIT,
                               {"inputs": {}}),
        "pagination.cursor_invalid": ("GET", f"{API}/tasks", UNIT, None, {"cursor": "abc"}),
    }


async def test_problems_carry_their_code_in_english_and_in_chinese(client):
    for code, (method, url, headers, body, *query) in (await _problems(client)).items():
        params = query[0] if query else None
        for lang in ({}, ZH):
            response = await client.request(method, url, headers={**headers, **lang},
                                            json=body, params=params)
            assert response.status_code >= 400, (code, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            problem = response.json()
            assert problem["code"] == code, (code, problem)
            assert problem["code"] in CODES
            assert "{" not in problem["detail"], problem
            chinese = re.search(r"[\u4e00-\u9fff]", problem["title"] + problem["detail"])
            assert bool(chinese) == bool(lang), (code, lang, problem)
            for error in problem.get("errors", []):
                assert error["message"]
                assert error["msg"]


async def test_a_chinese_detail_keeps_the_specifics(client):
    assert (await deploy(client, "demo", sample_set())).status_code == 201
    instance = await start(client, "demo", UNIT, business_key="P-2")
    task = instance["ready_tasks"][0]
    refused = await client.post(f"{API}/tasks/{task['id']}/complete",
                                headers={**EXPERT, **ZH}, json={"variables": {}})
    problem = refused.json()
    assert problem["title"] == "无权操作"
    assert task["id"] in problem["detail"]
    assert "ea" in problem["detail"]
    assert "unit" in problem["detail"]
    admin = await client.post(f"{API}/process-instances/{instance['id']}/suspend",
                              headers={**UNIT, **ZH})
    assert admin.json()["detail"] == "用户“ua”不是租户“demo”的管理员"
    english = await client.post(f"{API}/process-instances/{instance['id']}/suspend",
                                headers=UNIT)
    assert english.json()["detail"] == "user 'ua' is not an administrator of tenant 'demo'"
    assert english.headers["content-language"] == "en"


async def test_an_oversized_body_has_its_code_too(client):
    response = await client.post(f"{API}/tenants/demo/process-instances", headers=ADMIN,
                                 content=b"{" + b" " * 2_000_000 + b"}")
    assert response.status_code == 413
    assert response.json()["code"] == "request.too_large"
    chinese = await client.post(f"{API}/tenants/demo/process-instances",
                                headers={**ADMIN, **ZH}, content=b"{" + b" " * 2_000_000 + b"}")
    assert chinese.json()["detail"] == "请求体超过 1048576 字节"
