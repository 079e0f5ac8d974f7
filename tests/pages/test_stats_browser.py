"""The public progress page and the statistics page in Debian's Chromium (Playwright), against the app served by
uvicorn in this process with a known case set (tests/validators/stats_cases.py) and a fixed clock:

- progress on a 360 px phone: a wrong query code shows nothing and reads exactly like an unknown number; the
  right code shows the state;
- statistics for a hall lead: the figures match the case set, the plots render (one bar per day of the range,
  one point per day with an acceptance decision, five rating bars), and the downloaded CSV matches.

Screenshots go to $YICHUANG_TEST_ARTEFACTS (default: a pytest temporary folder; the path is printed).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import threading
import time
from pathlib import Path

import httpx
import pytest

from storage.cases import CaseRepository
from tests.api.live_server import free_port
from tests.pages.browser_helpers import CHROMIUM, PASSWORD, shot
from tests.validators.stats_cases import EXPECTED, build

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (scripts/setup)")]

NOW = dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.timezone.utc)
RANGE = "period=day&from=2026-11-01&to=2026-11-07"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The app (pages and API, no worker) under uvicorn in a thread, its database holding the case set."""
    import uvicorn

    from api.app import create_app
    from pipeline.settings import Settings

    data = tmp_path_factory.mktemp("stats-live")
    patch = pytest.MonkeyPatch()
    for key, value in {"YICHUANG_DATA_DIR": str(data), "YICHUANG_ENV": "test", "YICHUANG_COOKIE_SECURE": "false"}.items():
        patch.setenv(key, value)
    app = create_app(Settings(), enqueue=lambda *_: None)
    app.state.clock = lambda: NOW
    accounts = app.state.accounts
    for username, hall, role in (("clerk1", "h1", "clerk"), ("clerk2", "h2", "clerk"), ("lead1", "h1", "lead")):
        accounts.create(username=username, display_name={"lead1": "王负责"}.get(username, username), hall=hall, role=role,
                        clerk_number=username.upper(), password=PASSWORD)
    owners = {"h1": accounts.get("clerk1").key_row_id, "h2": accounts.get("clerk2").key_row_id}
    made = build(CaseRepository(app.state.repo.engine), owners)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.1)
    assert httpx.get(f"{base}/healthz", timeout=5).status_code == 200
    yield {"base": base, "made": made}
    server.should_exit = True
    thread.join(timeout=10)
    patch.undo()


def _context(chromium, served, width, height):
    context = chromium.new_context(base_url=served["base"], locale="zh-CN", accept_downloads=True,
                                   viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(20_000)
    return page


def _ask(page, number: str, code: str) -> None:
    page.goto("/progress")
    page.get_by_label("办件编号", exact=True).fill(number)
    page.get_by_label("查询码", exact=True).fill(code)
    page.get_by_role("button", name="查询").click()
    page.wait_for_load_state()


def test_progress_on_a_phone_shows_nothing_for_a_wrong_code(chromium, served, artefacts):
    page = _context(chromium, served, 360, 740)
    a = served["made"]["A"]
    page.goto("/progress")
    shot(page, artefacts, "20-progress-form-360")
    _ask(page, a.case_number, "ZZZZZZZZZZ")
    assert page.locator("#progress-result").count() == 0
    wrong = page.locator("main").inner_text()
    shot(page, artefacts, "21-progress-wrong-code-360")
    _ask(page, "h1-2026-999999", "ZZZZZZZZZZ")
    unknown = page.locator("main").inner_text()
    assert wrong == unknown and "未查到该办件" in wrong
    assert "个体工商户" not in wrong and "收件" not in wrong
    _ask(page, a.case_number, a.query_code.lower())
    result = page.locator("#progress-result")
    assert result.locator("#p-state").inner_text() == "已办结：准予许可，请按通知领取办理结果"
    assert "个体工商户设立登记" in result.inner_text() and "张三" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing sticks out sideways
    shot(page, artefacts, "22-progress-found-360")
    page.context.close()


def test_statistics_match_the_case_set_and_the_plots_render(chromium, served, artefacts, tmp_path):
    page = _context(chromium, served, 1280, 800)
    page.goto("/")
    page.get_by_label("用户名").fill("lead1")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/stats")
    page.goto(f"/stats?{RANGE}")
    assert page.locator("#k-received").inner_text() == "7"
    assert page.locator("#k-first-pass").inner_text() == "50.0%"
    assert page.locator("#k-median").inner_text() == "2.0 天" and page.locator("#k-p90").inner_text() == "10.0 天"
    assert page.locator("#k-overdue").inner_text() == "2"
    received = page.locator("#chart-received svg rect.bar")
    assert received.count() == 7
    heights = {received.nth(n).get_attribute("data-label"): float(received.nth(n).get_attribute("data-value"))
               for n in range(7)}
    assert {k: int(v) for k, v in heights.items() if v} == EXPECTED["per_day"]
    assert received.nth(1).bounding_box()["height"] > 0 and received.nth(0).bounding_box()["height"] == 0
    assert page.locator("#chart-first-pass svg circle.point").count() == 4
    assert page.locator("#chart-ratings svg rect.bar").count() == 5
    items = page.locator("#chart-items svg rect.bar")
    assert {items.nth(n).get_attribute("data-label"): int(items.nth(n).get_attribute("data-value"))
            for n in range(items.count())} == EXPECTED["per_item"]
    rates = page.locator("#chart-item-first-pass svg rect.bar")
    assert [rates.nth(n).get_attribute("data-value") for n in range(rates.count())] == ["40", "100"]
    top = page.locator("#t-deficiencies tbody tr").first.inner_text()
    assert "个体工商户设立登记" in top and "申请书未签名" in top and top.rstrip().endswith("2")
    shot(page, artefacts, "23-stats-lead")

    with page.expect_download() as download:
        page.get_by_role("link", name="导出 CSV（按时段）").click()
    saved = tmp_path / "periods.csv"
    download.value.save_as(saved)
    table = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    assert table[-1][:9] == ["合计", "7", "6", "3", "50.0%", "3", "2.00", "10.00", "2"]
    assert {r[0]: int(r[1]) for r in table[1:-1] if int(r[1])} == EXPECTED["per_day"]
    page.set_viewport_size({"width": 360, "height": 740})
    shot(page, artefacts, "24-stats-lead-360")
    page.context.close()
