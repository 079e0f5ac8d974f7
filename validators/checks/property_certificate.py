"""Checks on the 不动产权证书: the certificate number (province, year) and the 不动产单元号 (county code), and that
both name the same province; key fields read. docs/domain.md."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pipeline import numbers
from pipeline.models import Document
from pipeline.registry import CheckContext, Failure
from validators.checks._common import missing

PROVINCE_CODES = {"京": "11", "津": "12", "冀": "13", "晋": "14", "蒙": "15", "辽": "21", "吉": "22", "黑": "23", "沪": "31",
                  "苏": "32", "浙": "33", "皖": "34", "闽": "35", "赣": "36", "鲁": "37", "豫": "41", "鄂": "42", "湘": "43",
                  "粤": "44", "桂": "45", "琼": "46", "渝": "50", "川": "51", "蜀": "51", "黔": "52", "贵": "52", "云": "53",
                  "滇": "53", "藏": "54", "陕": "61", "秦": "61", "甘": "62", "陇": "62", "青": "63", "宁": "64", "新": "65"}
CERTIFICATE = re.compile(r"^([\u4e00-\u9fff])\((\d{4})\)([\u4e00-\u9fff]{1,12})不动产权第(\d{7})号$")
# 不动产单元号: county code (6), 街道 + 街坊 (6), 宗地/宗海 feature code (2 letters), parcel number (5),
# kind of fixture (F building, L trees, Q other, W none) and its 8-digit number (building + unit).
UNIT = re.compile(r"^(\d{6})(\d{6})([GJZ][A-HJ-NP-Z])(\d{5})([FLQW])(\d{8})$")
# Unified registration of real estate (不动产统一登记) began in 2014-2015; no certificate is older.
FIRST_CERTIFICATE_YEAR = 2014


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
    yield from missing(doc, ("certificate_number", "holder", "location"), "property_certificate.unread", "不动产权证书")


CHECKS = {"property_certificate.numbers": certificate_numbers}
