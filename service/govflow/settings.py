"""Service settings, read from ``GOVFLOW_*`` environment variables (pydantic-settings)."""

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
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
    # Fire timers inside `govflow serve`. Default: yes on SQLite (one process), no elsewhere
    # (run `govflow worker` processes next to the API replicas).
    worker_in_process: bool | None = None
    worker_poll_seconds: float = 0.5

    # Size limits on what a caller sends (docs/security-auth.md). A bearer token longer than
    # this is refused (401) before it is decoded.
    max_token_bytes: int = 8 * 1024
    # Request bodies: a diagram set upload (multipart, all its files), and any other body.
    # Over the limit: 413, from the Content-Length alone or once the stream passes it.
    max_upload_bytes: int = 20 * 1024 * 1024
    max_body_bytes: int = 1024 * 1024
    # --- Operations (deploy/, docs/operations.md) ---
    # Seconds `serve` waits for in-flight requests after SIGTERM before closing them.
    shutdown_grace_seconds: int = 20
    # "text" (uvicorn's console lines) or "json" (one object per line, with the request id).
    log_format: Literal["text", "json"] = "text"
    # Days an ended instance's history and engine rows are kept; `govflow history cleanup`
    # deletes older ones. None: kept forever.
    history_ttl_days: int | None = Field(default=None, ge=1)
    # Where `govflow worker` serves its Prometheus metrics (timers fired, incidents); None: not.
    worker_metrics_port: int | None = None

    # --- The diagram sandbox (engine/sandbox_limits.py): what one evaluation of a script,
    # condition, DMN entry or message expression may spend. A legitimate diagram never
    # comes near; going over fails the step with 422 and stores nothing.
    script_cpu_seconds: float = 1.0       # CPU time of one evaluation
    script_max_int_bits: int = 10_000     # size of any number it computes
    script_max_sequence: int = 1_000_000  # cells it may place in lists/dicts/sets/tuples, in all
    script_max_string: int = 1_000_000    # characters of any one string it builds
    script_step_cpu_seconds: float = 10.0  # CPU time of one engine step (a diagram looping)
    # What a step may leave in an instance's data (engine/datasafe.py): JSON values only.
    data_max_depth: int = 32
    data_max_nodes: int = 200_000

    @property
    def runs_worker_in_process(self) -> bool:
        return self.is_sqlite if self.worker_in_process is None else self.worker_in_process

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    # --- Timer incidents (docs/timers.md). A timer whose firing fails puts its instance in
    # state `error` and is tried again after each back-off in turn (the last one repeats if
    # there are more retries than back-offs); once `timer_retries` retries failed too, it
    # waits for an admin's resume. The worker's name in history is `timer:<worker_name>`,
    # by default `timer:<host>:<pid>`.
    timer_retries: int = Field(default=3, ge=0, le=100)
    timer_retry_backoff_seconds: list[float] = Field(default=[10, 60, 300], min_length=1)
    worker_name: str = Field(default="", max_length=150)

    @field_validator("timer_retry_backoff_seconds")
    @classmethod
    def _positive_backoffs(cls, value: list[float]) -> list[float]:
        if any(not 0 < v <= 7 * 86400 for v in value):
            raise ValueError("each back-off must be more than 0 s and at most a week")
        return value

    # --- Timers in bulk (docs/operations.md, performance). A worker claims up to this many
    # due instances at once (FOR UPDATE SKIP LOCKED) and fires them in one transaction; a
    # batch that fails is retried one instance per transaction, so one bad timer still
    # becomes an incident on its instance alone. 1 fires every instance on its own.
    timer_batch_size: int = Field(default=20, ge=1, le=500)

    # --- Browsers and OpenID Connect (docs/security-auth.md) ---
    # Origins a browser app may call the API from (CORS), as a JSON list:
    # GOVFLOW_CORS_ORIGINS='["https://approvals.example.gov.cn"]'. Empty: no CORS headers.
    cors_origins: list[str] = Field(default_factory=list, max_length=100)
    # An OpenID provider whose access tokens (JWTs, RS256/ES256/PS256/EdDSA) are accepted
    # beside the CLI's HS256 tokens. Empty issuer: none. The JWKS URL is found by discovery
    # (<issuer>/.well-known/openid-configuration) unless given.
    oidc_issuer: str = ""
    oidc_audience: str = ""
    oidc_jwks_url: str = ""
    oidc_algorithms: list[str] = Field(default=["RS256", "ES256"], min_length=1)
    # Seconds of clock difference tolerated on exp, nbf and iat (at most 5 minutes).
    oidc_leeway_seconds: int = Field(default=30, ge=0, le=300)
    # Keys are fetched again after this long, and, for a token signed by a key not seen
    # yet (rotation), at most once per oidc_jwks_min_refresh_seconds.
    oidc_jwks_cache_seconds: int = Field(default=3600, ge=10)
    oidc_jwks_min_refresh_seconds: int = Field(default=30, ge=0)
    # Which claims say who the caller is: the user id, its tenants (a list, or one string),
    # its lane groups (a list), and whether it administers its tenants: true when the claim
    # is the boolean true, or a list containing oidc_admin_value.
    oidc_user_claim: str = "sub"
    oidc_tenants_claim: str = "govflow_tenants"
    oidc_groups_claim: str = "groups"
    oidc_admin_claim: str = "govflow_admin"
    oidc_admin_value: str = "admin"

    # --- The change feed: server-sent events and tenant webhooks (docs/frontend.md) ---
    # How often an open event stream looks for new history (a commit in this process wakes
    # it at once; one in another process is seen within this), and its heartbeat.
    events_poll_seconds: float = Field(default=1.0, gt=0, le=30)
    events_heartbeat_seconds: float = Field(default=15.0, gt=0, le=300)
    # Open streams per user (429 beyond) and per process (503 beyond).
    events_streams_per_user: int = Field(default=5, ge=1, le=1000)
    events_streams_max: int = Field(default=500, ge=1, le=100_000)
    # How many missed events a Last-Event-ID resume replays at most (beyond: a `resync` event).
    events_replay_limit: int = Field(default=1000, ge=1, le=100_000)
    # A stream ends after this long (the browser reconnects with Last-Event-ID).
    events_stream_max_seconds: float = Field(default=3600.0, gt=0)
    # Webhooks may target private, loopback and link-local addresses (SSRF guard off).
    webhook_allow_private_addresses: bool = False
    webhooks_per_tenant: int = Field(default=20, ge=1, le=1000)
    # Delivery attempts per event, the back-off before attempt n+1 (base * 2**(n-1), at
    # most max) and the timeout of one POST.
    webhook_max_attempts: int = Field(default=6, ge=1, le=50)
    webhook_backoff_base_seconds: float = Field(default=10.0, ge=0)
    webhook_backoff_max_seconds: float = Field(default=3600.0, ge=0)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    # Before a process says it is ready it loads this many of the most recently active
    # running instances into its cache (at most instance_cache_size; 0: none), so a
    # completion right after a restart does not rebuild the instance from its rows.
    warm_instances: int = Field(default=500, ge=0)
    # PostgreSQL connections a process keeps open, and how many more it may open under a
    # burst (closed again when returned to a full pool). Below the process's concurrent
    # requests, every burst opens and closes connections (issue 15: 590 new sessions in
    # 15 s with the old 5 + 10), each costing milliseconds of CPU and re-preparing every
    # statement. Mind PostgreSQL's max_connections: (size + overflow) x processes.
    db_pool_size: int = Field(default=20, ge=1, le=1000)
    db_max_overflow: int = Field(default=20, ge=0, le=1000)

    @field_validator("cors_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        for origin in value:
            if origin != "*" and not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?",
                                                  origin):
                raise ValueError(f"{origin[:100]!r} is not an origin: scheme://host[:port], "
                                 "without a path or trailing slash (or '*')")
        return value

    @field_validator("oidc_algorithms")
    @classmethod
    def _asymmetric(cls, value: list[str]) -> list[str]:
        allowed = {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384",
                   "ES512", "EdDSA"}
        if not set(value) <= allowed:
            raise ValueError("only asymmetric algorithms (" + ", ".join(sorted(allowed)) +
                             "): 'none' and HS* are never accepted from a provider")
        return value

    # --- Documents (docs/documents.md): files uploaded to tasks, named by `file` form fields.
    # "local": a directory (documents_dir; default `<database file>.documents` beside a
    # SQLite database, else ./govflow-documents); "s3": S3-compatible object storage.
    documents_backend: Literal["local", "s3"] = "local"
    documents_dir: Path | None = None
    # Largest document accepted (413 `document.too_large` beyond), and the media types
    # accepted, as detected from the bytes (422 `document.type_not_allowed` otherwise).
    document_max_bytes: int = Field(default=50 * 1024 * 1024, ge=1, le=5 * 1024 ** 3)
    document_types: list[str] = Field(default=[
        "application/pdf", "application/ofd", "image/jpeg", "image/png", "image/tiff",
        "application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet", "application/zip"], min_length=1)
    # Object storage for documents_backend=s3: endpoint (empty: AWS), bucket (it must
    # exist), key prefix, region and credentials (empty: boto3's own chain: environment,
    # instance role).
    s3_endpoint_url: str = ""
    s3_bucket: str = ""
    s3_prefix: str = "documents/"
    s3_region: str = "us-east-1"
    s3_access_key_id: str = ""
    s3_secret_access_key: str = ""

    # The garbage collector's thresholds once warm-up is done (gc.set_threshold; 0 turns
    # collection off), after everything then alive was frozen (gc_tuning.py).
    gc_thresholds: tuple[int, int, int] = (10_000, 20, 100)

    @field_validator("gc_thresholds")
    @classmethod
    def _thresholds(cls, value: tuple[int, int, int]) -> tuple[int, int, int]:
        if min(value) < 0 or value[0] > 10_000_000:
            raise ValueError("three counts, 0 to 10,000,000")
        return value


@lru_cache
def get_settings() -> Settings:
    return Settings()
