"""The seam for the platform's 统一身份认证 (single sign-on by OIDC or CAS). Nothing here talks to a provider:
a deployment supplies a `SingleSignOn` for its platform (YICHUANG_SSO_KIND, _ISSUER, _CLIENT_ID, _CLIENT_SECRET,
_REDIRECT_URL) and registers it with `register`; the sign-in page then offers its button, and the callback
route maps the provider's verified subject to an account (`accounts.external_subject`) — never creates one.
Until then `/signin/sso` answers that single sign-on is not configured."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class ExternalIdentity:
    """What a provider vouches for after its callback was verified (signature, nonce, audience, expiry)."""

    subject: str  # the platform's stable user id; matched against accounts.external_subject
    name: str | None = None


class SingleSignOn(Protocol):
    def authorization_url(self, state: str) -> str:
        """Where to send the browser; `state` binds the round trip to this browser (checked on return)."""

    def complete(self, query: dict[str, str], state: str) -> ExternalIdentity | None:
        """Verify the provider's answer (OIDC: exchange the code, check the ID token; CAS: validate the
        ticket); None when it does not verify."""


def register(app, provider: SingleSignOn) -> None:
    """Called by a deployment's start-up code after `create_app`."""
    app.state.sso = provider


def provider_for(app) -> SingleSignOn | None:
    return getattr(app.state, "sso", None)
