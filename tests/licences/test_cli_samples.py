"""`yichuang licences import` and the committed sample library (regenerated from its seed, verified)."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.cli import main
from pipeline.interfaces import SHANGHAI
from pipeline.library import LicenceStatus, status_from_source
from pipeline.settings import Settings
from storage.db import make_engine
from storage.licences import EmbeddedLicenceLibrary
from storage.models import AuditEvent
from storage.objects import LocalStore
from tests.licences.helpers import INDEX, RECORDS, SAMPLE, ZHANG
from validators.signatures import Verifier


def test_cli_import_then_reimport(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("YICHUANG_DATA_DIR", str(tmp_path))
    assert main(["licences", "import", str(INDEX)]) == 0
    assert capsys.readouterr().out.strip() == f"导入完成：新增 {len(RECORDS)} 条，更新 0 条，证照文件 4 个"
    assert main(["licences", "import", str(INDEX), "--files", str(SAMPLE)]) == 0
    assert capsys.readouterr().out.strip() == f"导入完成：新增 0 条，更新 {len(RECORDS)} 条，证照文件 4 个"
    settings = Settings(data_dir=tmp_path)
    engine = make_engine(settings.resolved_database_url())
    library = EmbeddedLicenceLibrary(engine, LocalStore(settings.objects_dir()))
    assert library.count() == len(RECORDS)
    assert [c.status for c in library.by_holder(ZHANG, "111", "id_card", dt.date(2026, 11, 23))] == \
        [LicenceStatus.VALID, LicenceStatus.CANCELLED]
    with Session(engine) as session:
        events = list(session.scalars(select(AuditEvent).where(AuditEvent.action == "licence.import")))
    assert [(e.detail["created"], e.detail["updated"]) for e in events] == [(len(RECORDS), 0), (0, len(RECORDS))]
    engine.dispose()


def test_cli_import_reports_every_bad_row_and_imports_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("YICHUANG_DATA_DIR", str(tmp_path))
    rows = [dict(RECORDS[0]), {**RECORDS[2], "status": "09"}, {**RECORDS[3], "file": "files/none.pdf"}]
    rows[0]["file"] = str(SAMPLE / rows[0]["file"])  # absolute paths work too
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    assert main(["licences", "import", str(path), "--files", str(SAMPLE)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("bad.json:") and "未知的证照状态“09”" in err[0]
    line = int(err[0].split(":")[1])
    assert path.read_text(encoding="utf-8").splitlines()[line - 1].strip() == "{", "the line where the object starts"
    assert err[1].endswith(f"找不到证照文件：files/none.pdf（相对于 {SAMPLE}）")
    assert err[-1] == f"{path}: 有 2 处错误，未导入任何证照"
    engine = make_engine(Settings(data_dir=tmp_path).resolved_database_url())
    assert EmbeddedLicenceLibrary(engine, None).count() == 0
    engine.dispose()


def test_the_sample_library_is_regenerated_identically_and_its_files_verify(tmp_path):
    from samples.generate_licences import generate

    written = generate(tmp_path)
    assert (tmp_path / "index.json").read_text(encoding="utf-8") == INDEX.read_text(encoding="utf-8")
    assert (tmp_path / "test_ca.pem").read_bytes() == (SAMPLE / "test_ca.pem").read_bytes()
    statuses = {status_from_source(r["status"]) for r in written}
    assert statuses == set(LicenceStatus) - {LicenceStatus.OTHER}, "every status the library knows is in the sample"
    verifier = Verifier(SAMPLE)
    at = dt.datetime(2026, 11, 23, 10, tzinfo=SHANGHAI)
    for r in written:
        if "file" not in r:
            continue
        for folder in (SAMPLE, tmp_path):  # the committed files and freshly signed ones
            (result,) = verifier.verify((folder / r["file"]).read_bytes(), "pdf", at)
            assert (result.intact, result.trusted, result.covers_whole_file, result.later_changes) == (True, True, True, "none")
            assert result.signed_by == r["issuer"] and result.signed_at.startswith("2026-06-01T10:00:00")
