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


# --- citizen words, reasons' basis, the hall, previews -------------------------------------------------------------


def lines_of(data: NoticeData) -> list[str]:
    with pdfplumber.open(io.BytesIO(render(data))) as pdf:
        return [line for p in pdf.pages for line in (p.extract_text() or "").split("\n")]


def test_a_refusal_prints_the_basis_of_its_reason_and_names_the_appeal_bodies():
    out = text(NoticeData(kind="refusal", **BASE, reasons="申请材料不齐全，经一次性告知后未按期补齐补正",
                          basis=("《中华人民共和国行政许可法》第三十二条第一款第（四）项",),
                          document_number="济市监受字〔2026〕第0012号"))
    assert "第三十二条第一款第（四）项" in out and "（一）、（二）" not in out
    assert "复议机关：济宁市人民政府" in out and "管辖法院：济宁市任城区人民法院" in out
    assert "文号：济市监受字〔2026〕第0012号" in out and "签发：窗口负责人" in out
    assert "济宁市任城区太白楼中路1号" in out and "0537-1234567" in out


def test_an_unconfigured_hall_prints_visibly_unset_never_a_made_up_agency():
    from validators.halls import placeholder

    out = text(NoticeData(kind="refusal", **{**BASE, "hall": placeholder("h1")}, reasons="不属于本机关职权范围"))
    assert "【未配置】实施机关" in out and "【未配置】复议机关" in out and "【未配置】人民法院" in out
    assert "文号：【未配置】" in out and "市场监督管理局" not in out


def test_an_example_hall_says_so_and_a_preview_is_watermarked_without_number_or_seal():
    out = text(NoticeData(kind="acceptance", **{**BASE, "hall": HALL.model_copy(update={"example": True})}))
    assert "示例配置，非真实机关" in out
    seal = _png()
    official = render(NoticeData(kind="acceptance", **BASE, document_number="济市监受字〔2026〕第0001号", seal_png=seal))
    preview = render(NoticeData(kind="acceptance", **BASE, document_number="济市监受字〔2026〕第0001号", seal_png=seal,
                                preview=True))
    assert images(official) == 1 and images(preview) == 0, "the seal image is never on a preview"
    with pdfplumber.open(io.BytesIO(preview)) as pdf:
        for page in pdf.pages:
            assert "预览 不作为正式文书" in (page.extract_text() or "")
    out = text(NoticeData(kind="acceptance", **BASE, preview=True, document_number="x"))
    assert "正式出具时编号" in out and "实施机关印章" in out


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGBA", (120, 120), (200, 0, 0, 128)).save(buf, "PNG")
    return buf.getvalue()


def images(pdf_bytes: bytes) -> int:
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        return sum(len(p.images) for p in pdf.pages)


def test_approval_completion_and_commitment_documents():
    approval = text(NoticeData(kind="approval", **BASE, accepted_on=dt.date(2026, 10, 8), result_name="营业执照（个体工商户）"))
    assert "准予行政许可决定书" in approval and "决定准予行政许可" in approval and "第三十八条第一款" in approval
    assert "领取营业执照（个体工商户）" in approval and "行政复议" not in approval
    completion = text(NoticeData(kind="completion", **BASE, result_name="不动产权证书"))
    assert "办结通知书" in completion and "已办理完结" in completion and "准予行政许可" not in completion
    commitment = text(NoticeData(kind="commitment", **BASE, tolerance=(("经营场所使用证明", dt.date(2026, 10, 16)),)))
    for element in ("容缺受理信用承诺书", "郑重承诺", "经营场所使用证明：请于2026年10月16日前补交", "承诺人（签字或盖章）",
                    "记入信用记录"):
        assert element in commitment, element
    assert "文号" not in commitment and "实施机关印章" not in commitment


LONG = ("个体工商户登记（备案）申请书：申请书未签字，请签字后重新提交；经营者身份证明：居民身份证已过有效期，请提交有效期内的"
        "居民身份证，（要求：原件；经营者本人签字）。")


def test_lines_never_start_with_closing_punctuation_and_numbers_stay_with_their_text():
    from validators.notices_pdf import NoticeMaterial as M
    from pipeline.typeset import NO_LINE_START

    problems = tuple(f"{name}：{LONG}" for name in ("经营场所使用证明", "授权委托书", "个体工商户登记（备案）申请书", "甲" * 37))
    lines = lines_of(NoticeData(kind="correction", **{**BASE, "materials": tuple(M(f"材料{i}" * 9, "已收取") for i in range(9))},
                                problems=problems))
    wrapped = [line for line in lines if line]
    assert len(wrapped) > 30
    for line in wrapped:
        assert line[0] not in NO_LINE_START, line
        assert line.strip() not in {f"{n}." for n in range(1, 20)}, "an item number alone on a line"


def test_wrap_rules_directly():
    from pipeline.typeset import wrap

    def measure(s: str) -> float:
        return float(len(s))

    lines = wrap("1. 甲乙丙丁戊己庚辛，壬癸", 10, measure)
    assert [ln.text for ln in lines] == ["1. 甲乙丙丁戊己庚", "辛，壬癸"] and lines[1].indent == 3
    assert [ln.text for ln in wrap("甲乙丙丁戊己庚（辛壬癸", 8, measure)] == ["甲乙丙丁戊己庚", "（辛壬癸"]
    assert [ln.text for ln in wrap("查询码K7M2Q9XH3T可用", 12, measure)] == ["查询码", "K7M2Q9XH3T可用"]
    assert [ln.text for ln in wrap("时间9:00-17:00止", 10, measure)] == ["时间", "9:00-17:00", "止"]
    assert wrap("甲乙丙丁戊己庚辛，", 8, measure)[-1].text == "辛，"


def test_a_long_notice_keeps_its_seal_block_with_text_no_nearly_empty_page():
    problems = tuple(f"材料{i}：{LONG}" for i in range(14))
    data = NoticeData(kind="correction", **BASE, problems=problems)
    with pdfplumber.open(io.BytesIO(render(data))) as pdf:
        assert len(pdf.pages) >= 2
        last = pdf.pages[-1]
        words = last.extract_words()
        assert "法律依据" in (last.extract_text() or ""), "the basis moves with the seal block"
        assert max(w["bottom"] for w in words) - min(w["top"] for w in words) > last.height * 0.25
