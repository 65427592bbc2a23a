"""Memory of reading a crafted xlsx whose shared-string table is huge but compresses well.

    python scripts/bench_xlsx_memory.py [--strings 3000000] [--root PATH]

Builds a small workbook (a header and a few rows) whose ``xl/sharedStrings.xml`` holds
``--strings`` short unique strings: a few MB uploaded, within the upload and zip-bomb
limits. Then reads every row with ``app.imports.readers`` in a fresh process (the code of
``--root``, default this checkout, so an older checkout can be measured the same way) and
prints that process's RSS before opening the file and its peak while reading.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

CHILD = """
import json, resource, sys
from pathlib import Path
from app.imports.readers import open_rows, FileProblem

def rss_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024

before = rss_mb()
rows = error = None
try:
    rows = sum(1 for _ in open_rows(Path(sys.argv[1]), "xlsx").rows)
except FileProblem as exc:
    error = exc.en
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"rss_before_mb": round(before, 1), "rss_peak_mb": round(peak, 1),
                  "rows": rows, "error": error}))
"""


R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
PARTS = {
    "[Content_Types].xml": f'<Types xmlns="{PKG}/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{CT}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{CT}.worksheet+xml"/>'
    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{CT}.sharedStrings+xml"/>'
    "</Types>",
    "_rels/.rels": f'<Relationships xmlns="{PKG}/relationships"><Relationship Id="rId1" '
    f'Type="{R}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": f'<workbook xmlns="{NS}" xmlns:r="{R}"><sheets>'
    '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{R}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{R}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>",
    "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{NS}"><sheetData>'
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
    '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c></row>'
    "</sheetData></worksheet>",
}


def craft(path: Path, strings: int) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, xml in PARTS.items():
            out.writestr(name, xml)
        with out.open("xl/sharedStrings.xml", "w") as dest:
            dest.write(
                f'<sst xmlns="{NS}"><si><t>申请号</t></si><si><t>专利名称</t></si>'
                "<si><t>CN202010000000.1</t></si><si><t>一种无人机</t></si>".encode()
            )
            # Short unique strings: each one a Python object when held in a list.
            for start in range(0, strings, 100_000):
                chunk = "".join(f"<si><t>{i:x}</t></si>" for i in range(start, start + 100_000))
                dest.write(chunk.encode())
            dest.write(b"</sst>")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--strings", type=int, default=3_000_000)
    parser.add_argument("--root", type=Path, default=ROOT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "crafted.xlsx"
        craft(path, args.strings)
        with zipfile.ZipFile(path) as archive:
            unpacked = archive.getinfo("xl/sharedStrings.xml").file_size
        env = {**os.environ, "PYTHONPATH": str(args.root)}
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(path)],
            cwd=args.root,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        result = json.loads(out)
        result.update(
            file_mb=round(path.stat().st_size / 2**20, 2),
            shared_strings_xml_mb=round(unpacked / 2**20, 1),
            strings=args.strings,
            root=str(args.root),
        )
        result["rss_increase_mb"] = round(result["rss_peak_mb"] - result["rss_before_mb"], 1)
        print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
