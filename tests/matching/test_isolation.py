from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_import_matching_pulls_no_service_modules() -> None:
    code = (
        "import sys, matching; "
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "{'fastapi', 'sqlalchemy', 'starlette', 'app', 'bm25s', 'pydantic'}]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
