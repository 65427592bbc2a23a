import csv
from pathlib import Path

import pytest

from app.common import identifiers as ids

DATA = Path(__file__).resolve().parent.parent / "data"


def _export_numbers(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as fh:
        return [row["申请号"] for row in csv.DictReader(fh)]


def test_every_shipped_export_row_is_valid() -> None:
    numbers = _export_numbers(DATA / "patent_export_sample.csv")
    assert len(numbers) == 10
    assert [ids.normalize_application_number(n) for n in numbers] == numbers


def test_every_shared_export_row_is_valid(shared_dir: Path) -> None:
    for number in _export_numbers(shared_dir / "data" / "patent_export_sample.csv"):
        assert ids.normalize_application_number(number) == number


def test_check_digit_rules() -> None:
    assert ids.application_check_digit("202121635235") == "X"  # 10 is written X
    assert ids.application_check_digit("202223220665") == "2"
    assert ids.application_check_digit("01234567") == "9"  # old 8-digit weights 2..9
    with pytest.raises(ValueError, match="expected X"):
        ids.normalize_application_number("CN202121635235.1")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("G06F 16/33", "G06F16/33"),
        ("b64u20/80", "B64U20/80"),
        ("H01L 21/00 (2006.01)", "H01L21/00"),
        ("G06F016/33", "G06F16/33"),
        ("B64U", "B64U"),
        ("B64U101/30", "B64U101/30"),
    ],
)
def test_ipc_normalization(raw: str, expected: str) -> None:
    assert ids.normalize_ipc(raw) == expected


def test_regions() -> None:
    assert ids.region_name("410100") == "郑州市"
    assert ids.region_name("419001") == "济源市"  # current name of a re-used code
    assert ids.region_name("110103") is None  # 崇文区, abolished in 2010
    assert ids.region_prefix("410000") == "41"
    assert ids.region_prefix("410100") == "4101"
    assert ids.region_prefix("410102") == "410102"
