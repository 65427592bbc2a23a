"""Reference tables come from the app's ``settings.data_dir``, not the process default."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.common import reference
from app.config import Settings
from tests import factories as f

TABLES = ("ipc_zh.tsv", "gbt4754_2017.jsonl", "sei.jsonl", "ipc_sei.jsonl")


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Iterator[Settings]:
    """The shipped tables, with one IPC title and one industry code of this app's own."""
    for name in TABLES:
        text = (settings.data_dir / name).read_text(encoding="utf-8")
        if name == "ipc_zh.tsv":
            text += "H04N7/99\t本应用自有的分类标题\n"
        if name == "gbt4754_2017.jsonl":
            text += '{"code":"C3899","level":4,"name":"本应用自有的行业"}\n'
        (tmp_path / name).write_text(text, encoding="utf-8")
    yield settings.model_copy(update={"data_dir": tmp_path})
    reference.use(settings.data_dir)  # as the next app will: tests without one read it too


def test_tables_are_read_from_the_apps_data_dir(client: TestClient) -> None:
    patent = f.create(client, "/v1/patents", f.patent(ipc_codes=["H04N7/99"]))
    assert patent["ipc_titles"] == {"H04N7/99": "本应用自有的分类标题"}
    enterprise = f.create(client, "/v1/enterprises", f.enterprise(industry_code="3899"))
    assert enterprise["industry_code"] == "C3899"
