"""The "layout matched a known form" factor of a field's confidence: how many of its type's declared anchors (printed
labels and set words) stand on the document's pages. Pages built by hand (no OCR)."""

from extractors import build_registry
from pipeline.confidence import LAYOUT_UNMATCHED, Calibrator, layout_factor
from pipeline.stages import anchors_found, extract
from tests.extractors.helpers import classified, reading

REGISTRY = build_registry()
CALIBRATOR = Calibrator({})  # raw support, so the factor shows as it is


def test_layout_factor_is_full_from_the_matched_share_and_falls_to_unmatched_with_none():
    assert layout_factor(0, 8) == LAYOUT_UNMATCHED
    assert layout_factor(4, 8) == 1.0
    assert layout_factor(8, 8) == 1.0
    assert LAYOUT_UNMATCHED < layout_factor(1, 8) < layout_factor(2, 8) < 1.0
    assert layout_factor(0, 0) == 1.0  # a type that declares no anchors is not judged


def _form(*labels: str):
    rows = [("个体工商户登记（备案）申请书", 300, 150, 0.99, 60)]
    rows += [(f"{label}：", 150, 300 + 80 * i) for i, label in enumerate(labels)]
    rows.append(("经营者姓名：陆雨甦", 150, 300 + 80 * len(labels)))
    rows.append(("身份证件号码：440305199003071234", 150, 380 + 80 * len(labels)))
    return reading(rows)


def test_a_form_showing_its_printed_labels_reads_more_confidently_than_one_showing_none_of_the_others():
    known = classified("application_form", _form("联系电话", "经营场所", "组成形式", "经营范围", "从业人数", "资金数额"))
    bare = classified("application_form", _form())
    anchors = REGISTRY.get("application_form").anchors
    assert anchors_found(known, anchors) == len(anchors)
    assert anchors_found(bare, anchors) == 2  # 经营者姓名 and 身份证件号码 only
    matched = extract(known, REGISTRY, CALIBRATOR).fields["operator_name"]
    unmatched = extract(bare, REGISTRY, CALIBRATOR).fields["operator_name"]
    assert matched.value == unmatched.value == "陆雨甦"
    assert unmatched.confidence < matched.confidence
    assert unmatched.confidence == round(matched.confidence * layout_factor(2, len(anchors)), 4)


def test_anchors_count_across_all_pages_of_the_document_and_ignore_spaces_and_brackets():
    first = reading([("委托人（签字）", 100, 100)])
    second = reading([("受 托 人：段燕", 100, 100), ("委托期限：一年", 100, 200)], page=2)
    doc = classified("power_of_attorney", first, second)
    assert anchors_found(doc, ("委托人", "受托人", "委托期限", "代为办理")) == 3
