"""Paging, the API side: the `cursor` and `limit` parameters of every list, the opaque cursor, the answer
model and the `Link` header. The query side (keyset order, positions) is storage/paging.py.

A cursor is base64url of `{"l": list name, "k": the last answered row's sort key}`: opaque to clients,
refused with 422 `cursor.invalid` when it does not decode to a position of *this* list. It carries no
rights: the caller's scope and filters are applied again on every page. Rows that existed when a walk began
are each answered exactly once; rows added meanwhile appear once or (when they sort before the cursor) not
at all. A page may hold fewer than `limit` items while `next_cursor` is set (a filter evaluated after the
query, such as the case list's `flag`, examined `SCAN_CAP` rows without filling it): walk until
`next_cursor` is null.

Who uses it: the list routes (api/cases.py, api/app.py uploads and audit, api/licences.py) and any new list:

    @router.get("", response_model=Page[Thing], responses={**paged(), **errors(*AUTHED)})
    def things(who: IdentityDep, page: PageDep, response: Response) -> Page[Thing]:
        found = fill(lambda after, n: repo.thing_page(after, n, ...), keep=None, keys=THING_KEYS, page=page)
        return answer(page, found, response, [view(r) for r in found.rows])
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar
from urllib.parse import urlencode

from fastapi import Depends, Query, Request, Response
from pydantic import BaseModel, Field

from api.errors import ApiError
from storage.paging import BadKey, Keyset, Scope
from storage.repository import Identity

DEFAULT_LIMIT, MAX_LIMIT = 50, 200
SCAN_CAP = 2000  # rows one request may examine for a filter evaluated after the query
MAX_CURSOR = 512

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list: its items in the list's stable order, and the cursor of the next page."""

    items: list[T]
    next_cursor: str | None = Field(description="下一页的游标（原样放入 cursor 参数）；为 null 时已到最后一页")


@dataclass(frozen=True)
class PageRequest:
    """The `cursor` and `limit` of one request, and where it came from (for the `Link` header)."""

    cursor: str | None
    limit: int
    request: Request

    def position(self, name: str, keys: Keyset | None = None) -> tuple[Any, ...] | None:
        """The position after which this page starts (None: the first page); 422 `cursor.invalid` for a cursor
        that is not one of list `name`. Without `keys` the position's values are returned as decoded."""
        if self.cursor is None:
            return None
        try:
            padded = self.cursor + "=" * (-len(self.cursor) % 4)
            data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
            if not isinstance(data, dict) or data.get("l") != name or not isinstance(data.get("k"), list):
                raise BadKey("another list")
            return keys.parse(data["k"]) if keys is not None else tuple(data["k"])
        except (BadKey, ValueError, UnicodeError, binascii.Error):
            raise ApiError("cursor.invalid", "翻页游标无效：请去掉 cursor 参数，从第一页重新查询") from None


def page_request(request: Request,
                 cursor: Annotated[str | None, Query(max_length=MAX_CURSOR, pattern=r"^[A-Za-z0-9_=-]+$",
                                                     description="上一页应答的 next_cursor；不填为第一页")] = None,
                 limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="每页条数")] = DEFAULT_LIMIT) -> PageRequest:
    return PageRequest(cursor=cursor, limit=limit, request=request)


PageDep = Annotated[PageRequest, Depends(page_request)]  # every list route takes its paging parameters this way


def encode(name: str, key: Sequence[Any]) -> str:
    raw = json.dumps({"l": name, "k": list(key)}, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


@dataclass(frozen=True)
class Found:
    rows: list[Any]
    next_cursor: str | None


def fill(fetch: Callable[[tuple[Any, ...] | None, int], list[Any]], *, keys: Keyset, name: str, page: PageRequest,
         keep: Callable[[Any], bool] | None = None) -> Found:
    """Up to `page.limit` rows that pass `keep`, fetched in key order by `fetch(after, n)` (a storage `…_page`
    method), and the next page's cursor: None only when the list is exhausted. Examines at most SCAN_CAP rows."""
    position, kept, scanned = page.position(name, keys), [], 0
    batch = page.limit + 1
    while True:
        rows = fetch(position, batch)
        for row in rows:
            scanned += 1
            if keep is None or keep(row):
                kept.append(row)
                if len(kept) > page.limit:  # one more than asked: there is a next page
                    return Found(kept[:-1], encode(name, keys.key_of(kept[-2])))
        if len(rows) < batch:
            return Found(kept, None)
        position = keys.parse(keys.key_of(rows[-1]))
        if scanned >= SCAN_CAP:  # a sparse filter: answer what was found, continue from here next time
            return Found(kept, encode(name, keys.key_of(rows[-1])))


def page_list(items: Sequence[T], *, key: Callable[[T], tuple[Any, ...]], name: str, page: PageRequest,
              descending: bool = False) -> Found:
    """The same paging over a list already in memory (one holder's licences from an external library), ordered
    by `key` (JSON-able, unique)."""
    position = page.position(name)
    ordered = sorted(items, key=key, reverse=descending)
    if position is not None:
        try:
            ordered = [i for i in ordered if (key(i) < position if descending else key(i) > position)]
        except TypeError:
            raise ApiError("cursor.invalid", "翻页游标无效：请去掉 cursor 参数，从第一页重新查询") from None
    rows = ordered[:page.limit]
    more = len(ordered) > page.limit
    return Found(rows, encode(name, key(rows[-1])) if more else None)


def link_headers(page: PageRequest, found: Found, response: Response) -> None:
    """`Link: <…>; rel="next"` (RFC 8288, a path relative to the server) and `X-Next-Cursor`, when there is a
    next page: lists whose answer is a bare JSON array (GET /api/v1/cases, kept so for v1) page this way."""
    if found.next_cursor is None:
        return
    query = [(k, v) for k, v in page.request.query_params.multi_items() if k != "cursor"] + [("cursor", found.next_cursor)]
    response.headers["Link"] = f'<{page.request.url.path}?{urlencode(query)}>; rel="next"'
    response.headers["X-Next-Cursor"] = found.next_cursor


def answer(page: PageRequest, found: Found, response: Response, items: list[Any]) -> dict[str, Any]:
    """The body of a paged answer (a `Page`), with the same cursor in the headers."""
    link_headers(page, found, response)
    return {"items": items, "next_cursor": found.next_cursor}


def paged(description: str = "一页结果") -> dict[int | str, dict[str, Any]]:
    """The 200 declaration of a paged route: its `Link` and `X-Next-Cursor` headers (absent on the last page)."""
    return {200: {"description": description, "headers": {
        "Link": {"description": '下一页：<…?cursor=…>; rel="next"（RFC 8288）；最后一页没有', "schema": {"type": "string"}},
        "X-Next-Cursor": {"description": "下一页的游标，与 Link 相同；最后一页没有", "schema": {"type": "string"}}}}}


def scope_of(who: Identity) -> Scope:
    """The rows `who` may list, as api/auth.py `can_see` decides for one row: admins everything, applicants and
    integrators their own (an integrator also its bound halls', for reads), clerks and reviewers their hall's."""
    if who.role == "admin":
        return Scope(everything=True)
    if who.role in ("applicant", "integrator"):
        return Scope(owner=who.key_id, halls=tuple(who.halls))  # an integrator's bound halls
    return Scope(halls=(who.hall,))
