"""`yichuang users create|disable|reset`: people's accounts for the pages, each change audited (`account.create`,
`account.disable`, `account.reset`, via cli). Passwords are typed at a prompt (never an argument: shell history
and process lists would keep them) or, for scripts, read from standard input with `--password-stdin`."""

from __future__ import annotations

import getpass
import sys

EXIT_OK, EXIT_INFRA, EXIT_USAGE = 0, 1, 2


def add_parser(sub) -> None:
    users = sub.add_parser("users", help="people's accounts for the pages (sign-in)")
    users_sub = users.add_subparsers(dest="users_command", required=True)
    create = users_sub.add_parser("create", help="create an account bound to a hall")
    create.add_argument("--username", required=True)
    create.add_argument("--role", required=True, choices=["clerk", "reviewer", "admin", "lead"])
    create.add_argument("--hall", required=True)
    create.add_argument("--clerk-number", required=True, help="工号, printed on notices")
    create.add_argument("--name", default="", help="display name (姓名)")
    create.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    disable = users_sub.add_parser("disable", help="disable an account (ends its sessions)")
    disable.add_argument("--username", required=True)
    reset = users_sub.add_parser("reset", help="set a new password (lifts a lockout, ends sessions)")
    reset.add_argument("--username", required=True)
    reset.add_argument("--password-stdin", action="store_true", help="read the password from standard input")


def _password(args) -> str | None:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("密码：")
    if getpass.getpass("再次输入密码：") != first:
        print("两次输入的密码不一致", file=sys.stderr)
        return None
    return first


def run(args, settings) -> int:
    from storage.accounts import AccountError, AccountRepository
    from workers.wiring import build_services

    repo = build_services(settings).repo
    accounts = AccountRepository(repo.engine)
    try:
        if args.users_command == "create":
            password = _password(args)
            if password is None:
                return EXIT_USAGE
            account = accounts.create(username=args.username, display_name=args.name, hall=args.hall, role=args.role,
                                      clerk_number=args.clerk_number, password=password)
            repo.audit(None, "account.create", "account", account.id, role=account.role, hall=account.hall, via="cli")
            print(f"已创建账号 {account.username}（{account.role}，{account.hall}，工号 {account.clerk_number}）")
        elif args.users_command == "disable":
            account = accounts.disable(args.username)
            repo.audit(None, "account.disable", "account", account.id, via="cli")
            print(f"已停用账号 {account.username}")
        else:
            password = _password(args)
            if password is None:
                return EXIT_USAGE
            account = accounts.reset_password(args.username, password)
            repo.audit(None, "account.reset", "account", account.id, via="cli")
            print(f"已重置账号 {account.username} 的密码")
    except AccountError as exc:
        print(f"{exc.code}: {exc.message}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK
