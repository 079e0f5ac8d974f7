"""Holiday files (节假日安排) an administrator loads for years the `chinese-calendar` package does not cover yet.

The State Council publishes next year's holidays and make-up working days (调休上班) each November; the package
may lag. An administrator copies the notice into one file per year in `<data dir>/calendar/` (YAML or JSON):

    year: 2027
    source: 国务院办公厅关于2027年部分节假日安排的通知
    holidays:
      - {name: 元旦, from: 2027-01-01, to: 2027-01-03}
      - {name: 春节, from: 2027-02-05, to: 2027-02-11}
    workdays: [2027-02-14, 2027-02-20]

A loaded year replaces the package's answer for that year (an administrator's dates win); a year neither
covers stays flagged (`calendar.year_not_covered`). A holiday may start in the last days of the year before
(元旦 often does). Problems come back as `FILE: where: message` in Chinese, the way `yichuang catalog validate`
reports them; a broken file stops the service from starting with a guessed calendar.

Who calls it: workers/wiring.build_calendar (the API, the worker and the sweeper) and `yichuang calendar`.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml

from pipeline.errors import ConfigurationError
from pipeline.workdays import WorkCalendar

SUFFIXES = (".yaml", ".yml", ".json")
KEYS = ("year", "source", "holidays", "workdays")
SPILL_DAYS = 7  # a holiday or make-up day listed for year Y may lie this close to Y's first or last day
MAX_HOLIDAY_DAYS = 10  # the longest statutory break (春节 / 国庆 with 调休) is 8–9 days


class _Loader(yaml.SafeLoader):
    """Dates stay text, so a wrong one (2027-13-01) is reported on its own key instead of failing the file."""


_Loader.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


@dataclass(frozen=True)
class Problem:
    path: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.where}: {self.message}" if self.where else f"{self.path}: {self.message}"


class CalendarFileError(ConfigurationError):
    code = "calendar.invalid"
    message = "节假日安排文件有误，请用 yichuang calendar validate 检查后改正"

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(detail=f"{len(problems)} problems in holiday files")

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


@dataclass(frozen=True)
class YearDates:
    """One year's dates as an administrator loaded them."""

    year: int
    source: str
    path: str
    holidays: dict[dt.date, str] = field(default_factory=dict)  # day -> holiday name
    workdays: frozenset[dt.date] = frozenset()  # make-up working days (weekends worked)


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


Bad = Callable[[str, str], None]  # (where, message): one problem found in the file being read


def parse(text: str, path: str) -> tuple[YearDates | None, list[Problem]]:
    """One file's text: the year's dates, or None with every problem found (all at once, not the first)."""
    problems: list[Problem] = []

    def bad(where: str, message: str) -> None:
        problems.append(Problem(path, where, message))

    data = _load(text, path, bad)
    if data is None:
        return None, problems
    year, source = _header(data, bad)
    holidays = _holidays(data.get("holidays"), year, bad)
    workdays = _workdays(data.get("workdays", []), year, holidays, bad)
    if problems or year is None:
        return None, problems
    return YearDates(year=year, source=source.strip(), path=path, holidays=holidays, workdays=frozenset(workdays)), []


def _load(text: str, path: str, bad: Bad) -> dict | None:
    """The file's top-level object, or None when it is not valid YAML/JSON or not an object."""
    try:
        data = json.loads(text) if path.endswith(".json") else yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader
    except (ValueError, yaml.YAMLError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"第{mark.line + 1}行" if mark is not None else (f"第{exc.lineno}行" if hasattr(exc, "lineno") else "")
        bad(line, "文件不是有效的 YAML/JSON 格式")
        return None
    if not isinstance(data, dict):
        bad("", "文件内容应为一个对象，包含 year、source、holidays、workdays")
        return None
    return data


def _header(data: dict, bad: Bad) -> tuple[int | None, str]:
    """Unknown keys, the year (None when unusable) and the source (empty when missing)."""
    for key in data:
        if key not in KEYS:
            bad(str(key), f"未知的键（可用：{'、'.join(KEYS)}）")
    year = data.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not 1900 <= year <= 2200:
        bad("year", "年度应为四位数字，如 2027")
        year = None
    source = data.get("source")
    if not isinstance(source, str) or not source.strip():
        bad("source", "请注明日期的来源（如国务院办公厅关于该年部分节假日安排的通知及文号）")
        source = ""
    return year, source


def _in_year(day: dt.date, year: int | None) -> bool:
    if year is None:
        return True
    return dt.date(year, 1, 1) - dt.timedelta(days=SPILL_DAYS) <= day <= dt.date(year, 12, 31) + dt.timedelta(days=SPILL_DAYS)


def _holidays(raw: Any, year: int | None, bad: Bad) -> dict[dt.date, str]:
    """Every day of every listed holiday, with its name; a day listed twice is a problem."""
    holidays: dict[dt.date, str] = {}
    if not isinstance(raw, list) or not raw:
        bad("holidays", "请列出该年度的法定节假日（每项包括 name、from，可选 to）")
        raw = []
    for n, entry in enumerate(raw, 1):
        where = f"holidays[{n}]"
        span = _holiday_span(entry, where, year, bad)
        if span is None:
            continue
        name, start, end = span
        day = start
        while day <= end:
            if day in holidays:
                bad(where, f"{day.isoformat()} 已列在“{holidays[day]}”中，日期重复")
            holidays[day] = name
            day += dt.timedelta(days=1)
    return holidays


def _holiday_span(entry: Any, where: str, year: int | None, bad: Bad) -> tuple[str, dt.date, dt.date] | None:
    """One holiday entry's name, first and last day, or None when it cannot be used."""
    if not isinstance(entry, dict):
        bad(where, "每个节假日应为 {name, from, to} 形式")
        return None
    for key in entry:
        if key not in ("name", "from", "to"):
            bad(f"{where}.{key}", "未知的键（可用：name、from、to）")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        bad(f"{where}.name", "请填写节日名称，如 春节")
        name = "节假日"
    start = _date(entry.get("from"))
    end = _date(entry.get("to", entry.get("from")))
    if start is None:
        bad(f"{where}.from", "日期格式应为 YYYY-MM-DD")
    if end is None and "to" in entry:
        bad(f"{where}.to", "日期格式应为 YYYY-MM-DD")
    if start is None or end is None:
        return None
    if end < start:
        bad(f"{where}.to", "结束日期早于开始日期")
        return None
    if (end - start).days + 1 > MAX_HOLIDAY_DAYS:
        bad(where, f"放假天数超过{MAX_HOLIDAY_DAYS}天，请核对日期")
        return None
    if not (_in_year(start, year) and _in_year(end, year)):
        bad(where, f"日期不在 {year} 年度内")
        return None
    return name.strip(), start, end


def _workdays(raw: Any, year: int | None, holidays: dict[dt.date, str], bad: Bad) -> set[dt.date]:
    """The make-up working days: weekend days of the year, not holidays, each listed once."""
    workdays: set[dt.date] = set()
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        bad("workdays", "调休上班日应为日期列表，没有则写 []")
        raw = []
    for n, value in enumerate(raw, 1):
        where = f"workdays[{n}]"
        day = _date(value)
        if day is None:
            bad(where, "日期格式应为 YYYY-MM-DD")
            continue
        if not _in_year(day, year):
            bad(where, f"日期不在 {year} 年度内")
        elif day.weekday() < 5:
            bad(where, f"{day.isoformat()} 是工作日（周一至周五），调休上班日应为周六或周日")
        elif day in holidays:
            bad(where, f"{day.isoformat()} 同时列为节假日“{holidays[day]}”")
        elif day in workdays:
            bad(where, f"{day.isoformat()} 重复")
        workdays.add(day)
    return workdays


def validate_file(path: Path) -> list[Problem]:
    """Every problem of one file (`yichuang calendar validate`)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [Problem(str(path), "", f"无法读取文件（{exc.__class__.__name__}），请确认路径正确且为 UTF-8 编码")]
    return parse(text, str(path))[1]


def load_years(folder: Path | None) -> list[YearDates]:
    """Every year file in `folder` (a missing folder is no files). Raises CalendarFileError listing every
    problem of every file, including two files for one year."""
    if folder is None or not Path(folder).is_dir():
        return []
    years: list[YearDates] = []
    problems: list[Problem] = []
    seen: dict[int, str] = {}
    for path in sorted(p for p in Path(folder).iterdir() if p.suffix.lower() in SUFFIXES and p.is_file()):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(str(path), "", f"无法读取文件（{exc.__class__.__name__}），请确认为 UTF-8 编码"))
            continue
        parsed, found = parse(text, str(path))
        if parsed is None:
            problems += found
            continue
        if parsed.year in seen:
            problems.append(Problem(str(path), "year", f"{parsed.year} 年度已由 {seen[parsed.year]} 提供，每个年度只能有一个文件"))
            continue
        seen[parsed.year] = str(path)
        years.append(parsed)
    if problems:
        raise CalendarFileError(problems)
    return years


def load_calendar(folder: Path | None) -> WorkCalendar:
    """The work calendar: the package's years, with the administrator's files for the years they give."""
    years = load_years(folder)
    return WorkCalendar(holidays=[d for y in years for d in y.holidays], workdays=[d for y in years for d in y.workdays],
                        years=[y.year for y in years], loaded=years)


@dataclass(frozen=True)
class YearListing:
    """One year as the calendar in use sees it (`yichuang calendar show`)."""

    year: int
    source: str
    holidays: tuple[tuple[str, dt.date, dt.date], ...]  # (name, first day, last day), in date order
    workdays: tuple[dt.date, ...]  # make-up working days


def year_listing(calendar: WorkCalendar, year: int) -> YearListing | None:
    """None when neither an administrator's file nor the package covers `year`."""
    loaded = calendar.loaded.get(year)
    if loaded is not None:
        named = dict(loaded.holidays)
        workdays = sorted(loaded.workdays)
        source = f"管理员加载的文件 {loaded.path}（{loaded.source}）"
    else:
        import chinese_calendar

        named, workdays = {}, []
        chinese_names = {h.value: h.chinese for h in chinese_calendar.Holiday}  # "National Day" -> 国庆节
        day = dt.date(year, 1, 1)
        try:
            while day.year == year:
                is_holiday, holiday = chinese_calendar.get_holiday_detail(day)
                if is_holiday and holiday is not None:
                    named[day] = chinese_names.get(holiday, str(holiday))
                elif not is_holiday and day.weekday() >= 5:
                    workdays.append(day)
                day += dt.timedelta(days=1)
        except NotImplementedError:
            return None
        version = getattr(chinese_calendar, "__version__", "")
        source = f"chinese-calendar {version}".strip()
    runs: list[tuple[str, dt.date, dt.date]] = []
    for day in sorted(named):
        if runs and runs[-1][0] == named[day] and runs[-1][2] + dt.timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], runs[-1][1], day)
        else:
            runs.append((named[day], day, day))
    return YearListing(year, source, tuple(runs), tuple(workdays))
