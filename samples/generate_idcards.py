"""Seeded generator of synthetic resident ID cards (居民身份证), both sides, with ground truth.

Every card is fictional and marked 样本; a grey silhouette stands in for the photo and the state
emblem is left out (docs/architecture.md, "Decisions already taken"). Place names and address codes are real
GB/T 2260 entries from python-stdnum's `cn/loc` table, so numbers, addresses and issuing authorities
agree the way the extractors and checks expect.

Variants: `clean` (the card alone, PNG), `camera` (the card photographed on a desk, JPEG) and
`a4_copy` (both sides photocopied on one A4 page, grayscale PNG). Output is a pure function of the
seed: person i of seed s is the same in every variant, and no global random state is used.

    python samples/generate_idcards.py --seed 7 --count 50 --variant camera --out /tmp/cards

Called by tests/samples/ and by benchmarks; it writes only where --out points.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import io
import json
import math
import random
import re
import sys
import zlib
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _fonts  # noqa: E402  (sibling helper; samples/ is not a package)

REFERENCE_DATE = dt.date(2026, 1, 1)  # "today" for ages and expiry, fixed so output never drifts
CARD_MM = (85.6, 54.0)
CORNER_RADIUS_MM = 3.18  # ISO/IEC 7810 ID-1
VARIANTS = ("clean", "camera", "a4_copy")
SIDES = ("front", "back")
# Optional distortion -> the quality code a clerk should see (a retake); orientation is no problem.
QUALITY_CODES = {
    "blur_strong": "blur",
    "glare_strong": "glare",
    "too_dark": "too_dark",
    "cut_off": "cropped",
    "low_resolution": "low_resolution",
}
OPTIONAL_DISTORTIONS = ("orientation", *QUALITY_CODES)
LONG_TERM = "长期"
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"

# ---------------------------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------------------------

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫")
GIVEN_MALE = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林阳建国志文博晨"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀玲燕红梅莉婷雪琳倩颖洁佳慧瑶蕾欣怡璐萍晶月雅琪菲悦"
GIVEN_NEUTRAL = "子一晓天思嘉梓睿雨安欣佳春秋海金玉永立新德成家诗语"
RARE_GIVEN = "堃喆昇燚淼犇琤炜婧瑄珺玥昱晗彧翀骞祎璟芃赟垚焱晔珏旻頔"
RARE_SHARE = 0.25
# Transliterated names carry no Han surname; kept to 2-3 characters like the others.
TRANSLITERATED = {
    "维吾尔": {"男": ("艾力", "阿力木", "买买提", "热合曼", "吐尔逊", "依明"), "女": ("古丽", "热娜", "帕提曼", "阿依古", "努尔")},
    "哈萨克": {"男": ("叶尔兰", "努尔兰", "别克", "达吾提"), "女": ("阿依达", "古丽娜", "加娜尔")},
    "藏": {"男": ("扎西", "次仁", "达瓦", "多吉", "格桑"), "女": ("卓玛", "央金", "拉姆", "白玛", "德吉")},
}
ETHNICITIES = (  # (name, weight) outside the regional overrides below
    ("汉", 880), ("回", 18), ("满", 18), ("壮", 14), ("蒙古", 10), ("维吾尔", 6), ("土家", 10),
    ("苗", 8), ("彝", 6), ("藏", 4), ("朝鲜", 4), ("侗", 3), ("瑶", 3), ("白", 3), ("布依", 3), ("哈萨克", 2),
)
REGIONAL_ETHNICITIES = {
    "65": (("汉", 45), ("维吾尔", 40), ("哈萨克", 10), ("回", 5)),
    "54": (("藏", 75), ("汉", 22), ("回", 3)),
    "45": (("汉", 62), ("壮", 33), ("瑶", 5)),
    "64": (("汉", 64), ("回", 36)),
    "15": (("汉", 78), ("蒙古", 18), ("满", 4)),
    "22": (("汉", 90), ("朝鲜", 6), ("满", 4)),
}
ROADS = ("人民", "解放", "建设", "和平", "中山", "胜利", "文化", "新华", "光明", "红星", "古槐", "太白", "府前", "东风",
         "幸福", "友谊", "长江", "黄河", "滨河", "育才")
ROAD_SUFFIXES = ("路", "街", "大道", "东路", "西路", "北路", "南路", "中路")
TOWNS = ("城关", "新兴", "安乐", "永丰", "太平", "兴隆", "长青", "清河", "石桥", "柳林", "青山", "马集", "双河")
VILLAGE_HEADS = "王李张刘陈杨赵周孙朱郭何高罗"
VILLAGE_TAILS = ("庄", "集", "屯", "店", "营", "寨", "楼", "家洼", "家湾", "河口")
COMMUNITIES = ("阳光", "锦绣", "金色家园", "翠苑", "盛世华庭", "绿洲", "东方花园", "和谐", "春晖", "丽景")


@dataclass(frozen=True)
class Place:
    """A county-level GB/T 2260 unit with its current name and the year that name started."""

    code: str
    province: str
    city: str  # "" under municipalities and for province-administered county-level units
    county: str
    since: int  # first year the code has had this name (0 when the table gives none)

    @property
    def prefix(self) -> str:
        return self.province + self.city + self.county

    @property
    def authority(self) -> str:
        """Issuing authority as printed on the back: districts by the city bureau's branch."""
        if self.county.endswith("区"):
            branch = self.county
            for suffix in ("新区", "区"):
                if branch.endswith(suffix) and len(branch) > len(suffix) + 1:
                    branch = branch[: -len(suffix)]
                    break
            return f"{self.city or self.province}公安局{branch}分局"
        return f"{self.county}公安局"


def _current_name(value: str) -> tuple[str, int] | None:
    """'[1983-1992]郊区,[1993-]任城区' -> ('任城区', 1993); None when the code is no longer in use."""
    last = value.split(",")[-1]
    if not last.startswith("["):
        return last, 0
    span, name = last[1:].split("]")
    start, end = span.split("-")
    if end:
        return None
    return name, int(start) if start else 0


_NON_PLACES = {"市辖区", "市区", "郊区", "矿区", "县"}


@functools.lru_cache(maxsize=1)
def places() -> tuple[Place, ...]:
    """Current county-level units of the 31 mainland provinces, from python-stdnum's cn/loc table."""
    from stdnum import numdb

    result = []
    for _, prov_code, _, prov_props, children in numdb.get("cn/loc").prefixes:
        if prov_code >= "71":  # Taiwan, Hong Kong, Macao issue no 居民身份证 of this kind
            continue
        province = prov_props["province"]
        municipality = prov_code in ("11", "12", "31", "50")
        prefectures = {}
        for _, code, _, props, _ in children:
            if code.endswith("00") and (named := _current_name(props["county"])):
                prefectures[code[:2]] = named[0]
        for _, code, _, props, _ in children:
            named = _current_name(props["county"])
            if code.endswith("00") or code.endswith("01") or named is None:
                continue
            name, since = named
            pref = prefectures.get(code[:2])
            if name in _NON_PLACES or pref is None or pref == "县":
                continue
            city = "" if municipality or pref in ("市辖区",) or "直辖" in pref else pref
            result.append(Place(prov_code + code, province, city, name, since))
    return tuple(result)


def id_check_char(first17: str) -> str:
    """GB 11643 check character for the first 17 digits."""
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS)) % 11]


def validity_years(age_at_issue: int) -> int | None:
    """Validity length by age on the application day; None for 长期."""
    if age_at_issue < 16:
        return 5
    if age_at_issue <= 25:
        return 10
    if age_at_issue <= 45:
        return 20
    return None


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _as_random(rng: random.Random | np.random.Generator) -> random.Random:
    if isinstance(rng, random.Random):
        return rng
    return random.Random(int(rng.integers(0, 2**63)))


def _weighted(rng: random.Random, pairs) -> str:
    names, weights = zip(*pairs)
    return rng.choices(names, weights=weights)[0]


def _make_name(rng: random.Random, sex: str, ethnicity: str) -> str:
    if ethnicity in TRANSLITERATED:
        return rng.choice(TRANSLITERATED[ethnicity][sex])
    for _ in range(20):
        surname = rng.choice(COMPOUND_SURNAMES) if rng.random() < 0.02 else rng.choice(SURNAMES)
        pool = (GIVEN_MALE if sex == "男" else GIVEN_FEMALE) + GIVEN_NEUTRAL
        n_given = 1 if len(surname) == 2 else rng.choice((1, 2, 2, 2))
        given = [rng.choice(pool) for _ in range(n_given)]
        if rng.random() < RARE_SHARE:
            given[rng.randrange(n_given)] = rng.choice(RARE_GIVEN)
        name = surname + "".join(given)
        try:  # a name no installed font can render would print as tofu: draw another
            _fonts.covering("noto_sans", name)
        except LookupError:
            continue
        return name
    raise LookupError("no renderable name found")


def _make_address(rng: random.Random, place: Place) -> str:
    road = rng.choice(ROADS) + rng.choice(ROAD_SUFFIXES)
    number = rng.randint(1, 399)
    urban = place.county.endswith("区") or rng.random() < 0.3
    if urban:
        kind = rng.random()
        if kind < 0.35:
            tail = f"{road}{number}号"
        elif kind < 0.7:
            building, unit, floor, door = rng.randint(1, 30), rng.randint(1, 6), rng.randint(1, 28), rng.randint(1, 4)
            tail = f"{road}{number}号{building}号楼{unit}单元{floor}0{door}室"
        else:
            estate = rng.choice(COMMUNITIES)
            building, unit, floor, door = rng.randint(1, 40), rng.randint(1, 6), rng.randint(1, 18), rng.randint(1, 4)
            tail = f"{estate}小区{building}号楼{unit}单元{floor}0{door}"
        if rng.random() < 0.25:
            tail = rng.choice(TOWNS) + "街道" + tail
    else:
        town = rng.choice(TOWNS) + rng.choice(("镇", "镇", "乡"))
        village = rng.choice(VILLAGE_HEADS) + rng.choice(VILLAGE_TAILS)
        if rng.random() < 0.6:
            tail = f"{town}{village}村{number}号"
        else:
            tail = f"{town}{village}村{rng.randint(1, 9)}组{number}号"
    return place.prefix + tail


def _add_years(day: dt.date, years: int) -> dt.date:
    return day.replace(year=day.year + years)  # issue days are <= 28, so never Feb 29


def _random_day(rng: random.Random, start: dt.date, end: dt.date, *, issue_day: bool = False) -> dt.date:
    day = start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))
    return day.replace(day=min(day.day, 28)) if issue_day else day


def make_person(rng: random.Random | np.random.Generator, *, expired: bool = False) -> dict:
    """A fictional card holder with every field of both sides, as JSON-ready values.

    Dates are ISO strings; `valid_until` is an ISO date or 长期. The card is current on
    REFERENCE_DATE (valid at least 60 more days) unless `expired`, then it ended before it.
    Extra keys: `address_code` (6 digits) and `place` (the Place used).
    """
    rng = _as_random(rng)
    sex = rng.choice(("男", "女"))
    all_places = places()
    for _ in range(500):
        age_band = rng.choices(((10, 16), (16, 26), (26, 46), (46, 86)), weights=(4, 18, 40, 38))[0]
        birth = _random_day(
            rng,
            _add_years(REFERENCE_DATE, -age_band[1]) + dt.timedelta(days=1),
            _add_years(REFERENCE_DATE, -age_band[0]),
        )
        first_issue = max(dt.date(2005, 1, 1), _add_years(birth.replace(day=min(birth.day, 28)), 8))
        valid_from = _random_day(rng, first_issue, REFERENCE_DATE - dt.timedelta(days=7), issue_day=True)
        years = validity_years(age_on(birth, valid_from))
        valid_until = None if years is None else _add_years(valid_from, years)
        if expired != (valid_until is not None and valid_until < REFERENCE_DATE):
            continue
        if not expired and valid_until is not None and valid_until < REFERENCE_DATE + dt.timedelta(days=60):
            continue
        break
    else:
        raise RuntimeError("could not draw consistent dates")
    # A code that already had its current name in the birth year (python-stdnum's cn.ric checks that).
    while (place := rng.choice(all_places)).since > birth.year:
        pass
    if place.code[:2] in REGIONAL_ETHNICITIES:
        ethnicity = _weighted(rng, REGIONAL_ETHNICITIES[place.code[:2]])
    else:
        ethnicity = _weighted(rng, ETHNICITIES)
    sequence = rng.randrange(1, 999, 2) if sex == "男" else rng.randrange(2, 999, 2)
    first17 = f"{place.code}{birth:%Y%m%d}{sequence:03d}"
    return {
        "name": _make_name(rng, sex, ethnicity),
        "sex": sex,
        "ethnicity": ethnicity,
        "birth_date": birth.isoformat(),
        "address": _make_address(rng, place),
        "id_number": first17 + id_check_char(first17),
        "issuing_authority": place.authority,
        "valid_from": valid_from.isoformat(),
        "valid_until": LONG_TERM if valid_until is None else valid_until.isoformat(),
        "address_code": place.code,
        "place": place,
    }


FRONT_FIELDS = ("name", "sex", "ethnicity", "birth_date", "address", "id_number")
BACK_FIELDS = ("issuing_authority", "valid_from", "valid_until")


def card_fields(person: dict, side: str) -> dict:
    return {k: person[k] for k in (FRONT_FIELDS if side == "front" else BACK_FIELDS)}


# ---------------------------------------------------------------------------------------------
# Card rendering
# ---------------------------------------------------------------------------------------------

LABEL_FONTS = ("noto_sans", "noto_sans", "wqy", "noto_sans_bold")
VALUE_FONTS = ("noto_sans", "noto_sans", "noto_serif", "wqy", "uming", "noto_serif_bold", "ukai")
NUMBER_FONTS = ("dejavu_mono", "dejavu_mono_bold", "noto_sans_mono", "wqy_mono")
TITLE_FONTS = ("noto_sans_bold", "noto_serif_bold", "noto_sans_bold")


@dataclass(frozen=True)
class CardStyle:
    """Rendering choices for one card image; make_style() draws them from a seed."""

    width: int = 1100
    label_font: str = "noto_sans"
    value_font: str = "noto_sans"
    number_font: str = "dejavu_mono"
    title_font: str = "noto_sans_bold"
    background: tuple[tuple[int, int, int], tuple[int, int, int]] = ((232, 239, 245), (246, 237, 240))
    line_color: tuple[int, int, int] = (205, 218, 232)
    label_color: tuple[int, int, int] = (40, 112, 170)
    text_color: tuple[int, int, int] = (22, 22, 26)
    mark_color: tuple[int, int, int] = (236, 176, 176)
    jitter: float = 0.004  # largest per-field offset, as a share of the width
    size_scale: float = 1.0


def make_style(rng: random.Random | np.random.Generator, width: int | None = None) -> CardStyle:
    rng = _as_random(rng)

    def pick(keys):
        return rng.choice(_fonts.available(keys) or ["noto_sans"])

    tint = [rng.randint(-8, 6) for _ in range(3)]

    def tinted(color):
        return tuple(max(0, min(255, c + t)) for c, t in zip(color, tint))

    return CardStyle(
        width=width or rng.randint(1000, 1300),
        label_font=pick(LABEL_FONTS),
        value_font=pick(VALUE_FONTS),
        number_font=pick(NUMBER_FONTS),
        title_font=pick(TITLE_FONTS),
        background=(tinted((232, 239, 245)), tinted((rng.randint(240, 250), 237, rng.randint(234, 244)))),
        line_color=tinted((rng.randint(196, 214), rng.randint(208, 222), rng.randint(222, 236))),
        label_color=(rng.randint(25, 60), rng.randint(95, 125), rng.randint(150, 185)),
        text_color=(rng.randint(10, 30),) * 3,
        mark_color=(rng.randint(228, 242), rng.randint(160, 190), rng.randint(160, 190)),
        jitter=rng.uniform(0.0, 0.006),
        size_scale=rng.uniform(0.96, 1.04),
    )


class _Canvas:
    """A card image plus the boxes of the field values drawn on it."""

    def __init__(self, style: CardStyle, rng: random.Random):
        self.style, self.rng = style, rng
        self.w = style.width
        self.h = round(style.width * CARD_MM[1] / CARD_MM[0])
        self.image = _background(self.w, self.h, style, rng)
        self.draw = ImageDraw.Draw(self.image)
        self.boxes: dict[str, list[float]] = {}

    def px(self, fx: float, fy: float) -> tuple[float, float]:
        j = self.style.jitter * self.w
        return fx * self.w + self.rng.uniform(-j, j), fy * self.h + self.rng.uniform(-j, j)

    def size(self, fh: float) -> int:
        return max(8, round(fh * self.h * self.style.size_scale))

    def text(self, xy, text, face, size, fill, spacing=0.0) -> list[float]:
        """Draw `text` char by char from its left-middle point; returns its box [x0, y0, x1, y1]."""
        face = _fonts.covering(face, text)
        font = _fonts.load(face, size)
        x, y = xy
        box = [math.inf, math.inf, -math.inf, -math.inf]
        for ch in text:
            if not ch.isspace():
                self.draw.text((x, y), ch, font=font, fill=fill, anchor="lm")
                b = self.draw.textbbox((x, y), ch, font=font, anchor="lm")
                box = [min(box[0], b[0]), min(box[1], b[1]), max(box[2], b[2]), max(box[3], b[3])]
            x += font.getlength(ch) + spacing
        return box

    def width_of(self, text, face, size, spacing=0.0) -> float:
        font = _fonts.load(_fonts.covering(face, text), size)
        return sum(font.getlength(ch) for ch in text) + spacing * (len(text) - 1)

    def label(self, fx, fy, text, spread=True):
        s = self.style
        size = self.size(0.05)
        gap = size * 0.9 if spread and len(text) == 2 else 0.0
        return self.text(self.px(fx, fy), text, s.label_font, size, s.label_color, spacing=gap)

    def mark(self, fx, fy, size_fh=0.075):
        """The 样本 marking, in a light colour, placed by the caller outside the field areas."""
        self.text((fx * self.w, fy * self.h), "样本", "noto_sans_bold", self.size(size_fh), self.style.mark_color,
                  spacing=self.size(size_fh) * 0.3)


def _background(w: int, h: int, style: CardStyle, rng: random.Random) -> Image.Image:
    """Light two-colour gradient with guilloche-like wave lines."""
    c0, c1 = (np.array(c, np.float32) for c in style.background)
    angle = rng.uniform(0, math.pi)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    t = (xx * math.cos(angle) + yy * math.sin(angle)) / (w + h)
    t = (t - t.min()) / max(1e-6, t.max() - t.min())
    base = c0[None, None, :] * (1 - t[..., None]) + c1[None, None, :] * t[..., None]
    image = Image.fromarray(base.round().astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(image)
    xs = np.arange(0, w + 8, 8, dtype=np.float32)
    spacing = rng.uniform(0.012, 0.02) * w
    for family in range(rng.choice((1, 2))):
        lam, lam2 = rng.uniform(0.15, 0.35) * w, rng.uniform(0.05, 0.1) * w
        amp, amp2 = rng.uniform(0.01, 0.03) * h, rng.uniform(0.002, 0.008) * h
        phase = rng.uniform(0, 2 * math.pi)
        slope = rng.uniform(-0.15, 0.15) if family else 0.0
        y0 = -0.2 * h
        while y0 < 1.2 * h:
            ys = y0 + slope * xs + amp * np.sin(2 * np.pi * xs / lam + phase) + amp2 * np.sin(2 * np.pi * xs / lam2)
            draw.line(list(zip(xs.tolist(), ys.tolist())), fill=style.line_color, width=1)
            y0 += spacing
    return image


def _silhouette(canvas: _Canvas, box_f: tuple[float, float, float, float]) -> None:
    """Head-and-shoulders shapes in grey where a real card has the photo."""
    x0, y0, x1, y1 = box_f[0] * canvas.w, box_f[1] * canvas.h, box_f[2] * canvas.w, box_f[3] * canvas.h
    layer = Image.new("L", canvas.image.size, 0)
    d = ImageDraw.Draw(layer)
    cx, bw, bh = (x0 + x1) / 2, x1 - x0, y1 - y0
    grey = canvas.rng.randint(140, 175)
    d.ellipse([cx - 0.21 * bw, y0 + 0.12 * bh, cx + 0.21 * bw, y0 + 0.56 * bh], fill=255)  # head
    d.rectangle([cx - 0.1 * bw, y0 + 0.48 * bh, cx + 0.1 * bw, y0 + 0.7 * bh], fill=255)  # neck
    d.ellipse([x0, y0 + 0.64 * bh, x1, y1 + 0.5 * bh], fill=255)  # shoulders
    clip = Image.new("L", canvas.image.size, 0)  # everything ends at the photo area's edges
    ImageDraw.Draw(clip).rectangle([x0, y0, x1, y1], fill=255)
    layer = ImageChops.multiply(layer, clip)
    layer = layer.filter(ImageFilter.GaussianBlur(1.2))
    canvas.image.paste(Image.new("RGB", canvas.image.size, (grey, grey, grey + 4)), mask=layer)


def _wrap(canvas: _Canvas, text: str, face: str, size: int, max_width: float) -> list[str]:
    font = _fonts.load(_fonts.covering(face, text), size)
    lines, line = [], ""
    for ch in text:
        if line and font.getlength(line + ch) > max_width:
            lines.append(line)
            line = ""
        line += ch
    return [*lines, line]


def render_card(person: dict, side: str, rng: random.Random | np.random.Generator,
                style: CardStyle | None = None) -> tuple[Image.Image, dict[str, list[float]]]:
    """One side of the card as an RGB image, plus each field value's box [x0, y0, x1, y1] in pixels."""
    rng = _as_random(rng)
    style = style or make_style(rng)
    canvas = _Canvas(style, rng)
    (_render_front if side == "front" else _render_back)(canvas, person)
    return canvas.image, canvas.boxes


def render_front(person: dict, rng: random.Random | np.random.Generator,
                 style: CardStyle | None = None) -> Image.Image:
    return render_card(person, "front", rng, style)[0]


def render_back(person: dict, rng: random.Random | np.random.Generator,
                style: CardStyle | None = None) -> Image.Image:
    return render_card(person, "back", rng, style)[0]


def _render_front(c: _Canvas, p: dict) -> None:
    s = c.style
    _silhouette(c, (0.64, 0.13, 0.92, 0.76))
    c.mark(0.76, 0.065)
    vsize = c.size(0.058)
    vx = 0.185
    c.label(0.075, 0.2, "姓名")
    c.boxes["name"] = c.text(c.px(vx, 0.2), p["name"], s.value_font, vsize, s.text_color, spacing=vsize * 0.08)
    c.label(0.075, 0.315, "性别")
    c.boxes["sex"] = c.text(c.px(vx, 0.315), p["sex"], s.value_font, vsize, s.text_color)
    c.label(0.33, 0.315, "民族")
    c.boxes["ethnicity"] = c.text(c.px(0.44, 0.315), p["ethnicity"], s.value_font, vsize, s.text_color)

    c.label(0.075, 0.43, "出生")
    birth = dt.date.fromisoformat(p["birth_date"])
    x, y = c.px(vx, 0.43)
    lsize, digit = c.size(0.05), _fonts.load(_fonts.covering(s.value_font, "0"), vsize).getlength("00")
    parts = []
    for value, unit in ((f"{birth.year}", "年"), (f"{birth.month}", "月"), (f"{birth.day}", "日")):
        slot = c.width_of(value, s.value_font, vsize) if unit == "年" else digit
        vw = c.width_of(value, s.value_font, vsize)
        parts.append(c.text((x + (slot - vw) / 2, y), value, s.value_font, vsize, s.text_color))
        x += slot + vsize * 0.35
        parts.append(c.text((x, y), unit, s.label_font, lsize, s.label_color))
        x += lsize + vsize * 0.35
    c.boxes["birth_date"] = _union(parts)

    c.label(0.075, 0.545, "住址")
    size, max_w = vsize, 0.6 * c.w - vx * c.w
    while len(lines := _wrap(c, p["address"], s.value_font, size, max_w)) > 3:
        size = round(size * 0.92)
    x, y = c.px(vx, 0.545)
    step = 0.085 * c.h * size / vsize
    c.boxes["address"] = _union(
        [c.text((x, y + i * step), line, s.value_font, size, s.text_color) for i, line in enumerate(lines)]
    )

    c.label(0.075, 0.86, "公民身份号码", spread=False)
    nsize = c.size(0.068)
    target = 0.52 * c.w
    glyphs = c.width_of(p["id_number"], s.number_font, nsize)
    spacing = max(nsize * 0.05, (target - glyphs) / 17)
    c.boxes["id_number"] = c.text(c.px(0.355, 0.86), p["id_number"], s.number_font, nsize, s.text_color, spacing)


def _render_back(c: _Canvas, p: dict) -> None:
    s = c.style
    # Where the state emblem sits on a real card: left empty on purpose, holding only the 样本 mark.
    x0, y0, x1, y1 = 0.07 * c.w, 0.08 * c.h, 0.245 * c.w, 0.38 * c.h
    fill = tuple(min(255, v + 6) for v in s.background[0])
    c.draw.rounded_rectangle([x0, y0, x1, y1], radius=0.02 * c.w, fill=fill, outline=s.line_color, width=2)
    c.mark(0.098, 0.23, size_fh=0.07)

    for text, fy, fh in (("中华人民共和国", 0.18, 0.085), ("居民身份证", 0.35, 0.12)):
        size = c.size(fh)
        span = 0.56 * c.w
        spacing = (span - c.width_of(text, s.title_font, size)) / (len(text) - 1)
        c.text(c.px(0.33, fy), text, s.title_font, size, s.text_color, spacing=spacing)

    vsize = c.size(0.058)
    vx, max_w = 0.38, 0.58 * c.w
    c.label(0.19, 0.73, "签发机关", spread=False)
    size = vsize
    while c.width_of(p["issuing_authority"], s.value_font, size) > max_w:
        size = round(size * 0.94)
    c.boxes["issuing_authority"] = c.text(c.px(vx, 0.73), p["issuing_authority"], s.value_font, size, s.text_color)
    c.label(0.19, 0.86, "有效期限", spread=False)
    until = p["valid_until"]
    text = f"{_dotted(p['valid_from'])}-{until if until == LONG_TERM else _dotted(until)}"
    box = c.text(c.px(vx, 0.86), text, s.value_font, vsize, s.text_color)
    c.boxes["valid_from"] = c.boxes["valid_until"] = box  # printed as one string


def _dotted(iso: str) -> str:
    return iso.replace("-", ".")


def _union(boxes) -> list[float]:
    return [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)]


def _quad(box) -> list[list[float]]:
    x0, y0, x1, y1 = box
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]


def _rounded_mask(size: tuple[int, int], radius: float) -> Image.Image:
    scale = 4  # drawn large then reduced, for smooth corners
    big = Image.new("L", (size[0] * scale, size[1] * scale), 0)
    ImageDraw.Draw(big).rounded_rectangle([0, 0, big.width - 1, big.height - 1], radius=radius * scale, fill=255)
    return big.resize(size, Image.LANCZOS)


# ---------------------------------------------------------------------------------------------
# Captures: camera photo and A4 photocopy
# ---------------------------------------------------------------------------------------------


def _np_rng(rng: random.Random) -> np.random.Generator:
    return np.random.default_rng(rng.getrandbits(64))


def _transform(points, matrix) -> np.ndarray:
    pts = np.asarray(points, np.float64).reshape(-1, 1, 2)
    return cv2.perspectiveTransform(pts, np.asarray(matrix, np.float64)).reshape(-1, 2)


def _desk(fw: int, fh: int, rng: random.Random, g: np.random.Generator) -> np.ndarray:
    """A desk-like background: wood, a document-camera platen, a counter mat or cloth."""
    kind = rng.choice(("wood", "platen", "platen", "mat", "cloth"))
    yy, xx = np.mgrid[0:fh, 0:fw].astype(np.float32)
    low = cv2.resize(g.normal(0, 1, (6, 8)).astype(np.float32), (fw, fh), interpolation=cv2.INTER_CUBIC)
    if kind == "wood":
        base = np.array([rng.uniform(120, 175), rng.uniform(80, 115), rng.uniform(45, 75)], np.float32)
        streak = cv2.resize(g.normal(0, 1, (max(2, fh // 6), 6)).astype(np.float32), (fw, fh),
                            interpolation=cv2.INTER_CUBIC)
        grain = 0.08 * np.sin(yy / rng.uniform(3, 7) + 3 * streak) + 0.06 * streak + 0.04 * low
    elif kind == "platen":
        base = np.full(3, rng.uniform(215, 245), np.float32) + np.array([0, 0, rng.uniform(-4, 6)], np.float32)
        grain = 0.02 * low + 0.03 * (xx / fw - 0.5)
    elif kind == "mat":
        base = np.array(rng.choice(((40, 80, 60), (60, 62, 68), (40, 55, 90))), np.float32) * rng.uniform(0.8, 1.3)
        grain = 0.05 * low + g.normal(0, 0.02, (fh, fw)).astype(np.float32)
    else:
        grey = rng.uniform(80, 190)  # muted cloth: grey with a slight cast
        base = np.array([grey + rng.uniform(-18, 18) for _ in range(3)], np.float32)
        weave = 0.03 * np.sin(xx * 1.3) * np.sin(yy * 1.3)
        grain = 0.06 * low + weave
    return np.clip(base[None, None, :] * (1 + grain[..., None]), 0, 255)


def _place_quad(rng: random.Random, g: np.random.Generator, tw: float, fw: int, fh: int, angle: float,
                cut_off: bool, hard: bool = False) -> np.ndarray:
    """The card's four corners in the frame: keystoned, rotated, then positioned."""
    th = tw * CARD_MM[1] / CARD_MM[0]
    pts = np.array([[-tw / 2, -th / 2], [tw / 2, -th / 2], [tw / 2, th / 2], [-tw / 2, th / 2]])
    i, j = ((0, 1), (1, 2), (2, 3), (3, 0))[rng.randrange(4)]  # the edge farther from the lens
    shrink = rng.uniform(0.12, 0.2) if hard else rng.uniform(0.0, 0.1)  # hard: strong keystone (~15 deg tilt)
    mid = (pts[i] + pts[j]) / 2
    pts[i], pts[j] = mid + (pts[i] - mid) * (1 - shrink), mid + (pts[j] - mid) * (1 - shrink)
    pts += g.uniform(-0.012, 0.012, (4, 2)) * tw
    t = math.radians(angle)  # positive = counter-clockwise as seen (y axis points down)
    pts = pts @ np.array([[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]])
    span = pts.max(axis=0) - pts.min(axis=0)
    pts *= min(1.0, 0.94 * fw / span[0], 0.94 * fh / span[1])
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    margin = 0.02 * np.array([fw, fh])
    offset = np.array([rng.uniform(margin[0] - lo[0], fw - margin[0] - hi[0]),
                       rng.uniform(margin[1] - lo[1], fh - margin[1] - hi[1])])
    if cut_off:  # push 20-35 % of the card past one frame edge
        axis, sign = rng.randrange(2), rng.choice((-1, 1))
        out = rng.uniform(0.2, 0.35) * (hi - lo)[axis]
        size = (fw, fh)[axis]
        offset[axis] = (size - hi[axis] + out) if sign > 0 else (-lo[axis] - out)
    return pts + offset


def _camera_shot(card: Image.Image, boxes: dict, rng: random.Random, chosen: set[str], hard: bool = False) -> dict:
    """Photograph the card on a desk; returns image array, corners, boxes, rotation, applied distortions.

    hard: a usable but difficult shot: turned 10-15 degrees, strongly keystoned, under a room light's
    highlight, at about 0.6 x the usual resolution."""
    g = _np_rng(rng)
    applied = ["perspective", "shadow", "uneven_light", "blur", "noise", "jpeg"]
    tw = rng.uniform(190, 260) if "low_resolution" in chosen else rng.uniform(600, 900)
    if hard:
        tw *= 0.6
        applied += ["hard"]
    fw = round(tw / rng.uniform(0.55, 0.8))
    fh = round(fw / rng.choice((4 / 3, 4 / 3, 4 / 3, 16 / 9)))
    if hard:
        angle = rng.choice((-1, 1)) * rng.uniform(10, 15)
    else:
        angle = rng.uniform(-15, 15) if rng.random() < 0.5 else rng.uniform(-4, 4)
    quad = _place_quad(rng, g, tw, fw, fh, angle, "cut_off" in chosen, hard)
    if abs(angle) >= 0.5:
        applied.insert(1, "rotation")

    # Reduce the card first so the perspective warp only resamples mildly.
    edge = max(np.linalg.norm(quad[1] - quad[0]), np.linalg.norm(quad[2] - quad[3]))
    k = min(1.0, edge * 1.1 / card.width)
    small = card.resize((round(card.width * k), round(card.height * k)), Image.LANCZOS)
    cw, ch = small.size
    src = np.array([[0, 0], [cw, 0], [cw, ch], [0, ch]], np.float32)
    matrix = cv2.getPerspectiveTransform(src, quad.astype(np.float32))
    alpha = np.asarray(_rounded_mask((cw, ch), CORNER_RADIUS_MM / CARD_MM[0] * cw), np.float32) / 255
    warped = cv2.warpPerspective(np.asarray(small, np.float32), matrix, (fw, fh), flags=cv2.INTER_LINEAR,
                                 borderMode=cv2.BORDER_REPLICATE)
    a = cv2.warpPerspective(alpha, matrix, (fw, fh), flags=cv2.INTER_LINEAR)[..., None]

    img = _desk(fw, fh, rng, g)
    shadow = cv2.GaussianBlur(a[..., 0], (0, 0), max(1.0, 0.02 * tw))
    shift = np.float32([[1, 0, rng.uniform(-0.015, 0.015) * tw], [0, 1, rng.uniform(0.0, 0.02) * tw]])
    shadow = cv2.warpAffine(shadow, shift, (fw, fh))
    img *= 1 - rng.uniform(0.2, 0.45) * shadow[..., None]
    img = img * (1 - a) + warped * a

    yy, xx = np.mgrid[0:fh, 0:fw].astype(np.float32)
    nx, ny = xx / fw - 0.5, yy / fh - 0.5
    gain = rng.uniform(0.07, 0.12) if "too_dark" in chosen else rng.uniform(0.88, 1.06)
    light = gain * (1 + rng.uniform(-0.25, 0.25) * nx + rng.uniform(-0.25, 0.25) * ny) \
        * (1 - rng.uniform(0, 0.3) * (nx**2 + ny**2))
    img *= light[..., None]

    glare = None
    if "glare_strong" in chosen:  # a burnt-out spot over a field: that text is gone
        field_box = boxes[rng.choice(sorted(boxes))]
        centre = [(field_box[0] + field_box[2]) / 2 * k, (field_box[1] + field_box[3]) / 2 * k]
        cx, cy = _transform([centre], matrix)[0]
        glare = (cx, cy, rng.uniform(0.09, 0.14) * tw, rng.uniform(420, 600))
    elif hard or rng.random() < 0.3:
        w = g.dirichlet(np.ones(4))
        cx, cy = w @ quad
        glare = (cx, cy, rng.uniform(0.05, 0.12) * tw, rng.uniform(30, 80) * gain)  # a room light
        applied.append("glare")
    if glare:
        cx, cy, sigma, peak = glare
        blob = peak * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * sigma**2))
        img += blob[..., None] * np.array([1.0, 1.0, 0.97], np.float32)

    scale = tw / 750
    if "blur_strong" in chosen:
        if rng.random() < 0.5:
            img = cv2.GaussianBlur(img, (0, 0), rng.uniform(2.8, 4.0) * scale)
        else:
            length = max(3, round(rng.uniform(16, 26) * scale))
            kernel = np.zeros((length, length), np.float32)
            kernel[length // 2, :] = 1 / length
            rot = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), rng.uniform(0, 180), 1)
            kernel = cv2.warpAffine(kernel, rot, (length, length))
            img = cv2.filter2D(img, -1, kernel / kernel.sum())
    else:
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.3, 0.9) * max(scale, 0.5))
    sigma = rng.uniform(5, 8) if "too_dark" in chosen else rng.uniform(1.5, 3.5)
    img += g.normal(0, sigma, img.shape).astype(np.float32)
    out_boxes = {name: _transform(_quad([v * k for v in box]), matrix).tolist() for name, box in boxes.items()}
    return {
        "image": np.clip(img, 0, 255).round().astype(np.uint8),
        "corners": quad.tolist(),
        "boxes": out_boxes,
        "rotation": round(angle, 2),
        "distortions": applied + sorted(chosen - {"orientation"}),
    }


A4_SIZE = (1654, 2339)  # 200 dpi


def _a4_copy(person: dict, rng: random.Random) -> dict:
    """Front above back on a grayscale A4 photocopy, as a copier at a service hall makes them."""
    g = _np_rng(rng)
    pw, ph = A4_SIZE
    paper = rng.uniform(236, 250)
    page = np.full((ph, pw), paper, np.float32)
    regions = []
    tw = rng.uniform(680, 900)  # 1:1 copies are ~674 px wide at 200 dpi; some halls enlarge them
    tone = rng.uniform(0.9, 0.98)
    for side, fy in (("front", rng.uniform(0.24, 0.3)), ("back", rng.uniform(0.64, 0.72))):
        style = make_style(rng, width=rng.randint(1000, 1200))
        style = replace(style, mark_color=(205, 120, 120))  # stays visible through the copier's contrast
        card, boxes = render_card(person, side, rng, style)
        gray = np.asarray(card.convert("L"), np.float32)
        lo, hi = rng.uniform(20, 45), rng.uniform(200, 222)  # copier contrast: patterns drop out
        gray = np.clip((gray - lo) / (hi - lo), 0, 1) * 255 * tone
        k = tw / card.width
        th = tw * CARD_MM[1] / CARD_MM[0]
        angle = math.radians(rng.uniform(-2.5, 2.5))
        cx, cy = pw / 2 + rng.uniform(-0.08, 0.08) * pw, fy * ph
        rect = np.array([[-tw / 2, -th / 2], [tw / 2, -th / 2], [tw / 2, th / 2], [-tw / 2, th / 2]])
        rot = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
        quad = rect @ rot + [cx, cy]
        src = np.array([[0, 0], [card.width, 0], [card.width, card.height], [0, card.height]], np.float32)
        matrix = cv2.getPerspectiveTransform(src, quad.astype(np.float32))
        small = cv2.resize(gray, (round(card.width * k), round(card.height * k)), interpolation=cv2.INTER_AREA)
        m_small = cv2.getPerspectiveTransform(src * k, quad.astype(np.float32))
        warped = cv2.warpPerspective(small, m_small, (pw, ph), flags=cv2.INTER_LINEAR, borderValue=255)
        mask = np.asarray(_rounded_mask(card.size, CORNER_RADIUS_MM / CARD_MM[0] * card.width), np.float32) / 255
        a = cv2.warpPerspective(mask, matrix, (pw, ph), flags=cv2.INTER_LINEAR)
        page = page * (1 - a) + warped * a
        rim = np.clip(a - cv2.erode(a, np.ones((3, 3), np.uint8), iterations=2), 0, 1)
        page -= rim * rng.uniform(70, 120)  # the card edge shows as a dark outline on a copy
        regions.append({
            "type": f"id_card_{side}",
            "quad": quad.round(1).tolist(),
            "fields": card_fields(person, side),
            "boxes": {n: _transform(_quad(b), matrix).round(1).tolist() for n, b in boxes.items()},
        })
    page = cv2.GaussianBlur(page, (0, 0), rng.uniform(0.5, 0.85))
    for _ in range(rng.randint(60, 250)):  # toner specks
        x, y = rng.randrange(pw), rng.randrange(ph)
        cv2.circle(page, (x, y), rng.choice((0, 1, 1, 2)), rng.uniform(70, 170), -1)
    if rng.random() < 0.4:  # a faint drum streak
        x = rng.randrange(pw)
        page[:, x : x + rng.randint(1, 3)] -= rng.uniform(15, 35)
    page = np.clip(page, 0, 255)
    page = (np.round(page / 6) * 6).clip(0, 255).astype(np.uint8)  # few grey levels, like toner; small PNGs
    return {"image": page, "regions": regions,
            "distortions": ["photocopy", "grayscale", "skew", "toner_specks"]}


# ---------------------------------------------------------------------------------------------
# Orientation, encoding, generate()
# ---------------------------------------------------------------------------------------------


def _rotate_points(points, orientation: int, w: int, h: int):
    """Where points of a w x h image land after turning the image clockwise by `orientation`."""
    def one(p):
        x, y = p
        return {0: (x, y), 90: (h - y, x), 180: (w - x, h - y), 270: (y, w - x)}[orientation]
    return [[round(v, 1) for v in one(p)] for p in points]


def _orient(image: np.ndarray, orientation: int) -> np.ndarray:
    return np.ascontiguousarray(np.rot90(image, k=-(orientation // 90)))


def _encode(image: np.ndarray, fmt: str, quality: int | None = None) -> bytes:
    buf = io.BytesIO()
    pil = Image.fromarray(image)
    if fmt == "JPEG":
        pil.save(buf, "JPEG", quality=quality, optimize=True)
        return buf.getvalue()
    if pil.mode == "RGB":  # a 256-colour palette halves the file and leaves the text as crisp
        pil = pil.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    pil.save(buf, "PNG", optimize=True)
    return buf.getvalue()


def _rng(seed: int, index: int, *tags: str) -> random.Random:
    """An independent stream per (seed, card, purpose); no global random state is touched."""
    state = np.random.SeedSequence([seed, index, *(zlib.crc32(t.encode()) for t in tags)]).generate_state(2)
    return random.Random(int(state[0]) << 32 | int(state[1]))


def _choose(rng: random.Random, requested, share: float, allowed) -> set[str]:
    chosen = set(requested)
    if share and rng.random() < share:
        chosen.add(rng.choice(sorted(allowed)))
    return chosen


def file_stem(truth: dict) -> str:
    """File name (without extension) the CLI uses for one generated image."""
    if truth["variant"] == "a4_copy":
        return f"a4copy_{truth['card_id']}"
    return f"idcard_{truth['card_id']}_{truth['type'].removeprefix('id_card_')}_{truth['variant']}"


def generate(seed: int, count: int, variant: str = "clean", *, sides=SIDES, distortions=(),
             orientation: int | None = None, random_distortions: float = 0.0, expired_share: float = 0.1,
             width: int | None = None, hard: bool = False) -> list[tuple[bytes, dict]]:
    """`count` card holders; per holder one image per side (clean, camera) or one A4 page (a4_copy).

    distortions: names from OPTIONAL_DISTORTIONS applied to every image (all but `orientation` are
    camera-only); random_distortions: chance per image of one more, drawn at random; orientation:
    force 0/90/180/270 (else random 90/180/270 when `orientation` is among the distortions);
    expired_share: chance a card ended before REFERENCE_DATE; width: card width of clean images;
    hard: camera shots turned 10-15 degrees, strongly keystoned, with a room light's highlight, at about
    0.6 x resolution (usable, so no quality code is expected).
    Returns (encoded bytes, truth) pairs: PNG for clean and a4_copy, JPEG for camera.
    """
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS}")
    allowed = set(OPTIONAL_DISTORTIONS) if variant == "camera" else {"orientation"}
    if unknown := set(distortions) - allowed:
        raise ValueError(f"distortions {sorted(unknown)} not available for variant {variant}")
    if hard and variant != "camera":
        raise ValueError("hard shots are camera shots")
    if orientation not in (None, 0, 90, 180, 270):
        raise ValueError("orientation must be 0, 90, 180 or 270")
    results = []
    for index in range(count):
        prng = _rng(seed, index, "person")
        person = make_person(prng, expired=prng.random() < expired_share)
        card_id = f"s{seed}-{index:04d}"
        for side in ("page",) if variant == "a4_copy" else sides:
            rng = _rng(seed, index, side, variant)
            chosen = _choose(rng, distortions, random_distortions, allowed)
            turn = orientation if orientation is not None else (
                rng.choice((90, 180, 270)) if "orientation" in chosen else 0)
            truth = {"type": None, "variant": variant, "seed": seed, "card_id": card_id,
                     "reference_date": REFERENCE_DATE.isoformat(), "fields": None, "boxes": None,
                     "corners": None, "rotation": 0.0, "orientation": turn, "distortions": [],
                     "expected_quality": sorted(QUALITY_CODES[d] for d in chosen if d in QUALITY_CODES),
                     "regions": None, "image_size": None}
            if variant == "a4_copy":
                shot = _a4_copy(person, rng)
                image = shot["image"]
                h, w = image.shape[:2]
                for region in shot["regions"]:
                    region["quad"] = _rotate_points(region["quad"], turn, w, h)
                    region["boxes"] = {n: _rotate_points(q, turn, w, h) for n, q in region["boxes"].items()}
                truth.update(type="a4_copy", regions=shot["regions"], distortions=shot["distortions"])
                fmt, quality = "PNG", None
            else:
                style = make_style(rng, width=width if variant == "clean" else None)
                card, boxes = render_card(person, side, rng, style)
                truth.update(type=f"id_card_{side}", fields=card_fields(person, side))
                if variant == "clean":
                    image = np.asarray(card)
                    h, w = image.shape[:2]
                    corners, qboxes = _quad([0, 0, w, h]), {n: _quad(b) for n, b in boxes.items()}
                    fmt, quality = "PNG", None
                else:
                    shot = _camera_shot(card, boxes, rng, chosen, hard)
                    image, corners, qboxes = shot["image"], shot["corners"], shot["boxes"]
                    h, w = image.shape[:2]
                    quality = rng.randint(60, 85)
                    truth.update(rotation=shot["rotation"], distortions=shot["distortions"], jpeg_quality=quality)
                    fmt = "JPEG"
                truth["corners"] = _rotate_points(corners, turn, w, h)
                truth["boxes"] = {n: _rotate_points(q, turn, w, h) for n, q in qboxes.items()}
            if turn:
                truth["distortions"] = [*truth["distortions"], "orientation"]
            image = _orient(image, turn)
            truth["image_size"] = [image.shape[1], image.shape[0]]
            results.append((_encode(image, fmt, quality), truth))
    return results


def truth_json(truth: dict) -> str:
    """Truth as indented JSON with each point or box list kept on one line."""
    text = json.dumps(truth, ensure_ascii=False, indent=1)
    return re.sub(r"\[\s+(-?[\d.]+),\s+(-?[\d.]+)\s+\]", r"[\1, \2]", text) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--count", type=int, default=10, help="card holders (one image per side, or one A4 page)")
    parser.add_argument("--variant", choices=VARIANTS, default="clean")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--sides", default="front,back", help="front, back or front,back")
    parser.add_argument("--distort", default="", help=f"comma-separated, from {','.join(OPTIONAL_DISTORTIONS)}")
    parser.add_argument("--orientation", type=int, choices=(0, 90, 180, 270))
    parser.add_argument("--random-distortions", type=float, default=0.0, metavar="SHARE")
    parser.add_argument("--expired-share", type=float, default=0.1, metavar="SHARE")
    parser.add_argument("--width", type=int, help="card width in pixels (clean variant)")
    parser.add_argument("--hard", action="store_true",
                        help="camera shots turned 10-15 degrees, keystoned, glared, at ~0.6 x resolution")
    parser.add_argument("--by-type", action="store_true",
                        help="write into OUT/id_card_front, OUT/id_card_back and OUT/a4_copies")
    args = parser.parse_args(argv)
    sides = tuple(s for s in args.sides.split(",") if s)
    if not sides or set(sides) - set(SIDES):
        parser.error("--sides takes front, back or front,back")
    try:
        items = generate(args.seed, args.count, args.variant, sides=sides,
                         distortions=tuple(d for d in args.distort.split(",") if d),
                         orientation=args.orientation, random_distortions=args.random_distortions,
                         expired_share=args.expired_share, width=args.width, hard=args.hard)
    except ValueError as exc:
        parser.error(str(exc))
    for data, truth in items:
        folder = args.out
        if args.by_type:
            folder = folder / ("a4_copies" if truth["type"] == "a4_copy" else truth["type"])
        folder.mkdir(parents=True, exist_ok=True)
        stem = file_stem(truth)
        ext = ".jpg" if truth["variant"] == "camera" else ".png"
        (folder / f"{stem}{ext}").write_bytes(data)
        (folder / f"{stem}.json").write_text(truth_json(truth), encoding="utf-8")
    print(f"wrote {len(items)} images to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
