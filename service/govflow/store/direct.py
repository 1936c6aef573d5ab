"""Hot statements sent straight to asyncpg on PostgreSQL, inside the session's transaction.

SQLAlchemy spends about 80 µs of CPU around every statement it executes (cache key,
execution context, cursor adapter, result object), twice what asyncpg itself spends, and a
task completion executes a dozen statements: on a 2-core server that was a fifth of a
completion's CPU (bench/throughput.py). A statement a repository marks with ``direct`` is
compiled once per set of parameter names; a ``DirectSession`` (the PostgreSQL sessions of
store/db.py) then sends it with asyncpg's own prepared-statement cache, on the connection and
in the transaction SQLAlchemy opened, and wraps the rows in an ordinary ``Result``.

A marked statement goes the ordinary way whenever SQLAlchemy would do more than send it:
a result column with a type processor, a column default computed in Python, an
expanding ``IN``, execution options, a connection with event listeners (statement counters,
tracing: they see every statement, as before), or a SQLAlchemy whose asyncpg adapter lacks
what is used here (checked on first use). Driver errors become SQLAlchemy's (an
``IntegrityError`` stays one), and a lost connection is invalidated, as SQLAlchemy would, so
the pool does not hand it out again. SQLite sessions never take this path: there the driver
call is the cost.
"""

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.engine.result import IteratorResult, Result, SimpleResultMetaData
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable
from sqlalchemy.sql.compiler import Compiled

_log = logging.getLogger(__name__)

_MARKED: dict[int, Executable] = {}  # id -> the statement (kept alive: ids stay unique)
_STATUS = re.compile(r"(?:SELECT|UPDATE|DELETE|INSERT \d+) (\d+)")


S = TypeVar("S", bound=Executable)


def direct(statement: S) -> S:
    """Mark a statement built once (module level, values as bind parameters) to be sent
    straight to the driver on PostgreSQL."""
    _MARKED[id(statement)] = statement
    return statement


class _Plan:
    """A marked statement compiled for PostgreSQL with one set of parameter names."""

    __slots__ = ("convert", "fixed", "meta", "names", "sql")

    def __init__(self, sql: str, names: tuple[str, ...], fixed: dict[str, Any],
                 convert: dict[str, Callable[[Any], Any]], keys: list[str] | None) -> None:
        self.sql, self.names, self.fixed, self.convert = sql, names, fixed, convert
        # The rows' keys (None: the statement returns no rows), shared by its results.
        self.meta = SimpleResultMetaData(keys) if keys is not None else None

    def args(self, params: Mapping[str, Any]) -> tuple[Any, ...]:
        """The statement's positional arguments, as SQLAlchemy would bind them."""
        if not self.fixed and not self.convert:
            return tuple(params[name] for name in self.names)
        values = [params[n] if n in params else self.fixed[n] for n in self.names]
        for i, name in enumerate(self.names):
            if name in self.convert and values[i] is not None:
                values[i] = self.convert[name](values[i])
        return tuple(values)


_plans: dict[tuple[int, frozenset[str], bool], _Plan | None] = {}


def _compile(statement: Executable, keys: frozenset[str], many: bool, dialect: Dialect
             ) -> _Plan | None:
    """The plan, or None where SQLAlchemy must do more than send the statement."""
    compiled: Compiled = statement.compile(dialect=dialect,  # type: ignore[attr-defined]
                                           column_keys=sorted(keys), for_executemany=many)
    names = tuple(getattr(compiled, "positiontup", None) or ())
    binds = compiled.binds  # type: ignore[attr-defined]
    if (getattr(compiled, "insert_prefetch", None) or getattr(compiled, "update_prefetch", None)
            or any(b.expanding or b.literal_execute for b in binds.values())):
        return None
    convert = {name: process for name, bind in binds.items()  # a Boolean's bool(), say
               if (process := bind.type._cached_bind_processor(dialect)) is not None}
    fixed = {}  # values written into the statement (``state == "ready"``)
    for name in set(names) - keys:
        bind = binds[name]
        if bind.required or bind.callable is not None:
            return None
        fixed[name] = bind.value
    columns = getattr(compiled, "_result_columns", None) or []
    if any(c[3]._cached_result_processor(dialect, None) is not None for c in columns):
        return None
    returns = bool(columns)
    return _Plan(compiled.string, names, fixed, convert, [c[0] for c in columns] if returns else None)


def _plan(statement: Executable, params: Mapping[str, Any], many: bool, dialect: Dialect
          ) -> _Plan | None:
    key = (id(statement), frozenset(params), many)
    if key not in _plans:
        _plans[key] = _compile(statement, key[1], many, dialect)
    return _plans[key]


class _Count(IteratorResult[Any]):
    """The result of a write without RETURNING: no rows, the rows it matched."""

    def __init__(self, count: int) -> None:
        super().__init__(SimpleResultMetaData([]), iter(()))
        self.rowcount = count


_adapter_ok: bool | None = None


def _has_adapter(adapted: object) -> bool:
    global _adapter_ok
    if _adapter_ok is None:
        _adapter_ok = all(hasattr(adapted, name) for name in
                          ("_execute_mutex", "_transaction", "_start_transaction",
                           "_connection", "_handle_exception"))
        if not _adapter_ok:
            _log.warning("this SQLAlchemy's asyncpg adapter differs: hot statements go "
                         "through SQLAlchemy")
    return _adapter_ok


class DirectSession(AsyncSession):
    """An ``AsyncSession`` that sends marked statements straight to asyncpg."""

    _direct: tuple[object, Any, Any] | None = None  # transaction, its connection, adapter

    async def execute(self, statement: Executable, params: Any = None,
                      **kw: Any) -> Result[Any]:
        if kw or id(statement) not in _MARKED:
            return await super().execute(statement, params, **kw)
        rows: Sequence[Mapping[str, Any]] = [params or {}] if params is None or isinstance(
            params, Mapping) else list(params)
        if not rows:
            return await super().execute(statement, params, **kw)
        many = len(rows) > 1
        connection, adapted = await self._driver()
        plan = _plan(statement, rows[0], many, connection.dialect)
        if plan is None or (many and plan.meta is not None) or adapted is None:
            return await super().execute(statement, params, **kw)
        try:
            async with adapted._execute_mutex:
                if adapted._transaction is None:  # BEGIN, unless in autocommit
                    await adapted._start_transaction()
                driver = adapted._connection
                if many:
                    await driver.executemany(plan.sql, [plan.args(r) for r in rows])
                    return _Count(len(rows))
                if plan.meta is not None:
                    records = await driver.fetch(plan.sql, *plan.args(rows[0]))
                    return IteratorResult(plan.meta, iter(records))
                status = await driver.execute(plan.sql, *plan.args(rows[0]))
        except Exception as error:
            translated = _translated(adapted, connection.dialect, plan.sql, error)
            if getattr(translated, "connection_invalidated", False):
                # As SQLAlchemy does: the pool must not hand this connection out again.
                await connection.invalidate()
                self._direct = None
            raise translated from error
        found = _STATUS.match(status or "")
        return _Count(int(found.group(1)) if found else -1)

    async def _driver(self) -> tuple[Any, Any]:
        """The session's connection, and its asyncpg adapter (None if it lacks what is
        used here); looked up once per transaction."""
        transaction = self.sync_session.get_transaction()
        if self._direct is None or transaction is None or self._direct[0] is not transaction:
            connection = await self.connection()
            adapted = (await connection.get_raw_connection()).dbapi_connection
            watched = _watched(connection)
            self._direct = (self.sync_session.get_transaction(), connection,
                            adapted if _has_adapter(adapted) and not watched else None)
        return self._direct[1], self._direct[2]


# Listeners that see statements (counters, tracing): with any, statements go SQLAlchemy's way.
# Others do not matter here: the isolation level a read session's engine is made with is an
# ``engine_connect`` listener, and must not send every read the slow way.
_STATEMENT_EVENTS = ("before_execute", "after_execute", "before_cursor_execute",
                     "after_cursor_execute", "handle_error")


def _watched(connection: Any) -> bool:
    sync = connection.sync_connection
    if sync is None:
        return True
    for dispatch in (sync.dispatch, connection.sync_engine.dispatch):
        for name in _STATEMENT_EVENTS:
            try:
                if len(getattr(dispatch, name)):
                    return True
            except AttributeError:  # a join of dispatchers lacking this event
                continue
    return False


def _translated(adapted: Any, dialect: Dialect, sql: str, error: Exception) -> Exception:
    """The driver's error as SQLAlchemy raises it from ``execute`` (an ``IntegrityError``
    for a unique violation, a ``DBAPIError`` otherwise)."""
    try:
        adapted._handle_exception(error)  # raises the DB-API form of the driver's error
    except Exception as dbapi_error:  # noqa: BLE001
        error = dbapi_error
    base = dialect.loaded_dbapi.Error
    if not isinstance(error, base):
        return error
    lost = dialect.is_disconnect(error, adapted, None)
    return sa.exc.DBAPIError.instance(sql, None, error, base, dialect=dialect,
                                      connection_invalidated=lost)
