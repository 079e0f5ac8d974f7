"""The `yichuang` command line. Heavy libraries are imported inside the commands that need them, so
that start-up stays small. Exit codes: 0 done (bad files are reported, not fatal), 1 infrastructure
failed, 2 usage error."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from api import watch

logger = logging.getLogger("yichuang")

EXIT_OK, EXIT_INFRA, EXIT_USAGE = 0, 1, 2


def _parse_at(value: str) -> dt.datetime:
    from pipeline.interfaces import SHANGHAI

    try:
        if len(value) == 10:
            day = dt.date.fromisoformat(value)
            return dt.datetime(day.year, day.month, day.day, 12, 0, tzinfo=SHANGHAI)
        moment = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"invalid date {value!r}: use YYYY-MM-DD") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="yichuang", description="一窗 — 材料收件核验")
    sub = parser.add_subparsers(dest="command", required=True)

    verify = sub.add_parser("verify", help="process files in-process and print the result (stores nothing)")
    verify.add_argument("paths", nargs="+", metavar="PATH")
    verify.add_argument("--item", help="service item code (material checklist)")
    verify.add_argument("--situation", help="situation (办理情形) of the item")
    verify.add_argument("--at", type=_parse_at, help="judging day YYYY-MM-DD (default: today in Asia/Shanghai)")
    verify.add_argument("--json", action="store_true", help="print exactly one JSON object on standard output")

    serve = sub.add_parser("serve", help="run the API, pages and an embedded worker")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)

    worker = sub.add_parser("worker", help="run a Celery worker against the configured broker")
    worker.add_argument("--queues", help="comma-separated queues (default: counter,bulk,webhooks)")
    worker.add_argument("--concurrency", type=int)

    _add_keys_parser(sub)
    _add_users_parser(sub)
    watch.add_parser(sub)  # the document camera's folder client (api/watch.py)

    catalog = sub.add_parser("catalog", help="service-item catalog: validate item files, list the loaded items")
    catalog_sub = catalog.add_subparsers(dest="catalog_command", required=True)
    validate = catalog_sub.add_parser("validate", help="check item files (YAML/JSON); problems with line numbers")
    validate.add_argument("files", nargs="+", metavar="FILE")
    catalog_sub.add_parser("list", help="items, versions and situations of the loaded catalog")

    licences = sub.add_parser("licences", help="the embedded electronic-licence library (电子证照库)")
    licences_sub = licences.add_subparsers(dest="licences_command", required=True)
    licence_import = licences_sub.add_parser("import", help="import licences from a JSON/CSV file plus their signed files")
    licence_import.add_argument("file", metavar="FILE", type=Path)
    licence_import.add_argument("--files", metavar="DIR", type=Path, help="folder the records' `file` paths are relative to "
                                "(default: the folder of FILE)")

    calendar = sub.add_parser("calendar", help="working-day calendar: validate holiday files, show a year")
    calendar_sub = calendar.add_subparsers(dest="calendar_command", required=True)
    calendar_validate = calendar_sub.add_parser("validate", help="check holiday files (YAML/JSON) before loading them")
    calendar_validate.add_argument("files", nargs="+", metavar="FILE")
    calendar_show = calendar_sub.add_parser("show", help="holidays and make-up working days of YEAR as counted")
    calendar_show.add_argument("year", type=int, metavar="YEAR")

    halls = sub.add_parser("halls", help="hall configurations (<data dir>/halls/<code>.yaml) printed on notices")
    halls_sub = halls.add_subparsers(dest="halls_command", required=True)
    halls_validate = halls_sub.add_parser("validate", help="check hall files (YAML); the file name is the hall code")
    halls_validate.add_argument("files", nargs="*", type=Path, help="default: every file in <data dir>/halls/")
    sub.add_parser("sweep", help="re-enqueue uploads stuck in the queue once")
    sub.add_parser("migrate", help="bring the database schema up to date")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return {"verify": cmd_verify, "serve": cmd_serve, "worker": cmd_worker, "keys": cmd_keys,
                "catalog": cmd_catalog, "sweep": cmd_sweep, "migrate": cmd_migrate,
                "licences": cmd_licences, "calendar": cmd_calendar, "halls": cmd_halls, "users": cmd_users,
                "watch": watch.cmd_watch}[args.command](args)
    except KeyboardInterrupt:
        return EXIT_INFRA
    except Exception as exc:  # noqa: BLE001 - the one place that maps failures to exit codes
        from pipeline.errors import ConfigurationError, YichuangError

        if isinstance(exc, ConfigurationError):
            print(f"配置错误：{exc.message} ({exc.detail})", file=sys.stderr)
            return EXIT_USAGE
        if isinstance(exc, YichuangError):  # one line, no traceback (a database that is down, …)
            print(f"{exc.code}: {exc.message}" + (f" ({exc.detail})" if exc.detail else ""), file=sys.stderr)
            return EXIT_INFRA
        logger.exception("command failed")
        return EXIT_INFRA


def _settings():
    from pipeline.settings import Settings

    return Settings()


# --- verify ---------------------------------------------------------------------------------


def _catalog(settings):
    """The shipped items plus the administrator's folder `<data dir>/catalog/`."""
    from validators.catalog import load_catalog

    return load_catalog([settings.data_dir / "catalog"])


def _item_and_situation(args, settings):
    """(item, situation) for `verify --item`, or an exit code after a usage message."""
    from validators.catalog import CatalogError

    try:
        catalog = _catalog(settings)
    except CatalogError as exc:
        print(f"服务事项目录有误：\n{exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.item not in catalog:
        print(f"用法错误：未知的服务事项 {args.item!r}；可用：{', '.join(catalog.codes())}", file=sys.stderr)
        return EXIT_USAGE
    item = catalog.get(args.item)
    codes = [s.code for s in item.situations]
    situation = args.situation or (codes[0] if len(codes) == 1 else None)
    if situation not in codes:
        choices = "，".join(f"{s.code}（{s.name}）" for s in item.situations)
        print(f"用法错误：请用 --situation 指定办理情形：{choices}", file=sys.stderr)
        return EXIT_USAGE
    return item, situation


def cmd_verify(args) -> int:
    from pipeline.interfaces import SHANGHAI

    settings = _settings()
    if args.situation and not args.item:
        print("用法错误：--situation 需要与 --item 一起使用", file=sys.stderr)
        return EXIT_USAGE
    checklist = _item_and_situation(args, settings) if args.item else None
    if isinstance(checklist, int):
        return checklist
    from workers.wiring import build_services, configure_logging

    configure_logging(settings)
    from pipeline.errors import FileUnreadable
    from pipeline.models import Document, FileError, Result
    from pipeline.runner import cross_check, make_upload, process
    from storage.objects import MemoryStore

    at = args.at or dt.datetime.now(SHANGHAI)
    services = build_services(settings, ocr=True, database=False, store=MemoryStore())  # verify keeps nothing
    deps = services.deps
    documents: list[Document] = []
    for path_text in args.paths:
        path = Path(path_text)
        try:
            data = path.read_bytes()
        except OSError:
            import uuid

            documents.append(Document(id=str(uuid.uuid4()), source=path_text,
                                      error=FileError(**FileUnreadable().as_dict())))
            continue
        documents.extend(process(make_upload(data, path_text, at), data, deps, at, cross=False))
    documents = cross_check(documents, deps, at.astimezone(SHANGHAI).date())  # once, over the whole batch
    assessment = None
    if checklist is not None:
        from validators.assess import assess_documents

        services.library = _verify_library(settings)  # before the assessor is built with it
        assessment = assess_documents(services.assessor, checklist[0], checklist[1], documents, at)
    if args.json:
        result = Result(documents=tuple(documents), case=assessment.to_case_dict() if assessment else None)
        json.dump(result.to_json_dict(), sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        _print_human(documents, assessment)
    return EXIT_OK


def _verify_library(settings):
    """The configured licence library for `verify --item`, read only: fetched files are kept in memory, and an
    embedded library is used only when the service database already holds it (verify creates nothing)."""
    from storage.objects import MemoryStore
    from workers.wiring import build_licence_library, build_services

    engine = None
    if settings.licence_library == "embedded":
        from sqlalchemy import inspect

        from storage.db import make_engine

        url = settings.resolved_database_url()
        if not url.startswith("sqlite:///") or Path(url[len("sqlite:///"):]).exists():
            engine = make_engine(url)
            if not inspect(engine).has_table("licences"):
                engine = None
    store = build_services(settings, database=False).store if engine is not None else MemoryStore()
    return build_licence_library(settings, store, engine, keep=MemoryStore())


def _print_human(documents: list[Document], assessment) -> None:
    from pipeline.masking import mask_id_number

    for doc in documents:
        print(f"{doc.source}: {doc.type} (置信度 {doc.type_confidence:.2f})")
        if doc.error:
            print(f"  错误 {doc.error.code}: {doc.error.message}")
        for name, value in doc.fields.items():
            shown = mask_id_number(str(value.value)) if name.endswith("id_number") else value.value
            print(f"  {name}: {shown} ({value.confidence:.2f})")
        for finding in doc.findings:
            print(f"  [{finding.severity}] {finding.code}: {finding.message}")
        if doc.quality and doc.quality.issues:
            for issue in doc.quality.issues:
                print(f"  [{issue.severity}] quality.{issue.code}: {issue.message}")
    if assessment is not None:
        from pipeline.assessment import STATUS_LABELS

        print(f"\n{assessment.item_name}（{assessment.situation_name}）: {assessment.decision}")
        for material in assessment.materials:
            print(f"  {material.code} {material.name}: {STATUS_LABELS[material.status]}")
            for finding in material.findings:
                print(f"    [{finding.severity}] {finding.code}: {finding.message}")
        print("\n" + assessment.notice)


# --- catalog --------------------------------------------------------------------------------


def cmd_catalog(args) -> int:
    """`validate`: exit 0 when every file is valid (warnings are printed), 1 when any file has errors."""
    if args.catalog_command == "validate":
        from validators.catalog import validate_file

        failed = False
        for path in args.files:
            problems = validate_file(Path(path))
            for problem in problems:
                print(problem, file=sys.stderr)
            errors = [p for p in problems if p.severity == "error"]
            failed |= bool(errors)
            print(f"{path}: {'有 %d 处错误' % len(errors) if errors else '通过'}")
        return 1 if failed else EXIT_OK
    from validators.catalog import CatalogError

    try:
        catalog = _catalog(_settings())
    except CatalogError as exc:
        print(f"服务事项目录有误：\n{exc}", file=sys.stderr)
        return EXIT_USAGE
    for code in catalog.codes():
        item = catalog.get(code)
        situations = "，".join(f"{s.code}（{s.name}）" for s in item.situations)
        versions = ",".join(str(v) for v in catalog.versions(code))
        print(f"{code}\tv{versions}\t{item.name}\t{item.department}\t{situations}")
    return EXIT_OK


# --- calendar -------------------------------------------------------------------------------


def cmd_calendar(args) -> int:
    """`validate`: exit 0 when every file is valid, 1 otherwise. `show`: the year as the service counts it
    (the data dir's files over `chinese-calendar`); exit 1 when nothing covers it."""
    from pipeline.calendar_files import CalendarFileError, validate_file, year_listing

    if args.calendar_command == "validate":
        failed = False
        for path in args.files:
            problems = validate_file(Path(path))
            for problem in problems:
                print(problem, file=sys.stderr)
            failed |= bool(problems)
            print(f"{path}: {'有 %d 处错误' % len(problems) if problems else '通过'}")
        return 1 if failed else EXIT_OK
    from workers.wiring import build_calendar

    settings = _settings()
    try:
        listing = year_listing(build_calendar(settings), args.year)
    except CalendarFileError as exc:
        print(f"节假日安排文件有误：\n{exc}", file=sys.stderr)
        return EXIT_USAGE
    if listing is None:
        print(f"{args.year} 年度未覆盖：chinese-calendar 没有该年的节假日安排，期限不会自动计算。请将国务院办公厅"
              f"该年节假日安排通知的日期写入 {settings.data_dir / 'calendar' / f'{args.year}.yaml'}"
              "（先用 yichuang calendar validate 检查）。", file=sys.stderr)
        return 1
    print(f"{listing.year} 年度　来源：{listing.source}")
    for name, first, last in listing.holidays:
        span = first.isoformat() if first == last else f"{first.isoformat()} 至 {last.isoformat()}"
        print(f"放假\t{name}\t{span}（{(last - first).days + 1}天）")
    for day in listing.workdays:
        print(f"调休上班\t{day.isoformat()}（周{'一二三四五六日'[day.weekday()]}）")
    return EXIT_OK


# --- halls ----------------------------------------------------------------------------------


def cmd_halls(args) -> int:
    """`validate`: exit 0 when every file is valid, 1 when any is not (or there is none to check)."""
    from api.halls import halls_dir
    from validators.halls import validate_file

    files = list(args.files) or sorted(halls_dir(_settings()).glob("*.yaml"))
    if not files:
        print(f"没有大厅配置文件：请参照 samples/halls/default.yaml 在 {halls_dir(_settings())} 中为每个大厅建立 "
              "<大厅代码>.yaml", file=sys.stderr)
        return 1
    failed = False
    for path in files:
        problems = validate_file(Path(path))
        for problem in problems:
            print(problem, file=sys.stderr)
        failed |= bool(problems)
        print(f"{path}: {'有 %d 处错误' % len(problems) if problems else '通过'}")
    return 1 if failed else EXIT_OK


def _warn_unconfigured_halls(settings, repo) -> None:
    """Startup: every hall that has API keys but no valid configuration, loudly (notices print it as unset)."""
    import sqlalchemy as sa

    from api.halls import halls_dir, unconfigured
    from storage.models import ApiKey

    with repo.engine.connect() as conn:
        codes = list(conn.execute(sa.select(ApiKey.hall).where(ApiKey.revoked_at.is_(None)).distinct()).scalars())
    for code in unconfigured(settings, codes):
        logger.warning("hall %r has no valid configuration in %s: notices and bundles print its name, agency and "
                       "appeal bodies as unset (see samples/halls/default.yaml; yichuang halls validate)",
                       code, halls_dir(settings))
        print(f"警告：大厅 {code} 未配置（{halls_dir(settings) / (code + '.yaml')}），通知书将显示“【未配置】”",
              file=sys.stderr)


# --- service --------------------------------------------------------------------------------


def cmd_serve(args) -> int:
    import uvicorn

    settings = _settings()
    from workers.wiring import build_services, configure_logging, secret_key

    configure_logging(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    services = build_services(settings)
    repo = services.repo
    secret = secret_key(settings)
    if not repo.has_active_admin():
        path = write_first_admin_key(repo, secret, settings.admin_key_file())
        print(f"管理员密钥已写入 {path}（仅本用户可读；取出保存后请删除该文件）", flush=True)
    _warn_unconfigured_halls(settings, repo)
    from api.app import create_app

    app = create_app(settings, services=services)
    worker = _start_embedded_worker(settings) if settings.embedded_worker else None
    stop = threading.Event()
    threading.Thread(target=_sweep_loop, args=(app.state.services, stop), daemon=True).start()
    try:
        uvicorn.run(app, host=args.host or settings.host, port=args.port or settings.port, log_level="warning")
    finally:
        stop.set()
        if worker is not None:
            _stop_process_group(worker)
    return EXIT_OK


def write_first_admin_key(repo, secret: bytes, path: Path) -> Path:
    """`serve` on first start with no active admin: a new admin key into a file only this user can read (0600).
    The key goes to no stream: supervisors record standard output, and logs travel. Returns the path."""
    from api.auth import create_key

    key = create_key(repo, secret, role="admin", hall="default", label="first admin")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key + "\n")
    os.replace(tmp, path)  # an older file (its admin since revoked) is replaced, never appended to
    repo.audit(None, "key.create", "api_key", key.split("_")[1], role="admin", hall="default", via="serve")
    return path


def _start_embedded_worker(settings) -> subprocess.Popen:
    env = dict(os.environ, YICHUANG_DATA_DIR=str(settings.data_dir.resolve()))
    # The worker's banner goes to standard error: standard output carries only the admin key.
    return subprocess.Popen([sys.executable, "-m", "api.cli", "worker"], env=env, start_new_session=True, stdout=sys.stderr)


def _stop_process_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _sweep_loop(services, stop: threading.Event) -> None:
    from workers.cases.flow import sweep_lapsed_cases
    from workers.sweeper import resend, sweep
    from workers.tasks import enqueue_assessment, sweep_webhooks

    settings = services.settings
    while not stop.wait(settings.sweep_interval):
        try:
            sweep(services.repo, resend, queued_after=settings.queued_stuck_after, max_attempts=settings.max_attempts,
                  assess=enqueue_assessment, pages=services.page_leases, lease_seconds=settings.lease_seconds)
            sweep_webhooks(services.repo.engine, settings.queued_stuck_after)  # webhook deliveries whose message was lost
            sweep_lapsed_cases(services)  # 容缺 deadlines passed: as the item says
        except Exception:  # noqa: BLE001 - the sweeper must outlive a database hiccup
            logger.exception("sweep failed")


def cmd_worker(args) -> int:
    settings = _settings()
    from workers.wiring import build_services, configure_logging

    configure_logging(settings)
    build_services(settings)  # migrations before the first task; each worker process builds its own after fork
    from workers.celery_app import configure

    app = configure(settings, worker=True)
    queues = args.queues or settings.worker_queues
    concurrency = args.concurrency or settings.worker_concurrency
    app.worker_main(["worker", "--pool=prefork", f"--concurrency={concurrency}", f"--queues={queues}",
                     "--loglevel=WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"])
    return EXIT_OK


def _add_keys_parser(sub) -> None:
    from api.keys_cli import add_parser

    add_parser(sub)


def cmd_keys(args) -> int:
    from api.keys_cli import run

    return run(args, _settings())


def _add_users_parser(sub) -> None:
    from api.pages.users_cli import add_parser

    add_parser(sub)


def cmd_users(args) -> int:
    from api.pages.users_cli import run

    return run(args, _settings())


def cmd_licences(args) -> int:
    """`licences import`: all or nothing; every bad row is printed as FILE:LINE: message, exit 1."""
    import hashlib

    from storage.licences import LicenceImportError, import_licences
    from workers.wiring import build_services

    settings = _settings()
    services = build_services(settings)
    repo = services.repo
    try:
        result = import_licences(repo.engine, services.store, args.file, args.files,
                                 status_codes=settings.licence_status_codes)
    except LicenceImportError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{args.file}: 有 {len(exc.problems)} 处错误，未导入任何证照", file=sys.stderr)
        return 1
    digest = hashlib.sha256(args.file.read_bytes()).hexdigest()[:32]
    repo.audit(None, "licence.import", "licence_import", digest, created=result.created, updated=result.updated,
               files=result.files, via="cli")
    print(f"导入完成：新增 {result.created} 条，更新 {result.updated} 条，证照文件 {result.files} 个")
    if settings.licence_library != "embedded":
        print(f"注意：当前配置的电子证照库为 {settings.licence_library}，不是本机内置证照库", file=sys.stderr)
    return EXIT_OK


def cmd_sweep(args) -> int:
    settings = _settings()
    from workers.cases.flow import sweep_lapsed_cases
    from workers.celery_app import configure
    from workers.sweeper import resend, sweep
    from workers.tasks import enqueue_assessment, install_webhook_publisher, sweep_webhooks
    from workers.wiring import build_services

    configure(settings)
    install_webhook_publisher()  # the lapse sweep's transitions are webhook events
    services = build_services(settings)
    count = sweep(services.repo, resend, queued_after=settings.queued_stuck_after,
                  max_attempts=settings.max_attempts, assess=enqueue_assessment, pages=services.page_leases,
                  lease_seconds=settings.lease_seconds)
    count += sweep_webhooks(services.repo.engine, settings.queued_stuck_after)
    sweep_lapsed_cases(services)  # 容缺 lapses move their cases as the item says
    print(count)
    return EXIT_OK


def cmd_migrate(args) -> int:
    from workers.wiring import build_services

    build_services(_settings())
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
