"""Identifiers have one spelling: Unicode digits become ASCII (issue 15, defect 10).

``\\d`` and ``int()`` accept Arabic-Indic or full-width digits, so ``CN٢٠٩٨١٠٠٠٠٠٠٠.9`` passed
the check digit and was stored beside ``CN209810000000.9``.
"""

import pytest
from fastapi.testclient import TestClient

from app.common import identifiers
from tests import factories as f

ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
DEVANAGARI = str.maketrans("0123456789", "०१२३४५६७८९")
USCC = f.credit_code()
APP_NO = "CN202121635235.X"


@pytest.mark.parametrize("table", [ARABIC, FULLWIDTH, DEVANAGARI])
def test_application_number_uniqueness_holds_for_unicode_digits(
    client: TestClient, table: dict[int, str]
) -> None:
    ascii_number = "CN209810000000.9"
    first = f.create(client, "/v1/patents", f.patent(application_number=ascii_number))
    assert first["application_number"] == ascii_number
    twin = client.post(
        "/v1/patents", json=f.patent(application_number=ascii_number.translate(table))
    )
    assert twin.status_code == 409, twin.text
    assert twin.json()["errors"][0]["field"] == "application_number"
    assert client.get("/v1/patents").json()["total"] == 1


def test_bulk_import_dedupes_unicode_digit_application_numbers(client: TestClient) -> None:
    item = {"application_number": "CN209810000000.9", "title": "甲", "patent_type": "发明"}
    twin = {**item, "application_number": "CN٢٠٩٨١٠٠٠٠٠٠٠.9"}
    result = client.post("/v1/patents/bulk", json=[item, twin]).json()["items"]
    assert [i["status"] for i in result] == ["inserted", "failed"], result
    assert "duplicate of row 0" in result[1]["errors"][0]["reason_en"]
    again = client.post("/v1/patents/bulk", json=[twin]).json()["items"]
    assert again[0]["status"] == "unchanged", again
    assert client.get("/v1/patents").json()["total"] == 1


@pytest.mark.parametrize(
    ("normalize", "raw", "expected"),
    [
        (
            identifiers.normalize_application_number,
            "ＣＮ２０２１２１６３５２３５．Ｘ",
            "CN202121635235.X",
        ),
        (identifiers.normalize_ipc, "G٠٦F١٦/٣٣", "G06F16/33"),
        (identifiers.normalize_region, "٤٢٠١٠٠", "420100"),
        (identifiers.normalize_industry_code, "C٣٨٤١", "C3841"),
        (identifiers.normalize_uscc, USCC.translate(ARABIC), USCC),
    ],
)
def test_identifiers_normalize_unicode_digits(normalize: object, raw: str, expected: str) -> None:
    assert normalize(raw) == expected  # type: ignore[operator]


def test_enterprise_codes_are_stored_in_ascii(client: TestClient) -> None:
    code = f.credit_code()
    body = f.enterprise(uscc=code.translate(ARABIC), region_code="٤١٠١٠٠", industry_code="C٣٨٤١")
    ent = f.create(client, "/v1/enterprises", body)
    assert (ent["uscc"], ent["region_code"], ent["industry_code"]) == (code, "410100", "C3841")
    again = client.post("/v1/enterprises", json=f.enterprise(uscc=code))
    assert again.status_code == 409, again.text
