"""The statistics page and its CSV (in-process): who may see which hall, the figures of a built case set, CSV equal
to the page, audit; and the public progress form (its double-submit token, one answer for "not found")."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
import sqlalchemy as sa

from storage.cases import CaseRepository
from tests.pages.conftest import PASSWORD, browser, sign_in
from tests.validators.stats_cases import EXPECTED, build

RANGE = "period=day&from=2026-11-01&to=2026-11-07"
NOW = dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.timezone.utc)


@pytest.fixture()
def stats_site(site):
    site.state.clock = lambda: NOW
    accounts = site.state.accounts
    accounts.create(username="lead1", display_name="王负责", hall="h1", role="lead", clerk_number="L001", password=PASSWORD)
    owners = {h: accounts.get(u).key_row_id for h, u in (("h1", "clerk1"), ("h2", "clerk2"))}
    return site, build(CaseRepository(site.state.repo.engine), owners)


def signed_in(app, username):
    client = browser(app)
    assert sign_in(client, username).status_code == 303
    return client


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_only_admins_and_hall_leads_see_statistics(stats_site):
    app, _made = stats_site
    for username in ("clerk1", "rev1"):
        assert signed_in(app, username).get(f"/stats?{RANGE}").status_code == 403
    assert browser(app).get("/stats", follow_redirects=False).headers["location"].startswith("/signin")
    lead = signed_in(app, "lead1")
    assert lead.get("/", follow_redirects=False).headers["location"] == "/stats"
    assert lead.get(f"/stats?{RANGE}&hall=h2").status_code == 404  # another hall: nothing, not even its name
    assert lead.get(f"/stats/export.csv?{RANGE}&hall=h2").status_code == 404


def test_a_lead_session_cannot_use_the_json_api(stats_site):
    app, made = stats_site
    lead = signed_in(app, "lead1")
    token = re.search(r'name="csrf_token" value="([^"]+)"', lead.get(f"/stats?{RANGE}").text).group(1)
    assert lead.get(f"/api/v1/cases/{made['A'].id}").status_code == 401
    upload = lead.post("/api/v1/documents", headers={"X-CSRF-Token": token},
                       files={"file": ("a.jpg", b"\xff\xd8\xff" + b"0" * 100, "image/jpeg")})
    assert upload.status_code == 401
    clerk = signed_in(app, "clerk1")
    assert clerk.get(f"/api/v1/cases/{made['A'].id}").status_code == 200  # the pages' own roles still may


def test_the_lead_sees_the_figures_of_the_built_case_set(stats_site):
    app, _made = stats_site
    page = signed_in(app, "lead1").get(f"/stats?{RANGE}")
    assert page.status_code == 200
    text = page.text
    assert re.search(r'id="k-received">7<', text) and re.search(r'id="k-first-pass">50\.0%<', text)
    assert re.search(r'id="k-median">2\.0 天<', text) and re.search(r'id="k-p90">10\.0 天<', text)
    assert re.search(r'id="k-overdue">2<', text)
    assert "h2-2026" not in text and "h1-2026-000002" in text and "h1-2026-000007" in text
    assert text.count('class="bar"') == 7 + 5 + 2 + 2  # a bar per day of the range, per rating, per item (twice)
    assert text.count('class="point"') == 4  # the days with an acceptance decision
    assert "申请书未签名" in text


def test_csv_export_matches_the_page(stats_site):
    app, _made = stats_site
    lead = signed_in(app, "lead1")
    periods = lead.get(f"/stats/export.csv?{RANGE}&table=periods")
    assert periods.status_code == 200 and periods.headers["content-type"].startswith("text/csv")
    table = rows(periods.text)
    assert table[0][:5] == ["日", "收件数", "作出受理决定数", "一次办成数", "一次办成率"]
    body = {r[0]: r for r in table[1:]}
    assert {day: int(r[1]) for day, r in body.items() if day != "合计" and int(r[1])} == EXPECTED["per_day"]
    assert body["合计"][1:9] == ["7", "6", "3", "50.0%", "3", "2.00", "10.00", "2"]
    assert body["合计"][9:] == ["1", "1", "0", "0", "1"]
    items = {r[0]: int(r[1]) for r in rows(lead.get(f"/stats/export.csv?{RANGE}&table=items").text)[1:] if r[0] != "合计"}
    assert items == EXPECTED["per_item"]
    top = rows(lead.get(f"/stats/export.csv?{RANGE}&table=deficiencies").text)[1]
    assert (top[0], top[1], top[3], int(top[5])) == EXPECTED["top"]
    overdue = {r[0] for r in rows(lead.get(f"/stats/export.csv?{RANGE}&table=overdue").text)[1:]}
    assert overdue == EXPECTED["overdue_numbers"]


def test_the_admin_sees_every_hall_or_one(stats_site):
    app, _made = stats_site
    admin = signed_in(app, "admin1")
    every = rows(admin.get(f"/stats/export.csv?{RANGE}").text)
    assert every[-1][:2] == ["合计", "8"]
    h2 = rows(admin.get(f"/stats/export.csv?{RANGE}&hall=h2").text)
    assert h2[-1][:2] == ["合计", "1"]
    with app.state.repo.engine.connect() as conn:
        actions = conn.execute(sa.text("SELECT action, target_id FROM audit_events WHERE action LIKE 'stats.%'")).all()
    assert [tuple(a) for a in actions] == [("stats.export", "*"), ("stats.export", "h2")]


def test_the_progress_form_needs_its_token_and_answers_alike_for_wrong_and_unknown(stats_site):
    app, made = stats_site
    client = browser(app)
    form = client.get("/progress")
    assert form.status_code == 200 and 'lang="zh-CN"' in form.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    assert client.post("/progress", data={"case_number": "x", "query_code": "y"}).status_code == 403

    def ask(number, code):
        return client.post("/progress", data={"csrf_token": token, "case_number": number, "query_code": code})

    a = made["A"]
    right = ask(a.case_number, a.query_code)
    assert right.status_code == 200 and "已办结：准予许可" in right.text and "张三" not in right.text
    wrong, unknown = ask(a.case_number, "ZZZZZZZZZZ"), ask("h1-2026-999999", "ZZZZZZZZZZ")
    assert wrong.status_code == unknown.status_code == 404

    def visible(response):  # the answer without the fresh form token and the number typed back
        text = re.sub(r'name="csrf_token" value="[^"]+"', "", response.text)
        return text.replace(a.case_number, "N").replace("h1-2026-999999", "N")

    assert visible(wrong) == visible(unknown) and "progress-result" not in wrong.text
