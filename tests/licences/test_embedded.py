"""The embedded licence library on SQLite and PostgreSQL: the sample imported with its files, lookups by
identifier and by holder, every status, updates by re-import, and import errors with line numbers."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil

import pytest

from pipeline.library import LicenceStatus
from storage.licences import LicenceImportError, import_licences, parse_import
from tests.licences.helpers import INDEX, RECORDS, SAMPLE, TODAY, ZHANG, record


def test_import_stores_every_licence_and_its_file(empty_library):
    result = import_licences(empty_library.engine, empty_library.store, INDEX)
    assert (result.created, result.updated, result.files) == (len(RECORDS), 0, sum("file" in r for r in RECORDS))
    assert empty_library.count() == len(RECORDS)
    for r in RECORDS:
        found = empty_library.by_identifier(r["identifier"])
        assert found is not None and found.holder == r["holder"] and found.number == r["number"]
        if "file" in r:
            data = (SAMPLE / r["file"]).read_bytes()
            assert found.file_key == "sha256/" + hashlib.sha256(data).hexdigest() and found.file_kind == "pdf"
            assert empty_library.file(found) == data, "the file is kept byte for byte"
        else:
            assert found.file_key is None


def test_lookup_by_identifier_compacts_and_misses_cleanly(library):
    r = record("张三", "id_card", "01")
    assert library.by_identifier(" " + r["identifier"].lower() + " ").identifier == r["identifier"]
    assert library.by_identifier(r["identifier"][:-1] + "0") is None


def test_lookup_by_holder_returns_every_edition_of_that_type_newest_first(library):
    cards = library.by_holder(f" {ZHANG} ", "111", "id_card", TODAY)
    assert [(c.valid_from, c.status) for c in cards] == [(dt.date(2021, 5, 10), LicenceStatus.VALID),
                                                        (dt.date(2011, 5, 10), LicenceStatus.CANCELLED)]
    assert cards[0].face["住址"] == "北京市朝阳区建国路1号" and cards[0].trust_level == "A"
    assert library.by_holder(ZHANG, "111", "business_licence", TODAY) == []
    assert library.by_holder(ZHANG, "001", "id_card", TODAY) == [], "the code type is part of the key"
    assert [c.valid_from for c in library.by_holder(ZHANG, "111", "id_card", dt.date(2015, 1, 1))] == [dt.date(2011, 5, 10)], \
        "a licence issued after the judging day is not returned"


def test_holder_code_lower_case_x_is_the_same_holder(empty_library, tmp_path):
    rows = [{"identifier": None, "number": "N-1", "name": "居民身份证", "type_code": "id_card", "holder": "测试",
             "holder_code": "11010519491231002x", "holder_code_type": "111", "status": "01"},
            {"identifier": "", "number": "N-2", "name": "居民身份证", "type_code": "id_card", "holder": " ", "valid_until": "",
             "holder_code": "11010519491231002X", "holder_code_type": "111", "status": "CANCELLED"}]
    (tmp_path / "x.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    import_licences(empty_library.engine, empty_library.store, tmp_path / "x.json")
    found = empty_library.by_holder("11010519491231002X", "111", "id_card", TODAY)
    assert sorted((c.number, c.identifier, c.holder, c.valid_until) for c in found) == [("N-1", None, "测试", None),
                                                                                         ("N-2", None, None, None)]


@pytest.mark.parametrize("holder, type_code, source, status", [
    ("张三", "id_card", "01", LicenceStatus.VALID),
    ("张三", "id_card", "04", LicenceStatus.CANCELLED),
    ("北京恒泰商贸有限公司", "business_licence", "07", LicenceStatus.REVOKED),
    ("北京恒泰商贸有限公司", "food_business_licence", "02", LicenceStatus.SUSPENDED),
    ("北京恒泰商贸有限公司", "public_place_hygiene_licence", "05", LicenceStatus.EXPIRED),
    ("北京博远日用百货店", "public_place_hygiene_licence", "废止", LicenceStatus.ABOLISHED),
    ("张三", "marriage_certificate", "03", LicenceStatus.REVOKED),
])
def test_each_status_is_stored_mapped_with_the_source_code_kept(library, holder, type_code, source, status):
    r = record(holder, type_code, source)
    found = library.by_identifier(r["identifier"])
    assert found.status == status and found.source_status == source


def test_long_term_validity_has_no_end(library):
    found = library.by_identifier(record("北京博远日用百货店", "business_licence")["identifier"])
    assert found.valid_until is None and found.covers(dt.date(2099, 1, 1))


def test_reimport_updates_status_and_keeps_the_file(library, tmp_path):
    r = dict(record("北京博远日用百货店", "business_licence"))
    before = library.by_identifier(r["identifier"])
    r.pop("file")
    r["status"] = "吊销"
    (tmp_path / "update.json").write_text(json.dumps([r], ensure_ascii=False), encoding="utf-8")
    result = import_licences(library.engine, library.store, tmp_path / "update.json")
    assert (result.created, result.updated, result.files) == (0, 1, 0)
    after = library.by_identifier(r["identifier"])
    assert after.status == LicenceStatus.REVOKED and after.source_status == "吊销"
    assert after.file_key == before.file_key, "a status update without a file keeps the stored file"
    assert library.count() == len(RECORDS)


def test_csv_import_with_face_columns_and_files_folder(empty_library, tmp_path):
    shutil.copy(SAMPLE / "files" / "id_card_lisi.pdf", tmp_path / "lisi.pdf")
    r = record("李四", "id_card")
    header = "identifier,name,type_code,number,holder,holder_code,holder_code_type,valid_from,valid_until,status,file,face.姓名,related_items"
    row = f"{r['identifier']},居民身份证,id_card,{r['number']},李四,{r['holder_code']},111,2019-01-15,2039-01-15,01,lisi.pdf,李四,a；b"
    csv_path = tmp_path / "sub" / "licences.csv"
    csv_path.parent.mkdir()
    csv_path.write_text("\ufeff" + header + "\n" + row + "\n", encoding="utf-8")
    import_licences(empty_library.engine, empty_library.store, csv_path, files_dir=tmp_path)
    found = empty_library.by_identifier(r["identifier"])
    assert found.face == {"姓名": "李四"} and found.related_items == ("a", "b") and found.file_kind == "pdf"
    assert found.valid_until == dt.date(2039, 1, 15)


def _problems(path, files_dir=None) -> list[str]:
    with pytest.raises(LicenceImportError) as info:
        parse_import(path, files_dir)
    return [str(p) for p in info.value.problems]


def test_csv_errors_name_the_file_and_line_and_nothing_is_imported(empty_library, tmp_path):
    good = record("张三", "id_card", "01")
    lines = [
        "identifier,name,type_code,number,holder,holder_code,holder_code_type,valid_from,valid_until,status,file",
        f"{good['identifier']},居民身份证,id_card,{ZHANG},张三,{ZHANG},111,2021-05-10,2041-05-10,01,",
        f"{good['identifier'][:-1]}C,居民身份证,id_card,{ZHANG},张三,{ZHANG},111,2021-05-10,2041-05-10,01,",
        f",营业执照,business_licence,,某店,92110105MA3C4K5W1X,001,2021-05-10,长期,99,",
        f",居民身份证,id_card,N1,某人,110105199003071238,111,2021-05-10,2020-01-01,有效,",
        f",居民身份证,id_card,N2,某人,{ZHANG},111,2021-13-10,,01,",
        f",居民身份证,id_card,N3,某人,{ZHANG},111,2021-01-10,,01,missing.pdf",
        f"{good['identifier']},居民身份证,id_card,{ZHANG},张三,{ZHANG},111,2021-05-10,2041-05-10,01,",
    ]
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = _problems(path)
    assert problems == [
        f"bad.csv:3: 电子证照标识校验位错误：{good['identifier'][:-1]}C",
        "bad.csv:4: 证照标识与证照编号至少填写一项",
        "bad.csv:4: 未知的证照状态“99”（可用 01 有效、02 暂扣、03 撤销、04 注销、05 失效、07 吊销、废止，"
        "或 VALID/SUSPENDED/REVOKED/CANCELLED/EXPIRED/ABOLISHED/OTHER）",
        "bad.csv:5: 持证主体代码类型为公民身份号码（111），但持证主体代码不是有效的公民身份号码",
        "bad.csv:5: 有效期截止日期早于起始日期",
        "bad.csv:6: 有效期起始日期格式错误，应为 YYYY-MM-DD",
        f"bad.csv:7: 找不到证照文件：missing.pdf（相对于 {tmp_path}）",
        "bad.csv:8: 与第2行是同一证照（重复）",
    ]
    with pytest.raises(LicenceImportError):
        import_licences(empty_library.engine, empty_library.store, path)
    assert empty_library.count() == 0, "all or nothing"


def test_json_errors_carry_the_line_of_the_object(tmp_path):
    text = '[\n  {"name": "居民身份证", "type_code": "id_card", "number": "1", "holder_code": "%s",\n' \
           '   "holder_code_type": "111", "status": "01"},\n  {"name": "营业执照", "type_code": "x",\n' \
           '   "holder_code_type": "1", "status": "01", "colour": "red", "trust_level": "E"}\n]' % ZHANG
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    assert _problems(path) == [
        "bad.json:4: 缺少必填字段“持证主体代码”（holder_code）",
        "bad.json:4: 持证主体代码类型应为3位数字（如 111 公民身份号码、001 统一社会信用代码）",
        "bad.json:4: 可信等级应为 A、B、C、D 之一",
        "bad.json:4: 未知的字段“colour”",
    ]


@pytest.mark.parametrize("text, expected", [
    ('{"a": 1}', "bad.json:1: JSON 导入文件的顶层应为数组 [ {...}, {...} ]"),
    ('[\n {"a": 1},\n {"b": }\n]', "bad.json:3: JSON 语法错误（第8列）：Expecting value"),
    ("[]", "bad.json:1: 导入文件中没有证照记录"),
    ('[\n 1\n]', "bad.json:2: 每条证照记录应为一个 JSON 对象"),
])
def test_json_syntax_problems(tmp_path, text, expected):
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    assert _problems(path) == [expected]


def test_a_file_that_is_not_pdf_or_ofd_is_refused(tmp_path):
    (tmp_path / "scan.jpg").write_bytes(b"\xff\xd8\xff\xe0 not a licence file")
    rows = [{"number": "1", "name": "居民身份证", "type_code": "id_card", "holder_code": ZHANG, "holder_code_type": "111",
             "status": "01", "file": "scan.jpg"}]
    (tmp_path / "i.json").write_text(json.dumps(rows), encoding="utf-8")
    assert _problems(tmp_path / "i.json") == ["i.json:1: 证照文件不是 PDF 或 OFD 文件：scan.jpg"]


def test_a_missing_import_file_is_said_plainly(tmp_path):
    assert _problems(tmp_path / "nothing.json") == ["nothing.json: 无法读取导入文件（不存在或无权限）"]


def test_a_sources_own_status_codes_are_mapped_by_setting(empty_library, tmp_path):
    rows = [{"number": "N-1", "name": "居民身份证", "type_code": "id_card", "holder_code": ZHANG, "holder_code_type": "111",
             "status": "Z1"}, {"number": "N-2", "name": "居民身份证", "type_code": "id_card", "holder_code": ZHANG,
                               "holder_code_type": "111", "status": "01"}]
    (tmp_path / "own.json").write_text(json.dumps(rows), encoding="utf-8")
    assert "未知的证照状态“Z1”" in _problems(tmp_path / "own.json")[0]
    codes = {"Z1": "REVOKED", "01": "SUSPENDED"}  # a source whose 01 is not the sector's 01
    import_licences(empty_library.engine, empty_library.store, tmp_path / "own.json", status_codes=codes)
    found = {c.number: (c.status, c.source_status) for c in empty_library.by_holder(ZHANG, "111", "id_card", TODAY)}
    assert found == {"N-1": (LicenceStatus.REVOKED, "Z1"), "N-2": (LicenceStatus.SUSPENDED, "01")}
