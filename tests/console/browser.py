"""The real service and a real browser for the end-to-end tests.

The browser talks to a real server, so the server cannot share the tests' rolled-back
connection: it gets its own fresh, migrated database holding the sample data, and runs as
``uvicorn app.main:app`` in a subprocess on a free port. Chromium is Debian's
``/usr/bin/chromium`` (Playwright's own browser downloads are not used).
"""

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app.auth import service as auth_service
from app.auth.models import Role
from app.auth.principal import SYSTEM
from app.auth.schemas import ApiKeyCreate
from app.config import ROOT
from app.db import make_engine, make_sessionmaker
from app.enterprises.models import Enterprise
from app.institutions.models import Institution
from app.licenses import service as licences
from app.licenses.schemas import OpenLicenseCreate
from app.migrate import upgrade_head
from app.patents.models import Patent
from app.sample import load_sample

CHROMIUM = Path(os.environ.get("PANHUO_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
OUTPUT = ROOT / "test-output"
SCREENSHOTS = OUTPUT / "screenshots"
LICENSED_TITLE = "一种无人机机载多功能盒"  # a sample patent of 中科大数据研究院 (Henan)


def require_browser() -> None:
    """Skip only when asked to; a missing Chromium otherwise fails loudly (CI installs it)."""
    if os.environ.get("PANHUO_SKIP_BROWSER") == "1":
        pytest.skip("PANHUO_SKIP_BROWSER=1")
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: scripts/test installs Debian's chromium "
            "(or set PANHUO_SKIP_BROWSER=1 to skip the browser tests)",
            pytrace=False,
        )


@dataclass
class Site:
    base: str
    keys: dict[str, str] = field(default_factory=dict)
    licensed_patent: int = 0
    institution: int = 0
    enterprise: int = 0


def _seed(url: str) -> Site:
    """Sample data, one key per role the journey uses, and one declared open licence."""
    upgrade_head(url)
    engine = make_engine(url)
    site = Site(base="")
    with make_sessionmaker(engine)() as session, session.begin():
        load_sample(session, ROOT / "data")
        zk = session.scalar(select(Institution.id).where(Institution.external_id == "SAMPLE-ZK"))
        ent = session.scalar(select(Enterprise.id).where(Enterprise.uscc == "91410100MA9G4TJ603"))
        bindings: dict[str, dict[str, Any]] = {
            "institution": {"institution_id": zk},
            "enterprise": {"enterprise_id": ent},
            "province": {"province_code": "410000"},
            "portal": {},
            "admin": {},
        }
        for role, binding in bindings.items():
            data = ApiKeyCreate(name=f"e2e {role}", role=Role(role), **binding)
            site.keys[role] = auth_service.create(session, data).key
        patent = session.scalar(select(Patent).where(Patent.title == LICENSED_TITLE))
        assert patent is not None
        terms = OpenLicenseCreate.model_validate(
            {
                "fee_type": "one_off",
                "one_off_fee": "50000",
                "payment_method": "银行转账",
                "term_years": 3,
                "evaluation_report": "PJ-E2E-1",
            }
        )
        licences.declare(session, SYSTEM, patent.id, terms)
        site.licensed_patent = patent.id
        site.institution, site.enterprise = int(zk or 0), int(ent or 0)
    engine.dispose()
    return site


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server did not start:\n{log.read_text()[-3000:]}")


def serve(database_url: str, workdir: Path) -> Iterator[Site]:
    """Seed the database, start uvicorn on it, yield the site, stop the server."""
    site = _seed(database_url)
    settings = {"PANHUO_CONSOLE_SECRET": secrets.token_hex(16), "PANHUO_WORKER_IN_PROCESS": "false"}
    with run_uvicorn(database_url, workdir, "e2e-server.log", settings) as base:
        site.base = base
        yield site


@contextmanager
def run_uvicorn(
    database_url: str, workdir: Path, log_name: str, settings: dict[str, str], workers: int = 1
) -> Iterator[str]:
    """``uvicorn app.main:app`` on a free port (also used by tests/journeys): yields its URL."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    env.update(
        PANHUO_DATABASE_URL=database_url,
        PANHUO_INDEX_DIR=str(workdir / "index"),
        PANHUO_IMPORT_DIR=str(workdir / "imports"),
        PANHUO_LOG_LEVEL="WARNING",
        **settings,
    )
    OUTPUT.mkdir(exist_ok=True)
    log = OUTPUT / log_name
    command = ["app.main:app", "--port", str(port), "--workers", str(workers)]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", *command],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process, log)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def fresh_screenshots() -> None:
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
