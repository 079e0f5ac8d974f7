"""Keyset paging, the query side: every list of the API walks its table by a stable, unique sort key (for
example `(created_at, id)`) and asks for the rows strictly after the last one it answered.

Why keyset rather than offsets: rows added while a client walks the list never shift the rows it has not
seen yet, so no row appears twice and no row that existed when the walk began is skipped (tests/api/
test_paging.py adds rows between page fetches on SQLite and PostgreSQL). Who calls it: the list routes
through `storage.cases.CaseRepository.page`, `storage.repository.Repository.upload_page` / `audit_page`.
The cursor's encoding and the page's answer model live in api/paging.py; here the key is plain values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import DateTime, Integer, and_, false, or_
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from storage.db import as_utc


class BadKey(ValueError):
    """A position that does not fit the list's key (wrong length or types): the API answers 422."""


@dataclass(frozen=True)
class Scope:
    """Which rows of a table with `hall` and `owner_key_id` a caller may list: everything (admins), or the rows
    it owns and/or those of some halls. Built from an identity by api/paging.py `scope_of`, so the rule that
    api/auth.py `can_see` states for one row narrows the query itself and pages come back full."""

    everything: bool = False
    owner: str | None = None
    halls: tuple[str, ...] = ()

    def where(self, query: Select, model: Any) -> Select:
        if self.everything:
            return query
        allowed = []
        if self.owner is not None:
            allowed.append(model.owner_key_id == self.owner)
        if self.halls:
            allowed.append(model.hall.in_(self.halls))
        return query.where(or_(*allowed) if allowed else false())


@dataclass(frozen=True)
class Keyset:
    """The sort key of one list: columns in order, the last one unique (the row id); `descending` walks it
    newest first (rows added during a walk then sort before the cursor and are not seen, never seen twice)."""

    columns: tuple[Any, ...]
    descending: bool = False

    def key_of(self, row: Any) -> tuple[Any, ...]:
        """The position of a row as JSON-able values (datetimes as ISO text in UTC)."""
        values = []
        for column in self.columns:
            value = getattr(row, column.key)
            values.append(as_utc(value).isoformat() if isinstance(value, dt.datetime) else value)
        return tuple(values)

    def parse(self, values: Sequence[Any]) -> tuple[Any, ...]:
        """JSON values back into typed column values; BadKey when they cannot be this list's position."""
        if not isinstance(values, (list, tuple)) or len(values) != len(self.columns):
            raise BadKey("wrong length")
        out = []
        for column, value in zip(self.columns, values):
            out.append(_typed(column, value))
        return tuple(out)

    def after(self, query: Select, position: tuple[Any, ...] | None) -> Select:
        """`query` ordered by the key, restricted to rows strictly after `position` (None: from the start).
        Written as ORs of equalities (not a row-value comparison) so that SQLite and PostgreSQL use the same
        plan shape and an index on the key's leading column."""
        query = query.order_by(*(c.desc() if self.descending else c for c in self.columns))
        if position is None:
            return query
        clauses = []
        for i, column in enumerate(self.columns):
            equal = [c == v for c, v in zip(self.columns[:i], position[:i])]
            clauses.append(and_(*equal, column < position[i] if self.descending else column > position[i]))
        return query.where(or_(*clauses))

    def page(self, session: Session, query: Select, position: tuple[Any, ...] | None, limit: int) -> list[Any]:
        """Up to `limit` rows after `position`, in key order."""
        return list(session.scalars(self.after(query, position).limit(limit)))


def _typed(column: Any, value: Any) -> Any:
    kind = column.type
    if isinstance(kind, DateTime):
        if not isinstance(value, str):
            raise BadKey("time expected")
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            raise BadKey("time expected") from None
        if parsed.tzinfo is None:
            raise BadKey("time without zone")
        return parsed.astimezone(dt.timezone.utc)
    if isinstance(kind, Integer):
        if not isinstance(value, int) or isinstance(value, bool):
            raise BadKey("integer expected")
        return value
    if not isinstance(value, str) or "\x00" in value or len(value) > 200:
        raise BadKey("text expected")
    return value
