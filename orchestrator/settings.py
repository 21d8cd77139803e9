"""Settings, read once from the environment at start-up.

With nothing set, FusionFlow runs embedded: SQLite and asset files under
``FUSIONFLOW_HOME`` (default ``./.fusionflow``), an in-process broker and bus.
Setting the database, Redis and S3 variables turns on the distributed mode.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from orchestrator.prices import DEFAULT_PRICES, parse_prices


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _int(name: str, default: int) -> int:
    value = _env(name)
    return int(value) if value is not None else default


def _float(name: str, default: float) -> float:
    value = _env(name)
    return float(value) if value is not None else default


def _bool(name: str, default: bool) -> bool:
    value = _env(name)
    return default if value is None else value.lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    redis_url: str | None
    s3_endpoint: str | None
    s3_public_endpoint: str | None
    """Where clients (browsers, providers) reach the same S3 server, when not at ``s3_endpoint``."""
    s3_access_key: str | None
    s3_secret_key: str | None
    s3_bucket: str
    s3_region: str | None
    s3_secure: bool
    auth_required: bool
    worker_threads: int
    """Threads for short nodes in each process that runs nodes."""
    long_threads: int
    """Threads for long nodes (``NodeType.long``) in each process that runs nodes."""
    queue_name: str
    """The base of the queue names (see ``orchestrator.engine.queues``)."""
    max_attempts: int
    retry_base_ms: int
    retry_max_ms: int
    lease_seconds: int
    stop_grace_seconds: float
    user_max_running: int
    """Nodes one user may have running at once across all workers (0: no cap)."""
    metrics_port: int | None
    """Where a ``fusionflow worker`` serves its own Prometheus metrics (off when unset)."""
    metrics_host: str
    """How long a stopping worker lets its running nodes finish before handing them back."""
    max_nodes: int
    max_edges: int
    max_upload_bytes: int
    url_expiry_seconds: int
    allow_private_urls: bool
    provider_timeout_seconds: float
    secret_key: str
    prices: dict = field(default_factory=dict)
    retention_days: float = 30
    """Assets made by runs, and finished runs, are deleted this long after (``FUSIONFLOW_RETENTION_DAYS``)."""
    batch_ttl_hours: float = 24
    """Outputs of runs with a ``variants.*`` node expire this long after (``FUSIONFLOW_BATCH_TTL_HOURS``)."""
    sweep_interval_seconds: float = 3600
    """How often the maintenance loop sweeps expired assets and unreferenced bytes."""
    pollers: int = 4
    """``FUSIONFLOW_POLLERS``: threads per worker process that look at suspended nodes' external jobs."""
    extra: dict = field(default_factory=dict)
    """Provider keys and base URLs (``FAL_KEY``, ``GEMINI_API_KEY`` …), read by nodes via ``ctx.setting``."""
    max_json_bytes: int = 4 * 1024 * 1024
    """The body limit of every route but the uploads (``FUSIONFLOW_MAX_JSON_BYTES``)."""
    public_url: str | None = None
    """``FUSIONFLOW_PUBLIC_URL``: where clients and providers reach this server: the base of
    every URL made outside a request, and the SIWE domain (its host[:port])."""
    trigger_poll_seconds: float = 1.0
    """How often the API processes look for webhooks to send and schedules to fire."""
    webhook_retry_base_seconds: float = 10.0
    webhook_retry_max_seconds: float = 3600.0
    webhook_give_up_hours: float = 24.0
    model_catalog_refresh_hours: float = 24.0
    # accounts and spend (contract section 12)
    registration_open: bool = False
    credits: bool = False
    """``FUSIONFLOW_CREDITS=on``: runs are priced against each user's balance and daily limit."""
    rate_runs: str = ""
    """``FUSIONFLOW_RATE_RUNS``, e.g. ``60/min``: run submissions per user (empty: unlimited)."""
    rate_provider_calls: str = ""
    """``FUSIONFLOW_RATE_PROVIDER_CALLS``, e.g. ``120/min``: provider nodes started per user."""
    rate_failed_sign_ins: str = "10/minute"
    """``FUSIONFLOW_RATE_FAILED_SIGN_INS``: wrong passwords per username before sign-ins of that name wait."""
    siwe_chains: tuple[int, ...] = (1,)
    """``FUSIONFLOW_SIWE_CHAINS``: the chain ids a SIWE message may name (comma-separated)."""

    @property
    def distributed(self) -> bool:
        """True when Redis is configured: nodes then run in ``fusionflow worker`` processes."""
        return self.redis_url is not None

    @property
    def threads_by_kind(self) -> dict[str, int]:
        """Worker threads for each kind of node (``orchestrator.engine.queues``)."""
        return {"short": self.worker_threads, "long": self.long_threads}

    @property
    def embedded_database(self) -> bool:
        return self.database_url.startswith("sqlite")

    def setting(self, name: str, default=None):
        return self.extra.get(name, default)

    def node_view(self, declared: tuple[str, ...]) -> dict:
        """What a node's context may read: the settings its type declares (provider keys,
        base URLs) and the limits every node honours; never the database URL, the
        object store's credentials or the signing key."""
        view = {name: self.extra[name] for name in declared if name in self.extra}
        view.update({"prices": self.prices, "provider_timeout_seconds": self.provider_timeout_seconds,
                     "max_upload_bytes": self.max_upload_bytes, "allow_private_urls": self.allow_private_urls})
        if "FUSIONFLOW_FFMPEG" in self.extra:
            view["FUSIONFLOW_FFMPEG"] = self.extra["FUSIONFLOW_FFMPEG"]
        return view


PROVIDER_SETTINGS = (
    "FAL_KEY", "FAL_API_URL", "FAL_QUEUE_URL", "FAL_RUN_URL", "FAL_CDN_URL", "FAL_POLL_INTERVAL", "FAL_MAX_WAIT_SECONDS",
    "FAL_WEBHOOK_POLL_SECONDS",
    "GEMINI_API_KEY", "GOOGLE_API_KEY", "GEMINI_BASE_URL", "GEMINI_API_VERSION",
    "FUSIONFLOW_CIRCUIT_THRESHOLD", "FUSIONFLOW_CIRCUIT_COOLDOWN",
    "FUSIONFLOW_FFMPEG",
)


def load(env_overrides: dict[str, str] | None = None) -> Settings:
    """Read the settings from the environment (``env_overrides`` wins, for tests)."""
    saved = dict(os.environ)
    if env_overrides:
        os.environ.update(env_overrides)
    try:
        return _load()
    finally:
        if env_overrides:
            os.environ.clear()
            os.environ.update(saved)


def _load() -> Settings:
    home = Path(_env("FUSIONFLOW_HOME", "./.fusionflow")).resolve()
    database_url = _env("FUSIONFLOW_DATABASE_URL") or f"sqlite:///{home / 'fusionflow.db'}"
    return Settings(
        home=home,
        database_url=database_url,
        redis_url=_env("FUSIONFLOW_REDIS_URL"),
        s3_endpoint=_env("FUSIONFLOW_S3_ENDPOINT"),
        s3_public_endpoint=_env("FUSIONFLOW_S3_PUBLIC_ENDPOINT"),
        s3_access_key=_env("FUSIONFLOW_S3_ACCESS_KEY"),
        s3_secret_key=_env("FUSIONFLOW_S3_SECRET_KEY"),
        s3_bucket=_env("FUSIONFLOW_S3_BUCKET", "fusionflow"),
        s3_region=_env("FUSIONFLOW_S3_REGION"),
        s3_secure=_bool("FUSIONFLOW_S3_SECURE", False),
        auth_required=(_env("FUSIONFLOW_AUTH", "off") or "off").lower() == "required",
        worker_threads=max(1, _int("FUSIONFLOW_WORKER_THREADS", 8)),
        long_threads=max(1, _int("FUSIONFLOW_LONG_THREADS", 8)),
        queue_name=_env("FUSIONFLOW_QUEUE", "fusionflow"),
        max_attempts=max(1, _int("FUSIONFLOW_MAX_ATTEMPTS", 3)),
        retry_base_ms=_int("FUSIONFLOW_RETRY_BASE_MS", 500),
        retry_max_ms=_int("FUSIONFLOW_RETRY_MAX_MS", 60_000),
        lease_seconds=_int("FUSIONFLOW_LEASE_SECONDS", 60),
        stop_grace_seconds=_float("FUSIONFLOW_STOP_GRACE_SECONDS", 2.0),
        user_max_running=max(0, _int("FUSIONFLOW_USER_MAX_RUNNING", 0)),
        metrics_port=_int("FUSIONFLOW_METRICS_PORT", 0) or None,
        metrics_host=_env("FUSIONFLOW_METRICS_HOST", "127.0.0.1"),
        max_nodes=_int("FUSIONFLOW_MAX_NODES", 10_000),
        max_edges=_int("FUSIONFLOW_MAX_EDGES", 50_000),
        max_upload_bytes=_int("FUSIONFLOW_MAX_UPLOAD_BYTES", 2 * 1024**3),
        url_expiry_seconds=_int("FUSIONFLOW_URL_EXPIRY_SECONDS", 3600),
        allow_private_urls=_bool("FUSIONFLOW_ALLOW_PRIVATE_URLS", False),
        provider_timeout_seconds=_float("FUSIONFLOW_PROVIDER_TIMEOUT", 60.0),
        secret_key=_env("FUSIONFLOW_SECRET_KEY") or "",
        prices=parse_prices(_env("FUSIONFLOW_PRICES"), DEFAULT_PRICES),
        retention_days=_float("FUSIONFLOW_RETENTION_DAYS", 30),
        batch_ttl_hours=_float("FUSIONFLOW_BATCH_TTL_HOURS", 24),
        sweep_interval_seconds=_float("FUSIONFLOW_SWEEP_INTERVAL_SECONDS", 3600),
        pollers=max(1, _int("FUSIONFLOW_POLLERS", 4)),
        extra={name: os.environ[name] for name in PROVIDER_SETTINGS if _env(name)},
        max_json_bytes=_int("FUSIONFLOW_MAX_JSON_BYTES", 4 * 1024 * 1024),
        public_url=(_env("FUSIONFLOW_PUBLIC_URL", "") or "").rstrip("/") or None,
        trigger_poll_seconds=_float("FUSIONFLOW_TRIGGER_POLL_SECONDS", 1.0),
        webhook_retry_base_seconds=_float("FUSIONFLOW_WEBHOOK_RETRY_BASE_SECONDS", 10.0),
        webhook_retry_max_seconds=_float("FUSIONFLOW_WEBHOOK_RETRY_MAX_SECONDS", 3600.0),
        webhook_give_up_hours=_float("FUSIONFLOW_WEBHOOK_GIVE_UP_HOURS", 24.0),
        model_catalog_refresh_hours=_float("FUSIONFLOW_MODEL_CATALOG_REFRESH_HOURS", 24.0),
        registration_open=(_env("FUSIONFLOW_REGISTRATION", "closed") or "").lower() == "open",
        credits=_bool("FUSIONFLOW_CREDITS", False),
        rate_runs=_env("FUSIONFLOW_RATE_RUNS", "") or "",
        rate_provider_calls=_env("FUSIONFLOW_RATE_PROVIDER_CALLS", "") or "",
        rate_failed_sign_ins=_env("FUSIONFLOW_RATE_FAILED_SIGN_INS", "10/minute") or "",
        siwe_chains=tuple(int(c) for c in (_env("FUSIONFLOW_SIWE_CHAINS", "1") or "1").split(",") if c.strip()),
    )
