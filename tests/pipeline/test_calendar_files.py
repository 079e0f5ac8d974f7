"""Holiday files an administrator loads for a year `chinese-calendar` does not cover (2027 in 1.11): parsing and
every kind of mistake reported in Chinese, `yichuang calendar validate/show`, and the worker and the sweeper
counting with the loaded year (the API's count: tests/api/cases/test_calendar.py)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from api import cli
from pipeline.calendar_files import CalendarFileError, load_calendar, load_years, parse, validate_file, year_listing
from pipeline.settings import Settings
from pipeline.workdays import WorkCalendar, YearNotCovered
from tests.case_data import YEAR_2027, calendar_folder, year_2027_is_uncovered

D = dt.date


@pytest.fixture(autouse=True)
def _is_2027_really_uncovered():
    if not year_2027_is_uncovered():
        pytest.fail("chinese-calendar now covers 2027: move these tests to a year it does not cover")


def folder_with(tmp_path, name="2027.yaml", text=YEAR_2027):
    return calendar_folder(tmp_path, name, text)


def test_a_loaded_year_counts_holidays_and_make_up_days(tmp_path):
    calendar = load_calendar(folder_with(tmp_path))
    assert calendar.is_workday(D(2027, 1, 1)) is False  # 元旦
    assert calendar.is_workday(D(2027, 1, 4)) is True  # an ordinary Monday
    assert calendar.is_workday(D(2027, 1, 9)) is True  # a make-up Saturday
    assert calendar.is_workday(D(2027, 1, 10)) is False  # an ordinary Sunday
    assert calendar.is_workday(D(2027, 10, 6)) is False
    assert calendar.is_workday(D(2028, 1, 3)) is None  # still nobody's year
    # 2026-12-30 (Wed) counts from the package, then 31 Dec, [1-3 Jan off], 4 Jan … 9 Jan (Saturday, worked)
    assert calendar.add_working_days(D(2026, 12, 30), 6) == D(2027, 1, 8)
    assert calendar.add_working_days(D(2026, 12, 30), 7) == D(2027, 1, 9)
    assert calendar.add_working_days(D(2026, 12, 30), 8) == D(2027, 1, 11)
    with pytest.raises(YearNotCovered):
        WorkCalendar().add_working_days(D(2026, 12, 30), 3)  # without the file: flagged, not guessed


def test_json_works_too_and_a_missing_folder_is_no_files(tmp_path):
    text = json.dumps({"year": 2027, "source": "测试", "holidays": [{"name": "元旦", "from": "2027-01-01"}],
                       "workdays": []}, ensure_ascii=False)
    calendar = load_calendar(folder_with(tmp_path, "2027.json", text))
    assert calendar.is_workday(D(2027, 1, 1)) is False and calendar.is_workday(D(2027, 1, 2)) is False
    assert calendar.is_workday(D(2027, 1, 4)) is True
    assert load_calendar(tmp_path / "nowhere").is_workday(D(2027, 1, 4)) is None


@pytest.mark.parametrize(("text", "where", "message"), [
    ("year: 27\nsource: x\nholidays: [{name: 元旦, from: 2027-01-01}]\n", "year", "四位数字"),
    ("year: 2027\nholidays: [{name: 元旦, from: 2027-01-01}]\n", "source", "来源"),
    ("year: 2027\nsource: x\nholidays: []\n", "holidays", "法定节假日"),
    ("year: 2027\nsource: x\nholidays: [{name: 元旦, from: 2027-13-01}]\n", "holidays[1].from", "YYYY-MM-DD"),
    ("year: 2027\nsource: x\nholidays: [{name: 元旦, from: 2027-01-03, to: 2027-01-01}]\n", "holidays[1].to", "早于"),
    ("year: 2027\nsource: x\nholidays: [{name: 元旦, from: 2028-05-01}]\n", "holidays[1]", "不在 2027 年度内"),
    ("year: 2027\nsource: x\nholidays: [{name: 春节, from: 2027-02-01, to: 2027-02-20}]\n", "holidays[1]", "超过10天"),
    ("year: 2027\nsource: x\nholidays: [{name: 元旦, from: 2027-01-01}, {name: 又一个, from: 2027-01-01}]\n",
     "holidays[2]", "日期重复"),
    ("year: 2027\nsource: x\nholidays: [{name: 元旦, from: 2027-01-01}]\nworkdays: [2027-01-04]\n", "workdays[1]",
     "周六或周日"),
    ("year: 2027\nsource: x\nholidays: [{name: 元旦, from: 2027-01-01, to: 2027-01-03}]\nworkdays: [2027-01-02]\n",
     "workdays[1]", "同时列为节假日"),
    ("year: 2027\nsource: x\nholiday: []\n", "holiday", "未知的键"),
    ("year: 2027\nsource: x\nholidays: [{name: 元旦, from: 2027-01-01}\n", "第", "不是有效的 YAML/JSON"),
    ("- 2027-01-01\n", "", "应为一个对象"),
])
def test_every_mistake_is_named_in_chinese(text, where, message):
    year, problems = parse(text, "2027.yaml")
    assert year is None
    assert any(p.where.startswith(where) and message in p.message for p in problems), [str(p) for p in problems]


def test_all_problems_at_once_and_two_files_for_one_year(tmp_path):
    _year, problems = parse("year: 2027\nholidays: [{name: '', from: 2027-01-01}]\nworkdays: [2027-01-05]\n", "f.yaml")
    assert {p.where for p in problems} == {"source", "holidays[1].name", "workdays[1]"}
    folder = folder_with(tmp_path)
    (folder / "2027-copy.yml").write_text(YEAR_2027, encoding="utf-8")
    with pytest.raises(CalendarFileError) as caught:
        load_years(folder)
    assert "每个年度只能有一个文件" in str(caught.value) and caught.value.code == "calendar.invalid"
    assert validate_file(tmp_path / "absent.yaml")[0].message.startswith("无法读取文件")


def test_year_listing_for_a_loaded_year_and_for_the_package(tmp_path):
    listing = year_listing(load_calendar(folder_with(tmp_path)), 2027)
    assert listing.holidays[0] == ("元旦", D(2027, 1, 1), D(2027, 1, 3))
    assert listing.workdays == (D(2027, 1, 9), D(2027, 2, 14))
    assert "测试用节假日安排" in listing.source
    package = year_listing(WorkCalendar(), 2026)
    assert package.source.startswith("chinese-calendar")
    national = next(h for h in package.holidays if h[0] == "国庆节")
    assert national[1] == D(2026, 10, 1) and (national[2] - national[1]).days >= 6
    assert all(day.weekday() >= 5 for day in package.workdays) and package.workdays
    assert year_listing(WorkCalendar(), 2027) is None


def test_cli_validate_and_show(tmp_path, monkeypatch, capsys):
    good = folder_with(tmp_path) / "2027.yaml"
    bad = tmp_path / "bad.yaml"
    bad.write_text("year: 2027\nsource: x\nholidays: [{name: 元旦, from: 2027-01-01}]\nworkdays: [2027-01-04]\n",
                   encoding="utf-8")
    assert cli.main(["calendar", "validate", str(good)]) == 0
    assert "通过" in capsys.readouterr().out
    assert cli.main(["calendar", "validate", str(good), str(bad)]) == 1
    out = capsys.readouterr()
    assert f"{bad}: 有 1 处错误" in out.out and "workdays[1]" in out.err and "周六或周日" in out.err

    monkeypatch.setenv("YICHUANG_DATA_DIR", str(tmp_path))
    assert cli.main(["calendar", "show", "2027"]) == 0
    out = capsys.readouterr().out
    assert "测试用节假日安排" in out and "元旦\t2027-01-01 至 2027-01-03（3天）" in out and "调休上班\t2027-01-09（周六）" in out
    assert cli.main(["calendar", "show", "2028"]) == 1
    err = capsys.readouterr().err
    assert "2028 年度未覆盖" in err and str(tmp_path / "calendar" / "2028.yaml") in err
    assert cli.main(["calendar", "show", "2026"]) == 0
    assert "国庆节" in capsys.readouterr().out
    bad.rename(tmp_path / "calendar" / "broken.yaml")
    assert cli.main(["calendar", "show", "2027"]) == 2
    assert "周六或周日" in capsys.readouterr().err


def test_the_worker_and_the_sweeper_count_with_the_loaded_year(tmp_path):
    from storage.objects import MemoryStore
    from workers.wiring import build_calendar, build_services

    folder_with(tmp_path)
    settings = Settings(data_dir=tmp_path)
    svc = build_services(settings, database=False, store=MemoryStore())  # what the worker's assess_case uses
    assessor = svc.assessor
    assert assessor.calendar.is_workday(D(2027, 1, 9)) is True
    assert assessor.checks is svc.deps.checks
    assert build_calendar(settings).add_working_days(D(2026, 12, 30), 7) == D(2027, 1, 9)
