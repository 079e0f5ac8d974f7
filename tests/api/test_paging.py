"""Cursor paging of the lists (api/paging.py, storage/paging.py) on SQLite and PostgreSQL: every walk answers
each row that existed when it began exactly once while rows are added between page fetches, ties of the sort
time are broken by id, filters and visibility narrow the query, and a malformed cursor is a 422."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from fastapi.testclient import TestClient

from api import auth
from api.app import create_app
from api.deps import services_of
from pipeline.settings import Settings
from storage.repository import Identity
from workers.wiring import secret_key

REFERENCE = "individual-business-registration"
T0 = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.timezone.utc)  # 10:00 in Shanghai


class Env:
    def __init__(self, settings: Settings) -> None:
        self.app = create_app(settings, enqueue=lambda *_: None)
        self.client = TestClient(self.app)
        self.repo, self.secret = self.app.state.repo, secret_key(settings)
        self.svc = services_of(self.app)
        self.item = self.svc.catalog.get(REFERENCE, None)
        self.owner = self.repo.add_key(key_id="paging-owner-0001", key_hash="x", role="clerk", hall="hall-1", label="")

    def key(self, role: str = "clerk", hall: str = "hall-1") -> dict[str, str]:
        return {"Authorization": f"Bearer {auth.create_key(self.repo, self.secret, role=role, hall=hall, label=role)}"}

    def case(self, at: dt.datetime, hall: str = "hall-1") -> str:
        return self.svc.cases.create(owner_key_id=self.owner, hall=hall, item=self.item, situation="self",
                                     applicant={"name": "张三"}, at=at).id

    def upload(self, at: dt.datetime, status: str = "queued", hall: str = "hall-1") -> str:
        row, _gone = self.svc.cases.add_upload(owner_key_id=self.owner, hall=hall, case_id=None, object_key="sha256/" + "0" * 64,
                                   sha256="0" * 64, size=1, filename="scan.jpg", media_type="image/jpeg",
                                   material_hint=None, person_hint=None, queue="counter", received_at=at)
        if status != "queued":
            self.repo.fail(row.id, "task.timeout", "超时")
        return row.id

    def walk(self, url: str, headers: dict[str, str], between=None, items=lambda body: body["items"]) -> list[list]:
        """Every page of a list, following next_cursor (or X-Next-Cursor); `between` runs before each next fetch."""
        pages, cursor = [], None
        while True:
            sep = "&" if "?" in url else "?"
            response = self.client.get(url + (f"{sep}cursor={cursor}" if cursor else ""), headers=headers)
            assert response.status_code == 200, response.text
            pages.append(items(response.json()))
            cursor = response.headers.get("X-Next-Cursor")
            body = response.json()
            if isinstance(body, dict):
                assert body["next_cursor"] == cursor
            if cursor is None:
                return pages
            assert response.headers["Link"].endswith('; rel="next"') and f"cursor={cursor}" in response.headers["Link"]
            assert len(pages) < 100, "the walk does not end"
            if between:
                between(len(pages))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def env(request, tmp_path):
    url = None if request.param == "sqlite" else request.getfixturevalue("pg_url")
    made = Env(Settings(data_dir=tmp_path, database_url=url))
    yield made
    made.app.state.repo.engine.dispose()


def test_cases_walk_once_each_while_cases_are_added(env):
    tied = [env.case(T0) for _ in range(5)]  # the same created_at: the id breaks the tie
    spread = [env.case(T0 + dt.timedelta(minutes=i)) for i in range(1, 6)]
    added: list[str] = []

    def add(n: int) -> None:  # new cases while the clerk pages: later ones, and one back in time
        added.append(env.case(T0 + dt.timedelta(hours=1, minutes=n)))
        added.append(env.case(T0 - dt.timedelta(days=1)))

    pages = env.walk("/api/v1/cases?limit=3", env.key(), between=add, items=lambda body: body)
    seen = [c["case_id"] for page in pages for c in page]
    assert len(seen) == len(set(seen)), "a case was answered twice"
    assert set(tied + spread) <= set(seen), "a case that existed before the walk was skipped"
    later = set(added[0::2])
    assert later <= set(seen) and not set(added[1::2]) & set(seen)  # added behind the cursor: not seen, not doubled
    assert all(len(page) <= 3 for page in pages)
    times = [c["created_at"] for page in pages for c in page]
    assert times == sorted(times)


def test_case_filters_and_visibility(env):
    first = env.case(T0)  # 2026-12-01 in Shanghai
    second = env.case(T0 + dt.timedelta(days=1))
    other = env.case(T0, hall="hall-2")
    clerk, admin = env.key(), env.key("admin", "hq")

    def ids(url, headers):
        return [c["case_id"] for page in env.walk(url, headers, items=lambda body: body) for c in page]

    assert ids("/api/v1/cases?limit=1", clerk) == [first, second]
    assert ids("/api/v1/cases?created_from=2026-12-02", clerk) == [second]
    assert ids("/api/v1/cases?created_to=2026-12-01", clerk) == [first]
    assert ids(f"/api/v1/cases?item={REFERENCE}&state=received", clerk) == [first, second]
    assert ids("/api/v1/cases?item=no-such-item", clerk) == []
    assert ids("/api/v1/cases?hall=hall-2", clerk) == []  # another hall's cases stay invisible
    assert ids("/api/v1/cases?hall=hall-2", admin) == [other]
    assert ids("/api/v1/cases?limit=2", admin) == [first, other, second] or \
        ids("/api/v1/cases?limit=2", admin) == [other, first, second]  # tie at T0, by id
    assert ids("/api/v1/cases", env.key("clerk", "hall-3")) == []
    assert env.client.get("/api/v1/cases?state=nonsense", headers=clerk).status_code == 422


def test_uploads_walk_with_a_status_filter_while_uploads_arrive(env):
    queued = [env.upload(T0 + dt.timedelta(seconds=i % 3)) for i in range(7)]
    failed = env.upload(T0, status="failed")
    env.upload(T0, hall="hall-2")
    arriving: list[str] = []
    pages = env.walk("/api/v1/uploads?status=queued&limit=2", env.key(),
                     between=lambda n: arriving.append(env.upload(T0 + dt.timedelta(minutes=n))))
    seen = [u["upload_id"] for page in pages for u in page]
    assert len(seen) == len(set(seen)) and set(seen) == set(queued + arriving)
    assert failed not in seen and all(u["status"] == "queued" for page in pages for u in page)
    [only] = env.walk("/api/v1/uploads?status=failed", env.key())
    assert [u["upload_id"] for u in only] == [failed] and only[0]["error_code"] == "task.timeout"
    assert "filename" not in only[0]


def test_the_audit_trail_pages_in_order_while_each_read_appends_to_it(env):
    admin = env.key("admin", "hq")
    who = Identity(key_id="someone", role="clerk", hall="hall-1")
    for i in range(12):
        env.repo.audit(who, "case.read", "case", f"case-{i % 2}")
    pages = env.walk("/api/v1/audit?limit=5", admin)  # every page read itself appends an `audit.list` row
    ids = [e["id"] for page in pages for e in page]
    assert ids == sorted(set(ids)) and len(ids) >= 12
    reads = [e for page in env.walk("/api/v1/audit?case_id=case-1&limit=4", admin) for e in page]
    assert len(reads) == 6 and {e["target_id"] for e in reads} == {"case-1"}
    mine = [e for page in env.walk("/api/v1/audit?actor=someone&action=case.read", admin) for e in page]
    assert len(mine) == 12
    assert env.client.get("/api/v1/audit", headers=env.key("clerk")).json()["error"]["code"] == "auth.forbidden"


@pytest.mark.parametrize("cursor", [
    "not-base64!", "e30", "%00", "x" * 600,
    base64.urlsafe_b64encode(json.dumps({"l": "cases", "k": ["2026-12-01T02:00:00+00:00", "x"]}).encode()).decode(),
    base64.urlsafe_b64encode(json.dumps({"l": "uploads", "k": ["yesterday", "x"]}).encode()).decode(),
    base64.urlsafe_b64encode(json.dumps({"l": "uploads", "k": ["2026-12-01T02:00:00", "x"]}).encode()).decode(),
    base64.urlsafe_b64encode(json.dumps({"l": "uploads", "k": [1]}).encode()).decode(),
])
def test_a_malformed_cursor_is_a_422_in_the_error_shape(env, cursor):
    response = env.client.get(f"/api/v1/uploads?cursor={cursor}", headers=env.key())
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] in ("cursor.invalid", "request.invalid")  # too long or bad characters: a parameter error
    if len(cursor) < 512 and "!" not in cursor and "%" not in cursor:
        assert error["code"] == "cursor.invalid" and "游标" in error["message"]


def test_limit_is_bounded(env):
    clerk = env.key()
    for limit in (0, 201, -1):
        response = env.client.get(f"/api/v1/cases?limit={limit}", headers=clerk)
        assert response.status_code == 422 and response.json()["error"]["code"] == "request.invalid"
    for i in range(3):
        env.case(T0 + dt.timedelta(seconds=i))
    response = env.client.get("/api/v1/cases?limit=3", headers=clerk)
    assert len(response.json()) == 3 and "Link" not in response.headers  # exactly full, and nothing after it


def test_a_sparse_filter_answers_short_pages_and_still_every_match_once(env, monkeypatch):
    import api.paging

    monkeypatch.setattr(api.paging, "SCAN_CAP", 3)  # a request examines at most 3 rows past its page
    env.app.state.clock = lambda: T0
    overdue = [env.case(T0 - dt.timedelta(days=30, minutes=i)) for i in range(4)]  # no notice for weeks: flagged
    fresh = [env.case(T0 - dt.timedelta(hours=1, minutes=i)) for i in range(4)]
    pages = env.walk("/api/v1/cases?flag=case.notice_overdue&limit=2", env.key(), items=lambda body: body)
    seen = [c["case_id"] for page in pages for c in page]
    assert sorted(seen) == sorted(overdue) and not set(seen) & set(fresh)
    assert [] in pages[:-1] or any(len(p) < 2 for p in pages[:-1]), "a short page with a next cursor"
    assert all(any(f["code"] == "case.notice_overdue" for f in c["flags"]) for page in pages for c in page)
