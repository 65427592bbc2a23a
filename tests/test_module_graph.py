"""How the modules of ``app/`` depend on each other, read from their import statements.

As ``tests/matching/test_isolation.py`` keeps the library apart from the service, these
keep the service layered: no import cycle between files (a cycle only loads through a lazy
import, and hides which module builds on which), no router built on another router, and
one module that reads the app's state for the routes.
"""

from functools import cache
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import grimp
import pytest

APP = Path(__file__).resolve().parents[1] / "app"


@cache
def _graph() -> grimp.ImportGraph:
    # Every import counts: lazy ones (inside functions) and those under TYPE_CHECKING.
    return grimp.build_graph("app", cache_dir=None)


def _imports(module: str) -> set[str]:
    return set(_graph().find_modules_directly_imported_by(module))


def test_app_import_graph_has_no_cycle() -> None:
    graph = _graph()
    sorter = TopologicalSorter({m: _imports(m) for m in graph.modules})
    try:
        sorter.prepare()
    except CycleError as exc:
        cycle = exc.args[1]
        lines = [
            f"{importer} imports {imported} (line {detail['line_number']})"
            for importer, imported in zip(cycle[1:], cycle, strict=False)
            for detail in graph.get_import_details(importer=importer, imported=imported)[:1]
        ]
        pytest.fail("import cycle:\n" + "\n".join(lines))
    assert len(graph.modules) > 100  # the graph really is app's


def test_no_router_imports_another_router() -> None:
    routers = {
        m
        for m in _graph().modules
        if m.endswith(".endpoints") or m.startswith("app.console.pages_")
    }
    assert len(routers) > 20
    shared = {r: sorted(_imports(r) & (routers - {r})) for r in routers}
    assert {r: found for r, found in shared.items() if found} == {}


def test_db_module_imports_no_domain() -> None:
    assert _graph().find_upstream_modules("app.db") <= {"app.config"}


def test_only_deps_and_main_read_the_app_state() -> None:
    readers = sorted(
        str(path.relative_to(APP))
        for path in APP.rglob("*.py")
        if "app.state" in path.read_text(encoding="utf-8")
    )
    assert readers == ["deps.py", "main.py"]
