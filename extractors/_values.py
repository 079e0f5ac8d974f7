"""Normalising values read from documents: Chinese text, dates (Arabic or Chinese numerals), amounts written
in capital numerals (壹佰万元整), credit codes, certificate and unit numbers, phone numbers, areas.

Pieces arrive NFKC-normalised (full width to half width, see extractors/_layout.norm); Chinese text values
are given back with full-width punctuation (（）；：，) as Chinese documents print them, codes and numbers
half width. Each function returns None when the text holds no such value."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from extractors._normalise import person_name, simplified

_FULL_PUNCT = str.maketrans({"(": "（", ")": "）", ";": "；", ":": "：", ",": "，", "!": "！", "?": "？"})


def cjk_text(text: str) -> str:
    """Chinese text as printed: no spaces, half-width letters and digits, full-width punctuation."""
    value = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    value = value.translate(_FULL_PUNCT)
    value = value.replace("．", ".")
    return simplified(value)


def strip_label_punct(text: str) -> str:
    return text.strip(":：;；,，。 ")


# --- dates -------------------------------------------------------------------------------------------

_CN_NUM = {"〇": 0, "零": 0, "○": 0, "O": 0, "o": 0, "0": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9}
DATE = re.compile(r"(\d{4})\s*[年.\-/]\s*(\d{1,2})\s*[月.\-/]\s*(\d{1,2})\s*日?")
CN_DATE = re.compile(r"([〇零○O一二三四五六七八九0]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日")


def _cn_small(text: str) -> int | None:
    """一 … 三十一 (month or day written in Chinese numerals)."""
    if "十" in text:
        tens, _, ones = text.partition("十")
        value = (_CN_NUM.get(tens, -99) if tens else 1) * 10 + (_CN_NUM.get(ones, -99) if ones else 0)
    elif len(text) == 1:
        value = _CN_NUM.get(text, -1)
    else:
        return None
    return value if value > 0 else None


def find_date(text: str) -> tuple[str, tuple[int, int]] | None:
    """The first date in `text` as ISO, with its span. Arabic (2023年05月06日, 2023.5.6, 2023-05-06) or
    Chinese numerals (二〇二三年五月六日)."""
    value = unicodedata.normalize("NFKC", text)
    found = []
    for m in DATE.finditer(value):
        found.append((m.start(), m.end(), int(m.group(1)), int(m.group(2)), int(m.group(3))))
        break
    for m in CN_DATE.finditer(value):
        year = "".join(str(_CN_NUM.get(c, 0)) for c in m.group(1))
        month, day = _cn_small(m.group(2)), _cn_small(m.group(3))
        if month and day:
            found.append((m.start(), m.end(), int(year), month, day))
        break
    for start, end, y, mo, d in sorted(found):
        try:
            return dt.date(y, mo, d).isoformat(), (start, end)
        except ValueError:
            continue
    return None


def date_value(text: str) -> str | None:
    found = find_date(text)
    return found[0] if found else None


def dates(text: str) -> list[str]:
    """Every date in `text`, in order."""
    out, rest = [], text
    while found := find_date(rest):
        out.append(found[0])
        rest = rest[found[1][1]:]
    return out


# --- amounts -----------------------------------------------------------------------------------------

_CAP_DIGITS = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")} | {c: i for i, c in enumerate("〇一二两三四五六七八九")} \
    | {"两": 2, "贰": 2, "参": 3}
_SMALL_UNITS = {"拾": 10, "十": 10, "佰": 100, "百": 100, "仟": 1000, "千": 1000}
_BIG_UNITS = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}


def capital_amount(text: str) -> Decimal | None:
    """壹佰万元整 -> 1000000; 贰佰伍拾万元 -> 2500000; 叁仟元整 -> 3000; 伍元伍角 -> 5.5."""
    value = re.sub(r"[^零壹贰叁肆伍陆柒捌玖〇一二两三四五六七八九拾十佰百仟千万萬亿億元圆角分整正参]", "", text)
    if not value or not any(c in _CAP_DIGITS for c in value):
        return None
    total, section, digit = Decimal(0), Decimal(0), None
    fraction = Decimal(0)
    i = 0
    while i < len(value):
        c = value[i]
        if c in _CAP_DIGITS:
            digit = Decimal(_CAP_DIGITS[c])
        elif c in _SMALL_UNITS:
            section += (digit if digit is not None else Decimal(1)) * _SMALL_UNITS[c]
            digit = None
        elif c in _BIG_UNITS:
            section += digit or 0
            unit = _BIG_UNITS[c]
            total = (total + section) * unit if unit > 10_000 else total + section * unit
            section, digit = Decimal(0), None
        elif c in "元圆":
            section += digit or 0
            digit = None
        elif c == "角":
            fraction += (digit or 0) / 10
            digit = None
        elif c == "分":
            fraction += (digit or 0) / 100
            digit = None
        i += 1
    section += digit or 0
    return total + section + fraction


_ARABIC_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*(万|亿)?\s*元")


def amount(text: str) -> str | None:
    """An amount of money in yuan as a plain decimal string: 壹佰万元整 / 人民币100万元 / 100.5万元 -> "1000000"."""
    value = unicodedata.normalize("NFKC", text).replace(",", "")
    m = _ARABIC_AMOUNT.search(value)
    if m:
        try:
            number = Decimal(m.group(1)) * {"万": 10_000, "亿": 100_000_000}.get(m.group(2) or "", 1)
        except InvalidOperation:
            number = None
    else:
        number = capital_amount(value)
    if number is None:
        return None
    text = format(number.normalize(), "f")
    return text


# --- codes and numbers -------------------------------------------------------------------------------

USCC_CANDIDATE = re.compile(r"[0-9A-Z]{18}")
_USCC_LOOKALIKE = str.maketrans({"O": "0", "I": "1", "S": "5", "Z": "2", "V": "U"})
_DIGIT_LOOKALIKE = str.maketrans({"O": "0", "D": "0", "Q": "0", "I": "1", "L": "1", "Z": "2", "S": "5", "B": "8", "G": "6", "T": "7"})


def credit_code(text: str) -> str | None:
    """An 18-character 统一社会信用代码 in `text`, with letters the code's alphabet lacks (I O S V Z) read as the
    characters they are mistaken for, and letters in the region digits (positions 3-8) as digits. The check
    characters are not used to choose among readings: the checks must stay independent of the reading.
    A number shaped like a citizen's ID number (see `id_shaped`) is not a credit code."""
    value = re.sub(r"[^0-9A-Za-z]", "", unicodedata.normalize("NFKC", text)).upper()
    for m in re.finditer(r"(?=([0-9A-Z]{18}))", value):
        if id_shaped(m.group(1)):
            continue
        code = m.group(1).translate(_USCC_LOOKALIKE)
        code = code[:2] + code[2:8].translate(_DIGIT_LOOKALIKE) + code[8:]
        if code[0] in "123456789ANY" and code[1] in "123456789" and code[2:8].isdigit():
            return code
    return None


# First two digits of the province-level regions that issue resident ID numbers (GB/T 2260), and 81-83 for
# residents of Hong Kong, Macao and Taiwan.
_ID_PROVINCES = frozenset("11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 "
                          "71 81 82 83".split())


def id_shaped(text: str) -> bool:
    """17 digits and a digit or X, a province's two digits first and a date of birth (1900-2099) at digits
    7-14: the shape of a citizen's ID number. Shape only, never the check digit (that is a check's finding)."""
    value = text.upper()
    if not re.fullmatch(r"\d{17}[\dX]", value) or value[:2] not in _ID_PROVINCES:
        return False
    try:
        dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return 1900 <= int(value[6:10]) <= 2099


CERT_NUMBER = re.compile(r"([\u4e00-\u9fff])[(（]?(\d{4})[)）]?([\u4e00-\u9fff]{1,12}?)不动产权第(\d{5,8})号")


def certificate_number(text: str) -> str | None:
    """不动产权证书 number, canonical with half-width brackets: 鲁(2023)济宁市不动产权第0012345号."""
    value = simplified(re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)))
    m = CERT_NUMBER.search(value)
    if not m:
        return None
    return f"{m.group(1)}({m.group(2)}){m.group(3)}不动产权第{m.group(4)}号"


def unit_number(text: str) -> str | None:
    """不动产单元号: 28 characters once spaces are dropped (digits, and letters at positions 13, 14 and 20)."""
    value = re.sub(r"[^0-9A-Za-z]", "", unicodedata.normalize("NFKC", text)).upper()
    if len(value) < 20:
        return None
    chars = list(value[:28])
    for i, c in enumerate(chars):
        if i in (12, 13, 19):
            chars[i] = {"0": "O", "8": "B", "6": "G", "5": "S", "2": "Z"}.get(c, c) if i != 19 else {"8": "B", "0": "O"}.get(c, c)
        else:
            chars[i] = c.translate(_DIGIT_LOOKALIKE)
    return "".join(chars) + value[28:]


PHONE = re.compile(r"(1[3-9]\d{9})|(0\d{2,3}[-—－_~]?\d{7,8})")


def phone(text: str) -> str | None:
    value = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).translate(_DIGIT_LOOKALIKE)
    m = PHONE.search(value)
    if not m:
        return None
    if m.group(1):
        return m.group(1)
    number = re.sub(r"[—－_~]", "-", m.group(2))
    return number


ID_NUMBER = re.compile(r"[1-9]\d{16}[\dX]")


def id_number(text: str) -> str | None:
    value = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).upper()
    value = re.sub(r"(?<=\d)[ODQ](?=\d)", "0", value)
    m = ID_NUMBER.search(value.translate(str.maketrans({"I": "1", "L": "1", "|": "1"})))
    return m.group(0) if m else None


# Words printed on forms as labels or furniture: never a person's name, however they are placed.
LABEL_WORDS = frozenset(
    "姓名 名称 性别 民族 出生 出生日期 年龄 住址 地址 职务 职位 电话 联系电话 签字 签名 签章 盖章 签字盖章 日期 年月日 "
    "委托人 受托人 代理人 经营者 申请人 法定代表人 负责人 身份证 身份证号 身份证号码 公民身份号码 证件号码 证件类型 "
    "本人 单位 公章 备注 承诺 声明 同意 说明 填写 男 女 汉族 汉".split())
# Characters of prose and form furniture that a name does not hold (的 在 办理 委托 号码 …).
_NOT_IN_NAMES = frozenset("的了在是与及或办理将所对并被把从这那之都而不没您我你他她它该此其签盖章号码委托受项权限认填写宜事证件份")


def person_name_value(text: str) -> str | None:
    """One person's name (2-6 characters, or longer with the middle dot of minority names), or None when the
    text is a printed label (性别, 签字) or a piece of a sentence rather than a name."""
    value = person_name(text)
    if not value or value in LABEL_WORDS or (len(value) > 6 and "·" not in value) or len(value) < 2:
        return None
    if any(c in _NOT_IN_NAMES for c in value) or "予以" in value:
        return None
    return value


def first_name(text: str) -> str | None:
    """The name a labelled value starts with (委托人：陆雨甦，公民身份号码：… -> 陆雨甦), if it is one."""
    head = re.split(r"[、,，/;；:：(（\s]|公民身份|身份证", unicodedata.normalize("NFKC", text), maxsplit=1)[0]
    return person_name_value(head)


def names(text: str) -> str | None:
    """One or more personal names (张三、李四), joined with 、. A printed label (性别, 签字) is not a name."""
    parts = [person_name(p) for p in re.split(r"[、,，/;；\s]+", unicodedata.normalize("NFKC", text).replace("、", ","))]
    parts = [p for p in parts if p]
    if not parts or any(len(p) > 6 and "·" not in p for p in parts):
        return None  # a sentence, not a name
    if any(p in LABEL_WORDS for p in parts):
        return None
    return "、".join(parts)


def area(text: str) -> str | None:
    """Areas as printed, with one unit sign: 共有宗地面积234.46㎡/房屋建筑面积98.76㎡."""
    value = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    # the unit's superscript is often lost (m2, m, nothing): every area figure gets one ㎡
    value = re.sub(r"(\d+\.\d+)(?:平方米|平米|m2|M2|m²|㎡|m|M)?", r"\1㎡", value)
    value = value.replace("(", "（").replace(")", "）")
    return simplified(value) if re.search(r"\d", value) else None
