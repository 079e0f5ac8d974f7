"""Hall configuration as data: the shipped example validates and says it is an example, broken files are
refused with Chinese problems naming the field, `yichuang halls validate` exits 0/1, and a hall without a file
is a visible placeholder and a startup warning."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from api.halls import hall_config, unconfigured
from pipeline.settings import Settings
from validators.halls import Hall, HallError, load_hall, parse_hall, placeholder, validate_file

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "samples" / "halls" / "default.yaml"
GOOD = EXAMPLE.read_text(encoding="utf-8")


def test_the_shipped_example_is_valid_and_marked_as_an_example():
    assert validate_file(EXAMPLE) == []
    hall = load_hall(EXAMPLE.parent, "default")
    assert hall.example and "示例" in hall.name and "示例" in hall.agency and "示例" in hall.review_body
    assert hall.document_number(2026, 7) == "示市监受字〔2026〕第0007号"


@pytest.mark.parametrize(("change", "where", "words"), [
    (("agency_credit_code: 11000000000000000U", "agency_credit_code: 110000000000000000"), "agency_credit_code", "统一社会信用代码"),
    (('number_pattern: "示市监受字〔{year}〕第{seq:04d}号"', 'number_pattern: "示市监受字第{seq}号"'), "number_pattern", "{year}"),
    (("court: 示例市示例区人民法院（示例）\n", ""), "court", "缺少此项"),
    (("signoff_role: 窗口负责人", "signoff_role: 窗口负责人\nseal: x.png"), "seal", "不允许的字段"),
    (("# seal_image: default-seal.png", "seal_image: missing-seal.png"), "seal_image", "找不到印章图像"),
])
def test_a_broken_file_is_refused_naming_the_field(tmp_path, change, where, words):
    path = tmp_path / "default.yaml"
    assert change[0] in GOOD
    path.write_text(GOOD.replace(change[0], change[1]), encoding="utf-8")
    problems = validate_file(path)
    assert any(where in p and words in p for p in problems), problems
    with pytest.raises(HallError):
        load_hall(tmp_path, "default")


def test_the_file_name_is_the_hall_code(tmp_path):
    (tmp_path / "hall-2.yaml").write_text(GOOD, encoding="utf-8")
    assert any("文件名" in p for p in validate_file(tmp_path / "hall-2.yaml"))
    with pytest.raises(HallError):
        parse_hall("- a list", "x.yaml")


def test_a_hall_without_a_file_is_a_visible_placeholder_with_a_warning(tmp_path, caplog):
    settings = Settings(data_dir=tmp_path)
    with caplog.at_level(logging.WARNING, logger="api.halls"):
        hall, seal = hall_config(settings, "hall-7")
    assert hall == placeholder("hall-7") and seal is None and not hall.configured
    assert "未配置" in hall.agency and "未配置" in hall.court and "未配置" in hall.name
    assert any("hall-7" in r.getMessage() for r in caplog.records)
    (tmp_path / "halls").mkdir()
    seal_png = (tmp_path / "halls" / "seal.png")
    seal_png.write_bytes(b"\x89PNG fake")
    (tmp_path / "halls" / "default.yaml").write_text(
        GOOD.replace("# seal_image: default-seal.png", "seal_image: seal.png"), encoding="utf-8")
    hall, seal = hall_config(settings, "default")
    assert isinstance(hall, Hall) and hall.configured and seal == b"\x89PNG fake"
    assert unconfigured(settings, ["default", "hall-7", "default"]) == ["hall-7"]


def run(*args: str, data_dir: Path):
    env = {**os.environ, "YICHUANG_DATA_DIR": str(data_dir), "YICHUANG_ENV": "test"}
    return subprocess.run([sys.executable, "-m", "api.cli", *args], env=env, capture_output=True, text=True, cwd=ROOT,
                          timeout=120)


def test_halls_validate_command(tmp_path):
    ok = run("halls", "validate", str(EXAMPLE), data_dir=tmp_path)
    assert ok.returncode == 0 and "通过" in ok.stdout, ok.stderr
    none = run("halls", "validate", data_dir=tmp_path)
    assert none.returncode == 1 and "samples/halls/default.yaml" in none.stderr
    (tmp_path / "halls").mkdir()
    (tmp_path / "halls" / "default.yaml").write_text(GOOD.replace("phone: 0000-00000000（示例）\n", ""), encoding="utf-8")
    bad = run("halls", "validate", data_dir=tmp_path)
    assert bad.returncode == 1 and "phone" in bad.stderr and "有 1 处错误" in bad.stdout


def test_serve_warns_at_startup_about_halls_with_keys_but_no_configuration(tmp_path, caplog, capsys):
    from api.cli import _warn_unconfigured_halls
    from storage.db import make_engine, migrate
    from storage.repository import Repository

    engine = make_engine(f"sqlite:///{tmp_path}/k.sqlite")
    migrate(engine)
    repo = Repository(engine)
    for n, hall in enumerate(("default", "hall-3")):
        repo.add_key(key_id=f"k{n}" * 8, key_hash="h" * 64, role="clerk", hall=hall, label="x")
    (tmp_path / "halls").mkdir()
    (tmp_path / "halls" / "default.yaml").write_text(GOOD, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="api.cli"):
        _warn_unconfigured_halls(Settings(data_dir=tmp_path), repo)
    warned = [r.getMessage() for r in caplog.records]
    assert len(warned) == 1 and "hall-3" in warned[0]
    assert "大厅 hall-3 未配置" in capsys.readouterr().err
    engine.dispose()
