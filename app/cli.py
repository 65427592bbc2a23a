"""``panhuo`` command line: migrate, load the sample, issue keys, run the worker, serve."""

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from app.config import get_settings
from app.db import make_engine, make_sessionmaker, write_session
from app.errors import DomainError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker


def _migrate(_args: argparse.Namespace) -> int:
    from app.migrate import upgrade_head

    upgrade_head(get_settings().database_url)
    print("database migrated to head")
    return 0


def _load_sample(_args: argparse.Namespace) -> int:
    from app.sample import load_sample

    settings = get_settings()
    engine = make_engine(settings.database_url)
    with write_session(make_sessionmaker(engine)) as session:
        added = load_sample(session, settings.data_dir)
    engine.dispose()
    print("sample data loaded: " + ", ".join(f"{k} +{v}" for k, v in added.items()))
    return 0


def _create_key(args: argparse.Namespace) -> int:
    from datetime import timedelta

    from app.auth import service
    from app.auth.schemas import ApiKeyCreate
    from app.db import utcnow

    settings = get_settings()
    expires = utcnow() + timedelta(days=args.expires_days) if args.expires_days else None
    data = ApiKeyCreate(
        name=args.name,
        role=args.role,
        institution_id=args.institution_id,
        enterprise_id=args.enterprise_id,
        province_code=args.province,
        expires_at=expires,
    )
    engine = make_engine(settings.database_url)
    with write_session(make_sessionmaker(engine)) as session:
        created = service.create(session, data)
    engine.dispose()
    print(f"created api key #{created.id} ({created.role}); it is shown only now:")
    print(created.key)
    return 0


def _dev_key(_args: argparse.Namespace) -> int:
    from app.auth.devkey import dev_key_enabled, ensure_dev_key

    if not dev_key_enabled(get_settings()):
        print("the development key only works on the default SQLite database", file=sys.stderr)
        return 1
    print(ensure_dev_key())
    return 0


def _import(args: argparse.Namespace) -> int:
    from app.auth.principal import SYSTEM
    from app.imports import service, tasks
    from app.imports.models import ImportJob

    settings = get_settings()
    engine = make_engine(settings.database_url)
    factory = make_sessionmaker(engine)
    path = Path(args.file)
    with path.open("rb") as fh, write_session(factory) as session:
        upload = service.Upload(fh, path.name, args.institution, args.encoding)
        job = service.create(
            session,
            SYSTEM,
            upload,
            settings.import_dir,
            lambda *_call: None,  # run below, in this process, with progress shown
            None,
        )
        job_id = job.id

    def progress(job: ImportJob) -> None:
        total = job.total_rows or 0
        print(f"\r导入 importing {job.processed}/{total} rows", end="", file=sys.stderr)

    tasks.run_import(factory, job_id, None, SYSTEM, progress)
    print(file=sys.stderr)
    return _import_summary(factory, job_id, settings.import_dir)


def _import_summary(factory: "sessionmaker[Session]", job_id: int, store: "Path") -> int:
    from app.auth.principal import SYSTEM
    from app.imports import service
    from app.imports.exports import errors_csv

    with factory() as session:
        job = service.get(session, SYSTEM, job_id)
        print(
            f"import #{job.id} {job.state}: inserted {job.inserted}, updated {job.updated}, "
            f"unchanged {job.unchanged}, failed {job.failed}"
        )
        if job.error:
            print(f"error: {job.error}", file=sys.stderr)
        if job.failed:
            out = store / f"import-{job.id}-errors.csv"
            out.write_bytes(errors_csv(job, service.errors(session, SYSTEM, job.id))[0])
            print(f"failed rows: {out}")
        return 0 if job.state == "succeeded" else 1


def _rebuild_index(_args: argparse.Namespace) -> int:
    from app.matches.engine import MatchEngine

    settings = get_settings()
    if settings.index_dir is None:
        print("PANHUO_INDEX_DIR is not set: nothing to save the index to", file=sys.stderr)
        return 1
    engine = make_engine(settings.database_url)
    match_engine = MatchEngine(settings.index_dir)
    with make_sessionmaker(engine)() as session, session.begin():
        status = match_engine.rebuild(session)
    engine.dispose()
    print(
        f"index rebuilt and saved to {settings.index_dir}: {status.patents} patents, "
        f"{status.needs} needs; workers load it at their next start"
    )
    return 0


def _worker(args: argparse.Namespace) -> int:
    from app.feeds.worker import Worker
    from app.matches.engine import MatchEngine

    settings = get_settings()
    engine = make_engine(settings.database_url)
    factory = make_sessionmaker(engine)
    match_engine = MatchEngine(settings.index_dir)
    with factory() as session, session.begin():
        match_engine.start(session)
    worker = Worker(factory, match_engine, settings)
    try:
        if args.once:
            print(f"worker: {worker.run_until_idle()} items and deliveries handled")
        else:
            print("worker running (feeds, webhooks, digests); Ctrl-C stops it", file=sys.stderr)
            worker.loop()
    except KeyboardInterrupt:
        pass
    finally:
        worker.stop()
        engine.dispose()
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    uvicorn.run("app.main:app", host=args.host, port=args.port, workers=args.workers)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="panhuo", description="Panhuo 盘活 service tools")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply Alembic migrations up to head").set_defaults(
        func=_migrate
    )
    sub.add_parser("load-sample", help="load data/ sample rows (idempotent)").set_defaults(
        func=_load_sample
    )
    sub.add_parser("dev-key", help="print the local development admin key").set_defaults(
        func=_dev_key
    )
    admin = sub.add_parser("admin", help="administration").add_subparsers(
        dest="admin", required=True
    )
    key = admin.add_parser("create-key", help="issue an API key (prints it once)")
    key.add_argument(
        "--role",
        required=True,
        choices=["admin", "portal", "institution", "enterprise", "province"],
    )
    key.add_argument("--name", default="cli")
    key.add_argument("--institution-id", type=int)
    key.add_argument("--enterprise-id", type=int)
    key.add_argument("--province", help="province code such as 410000")
    key.add_argument("--expires-days", type=int)
    key.set_defaults(func=_create_key)
    imp = sub.add_parser("import", help="import a patent list (.xlsx/.csv/.jsonl) locally")
    imp.add_argument("file")
    imp.add_argument("--institution", type=int, help="patentee institution id for all rows")
    imp.add_argument("--encoding", help="CSV encoding, detected when omitted")
    imp.set_defaults(func=_import)
    index = sub.add_parser("index", help="match index").add_subparsers(dest="index", required=True)
    index.add_parser(
        "rebuild", help="refit the match index from the database and save it"
    ).set_defaults(func=_rebuild_index)
    worker = sub.add_parser(
        "worker", help="produce feed items and send webhooks (beside or instead of the API's)"
    )
    worker.add_argument("--once", action="store_true", help="work until idle, then exit")
    worker.set_defaults(func=_worker)
    serve = sub.add_parser("serve", help="run the API with uvicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(func=_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ValidationError as exc:  # bad CLI arguments: say which, no traceback
        print(f"invalid arguments: {exc}", file=sys.stderr)
        return 2
    except DomainError as exc:
        fields = "; ".join(f"{e['field']}: {e['message']}" for e in exc.errors or [])
        print(f"{exc.detail} {fields}".strip(), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
