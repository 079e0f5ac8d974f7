"""Settings: one pydantic-settings class, env prefix YICHUANG_, read once at the edges (api, workers,
the CLI) and passed down as typed sub-settings. Stages never read settings themselves."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from pipeline.errors import ConfigurationError

PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "dev", "development", "yichuang"}


class Limits(BaseModel):
    """Caps on input files (docs/architecture.md "Decisions already taken")."""

    model_config = ConfigDict(frozen=True)
    max_upload_bytes: int = 20 * 1024 * 1024
    max_pixels: int = 40_000_000
    max_pages: int = 50
    pdf_dpi: int = 200


class Thresholds(BaseModel):
    """Confidence at or above which a reading is trusted enough for a failed check to be an error.

    Per field class; values are calibrated probabilities (pipeline/calibration.json)."""

    model_config = ConfigDict(frozen=True)
    id_number: float = 0.9
    name: float = 0.9
    date: float = 0.9
    code: float = 0.9
    text: float = 0.8
    enum: float = 0.9
    type: float = 0.6  # classification: below this a page is `unknown`

    def for_class(self, field_class: str) -> float:
        return float(getattr(self, field_class, self.text))


class WebhookSettings(BaseModel):
    """Webhook delivery (workers/webhooks.py): the hosts an administrator allows, timeouts, retries."""

    model_config = ConfigDict(frozen=True)
    allowed_hosts: tuple[str, ...] = ()  # exact host names or addresses, or "*.example.com"
    connect_timeout: float = 3.0
    read_timeout: float = 5.0
    max_attempts: int = 8
    backoff_base: float = 10.0  # seconds before the 2nd attempt; doubled each time
    backoff_cap: float = 3600.0


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="YICHUANG_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("var")
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"

    database_url: str | None = None
    broker_url: str | None = None  # default: kombu filesystem transport in the data directory
    redis_key_prefix: str = "yichuang"

    store: Literal["local", "s3"] = "local"
    s3_endpoint: str | None = None
    s3_access_key: str | None = None
    s3_secret_key: SecretStr | None = None
    s3_bucket: str = "yichuang"
    s3_secure: bool = True
    s3_region: str | None = None

    secret_key: SecretStr | None = None

    ocr_engine: str = "rapidocr"  # "rapidocr", "paddleocr", or a dotted path module:Class
    ocr_threads: int = 2
    paddle_model_dir: Path | None = None
    trust_dir: Path | None = None
    # The electronic-licence library: "embedded" (database + object store; empty = like "none"), "none", or
    # the http(s) URL of an external library service (README "Licence library").
    licence_library: str = "embedded"
    licence_library_timeout: float = Field(default=5.0, gt=0, le=120)
    licence_library_token: SecretStr | None = None
    licence_trust_dir: Path | None = None  # anchors for licence files' e-seals (default: YICHUANG_TRUST_DIR)
    # A source's own status codes onto the internal status, e.g. {"A": "VALID", "X": "REVOKED"} (JSON).
    licence_status_codes: dict[str, Literal["VALID", "SUSPENDED", "REVOKED", "CANCELLED", "EXPIRED", "ABOLISHED",
                                            "OTHER"]] = {}
    signing_p12: Path | None = None  # the hall's PKCS#12 (key + certificate) that signs case bundles
    signing_passphrase: SecretStr | None = None

    max_upload_bytes: int = Limits().max_upload_bytes
    max_pixels: int = Limits().max_pixels
    max_pages: int = Limits().max_pages
    pdf_dpi: int = Limits().pdf_dpi

    verify_timeout: float = 30.0  # POST /api/v1/verify waits this long for the counter queue, then answers 202
    verify_max_pages: int = 10  # a synchronous verify is for a card or a short form, not a set

    worker_concurrency: int = 1
    # A PDF or TIFF of at least this many pages is read by one task per page, which any worker may take
    # (workers/fanout.py); 0 reads every file in one task.
    page_fanout_min_pages: int = Field(default=2, ge=0)
    worker_queues: str = "counter,bulk,webhooks"
    embedded_worker: bool = True
    task_soft_time_limit: int = 240
    task_time_limit: int = 300
    lease_margin: int = 60
    # A worker holds its upload for `lease_seconds` and renews the lease every `heartbeat_interval` while it
    # works: a dead worker's upload is free again within `lease_seconds` (not the whole time limit).
    lease_seconds: int = Field(default=20, ge=2)
    heartbeat_interval: float = Field(default=5.0, gt=0)
    queued_stuck_after: int = 30
    sweep_interval: int = 10
    max_attempts: int = 3
    worker_start_timeout: float = Field(default=60.0, gt=0)  # Celery's wait for a new child (it builds the OCR engine)

    # Network timeouts (seconds): a dependency that is down or hung answers 503 instead of holding requests.
    redis_connect_timeout: float = Field(default=2.0, gt=0)
    redis_socket_timeout: float = Field(default=2.0, gt=0)
    redis_worker_socket_timeout: float = Field(default=120.0, gt=0)  # workers wait out a Redis freeze (celery_app)
    db_connect_timeout: int = Field(default=3, ge=1)
    db_statement_timeout: float = Field(default=15.0, gt=0)
    db_pool_timeout: float = Field(default=5.0, gt=0)
    s3_connect_timeout: float = Field(default=3.0, gt=0)
    s3_read_timeout: float = Field(default=10.0, gt=0)
    body_read_timeout: float = Field(default=30.0, gt=0)  # the API waits this long for the next piece of a body
    readiness_timeout: float = Field(default=2.0, gt=0)  # per dependency in GET /readyz

    # API keys (api/keys.py, api/rate_limits.py): per-role request limits per key in `limits` notation (JSON, e.g.
    # {"integrator": "5/second;100/minute"}; unnamed roles keep the defaults), and how long a rotated-out secret
    # still works unless the rotation says otherwise.
    rate_limits: dict[str, str] = {}
    rate_limits_enabled: bool = True
    key_rotation_overlap: int = Field(default=24 * 3600, ge=0, le=30 * 24 * 3600)  # seconds

    # Webhooks (README "Webhooks"): target hosts an administrator allows, comma-separated; none allowed by default.
    webhook_allowed_hosts: str = ""
    webhook_connect_timeout: float = Field(default=3.0, gt=0, le=30)
    webhook_read_timeout: float = Field(default=5.0, gt=0, le=60)
    webhook_max_attempts: int = Field(default=8, ge=1, le=30)
    webhook_backoff_base: float = Field(default=10.0, gt=0)
    webhook_backoff_cap: float = Field(default=3600.0, gt=0)

    thresholds: Thresholds = Field(default_factory=Thresholds)

    @field_validator("licence_library")
    @classmethod
    def _licence_library_kind(cls, value: str) -> str:
        value = value.strip()
        if value.lower() in ("embedded", "none"):
            return value.lower()
        if value.startswith(("http://", "https://")):
            return value
        raise ValueError("YICHUANG_LICENCE_LIBRARY must be embedded, none, or an http(s):// URL")

    @model_validator(mode="after")
    def _lease_outlives_heartbeat(self) -> "Settings":
        if self.heartbeat_interval * 2 > self.lease_seconds:
            raise ValueError("YICHUANG_HEARTBEAT_INTERVAL must be at most half of YICHUANG_LEASE_SECONDS")
        return self

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> "Settings":
        if self.env == "production":
            value = self.secret_key.get_secret_value() if self.secret_key else ""
            if value.strip().lower() in PLACEHOLDER_SECRETS or len(value) < 32:
                raise ValueError("YICHUANG_SECRET_KEY must be set to a random value of at least 32 characters in production")
        return self

    # --- derived values (the edges call these; stages get only the typed pieces) ------------

    @property
    def limits(self) -> Limits:
        return Limits(
            max_upload_bytes=self.max_upload_bytes,
            max_pixels=self.max_pixels,
            max_pages=self.max_pages,
            pdf_dpi=self.pdf_dpi,
        )

    @property
    def webhooks(self) -> WebhookSettings:
        hosts = tuple(h.strip().lower().rstrip(".") for h in self.webhook_allowed_hosts.split(",") if h.strip())
        return WebhookSettings(allowed_hosts=hosts, connect_timeout=self.webhook_connect_timeout,
                               read_timeout=self.webhook_read_timeout, max_attempts=self.webhook_max_attempts,
                               backoff_base=self.webhook_backoff_base, backoff_cap=self.webhook_backoff_cap)

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'yichuang.sqlite').resolve()}"

    def admin_key_file(self) -> Path:
        """Where `serve` writes the first admin key (0600); only this path is printed."""
        return (self.data_dir / "admin.key").resolve()

    def resolved_broker_url(self) -> str:
        return self.broker_url or "filesystem://"

    def broker_folder(self) -> Path:
        return (self.data_dir / "broker").resolve()

    def objects_dir(self) -> Path:
        return (self.data_dir / "objects").resolve()

    def secret(self) -> bytes:
        """The HMAC key for API keys. In the embedded default it is generated once into a 0600 file."""
        if self.secret_key is not None:
            value = self.secret_key.get_secret_value()
            if self.env != "development" and value.strip().lower() in PLACEHOLDER_SECRETS:
                raise ConfigurationError(detail="placeholder secret refused outside development")
            return value.encode()
        if self.env == "production":
            raise ConfigurationError(detail="YICHUANG_SECRET_KEY is required in production")
        path = self.data_dir / "secret.key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(48))
        return path.read_text().strip().encode()
