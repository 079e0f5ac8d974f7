"""Which pages make one document (pipeline/stages.classify): a page without a title of its own that continues the
previous page's form joins it; a complete page with its own title starts a document, even after one of its type.
Hand-built readings, the real type registry, no OCR."""

from extractors import build_registry
from pipeline import stages
from pipeline.models import Reading
from pipeline.settings import Thresholds
from tests.extractors.helpers import UPLOAD, reading

TYPES = build_registry()


def application_first(page: int, name: str = "张頔雪"):
    return reading([
        ("个体工商户登记(备案)申请书", 400, 150),
        ("名称", 60, 400), ("巴林右旗天瑞烟酒店", 400, 400),
        ("经营者姓名", 60, 470), (name, 400, 470), ("联系电话", 900, 470), ("18478133782", 1200, 470),
        ("身份证件号码", 60, 540), ("331082199702071720", 400, 540),
        ("经营场所", 60, 610), ("内蒙古自治区赤峰市巴林右旗清河镇郭店村399号", 400, 610),
        ("经营范围", 60, 700), ("日用百货销售", 400, 700), ("从业人数", 60, 880), ("4人", 400, 880),
    ], page=page)


def application_second(page: int, heading: str = "经营者承诺"):
    return reading([(heading, 160, 190), ("本人承诺:所提交的申请材料真实、合法、有效。", 230, 480),
                    ("经营者签字", 780, 700), ("2025年12月10日", 810, 800)], page=page)


def documents(*pages):
    return [(d.type, [p.page.page for p in d.pages])
            for d in stages.classify(Reading(upload=UPLOAD, kind="pdf", pages=tuple(pages)), TYPES, Thresholds())]


def test_the_signature_page_joins_its_form():
    assert documents(application_first(1), application_second(2)) == [("application_form", [1, 2])]


def test_a_continuation_titled_as_such_joins_its_form():
    assert documents(application_first(1), application_second(2, "个体工商户登记(备案)申请书(续)")) == [
        ("application_form", [1, 2])]


def test_two_complete_forms_scanned_together_are_two_documents():
    assert documents(application_first(1), application_first(2, "段燕"), application_second(3)) == [
        ("application_form", [1]), ("application_form", [2, 3])]


def test_the_title_is_looked_for_at_the_top_only():
    page = application_second(2)
    cited = page.model_copy(update={"lines": page.lines + tuple(reading([("个体工商户登记(备案)申请书", 300, 2000)]).lines)})
    assert stages.opens_document(application_first(1), "个体工商户登记（备案）申请书")
    assert not stages.opens_document(cited, "个体工商户登记（备案）申请书")


def test_an_untitled_page_alone_is_marked_as_continuing():
    from pipeline.confidence import Calibrator

    def extracted(*pages):
        [classified] = stages.classify(Reading(upload=UPLOAD, kind="image", pages=tuple(pages)), TYPES, Thresholds())
        return stages.extract(classified, TYPES, Calibrator.shipped())

    alone = extracted(application_second(1))
    assert alone.type == "application_form" and alone.continues
    assert not extracted(application_first(1), application_second(2)).continues
