"""Shared fixtures: a fresh database per test module (SQLite always, PostgreSQL when
GOVFLOW_TEST_POSTGRES_URL is set), the app over ASGI, tokens and deployed sets."""

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
import sqlalchemy as sa
from govflow.auth.principal import Principal
from govflow.auth.tokens import mint
from govflow.main import build_context, create_app
from govflow.settings import Settings
from govflow.store.clock import FrozenClock
from govflow.store.migrate import upgrade
from sqlalchemy.ext.asyncio import create_async_engine

SECRET = "test-secret-key-with-enough-length-for-hs256"
POSTGRES_URL = os.environ.get("GOVFLOW_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]


class Database:
    """A database of its own: a new SQLite file, or a new PostgreSQL schema."""

    def __init__(self, backend: str, tmp: Path) -> None:
        self.backend = backend
        if backend == "sqlite":
            self.url = f"sqlite+aiosqlite:///{tmp / 'govflow.db'}"
            self.connect_args: dict = {}
            self.schema = None
        else:
            self.url = POSTGRES_URL  # type: ignore[assignment]
            self.schema = f"t_{uuid.uuid4().hex[:12]}"
            self.connect_args = {"server_settings": {"search_path": self.schema}}

    async def create(self) -> None:
        if self.schema:
            engine = create_async_engine(self.url)
            async with engine.begin() as conn:
                await conn.execute(sa.text(f'CREATE SCHEMA "{self.schema}"'))
            await engine.dispose()
        await asyncio.to_thread(upgrade, self.url, "head", self.connect_args)

    async def drop(self) -> None:
        if self.schema:
            engine = create_async_engine(self.url)
            async with engine.begin() as conn:
                await conn.execute(sa.text(f'DROP SCHEMA "{self.schema}" CASCADE'))
            await engine.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def database(backend: str, tmp_path_factory: pytest.TempPathFactory
                   ) -> AsyncIterator[Database]:
    db = Database(backend, tmp_path_factory.mktemp("db"))
    await db.create()
    yield db
    await db.drop()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def ctx(database: Database):
    from datetime import UTC, datetime

    settings = Settings(database_url=database.url, secret_key=SECRET, load_bundled_diagrams=False)
    context = build_context(settings, FrozenClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC)),
                            database.connect_args)
    yield context
    await context.engine.dispose()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def client(ctx) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(ctx), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://govflow.test") as c:
        yield c


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
