"""An xlsx shared-string table kept on disk, so reading a workbook has bounded memory.

openpyxl holds every shared string as a Python object (≈ 60 bytes even for "a") and, in
its parse, an emptied XML element per string as well: a workbook of a few MB whose
``sharedStrings.xml`` lists millions of short strings took ~460 MB. Here the strings go to
an anonymous temporary file as UTF-8 and memory keeps 8 bytes of offset per string; cells
read them back with one ``pread`` each.
"""

import os
import tempfile
from array import array
from typing import IO, Any

from openpyxl.cell.text import Text
from openpyxl.reader.excel import ExcelReader
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

# 8 bytes each in memory: 40 MB at most. A 100k-row export has about a million.
MAX_STRINGS = 5_000_000
_SI = f"{{{SHEET_MAIN_NS}}}si"


class TooManyStrings(Exception):
    pass


class SharedStrings:
    """The ``list`` openpyxl's sheet reader indexes (``strings[int(v)]``), on disk."""

    def __init__(self, source: IO[bytes]) -> None:
        # Open for the table's life; closed by close() when the rows are read.
        self._file = tempfile.TemporaryFile()  # noqa: SIM115
        self._ends = array("q")
        try:
            self._load(source)
        except BaseException:
            self.close()
            raise

    def _load(self, source: IO[bytes]) -> None:
        end, root = 0, None
        with open(self._file.fileno(), "wb", buffering=1 << 20, closefd=False) as out:
            for event, node in iterparse(source, events=("start", "end")):
                if root is None:
                    root = node
                if event != "end" or node.tag != _SI:
                    continue
                data = (
                    Text.from_tree(node)
                    .content.replace("x005F_", "")
                    .encode("utf-8", "surrogatepass")
                )
                root.clear()  # drop the parsed <si> elements too, not only their content
                out.write(data)
                end += len(data)
                self._ends.append(end)
                if len(self._ends) > MAX_STRINGS:
                    raise TooManyStrings

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, index: int) -> str:
        start = self._ends[index - 1] if index > 0 else 0
        end = self._ends[index]
        return os.pread(self._file.fileno(), end - start, start).decode("utf-8", "surrogatepass")

    def close(self) -> None:
        self._file.close()


class Reader(ExcelReader):  # type: ignore[misc]  # openpyxl ships no type hints
    """openpyxl's workbook reader with the shared strings above."""

    shared_strings: Any

    def read_strings(self) -> None:
        part = self.package.find(SHARED_STRINGS)
        if part is not None:
            with self.archive.open(part.PartName[1:]) as source:
                self.shared_strings = SharedStrings(source)
