"""What the routes depend on, as short aliases: the process's services (workers/wiring.py, built once by
create_app), the app's clock, and an uploaded file read and inspected. Pages and JSON routes use the same ones.

    def route(svc: ServicesDep, who: IdentityDep, now: NowDep): ...
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Depends, Request, UploadFile

from pipeline.errors import FileEmpty, FileTooLarge
from pipeline.interfaces import SHANGHAI
from pipeline.settings import Settings
from workers.cases.intake import Enqueue, Incoming, inspect
from workers.wiring import Services


def services_of(app) -> Services:
    """The app's services (create_app built them from its settings)."""
    return app.state.services


def services(request: Request) -> Services:
    return services_of(request.app)


def settings(request: Request) -> Settings:
    return services_of(request.app).settings


def request_now(request: Request) -> dt.datetime:
    """The app's clock (tests set `app.state.clock`); UTC."""
    clock = getattr(request.app.state, "clock", None)
    return clock() if clock else dt.datetime.now(dt.timezone.utc)


def request_today(request: Request) -> dt.date:
    return request_now(request).astimezone(SHANGHAI).date()


def enqueue(request: Request) -> Enqueue:
    """How the app hands an upload to the workers (Celery in the service, a fake in the tests)."""
    return request.app.state.enqueue


ServicesDep = Annotated[Services, Depends(services)]
EnqueueDep = Annotated[Enqueue, Depends(enqueue)]
SettingsDep = Annotated[Settings, Depends(settings)]
NowDep = Annotated[dt.datetime, Depends(request_now)]
TodayDep = Annotated[dt.date, Depends(request_today)]


async def read_upload(file: UploadFile, settings: Settings, *, material: str | None = None,
                      person: str | None = None) -> Incoming:
    """An uploaded file read (refused past the size cap while it streams in) and inspected by content
    (workers/cases/intake.py `inspect`), before anything is stored. Who calls it: every route that takes a file."""
    data = await _read_capped(file, settings.limits.max_upload_bytes)
    kind = inspect(data, settings.limits)
    return Incoming(data=data, kind=kind, filename=file.filename or "", material=material,
                    person=person)


async def _read_capped(file: UploadFile, cap: int) -> bytes:
    chunks, total = [], 0
    while chunk := await file.read(1024 * 1024):
        total += len(chunk)
        if total > cap:
            raise FileTooLarge()
        chunks.append(chunk)
    data = b"".join(chunks)
    if not data:
        raise FileEmpty()
    return data
