"""`yichuang keys create|list|revoke|rotate` as an operator runs them (in-process through `api.cli.main`, for
speed; tests/api/test_cli.py runs `keys create` as a real process): the database of the data directory, secrets
printed once on standard output and nowhere else, every change audited via cli."""

import json
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from api import auth, cli
from pipeline.settings import Settings
from storage.db import make_engine
from storage.repository import Repository
from workers.wiring import secret_key


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture()
def run(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("YICHUANG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("YICHUANG_ENV", "test")

    def invoke(_tmp_path, *args: str) -> Ran:
        code = cli.main(["keys", *args])
        out, err = capsys.readouterr()
        return Ran(code, out, err)

    return invoke


def test_keys_list_revoke_rotate_from_the_shell(tmp_path, run):
    created = run(tmp_path, "create", "--role", "integrator", "--hall", "portal", "--label", "一网通办",
                  "--scopes", "cases:read,verify", "--bind-halls", "hall-A,hall-B", "--expires", "2099-12-31")
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip()
    key_id = auth.parse_key(key)
    assert key_id and created.stdout == key + "\n"

    listed = run(tmp_path, "list", "--json")
    assert listed.returncode == 0, listed.stderr
    [entry] = json.loads(listed.stdout)
    assert entry["id"] == key_id and entry["scopes"] == ["cases:read", "verify"] and entry["halls"] == ["hall-A", "hall-B"]
    assert entry["state"] == "active" and entry["expires_at"].startswith("2099-12-31T15:59:59")  # 23:59:59 in Shanghai
    assert key.split("_", 2)[2] not in listed.stdout
    human = run(tmp_path, "list")
    assert key_id in human.stdout and "cases:read,verify" in human.stdout and "一网通办" in human.stdout

    rotated = run(tmp_path, "rotate", key_id, "--overlap", "0")
    assert rotated.returncode == 0, rotated.stderr
    new = rotated.stdout.strip()
    assert auth.parse_key(new) == key_id and new != key and "已立即失效" in rotated.stderr
    repo = Repository(make_engine(f"sqlite:///{tmp_path / 'yichuang.sqlite'}"))
    secret = secret_key(Settings(data_dir=tmp_path))
    assert auth.authenticate(repo, secret, key) is None and auth.authenticate(repo, secret, new) is not None

    revoked = run(tmp_path, "revoke", key_id)
    assert revoked.returncode == 0 and key_id in revoked.stdout
    assert auth.authenticate(repo, secret, new) is None
    assert json.loads(run(tmp_path, "list", "--json").stdout) == []
    assert json.loads(run(tmp_path, "list", "--json", "--all").stdout)[0]["state"] == "revoked"
    assert run(tmp_path, "rotate", key_id).returncode == 2, "a revoked key cannot be rotated"
    assert run(tmp_path, "revoke", "0123456789abcdef").returncode == 2

    with repo.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT action, target_id, actor, detail FROM audit_events WHERE action LIKE 'key.%' "
                                    "ORDER BY id")).all()
    actions = [r.action for r in rows]
    assert {"key.create", "key.rotate", "key.revoke", "key.list"} <= set(actions)
    assert all(r.actor == "system" and '"via": "cli"' in r.detail.replace('":"', '": "') for r in rows)
    text = " ".join(str(tuple(r)) for r in rows)
    assert key.split("_", 2)[2] not in text and new.split("_", 2)[2] not in text
    repo.engine.dispose()


def test_keys_create_refuses_unknown_scopes_and_binding_for_other_roles(tmp_path, run):
    bad = run(tmp_path, "create", "--role", "clerk", "--hall", "h", "--label", "x", "--scopes", "everything")
    assert bad.returncode == 2 and "everything" in bad.stderr and bad.stdout == ""
    bound = run(tmp_path, "create", "--role", "clerk", "--hall", "h", "--label", "x", "--bind-halls", "A")
    assert bound.returncode == 2 and bound.stdout == ""
