"""Settings: one pydantic-settings class, env prefix YICHUANG_, read once at the edges (api, workers,
the CLI) and passed down as typed sub-settings. Stages never read settings themselves."""

from __future__ import annotations

import datetime as dt
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


class CaptureSettings(BaseModel):
    """Thresholds of the capture stage (read once at the edges, passed down; frozen).

    The quality thresholds were calibrated by reading synthetic 1000-px cards with rapidocr
    (PP-OCRv6 small) while degrading them step by step, measuring the character error rate against
    the clean reading and whether the ID number was still read, then checked against the camera
    cards of samples/generate_idcards.py (mild shots must pass, its strong distortions must fail):

    - blur, as optical edge spread (worst of four edge directions, less the pixel-grid floor) / text-line
      height (capped at a card's print size): on generate_idcards.py camera cards (seeds 80/83/88, 120
      shots) good ones measure 0.025-0.054 (one 0.067), strong blur (seeds 80/84/85, 60 shots, ID number
      mostly unread) 0.06-0.48 -> warning 0.048, error 0.058; spread under `blur_min_px` source pixels is
      the resolution's doing and stays a warning;
    - resolution, as text-line height in source pixels: CER 1 % down to 10.5 px, 4 % at 7.5-9 px,
      8-11 % below 7 px -> warning 13, error 9 (the generator's 190-260 px wide cards: ~7-9 px);
    - darkness, as the 90th luminance percentile (paper level): CER 1 % down to 80, 4 % at 24-63
      with mild noise; real dark shots are noisier -> warning 70, error 35;
    - glare, as the share of the document clipped over areas at least a fifth of its short side across
      (print inside them is gone; clipped paper between lines is narrower) that fade out softly like a
      highlight: on the generator's camera cards (seeds 80/83/88/90, 160 good shots) good ones measure
      at most 0.093 but for 5 bright cards whose blank paper is clipped by uneven light (0.17-0.21,
      a known false alarm, 3 %), its burnt-out spots over a field (seeds 41/81/84/85/92, 74 shots) 0.10
      and above but for 11 (0.04-0.09: spots over blank paper or half off the card; 0: a spot that
      clipped most of a pale card, or a card not found) -> warning 0.05, error 0.10 (85 % recall).
      Hard shots (seed 91, 20): 2 over. The earlier rule (any clipped, mark-free blob) alarmed on 9 % of
      good cards and a quarter of hard shots at about the same recall.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    # --- finding documents ---
    detect_side: int = Field(640, description="long side (px) of the working copy used to find outlines")
    min_document_area: float = Field(0.02, description="smallest document, as a fraction of the frame area")
    edge_contrast: float = Field(10.0, description="colour step (Lab, 8-bit units) a document edge must show")
    min_edge_support: float = Field(0.7, description="fraction of an edge's samples that must show the step")
    ratio_tolerance: float = Field(0.06, description="relative tolerance when snapping an outline to ID-1 or A4")
    card_text_share: float = Field(0.033, description="text height / short side above which an outline that fits "
                                   "both shapes loosely is a card (ID card text ~5 %, A4 body text ~2 %)")
    card_width_px: int = Field(1000, description="width of a straightened ID-1 card (OCR reads ~1000 px best)")
    a4_width_px: int = Field(1654, description="width of a straightened A4 page (200 dpi)")
    max_side_px: int = Field(2339, description="long side cap for other documents and whole images")
    split_cards: bool = Field(True, description="cut cards photocopied on a page into one region each")
    max_outside_ink: float = Field(0.3, description="split only when at most this share of the page's ink lies outside the cards")

    # --- straightening ---
    max_deskew_degrees: float = 20.0
    min_deskew_degrees: float = Field(0.2, description="smaller measured skews are left alone")
    min_deskew_outlined: float = Field(1.0, description="the same for documents straightened by their outline")

    # --- quality gate ---
    blur_warning: float = Field(0.048, description="edge spread (Gaussian sigma) / text height")
    blur_error: float = Field(0.058, description="edge spread (Gaussian sigma) / text height")
    blur_min_px: float = Field(1.0, description="optical edge spread (source px) below which blur is at most a warning")
    glare_warning: float = Field(0.05, description="washed-out (clipped) share of the document")
    glare_error: float = Field(0.10, description="washed-out (clipped) share of the document")
    glare_level: int = Field(250, description="paper brightness counted as clipped by a highlight")
    glare_spot: float = Field(0.2, description="narrowest washed-out area counted, as a share of the short side")
    glare_halo: float = Field(0.8, description="share of a ring around a highlight that must be nearly clipped too")
    dark_warning: float = Field(70.0, description="paper level (90th percentile luminance) below which warn")
    dark_error: float = Field(35.0, description="paper level below which the image is too dark to read")
    text_height_warning: float = Field(13.0, description="median text-line height in source pixels")
    text_height_error: float = Field(9.0, description="median text-line height in source pixels")
    border_margin: float = Field(0.004, description="outline corners closer to the frame edge (share of its size) are cut")
    min_text_components: int = Field(6, description="fewer text-like marks than this is not a document")
    min_mark_contrast: float = Field(75.0, description="marks fainter than this (grey levels) over a frame with no "
                                     "document outline are a desk or cloth texture when they are also soft")


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
    capture: CaptureSettings = Field(default_factory=CaptureSettings)  # YICHUANG_CAPTURE='{"blur_error": 0.07}'

    # --- the pages (api/pages/): session cookies, lifetimes, the optional 统一身份认证 (OIDC or CAS) ---
    # Secure cookies travel only over HTTPS. Default: on, except in development (plain-HTTP localhost).
    cookie_secure: bool | None = None
    session_hours: float = 8.0  # absolute lifetime of a signed-in session (one working day)
    session_idle_minutes: int = 30  # signed out after this long without a request
    # 统一身份认证: the platform's single sign-on, used through api/pages/oidc.py.
    sso_kind: Literal["none", "oidc", "cas"] = "none"
    sso_issuer: str | None = None  # OIDC issuer URL, or the CAS server's base URL
    sso_client_id: str | None = None
    sso_client_secret: SecretStr | None = None
    sso_redirect_url: str | None = None  # https://<this service>/signin/sso/callback
    sso_label: str = "统一身份认证登录"

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
    def _pages_secure_outside_development(self) -> "Settings":
        if self.env == "production" and self.cookie_secure is False:
            raise ValueError("YICHUANG_COOKIE_SECURE=false is refused in production: session cookies need HTTPS")
        if self.sso_kind != "none" and not (self.sso_issuer and self.sso_redirect_url):
            raise ValueError("YICHUANG_SSO_KIND needs YICHUANG_SSO_ISSUER and YICHUANG_SSO_REDIRECT_URL")
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

    def configured_secret(self) -> bytes | None:
        """YICHUANG_SECRET_KEY, the HMAC key for API keys; None in the embedded default, where the wiring
        generates one into the data directory (workers/wiring.py secret_key: no file is written from here)."""
        if self.secret_key is not None:
            value = self.secret_key.get_secret_value()
            if self.env != "development" and value.strip().lower() in PLACEHOLDER_SECRETS:
                raise ConfigurationError(detail="placeholder secret refused outside development")
            return value.encode()
        if self.env == "production":
            raise ConfigurationError(detail="YICHUANG_SECRET_KEY is required in production")
        return None

    @property
    def secure_cookies(self) -> bool:
        return self.cookie_secure if self.cookie_secure is not None else self.env != "development"

    @property
    def session_lifetime(self) -> dt.timedelta:
        return dt.timedelta(hours=self.session_hours)

    @property
    def session_idle(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.session_idle_minutes)
