"""First start of the embedded default: schema, secret key, bundled diagram sets."""

import os
import secrets
from pathlib import Path

from sqlalchemy.engine import make_url

from .auth.principal import ALL_TENANTS, Principal
from .commands import execute
from .commands.diagrams import ActivateDiagramSet, deploy_set
from .commands.tenants import EnsureTenant
from .context import AppContext
from .diagrams import service as diagrams
from .engine.xmlsafe import parse_xml
from .settings import Settings

BUNDLED = "bundled"
SYSTEM = Principal(BUNDLED, (ALL_TENANTS,), (), admin=True)


def sqlite_path(settings: Settings) -> Path | None:
    if not settings.is_sqlite:
        return None
    database = make_url(settings.database_url).database
    return Path(database).resolve() if database and database != ":memory:" else None


# HS256 wants a key at least as long as its 256-bit hash: 32 characters of a generated
# secret (`govflow secret generate` makes 64).
MIN_SECRET_LENGTH = 32


class ConfigurationError(RuntimeError):
    """A setting the service cannot start with; the message says what to do."""


def generate_secret() -> str:
    return secrets.token_urlsafe(48)


def secret_file(settings: Settings) -> Path | None:
    """Where the embedded default keeps its key: beside the SQLite file."""
    db = sqlite_path(settings)
    return db.with_name(db.name + ".secret") if db else None


def ensure_secret(settings: Settings, create: bool = True) -> tuple[Settings, bool]:
    """Use GOVFLOW_SECRET_KEY, else the key kept beside the SQLite file (made on first start
    when ``create``). Refuses a short key and, without ``create``, a missing one."""
    if settings.secret_key:
        return _checked(settings, settings.secret_key, "GOVFLOW_SECRET_KEY"), False
    key_file = secret_file(settings)
    if key_file is None:
        raise ConfigurationError(
            "GOVFLOW_SECRET_KEY must be set when the database is not a SQLite file "
            "(make one with `govflow secret generate`)")
    created = not key_file.exists()
    if created and not create:
        raise ConfigurationError(
            f"no secret key for the database {key_file.with_suffix('')}: {key_file} does not "
            "exist. Set GOVFLOW_SECRET_KEY, or GOVFLOW_DATABASE_URL to the database "
            "`govflow serve` created (its key is beside it)")
    if created:
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.touch(mode=0o600)
        os.chmod(key_file, 0o600)
        key_file.write_text(generate_secret())
    return _checked(settings, key_file.read_text().strip(), str(key_file)), created


def _checked(settings: Settings, key: str, where: str) -> Settings:
    if len(key) < MIN_SECRET_LENGTH:
        raise ConfigurationError(
            f"the secret key in {where} has {len(key)} characters; at least "
            f"{MIN_SECRET_LENGTH} are needed (make one with `govflow secret generate`)")
    return settings.model_copy(update={"secret_key": key})


def bundled_sets(root: Path) -> dict[str, dict[str, bytes]]:
    """{tenant: {file name: content}} from <root>/bpmn/<tenant>/ and <root>/dmn/<tenant>/."""
    sets: dict[str, dict[str, bytes]] = {}
    for kind in ("bpmn", "dmn"):
        base = root / kind
        if not base.is_dir():
            continue
        for tenant_dir in sorted(p for p in base.iterdir() if p.is_dir()):
            for file in sorted(tenant_dir.glob(f"*.{kind}")):
                sets.setdefault(tenant_dir.name, {})[file.name] = file.read_bytes()
    return {t: files for t, files in sets.items() if any(n.endswith(".bpmn") for n in files)}


def tenant_name(files: dict[str, bytes], fallback: str) -> str:
    """The main process's ``tenant_name`` property, else its pool's name, else the id."""
    pools: list[str] = []
    for name, content in sorted(files.items()):
        if not name.endswith(".bpmn"):
            continue
        root = parse_xml(content, name).getroot()
        main = root.xpath("//*[local-name()='process'][.//*[local-name()='property' and "
                          "@name='main' and @value='true']]")
        if main:
            named = main[0].xpath(".//*[local-name()='property' and @name='tenant_name']/@value")
            pool = root.xpath("//*[local-name()='participant'][@processRef=$p]/@name",
                              p=main[0].get("id"))
            return str((named or pool or [fallback])[0])
        pools.extend(str(p) for p in root.xpath("//*[local-name()='participant']/@name"))
    return pools[0] if pools else fallback


async def load_bundled(ctx: AppContext, root: Path) -> list[str]:
    """Deploy each bundled set; activate it unless an admin chose another set."""
    lines = []
    for tenant_id, files in bundled_sets(root).items():
        await execute(ctx, EnsureTenant(tenant_id, tenant_name(files, tenant_id)))
        view, created = await deploy_set(ctx, SYSTEM, tenant_id, files)
        async with ctx.sessions() as session:
            sets = await diagrams.list_sets(session, SYSTEM, tenant_id)
        active = next((s for s in sets if s["active"]), None)
        if active is None or (active["created_by"] == BUNDLED and not view["active"]):
            await execute(ctx, ActivateDiagramSet(SYSTEM, tenant_id, view["id"]))
        state = "new version" if created else "unchanged"
        lines.append(f"{tenant_id}: diagram set v{view['version']} ({state})")
    return lines



