"""容缺受理信用承诺书 (tolerance_commitment) read by OCR from the project's own commitment form (samples/
generate_commitments.py): recognised by its title, the 承诺人 read off the 申请人 line, the case number, and
`signed` judged from the ink of the 承诺人（签字或盖章） area, signed or left blank."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

from pipeline.interfaces import SHANGHAI

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "samples"))
import generate_commitments as gc  # noqa: E402

AT = dt.datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)


@pytest.mark.slow
@pytest.mark.parametrize(("seed", "kind"), [(1, "scribble"), (2, "brush_name"), (3, "blank_underline")])
def test_a_signed_and_an_unsigned_commitment_page(deps_factory, seed, kind):
    from pipeline.runner import make_upload, process

    data, truth = gc.page(seed, kind)
    docs = process(make_upload(data, "commitment.png", AT), data, deps_factory(), AT)
    (doc,) = docs
    assert doc.type == "tolerance_commitment"
    values = {name: f.value for name, f in doc.fields.items()}
    assert values["applicant_name"] == truth["fields"]["applicant_name"]
    assert values["case_number"] == truth["fields"]["case_number"]
    assert "applicant_id_number" not in values, "the form prints the number masked: nothing to read"
    assert values["signed"] is truth["fields"]["signed"] is (kind != "blank_underline")
    assert [h.area for h in doc.handwriting] == ["signature"]
