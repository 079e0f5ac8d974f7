"""网上申报 in a real headless Chromium (Debian's) against a live `yichuang serve` with its embedded worker, on a
phone-sized screen: an applicant registers with a phone number (the code read from the development outbox),
signs out and in, opens a case at a hall, uploads a set with one bad photo, sees every problem at once in plain
words, replaces the photo and sees the pre-review pass; the hall's clerk finds the case in the counter queue
marked 网上申报; another applicant finds nothing (URL guessing included).

The documents are small images of one fictional person from samples/ (the generator's application form and
property certificate, and that person's ID card drawn by samples/generate_idcards.py). Screenshots (360 px and
desktop) go to $YICHUANG_TEST_ARTEFACTS or a pytest temporary folder (printed).
"""

from __future__ import annotations

import io
import random
import re
import sys
from pathlib import Path

import pytest

from tests.case_data import write_hall
from tests.pages.browser_helpers import CHROMIUM, SAMPLES, shot, sign_in_page, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (scripts/setup)")]

PHONE = "13912345678"
APPLICANT_PASSWORD = "apply-pass-42"
INTERNAL_WORDS = ("needs_review", "invalid", "missing", "建议受理", "需人工核验", "不符合要求", "id_card.", "quality.",
                  "consistency.", "correction_required")


@pytest.fixture(scope="module")
def documents(tmp_path_factory) -> dict[str, Path]:
    """One person's set: application form (2 pages), ID card front and back, property certificate; and a bad
    photo of the front (out of focus, dark)."""
    import cv2
    import numpy as np

    folder = tmp_path_factory.mktemp("set")
    sys.path.insert(0, str(SAMPLES))
    import generate_documents
    import generate_idcards

    person = generate_documents.make_case(7, 0)["operator"]  # the operator of application_form s7-0000
    out = {"app1": SAMPLES / "application_form" / "application_form_s7-0000_p1_clean.png",
           "app2": SAMPLES / "application_form" / "application_form_s7-0000_p2_clean.png",
           "cert": SAMPLES / "property_certificate" / "property_certificate_s7-0000_clean.png"}
    for side in ("front", "back"):
        image, _boxes = generate_idcards.render_card(person, side, random.Random(7))
        buf = io.BytesIO()
        image.save(buf, "PNG")
        out[side] = folder / f"id_{side}.png"
        out[side].write_bytes(buf.getvalue())
    front = cv2.imread(str(out["front"]))
    bad = (cv2.GaussianBlur(front, (0, 0), 9) * 0.25).astype(np.uint8)
    out["bad"] = folder / "id_front_photo.jpg"
    cv2.imwrite(str(out["bad"]), bad)
    return out


def _phone(chromium, live, width: int = 360):
    context = chromium.new_context(base_url=live["base"], locale="zh-CN", viewport={"width": width, "height": 780},
                                   accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    return page


def _code(live, contact: str) -> str:
    lines = (live["data"] / "dev-outbox" / "codes.txt").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("#") and "不得用于生产" in lines[0]
    return [line.split("\t")[2] for line in lines if f"\t{contact}\t" in line][-1]


def _register(page, live, contact: str, name: str, artefacts: Path | None = None) -> None:
    page.goto("/signin")
    page.get_by_role("link", name="注册网上申报账号").click()
    page.get_by_label("手机号码或电子邮箱").fill(contact)
    page.get_by_role("button", name="获取验证码").click()
    page.wait_for_url("**/apply/register/code")
    assert page.get_by_role("status").filter(has_text="验证码已发送至").count() == 1
    page.get_by_label("验证码").fill(_code(live, contact))
    page.get_by_label("姓名").fill(name)
    page.get_by_label("设置密码").fill(APPLICANT_PASSWORD)
    page.get_by_label("再次输入密码").fill(APPLICANT_PASSWORD)
    if artefacts is not None:
        shot(page, artefacts, "a00-register-360")
    page.get_by_role("button", name="注册并登录").click()
    page.wait_for_url("**/apply")


def _upload(page, material: str, path: Path, label: re.Pattern | str) -> None:
    line = page.locator(f"#m-{material}")
    line.get_by_label(label).set_input_files(str(path))
    line.locator("form.upload-form", has=page.get_by_label(label)).locator("button[type=submit]").click()
    page.wait_for_load_state()


def _verdict(page, kind: str, seconds: float = 300) -> None:
    wait_until(lambda: page.locator(f"#verdict.verdict-{kind}").count() == 1, seconds)


@pytest.fixture(scope="module")
def state():
    return {}


def test_an_applicant_registers_uploads_fixes_and_passes_pre_review(chromium, live, artefacts, documents, state):
    write_hall(live["data"], "h1")  # the hall clerk1 works at: the only hall open for online cases
    page = _phone(chromium, live)
    _register(page, live, PHONE, "罗志", artefacts)
    shot(page, artefacts, "a01-registered-360")
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/signin")
    sign_in_page(page, PHONE, APPLICANT_PASSWORD)
    assert page.url.endswith("/apply")

    page.get_by_role("link", name="新的网上申报").click()
    assert page.get_by_label(re.compile("示例|济宁市政务服务中心")).is_checked()
    page.get_by_label("办理什么事项？").select_option("individual-business-registration@1")
    page.get_by_label("由谁来办理？").select_option("individual-business-registration@1/self")
    page.get_by_label("公民身份号码").fill("532626194906224992")
    shot(page, artefacts, "a02-new-360")
    page.get_by_role("button", name="下一步：上传材料").click()
    page.wait_for_url(re.compile(r"/apply/cases/[0-9a-f-]{36}$"))
    case_id = state["case_id"] = page.url.rsplit("/", 1)[1]
    assert page.locator("#m-operator_id input[type=file][capture]").count() == 1
    assert page.locator("#m-operator_id input[type=file]").get_attribute("accept") == "image/*,application/pdf"
    shot(page, artefacts, "a03-case-empty-360")

    _upload(page, "application", documents["app1"], re.compile("^上传"))
    _upload(page, "application", documents["app2"], re.compile("^再添加一份"))
    _upload(page, "operator_id", documents["bad"], re.compile("^上传"))
    _upload(page, "operator_id", documents["back"], re.compile("^再添加一份"))
    _upload(page, "premises_proof", documents["cert"], re.compile("^上传"))
    _verdict(page, "problems")
    shot(page, artefacts, "a04-problems-360")
    problems = page.locator("#verdict .problems li").all_inner_texts()
    assert problems and any(p.startswith("经营者身份证明") for p in problems), problems
    text = page.locator("main").inner_text()
    assert not [w for w in INTERNAL_WORDS if w in text], text
    page.set_viewport_size({"width": 1280, "height": 800})
    shot(page, artefacts, "a04b-problems-desktop")
    page.set_viewport_size({"width": 360, "height": 780})

    page.get_by_role("button", name="提交预审").click()
    page.wait_for_load_state()
    assert page.locator("#progress-label").inner_text() == "已提交，等待窗口受理"

    bad = page.locator("#m-operator_id .doc-line", has=page.locator(".problem"))
    assert bad.count() == 1
    bad.get_by_label(re.compile("^更换第")).set_input_files(str(documents["front"]))
    bad.locator("button[type=submit]", has_text="上传并更换").click()
    page.wait_for_load_state()
    _verdict(page, "pass")
    assert page.locator("#verdict .problems li").count() == 0
    assert page.locator("#m-operator_id .doc-line").count() == 2
    shot(page, artefacts, "a05-pass-360")
    page.set_viewport_size({"width": 1280, "height": 800})
    shot(page, artefacts, "a05b-pass-desktop")
    page.goto(f"/apply/cases/{case_id}/summary")
    shot(page, artefacts, "a06-summary-desktop")
    state["document"] = page.context.request.get(f"/apply/cases/{case_id}/status").text()
    page.context.close()


def test_the_halls_clerk_sees_the_online_case(chromium, live, artefacts, state):
    case_id = state.get("case_id") or pytest.fail("the applicant test did not open a case")
    page = chromium.new_page(base_url=live["base"], locale="zh-CN", viewport={"width": 1280, "height": 800})
    sign_in_page(page, "clerk1")
    row = page.locator("tr", has=page.locator(f"a[href='/counter/cases/{case_id}']"))
    assert row.count() == 1 and "网上申报" in row.inner_text() and "预审" in row.inner_text()
    shot(page, artefacts, "a07-counter-queue")
    page.close()


def test_another_applicant_finds_nothing(chromium, live, artefacts, state):
    case_id = state.get("case_id") or pytest.fail("the applicant test did not open a case")
    document = re.search(r"/documents/([^/]+)/images/0", state["document"]).group(1)
    page = _phone(chromium, live)
    _register(page, live, "other@example.com", "王五")
    assert page.locator(f"a[href='/apply/cases/{case_id}']").count() == 0
    for path in (f"/apply/cases/{case_id}", f"/apply/cases/{case_id}/status", f"/apply/cases/{case_id}/summary",
                 f"/apply/cases/{case_id}/documents/{document}/images/0", f"/apply/cases/{case_id}/notices/correction.pdf",
                 f"/counter/cases/{case_id}", f"/pages/cases/{case_id}/documents/{document}/images/0",
                 f"/api/v1/cases/{case_id}"):
        response = page.goto(path)
        assert response.status in (401, 403, 404), (path, response.status)
        assert "罗志" not in page.content() and "532626" not in page.content()
    response = page.goto(f"/apply/cases/{case_id}")
    assert response.status == 404 and page.get_by_text("找不到该办件").count() >= 1
    token = page.locator("input[name=csrf_token]").first.get_attribute("value") if page.locator("input[name=csrf_token]").count() else ""
    refused = page.request.post(f"/apply/cases/{case_id}/submit", form={"csrf_token": token or "x"})
    assert refused.status == 404
    shot(page, artefacts, "a08-other-applicant-404-360")
    page.context.close()
