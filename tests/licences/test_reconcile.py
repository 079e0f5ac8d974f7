"""Reconciling a presented paper licence with the library's records (validators.licences.reconcile), pure."""

from __future__ import annotations

import datetime as dt

from pipeline.library import Licence, LicenceStatus
from tests.licences.helpers import TODAY, doc
from validators.licences import qualifies, reconcile


def cert(number: str, status: LicenceStatus = LicenceStatus.VALID, **changes) -> Licence:
    values = dict(identifier=None, name="不动产权证书", type_code="property_certificate", number=number, holder="张三",
                  holder_code="110105199003071239", holder_code_type="111", status=status, file_key="sha256/" + "a" * 64)
    return Licence(**{**values, **changes})


def paper(number: str = "京(2020)朝阳区不动产权第0012345号", holder: str = "张三"):
    return doc("property_certificate", certificate_number=number, holder=holder, location="北京市朝阳区建国路1号")


def found(result) -> list[tuple[str, str]]:
    return [(d.code, d.severity) for d in result[0]]


def test_agreement_is_one_info_and_names_the_record():
    records = [cert("京(2019)朝阳区不动产权第0000001号"), cert("京(2020)朝阳区不动产权第0012345号")]
    result = reconcile([paper()], records, TODAY)
    assert found(result) == [("library.reconciled", "info")] and result[1] is records[1]


def test_a_number_the_library_does_not_know_is_a_warning_on_that_field():
    result = reconcile([paper("京(2021)朝阳区不动产权第0099999号")], [cert("京(2020)朝阳区不动产权第0012345号")], TODAY)
    assert found(result) == [("library.number_mismatch", "warning")] and result[1] is None
    (d,) = result[0]
    assert [name for _doc, name in d.involved] == ["certificate_number"] and "库中该持证主体有1份此类证照" in d.message


def test_numbers_compare_without_spaces_and_case():
    result = reconcile([paper(" 京(2020)朝阳区不动产权第0012345号 ")], [cert("京(2020)朝阳区不动产权第0012345号")], TODAY)
    assert found(result) == [("library.reconciled", "info")]


def test_each_status_of_the_matching_record_is_an_error():
    for status, word in [(LicenceStatus.REVOKED, "撤销"), (LicenceStatus.CANCELLED, "注销"), (LicenceStatus.SUSPENDED, "暂扣"),
                         (LicenceStatus.EXPIRED, "失效"), (LicenceStatus.ABOLISHED, "废止"), (LicenceStatus.OTHER, "其他")]:
        result = reconcile([paper()], [cert("京(2020)朝阳区不动产权第0012345号", status, source_status="X9")], TODAY)
        (d,) = result[0]
        assert (d.code, d.severity) == ("library.licence_not_valid", "error") and word in d.message and "X9" in d.message


def test_a_valid_record_out_of_its_validity_is_an_error():
    record = cert("京(2020)朝阳区不动产权第0012345号", valid_from=dt.date(2020, 1, 1), valid_until=dt.date(2025, 12, 31))
    (d,) = reconcile([paper()], [record], TODAY)[0]
    assert d.code == "library.licence_not_valid" and "2025年12月31日" in d.message


def test_another_holder_on_the_paper_is_an_error():
    assert found(reconcile([paper(holder="李四")], [cert("京(2020)朝阳区不动产权第0012345号")], TODAY)) == \
        [("library.holder_mismatch", "error")]


def test_nothing_to_compare_says_nothing():
    assert reconcile([paper()], [], TODAY) == ([], None)
    assert reconcile([doc("lease_contract", lessor="赵六")], [cert("1")], TODAY) == ([], None)


def test_the_record_matching_the_dates_is_the_one_compared():
    front = doc("id_card_front", name="张三", id_number="110105199003071239")
    back = doc("id_card_back", valid_from="2011-05-10", valid_until="2021-05-10")
    new = cert("110105199003071239", name="居民身份证", type_code="id_card", valid_from=dt.date(2021, 5, 10),
               valid_until=dt.date(2041, 5, 10))
    old = cert("110105199003071239", LicenceStatus.CANCELLED, name="居民身份证", type_code="id_card",
               valid_from=dt.date(2011, 5, 10), valid_until=dt.date(2021, 5, 10))
    disagreements, record = reconcile([front, back], [new, old], TODAY)
    assert record is old and [d.code for d in disagreements] == ["library.licence_not_valid"]
    disagreements, record = reconcile([front, doc("id_card_back", valid_from="2021-05-10", valid_until="2041-05-11")],
                                      [new, old], TODAY)
    assert record is new and [d.code for d in disagreements] == ["library.validity_mismatch"]
    assert "2021年05月10日至2041年05月10日" in disagreements[0].message


def test_qualifies_gives_the_reason_in_chinese():
    base = cert("1", valid_from=dt.date(2020, 1, 1))
    assert qualifies(base, "property_certificate", "111", "110105199003071239", ["张三"], TODAY) is None
    assert qualifies(base, "id_card", "111", "110105199003071239", [], TODAY) == "证照类型不符"
    assert qualifies(base, "property_certificate", "111", "110105199003071230", [], TODAY) == "持证主体代码不符"
    assert qualifies(base, "property_certificate", "111", "110105199003071239", ["李四"], TODAY) == "持证主体名称与申请材料不一致"
    assert qualifies(cert("1", LicenceStatus.SUSPENDED), "property_certificate", "111", "110105199003071239", [], TODAY) == "证照状态为暂扣"
    assert qualifies(cert("1", file_key=None), "property_certificate", "111", "110105199003071239", [], TODAY) == "没有证照文件"
