"""The OpenAPI document a client generator can use, and docs pages that work offline."""

import re

from govflow.apidocs import OPERATIONS

CAMEL = re.compile(r"^[a-z][A-Za-z]+$")


async def test_every_operation_is_named_described_and_exemplified(client):
    doc = (await client.get("/openapi.json")).json()
    seen = set()
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            assert (method, path) in OPERATIONS, f"{method} {path}: add it to apidocs.OPERATIONS"
            seen.add((method, path))
            assert CAMEL.match(operation["operationId"]), operation["operationId"]
            assert operation["summary"]
            assert operation["description"]
            bodies = operation.get("requestBody", {}).get("content", {})
            has_example = "Example: `" in operation["description"] or any(
                "example" in media for media in bodies.values())
            assert has_example, f"{method} {path} has no example"
    assert seen == set(OPERATIONS), "entries for operations that no longer exist"
    ids = [o["operationId"] for ops in doc["paths"].values() for o in ops.values()]
    assert len(ids) == len(set(ids))
    assert {"listTasks", "getTask", "completeTask", "startInstance", "getStartForm",
            "claimTask"} <= set(ids)


async def test_errors_are_documented_as_problem_json_with_the_problem_schema(client):
    doc = (await client.get("/openapi.json")).json()
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            errors = {s: r for s, r in operation["responses"].items() if s[0] in "45"}
            if path.startswith("/api/"):
                assert {"401", "404", "422"} <= set(errors), (method, path)
            for status, response in errors.items():
                assert list(response["content"]) == ["application/problem+json"], (path, status)
                media = response["content"]["application/problem+json"]
                assert media["schema"] == {"$ref": "#/components/schemas/Problem"}
                assert media["example"]["status"] == int(status)
    problem = doc["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "code"} <= set(problem["required"])
    assert "HTTPValidationError" not in doc["components"]["schemas"]


async def test_cursor_pagination_is_documented_on_the_lists(client):
    doc = (await client.get("/openapi.json")).json()
    for path in ("/api/v1/tasks", "/api/v1/process-instances"):
        operation = doc["paths"][path]["get"]
        assert "next_cursor" in operation["description"]
        names = {p["name"] for p in operation["parameters"]}
        assert {"cursor", "limit", "offset"} <= names
    page = doc["components"]["schemas"]["CursorPage_Task_"]
    assert "next_cursor" in page["properties"]


async def test_docs_pages_load_nothing_from_outside(client):
    for page in ("/docs", "/redoc"):
        response = await client.get(page)
        assert response.status_code == 200
        html = response.text
        assert not re.search(r"(https?:)?//[a-z0-9]", html, flags=re.IGNORECASE), \
            re.findall(r"\S*//\S+", html)
        assets = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert assets, page
        for asset in assets:
            fetched = await client.get(asset)
            assert fetched.status_code == 200, asset
            assert len(fetched.content) > 1000, asset
    assert "'/openapi.json'" in (await client.get("/docs")).text
