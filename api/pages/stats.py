"""Hall statistics (大厅统计) for administrators (every hall, or one) and hall leads (大厅负责人, their own hall
only): cases received, 一次办成率, the most common material problems per item, median and p90 time from receipt
to decision, overdue cases and 好差评 — per day, week or month and per item, with SVG plots and CSV export. The
figures are counted from the stored records by validators/hall_stats.py (definitions there and in the README);
this module only reads the filters, scopes the hall, audits and renders.

    GET /stats                    the page (?hall=&period=day|week|month&from=&to=&item=)
    GET /stats/export.csv         the same filters, &table=periods|items|deficiencies|overdue
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import ServicesDep, TodayDep
from api.pages.charts import GREEN, bar_chart, line_chart
from api.pages.web import PageError, identity_of, render, require
from pipeline.case_states import STATES
from pipeline.case_facts import CaseFacts
from storage.case_stats import CaseStats
from validators import hall_stats
from validators.hall_stats import PERIODS, SCORE_LABELS, Deficiency, Figures
from workers.wiring import Services

ROLES = ("admin", "lead")
DEFAULT_SPAN = {"day": 29, "week": 7 * 11, "month": 335}  # 30 days, 12 weeks, about 12 months back from today
MAX_DAYS = 3 * 366
TABLES = ("periods", "items", "deficiencies", "overdue")


@dataclass(frozen=True)
class Query:
    hall: str | None  # None: every hall (administrators only)
    period: str
    start: dt.date
    end: dt.date
    item: str


@dataclass(frozen=True)
class Report:
    query: Query
    total: Figures
    periods: list[Figures]
    items: list[Figures]
    deficiencies: list[Deficiency]
    overdue: list[CaseFacts]


router = APIRouter(include_in_schema=False)


def read_query(request: Request, today: dt.date) -> Query:
    """The filters of the request, the hall scoped by role. A lead asking for another hall gets 404."""
    session = require(request, *ROLES)
    params = request.query_params
    period = params.get("period") if params.get("period") in PERIODS else "day"
    try:
        end = dt.date.fromisoformat(params["to"]) if params.get("to") else today
        start = dt.date.fromisoformat(params["from"]) if params.get("from") else end - dt.timedelta(days=DEFAULT_SPAN[period])
    except ValueError:
        raise PageError(422, "日期格式应为 年-月-日，如 2026-12-01", back="/stats") from None
    if start > end or (end - start).days > MAX_DAYS:
        raise PageError(422, "统计区间应为起始日不晚于截止日、且不超过三年", back="/stats")
    account = session.account
    hall = (params.get("hall") or "").strip()
    if account.role == "lead":
        if hall and hall != account.hall:
            raise PageError(404, "找不到该大厅的统计", back="/stats")
        hall = account.hall
    return Query(hall=hall or None, period=period, start=start, end=end, item=(params.get("item") or "").strip())


def build_report(svc: Services, query: Query, today: dt.date) -> Report:
    calendar = svc.calendar
    since, before = hall_stats.day_bounds(query.start, query.end)
    cases = CaseStats(svc.repo.engine).facts(hall=query.hall, received_from=since, received_before=before,
                                                           item=query.item or None)
    return Report(query=query, total=hall_stats.figures("合计", cases, calendar, today),
                  periods=hall_stats.by_period(cases, query.start, query.end, query.period, calendar, today),
                  items=hall_stats.by_item(cases, calendar, today), deficiencies=hall_stats.deficiencies(cases),
                  overdue=hall_stats.overdue_cases(cases, calendar, today))


def charts(report: Report) -> dict:
    periods = report.periods
    ratings = [(SCORE_LABELS[s], float(report.total.ratings.get(s, 0))) for s in range(5, 0, -1)]
    return {
        "received": bar_chart("收件数", [(f.label, float(f.received)) for f in periods], unit="件"),
        "first_pass": line_chart("一次办成率", [(f.label, None if f.first_pass_rate is None else 100 * f.first_pass_rate)
                                             for f in periods]),
        "ratings": bar_chart("好差评分布", ratings, unit="件"),
        "by_item": bar_chart("按事项收件数", [(f.label, float(f.received)) for f in report.items], unit="件"),
        "by_item_first_pass": bar_chart("按事项一次办成率", [(f.label, 100 * (f.first_pass_rate or 0)) for f in report.items],
                                        unit="%", colour=GREEN, counts=False),
    }


@router.get("/stats", response_class=HTMLResponse)
def page(request: Request, svc: ServicesDep, today: TodayDep) -> HTMLResponse:
    query = read_query(request, today)
    who = identity_of(request.state.web_session)
    report = build_report(svc, query, today)
    svc.repo.audit(who, "stats.read", "hall", query.hall or "*", period=query.period, start=query.start.isoformat(),
                   end=query.end.isoformat(), item=query.item or None, cases=report.total.received, via="pages")
    halls = CaseStats(svc.repo.engine).halls() if who.role == "admin" else [who.hall]
    return render(request, "stats.html", r=report, q=query, charts=charts(report), periods=PERIODS, halls=halls,
                  items=[(c, svc.catalog.get(c).name) for c in svc.catalog.codes()], scores=SCORE_LABELS,
                  export=_export_query(query))


def _export_query(query: Query) -> str:
    return urlencode({"hall": query.hall or "", "period": query.period, "from": query.start.isoformat(),
                      "to": query.end.isoformat(), "item": query.item})


@router.get("/stats/export.csv", response_class=Response)
def export(request: Request, svc: ServicesDep, today: TodayDep, table: str = "periods") -> Response:
    query = read_query(request, today)
    if table not in TABLES:
        raise PageError(422, "导出的表应为 periods、items、deficiencies 或 overdue", back="/stats")
    report = build_report(svc, query, today)
    svc.repo.audit(identity_of(request.state.web_session), "stats.export", "hall", query.hall or "*", table=table,
                   period=query.period, start=query.start.isoformat(), end=query.end.isoformat(),
                   item=query.item or None, via="pages")
    name = f"stats-{query.hall or 'all'}-{table}-{query.start.isoformat()}-{query.end.isoformat()}.csv"
    return Response(csv_text(report, table).encode("utf-8-sig"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


FIGURE_HEADER = ["收件数", "作出受理决定数", "一次办成数", "一次办成率", "办结数", "办结用时中位数（天）", "办结用时P90（天）",
                 "超期数", *[f"{SCORE_LABELS[s]}（{s}分）" for s in range(5, 0, -1)]]


def _figure_row(f: Figures) -> list:
    rate = "" if f.first_pass_rate is None else f"{100 * f.first_pass_rate:.1f}%"
    days = ["" if d is None else f"{d:.2f}" for d in (f.median_days, f.p90_days)]
    return [f.label, f.received, f.judged, f.first_pass, rate, f.decided, *days, f.overdue,
            *[f.ratings.get(s, 0) for s in range(5, 0, -1)]]


def csv_text(report: Report, table: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if table == "periods":
        writer.writerow([PERIODS[report.query.period].removeprefix("按"), *FIGURE_HEADER])
        writer.writerows(_figure_row(f) for f in [*report.periods, report.total])
    elif table == "items":
        writer.writerow(["事项", *FIGURE_HEADER])
        writer.writerows(_figure_row(f) for f in [*report.items, report.total])
    elif table == "deficiencies":
        writer.writerow(["事项", "材料代码", "材料", "问题代码", "问题", "次数"])
        writer.writerows([d.item_name, d.material_code, d.material_name, d.cause, d.cause_label, d.count]
                         for d in report.deficiencies)
    else:
        writer.writerow(["办件编号", "事项", "大厅", "收件日期", "状态"])
        writer.writerows([c.case_number, c.item_name, c.hall, hall_stats.shanghai_day(c.received_at).isoformat(),
                          STATES.get(c.status, c.status)]
                         for c in report.overdue)
    return out.getvalue()
