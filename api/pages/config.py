"""Settings of the pages: session cookies, lifetimes, and the optional 统一身份认证 (OIDC or CAS) sign-in.
Read once from the environment (prefix YICHUANG_) when the pages are mounted; flat names like the rest."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class PageSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="YICHUANG_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    # Secure cookies travel only over HTTPS. Default: on, except in development (plain-HTTP localhost).
    cookie_secure: bool | None = None
    session_hours: float = 8.0  # absolute lifetime of a signed-in session (one working day)
    session_idle_minutes: int = 30  # signed out after this long without a request
    # 统一身份认证: the platform's single sign-on. Configured here, used through api/pages/oidc.py.
    sso_kind: Literal["none", "oidc", "cas"] = "none"
    sso_issuer: str | None = None  # OIDC issuer URL, or the CAS server's base URL
    sso_client_id: str | None = None
    sso_client_secret: SecretStr | None = None
    sso_redirect_url: str | None = None  # https://<this service>/signin/sso/callback
    sso_label: str = "统一身份认证登录"

    @model_validator(mode="after")
    def _secure_outside_development(self) -> "PageSettings":
        if self.env == "production" and self.cookie_secure is False:
            raise ValueError("YICHUANG_COOKIE_SECURE=false is refused in production: session cookies need HTTPS")
        if self.sso_kind != "none" and not (self.sso_issuer and self.sso_redirect_url):
            raise ValueError("YICHUANG_SSO_KIND needs YICHUANG_SSO_ISSUER and YICHUANG_SSO_REDIRECT_URL")
        return self

    @property
    def secure_cookies(self) -> bool:
        return self.cookie_secure if self.cookie_secure is not None else self.env != "development"

    @property
    def lifetime(self) -> dt.timedelta:
        return dt.timedelta(hours=self.session_hours)

    @property
    def idle(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.session_idle_minutes)
