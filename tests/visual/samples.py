"""The documents the visual regression test renders: every notice kind and a bundle cover, from fixed data
(no clock, no database), so that a change in their pixels is a change in typesetting."""

from __future__ import annotations

import datetime as dt

from validators.halls import Hall

HALL = Hall(code="h1", name="济宁市政务服务中心", agency="济宁市市场监督管理局", agency_credit_code="11000000000000000U",
            locality="山东省济宁市", address="济宁市任城区太白楼中路1号A区", phone="0537-1234567",
            hours="工作日 上午9:00—12:00，下午13:30—17:00", review_body="济宁市人民政府", court="济宁市任城区人民法院",
            number_pattern="济市监受字〔{year}〕第{seq:04d}号", signoff_role="窗口负责人")
PROBLEMS = (
    "个体工商户登记（备案）申请书：申请书未签字，请签字后重新提交。",
    "经营者身份证明：居民身份证已过有效期，请提交有效期内的居民身份证。",
    "经营场所使用证明：未提交，请补交（要求：不动产权证书复印件或租赁合同，需出租方签字盖章，租赁期限应覆盖申请日，"
    "如为自有房产请提供产权证明）。",
    "授权委托书：授权委托书已超过委托期限，请提交在委托期限内的授权委托书。",
)


def notice(kind: str, *, preview: bool = False):
    from validators.notices_pdf import NoticeData, NoticeMaterial

    materials = (NoticeMaterial("个体工商户登记（备案）申请书", "已收取", originals=1),
                 NoticeMaterial("经营者身份证明", "已收取", copies=1),
                 NoticeMaterial("经营场所使用证明", "容缺后补（见上文期限）" if kind == "tolerance" else "已收取", by_hand=True))
    refusal_basis = {"refusal": ("《中华人民共和国行政许可法》第三十二条第一款第（四）项",),
                     "refusal_decision": ("《中华人民共和国行政许可法》第三十八条第二款", "《市场主体登记管理条例》")}
    return NoticeData(
        kind=kind, hall=HALL, case_number="h1-2026-000007", item_name="个体工商户设立登记", situation_name="经营者本人办理",
        applicant_name="张三", applicant_id="110105199003071239", issued_on=dt.date(2026, 10, 9),
        received_on=dt.date(2026, 10, 8), clerk_number="C0231", query_code="K7M2Q9XH3T", materials=materials,
        legal_basis=("《市场主体登记管理条例》", "《促进个体工商户发展条例》"), basis=refusal_basis.get(kind, ()),
        reasons="申请材料不齐全或者不符合法定形式（如授权委托书已超过委托期限），经一次性告知后未按期补齐补正",
        problems=PROBLEMS, supplement_by=dt.date(2026, 10, 23),
        tolerance=(("经营场所使用证明", dt.date(2026, 10, 16)),), promised_days=3 if kind in ("acceptance", "tolerance") else None,
        decision_due=dt.date(2026, 10, 14), accepted_on=dt.date(2026, 10, 8),
        document_number=None if kind == "commitment" else "济市监受字〔2026〕第0007号", preview=preview,
        result_name="营业执照（个体工商户）")


def bundle_content():
    from storage.bundle.records import BundleContent, BundleMaterial, Event, PersonAct

    at = dt.datetime(2026, 10, 9, 2, tzinfo=dt.timezone.utc)
    findings = [{"code": "application.unsigned", "severity": "error", "message": "申请书未经经营者签字"},
                {"code": "field.uncertain", "severity": "warning", "message": "经营者姓名识别置信度较低（0.62），请核对"}]
    materials = tuple(BundleMaterial(result={"code": code, "name": name, "status": status, "documents": [],
                                             "findings": findings if code == "application" else []}, documents=())
                      for code, name, status in (("application", "个体工商户登记（备案）申请书", "invalid"),
                                                 ("operator_id", "经营者身份证明", "ok"),
                                                 ("premises_proof", "经营场所使用证明", "tolerated")))
    events = (Event(at, "request_correction", "C0231", "clerk", "received", "correction", "申请书未签字", "needs_review", True),
              Event(at + dt.timedelta(hours=2), "accept_tolerance", "C0231", "clerk", "correction", "accepted_tolerance",
                    "", "accept_with_tolerance", False))
    acts = (PersonAct(at, "original_seen", "clerk", None, None, None, "application", None, {"originals": 1, "copies": 0},
                      {"originals_seen": 1, "copies_kept": 0}, ""),
            PersonAct(at, "field", "reviewer", "d1", "name", None, None, None, {"value": "张三", "confidence": 0.8421},
                      "张叁", "按原件更正"))
    return BundleContent(
        case_id="c1", hall="h1", case_number="h1-2026-000007", item_code="individual-business-registration",
        item_name="个体工商户设立登记", item_version=1, situation="self", situation_name="经营者本人办理",
        status="accepted_tolerance", applicant={"name": "张三", "id_number": "110105199003071239"}, case_version=4,
        assessment_version=4, assessment={"decision": "accept_with_tolerance", "judged_on": "2026-10-09", "findings": [],
                                          "notice": "个体工商户设立登记（经营者本人办理）材料核验意见\n核验结论：可容缺受理"},
        materials=materials, unassigned=(), events=events, acts=acts)
