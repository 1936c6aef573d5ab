"""What a GET+POST completion cycle costs the database: reads of one task or instance run
without a transaction on PostgreSQL (no BEGIN, no ROLLBACK), and a cycle stays within its
statement budget (bench/throughput.py's cycle; docs/operations.md "Performance")."""

import sqlalchemy as sa

from tests.conftest import deploy
from tests.support.api import API, start, token
from tests.support.sample import linear

CLERK = token("rp", "rp", ("unit",))


async def _statements(ctx, call) -> list[tuple[str, bool]]:
    """The statements ``call`` sent, each with whether its connection was in autocommit."""
    seen: list[tuple[str, bool]] = []

    def listener(conn, _cursor, statement, *_args) -> None:
        seen.append((statement, bool(getattr(conn.connection.dbapi_connection,
                                             "autocommit", False))))

    sa.event.listen(ctx.engine.sync_engine, "before_cursor_execute", listener)
    try:
        await call()
    finally:
        sa.event.remove(ctx.engine.sync_engine, "before_cursor_execute", listener)
    return seen


async def test_a_cycle_reads_without_transactions_and_stays_in_budget(client, ctx):
    assert (await deploy(client, "rp", {"linear.bpmn": linear(3)})).status_code == 201
    instance = await start(client, "rp", CLERK)
    task_id = instance["ready_tasks"][0]["id"]
    got: dict = {}

    async def get_task() -> None:
        got["task"] = await client.get(f"{API}/tasks/{task_id}", headers=CLERK)

    async def get_instance() -> None:
        got["instance"] = await client.get(f"{API}/process-instances/{instance['id']}",
                                           headers=CLERK)

    task_reads = await _statements(ctx, get_task)
    reads = task_reads + await _statements(ctx, get_instance)
    assert got["task"].status_code == 200
    assert got["task"].json()["id"] == task_id
    assert got["task"].json()["documents"] == []
    assert got["instance"].status_code == 200
    assert got["instance"].json()["ready_tasks"][0]["id"] == task_id
    if ctx.engine.dialect.name == "postgresql":
        assert reads
        assert all(autocommit for _, autocommit in reads), reads

    async def post() -> None:
        got["done"] = await client.post(f"{API}/tasks/{task_id}/complete",
                                        json={"variables": {}}, headers=CLERK)

    writes = await _statements(ctx, post)
    assert got["done"].status_code == 200, got["done"].text
    assert [t["key"] for t in got["done"].json()["ready_tasks"]] == ["t1"]
    assert not any(autocommit for _, autocommit in writes)  # the command's transaction
    # A plain step reaches no plan wait: nothing asks about plan subscriptions.
    assert not any("message_subscriptions" in s for s, _ in writes), writes
    # The GET of the task (1 statement: no documents) and the completion (10, an
    # executemany counted once), BEGIN and COMMIT aside: bench/throughput.py's cycle.
    # It was 16 before.
    cycle = [s for s, _ in task_reads + writes if not s.startswith("BEGIN")]
    assert len(cycle) <= 11, [s[:60] for s in cycle]
