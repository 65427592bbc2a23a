import pytest
from fastapi.testclient import TestClient

from tests import factories as f


def _institution(client: TestClient, **over: object) -> int:
    return int(f.create(client, "/v1/institutions", f.institution(**over))["id"])


def test_create_accepts_the_issue_example_and_normalizes(client: TestClient) -> None:
    inst = _institution(client)
    body = f.patent(
        application_number="202121635235X",
        ipc_codes=["H04N 7/18", "g07c1/20"],
        legal_status="有权-审定授权",
        patent_type="实用新型",
        institution_id=inst,
    )
    created = f.create(client, "/v1/patents", body)
    assert created["application_number"] == "CN202121635235.X"
    assert created["ipc_codes"] == ["H04N7/18", "G07C1/20"]
    assert created["ipc_main"] == "H04N7/18"
    assert created["legal_status"] == "valid"
    assert created["legal_status_raw"] == "有权-审定授权"
    assert created["patent_type"] == "utility_model"
    assert created["region_code"] == "420100"  # inherited from the patentee institution
    assert created["ipc_titles"]["H04N7/18"].startswith("闭路电视")
    fetched = client.get(f"/v1/patents/{created['id']}").json()
    assert fetched == created


def test_wrong_check_digit_is_422_naming_the_field(client: TestClient) -> None:
    response = client.post("/v1/patents", json=f.patent(application_number="CN202121635235.1"))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == ["application_number"]
    assert "expected X" in errors[0]["message"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("CN202223220665.2", "CN202223220665.2"),
        ("2022232206652", "CN202223220665.2"),
        ("cn 2022 2322 0665.2", "CN202223220665.2"),
        ("ZL202223220665.2", "CN202223220665.2"),
        ("CN01234567.9", "CN01234567.9"),
    ],
)
def test_application_number_forms(client: TestClient, raw: str, expected: str) -> None:
    created = f.create(client, "/v1/patents", f.patent(application_number=raw))
    assert created["application_number"] == expected


@pytest.mark.parametrize(
    "raw", ["CN20222322066.2", "CN202223220665", "CN202223220665.3", "ABC", "CN01234567.X", ""]
)
def test_bad_application_numbers(client: TestClient, raw: str) -> None:
    response = client.post("/v1/patents", json=f.patent(application_number=raw))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "application_number"


def test_duplicate_application_number_is_409_in_any_form(client: TestClient) -> None:
    f.create(client, "/v1/patents", f.patent(application_number="CN202223220665.2"))
    response = client.post("/v1/patents", json=f.patent(application_number="2022232206652"))
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "application_number"


@pytest.mark.parametrize("code", ["G06F16", "G6F16/33", "Z01B1/00", "G06F16/3", "G06F/33"])
def test_bad_ipc_codes(client: TestClient, code: str) -> None:
    response = client.post("/v1/patents", json=f.patent(ipc_codes=["G06F16/33", code]))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "ipc_codes.1"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("失效-未缴年费", "lapsed"),
        ("审中-实质审查", "pending"),
        ("失效-期限届满", "expired"),
        ("失效-驳回", "rejected"),
        ("有权", "valid"),
        ("lapsed", "lapsed"),
    ],
)
def test_legal_status_strings_map_to_the_enum(client: TestClient, raw: str, expected: str) -> None:
    assert f.create(client, "/v1/patents", f.patent(legal_status=raw))["legal_status"] == expected


def test_unknown_enum_values_are_422(client: TestClient) -> None:
    body = f.patent(
        legal_status="不知道",
        patent_type="软件",
        pool_status="gone",
        transaction_modes=["sell"],
        value_grade="Z",
    )
    response = client.post("/v1/patents", json=body)
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {
        "legal_status",
        "patent_type",
        "pool_status",
        "transaction_modes.0",
        "value_grade",
    }


def test_unknown_institution_is_422_on_the_field(client: TestClient) -> None:
    response = client.post("/v1/patents", json=f.patent(institution_id=999_999))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "institution_id"


def test_grant_before_filing_is_rejected(client: TestClient) -> None:
    body = f.patent(filing_date="2022-05-01", grant_date="2021-01-01")
    response = client.post("/v1/patents", json=body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "grant_date"


def test_patch_changes_only_what_is_sent(client: TestClient) -> None:
    created = f.create(client, "/v1/patents", f.patent(value_grade="B", asking_price="1000.50"))
    response = client.patch(f"/v1/patents/{created['id']}", json={"value_grade": "A"})
    assert response.status_code == 200
    updated = response.json()
    assert updated["value_grade"] == "A"
    assert {k: v for k, v in updated.items() if k not in ("value_grade", "updated_at")} == {
        k: v for k, v in created.items() if k not in ("value_grade", "updated_at")
    }
    cleared = client.patch(f"/v1/patents/{created['id']}", json={"asking_price": None}).json()
    assert cleared["asking_price"] is None and cleared["value_grade"] == "A"


def test_patch_rejects_null_for_required_and_unknown_fields(client: TestClient) -> None:
    created = f.create(client, "/v1/patents", f.patent())
    response = client.patch(f"/v1/patents/{created['id']}", json={"title": None, "titel": "x"})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"title", "titel"}
    assert client.get(f"/v1/patents/{created['id']}").json()["title"] == created["title"]


def test_patch_ipc_keeps_main_first(client: TestClient) -> None:
    created = f.create(client, "/v1/patents", f.patent(ipc_codes=["G06T7/00", "B64U20/80"]))
    patched = client.patch(f"/v1/patents/{created['id']}", json={"ipc_main": "B64U20/80"}).json()
    assert patched["ipc_codes"] == ["B64U20/80"]
    patched = client.patch(
        f"/v1/patents/{created['id']}", json={"ipc_codes": ["H04N7/18", "B64U20/80"]}
    ).json()
    assert patched["ipc_main"] == "B64U20/80"
    assert patched["ipc_codes"] == ["B64U20/80", "H04N7/18"]


def test_withdraw_and_delete(client: TestClient) -> None:
    created = f.create(client, "/v1/patents", f.patent())
    url = f"/v1/patents/{created['id']}"
    assert client.patch(url, json={"pool_status": "withdrawn"}).json()["pool_status"] == "withdrawn"
    assert client.delete(url).status_code == 204
    missing = client.get(url)
    assert missing.status_code == 404
    assert missing.json()["status"] == 404
    assert client.delete(url).status_code == 404
    assert client.patch(url, json={"title": "x"}).status_code == 404
