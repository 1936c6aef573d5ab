"""The command path: preconditions read inside the transaction, history for every state
change, commit and after-commit hooks only on a clean exit."""

from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from govflow.commands import UnitOfWork, execute
from govflow.store.tables import history as history_table

from tests.conftest import deploy
from tests.support.api import ADMIN, API, history, ready, start, token
from tests.support.sample import linear

ONE_STEP = {"linear.bpmn": linear(1)}


async def test_an_instance_that_completes_meanwhile_is_not_marked_suspended(
        client, monkeypatch):
    assert (await deploy(client, "race", ONE_STEP)).status_code == 201
    unit = token("ra", "race", ("unit",))
    instance = await start(client, "race", unit)
    task = ready(instance, "t0")
    original = UnitOfWork.__aenter__
    raced = []

    async def complete_first(self: UnitOfWork) -> UnitOfWork:
        # The task's completion lands just before the suspend's transaction opens: the
        # state the suspend acts on must be read after it, inside that transaction.
        if not raced:
            raced.append(True)
            done = await client.post(f"{API}/tasks/{task['id']}/complete", json={},
                                     headers=unit)
            assert done.status_code == 200, done.text
        return await original(self)

    monkeypatch.setattr(UnitOfWork, "__aenter__", complete_first)
    suspended = await client.post(f"{API}/process-instances/{instance['id']}/suspend",
                                  headers=ADMIN)
    monkeypatch.undo()
    assert raced
    assert suspended.status_code == 409
    assert "completed" in suspended.json()["detail"]
    after = (await client.get(f"{API}/process-instances/{instance['id']}",
                              headers=ADMIN)).json()
    assert after["state"] == "completed"
    events = [e["event"] for e in await history(client, instance["id"])]
    assert "instance_suspended" not in events


async def test_claim_and_unclaim_are_recorded_in_the_history(client):
    assert (await deploy(client, "claims", ONE_STEP)).status_code == 201
    unit = token("ca", "claims", ("unit",))
    instance = await start(client, "claims", unit)
    task = ready(instance, "t0")
    assert (await client.post(f"{API}/tasks/{task['id']}/claim", headers=unit)).json()[
        "assignee"] == "ca"
    # Claiming a task one already holds changes nothing and records nothing.
    assert (await client.post(f"{API}/tasks/{task['id']}/claim", headers=unit)).status_code \
        == 200
    assert (await client.post(f"{API}/tasks/{task['id']}/unclaim", headers=ADMIN)).json()[
        "assignee"] is None
    events = [e for e in await history(client, instance["id"])
              if e["event"] in ("task_claimed", "task_unclaimed")]
    assert [(e["event"], e["actor"], e["task_id"], e["element_id"]) for e in events] == [
        ("task_claimed", "ca", task["id"], "t0"), ("task_unclaimed", "root", task["id"], "t0")]
    assert events[0]["data"]["assignee"] == "ca"
    assert events[1]["data"]["previous_assignee"] == "ca"
    # A refused claim (already claimed by someone else) records nothing either.
    other = token("cb", "claims", ("unit",))
    await client.post(f"{API}/tasks/{task['id']}/claim", headers=unit)
    assert (await client.post(f"{API}/tasks/{task['id']}/claim", headers=other)).status_code \
        == 409
    claims = [e for e in await history(client, instance["id"]) if e["event"] == "task_claimed"]
    assert len(claims) == 2


@dataclass
class WriteHistoryThen:
    """A command that writes a history row, registers a hook, then fails or not."""

    instance_id: str
    tenant_id: str
    fail: bool
    hooks_run: list[str]

    async def run(self, uow: UnitOfWork) -> str:
        await uow.session.execute(sa.insert(history_table).values(
            instance_id=self.instance_id, tenant_id=self.tenant_id, at=uow.ctx.clock.now(),
            actor="probe", event="probe"))
        uow.after_commit(lambda: self.hooks_run.append("ran"))
        if self.fail:
            raise RuntimeError("refused after writing")
        return "done"


async def test_execute_commits_and_runs_hooks_only_on_a_clean_exit(client, ctx):
    assert (await deploy(client, "hooks", ONE_STEP)).status_code == 201
    instance = await start(client, "hooks", token("ha", "hooks", ("unit",)))
    hooks: list[str] = []
    with pytest.raises(RuntimeError):
        await execute(ctx, WriteHistoryThen(instance["id"], "hooks", True, hooks))
    assert hooks == []
    assert "probe" not in [e["event"] for e in await history(client, instance["id"])]
    assert await execute(ctx, WriteHistoryThen(instance["id"], "hooks", False, hooks)) == "done"
    assert hooks == ["ran"]
    assert "probe" in [e["event"] for e in await history(client, instance["id"])]
