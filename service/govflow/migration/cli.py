"""``govflow migrate plan|run|status|rollback``: the migration paths from the command line,
on the database directly (through the same commands and services as the API)."""

import argparse
import asyncio
import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..auth.principal import ALL_TENANTS, Principal
from ..commands import execute
from ..commands.migrations import RollbackBatch, StartMigration
from ..context import AppContext
from ..errors import FieldError, Invalid
from ..settings import Settings
from . import service
from .plan import MigrationPlan
from .schemas import MigrationIn
from .worker import MigrationWorker

# Who the history's `migrated` events name when a batch is started or run from the CLI.
CLI = Principal("cli", (ALL_TENANTS,), (), admin=True)


def add_parser(sub: Any) -> None:
    """The ``migrate`` subcommand and its actions."""
    migrate = sub.add_parser("migrate", help="move running instances to another diagram set")
    actions = migrate.add_subparsers(dest="action", required=True)
    for name, text in (("plan", "dry run: where each instance would go, and what refuses"),
                       ("run", "start a batch (the worker runs it; --wait runs it here)")):
        action = actions.add_parser(name, help=text)
        action.add_argument("tenant")
        action.add_argument("--to", type=int, required=True, dest="target",
                            help="the target diagram set id")
        action.add_argument("--from", type=int, dest="source",
                            help="the source set id (default: the tenant's active set)")
        action.add_argument("--map", type=Path, dest="map_file",
                            help='JSON: {"element_map": {process: {old: new}}, '
                                 '"variable_map": {old: new}}')
        action.add_argument("--due-dates", choices=["keep", "recompute"], default="keep")
        if name == "plan":
            action.add_argument("--limit", type=int, default=100)
        else:
            action.add_argument("--wait", action="store_true")
    status = actions.add_parser("status", help="a batch's progress and results")
    status.add_argument("tenant")
    status.add_argument("batch")
    status.add_argument("--limit", type=int, default=100)
    rollback = actions.add_parser("rollback", help="move a batch's instances back")
    rollback.add_argument("tenant")
    rollback.add_argument("batch")
    rollback.add_argument("--wait", action="store_true")


async def run(ctx: AppContext, args: argparse.Namespace) -> dict[str, Any]:
    """Carry out one ``migrate`` action; the JSON to print."""
    if args.action == "status":
        return await _status(ctx, args.tenant, args.batch, args.limit)
    if args.action == "rollback":
        created = await execute(ctx, RollbackBatch(CLI, args.tenant, args.batch))
    else:
        plan = _plan(args)
        if args.action == "plan":
            async with ctx.sessions() as session:
                return await service.dry_run(ctx, session, CLI, args.tenant, plan, args.limit)
        created = await execute(ctx, StartMigration(CLI, args.tenant, plan))
    if args.wait:
        await MigrationWorker(ctx, "cli").drain(batch_id=created["id"])
    return await _status(ctx, args.tenant, created["id"], 100 if args.wait else 0)


async def _status(ctx: AppContext, tenant: str, batch: str, limit: int) -> dict[str, Any]:
    async with ctx.sessions() as session:
        return await service.batch_view(session, CLI, tenant, batch, limit=max(limit, 0))


def _plan(args: argparse.Namespace) -> MigrationPlan:
    maps: dict[str, Any] = {}
    if args.map_file is not None:
        try:
            maps = json.loads(args.map_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise Invalid(f"{args.map_file} is not a readable JSON file: {exc}",
                          code="migration.plan_file_invalid") from exc
    try:
        body = MigrationIn.model_validate({
            "target_set_id": args.target, "source_set_id": args.source,
            "due_dates": args.due_dates, **(maps if isinstance(maps, dict) else {})})
    except ValidationError as exc:
        raise Invalid(f"{args.map_file or 'the plan'} is not a migration plan", [
            FieldError(".".join(str(p) for p in e["loc"]), e["msg"]) for e in exc.errors()
        ],
                      code="migration.plan_file_invalid") from exc
    return MigrationPlan(body.source_set_id or 0, body.target_set_id, body.element_map,
                         body.variable_map, body.due_dates)


def main(settings: Settings, args: argparse.Namespace, build: Any) -> str:
    """Run an action with a context of its own; its JSON, to print."""
    async def go() -> dict[str, Any]:
        ctx = build(settings)
        try:
            return await run(ctx, args)
        finally:
            await ctx.engine.dispose()

    return json.dumps(asyncio.run(go()), ensure_ascii=False, indent=2, default=str)
