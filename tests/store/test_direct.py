"""Hot statements sent straight to asyncpg (store/direct.py): the same rows as SQLAlchemy's
path, in the session's transaction, SQLAlchemy's errors, and SQLAlchemy's path wherever it
would do more than send the statement. PostgreSQL only (SQLite sessions never take it)."""

import uuid

import pytest
import sqlalchemy as sa
from govflow.commands import execute
from govflow.errors import Conflict
from govflow.feed import repository as feed_repo
from govflow.instances import repository as instance_repo
from govflow.store import direct
from govflow.store.direct import DirectSession
from govflow.store.tables import history, tasks
from govflow.tasks import repository as task_repo
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import deploy
from tests.support.api import API, OK, UNIT, complete, start
from tests.support.sample import linear


@pytest.fixture
def postgres(ctx):
    if ctx.engine.dialect.name != "postgresql":
        pytest.skip("the direct path is PostgreSQL's")
    return ctx


async def _walked(client) -> dict:
    """An instance one task in, with a variable and history."""
    assert (await deploy(client, "demo", {"linear.bpmn": linear(3)})).status_code == 201
    instance = await start(client, "demo", UNIT, process_id="linear", variables={"x": 1})
    return await complete(client, instance, "t0", OK, UNIT)


def _plain(ctx) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(ctx.engine, expire_on_commit=False)


def _values(rows) -> list[dict]:
    return [dict(r._mapping) for r in rows]


async def test_the_hot_reads_answer_as_sqlalchemy_does(postgres, client):
    instance = await _walked(client)
    task_id = instance["ready_tasks"][0]["id"]
    reads = [
        lambda s: task_repo.get(s, task_id),
        lambda s: task_repo.get_with_earlier(s, task_id),
        lambda s: task_repo.ready_of_instance(s, instance["id"]),
        lambda s: instance_repo.get(s, instance["id"]),
        lambda s: instance_repo.load_variables(s, instance["id"]),
    ]
    async with postgres.sessions() as fast, _plain(postgres)() as slow:
        assert isinstance(fast, DirectSession)
        assert not isinstance(slow, DirectSession)
        for read in reads:
            got, expected = await read(fast), await read(slow)
            if isinstance(expected, list):
                assert _values(got) == _values(expected)
            elif isinstance(expected, dict):
                assert got == expected
            else:
                assert dict(got._mapping) == dict(expected._mapping)
                assert list(got._mapping) == list(expected._mapping)  # keys, in order
        row, inst = await task_repo.get_with_instance(fast, task_id)
        row2, inst2 = await task_repo.get_with_instance(slow, task_id)
        assert dict(row._mapping) == dict(row2._mapping)
        assert inst._mapping == inst2._mapping
        listed, variables = await instance_repo.get_listed_with_variables(fast, instance["id"])
        listed2, variables2 = await instance_repo.get_listed_with_variables(slow, instance["id"])
        assert dict(listed._mapping) == dict(listed2._mapping)
        assert variables == variables2 \
            == {"x": 1, "approved": True, "opinion": "同意"}
        assert await task_repo.get(fast, str(uuid.uuid4())) is None  # no row: None as before


async def test_direct_writes_are_in_the_session_transaction(postgres, client):
    instance = await _walked(client)
    rows = [instance_repo.history_row(instance["id"], "demo", postgres.clock.now(), "x", e)
            for e in ("direct_one", "direct_two")]

    async def events() -> list[str]:
        async with _plain(postgres)() as s:
            found = await s.execute(sa.select(history.c.event).where(
                history.c.instance_id == instance["id"], history.c.event.like("direct_%")))
            return sorted(found.scalars().all())

    async with postgres.sessions() as session:
        await instance_repo.append_history(session, [dict(r) for r in rows])  # executemany
        await instance_repo.append_history(session, [dict(rows[0])])  # one row
        assert await events() == []  # not committed: another connection sees nothing
        await session.rollback()
    assert await events() == []
    async with postgres.sessions() as session:
        await instance_repo.append_history(session, [dict(r) for r in rows])
        await session.commit()
    assert await events() == ["direct_one", "direct_two"]


async def test_a_version_bump_reports_a_lost_race(postgres, client):
    instance = await _walked(client)
    async with postgres.sessions() as session:
        now = postgres.clock.now()
        assert await instance_repo.update_versioned(session, instance["id"], 99,
                                                    updated_at=now) is False
        assert await instance_repo.update_versioned(session, instance["id"],
                                                    instance["version"], updated_at=now)
        await session.rollback()


async def test_a_driver_error_is_sqlalchemys_and_the_command_a_conflict(postgres, client):
    instance = await _walked(client)
    task_id = instance["ready_tasks"][0]["id"]
    async with postgres.sessions() as session:
        row = dict((await session.execute(sa.select(tasks).where(tasks.c.id == task_id)))
                   .first()._mapping)
        row.update(groups=[], users=[])
        with pytest.raises(sa.exc.IntegrityError):
            await task_repo.insert_tasks(session, [row])  # the same id again
        await session.rollback()

    class Duplicate:
        async def run(self, uow):
            await task_repo.insert_tasks(uow.session, [dict(row, groups=[], users=[])])

    with pytest.raises(Conflict):
        await execute(postgres, Duplicate())
    # Nothing was left half-done: the task still completes.
    response = await client.post(f"{API}/tasks/{task_id}/complete", json={"variables": OK},
                                 headers=UNIT)
    assert response.status_code == 200, response.text


async def test_what_sqlalchemy_must_prepare_goes_its_way(postgres):
    dialect = postgres.engine.dialect
    table = sa.Table("t_defaults", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("made", sa.String, default=lambda: "python"))
    insert = direct.direct(sa.insert(table))
    assert direct._compile(insert, frozenset({"id"}), False, dialect) is None  # a default
    expanding = sa.select(tasks.c.id).where(tasks.c.id.in_(sa.bindparam("b", expanding=True)))
    assert direct._compile(expanding, frozenset({"b"}), False, dialect) is None
    # A value written into the statement is bound as SQLAlchemy binds it.
    plan = direct._compile(task_repo._READY_OF_INSTANCE, frozenset({"b_instance"}), False,
                           dialect)
    assert plan is not None
    assert plan.args({"b_instance": "i"}) == ("i", "ready")
    # A Boolean parameter is converted as SQLAlchemy converts it.
    insert_tasks = direct._compile(task_repo._INSERT, frozenset({"id", "due_estimated"}), False,
                                   dialect)
    assert insert_tasks is not None
    assert insert_tasks.args({"id": "a", "due_estimated": 1})[-1] is True


async def test_expanding_and_unmarked_statements_still_run(postgres, client):
    await _walked(client)
    async with postgres.sessions() as session:
        # Two tenants: the outbox's lookup with an expanding IN, through SQLAlchemy.
        events = [{"event": "task_completed", "tenant_id": t, "instance_id": "i", "at":
                   postgres.clock.now(), "actor": "a", "element_id": None, "element_name": None,
                   "task_id": None, "data": None} for t in ("demo", "other")]
        assert await feed_repo.enqueue(session, events, postgres.clock.now()) == 0
        count = (await session.execute(sa.select(sa.func.count()).select_from(tasks))).scalar()
        assert count == 2  # t0 completed, t1 ready
        await session.rollback()


async def test_a_lost_connection_is_not_handed_out_again(postgres, client):
    instance = await _walked(client)
    task_id = instance["ready_tasks"][0]["id"]
    async with postgres.sessions() as session:
        assert await task_repo.get(session, task_id) is not None  # direct: the connection is up
        pid = (await session.execute(sa.text("SELECT pg_backend_pid()"))).scalar_one()
        async with postgres.engine.connect() as other:  # the server drops it (a restart, say)
            await other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with pytest.raises(sa.exc.DBAPIError) as lost:
            await task_repo.get(session, task_id)
        assert lost.value.connection_invalidated
    # The pool opens a new connection for the next request instead of the dead one.
    response = await client.get(f"{API}/tasks/{task_id}", headers=UNIT)
    assert response.status_code == 200, response.text
    async with postgres.sessions() as session:
        assert await task_repo.get(session, task_id) is not None


async def test_reads_go_direct_without_a_transaction_unless_statements_are_watched(postgres,
                                                                                   client):
    instance = await _walked(client)
    task_id = instance["ready_tasks"][0]["id"]
    async with postgres.readers() as session:  # autocommit: the GET path's sessions
        _connection, adapted = await session._driver()
        assert adapted is not None  # the isolation level's own listener does not count
        assert await task_repo.get_with_earlier(session, task_id) is not None
        assert adapted._transaction is None  # no BEGIN was sent for it
    seen: list[str] = []

    def listener(conn, cursor, statement, *args):
        seen.append(statement)

    sa.event.listen(postgres.engine.sync_engine, "before_cursor_execute", listener)
    try:
        async with postgres.readers() as session:
            assert await task_repo.get_with_earlier(session, task_id) is not None
    finally:
        sa.event.remove(postgres.engine.sync_engine, "before_cursor_execute", listener)
    assert any("earlier" in s for s in seen)  # a listener on the engine sees the read
