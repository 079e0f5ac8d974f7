"""The service-item catalog: the shipped items, the schema's line-precise problems, versions, folders, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from api.cli import main
from validators.catalog import (
    Catalog, CatalogError, ServiceItem, load_catalog, parse_item, shipped_texts,
    validate_file,
)

REFERENCE = "individual-business-registration"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def reference_text() -> str:
    return dict(shipped_texts())[f"validators/catalog_data/{REFERENCE}.yaml"]


def test_shipped_catalog_is_package_data_and_every_file_is_clean():
    texts = list(shipped_texts())
    assert len(texts) >= 5
    for name, text in texts:
        item, warnings = parse_item(text, name)
        assert warnings == [], [str(w) for w in warnings]
        assert name.endswith(f"{item.code}.yaml")


def test_at_least_four_more_items_from_several_departments(catalog):
    codes = set(catalog.codes())
    assert REFERENCE in codes and len(codes - {REFERENCE}) >= 4
    assert {"food-business-licence", "real-estate-transfer", "company-legal-representative-change",
            "public-place-hygiene-licence"} <= codes
    assert len({catalog.get(c).department for c in codes}) >= 3
    assert {s.code for s in catalog.get("real-estate-transfer").situations} == {"married", "single"}


def test_reference_item_is_exactly_as_designed(catalog):
    item = catalog.get(REFERENCE)
    assert (item.name, item.version) == ("个体工商户设立登记", 1)
    assert [(s.code, s.name, s.materials) for s in item.situations] == [
        ("self", "经营者本人办理", ["application", "operator_id", "premises_proof"]),
        ("agent", "委托代理人办理", ["application", "operator_id", "premises_proof", "agent_authorization", "agent_id"]),
    ]
    names = {m.code: m.name for m in item.materials}
    assert names == {"application": "个体工商户登记（备案）申请书", "operator_id": "经营者身份证明",
                     "premises_proof": "经营场所使用证明", "agent_authorization": "授权委托书", "agent_id": "受托人身份证明"}
    application, operator, premises, authorization, agent = (item.material(c) for c in names)
    assert application.accepted == [["application_form"]] and application.originals == 1
    assert [(r.rule, r.code) for r in application.rules] == [("signed", "application.unsigned")]
    assert operator.accepted[0] == ["id_card_front", "id_card_back"] and operator.person == "operator"
    assert operator.source.channel == "licence_library" and operator.source.holder_code == "application.operator_id_number"
    assert {r.code for r in operator.rules} == {"id_card.expired", "consistency.operator_name",
                                                "consistency.operator_id_number"}
    assert premises.accepted == [["property_certificate"], ["lease_contract", "property_certificate"]]
    assert premises.necessity == "tolerable" and premises.tolerance.deadline_working_days == 5
    assert premises.tolerance.commitment
    assert {(r.code, r.severity) for r in premises.rules} == {("consistency.premises_address", "warning")}
    assert authorization.accepted == [["power_of_attorney"]]
    assert {r.code for r in authorization.rules} == {
        "power_of_attorney.unsigned", "power_of_attorney.expired", "consistency.principal_name",
        "consistency.principal_id_number",
        "consistency.agent_name", "consistency.agent_id_number"}
    assert agent.accepted[0] == ["id_card_front", "id_card_back"] and agent.person == "agent"
    assert {r.code for r in agent.rules} == {"id_card.expired"}
    assert item.persons["operator"].id_number == "application.operator_id_number"
    assert item.persons["agent"].id_number == "agent_authorization.agent_id_number"


def test_identity_shorthand_expands_to_every_lawful_identity_document(catalog):
    accepted = catalog.get(REFERENCE).material("operator_id").accepted
    assert accepted == [["id_card_front", "id_card_back"], ["temporary_id_card"], ["residence_permit"],
                        ["travel_permit_hkmo"], ["travel_permit_tw"], ["passport"]]


def test_snapshot_round_trip_keeps_the_version(catalog):
    item = catalog.get(REFERENCE)
    snapshot = json.loads(json.dumps(item.snapshot()))
    assert ServiceItem.model_validate(snapshot) == item, "a stored snapshot reads back without the vocabulary"
    assert snapshot["materials"][3]["rules"][2]["with"] == "application.operator_name"


# --- problems, with their lines ---------------------------------------------------------------


def edited(text: str, old: str, new: str, count: int = 1) -> str:
    assert old in text, old
    return text.replace(old, new, count)


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    lines = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    return lines[occurrence - 1]


def problems_of(text: str) -> list[tuple[int, str]]:
    with pytest.raises(CatalogError) as caught:
        parse_item(text, "item.yaml")
    return [(p.line, p.message) for p in caught.value.problems if p.severity == "error"]


def test_wrong_value_type_points_at_its_line(reference_text):
    text = edited(reference_text, "    copies: 1\n    necessity: required\n    person: operator",
                  "    copies: one\n    necessity: required\n    person: operator")
    assert problems_of(text) == [(line_of(text, "copies: one"), "应为整数")]


def test_unknown_choice_lists_the_allowed_values(reference_text):
    text = edited(reference_text, "necessity: tolerable", "necessity: 容缺")
    [(line, message)] = problems_of(text)
    assert line == line_of(text, "necessity: 容缺") and "'required'、'optional'、'tolerable'" in message


def test_unknown_rule_kind_and_misspelt_key(reference_text):
    text = edited(reference_text, "{rule: signed, document: application_form", "{rule: signd, document: application_form")
    text = edited(text, "standard: 原件；经营者本人签字", "standrad: 原件；经营者本人签字")
    assert problems_of(text) == [(line_of(text, "standrad:"), "不允许的字段（拼写错误？）"),
                                 (line_of(text, "rule: signd"), "未知的规则类型 'signd'，应为 'signed'、'not_expired'、'same'、'sealed' 之一")]


def test_missing_required_key_points_at_its_parent(reference_text):
    text = edited(reference_text, "    name: 经营者身份证明\n", "")
    assert problems_of(text) == [(line_of(text, "- code: operator_id"), "缺少必填项 name")]


def test_cross_references_are_checked(reference_text):
    text = edited(reference_text, "accepted: [[power_of_attorney]]", "accepted: [[power_of_atorney]]")
    text = edited(text, "materials: [application, operator_id, premises_proof]\n", "materials: [application, operator_id, premises_prof]\n")
    text = edited(text, "with: application.premises_address", "with: application.premises")
    found = problems_of(text)
    assert (line_of(text, "power_of_atorney"), "未知的文件类型 'power_of_atorney'") in found
    assert (line_of(text, "premises_prof]"), "未定义的材料 'premises_prof'") in found
    assert (line_of(text, "with: application.premises,"),
            "材料 'application' 的文件（application_form）没有字段 'premises'") in found
    assert (line_of(text, "{rule: signed, document: power_of_attorney"), "材料不接受 'power_of_attorney' 类型的文件") in found


def test_tolerance_needs_an_item_that_allows_it(reference_text):
    text = edited(reference_text, "allows_tolerance: true", "allows_tolerance: false")
    assert problems_of(text) == [(line_of(text, "necessity: tolerable"), "该事项未允许容缺受理（allows_tolerance: false）")]
    text = edited(reference_text, "    accepted: [[application_form]]", "    tolerance: {deadline_working_days: 3}\n    accepted: [[application_form]]")
    assert problems_of(text) == [(line_of(text, "deadline_working_days: 3"), "只有 necessity: tolerable 的材料可以设置 tolerance")]


def test_duplicate_keys_and_yaml_syntax(reference_text):
    text = edited(reference_text, "version: 1\n", "version: 1\nversion: 2\n")
    assert problems_of(text) == [(line_of(text, "version: 2"), "重复的键（后面的值会覆盖前面的值）")]
    broken = edited(reference_text, "service_objects: [自然人]", "service_objects: [自然人")
    [(line, message)] = problems_of(broken)
    assert message.startswith("YAML/JSON 语法错误") and line >= line_of(broken, "service_objects")


def test_unknown_tolerable_check_is_a_warning_not_an_error(reference_text):
    text = edited(reference_text, "checks: [], commitment: true", "checks: [consistency.premises_adress], commitment: true")
    item, warnings = parse_item(text, "item.yaml")
    assert [(w.line, w.severity) for w in warnings] == [(line_of(text, "premises_adress"), "warning")]


def test_json_item_files_are_read_too(tmp_path, reference_text):
    data = yaml.safe_load(reference_text)
    path = tmp_path / "item.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    assert validate_file(path) == []
    data["materials"][0]["copies"] = "x"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    [problem] = validate_file(path)
    assert problem.line == line_of(path.read_text(), '"copies": "x"') and problem.message == "应为整数"


# --- versions and an administrator's folder ---------------------------------------------------


def test_an_administrators_folder_adds_items_and_versions_without_code_changes(tmp_path, reference_text):
    (tmp_path / "v2.yaml").write_text(edited(reference_text, "version: 1\n", "version: 2\n").replace(
        "deadline_working_days: 5", "deadline_working_days: 7"), encoding="utf-8")
    (tmp_path / "new.yml").write_text(edited(reference_text, f"code: {REFERENCE}", "code: local-item"), encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not an item")
    catalog = load_catalog([tmp_path])
    assert catalog.versions(REFERENCE) == [1, 2]
    assert catalog.get(REFERENCE).material("premises_proof").tolerance.deadline_working_days == 7
    assert catalog.get(REFERENCE, 1).material("premises_proof").tolerance.deadline_working_days == 5
    assert "local-item" in catalog


def test_a_broken_administrator_file_is_reported_not_skipped(tmp_path, reference_text):
    (tmp_path / "bad.yaml").write_text(edited(reference_text, "version: 1", "version: zero"), encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_catalog([tmp_path])
    assert str(caught.value).startswith(f"{tmp_path / 'bad.yaml'}:")


def test_same_version_with_different_content_is_refused(tmp_path, reference_text):
    (tmp_path / "clash.yaml").write_text(edited(reference_text, "name: 个体工商户设立登记\n", "name: 个体户登记\n"),
                                         encoding="utf-8")
    with pytest.raises(CatalogError):
        load_catalog([tmp_path])


def test_item_model_refuses_a_snapshot_that_does_not_validate(catalog):
    snapshot = catalog.get(REFERENCE).snapshot()
    snapshot["case_type"] = "联办件"
    with pytest.raises(ValueError):
        ServiceItem.model_validate(snapshot)


# --- command line -----------------------------------------------------------------------------


def test_cli_catalog_validate(tmp_path, capsys, reference_text):
    good = tmp_path / "good.yaml"
    good.write_text(reference_text, encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(edited(reference_text, "necessity: tolerable", "necessity: sometimes"), encoding="utf-8")
    assert main(["catalog", "validate", str(good)]) == 0
    assert main(["catalog", "validate", str(good), str(bad)]) == 1
    out, err = capsys.readouterr()
    assert f"{good}: 通过" in out and f"{bad}: 有 1 处错误" in out
    assert f"{bad}:{line_of(bad.read_text(), 'necessity: sometimes')}: materials[2].necessity:" in err


def test_cli_catalog_list(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("YICHUANG_DATA_DIR", str(tmp_path))
    assert main(["catalog", "list"]) == 0
    out = capsys.readouterr().out
    assert f"{REFERENCE}\tv1\t个体工商户设立登记" in out and "married（转让方已婚）" in out


def test_catalog_data_is_declared_package_data():
    root = Path(__file__).resolve().parents[2]
    assert (root / "validators" / "catalog_data" / "__init__.py").is_file()
    pyproject = (root / "pyproject.toml").read_text()
    assert '"*.yaml"' in pyproject
