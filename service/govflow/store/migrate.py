"""Alembic, driven from code: `govflow db upgrade`, `serve` on start, and the tests."""

from pathlib import Path
from typing import Any

import govflow_migrations
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

# The top-level migrations/ directory of the source tree, installed as package
# govflow_migrations (setup.py), so it is found the same way from a wheel.
MIGRATIONS = Path(govflow_migrations.__file__).resolve().parent


def alembic_config(url: str | None = None, connect_args: dict[str, Any] | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url:
        config.set_main_option("sqlalchemy.url", url)
    config.attributes["connect_args"] = connect_args or {}
    return config


def upgrade(url: str, revision: str = "head", connect_args: dict[str, Any] | None = None) -> None:
    """Create or upgrade the schema (runs its own event loop: call from sync code)."""
    command.upgrade(alembic_config(url, connect_args), revision)


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
