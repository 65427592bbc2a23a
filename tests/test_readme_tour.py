"""The README's curl tour, run as written against a live server.

The tour block is executed by bash with the real curl, against ``uvicorn app.main:app`` on
a fresh database holding the sample data (the server ``scripts/run`` starts). Each
``# → NNN {...}`` comment after a curl call is checked: the status, and every complete
``"key":value`` pair it shows must be in that response's body. The only change made to
the block: the dev key line takes an admin key made for the test database (the dev key
works only on the default SQLite file, which a test must not touch).
"""

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.auth import service as auth_service
from app.auth.models import Role
from app.auth.schemas import ApiKeyCreate
from app.db import make_engine, make_sessionmaker
from app.migrate import upgrade_head
from app.sample import load_sample
from tests.console import browser

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
_EXPECT = re.compile(r"^# → (\d{3})(.*)$", re.M)
_PAIR = re.compile(r'"\w+":(?:"[^"]*"|-?\d+(?:\.\d+)?|true|false|null)')
_STATUS = "@@status "


def tour_block() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("### With curl", 1)[1]
    return section.split("```bash\n", 1)[1].split("\n```", 1)[0]


@pytest.fixture(scope="module")
def site(
    fresh_database_url: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """What ``scripts/run`` serves: migrated, the sample loaded, nothing else."""
    if shutil.which("curl") is None:
        pytest.fail("curl is missing: scripts/test installs it", pytrace=False)
    url = fresh_database_url()
    upgrade_head(url)
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session, session.begin():
        load_sample(session, ROOT / "data")
    engine.dispose()
    with browser.run_uvicorn(url, tmp_path_factory.mktemp("tour"), "tour-server.log", {}) as base:
        yield base, url


def _admin_key(url: str) -> str:
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session, session.begin():
        key = auth_service.create(session, ApiKeyCreate(name="tour", role=Role.admin)).key
    engine.dispose()
    return key


def _run(block: str, base: str, url: str, key: str) -> str:
    panhuo = Path(sys.executable).parent / "panhuo"
    block = block.replace("$(.venv/bin/panhuo dev-key)", key)
    block = block.replace(".venv/bin/panhuo", str(panhuo))
    host = base.removeprefix("http://")
    prelude = (
        "set -euo pipefail\n"
        f"curl() {{ command curl -w '\\n{_STATUS}%{{http_code}}\\n' "
        f'"${{@//localhost:8000/{host}}}"; }}\n'
    )
    env = {k: v for k, v in os.environ.items() if k != "PANHUO_DATABASE_URL"}
    env["DATABASE_URL"] = url
    done = subprocess.run(
        ["bash", "-c", prelude + block],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_the_readme_tour_runs_as_written(site: tuple[str, str]) -> None:
    base, url = site
    block = tour_block()
    expected = _EXPECT.findall(block)
    assert len(expected) >= 8, "the tour lost its checked examples"
    out = _run(block, base, url, _admin_key(url))
    bodies = re.split(rf"\n{_STATUS}(\d{{3}})\n", out)
    answers = list(zip(bodies[1::2], bodies[0::2], strict=False))  # (status, body)
    assert [s for s, _ in answers] == [s for s, _ in expected]
    for (status, body), (_, shown) in zip(answers, expected, strict=True):
        for pair in _PAIR.findall(shown):
            if pair.endswith(':"..."'):  # the README elides this value
                continue
            assert pair in body, f"{status}: README shows {pair}, the server said {body[:400]}"
