"""容缺受理信用承诺书 (tolerance_commitment) samples: the project's own commitment form (validators/notices_pdf.py,
kind `commitment`) rendered at 200 dpi, its 承诺人（签字或盖章） area signed by samples/signatures.py `draw_signature`
in one of the signed kinds, or left blank.

    .venv/bin/python samples/generate_commitments.py [--out samples/tolerance_commitment]

    page(seed, kind) -> (PNG bytes, truth)   # truth: the fields a person reads off the page
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import random
import sys
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import signatures  # noqa: E402
from validators.halls import Hall  # noqa: E402
from validators.notices_pdf import NoticeData, render  # noqa: E402

DPI = 200
HALL = Hall(code="h1", name="济宁市政务服务中心", agency="济宁市市场监督管理局", agency_credit_code="11000000000000000U",
            locality="山东省济宁市", address="济宁市任城区太白楼中路1号", phone="0537-1234567", hours="工作日9:00-17:00",
            review_body="济宁市人民政府", court="济宁市任城区人民法院", number_pattern="济市监受字〔{year}〕第{seq:04d}号",
            signoff_role="窗口负责人")
NAMES = ("陆雨甦", "段燕", "王伟", "黄海鑫", "丁德静", "任珺辉")
LABEL = "承诺人（签字或盖章）："


def form_pdf(seed: int) -> tuple[bytes, dict]:
    rng = random.Random(f"commitment/{seed}")
    name = rng.choice(NAMES)
    number = f"h1-2026-{rng.randint(1, 9999):06d}"
    data = NoticeData(kind="commitment", hall=HALL, case_number=number, item_name="个体工商户设立登记",
                      situation_name="经营者本人办理", applicant_name=name, applicant_id="110105199003071239",
                      issued_on=dt.date(2026, 11, 2), received_on=dt.date(2026, 11, 2), clerk_number="C0231",
                      query_code="K7M2Q9XH3T", tolerance=(("经营场所使用证明", dt.date(2026, 11, 9)),))
    return render(data), {"applicant_name": name, "case_number": number}


def _signature_area(pdf: bytes) -> list[float]:
    """The blank after 承诺人（签字或盖章）： up to 日期, in PDF points."""
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        chars = doc.pages[-1].chars
    text = "".join(c["text"] for c in chars)
    at = text.index(LABEL) + len(LABEL) - 1
    end = chars[at]
    date = text.index("日期", at)
    return [end["x1"] + 2, end["top"] - 14, chars[date]["x0"] - 8, end["bottom"] + 4]


def page(seed: int, kind: str) -> tuple[bytes, dict]:
    pdf, truth = form_pdf(seed)
    area = [v * DPI / 72 for v in _signature_area(pdf)]
    doc = pdfium.PdfDocument(pdf)
    image = doc[len(doc) - 1].render(scale=DPI / 72).to_pil().convert("RGB")
    drawn = signatures.draw_signature(image, area, kind, truth["applicant_name"], random.Random(f"{seed}/{kind}"))
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue(), {"type": "tolerance_commitment", "kind": kind, "seed": seed,
                            "fields": {**truth, "signed": drawn["signed"]}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "tolerance_commitment")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for seed, kind in ((1, "scribble"), (2, "brush_name"), (3, "blank_underline")):
        png, truth = page(seed, kind)
        stem = f"tolerance_commitment_s{seed}_{kind}"
        (args.out / f"{stem}.png").write_bytes(png)
        (args.out / f"{stem}.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
