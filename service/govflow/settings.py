"""Service settings, read from ``GOVFLOW_*`` environment variables (pydantic-settings)."""

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GOVFLOW_", env_file=".env", extra="ignore")

    # The embedded default: a SQLite file in the working directory.
    database_url: str = "sqlite+aiosqlite:///./govflow.db"
    # Signs bearer tokens (HS256). Empty: `govflow serve` on SQLite generates one and
    # keeps it beside the database file.
    secret_key: str = ""
    token_ttl_hours: int = 24 * 30
    # Where `govflow serve` finds the bundled diagram sets: <root>/bpmn/<tenant>, <root>/dmn/<tenant>.
    diagrams_root: Path = Path(".")
    load_bundled_diagrams: bool = True
    host: str = "127.0.0.1"
    port: int = 8000
    # Parsed workflows kept in memory between steps, so a step does not rebuild the instance.
    instance_cache_size: int = 2000
    log_level: str = "info"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
