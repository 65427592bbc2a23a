from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_matching_pulls_no_service_modules() -> None:
    code = (
        "import sys, matching; "
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "{'fastapi', 'sqlalchemy', 'starlette', 'app', 'bm25s', 'pydantic'}]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_import_matching_loads_none_of_its_tools() -> None:
    """The runtime works without the tools package: a match loads none of it."""
    code = (
        "import sys, matching; "
        "m = matching.Matcher.fit([matching.PatentDoc('p', title='锂电池')]); "
        "m.match('锂电池'); "
        "bad = sorted(n for n in sys.modules if n == 'matching.tools' "
        "or n.startswith('matching.tools.') or n.split('.')[0] == 'bm25s'); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def _imported(path: Path) -> set[str]:
    """Absolute names of every module ``path`` imports, lazily or not."""
    package = "matching"
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package if node.level else ""
            module = f"{base}.{node.module}" if node.module and base else node.module or base
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def test_no_runtime_module_imports_the_tools_or_bm25s() -> None:
    runtime = list((ROOT / "matching").glob("*.py"))
    assert len(runtime) > 10
    for path in runtime:
        names = _imported(path)
        assert not {n for n in names if n.startswith(("matching.tools", "bm25s"))}, path.name
