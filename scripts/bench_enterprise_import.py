"""Enterprise directory import benchmark: an N-row provincial list (xlsx and GBK CSV) into
SQLite and PostgreSQL, uploaded twice.

    python scripts/bench_enterprise_import.py [--rows 100000] [--formats xlsx,csv]
                                              [--backends sqlite,postgresql] [--json]

The list is Zhejiang's, uploaded by the province's key as in service: real county names
(所在地区 by name, 注册地址 with a street), USCCs with correct check digits, industries as
GB/T 4754 names, codes with and without the section letter, scope and product text from
the standard's descriptions, flags written 是/否, √, 1/0. Each run is a fresh process and
a fresh database; the first upload inserts every row, the second (the same file) must find
every row unchanged. Reports seconds, rows/s and the peak RSS of the process.
"""

import argparse
import csv
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import openpyxl
from stdnum.cn import uscc

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_import import _admin, _database  # noqa: E402

from app.enterprise_imports.resolve import _divisions  # noqa: E402

PROVINCE = "330000"
HEADERS = [
    "序号",
    "企业名称",
    "统一社会信用代码",
    "所在地区",
    "注册地址",
    "所属行业",
    "经营范围",
    "主营产品",
    "企业简介",
    "专精特新",
    '专精特新"小巨人"',
    "高新技术企业",
    "科技型中小企业",
    "国有企业",
    "规模",
    "联系人",
    "联系电话",
]
_ORG = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 组织机构代码 characters (no I, O, S, V, Z)
_TRADE = "华宏兴盛鑫源泰康瑞达恒通联创新科嘉豪博远航宇启明智汇德凯晨光正腾飞安中天"
_ROADS = ("文一西路", "江南大道", "科技大道", "学院路", "创业路", "工业园路", "滨江路")
_FORMS = ("有限公司", "股份有限公司", "有限责任公司")
_SIZES = ("大型", "中型", "小型", "微型")
_BOILERPLATE = "（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）"


def _industries() -> list[tuple[str, str, str]]:
    with (ROOT / "data" / "gbt4754_2017.jsonl").open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    wanted = ("C", "I", "M")  # manufacturing, software, R&D: what provincial lists hold
    return [
        (r["code"], r["name"], r["description"])
        for r in rows
        if r["level"] == 4 and r["code"][0] in wanted and r["description"]
    ]


def _row(i: int, rng: random.Random, counties: list[Any], industries: list[Any]) -> list[Any]:
    county = rng.choice(counties)
    code, name, description = rng.choice(industries)
    trade = "".join(rng.sample(_TRADE, 2))
    city = county.path[3:5]
    company = (
        f"{city}{trade}{name.removesuffix('制造').removesuffix('服务')[:6]}{rng.choice(_FORMS)}"
    )
    body = f"91{county.code}" + "".join(rng.choice(_ORG) for _ in range(9))
    industry = (name, code, code[1:])[i % 3]
    scope = f"一般项目：{description[1:60]}；技术服务、技术开发、技术咨询、技术转让{_BOILERPLATE}"
    flags = [rng.choice(("是", "否", "√", "", "1", "0")) for _ in range(5)]
    return [
        i,
        company,
        body + uscc.calc_check_digit(body),
        county.path if i % 2 else county.path[3:],
        f"{county.path}{rng.choice(_ROADS)}{rng.randint(1, 999)}号",
        industry,
        scope,
        f"{name.removesuffix('制造')}产品、配套{name[:4]}设备",
        f"{company}成立于{rng.randint(1995, 2023)}年，主要从事{name}。{description[:80]}",
        *flags,
        rng.choice(_SIZES),
        rng.choice("张王李赵刘陈杨") + rng.choice(("伟", "芳", "敏", "静", "磊")),
        f"0571-{rng.randint(80000000, 89999999)}",
    ]


def write_file(path: Path, n: int) -> None:
    rng = random.Random(7)
    by_code = _divisions()[0]
    counties = [d for c, d in by_code.items() if c.startswith("33") and not c.endswith("00")]
    industries = _industries()
    rows = (_row(i, rng, counties, industries) for i in range(1, n + 1))
    if path.suffix == ".csv":
        with path.open("w", encoding="gbk", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(HEADERS)
            writer.writerows(rows)
        return
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("企业名录")
    sheet.append(["浙江省专精特新中小企业名单"])  # the merged title row of a real list
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    book.save(path)


def run_import(url: str, path: Path, store: Path) -> dict[str, object]:
    """In a fresh process: the service's enterprise import job, twice, as the province."""
    from app.auth.models import Role
    from app.auth.principal import Principal
    from app.db import make_engine, make_sessionmaker
    from app.enterprise_imports import service, tasks
    from app.hooks import install as install_hooks
    from app.migrate import upgrade_head

    upgrade_head(url)
    install_hooks()  # as the service does: rows are audited and enter the change log
    factory = make_sessionmaker(make_engine(url))
    actor = Principal(role=Role.province, province_code=PROVINCE)
    result: dict[str, object] = {}
    for run in ("first", "again"):
        t0 = time.perf_counter()
        with path.open("rb") as fh, factory() as session, session.begin():
            upload = service.Upload(fh, path.name, None)
            job_id = service.create(session, actor, upload, store, lambda *a: None).id
        tasks.run_import(factory, job_id, actor)
        seconds = time.perf_counter() - t0
        with factory() as session:
            job = service.get(session, actor, job_id)
            counts = {s: getattr(job, s) for s in ("inserted", "updated", "unchanged", "failed")}
            result[run] = {
                "state": job.state.value,
                "seconds": seconds,
                "rows_per_s": job.processed / seconds,
                **counts,
            }
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--run"]:
        print(json.dumps(run_import(argv[1], Path(argv[2]), Path(argv[3]))))
        return 0
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("rows_arg", nargs="?", type=int, help="same as --rows")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--formats", default="xlsx,csv")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    rows = args.rows_arg or args.rows
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for fmt in args.formats.split(","):
            path = workdir / f"enterprises.{fmt}"
            t0 = time.perf_counter()
            write_file(path, rows)
            print(f"wrote {path.name} ({rows:,} rows) in {time.perf_counter() - t0:.0f} s")
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
    _report(rows, args.json, results)
    return 0


def _report(rows: int, as_json: bool, results: dict[str, dict[str, Any]]) -> None:
    load = Path("/proc/loadavg").read_text().split()[:3]
    if as_json:
        print(json.dumps({"rows": rows, "loadavg": load, **results}))
        return
    print(f"enterprise list import, {rows:,} rows; load average {' '.join(load)}")
    print(
        f"{'file/backend':<18}{'upload':<8}{'seconds':>9}{'rows/s':>8}{'inserted':>10}"
        f"{'unchanged':>10}{'failed':>8}{'peak MB':>9}"
    )
    for name, r in results.items():
        for run in ("first", "again"):
            u = r[run]
            print(
                f"{name:<18}{run:<8}{u['seconds']:>9.1f}{u['rows_per_s']:>8.0f}"
                f"{u['inserted']:>10}{u['unchanged']:>10}{u['failed']:>8}{r['peak_rss_mb']:>9.0f}"
            )


if __name__ == "__main__":
    sys.exit(main())
