"""Import benchmark: an N-row patent export (CSV and xlsx) into SQLite and PostgreSQL.

    python scripts/bench_import.py [--rows 100000] [--formats csv,xlsx]
                                   [--backends sqlite,postgresql] [--json]

Each import runs in a fresh process against a fresh database whose match index is
started empty, exactly as in the service: rows are parsed, validated, upserted in
500-row transactions, and the index catches up with the imported patents before the
clock stops. Reports the total, the import and index parts, rows/s, the peak RSS of the
import alone (streaming, bounded) and with the index (which lives in the service anyway).
"""

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import openpyxl
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.common.identifiers import application_check_digit  # noqa: E402
from matching.bench import make_corpus  # noqa: E402

HEADERS = [
    "申请号",
    "公开号",
    "专利类型",
    "专利名称",
    "申请摘要",
    "主分类号",
    "分类号",
    "申请人",
    "发明人",
    "申请日",
    "授权公告日",
    "法律状态",
    "国省代码",
    "第一权利人",
]
PG_SERVER = os.environ.get(
    "PANHUO_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _rows(n: int) -> list[list[str]]:
    docs, _ = make_corpus(n, seed=2)
    rows: list[list[str]] = []
    for i, doc in enumerate(docs, start=1):
        body = f"2097{1 + i % 2}{i:07d}"
        codes = list(doc.ipc_codes) or ["G06F16/00"]
        rows.append(
            [
                f"CN{body}.{application_check_digit(body)}",
                f"CN{100000000 + i}A",
                "发明公开;发明授权" if i % 2 else "实用新型",
                doc.title,
                doc.abstract,
                codes[0],
                ";".join(codes),
                "示例大学",
                "张三;李四",
                "20210715",
                "20220301",
                "有权-审定授权",
                "河南(41)",
                "示例大学",
            ]
        )
    return rows


def write_file(path: Path, n: int) -> None:
    rows = _rows(n)
    if path.suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(HEADERS)
            writer.writerows(rows)
        return
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    book.save(path)


def run_import(url: str, path: Path, index_dir: Path) -> dict[str, object]:
    """In a fresh process: the service's import job plus the index catch-up."""
    from app.auth.principal import SYSTEM
    from app.db import make_engine, make_sessionmaker
    from app.imports import service, tasks
    from app.matches.engine import MatchEngine
    from app.migrate import upgrade_head

    upgrade_head(url)
    factory = make_sessionmaker(make_engine(url))
    engine = MatchEngine(None)
    with factory() as session, session.begin():
        engine.start(session)
    t0 = time.perf_counter()
    with path.open("rb") as fh, factory() as session, session.begin():
        upload = service.Upload(fh, path.name, None, None)
        job = service.create(session, SYSTEM, upload, index_dir, lambda *a: None, None)
        job_id = job.id
    tasks.run_import(factory, job_id, None, SYSTEM)
    imported = time.perf_counter() - t0
    import_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with factory() as session, session.begin():
        engine.catch_up(session)  # what the service does when the job ends
    seconds = time.perf_counter() - t0
    with factory() as session:
        done = service.get(session, SYSTEM, job_id)
        counts = {"inserted": done.inserted, "failed": done.failed, "state": done.state.value}
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "seconds": seconds,
        "import_s": imported,
        "index_s": seconds - imported,
        "rows_per_s": done.processed / seconds,
        "import_peak_mb": import_peak,
        "peak_rss_mb": peak,
        "indexed": engine.status().patents,
        **counts,
    }


def _database(backend: str, workdir: Path) -> tuple[str, str | None]:
    if backend == "sqlite":
        return f"sqlite:///{workdir / f'import-{uuid.uuid4().hex[:6]}.db'}", None
    name = f"panhuo_bench_{uuid.uuid4().hex[:8]}"
    _admin(f'CREATE DATABASE "{name}"')
    return make_url(PG_SERVER).set(database=name).render_as_string(hide_password=False), name


def _admin(sql: str) -> None:
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(sql))
    admin.dispose()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--run"]:
        print(json.dumps(run_import(argv[1], Path(argv[2]), Path(argv[3]))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    results: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for fmt in args.formats.split(","):
            path = workdir / f"patents.{fmt}"
            write_file(path, args.rows)
            for backend in args.backends.split(","):
                url, pg_name = _database(backend, workdir)
                try:
                    out = subprocess.run(
                        [sys.executable, __file__, "--run", url, str(path), str(workdir / "store")],
                        check=True,
                        capture_output=True,
                        text=True,
                        cwd=ROOT,
                    )
                    results[f"{fmt}/{backend}"] = json.loads(out.stdout.strip().splitlines()[-1])
                finally:
                    if pg_name:
                        _admin(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
    _report(args, results)
    return 0


def _report(args: argparse.Namespace, results: dict[str, dict[str, object]]) -> None:
    if args.json:
        print(json.dumps({"rows": args.rows, **results}))
        return
    print(f"import of {args.rows:,} rows (index update included)")
    print(
        f"{'file/backend':<16}{'total s':>9}{'import s':>9}{'index s':>9}{'rows/s':>8}"
        f"{'import MB':>10}{'peak MB':>9}{'indexed':>9}{'failed':>7}"
    )
    for name, r in results.items():
        print(
            f"{name:<16}{r['seconds']:>9.1f}{r['import_s']:>9.1f}{r['index_s']:>9.1f}"
            f"{r['rows_per_s']:>8.0f}{r['import_peak_mb']:>10.0f}{r['peak_rss_mb']:>9.0f}"
            f"{r['indexed']:>9}{r['failed']:>7}"
        )


if __name__ == "__main__":
    sys.exit(main())
