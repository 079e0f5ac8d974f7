"""居民身份证 人像面 (id_card_front): 姓名 性别 民族 出生 住址 公民身份号码."""

from __future__ import annotations

import re

from extractors._classify import PageEvidence
from extractors._layout import Piece, field, find_label, parse_date, pieces, row_of
from extractors._normalise import ethnicity, person_name, simplified
from pipeline.models import Classified, FieldValue, PageReading
from pipeline.registry import DocumentType, FieldSpec

LABELS = ("姓名", "性别", "民族", "出生", "住址", "公民身份")
# Titles and labels of other documents that print a person's 姓名, 出生 and ID number.
OTHER_DOCUMENTS = ("临时居民身份证", "居住证", "通行证", "护照", "结婚证", "常住人口", "与户主关系", "法定代表人")
ID_PATTERN = re.compile(r"[1-9]\d{16}[\dXx]")
# Characters PP-OCR sometimes returns inside a digit string.
_DIGIT_FIXES = str.maketrans({"O": "0", "o": "0", "D": "0", "I": "1", "l": "1", "|": "1", "Z": "2", "S": "5", "B": "8", "x": "X"})


# Words of a screen (a web page or an app showing the card's data), never printed on a card.
SCREEN_WORDS = ("首页", "登录", "退出", "查询", "搜索", "返回", "确定", "取消", "提交", "菜单", "个人中心", "网上办事", "浏览",
                "http", "www", ".com", ".cn", "详情", "操作", "序号", "打印", "下一步", "上一步", "用户")
CARD_ASPECT = (1.35, 1.85)  # 85.6 x 54 mm is 1.585; a card photographed to fill the frame is near it too


def recognise(page: PageReading) -> float:
    """The card's labels and number, times how much the page looks like a card: a card's aspect (its outline
    found by capture, or a card that fills the frame), a card's amount of text, no screen furniture. A page
    whose title names another document, or a form with many more labels, is not a card."""
    all_pieces = pieces(page)
    text = "".join(p.text for p in all_pieces)
    hits = sum(1 for label in LABELS if label in text)
    has_number = bool(ID_PATTERN.search(text.translate(_DIGIT_FIXES)))
    if "签发机关" in text or "有效期限" in text:
        hits -= 2
    if any(word in text for word in OTHER_DOCUMENTS):  # other documents with the same labels
        hits = min(hits, 1)
    score = max(0.0, min(1.0, hits / 5 + (0.3 if has_number else 0.0)))
    if score and PageEvidence.of(page).other_title("id_card_front"):  # a form titled 申请书 / 委托书 …
        score = min(score, 0.3)
    return round(score * card_likeness(page, all_pieces, text), 3)


def card_likeness(page: PageReading, all_pieces: list[Piece], text: str) -> float:
    """1.0 for a card; less for a page of another shape, with a page's amount of text, or a screen's words."""
    factor = 1.0
    if page.source != "reader":
        w, h = page.page.width, page.page.height
        aspect = max(w, h) / max(1, min(w, h))
        if not CARD_ASPECT[0] <= aspect <= CARD_ASPECT[1]:
            factor *= 0.7
    if len(all_pieces) > 18 or len(text) > 170:  # a card front holds about ten lines, 100-150 characters
        factor *= 0.6
    if sum(word in text.lower() for word in SCREEN_WORDS) >= 2:
        factor *= 0.6
    return factor


def _row_text(anchor: Piece, all_pieces: list[Piece]) -> tuple[str, list[Piece]]:
    row = row_of(anchor, all_pieces)
    return "".join(p.text for p in row), row


def _after(text: str, label: str) -> str:
    index = text.find(label)
    return text[index + len(label):] if index >= 0 else ""


def find_id_number(all_pieces: list[Piece]) -> tuple[str, Piece] | None:
    """The 18-character number: on the 公民身份号码 row if present, else anywhere on the page."""
    label = find_label(all_pieces, ("公民身份号码", "公民身份证号码", "公民身份"))
    candidates = row_of(label[0], all_pieces) if label else []
    for group in (candidates, all_pieces):
        for piece in sorted(group, key=lambda p: -p.box[0]):
            match = ID_PATTERN.search(piece.text.translate(_DIGIT_FIXES))
            if match:
                return match.group(0).upper(), piece
    return None


def extract(doc: Classified) -> dict[str, FieldValue]:
    page = doc.pages[0]
    number = page.page.page
    all_pieces = pieces(page)
    fields: dict[str, FieldValue] = {}

    if found := find_label(all_pieces, ("姓名",)):
        text, row = _row_text(found[0], all_pieces)
        name = person_name(_after(text, "姓名"))
        if name:
            used = [p for p in row if p.box[0] >= found[0].box[0]]
            fields["name"] = field(name, used, number, raw=_after(text, "姓名"))

    if found := find_label(all_pieces, ("性别", "民族")):
        text, row = _row_text(found[0], all_pieces)
        if m := re.search(r"性别([男女])", text):
            fields["sex"] = field(m.group(1), [p for p in row if "性别" in p.text or m.group(1) in p.text][:2] or row, number)
        if (m := re.search(r"民族([\u4e00-\u9fff]{1,6})", text)) and (value := ethnicity(m.group(1))):
            fields["ethnicity"] = field(value, [p for p in row if "民族" in p.text or m.group(1) in p.text][:2] or row, number,
                                        raw=m.group(1))

    if found := find_label(all_pieces, ("出生",)):
        text, row = _row_text(found[0], all_pieces)
        if iso := parse_date(_after(text, "出生")):
            fields["birth_date"] = field(iso, row, number, raw=_after(text, "出生"))

    id_found = find_id_number(all_pieces)
    if id_found:
        fields["id_number"] = field(id_found[0], [id_found[1]], number, raw=id_found[1].text)

    if found := find_label(all_pieces, ("住址",)):
        fields.update(_address(found[0], all_pieces, id_found[1] if id_found else None, number))
    return fields


def _address(label: Piece, all_pieces: list[Piece], id_piece: Piece | None, number: int) -> dict[str, FieldValue]:
    """The address: the rest of the 住址 row and the rows below it, left of the photo and above the
    number row, aligned with the address column."""
    first_row = row_of(label, all_pieces)
    parts = [p for p in first_row if p.box[0] >= label.box[0]]
    left = label.box[0] - label.height
    bottom = id_piece.box[1] if id_piece is not None else float("inf")
    below = [
        p for p in all_pieces
        if p.cy > label.box[3] and p.box[3] <= bottom + 0.3 * p.height and p.box[0] >= left
        and not any(p.text.startswith(lbl) for lbl in LABELS)
        and p.cy - label.box[3] < 4.5 * label.height
    ]
    rows: list[list[Piece]] = []
    for p in sorted(below, key=lambda p: p.cy):
        if rows and abs(rows[-1][0].cy - p.cy) <= 0.5 * p.height:
            rows[-1].append(p)
        else:
            rows.append([p])
    used = parts + [p for row in rows for p in sorted(row, key=lambda q: q.box[0])]
    text = "".join(p.text for p in sorted(parts, key=lambda q: q.box[0]))
    text = text[text.find("住址") + 2:] if "住址" in text else text
    text += "".join(p.text for row in rows for p in sorted(row, key=lambda q: q.box[0]))
    if not text:
        return {}
    return {"address": field(simplified(text), used, number, raw=text)}


DOCUMENT_TYPE = DocumentType(
    code="id_card_front",
    label="居民身份证（人像面）",
    recognise=recognise,
    anchors=LABELS,
    extract=extract,
    fields={
        "name": FieldSpec("姓名", "name"),
        "sex": FieldSpec("性别", "enum"),
        "ethnicity": FieldSpec("民族", "enum"),
        "birth_date": FieldSpec("出生日期", "date"),
        "address": FieldSpec("住址"),
        "id_number": FieldSpec("公民身份号码", "id_number"),
    },
    findings={
        "id_number.birth_date": "公民身份号码有误，请核对后重新填写",
        "id_number.birth_mismatch": "身份证上的出生日期与公民身份号码不一致，请提交有效的居民身份证",
        "id_number.checksum": "公民身份号码有误，请核对后重新填写",
        "id_number.format": "公民身份号码有误，请核对后重新填写",
        "id_number.missing": "未能看到公民身份号码，请提交清晰完整的身份证件",
        "id_number.region_unknown": None,
        "id_number.sex_mismatch": "身份证上的性别与公民身份号码不一致，请提交有效的居民身份证",
    },
    licence_fields={"number": "id_number", "holder": "name"},
    deciding=('id_number',),
    unread_codes={'id_number': ('id_number.missing',)},
    titles=("居民身份证",),
    shown_as="居民身份证人像面",
    identity=True,
)
