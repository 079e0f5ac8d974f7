"""Case test data shared by the case layer's tests (tests/workers/cases), the case API's (tests/api/cases), the
pages' and the calendar's: finished documents as the worker saves them, a hall's configuration, a holiday file,
and times in Shanghai. Plain functions and constants; the fixtures live in each folder's conftest.py."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pipeline.models import Document, FieldValue


def utc(y, m, d, hour=10) -> dt.datetime:
    """`hour` o'clock in Shanghai, as UTC."""
    return dt.datetime(y, m, d, hour - 8, 0, tzinfo=dt.timezone.utc)


# --- finished documents ---------------------------------------------------------------------------------------------


def doc(type_code: str, doc_id: str, sha: str, confidence: float = 0.99, **values) -> Document:
    fields = {k: FieldValue(value=v, confidence=confidence) for k, v in values.items()}
    return Document(id=doc_id, source=f"{doc_id}.jpg", type=type_code, type_confidence=0.97, upload_sha256=sha,
                    fields=fields)


def application(doc_id="app", sha="s-app", **over) -> Document:
    values = dict(operator_name="张三", operator_id_number="110105199003071239", premises_address="北京市朝阳区建国路1号",
                  signed=True)
    values.update(over)
    return doc("application_form", doc_id, sha, **values)


def id_card(name="张三", prefix="op", sha="s-id", front_confidence=0.99) -> list[Document]:
    return [doc("id_card_front", f"{prefix}-front", sha, confidence=front_confidence, name=name, sex="男",
                birth_date="1990-03-07", id_number="110105199003071239"),
            doc("id_card_back", f"{prefix}-back", sha, issuing_authority="北京市公安局朝阳分局", valid_from="2021-05-10",
                valid_until="2041-05-10")]


def premises(location="北京市朝阳区建国路1号", doc_id="cert", sha="s-cert") -> list[Document]:
    return [doc("property_certificate", doc_id, sha, holder="张三", location=location)]


# --- configuration files under the data directory -------------------------------------------------------------------


def write_hall(data_dir: Path, code: str) -> None:
    """The hall's configuration (validators/halls.py): notices print its agency and appeal bodies."""
    (data_dir / "halls").mkdir(exist_ok=True)
    (data_dir / "halls" / f"{code}.yaml").write_text(
        f"code: {code}\nname: 济宁市政务服务中心\nagency: 济宁市市场监督管理局\nagency_credit_code: 11000000000000000U\n"
        "locality: 山东省济宁市\naddress: 济宁市任城区太白楼中路1号\nphone: 0537-1234567\nhours: 工作日9:00-17:00\n"
        "review_body: 济宁市人民政府\ncourt: 济宁市任城区人民法院\nnumber_pattern: \"济市监受字〔{year}〕第{seq:04d}号\"\n"
        "signoff_role: 窗口负责人\n", encoding="utf-8")


# Test data, not the State Council's real 2027 arrangement (unpublished when this was written).
YEAR_2027 = """\
year: 2027
source: 测试用节假日安排（非真实通知）
holidays:
  - {name: 元旦, from: 2027-01-01, to: 2027-01-03}
  - {name: 春节, from: 2027-02-05, to: 2027-02-11}
  - name: 国庆节
    from: 2027-10-01
    to: 2027-10-07
workdays: [2027-01-09, 2027-02-14]
"""


def calendar_folder(data_dir: Path, name: str = "2027.yaml", text: str = YEAR_2027) -> Path:
    """The data directory's holiday files (pipeline/calendar_files.py) with `text` as `name`."""
    folder = data_dir / "calendar"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def year_2027_is_uncovered() -> bool:
    """`chinese-calendar` does not know 2027 yet: the holiday-file tests load it themselves."""
    import chinese_calendar

    try:
        chinese_calendar.is_workday(dt.date(2027, 3, 1))
    except NotImplementedError:
        return True
    return False
