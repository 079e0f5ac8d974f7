"""Pages for the people of the hall (server-rendered, Simplified Chinese, every asset shipped in the package):
sign-in (api/pages/signin.py), the counter 窗口收件 (counter.py), the back office 后台审查 (review.py), the page
images of a case (images.py), and the applicant's 网上申报 (applicant_signup.py, applicant.py). They call the same
case layer as the JSON API (workers/cases/); nothing here repeats its rules. Their settings are the app's
(pipeline/settings.py). Who calls `mount`: api.app.create_app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.pages.web import PageError, SignInRequired, api_session_identity, page_error_response, signin_redirect
from pipeline.settings import Settings
from storage.accounts import AccountRepository
from storage.applicants import ApplicantRepository

# Pages load only their own scripts and styles; nothing may frame them.
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
       "frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
PAGE_PREFIXES = ("/signin", "/signout", "/counter", "/review", "/admin", "/pages", "/progress", "/stats", "/apply")


class PageHeaders:
    """ASGI middleware: security headers on every page (not on the JSON API, whose clients are systems)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not (path == "/" or path.startswith(PAGE_PREFIXES)):
            return await self.app(scope, receive, send)

        async def with_headers(message):
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + [
                    (b"content-security-policy", CSP.encode()), (b"x-frame-options", b"DENY"),
                    (b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin")]
            await send(message)

        return await self.app(scope, receive, with_headers)


def mount(app: FastAPI, settings: Settings) -> None:
    from api.pages import (
        acts, applicant, applicant_signup, code_senders, counter, images, join_acts, progress, review, signin, stats,
    )

    app.state.accounts = AccountRepository(app.state.repo.engine)
    app.state.applicants = ApplicantRepository(app.state.repo.engine, app.state.secret)
    sender = code_senders.build_sender(code_senders.SenderSettings(), settings.data_dir)  # refused in production
    if sender is not None:
        code_senders.register(app, sender)
    app.state.session_identity = api_session_identity  # api/auth.py: a signed-in person may call the JSON API
    app.add_exception_handler(PageError, page_error_response)
    app.add_exception_handler(SignInRequired, signin_redirect)
    app.mount("/pages/static", StaticFiles(directory=str(Path(__file__).parent / "static")), name="page-static")
    app.include_router(signin.router)
    app.include_router(counter.router)
    app.include_router(acts.router)  # the forms of a case page (counter and back office)
    app.include_router(join_acts.router)
    app.include_router(review.router)
    app.include_router(images.router)
    app.include_router(progress.router)  # public: no sign-in
    app.include_router(stats.router)
    app.include_router(applicant_signup.router)
    app.include_router(applicant.router)
    app.add_middleware(PageHeaders)
