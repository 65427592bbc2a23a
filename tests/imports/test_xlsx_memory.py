"""Reading an xlsx keeps its shared strings on disk: memory does not grow with their count.

A workbook of a few MB listing millions of short shared strings raised the server's RSS
by hundreds of MB (``scripts/bench_xlsx_memory.py`` measures it; see docs/benchmarks.md).
"""

import importlib.util
import tracemalloc
import zipfile
from pathlib import Path

from app.imports.readers import open_rows

# The benchmark script crafts the workbook; loaded by path, scripts/ is not a package.
_spec = importlib.util.spec_from_file_location(
    "bench_xlsx_memory", Path(__file__).parents[2] / "scripts" / "bench_xlsx_memory.py"
)
assert _spec is not None and _spec.loader is not None
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def test_many_shared_strings_are_read_with_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "crafted.xlsx"
    bench.craft(path, 200_000)
    tracemalloc.start()
    try:
        rows = list(open_rows(path, "xlsx").rows)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert rows == [(2, {"申请号": "CN202010000000.1", "专利名称": "一种无人机"})]
    assert peak < 8 * 2**20  # held as Python strings: over 25 MB


def test_shared_strings_keep_their_text(tmp_path: Path) -> None:
    path = tmp_path / "rich.xlsx"
    strings = (
        f'<sst xmlns="{bench.NS}"><si><t>申请号</t></si><si><t>专利名称</t></si>'
        "<si><r><t>富</t></r><r><rPr><b/></rPr><t>文本</t></r></si>"
        '<si><t xml:space="preserve"> 𠀀 x </t></si></sst>'
    )
    with zipfile.ZipFile(path, "w") as out:
        for name, xml in bench.PARTS.items():
            out.writestr(name, xml)
        out.writestr("xl/sharedStrings.xml", strings)
    rows = list(open_rows(path, "xlsx").rows)
    assert rows == [(2, {"申请号": "富文本", "专利名称": " 𠀀 x "})]
