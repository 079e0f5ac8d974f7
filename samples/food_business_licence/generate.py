"""Seeded generator of 食品经营许可证 (food_business_licence) pages with ground truth, beside its samples.

Built on samples/generate_documents.py: the same fictional businesses and people (make_case), page furniture
(样本 mark, fonts, ink), variants (`clean` PNG at 200 dpi, `camera` JPEG of the page on a desk) and truth format.
The licence follows the 2023 template: the title, 许可证编号 (JY, 主体业态 digit, the county code, a serial number
and a check digit — invented, only the form is real), labelled rows, then 有效期至 (five years less a day),
发证机关 with its seal, 签发人 and the date of issue. Everyone and every number is fictional.

The committed set (this folder):

    .venv/bin/python samples/food_business_licence/generate.py --seed 7 --count 2 --variant clean
    .venv/bin/python samples/food_business_licence/generate.py --seed 7 --count 1 --variant camera
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
import _sheet  # noqa: E402
import generate_documents as gd  # noqa: E402
import generate_idcards as idg  # noqa: E402
from _sheet import Sheet  # noqa: E402

TYPE = "food_business_licence"
REFERENCE_DATE = gd.REFERENCE_DATE
FORMS = (("1", "食品销售经营者（商场超市）"), ("1", "食品销售经营者（便利店）"), ("1", "食品销售经营者（食杂店）"),
         ("2", "餐饮服务经营者（小型餐馆）"), ("2", "餐饮服务经营者（饮品店）"), ("3", "单位食堂（职工食堂）"))
ITEMS = ("预包装食品（含冷藏冷冻食品）销售", "散装食品（不含冷藏冷冻食品）销售", "热食类食品制售", "冷食类食品制售",
         "自制饮品制售", "保健食品销售", "特殊医学用途配方食品销售")


def licence_number(rng: random.Random, form_digit: str, county_code: str) -> str:
    digits = form_digit + county_code + f"{rng.randrange(1_000_000):06d}"
    return "JY" + digits + str(sum(int(c) for c in digits) % 10)


def food_business_licence(case: dict, rng: random.Random) -> tuple[list[Sheet], list[dict]]:
    s = gd.make_style(rng)
    sheet = Sheet(210, 297)
    sheet.paper = (rng.randint(248, 255), rng.randint(246, 252), rng.randint(238, 248))
    frame = (rng.randint(40, 80), rng.randint(110, 150), rng.randint(60, 100))
    sheet.rect(10, 10, 200, 287, width=1.8, color=frame)
    gd.mark(sheet, 22, 275)
    form_digit, business_form = rng.choice(FORMS)
    items = "，".join(rng.sample(ITEMS, rng.randint(1, 3)))
    issued = gd._day(rng, REFERENCE_DATE - dt.timedelta(days=1500), REFERENCE_DATE - dt.timedelta(days=20))
    until = issued.replace(year=issued.year + 5) - dt.timedelta(days=1)
    issuer = idg.make_person(rng)["name"]
    fields = {
        "licence_number": licence_number(rng, form_digit, case["premises_place"].code),
        "operator_name": case["business_name"], "credit_code": case["credit_code"],
        "legal_representative": case["operator"]["name"], "address": case["premises"],
        "premises_address": case["premises"], "business_form": business_form, "business_items": items,
        "valid_until": until.isoformat(), "issuing_authority": case["authority"], "issuer": issuer,
        "issued_on": issued.isoformat(),
    }
    tpt = rng.uniform(30, 36)
    gd.title(sheet, s, "食品经营许可证", 42, pt=tpt, spacing=tpt * _sheet.PT_MM * 0.25)
    em = s.pt * _sheet.PT_MM
    lead = em * 2.3
    rows = [("许可证编号", "licence_number"), ("经营者名称", "operator_name"), ("社会信用代码（身份证号码）", "credit_code"),
            ("法定代表人（负责人）", "legal_representative"), ("住所", "address"), ("经营场所", "premises_address"),
            ("主体业态", "business_form"), ("经营项目", "business_items"), ("有效期至", "valid_until"),
            ("发证机关", "issuing_authority"), ("签发人", "issuer")]
    shown = {**fields, "valid_until": gd.fmt_date(until, "zh0")}
    lx, y = 24, 70
    for label, key in rows:  # values in a column after the short labels, right after the long ones
        vx = lx + max(6.2, len(label) + 1.2) * em
        y = gd._labelled(sheet, s, lx, vx, y, label, shown[key], 190 - vx, key, lead)
    date_y = max(y + 18, 250)
    sheet.text(132, date_y, gd.fmt_date(issued, rng.choice(("zh0", "zh"))), s.value, s.pt, color=s.ink, key="issued_on")
    gd.seal(sheet, rng, 150 + rng.uniform(-4, 4), date_y - 26 + rng.uniform(-3, 3), case["authority"], diameter=38)
    return [sheet], [fields]


gd.RENDERERS[TYPE] = food_business_licence  # generate_documents.page_images / render_document draw it


def generate(seed: int, count: int, variant: str = "clean") -> list[tuple[bytes, dict]]:
    """`count` licences, one image each (clean PNG or camera JPEG), with truth."""
    return [item for index in range(count) for item in gd.page_images(seed, index, TYPE, variant)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--count", type=int, default=2)
    parser.add_argument("--variant", choices=("clean", "camera"), default="clean")
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args(argv)
    items = generate(args.seed, args.count, args.variant)
    args.out.mkdir(parents=True, exist_ok=True)
    for data, truth in items:
        stem = gd.file_stem(truth)
        (args.out / f"{stem}{gd.extension(truth)}").write_bytes(data)
        (args.out / f"{stem}.json").write_text(gd.truth_json(truth), encoding="utf-8")
    print(f"wrote {len(items)} files to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
