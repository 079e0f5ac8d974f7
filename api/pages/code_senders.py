"""How an applicant's one-time registration code reaches them: a `CodeSender` (SMS gateway, mail relay, the
platform's message service). A deployment writes one for its gateway and registers it with `register` after
`create_app`. Shipped here are only stand-ins for development — NOT FOR PRODUCTION:

- `file`: appends each code to `<data dir>/dev-outbox/codes.txt` (what the browser tests read);
- `console`: logs the code (the contact masked) at WARNING.

YICHUANG_APPLICANT_SENDER chooses one of them (`file` by default outside production, `none` in production,
where registration by code stays closed until a real sender is registered). Either stand-in with
YICHUANG_ENV=production is refused at startup: nobody must believe an SMS was sent.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from pathlib import Path
from typing import Literal, Protocol

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.applicants import Contact

logger = logging.getLogger(__name__)

OUTBOX_HEADER = ("# 开发用验证码发件箱 —— 仅供开发和测试，不是短信或邮件，不得用于生产环境。\n"
                 "# DEVELOPMENT OUTBOX — not an SMS or e-mail gateway; refused when YICHUANG_ENV=production.\n")


class CodeSender(Protocol):
    """Delivers a registration code. Raises on failure (the page then says the code could not be sent)."""

    label: str  # what the registration page says (e.g. “短信”); the stand-ins say they are for development

    def send(self, contact: Contact, code: str, minutes: int) -> None: ...


class SenderSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="YICHUANG_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    applicant_sender: Literal["file", "console", "none"] | None = None

    @model_validator(mode="after")
    def _no_stand_in_in_production(self) -> "SenderSettings":
        if self.env == "production" and self.applicant_sender in ("file", "console"):
            raise ValueError(f"YICHUANG_APPLICANT_SENDER={self.applicant_sender} is a development stand-in and is "
                             "refused in production: register a real CodeSender (api/pages/code_senders.register)")
        return self

    @property
    def kind(self) -> str:
        return self.applicant_sender or ("none" if self.env == "production" else "file")


class FileSender:
    """Development only: one line per code in a text file under the data folder."""

    label = "开发用发件箱（非短信，仅供测试）"

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / "codes.txt"
        self._lock = threading.Lock()

    def send(self, contact: Contact, code: str, minutes: int) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            fresh = not self.path.exists()
            with self.path.open("a", encoding="utf-8") as out:
                if fresh:
                    out.write(OUTBOX_HEADER)
                out.write(f"{dt.datetime.now(dt.timezone.utc).isoformat()}\t{contact.value}\t{code}\t{minutes}分钟内有效\n")


class ConsoleSender:
    """Development only: the code in the service's log (the contact masked, as every log line is)."""

    label = "开发用控制台（非短信，仅供测试）"

    def send(self, contact: Contact, code: str, minutes: int) -> None:
        logger.warning("DEVELOPMENT code sender (not for production): code %s for %s, valid %d minutes",
                       code, contact.masked, minutes)


def build_sender(settings: SenderSettings, data_dir: Path) -> CodeSender | None:
    """Who calls it: api/pages mount (once per app). None: registration by code is closed."""
    if settings.kind == "file":
        logger.warning("applicant codes go to the development outbox %s (not for production)", data_dir / "dev-outbox")
        return FileSender(data_dir / "dev-outbox")
    if settings.kind == "console":
        return ConsoleSender()
    return None


def register(app, sender: CodeSender) -> None:
    """Called by a deployment's start-up code after `create_app` with its real gateway."""
    app.state.code_sender = sender


def sender_for(app) -> CodeSender | None:
    return getattr(app.state, "code_sender", None)
