"""Engine and session factory. SQLite gets WAL and write transactions that begin IMMEDIATE."""

from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from .direct import DirectSession

# Execution option a command sets on its connection so SQLite takes the write lock at BEGIN:
# two deferred transactions that both read and then write would otherwise fail with
# "database is locked" instead of queueing on the busy timeout.
WRITE_INTENT = {"govflow_write": True}


def create_engine(url: str, connect_args: dict[str, Any] | None = None,
                  **kwargs: Any) -> AsyncEngine:
    """Create the async engine; on SQLite, turn on WAL and manage BEGIN ourselves."""
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30, **(connect_args or {})},
                                     **kwargs)
        _configure_sqlite(engine)
        return engine
    # No pre-ping: it costs a round trip on every checkout, a step's largest overhead after
    # the commit itself. Connections are recycled instead, and a dead one fails the request
    # before anything was written.
    return create_async_engine(url, connect_args=connect_args or {}, pool_recycle=1800,
                               **kwargs)


def _configure_sqlite(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # pysqlite's own transaction handling would emit BEGIN DEFERRED behind our back.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        write = conn.get_execution_options().get("govflow_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions; on PostgreSQL they send the hot statements straight to asyncpg
    (store/direct.py)."""
    kind = DirectSession if engine.dialect.name == "postgresql" else AsyncSession
    return async_sessionmaker(engine, class_=kind, expire_on_commit=False, autoflush=False)


def read_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for requests that only read. On PostgreSQL their connections run in
    autocommit: no BEGIN before the first SELECT and no ROLLBACK when the request ends, two
    round trips fewer per read. Under READ COMMITTED (the default) every statement already
    saw its own snapshot inside the transaction, so the answers are the same; a read that
    needs transaction scope (``SET LOCAL``) takes the ordinary session. SQLite keeps its
    transactions (they are not round trips there)."""
    if engine.dialect.name != "postgresql":
        return session_factory(engine)
    return session_factory(engine.execution_options(isolation_level="AUTOCOMMIT"))


async def session_scope(factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One session per request; whatever was not committed is rolled back."""
    async with factory() as session:
        yield session


def rowcount(result: object) -> int:
    """Rows an UPDATE or DELETE matched (``Result`` is a ``CursorResult`` for those)."""
    return int(getattr(result, "rowcount", 0))
