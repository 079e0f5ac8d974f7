"""The pages in a real headless Chromium (Debian's, driven by Playwright; no browser is downloaded) against a live
`yichuang serve` with its embedded worker: a clerk signs in, opens a case and watches the checklist fill while
sample scans are posted to the API with a clerk key (as the document camera does), discards a bad shot, previews
the one-time notice, attests the original, accepts and prints the notice; a reviewer claims the case, corrects a
field, approves and downloads the signed bundle; a clerk of another hall finds nothing (URL guessing included);
a form without its CSRF token is refused; the fifth wrong password locks the account; a clerk joins two pages of
an application photographed apart and sees its checklist line fill, then splits them again.

Screenshots of every page go to $YICHUANG_TEST_ARTEFACTS (default: a pytest temporary folder; the path is printed).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from tests.pages.browser_helpers import CHROMIUM, PASSWORD, SAMPLES, shot, sign_in_page, wait_until

SCANS = [("application", SAMPLES / "application_form" / "application_form_s7-0000_p1_clean.png"),
         ("operator_id", SAMPLES / "id_card_front" / "idcard_s7-0000_front_clean.png"),
         ("operator_id", SAMPLES / "id_card_back" / "idcard_s7-0000_back_clean.png")]

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (scripts/setup)")]


def _bad_shot(folder: Path) -> Path:
    """A card photographed out of focus in a dark corner: the quality gate must ask for a retake."""
    import cv2

    image = cv2.imread(str(SCANS[1][1]))
    image = (cv2.GaussianBlur(image, (0, 0), 9) * 0.25).astype("uint8")
    path = folder / "bad_shot.jpg"
    cv2.imwrite(str(path), image)
    return path


@pytest.fixture(scope="module")
def state():
    return {}


def _page(chromium, live, *, tablet: bool = False):
    context = chromium.new_context(base_url=live["base"], locale="zh-CN", accept_downloads=True,
                                   viewport={"width": 1024, "height": 1366} if tablet else {"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(30_000)
    return page


def _post_scan(live, case_id: str, path: Path, material: str | None) -> None:
    data = {"case_id": case_id, **({"material": material} if material else {})}
    response = httpx.post(f"{live['base']}/api/v1/documents", headers={"X-API-Key": live["camera_key"]}, data=data,
                          files={"file": (path.name, path.read_bytes())}, timeout=60)
    assert response.status_code == 202, response.text


def test_clerk_receives_a_case_while_the_camera_posts_scans(chromium, live, artefacts, state, tmp_path):
    page = _page(chromium, live)
    page.goto("/")
    assert page.url.endswith("/signin")
    shot(page, artefacts, "01-signin")
    sign_in_page(page, "clerk1")
    assert page.url.endswith("/counter")
    page.get_by_label("服务事项及版本").select_option("individual-business-registration@1")
    page.get_by_label("办理情形").select_option(label="经营者本人办理")
    page.get_by_label("姓名或名称").fill("罗志")
    page.get_by_label("公民身份号码", exact=True).fill("532626194906224992")
    shot(page, artefacts, "02-counter-home")
    page.get_by_role("button", name="新建办件，开始收件").click()
    page.wait_for_url(re.compile(r"/counter/cases/[0-9a-f-]{36}$"))
    case_id = page.url.rsplit("/", 1)[1]
    state["case_id"] = case_id
    assert page.locator("#m-application").get_by_text("未提交").count() >= 1
    shot(page, artefacts, "03-case-empty")

    for material, path in SCANS:  # the camera posts while the page is open
        _post_scan(live, case_id, path, material)
    _post_scan(live, case_id, _bad_shot(tmp_path), None)
    page.wait_for_selector(".progress", timeout=30_000)  # the page says the worker is reading
    shot(page, artefacts, "04-case-reading")
    wait_until(lambda: page.locator(".doc").count() >= 4 and page.locator(".progress").count() == 0, 300)
    shot(page, artefacts, "05-case-filled")
    page.set_viewport_size({"width": 1024, "height": 1366})  # a tablet at the counter
    shot(page, artefacts, "05b-case-filled-tablet")
    page.set_viewport_size({"width": 1280, "height": 800})
    application = page.locator("#m-application")
    assert application.locator(".doc").count() == 1 and application.get_by_text("未提交").count() == 0
    assert page.locator("#m-operator_id .doc").count() == 2
    assert page.locator("#m-operator_id img").first.evaluate("img => img.complete && img.naturalWidth > 0")
    bad = page.locator(".doc", has=page.locator(".retake"))
    assert bad.count() == 1
    assert bad.locator(".retake").first.inner_text().startswith("请重拍：")

    bad.get_by_role("button", name="作废此照片").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").filter(has_text="已作废该照片").count() == 1
    assert page.locator(".retake").count() == 0 and page.locator(".doc").count() == 3
    shot(page, artefacts, "06-case-discarded")

    api = httpx.get(f"{live['base']}/api/v1/cases/{case_id}", headers={"X-API-Key": live["camera_key"]}).json()
    notice = api["assessment"]["notice"]
    shown = page.locator("#notice-text").inner_text()
    assert (notice and shown.strip() == notice.strip()) or (not notice and "无需一次性告知" in shown)

    page.locator("form", has=page.get_by_label(re.compile("个体工商户登记.*已核验原件份数"))) \
        .get_by_role("button", name="登记原件已核验").click()
    page.wait_for_load_state()
    assert page.get_by_text("已登记原件核验").count() == 1
    accept = page.locator("form", has=page.locator("input[name=act][value=accept]"))
    accept.get_by_label("理由或意见").fill("已当面核对原件，申请人与证件一致")
    accept.get_by_role("button", name="受理").click()
    page.wait_for_load_state()
    assert page.locator("dl.meta dd strong").inner_text() == "受理"
    shot(page, artefacts, "07-case-accepted")
    link = page.get_by_role("link", name="打印受理通知书")
    pdf = page.request.get(link.get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")
    (artefacts / "acceptance-notice.pdf").write_bytes(pdf.body())
    from sqlalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{live['data'] / 'yichuang.sqlite'}")
    with engine.connect() as db:
        actions = set(db.execute(text("SELECT action FROM audit_events WHERE target_id = :c"), {"c": case_id}).scalars())
    engine.dispose()
    assert {"case.create", "case.read", "case.page_image", "case.discard", "case.originals", "case.transition"} <= actions
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", str(artefacts / "acceptance-notice.pdf"),
                        str(artefacts / "08-acceptance-notice")], check=True)
    page.context.close()


def test_reviewer_claims_corrects_approves_and_downloads_the_bundle(chromium, live, artefacts, state):
    case_id = state.get("case_id") or pytest.fail("the counter test did not open a case")
    page = _page(chromium, live)
    sign_in_page(page, "rev1")
    assert page.url.endswith("/review")
    row = page.locator("tr", has=page.locator(f"a[href='/review/cases/{case_id}']"))
    assert row.count() == 1 and "罗*" in row.inner_text() and "罗志" not in row.inner_text()
    shot(page, artefacts, "09-review-queue")
    row.get_by_role("link").click()
    page.wait_for_url(f"**/review/cases/{case_id}")
    page.get_by_role("button", name="认领并开始审查").click()
    page.wait_for_load_state()
    assert page.locator("dl.meta dd strong").inner_text() == "审查"
    name = page.locator("#m-operator_id ~ .docs input[id$='-name']").first
    if name.count() == 0:
        name = page.locator("input[data-original][id$='-name']").first
    name.fill("罗志")
    name.locator("xpath=..").get_by_role("button", name="更正").click()
    page.wait_for_load_state()
    assert page.get_by_text("已更正，并已重新核验").count() == 1
    assert page.locator("input[data-original][id$='-name'][value='罗志']").count() >= 1
    shot(page, artefacts, "10-review-case")
    approve = page.locator("form", has=page.locator("input[name=act][value=approve]"))
    approve.get_by_label(re.compile("准予许可")).fill("材料齐全，符合法定形式，准予许可")
    approve.get_by_role("button", name="准予许可").click()
    page.wait_for_load_state()
    assert page.locator("dl.meta dd strong").inner_text() == "办结"
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("下载经签名的办件材料包")).click()
    saved = artefacts / "bundle.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF") and b"/ByteRange" in saved.read_bytes()
    shot(page, artefacts, "11-review-decided")
    page.context.close()


def test_a_clerk_of_another_hall_finds_nothing(chromium, live, artefacts, state):
    case_id = state.get("case_id") or pytest.fail("the counter test did not open a case")
    page = _page(chromium, live, tablet=True)
    sign_in_page(page, "clerk2")
    assert page.url.endswith("/counter") and page.locator(f"a[href='/counter/cases/{case_id}']").count() == 0
    shot(page, artefacts, "12-other-hall-counter-tablet")
    for path in (f"/counter/cases/{case_id}", f"/review/cases/{case_id}", f"/counter/cases/{case_id}/checklist",
                 f"/pages/cases/{case_id}/documents/x/images/0", f"/api/v1/cases/{case_id}"):
        response = page.goto(path)
        assert response.status in (403, 404), path  # the review page is not a clerk's: 403 before any lookup
        assert "罗志" not in page.content()
    response = page.goto(f"/counter/cases/{case_id}")
    assert response.status == 404 and page.get_by_text("找不到该办件").count() >= 1
    shot(page, artefacts, "13-other-hall-404")
    page.context.close()


def test_a_form_without_its_csrf_token_is_refused(chromium, live, artefacts):
    page = _page(chromium, live)
    page.goto("/signin")  # by keyboard alone: the user name has the focus, Tab leads to the password
    # autofocus is applied when the browser next runs its rendering steps, which may come after "load": wait for it
    # (the wait fails the test if the field never gets the focus) rather than typing into nowhere
    expect(page.get_by_label("用户名")).to_be_focused()
    page.keyboard.type("clerk1")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/counter")
    page.locator("#new-case-form input[name=csrf_token]").evaluate("input => input.remove()")
    page.get_by_role("button", name="新建办件，开始收件").click()
    page.wait_for_load_state()
    assert page.get_by_text("安全校验码").count() >= 1
    shot(page, artefacts, "14-csrf-refused")
    page.context.close()


def test_the_fifth_wrong_password_locks_the_account(chromium, live, artefacts):
    page = _page(chromium, live)
    for attempt in range(5):
        sign_in_page(page, "locked1", "wrong-password-1")
        expected = "已锁定" if attempt == 4 else "用户名或密码不正确"
        assert page.get_by_role("alert").inner_text().find(expected) >= 0, attempt
    sign_in_page(page, "locked1")
    assert page.url.endswith("/signin") and "已锁定" in page.get_by_role("alert").inner_text()
    shot(page, artefacts, "15-locked")
    page.context.close()


def test_clerk_joins_two_pages_photographed_apart_and_the_checklist_line_fills(chromium, live, artefacts):
    """The application's signature page is photographed before its first page (so it cannot continue anything): the
    two shots stand apart and the line needs a person; joined, they are one application and the line is fine; split,
    they stand apart again."""
    page = _page(chromium, live)
    sign_in_page(page, "clerk1")
    page.get_by_label("服务事项及版本").select_option("individual-business-registration@1")
    page.get_by_label("办理情形").select_option(label="经营者本人办理")
    page.get_by_label("姓名或名称").fill("罗志")
    page.get_by_label("公民身份号码", exact=True).fill("532626194906224992")
    page.get_by_role("button", name="新建办件，开始收件").click()
    page.wait_for_url(re.compile(r"/counter/cases/[0-9a-f-]{36}$"))
    case_id = page.url.rsplit("/", 1)[1]
    for name in ("application_form_s7-0000_p2_clean.png", "application_form_s7-0000_p1_clean.png"):
        _post_scan(live, case_id, SAMPLES / "application_form" / name, "application")
    application = page.locator("#m-application")
    wait_until(lambda: application.locator(".doc").count() == 2 and page.locator(".progress").count() == 0, 300)
    status = application.locator(".status")
    assert status.inner_text() == "需人工核验"
    shot(page, artefacts, "16-join-two-shots-apart")

    picks = application.get_by_label("选中，与其他照片合并为一份材料")
    assert picks.count() == 2
    picks.nth(0).check()
    picks.nth(1).check()
    page.get_by_label("合并理由").fill("申请书首页与签字页分开拍摄")
    page.get_by_role("button", name="合并所选照片为一份材料").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").filter(has_text="已合并为一份材料").count() == 1
    assert status.inner_text() == "符合要求"
    assert application.locator(".doc").count() == 2 and application.locator(".doc.part").count() == 1
    part = application.locator(".doc.part")
    assert part.get_by_label("签名", exact=True).count() == 1 and part.get_by_label("经营者姓名").count() == 0, \
        "the signature page, photographed first, is the joined document's later page"
    assert "2 张照片合并为一份" in application.locator("h4").first.inner_text()
    assert application.get_by_text("窗口工作人员已将2张照片合并为一份材料：申请书首页与签字页分开拍摄").count() == 1
    shot(page, artefacts, "17-join-joined")

    application.get_by_role("button", name="拆分为单独的照片").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").filter(has_text="已拆分为单独的照片").count() == 1
    assert status.inner_text() == "需人工核验" and application.locator(".doc.part").count() == 0
    from sqlalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{live['data'] / 'yichuang.sqlite'}")
    with engine.connect() as db:
        actions = list(db.execute(text("SELECT action FROM audit_events WHERE target_id = :c AND action IN "
                                       "('case.join', 'case.split') ORDER BY id"), {"c": case_id}).scalars())
    engine.dispose()
    assert actions == ["case.join", "case.split"]
    page.context.close()
