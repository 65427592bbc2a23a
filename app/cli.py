"""``panhuo`` command line: migrate, load the sample, serve."""

import argparse
import sys

from app.config import get_settings
from app.db import make_engine, make_sessionmaker


def _migrate(_args: argparse.Namespace) -> int:
    from app.migrate import upgrade_head

    upgrade_head(get_settings().database_url)
    print("database migrated to head")
    return 0


def _load_sample(_args: argparse.Namespace) -> int:
    from app.sample import load_sample

    settings = get_settings()
    engine = make_engine(settings.database_url)
    with make_sessionmaker(engine)() as session, session.begin():
        added = load_sample(session, settings.data_dir)
    engine.dispose()
    print("sample data loaded: " + ", ".join(f"{k} +{v}" for k, v in added.items()))
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
    serve = sub.add_parser("serve", help="run the API with uvicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(func=_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
