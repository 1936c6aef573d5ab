"""Bytes a completed city instance leaves in PostgreSQL.

Walks N 招远 projects (the bundled set) from declaration to the O&M filing through the REST
API (in process, on a scratch schema), then prints per instance and table: the growth of
pg_total_relation_size (heap, indexes, TOAST, dead tuples of updates and deletes included),
the same after VACUUM FULL (what stays once autovacuum has made dead space reusable), and
the live bytes of the rows themselves (pg_column_size).

    python bench/storage.py [--instances 20]
"""

import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import Self

import httpx
import sqlalchemy as sa
from govflow.commands import unit_of_work

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from govflow.main import build_context, create_app
from govflow.settings import Settings
from govflow.store.clock import FrozenClock
from govflow.store.migrate import upgrade

from bench.engine import drop_schema, postgres_schema
from tests.conftest import SECRET
from tests.scenarios.zhaoyuan import zhaoyuan_walk as zy

TABLES = ("process_instances", "engine_rows", "variables", "tasks", "task_candidates",
          "message_subscriptions", "timers", "history")


async def sizes(conn: sa.ext.asyncio.AsyncConnection) -> dict[str, int]:
    return {t: (await conn.execute(sa.text(f"SELECT pg_total_relation_size('{t}')"))
                ).scalar_one() for t in TABLES}


async def live_bytes(conn: sa.ext.asyncio.AsyncConnection) -> dict[str, int]:
    column = {"process_instances": "id", "tasks": "instance_id", "history": "instance_id"}
    out = {}
    for t in TABLES:
        if t == "task_candidates":
            query = ("SELECT coalesce(sum(pg_column_size(c.*)), 0) FROM task_candidates c "
                     "JOIN tasks ON tasks.id = c.task_id")
        else:
            query = f"SELECT coalesce(sum(pg_column_size(t.*)), 0) FROM {t} t " \
                    f"WHERE {column.get(t, 'instance_id')} IS NOT NULL"
        out[t] = (await conn.execute(sa.text(query))).scalar_one()
    return out


class Churn:
    """Counts the engine-row writes of every step (as the unit of work hands them over)."""

    def __init__(self) -> None:
        self.inserted = self.updated = self.deleted = self.dropped = self.bytes = 0
        self._write, self._drop = unit_of_work.write_changes, unit_of_work.drop_rows

    def __enter__(self) -> Self:
        async def write(session, instance_id, changes):  # type: ignore[no-untyped-def]
            self.inserted += len(changes.inserted)
            self.updated += len(changes.updated)
            self.deleted += len(changes.deleted)
            self.bytes += sum(len(r[3]) for r in [*changes.inserted, *changes.updated])
            await self._write(session, instance_id, changes)

        async def drop(session, instance_id):  # type: ignore[no-untyped-def]
            self.dropped += 1
            await self._drop(session, instance_id)

        unit_of_work.write_changes, unit_of_work.drop_rows = write, drop
        return self

    def __exit__(self, *_: object) -> None:
        unit_of_work.write_changes, unit_of_work.drop_rows = self._write, self._drop


async def walk(client: httpx.AsyncClient, n: int) -> None:
    for i in range(n):
        instance = await zy.step(client, await zy.building(client, f"ZY-{i}"), "completed")
        instance = await zy.complete(client, instance, "security_crypto_review",
                                     zy.SECURITY_OK, zy.UNIT)
        instance = await zy.complete(client, instance, "final_acceptance",
                                     zy.ACCEPTANCE_OK | {"savings": 2.5}, zy.HUB)
        instance = await zy.complete(client, instance, "om_filing", zy.OM_FILED, zy.UNIT)
        assert instance["state"] == "completed", instance["state"]


async def run(url: str, n: int) -> None:
    schema, connect_args = await postgres_schema(url)
    try:
        await asyncio.to_thread(upgrade, url, "head", connect_args)
        ctx = build_context(Settings(database_url=url, secret_key=SECRET,
                                     load_bundled_diagrams=False),
                            FrozenClock(zy.IN_WINDOW), connect_args)
        transport = httpx.ASGITransport(app=create_app(ctx, run_worker=False))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            await zy.deploy_zhaoyuan(client)
            async with ctx.engine.connect() as conn:
                before = await sizes(conn)
            with Churn() as churn:
                await walk(client, n)
        await asyncio.sleep(2)  # the backends report their table statistics when idle
        async with ctx.engine.connect() as conn:
            after = await sizes(conn)
            live = await live_bytes(conn)
            churn_stats = (await conn.execute(sa.text(
                "SELECT n_tup_ins, n_tup_upd, n_tup_hot_upd, n_tup_del FROM pg_stat_user_tables "
                "WHERE relname = 'engine_rows' AND schemaname = current_schema()"))).one()
        async with ctx.engine.connect() as conn:
            auto = await conn.execution_options(isolation_level="AUTOCOMMIT")
            for t in TABLES:
                await auto.execute(sa.text(f"VACUUM FULL {t}"))
            packed = await sizes(auto)
        await ctx.engine.dispose()
        print(f"{n} completed 招远 instances; KB per instance:")
        print(f"{'table':<24} {'growth':>8} {'packed':>8} {'live rows':>10}")
        for t in TABLES:
            print(f"{t:<24} {(after[t] - before[t]) / n / 1024:>8.1f} "
                  f"{(packed[t] - before[t]) / n / 1024:>8.1f} {live[t] / n / 1024:>10.1f}")
        print(f"{'total':<24} {(sum(after.values()) - sum(before.values())) / n / 1024:>8.1f} "
              f"{(sum(packed.values()) - sum(before.values())) / n / 1024:>8.1f} "
              f"{sum(live.values()) / n / 1024:>10.1f}")
        print(f"engine-row writes per instance during the walk: {churn.inserted / n:.1f} "
              f"inserted, {churn.updated / n:.1f} updated, {churn.deleted / n:.1f} deleted "
              f"(then all dropped at the end), {churn.bytes / n / 1024:.1f} KB of bodies "
              "written")
        ins, upd, hot, dele = churn_stats
        print(f"PostgreSQL's count for engine_rows: {ins} inserted, {upd} updated ({hot} HOT), "
              f"{dele} deleted")
    finally:
        await drop_schema(url, schema)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=20)
    args = parser.parse_args()
    url = os.environ.get("GOVFLOW_BENCH_POSTGRES_URL",
                         "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    asyncio.run(run(url, args.instances))


if __name__ == "__main__":
    main()
