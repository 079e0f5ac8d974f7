"""Shots joined into one document (validators/joining.py): by a clerk's act, undone by a split, falling aside when a
shot leaves the case; and the automatic continuation of a form's untitled later page, reported the same way."""

from __future__ import annotations

from pipeline.assessment import PersonAct
from tests.validators.helpers import OPERATOR, OPERATOR_BACK, assess, card, doc, property_certificate


def _pages_apart():
    """A form's signature page photographed before its first page: no automatic joining (nothing came before it)."""
    first = doc("application_form", operator_name="张三", operator_id_number="110105199003071239",
                premises_address="北京市朝阳区建国路1号", business_scope="日用百货零售", phone="13800000000")
    second = doc("application_form", signed=True, signed_on="2026-11-20").model_copy(update={"continues": True})
    return first, second


def _join(*ids: str, reason: str = "申请书的签字页与首页") -> PersonAct:
    return PersonAct(kind="join", document=ids[0], value={"documents": list(ids)}, reason=reason, role="clerk")


def test_shots_joined_by_a_clerk_are_assessed_as_one_document():
    first, second = _pages_apart()
    others = (card(OPERATOR, OPERATOR_BACK), property_certificate())
    apart = assess(second, first, *others)
    assert apart.material("application").status != "ok" and len(apart.material("application").documents) == 2
    assert apart.joined == {}

    joined = assess(second, first, *others, acts=[_join(first.id, second.id)])
    application = joined.material("application")
    assert joined.decision == "accept", [(m.code, m.status, [f.code for f in m.findings]) for m in joined.materials]
    assert application.status == "ok" and application.documents == (first.id,)
    assert joined.joined == {first.id: (second.id,)}
    [note] = [f for f in application.findings if f.code == "document.joined"]
    assert note.severity == "info" and "2张照片" in note.message and "申请书的签字页与首页" in note.message
    assert second.id not in joined.unassigned


def test_the_joined_document_is_judged_whole():
    first, second = _pages_apart()
    unsigned = second.model_copy(update={"fields": {k: v.model_copy(update={"value": False}) if k == "signed" else v
                                                    for k, v in second.fields.items()}})
    result = assess(unsigned, first, card(OPERATOR, OPERATOR_BACK), property_certificate(),
                    acts=[_join(first.id, unsigned.id)])
    codes = {f.code for f in result.material("application").findings if f.severity == "error"}
    assert codes == {"application.unsigned"}, "the type's checks ran on the joined document"


def test_a_split_undoes_the_join_and_a_later_join_stands_again():
    first, second = _pages_apart()
    others = (card(OPERATOR, OPERATOR_BACK), property_certificate())
    split = PersonAct(kind="split", document=first.id, role="clerk")
    result = assess(second, first, *others, acts=[_join(first.id, second.id), split])
    assert result.joined == {} and len(result.material("application").documents) == 2
    again = assess(second, first, *others, acts=[_join(first.id, second.id), split, _join(first.id, second.id)])
    assert again.joined == {first.id: (second.id,)}


def test_a_join_whose_shot_left_the_case_falls_aside():
    first, second = _pages_apart()
    result = assess(first, card(OPERATOR, OPERATOR_BACK), property_certificate(), acts=[_join(first.id, second.id)])
    assert result.joined == {} and result.material("application").documents == (first.id,)
    assert not any(f.code == "document.joined" for m in result.materials for f in m.findings)


def test_an_automatic_continuation_is_reported_as_joined_too():
    first, second = _pages_apart()
    result = assess(first, second, card(OPERATOR, OPERATOR_BACK), property_certificate())
    assert result.decision == "accept" and result.joined == {first.id: (second.id,)}
    assert "joined" in result.to_case_dict() and result.to_case_dict()["joined"] == {first.id: [second.id]}
