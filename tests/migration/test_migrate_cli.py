"""`govflow migrate plan|run|status|rollback`: the actions run in-process on the test's
database (as the command runs them), and the command itself once, as an operator would."""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from govflow.errors import Invalid
from govflow.migration import cli as migration_cli

from tests.migration.test_heyuan_migration import MAPPING, sets
from tests.scenarios.heyuan.heyuan_support import TENANT, begin


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="govflow")
    migration_cli.add_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["migrate", *argv])


async def test_plan_run_status_and_rollback(client, ctx, tmp_path):
    old, new = await sets(client)
    for key in ("CLI-1", "CLI-2"):
        await begin(client, key)
    (tmp_path / "map.json").write_text(json.dumps({"element_map": MAPPING}), encoding="utf-8")
    plan = ("--to", str(new), "--map", str(tmp_path / "map.json"))

    dry = await migration_cli.run(ctx, parse("plan", TENANT, *plan))
    assert dry["totals"]["movable"] == 2

    batch = await migration_cli.run(ctx, parse("run", TENANT, *plan, "--wait"))
    assert (batch["state"], batch["totals"]["done"]) == ("done", 2)
    status = await migration_cli.run(ctx, parse("status", TENANT, batch["id"]))
    assert status["plan"]["target_set_id"] == new

    back = await migration_cli.run(ctx, parse("rollback", TENANT, batch["id"], "--wait"))
    assert (back["plan"]["target_set_id"], back["totals"]["done"]) == (old, 2)

    (tmp_path / "bad.json").write_text('{"element_map": {"heyuan_project": {"nope": "x"}}}',
                                       encoding="utf-8")
    with pytest.raises(Invalid) as refused:
        await migration_cli.run(ctx, parse("plan", TENANT, "--to", str(new), "--map",
                                           str(tmp_path / "bad.json")))
    assert refused.value.errors[0].loc == "body.element_map.heyuan_project.nope"
    (tmp_path / "worse.json").write_text('{"variable_map": {"a b": 1}}', encoding="utf-8")
    with pytest.raises(Invalid):
        await migration_cli.run(ctx, parse("run", TENANT, "--to", str(new), "--map",
                                           str(tmp_path / "worse.json")))


def test_the_command_answers_a_refusal_as_problem_json(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVFLOW_")}
    env["GOVFLOW_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    run = [sys.executable, "-m", "govflow"]
    assert subprocess.run([*run, "db", "upgrade"], cwd=tmp_path, env=env, timeout=120,
                          capture_output=True, check=False).returncode == 0
    done = subprocess.run([*run, "migrate", "plan", "nowhere", "--to", "2"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1
    assert json.loads(done.stderr)["status"] == 404
