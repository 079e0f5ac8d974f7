"""Checks on the documents of the reference item: business licences (统一社会信用代码, GB 32100 + GB 11714), the
application form and the power of attorney (ID numbers, signature, dates), property certificates (certificate
and unit numbers) and lease contracts (term). docs/domain.md and §6.

Every check is registered under a stable code; the failure codes it reports are listed in its docstring.
A failed check on an uncertain reading becomes a warning through the confidence rule of pipeline/stages.py."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from pipeline import numbers
from pipeline.models import Document
from pipeline.registry import CheckContext, CheckRegistry, Failure

LICENCE = ("business_licence",)
FORM = ("application_form",)
AUTHORISATION = ("power_of_attorney",)
PROPERTY = ("property_certificate",)
LEASE = ("lease_contract",)

# GB 32100: registration department (position 1) -> the categories (position 2) it issues.
CATEGORIES = {"1": "1239", "2": "19", "3": "1234569", "4": "19", "5": "1239", "6": "129", "7": "129", "8": "19",
              "9": "123", "A": "19", "N": "1239", "Y": "1"}
PROVINCE_CODES = {"京": "11", "津": "12", "冀": "13", "晋": "14", "蒙": "15", "辽": "21", "吉": "22", "黑": "23", "沪": "31",
                  "苏": "32", "浙": "33", "皖": "34", "闽": "35", "赣": "36", "鲁": "37", "豫": "41", "鄂": "42", "湘": "43",
                  "粤": "44", "桂": "45", "琼": "46", "渝": "50", "川": "51", "蜀": "51", "黔": "52", "贵": "52", "云": "53",
                  "滇": "53", "藏": "54", "陕": "61", "秦": "61", "甘": "62", "陇": "62", "青": "63", "宁": "64", "新": "65"}
CERTIFICATE = re.compile(r"^([\u4e00-\u9fff])\((\d{4})\)([\u4e00-\u9fff]{1,12})不动产权第(\d{7})号$")
# 不动产单元号: county code (6), 街道 + 街坊 (6), 宗地/宗海 feature code (2 letters), parcel number (5),
# kind of fixture (F building, L trees, Q other, W none) and its 8-digit number (building + unit).
UNIT = re.compile(r"^(\d{6})(\d{6})([GJZ][A-HJ-NP-Z])(\d{5})([FLQW])(\d{8})$")
PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
# Unified registration of real estate (不动产统一登记) began in 2014-2015; no certificate is older.
FIRST_CERTIFICATE_YEAR = 2014


def _date(doc: Document, name: str) -> dt.date | None:
    value = doc.value(name)
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) and value != "长期" else None
    except ValueError:
        return None


def _id_failures(doc: Document, name: str, what: str) -> Iterator[Failure]:
    """`<name>.format` / `.checksum` / `.birth_date` for an ID number field, as for ID cards."""
    value = doc.value(name)
    if value is None:
        return
    try:
        numbers.id_parse(value)
    except numbers.InvalidChecksum:
        yield Failure(f"{name}.checksum", f"{what}公民身份号码校验位错误", (name,))
    except numbers.InvalidComponent:
        yield Failure(f"{name}.birth_date", f"{what}公民身份号码中的出生日期不是有效日期", (name,))
    except numbers.ValidationError:
        yield Failure(f"{name}.format", f"{what}公民身份号码格式错误（应为18位）", (name,))


def _missing(doc: Document, names: tuple[str, ...], code: str, label: str) -> Iterator[Failure]:
    absent = [n for n in names if doc.value(n) in (None, "")]
    if absent:
        yield Failure(code, f"未能读取{label}的部分内容，请人工核对", tuple(absent), severity="warning")


def register(registry: CheckRegistry) -> None:
    # --- 营业执照 ------------------------------------------------------------------------------

    @registry.register("credit_code.valid", LICENCE)
    def credit_code_valid(doc: Document, ctx: CheckContext) -> Iterator[Failure]:
        """credit_code.missing (warning), credit_code.format (error), credit_code.category (warning),
        credit_code.checksum and credit_code.org_checksum (warnings: a plausible code that fails a check goes
        to the licence library, since some early pilot codes fail it — docs/domain.md)."""
        value = doc.value("credit_code")
        if not value:
            yield Failure("credit_code.missing", "未能读取统一社会信用代码，请人工核对", (), severity="warning")
            return
        code = numbers.uscc_compact(value)
        try:
            numbers.uscc_validate(code, inner=False)
        except numbers.InvalidChecksum:
            yield Failure("credit_code.checksum", "统一社会信用代码校验位未通过，请通过电子证照库或登记机关核验",
                          ("credit_code",), severity="warning")
        except numbers.ValidationError:
            yield Failure("credit_code.format", "统一社会信用代码格式错误（应为18位，不含I、O、S、V、Z）", ("credit_code",))
            return
        else:
            if code[16] != numbers.org_code_check_char(code[8:16]):
                yield Failure("credit_code.org_checksum", "统一社会信用代码中的组织机构代码校验位未通过，请通过电子证照库核验",
                              ("credit_code",), severity="warning")
        if code[0] not in CATEGORIES or code[1] not in CATEGORIES[code[0]]:
            yield Failure("credit_code.category", "统一社会信用代码的登记管理部门或机构类别代码不在标准范围内，请核对",
                          ("credit_code",), severity="warning")
        entity = doc.value("entity_type") or ""
        if code[:2] == "92" and entity and "个体" not in entity:
            yield Failure("credit_code.entity_type", "统一社会信用代码表明为个体工商户，与营业执照上的类型不一致",
                          ("credit_code", "entity_type"), severity="warning")
        if code[:2] == "91" and "个体工商户" in entity:
            yield Failure("credit_code.entity_type", "统一社会信用代码表明为企业，与营业执照上的类型（个体工商户）不一致",
                          ("credit_code", "entity_type"), severity="warning")

    @registry.register("business_licence.dates", LICENCE)
    def licence_dates(doc: Document, ctx: CheckContext) -> Iterator[Failure]:
        """business_licence.established_future, .issued_future, .issued_before_established (errors),
        business_licence.term_ended (error: the business term ended before the judging day)."""
        established, issued = _date(doc, "established_on"), _date(doc, "issued_on")
        if established and established > ctx.today:
            yield Failure("business_licence.established_future", "营业执照的成立日期晚于今天", ("established_on",))
        if issued and issued > ctx.today:
            yield Failure("business_licence.issued_future", "营业执照的发照日期晚于今天", ("issued_on",))
        if established and issued and issued < established:
            yield Failure("business_licence.issued_before_established", "营业执照的发照日期早于成立日期",
                          ("established_on", "issued_on"))
        term = doc.value("business_term") or ""
        if "/" in term:
            start, _, end = term.partition("/")
            try:
                end_day = dt.date.fromisoformat(end) if end != "长期" else None
                start_day = dt.date.fromisoformat(start)
            except ValueError:
                return
            if end_day and end_day <= start_day:
                yield Failure("business_licence.term_order", "营业期限的截止日期早于起始日期", ("business_term",))
            elif end_day and end_day < ctx.today:
                yield Failure("business_licence.term_ended", f"营业期限已于{end_day:%Y年%m月%d日}届满", ("business_term",))

    @registry.register("business_licence.fields", LICENCE)
    def licence_fields(doc: Document, ctx: CheckContext) -> Iterator[Failure]:
        """business_licence.unread (warning): a key field could not be read."""
        yield from _missing(doc, ("name", "legal_representative", "established_on"), "business_licence.unread", "营业执照")

    # --- 个体工商户登记（备案）申请书 ------------------------------------------------------------

    @registry.register("application.operator_id_number", FORM)
    def operator_id(doc: Document, ctx: CheckContext) -> Iterator[Failure]:
        """operator_id_number.format / .checksum / .birth_date (errors)."""
        yield from _id_failures(doc, "operator_id_number", "申请书中经营者的")

    @registry.register("application.signed", FORM)
    def application_signed(doc: Document, ctx: CheckContext) -> Iterator[Failure]:
        """application.unsigned (error when the signature area was seen blank, see `_unsigned`; else warning),
        application.signature_unchecked (warning: the signature area was not
        found, or the page is born-digital and cannot show handwriting), application.signed_future (error)."""
        signed = doc.value("signed")
        if signed is None:
            yield Failure("application.signature_unchecked", "未能确认申请书是否已由经营者签字，请人工核对", (), severity="warning")
        elif signed is False:
            yield _unsigned(doc, "application.unsigned", "申请书未经经营者签字")
        signed_on = _date(doc, "signed_on")
        if signed_on and signed_on > ctx.today:
            yield Failure("application.signed_future", "申请书的签字日期晚于今天", ("signed_on",))

    @registry.register("application.fields", FORM)
    def application_fields(doc: Document, ctx: CheckContext) -> Iterator[Failure]:
        """application.unread (warning), phone.format (warning)."""
        yield from _missing(doc, ("operator_name", "operator_id_number", "premises_address"), "application.unread", "申请书")
        phone = doc.value("phone")
        if phone and not PHONE.match(phone):
            yield Failure("phone.format", "联系电话格式不正确，请核对", ("phone",), severity="warning")

    # --- 授权委托书 -----------------------------------------------------------------------------

    @registry.register("power_of_attorney.id_numbers", AUTHORISATION)
    def authorisation_ids(doc: Document, ctx: CheckContext) -> Iterator[Failure]:
        """principal_id_number.* and agent_id_number.* (format / checksum / birth_date, errors);
        power_of_attorney.same_person (error: the principal authorises themself)."""
        yield from _id_failures(doc, "principal_id_number", "授权委托书中委托人的")
        yield from _id_failures(doc, "agent_id_number", "授权委托书中受托人的")
        a, b = doc.value("principal_id_number"), doc.value("agent_id_number")
        if a and b and numbers.id_compact(a) == numbers.id_compact(b):
            yield Failure("power_of_attorney.same_person", "授权委托书的委托人与受托人为同一人",
                          ("principal_id_number", "agent_id_number"))

    @registry.register("power_of_attorney.valid", AUTHORISATION)
    def authorisation_valid(doc: Document, ctx: CheckContext) -> Iterator[Failure]:
        """power_of_attorney.expired (error), power_of_attorney.unsigned (error when the signature area was seen
        blank, see `_unsigned`; else warning),
        power_of_attorney.signature_unchecked and power_of_attorney.unread (warnings)."""
        until = _date(doc, "valid_until")
        if until and until < ctx.today:
            yield Failure("power_of_attorney.expired", f"授权委托书已过期（有效期至{until:%Y年%m月%d日}）", ("valid_until",))
        signed = doc.value("signed")
        if signed is None:
            yield Failure("power_of_attorney.signature_unchecked", "未能确认授权委托书是否已由委托人签字，请人工核对", (),
                          severity="warning")
        elif signed is False:
            yield _unsigned(doc, "power_of_attorney.unsigned", "授权委托书未经委托人签字")
        yield from _missing(doc, ("principal_name", "principal_id_number", "agent_name", "agent_id_number", "matter"),
                            "power_of_attorney.unread", "授权委托书")

    # --- 不动产权证书 ---------------------------------------------------------------------------

    @registry.register("property_certificate.numbers", PROPERTY)
    def certificate_numbers(doc: Document, ctx: CheckContext) -> Iterator[Failure]:
        """property_certificate.number_format (error), .number_year (error when in the future, warning when
        before unified registration), .unit_format (error), .unit_region (warning: not a known county code),
        .region_mismatch (warning: the province of the number and of the unit number differ),
        property_certificate.unread (warning)."""
        number = doc.value("certificate_number")
        unit = doc.value("unit_number")
        province = None
        if number:
            m = CERTIFICATE.match(number)
            if not m or m.group(1) not in PROVINCE_CODES:
                yield Failure("property_certificate.number_format",
                              "不动产权证书号格式不正确（应如：鲁(2023)济宁市不动产权第0012345号）", ("certificate_number",))
            else:
                province = PROVINCE_CODES[m.group(1)]
                year = int(m.group(2))
                if year > ctx.today.year:
                    yield Failure("property_certificate.number_year", "不动产权证书号中的年份晚于今年", ("certificate_number",))
                elif year < FIRST_CERTIFICATE_YEAR:
                    yield Failure("property_certificate.number_year", "不动产权证书号中的年份早于不动产统一登记开始的时间，请核对",
                                  ("certificate_number",), severity="warning")
        if unit:
            m = UNIT.match(unit)
            if not m:
                yield Failure("property_certificate.unit_format", "不动产单元号格式不正确（应为28位）", ("unit_number",))
            else:
                if numbers.region_name(m.group(1)) is None:
                    yield Failure("property_certificate.unit_region", "不动产单元号的行政区划代码不在代码表中，请核对",
                                  ("unit_number",), severity="warning")
                if province and m.group(1)[:2] != province:
                    yield Failure("property_certificate.region_mismatch", "不动产权证书号的省份与不动产单元号的行政区划不一致",
                                  ("certificate_number", "unit_number"), severity="warning")
        yield from _missing(doc, ("certificate_number", "holder", "location"), "property_certificate.unread", "不动产权证书")

    # --- 房屋租赁合同 ---------------------------------------------------------------------------

    @registry.register("lease_contract.term", LEASE)
    def lease_term(doc: Document, ctx: CheckContext) -> Iterator[Failure]:
        """lease_contract.term_order (error), lease_contract.ended (error), lease_contract.not_started (warning),
        lease_contract.unread (warning)."""
        start, end = _date(doc, "term_from"), _date(doc, "term_until")
        if start and end and end <= start:
            yield Failure("lease_contract.term_order", "租赁期限的截止日期早于起始日期", ("term_from", "term_until"))
        elif end and end < ctx.today:
            yield Failure("lease_contract.ended", f"租赁合同已于{end:%Y年%m月%d日}到期", ("term_until",))
        elif start and start > ctx.today:
            yield Failure("lease_contract.not_started", f"租赁期限自{start:%Y年%m月%d日}起，尚未开始", ("term_from",),
                          severity="warning")
        yield from _missing(doc, ("lessor", "lessee", "address", "term_from", "term_until"), "lease_contract.unread", "租赁合同")


def _unsigned(doc: Document, code: str, message: str) -> Failure:
    """A signature area judged without handwriting. Definite (an error, subject to the confidence rule) only when the
    pixels were seen: the area found whole, at a usable resolution, and clearly blank (its `handwriting` record,
    pipeline/ink.py). A record that is not certain makes it a warning for a person. A `signed` with no record at all
    was not judged from pixels here (a person's correction, or a document made before pixels were judged): its
    confidence decides, as for any other field."""
    record = next((h for h in doc.handwriting if h.area == "signature" and h.signed is not None), None)
    if record is not None and not (record.certain and record.signed is False):
        return Failure(code, f"{message}（签字区域未能看清，请人工核对）", ("signed",), severity="warning")
    return Failure(code, message, ("signed",))
