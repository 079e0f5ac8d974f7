"""The API counts a case's deadlines with a holiday file the administrator loaded for a year `chinese-calendar`
does not cover (2027), and answers `calendar.invalid` for a broken one (SQLite and PostgreSQL); the files
themselves: tests/pipeline/test_calendar_files.py."""

from __future__ import annotations

import pytest

from tests.api.cases.helpers import new_case
from tests.case_data import calendar_folder, utc, year_2027_is_uncovered
from workers.wiring import build_services


@pytest.fixture(autouse=True)
def _is_2027_really_uncovered():
    if not year_2027_is_uncovered():
        pytest.fail("chinese-calendar now covers 2027: move these tests to a year it does not cover")


def test_the_api_counts_with_the_loaded_year(env, tmp_path):
    client, key, app, now, _ = env
    clerk = key("clerk")
    now["at"] = utc(2026, 12, 30)
    case_id = new_case(client, clerk)["case_id"]
    case = client.get(f"/api/v1/cases/{case_id}", headers=clerk).json()
    assert case["deadlines"]["notice"]["due"] is None and case["deadlines"]["notice"]["year_not_covered"] == 2027
    assert "calendar.year_not_covered" in {f["code"] for f in case["flags"]}

    data_dir = tmp_path  # the env's data dir
    calendar_folder(data_dir)
    app.state.services = build_services(app.state.settings, repo=app.state.repo, store=app.state.store)  # restarted
    case = client.get(f"/api/v1/cases/{case_id}", headers=clerk).json()
    # 5 working days after 30 Dec: 31 Dec, [1–3 Jan 元旦], 4, 5, 6, 7 Jan
    assert case["deadlines"]["notice"] == {"received_on": "2026-12-30", "due": "2027-01-07", "late": False,
                                           "year_not_covered": None}
    assert "calendar.year_not_covered" not in {f["code"] for f in case["flags"]}

    (data_dir / "calendar" / "2028.yaml").write_text("year: 2028\nsource: x\nholidays: []\n", encoding="utf-8")
    app.state.services = build_services(app.state.settings, repo=app.state.repo, store=app.state.store)
    broken = client.get(f"/api/v1/cases/{case_id}", headers=clerk)
    assert broken.status_code == 500 and broken.json()["error"]["code"] == "calendar.invalid"
    assert "yichuang calendar validate" in broken.json()["error"]["message"]
