"""govflow serve | db upgrade | deploy TENANT FILES... | token create | calendar load|show."""

import argparse
import asyncio
import json
import sys
from datetime import timedelta
from pathlib import Path

from .auth.principal import ALL_TENANTS, Principal
from .auth.tokens import mint
from .bootstrap import SYSTEM, ensure_secret, load_bundled
from .calendar import service as calendars
from .diagrams import service as diagrams
from .diagrams.upload import collect_files
from .errors import DomainError, Invalid
from .main import build_context, create_app
from .settings import Settings, get_settings
from .store.clock import Clock
from .store.migrate import upgrade
from .tenants import repository as tenant_repo
from .timers.worker import Worker, worker_name


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="govflow", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the REST API (uvicorn)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    sub.add_parser("worker", help="fire due timers (run one or more next to the API)")
    db = sub.add_parser("db", help="database schema")
    db.add_argument("action", choices=["upgrade"])
    deploy = sub.add_parser("deploy", help="upload a diagram set for a tenant")
    deploy.add_argument("tenant")
    deploy.add_argument("files", nargs="+", type=Path)
    deploy.add_argument("--name", help="tenant name, when the tenant is new")
    deploy.add_argument("--activate", action="store_true", help="make it the active set")
    deploy.add_argument("--main-process")
    token = sub.add_parser("token", help="bearer tokens")
    token.add_argument("action", choices=["create"])
    token.add_argument("--user", required=True)
    token.add_argument("--tenant", required=True, help="a tenant id, several joined by ',', or *")
    token.add_argument("--groups", default="", help="comma-separated lane roles")
    token.add_argument("--admin", action="store_true")
    token.add_argument("--hours", type=int, help="lifetime (default GOVFLOW_TOKEN_TTL_HOURS)")
    cal = sub.add_parser("calendar", help="a year's official holiday arrangement")
    cal_action = cal.add_subparsers(dest="action", required=True)
    cal_load = cal_action.add_parser("load", help="load or correct a year from a JSON file")
    cal_load.add_argument("year", type=int)
    cal_load.add_argument("file", type=Path,
                          help='{"days_off": [...], "make_up_workdays": [...], "source": "..."}')
    cal_action.add_parser("show", help="a year's arrangement and where it comes from"
                          ).add_argument("year", type=int)
    args = parser.parse_args(argv)
    settings = get_settings()
    try:
        {"serve": _serve, "db": _db, "deploy": _deploy, "token": _token,
         "worker": _worker, "calendar": _calendar}[args.command](
            settings, args)
    except DomainError as exc:
        print(json.dumps(exc.problem(), ensure_ascii=False, indent=2), file=sys.stderr)
        raise SystemExit(1) from exc


# Who `calendar load` records as having loaded a year.
CLI = Principal("cli", (ALL_TENANTS,), (), admin=True)


def _split(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip())


def _token(settings: Settings, args: argparse.Namespace) -> None:
    settings, _ = ensure_secret(settings)
    principal = Principal(args.user, _split(args.tenant), _split(args.groups), args.admin)
    hours = args.hours or settings.token_ttl_hours
    print(mint(settings.secret_key, principal, Clock().now(), timedelta(hours=hours)))


def _db(settings: Settings, args: argparse.Namespace) -> None:
    upgrade(settings.database_url)
    print("database is at the latest schema")


def _deploy(settings: Settings, args: argparse.Namespace) -> None:
    uploads = [(str(f), f.read_bytes()) for f in args.files]

    async def run() -> dict:
        ctx = build_context(settings)
        try:
            async with ctx.sessions() as session:
                if await tenant_repo.get(session, args.tenant) is None:
                    await tenant_repo.upsert(session, args.tenant, args.name or args.tenant,
                                             ctx.clock.now())
                    await session.commit()
                view, created = await diagrams.upload(
                    ctx, session, SYSTEM, args.tenant, collect_files(uploads),
                    args.main_process, True if args.activate else None)
                return {**view, "created": created, "created_at": str(view["created_at"])}
        finally:
            await ctx.engine.dispose()

    print(json.dumps(asyncio.run(run()), ensure_ascii=False, indent=2))


def _calendar(settings: Settings, args: argparse.Namespace) -> None:
    async def run() -> dict:
        ctx = build_context(settings)
        try:
            async with ctx.sessions() as session:
                if args.action == "show":
                    return await calendars.get_year(session, args.year)
                body = _calendar_file(args.file)
                view, created = await calendars.put_year(
                    ctx, session, CLI, args.year, body.get("days_off"),
                    body.get("make_up_workdays"), body.get("source"), where=str(args.file))
                return {**view, "created": created}
        finally:
            await ctx.engine.dispose()

    print(json.dumps(asyncio.run(run()), ensure_ascii=False, indent=2, default=str))


def _calendar_file(path: Path) -> dict:
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise Invalid(f"{path} is not a readable JSON file: {exc}") from exc
    if not isinstance(body, dict):
        raise Invalid(f"{path} must hold an object with days_off, make_up_workdays and source")
    return body


def _serve(settings: Settings, args: argparse.Namespace) -> None:
    import uvicorn

    settings, new_secret = ensure_secret(settings)
    if settings.is_sqlite:
        upgrade(settings.database_url)
    ctx = build_context(settings)
    if settings.load_bundled_diagrams:
        for line in asyncio.run(load_bundled(ctx, settings.diagrams_root)):
            print(f"loaded {line}")
        asyncio.run(ctx.engine.dispose())
        ctx = build_context(settings)
    if new_secret:
        admin = Principal("admin", (ALL_TENANTS,), ("admin",), admin=True)
        token = mint(settings.secret_key, admin, Clock().now(),
                     timedelta(hours=settings.token_ttl_hours))
        print(f"generated a secret key beside the database; an admin token:\n{token}\n")
    app = create_app(ctx, run_worker=settings.runs_worker_in_process)
    uvicorn.run(app, host=args.host or settings.host, port=args.port or settings.port,
                log_level=settings.log_level)


def _worker(settings: Settings, args: argparse.Namespace) -> None:
    import logging
    import signal

    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(message)s")

    async def run() -> None:
        ctx = build_context(settings)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            await calendars.refresh_calendar(ctx)
            worker = Worker(ctx, worker_name(settings), settings.worker_poll_seconds)
            await asyncio.gather(worker.run(stop), calendars.keep_calendar_fresh(ctx, stop))
        finally:
            await ctx.engine.dispose()

    asyncio.run(run())
