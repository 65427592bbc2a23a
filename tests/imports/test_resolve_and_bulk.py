"""Institution resolution, progress, bulk JSON, roles, template and CLI."""

import io
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from app.auth.principal import SYSTEM
from app.imports import service, tasks, uploads
from app.imports.models import ImportJob
from app.imports.resolve import InstitutionResolver
from tests import factories as f
from tests.imports.helpers import EXPORT, csv_bytes, upload


def test_resolver_exact_near_and_ambiguous() -> None:
    resolver = InstitutionResolver([(1, "清华大学"), (2, "北京理工大学"), (3, "北京工业大学")])
    assert resolver.resolve(["清华大学"]).status == "exact"
    assert resolver.resolve(["清华 大学"]).institution_id == 1  # spacing does not matter
    for name in ("清华大学（深圳）", "清华大学深圳国际研究生院", "清华大学."):
        found = resolver.resolve([name])
        assert (found.institution_id, found.status) == (1, "near"), name
    ambiguous = resolver.resolve(["北京理工业大学"])
    assert ambiguous.status == "ambiguous" and ambiguous.institution_id is None
    assert set(ambiguous.candidates) == {"北京理工大学", "北京工业大学"}
    assert resolver.resolve(["某某公司"]).status == "none"
    assert resolver.resolve(["某某公司", "清华大学"]).institution_id == 1  # applicants next


def test_ambiguous_names_are_listed_for_review(client: TestClient) -> None:
    for name in ("北京理工大学", "北京工业大学"):
        f.create(client, "/v1/institutions", f.institution(name=name))
    row = ["CN202121635235.X", "专利", "发明", "20210715", "", "", "有权", "北京理工业大学"]
    job = upload(client, "rows.csv", csv_bytes([row]))
    assert job["inserted"] == 1 and job["review"][0]["status"] == "ambiguous"
    assert client.get("/v1/patents").json()["items"][0]["institution_id"] is None


def test_an_explicit_institution_wins(client: TestClient) -> None:
    inst = f.create(client, "/v1/institutions", f.institution(name="指定大学"))["id"]
    job = upload(client, "export.csv", EXPORT.read_bytes(), institution_id=inst)
    assert job["institution_id"] == inst and job["review"] == []
    assert client.get(f"/v1/patents?institution_id={inst}").json()["total"] == 10


def test_progress_increases_monotonically(
    client: TestClient,
    session_factory: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setattr(uploads, "BATCH", 3)
    scheduled: list[tuple[object, ...]] = []
    with session_factory() as session, session.begin():
        upload_ = service.Upload(io.BytesIO(EXPORT.read_bytes()), "export.csv", None, None)
        job = service.create(
            session,
            SYSTEM,
            upload_,
            tmp_path,
            lambda *call: scheduled.append(call),
            None,
        )
        job_id = job.id
    seen: list[tuple[int, int | None]] = []

    def progress(j: ImportJob) -> None:
        seen.append((j.processed, j.total_rows))

    tasks.run_import(session_factory, job_id, None, SYSTEM, progress)
    processed = [p for p, _ in seen]
    assert processed == sorted(processed) and processed[-1] == 10 and len(processed) >= 4
    assert client.get(f"/v1/imports/{job_id}").json()["progress"] == 100.0


def test_bulk_json_reports_each_item(client: TestClient) -> None:
    items = [
        {"application_number": "CN202121635235.X", "title": "甲", "patent_type": "发明"},
        {"application_number": "CN202121635235.1", "title": "乙", "patent_type": "发明"},
        {"申请号": "CN202223220665.2", "专利名称": "丙", "专利类型": "实用新型"},
    ]
    result = client.post("/v1/patents/bulk", json=items).json()
    assert [i["status"] for i in result["items"]] == ["inserted", "failed", "inserted"]
    assert result["items"][1]["errors"][0]["field"] == "application_number"
    assert (result["inserted"], result["failed"]) == (2, 1)
    again = client.post("/v1/patents/bulk", json=items[:1]).json()
    assert again["items"][0]["status"] == "unchanged"
    assert client.post("/v1/patents/bulk", json=[]).status_code == 422
    assert client.post("/v1/patents/bulk", json=[{}] * 1001).status_code == 422


def test_institution_keys_import_only_their_own(
    client: TestClient, client_for: Callable[..., TestClient]
) -> None:
    mine = f.create(client, "/v1/institutions", f.institution(name="我的大学"))["id"]
    other = f.create(client, "/v1/institutions", f.institution(name="别的大学"))["id"]
    inst = client_for("institution", institution_id=mine)
    job = upload(inst, "export.csv", EXPORT.read_bytes())
    assert job["institution_id"] == mine and job["inserted"] == 10
    forged = inst.post(
        "/v1/imports",
        files={"file": ("e.csv", EXPORT.read_bytes())},
        data={"institution_id": str(other)},
    )
    assert forged.status_code == 422
    others = client_for("institution", institution_id=other)
    assert others.get(f"/v1/imports/{job['id']}").status_code == 404
    assert others.get(f"/v1/imports/{job['id']}/errors").status_code == 404
    stolen = upload(others, "export.csv", EXPORT.read_bytes())  # same numbers, other holder
    assert stolen["failed"] == 10 and stolen["inserted"] == 0


def test_template(client: TestClient) -> None:
    response = client.get("/v1/imports/template.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    assert headers[:3] == ["申请号", "专利类型", "专利名称"]
    assert book.sheetnames[1] == "字段说明"
    assert any("发明" in (v.formula1 or "") for v in sheet.data_validations.dataValidation)
    filled = io.BytesIO(response.content)
    wb = openpyxl.load_workbook(filled)
    wb.worksheets[0].append(["CN202121635235.X", "发明", "模板专利"])
    out = io.BytesIO()
    wb.save(out)
    assert upload(client, "filled.xlsx", out.getvalue())["inserted"] == 1


def test_cli_import(
    fresh_database_url: Callable[[], str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from app import cli
    from app.config import get_settings
    from app.migrate import upgrade_head

    url = fresh_database_url()
    upgrade_head(url)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("PANHUO_IMPORT_DIR", str(tmp_path))
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([["CN202121635235.1", "坏", "发明", "", "", "", "", ""]]))
    get_settings.cache_clear()
    try:
        assert cli.main(["import", str(EXPORT)]) == 0
        assert "inserted 10" in capsys.readouterr().out
        assert cli.main(["import", str(bad)]) == 0
        out = capsys.readouterr().out
    finally:
        get_settings.cache_clear()
    assert "failed 1" in out and "errors.csv" in out
