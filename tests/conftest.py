"""Shared fixtures. Every test has a database of its own (SQLite always, PostgreSQL too when
GOVFLOW_TEST_POSTGRES_URL is set), copied from a template migrated once per session and
backend, and its own frozen clock, app context and client: no test sees another's rows or
time, so tests pass in any order (they run shuffled: see docs/testing.md)."""

import asyncio
import hashlib
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from govflow.auth.principal import Principal
from govflow.auth.tokens import mint
from govflow.context import AppContext
from govflow.main import build_context, create_app
from govflow.settings import Settings
from govflow.store.clock import FrozenClock
from govflow.store.migrate import upgrade
from sqlalchemy.engine import make_url

SECRET = "test-secret-key-with-enough-length-for-hs256"
POSTGRES_URL = os.environ.get("GOVFLOW_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]
# Where every test's FrozenClock starts: a Monday, 17:00 in Asia/Shanghai.
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _libpq_dsn(url: str) -> str:
    """The SQLAlchemy URL as asyncpg and pg_dump take it (no "+asyncpg")."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_run(url: str, script: str) -> None:
    """Run SQL on a connection of its own (from sync code: its own event loop)."""
    async def run() -> None:
        conn = await asyncpg.connect(_libpq_dsn(url))
        try:
            await conn.execute(script)
        finally:
            await conn.close()
    asyncio.run(run())


class Database:
    """A test's own database: a copy of the SQLite template file, or a PostgreSQL schema of
    its own made from the template schema's DDL. ``url`` and ``connect_args`` reach it."""

    def __init__(self, backend: str, url: str, connect_args: dict[str, Any],
                 schema: str | None = None, path: Path | None = None,
                 drop: Callable[[str], None] | None = None) -> None:
        self.backend = backend
        self.url = url
        self.connect_args = connect_args
        self.schema = schema
        self.path = path
        self._drop_schema = drop

    async def drop(self) -> None:
        if self.schema and self._drop_schema:
            self._drop_schema(self.schema)
        elif self.path is not None:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)


class SqliteTemplate:
    """A database file migrated once; each test gets a copy of the file."""

    how = "SQLite: template file migrated once, copied per test"

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / "template.db"
        # Alembic's engine is not ours (no WAL), so the file is whole once it returns.
        upgrade(f"sqlite+aiosqlite:///{self.path}")

    def copy(self) -> Database:
        path = self.directory / f"{uuid.uuid4().hex}.db"
        shutil.copyfile(self.path, path)
        return Database("sqlite", f"sqlite+aiosqlite:///{path}", {}, path=path)


class PostgresTemplate:
    """A schema migrated once and dumped (pg_dump of its DDL and rows); each test gets a
    schema of its own made by replaying the dump under its name. Without a usable pg_dump,
    each test's schema is migrated instead (slower, same result).

    A thread makes the next schemas while tests run and drops used ones, on a connection of
    its own: PostgreSQL does that work while the test runs, not before it."""

    AHEAD = 3

    def __init__(self, url: str) -> None:
        self.url = url
        self.template = f"govflow_tpl_{uuid.uuid4().hex[:12]}"
        self.ddl: str | None = None
        _pg_run(url, f'CREATE SCHEMA "{self.template}"')
        try:
            upgrade(url, "head", self._connect_args(self.template))
            self.ddl = self._dump()
        finally:
            _pg_run(url, f'DROP SCHEMA IF EXISTS "{self.template}" CASCADE')
        self.how = ("PostgreSQL: template schema migrated once, its pg_dump replayed per test"
                    if self.ddl else "PostgreSQL: no usable pg_dump, each test's schema migrated")
        self.failure: BaseException | None = None
        self._jobs: queue.Queue[str | None] = queue.Queue()
        self._ready: queue.Queue[str | BaseException] = queue.Queue()
        self._thread = threading.Thread(target=self._work, name="test-schemas", daemon=True)
        self._thread.start()
        for _ in range(self.AHEAD):
            self._jobs.put("")

    @staticmethod
    def _connect_args(schema: str) -> dict[str, Any]:
        return {"server_settings": {"search_path": schema}}

    def _dump(self) -> str | None:
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            return None
        done = subprocess.run(
            [pg_dump, "--dbname", _libpq_dsn(self.url), "--schema", self.template,
             "--no-owner", "--no-privileges", "--inserts"],
            capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0 or f"CREATE SCHEMA {self.template};" not in done.stdout:
            return None
        # psql meta-commands (\restrict ...) are not SQL; comments and SETs are harmless.
        return "\n".join(line for line in done.stdout.splitlines()
                         if not line.startswith("\\"))

    def _work(self) -> None:
        """Jobs: "" makes a schema for a later test, a name drops that schema, None stops."""
        loop = asyncio.new_event_loop()
        conn = None
        undropped: list[str] = []
        try:
            conn = loop.run_until_complete(asyncpg.connect(_libpq_dsn(self.url)))
            # A test that left a transaction open on its schema must not stall the others:
            # its schema is dropped at the end of the session instead.
            loop.run_until_complete(conn.execute("SET lock_timeout = '5s'"))
            while (job := self._jobs.get()) is not None:
                if job:
                    try:
                        loop.run_until_complete(conn.execute(f'DROP SCHEMA "{job}" CASCADE'))
                    except asyncpg.PostgresError:
                        undropped.append(job)
                    continue
                schema = f"t_{uuid.uuid4().hex[:12]}"
                try:
                    if self.ddl is not None:
                        # The template's name is unique; it appears only as its objects' schema.
                        loop.run_until_complete(conn.execute(self.ddl.replace(self.template,
                                                                              schema)))
                    else:
                        loop.run_until_complete(conn.execute(f'CREATE SCHEMA "{schema}"'))
                        upgrade(self.url, "head", self._connect_args(schema))
                except Exception as exc:  # noqa: BLE001 - handed to the test that waits for it
                    self._ready.put(exc)
                else:
                    self._ready.put(schema)
            while not self._ready.empty():  # made ahead, never used
                left = self._ready.get()
                if isinstance(left, str):
                    undropped.append(left)
            loop.run_until_complete(conn.execute("SET lock_timeout = '60s'"))
            for schema in undropped:
                loop.run_until_complete(conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        except Exception as exc:  # noqa: BLE001 - the connection is gone: every test is told
            self.failure = exc
            self._ready.put(exc)
        finally:
            if conn is not None:
                loop.run_until_complete(conn.close())
            loop.close()

    def copy(self) -> Database:
        if self.failure is not None:
            raise RuntimeError("the thread making test schemas stopped") from self.failure
        schema = self._ready.get(timeout=300)
        self._jobs.put("")  # the next test's
        if isinstance(schema, BaseException):
            raise schema
        return Database("postgresql", self.url, self._connect_args(schema), schema=schema,
                        drop=self._jobs.put)

    def close(self) -> None:
        self._jobs.put(None)
        self._thread.join(timeout=120)


class Templates:
    """One migrated template per backend, made when a test first needs it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._made: dict[str, SqliteTemplate | PostgresTemplate] = {}
        self._lock = threading.Lock()

    def get(self, backend: str) -> SqliteTemplate | PostgresTemplate:
        with self._lock:
            if backend not in self._made:
                self._made[backend] = (SqliteTemplate(self.directory) if backend == "sqlite"
                                       else PostgresTemplate(POSTGRES_URL or ""))
            return self._made[backend]

    def copy(self, backend: str) -> Database:
        """A fresh database for one test (sync: call it in a thread)."""
        return self.get(backend).copy()

    def close(self) -> None:
        for template in self._made.values():
            if isinstance(template, PostgresTemplate):
                template.close()

    def describe(self) -> list[str]:
        return [template.how for template in self._made.values()]


_TEMPLATES: list[Templates] = []  # the session's, for the summary line


def pytest_report_header(config: pytest.Config) -> str:
    return f"govflow test backends: {', '.join(BACKENDS)}; a database per test (docs/testing.md)"


@pytest.fixture(scope="session")
def templates() -> Iterator[Templates]:
    directory = Path(tempfile.mkdtemp(prefix="govflow-tests-"))
    made = Templates(directory)
    _TEMPLATES.append(made)
    yield made
    made.close()
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest_asyncio.fixture
async def database(backend: str, templates: Templates) -> AsyncIterator[Database]:
    db = await asyncio.to_thread(templates.copy, backend)
    yield db
    await db.drop()


@pytest_asyncio.fixture
async def ctx(database: Database, tmp_path: Path):
    # Documents go to the test's own directory, never the working directory (PostgreSQL
    # has no database file to put them beside).
    settings = Settings(database_url=database.url, secret_key=SECRET, load_bundled_diagrams=False,
                        documents_dir=tmp_path / "documents")
    context = build_context(settings, FrozenClock(START), database.connect_args)
    yield context
    await context.engine.dispose()


_APPS: dict[str, FastAPI] = {}


def app_for(ctx: AppContext) -> FastAPI:
    """The app, serving this test's context. FastAPI builds an app's routes on its first
    request (half a second), so tests share one app per distinct settings (the database URL
    aside) and each test points it at its own context: apps read the context per request."""
    key = ctx.settings.model_dump_json(exclude={"database_url", "documents_dir"})
    if key not in _APPS:
        _APPS[key] = create_app(ctx)
    app = _APPS[key]
    app.state.ctx = ctx
    return app


@pytest_asyncio.fixture
async def client(ctx) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app_for(ctx), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://govflow.test") as c:
        yield c


def _content_key(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...] | None:
    files = args[0] if args else kwargs.get("files")
    if not isinstance(files, dict):
        return None
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    try:
        rest = (args[1:], tuple(sorted(kwargs.items())))
        hash(rest)
    except TypeError:
        return None
    return (digest.hexdigest(), rest)


@pytest.fixture(scope="session", autouse=True)
def parsed_sets_shared_across_tests() -> Iterator[None]:
    """Every test deploys its own sets: parse each distinct set once per session.

    The service already shares one parse of a set among all its instances (its SpecRegistry);
    this extends that sharing across the tests' contexts, keyed by content and arguments.
    Refused sets are not cached, so every refusal is found anew."""
    from govflow.diagrams import registry, service

    original: Callable[..., Any] | None = getattr(service, "parse_diagram_set", None)
    if original is None:
        yield
        return
    parsed: dict[tuple[Any, ...], Any] = {}

    def parse(*args: Any, **kwargs: Any) -> Any:
        key = _content_key(args, kwargs)
        if key is None:
            return original(*args, **kwargs)
        if key not in parsed:
            parsed[key] = original(*args, **kwargs)
        return parsed[key]

    with pytest.MonkeyPatch.context() as patch:
        for module in (service, registry):
            if getattr(module, "parse_diagram_set", None) is original:
                patch.setattr(module, "parse_diagram_set", parse)
        yield


def token(user: str = "alice", tenants: str | tuple[str, ...] = ("demo",),
          groups: tuple[str, ...] = (), admin: bool = False) -> dict[str, str]:
    """Authorization headers for a user of the given tenants and groups."""
    from govflow.store.clock import Clock

    tenants = (tenants,) if isinstance(tenants, str) else tenants
    jwt = mint(SECRET, Principal(user, tenants, groups, admin), Clock().now(),
               timedelta(hours=1))
    return {"Authorization": f"Bearer {jwt}"}


ADMIN = token("root", ("*",), ("admin",), admin=True)


async def deploy(client: httpx.AsyncClient, tenant: str, files: dict[str, bytes],
                 activate: bool | None = None, name: str | None = None) -> httpx.Response:
    """Create the tenant if needed and upload a set as admin."""
    await client.put(f"/api/v1/tenants/{tenant}", json={"name": name or tenant}, headers=ADMIN)
    data = {} if activate is None else {"activate": str(activate).lower()}
    return await client.post(
        f"/api/v1/tenants/{tenant}/diagram-sets", headers=ADMIN, data=data,
        files=[("files", (n, c, "application/xml")) for n, c in files.items()])


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Say how databases were made, and name the shuffle's seed even under -q (which hides
    pytest-randomly's header line)."""
    for made in _TEMPLATES:
        terminalreporter.write_line("databases: " + "; ".join(made.describe()))
    seed = getattr(config.option, "randomly_seed", None)
    if isinstance(seed, int) and getattr(config.option, "randomly_reorganize", False):
        terminalreporter.write_line(
            f"tests ran shuffled; replay this order with: pytest -p randomly --randomly-seed={seed}")
