"""`yichuang keys create|list|revoke|rotate`: API keys from the shell of the machine that runs the service (the
same operations as /api/v1/keys, api/keys.py). Each change is audited (`key.create`, `key.revoke`, `key.rotate`,
via cli; the actor is the system). A new key or a rotated secret is printed once on standard output and nowhere
else; lists never show secrets.
"""

from __future__ import annotations

import datetime as dt
import json
import sys

from pipeline.interfaces import SHANGHAI
from workers.wiring import secret_key

EXIT_OK, EXIT_INFRA, EXIT_USAGE = 0, 1, 2
ROLES = ["clerk", "applicant", "reviewer", "integrator", "admin"]


def add_parser(sub) -> None:
    keys = sub.add_parser("keys", help="manage API keys")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    create = keys_sub.add_parser("create", help="create a key (shown once)")
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--hall", required=True)
    create.add_argument("--label", required=True)
    create.add_argument("--scopes", help="comma-separated scopes that narrow the role (default: its full rights)")
    create.add_argument("--bind-halls", help="integrator keys: comma-separated halls whose cases the key reads")
    create.add_argument("--expires", help="expiry: YYYY-MM-DD (end of that day, Asia/Shanghai) or an ISO time")
    listing = keys_sub.add_parser("list", help="keys without secrets: state, scopes, halls, last use")
    listing.add_argument("--hall", help="only keys of this hall or bound to it")
    listing.add_argument("--all", action="store_true", help="include revoked keys")
    listing.add_argument("--json", action="store_true", help="one JSON array on standard output")
    revoke = keys_sub.add_parser("revoke", help="revoke a key at once")
    revoke.add_argument("key_id", metavar="ID", help="the public id (yc_<ID>_…)")
    rotate = keys_sub.add_parser("rotate", help="a new secret (shown once); the old one works for the overlap")
    rotate.add_argument("key_id", metavar="ID")
    rotate.add_argument("--overlap", type=int, metavar="SECONDS",
                        help="how long the old secret still works (default YICHUANG_KEY_ROTATION_OVERLAP; 0: at once)")


def _csv(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _expiry(value: str) -> dt.datetime:
    if len(value) == 10:
        day = dt.date.fromisoformat(value)
        return dt.datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=SHANGHAI)
    moment = dt.datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)


def run(args, settings) -> int:
    from workers.wiring import build_services

    repo = build_services(settings).repo
    command = {"create": _create, "list": _list, "revoke": _revoke, "rotate": _rotate}[args.keys_command]
    return command(args, settings, repo)


def _create(args, settings, repo) -> int:
    from api.auth import create_key, parse_key

    if not 1 <= len(args.hall) <= 64 or len(args.label) > 200:
        print("营业厅编码应为 1–64 个字符，标签不超过 200 个字符", file=sys.stderr)
        return EXIT_USAGE
    scopes = _csv(args.scopes) if args.scopes is not None else None
    halls = _csv(args.bind_halls)
    try:
        expires = _expiry(args.expires) if args.expires else None
        key = create_key(repo, secret_key(settings), role=args.role, hall=args.hall, label=args.label, scopes=scopes,
                         halls=halls, expires_at=expires)
    except ValueError as exc:
        print(f"用法错误：{exc}", file=sys.stderr)
        return EXIT_USAGE
    repo.audit(None, "key.create", "api_key", parse_key(key) or "", role=args.role, hall=args.hall,
               scopes=sorted(scopes) if scopes is not None else None, halls=sorted(set(halls)),
               expires_at=expires.isoformat() if expires else None, via="cli")
    print(key)
    return EXIT_OK


def _list(args, settings, repo) -> int:
    from storage.db import utcnow
    from storage.keys import list_keys

    records = list_keys(repo, hall=args.hall, include_revoked=args.all)
    repo.audit(None, "key.list", "api_key", "*", hall=args.hall, include_revoked=args.all, count=len(records), via="cli")
    at = utcnow()
    rows = [{"id": r.id, "role": r.role, "hall": r.hall, "label": r.label, "state": r.state(at),
             "scopes": list(r.scopes) if r.scopes is not None else None, "halls": list(r.halls),
             "created_at": r.created_at.isoformat(), "expires_at": _iso(r.expires_at),
             "last_used_at": _iso(r.last_used_at), "previous_valid_until": _iso(r.previous_valid_until)}
            for r in records]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return EXIT_OK
    for row in rows:
        scopes = ",".join(row["scopes"]) if row["scopes"] is not None else "（角色全部权限）"
        print(f"{row['id']}  {row['state']:<8} {row['role']:<10} {row['hall']:<12} {scopes}  "
              f"绑定大厅={','.join(row['halls']) or '-'}  到期={_local(row['expires_at'])}  "
              f"最近使用={_local(row['last_used_at'])}  {row['label']}")
    return EXIT_OK


def _revoke(args, settings, repo) -> int:
    from storage.keys import revoke

    done = revoke(repo, args.key_id)
    if done is None:
        print(f"找不到访问密钥 {args.key_id}", file=sys.stderr)
        return EXIT_USAGE
    record, changed = done
    repo.audit(None, "key.revoke", "api_key", record.id, role=record.role, hall=record.hall,
               already_revoked=not changed, via="cli")
    print(f"已吊销访问密钥 {record.id}" if changed else f"访问密钥 {record.id} 此前已吊销")
    return EXIT_OK


def _rotate(args, settings, repo) -> int:
    from api.auth import rotate_key
    from storage.keys import KeyStateError

    seconds = args.overlap if args.overlap is not None else settings.key_rotation_overlap
    if seconds < 0:
        print("用法错误：--overlap 不能为负数", file=sys.stderr)
        return EXIT_USAGE
    try:
        rotated = rotate_key(repo, secret_key(settings), args.key_id, overlap=dt.timedelta(seconds=seconds))
    except KeyStateError as exc:
        print(f"{exc.code}: {exc.message}", file=sys.stderr)
        return EXIT_USAGE
    if rotated is None:
        print(f"找不到访问密钥 {args.key_id}", file=sys.stderr)
        return EXIT_USAGE
    key, record = rotated
    repo.audit(None, "key.rotate", "api_key", record.id, role=record.role, hall=record.hall, overlap_seconds=seconds,
               previous_valid_until=_iso(record.previous_valid_until), via="cli")
    print(key)
    until = _local(_iso(record.previous_valid_until))
    print(f"旧密钥{'在 ' + until + ' 前仍然有效' if record.previous_valid_until else '已立即失效'}", file=sys.stderr)
    return EXIT_OK


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _local(iso: str | None) -> str:
    if iso is None:
        return "-"
    return dt.datetime.fromisoformat(iso).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
