"""A stock react-jsonschema-form takes a form with file fields as GovFlow serves it: its own
validator (ajv8) accepts the schema, pre-selects no document, reports the unchosen required
fields, and accepts an uploaded document's id. Needs node and tests/frontend's packages
(tests/frontend/setup.sh, which CI runs); skips without them."""

import asyncio
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.documents.support import PDF, UNIT, deployed, submit_task, uploaded
from tests.support.api import API

FRONTEND = Path(__file__).resolve().parents[1] / "frontend"
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(
    NODE is None or not (FRONTEND / "node_modules" / "@rjsf" / "validator-ajv8").is_dir(),
    reason="node or tests/frontend's npm packages are missing (tests/frontend/setup.sh)")


async def test_react_jsonschema_form_validates_the_file_fields(client, blobs, tmp_path):
    await deployed(client)
    _, task = await submit_task(client)
    doc = await uploaded(client, task["id"], "验收报告.pdf", PDF)
    form = (await client.get(f"{API}/tasks/{task['id']}", headers=UNIT)).json()["form"]
    path = tmp_path / "form.json"
    path.write_text(json.dumps({"form": form, "field": "acceptance_report"}), encoding="utf-8")
    done = await asyncio.to_thread(
        subprocess.run, [str(NODE), str(Path(__file__).parent / "rjsf_check.mjs"),
                         str(FRONTEND), str(path), doc["id"]],
        capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["defaults"] == {}  # no document chosen for the user
    assert sorted(result["untouched"]) == [
        "must have required property '安全测评报告书'", "must have required property '项目验收报告'"]
    assert result["chosen"] == []
