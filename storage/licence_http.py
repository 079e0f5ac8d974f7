"""A client for an external electronic-licence library service (GB/T 36906-style sharing interface), selected
by `YICHUANG_LICENCE_LIBRARY=http(s)://…`. The small JSON protocol it speaks (README "Licence library"):

    GET {base}/licences/{identifier}                    -> 200 {"licence": L} | 404
    GET {base}/licences?holder_code=&holder_code_type=&licence_type=&on=YYYY-MM-DD
                                                        -> 200 {"licences": [L, ...]}
    GET {base}/licences/{identifier}/file               -> 200 the signed PDF/OFD bytes

L carries the import format's fields (status as the source's own code or word) plus
`"file": {"sha256": hex, "kind": "pdf"|"ofd"}` or null. An optional bearer token is sent when configured.
A refused connection, a timeout, any other HTTP status, or an answer not in this shape raises
LibraryUnavailable: the assessment then sends the material to a person (`needs_review`), never `ok`.

Who calls it: the wiring builds one per process; the assessment and the API call its lookups.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from typing import Any, Literal
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pipeline import licence_identifier
from pipeline.errors import LibraryUnavailable, ObjectNotFound
from pipeline.library import Licence, LicenceStatus, status_from_source

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 20 * 1024 * 1024


class RemoteFile(BaseModel):
    model_config = ConfigDict(extra="ignore")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    kind: Literal["pdf", "ofd"]


class RemoteLicence(BaseModel):
    """A licence as the external service answers it (unknown keys are ignored, for newer services)."""

    model_config = ConfigDict(extra="ignore")
    identifier: str | None = None
    name: str
    type_code: str
    number: str | None = None
    version: str | None = None
    issuer: str | None = None
    issuer_code: str | None = None
    issued_on: dt.date | None = None
    holder: str | None = None
    holder_code: str
    holder_code_type: str
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    region: str | None = None
    related_items: list[str] = []
    face: dict[str, Any] = {}
    status: str
    trust_level: Literal["A", "B", "C", "D"] = "A"
    file: RemoteFile | None = None

    @field_validator("valid_until", mode="before")
    @classmethod
    def _long_term(cls, value: Any) -> Any:
        return None if value in ("长期", "") else value

    def to_licence(self, status_codes: dict[str, LicenceStatus] | None = None) -> Licence:
        values = self.model_dump(exclude={"file", "status", "related_items"})
        return Licence(**values, related_items=tuple(self.related_items),
                       status=status_from_source(self.status, status_codes),
                       source_status=self.status, file_key=f"sha256/{self.file.sha256}" if self.file else None,
                       file_kind=self.file.kind if self.file else None)


class HttpLicenceLibrary:
    """`pipeline.library.LicenceLibrary` over HTTP, with a timeout on every request."""

    kind = "http"

    def __init__(self, base_url: str, *, timeout: float = 5.0, token: str | None = None,
                 status_codes: dict[str, str] | None = None, transport: httpx.BaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.status_codes = {k: LicenceStatus(v) for k, v in (status_codes or {}).items()}  # the service's own codes
        headers = {"Accept": "application/json", "User-Agent": "yichuang"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.client = httpx.Client(base_url=self.base_url, timeout=httpx.Timeout(timeout), headers=headers,
                                   follow_redirects=False, transport=transport)

    def close(self) -> None:
        self.client.close()

    def by_identifier(self, identifier: str) -> Licence | None:
        value = licence_identifier.compact(identifier)
        response = self._get(f"/licences/{quote(value, safe='')}")
        if response.status_code == 404:
            return None
        body = self._json(response)
        return self._licence(body.get("licence") if isinstance(body, dict) else None, self.status_codes)

    def by_holder(self, holder_code: str, holder_code_type: str, licence_type: str, on: dt.date) -> list[Licence]:
        response = self._get("/licences", params={"holder_code": holder_code, "holder_code_type": holder_code_type,
                                                  "licence_type": licence_type, "on": on.isoformat()})
        body = self._json(response)
        items = body.get("licences") if isinstance(body, dict) else None
        if not isinstance(items, list):
            raise LibraryUnavailable(detail="licence service answer has no 'licences' list")
        return [self._licence(item, self.status_codes) for item in items]

    def file(self, licence: Licence) -> bytes:
        """The licence's signed file; its SHA-256 must be the one the service announced."""
        if not licence.identifier or not licence.file_key:
            raise ObjectNotFound(detail="licence has no remote file")
        response = self._get(f"/licences/{quote(licence.identifier, safe='')}/file")
        if response.status_code == 404:
            raise ObjectNotFound(detail="remote licence file not found")
        if response.status_code != 200:
            raise LibraryUnavailable(detail=f"licence service file answered HTTP {response.status_code}")
        data = response.content
        if len(data) > MAX_FILE_BYTES:
            raise LibraryUnavailable(detail="licence file too large")
        if f"sha256/{hashlib.sha256(data).hexdigest()}" != licence.file_key:
            # Not an outage: the bytes are not the ones the record names. The file check reports it.
            logger.warning("licence service returned a file whose hash differs from its record")
        return data

    # --- transport ------------------------------------------------------------------------------

    def _get(self, path: str, params: dict[str, str] | None = None) -> httpx.Response:
        try:
            response = self.client.get(path, params=params)
        except httpx.TimeoutException as exc:
            raise LibraryUnavailable(detail=f"licence service timed out: {type(exc).__name__}") from exc
        except httpx.HTTPError as exc:
            raise LibraryUnavailable(detail=f"licence service unreachable: {type(exc).__name__}") from exc
        if response.status_code not in (200, 404):
            raise LibraryUnavailable(detail=f"licence service answered HTTP {response.status_code}")
        return response

    @staticmethod
    def _json(response: httpx.Response) -> Any:
        if response.status_code != 200:
            raise LibraryUnavailable(detail=f"licence service answered HTTP {response.status_code}")
        try:
            return response.json()
        except ValueError as exc:
            raise LibraryUnavailable(detail="licence service answer is not JSON") from exc

    @staticmethod
    def _licence(item: Any, status_codes: dict[str, LicenceStatus]) -> Licence:
        try:
            return RemoteLicence.model_validate(item).to_licence(status_codes)
        except ValidationError as exc:
            raise LibraryUnavailable(detail=f"licence service answer malformed: {exc.error_count()} errors") from exc
