"""The notice renderer on its own: each kind's title and legal basis, masking, and a clear configuration
error when no Chinese font is installed."""

from __future__ import annotations

import datetime as dt
import io

import pdfplumber
import pytest

from pipeline.errors import ConfigurationError
from validators import notices_pdf
from validators.halls import Hall
from validators.notices_pdf import NoticeData, NoticeMaterial, render

HALL = Hall(code="h1", name="济宁市政务服务中心", agency="济宁市市场监督管理局", agency_credit_code="11000000000000000U",
            locality="山东省济宁市", address="济宁市任城区太白楼中路1号", phone="0537-1234567", hours="工作日9:00-17:00",
            review_body="济宁市人民政府", court="济宁市任城区人民法院", number_pattern="济市监受字〔{year}〕第{seq:04d}号",
            signoff_role="窗口负责人")
BASE = dict(hall=HALL, place="济宁市政务服务中心A区3号窗口", case_number="h1-2026-000007",
            item_name="个体工商户设立登记", situation_name="经营者本人办理", applicant_name="张三",
            applicant_id="110105199003071239", issued_on=dt.date(2026, 10, 9), received_on=dt.date(2026, 10, 8),
            clerk_number="C0231", query_code="K7M2Q9XH3T",
            materials=(NoticeMaterial("个体工商户登记（备案）申请书", "符合要求", originals=1),
                       NoticeMaterial("经营场所使用证明", "符合要求", by_hand=True)))


def text(data: NoticeData) -> str:
    with pdfplumber.open(io.BytesIO(render(data))) as pdf:
        return "".join((p.extract_text() or "").replace("\n", "") for p in pdf.pages)


@pytest.mark.parametrize(("kind", "title", "basis"), [
    ("acceptance", "受理通知书", "第三十二条第一款第（五）项"),
    ("tolerance", "容缺受理通知书", "容缺受理制度"),
    ("correction", "补齐补正材料通知书（一次性告知）", "第三十二条第一款第（四）项"),
    ("refusal", "不予受理决定书", "第三十二条第一款第（二）项"),
])
def test_each_kind_has_its_title_basis_and_the_common_elements(kind, title, basis):
    reason_basis = ("《中华人民共和国行政许可法》第三十二条第一款第（二）项",) if kind == "refusal" else ()
    out = text(NoticeData(kind=kind, **BASE, reasons="不属于本机关职权范围", problems=("申请书未签字",), basis=reason_basis,
                          tolerance=(("经营场所使用证明", dt.date(2026, 10, 16)),), promised_days=3,
                          decision_due=dt.date(2026, 10, 14)))
    for element in (title, basis, "济宁市市场监督管理局", "h1-2026-000007", "110105********1239", "受理人员工号：C0231",
                    "K7M2Q9XH3T", "实施机关印章", "签收", "2026年10月09日", "核验原件1份", "工作人员人工核验"):
        assert element in out, (kind, element)
    assert "110105199003071239" not in out
    assert ("行政复议" in out) is (kind == "refusal"), "the appeal route belongs on the refusal"
    assert ("2026年10月16日前补交" in out) is (kind == "tolerance")
    assert ("申请书未签字" in out) is (kind == "correction")


def test_a_deadline_the_calendar_could_not_fix_is_left_to_a_person():
    out = text(NoticeData(kind="acceptance", **BASE, promised_days=3, decision_due=None))
    assert "日期需人工确定" in out


def test_no_chinese_font_is_a_configuration_error(monkeypatch, tmp_path):
    monkeypatch.setattr(notices_pdf, "FONT_CANDIDATES", ((tmp_path / "missing.ttc", 0),))
    with pytest.raises(ConfigurationError):
        render(NoticeData(kind="acceptance", **BASE))
    with pytest.raises(ValueError):
        render(NoticeData(kind="receipt", **BASE))


def test_the_refusal_decision_after_review_has_its_own_basis_reasons_and_appeal_route():
    out = text(NoticeData(kind="refusal_decision", **{**BASE, "clerk_number": "R0007"}, reasons="经营场所不符合登记条件",
                          accepted_on=dt.date(2026, 10, 8), legal_basis=("《个体工商户登记管理办法》",)))
    for element in ("不予行政许可决定书", "决定不予行政许可", "2026年10月08日受理", "理由：经营场所不符合登记条件",
                    "第三十八条第二款", "《个体工商户登记管理办法》", "六十日内依法申请行政复议", "六个月内依法向人民法院提起行政诉讼",
                    "审查人员工号：R0007", "济宁市市场监督管理局", "实施机关印章", "h1-2026-000007", "110105********1239",
                    "K7M2Q9XH3T", "2026年10月09日"):
        assert element in out, element
    assert "110105199003071239" not in out and "受理人员工号" not in out and "决定不予受理" not in out
