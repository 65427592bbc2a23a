"""Sign-in, session cookie and CSRF; forms show the API's refusals as Chinese field errors."""

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from app.auth.models import ApiKey
from app.db import utcnow
from app.patents.models import Patent, PatentType
from tests.access_world import World
from tests.console.conftest import FORM_CSRF, Console, ConsoleFor, sign_in


def _field_error(html: str, field: str) -> str:
    found = re.search(rf'id="err-{field}">([^<]*)<', html)
    assert found, f"no error next to {field}"
    return found.group(1)


def test_login_sets_a_strict_cookie_and_logout_clears_it(
    app: FastAPI, anon: TestClient, make_key: object
) -> None:
    console = sign_in(app, make_key("portal"))  # type: ignore[operator]
    cookie = next(c for c in console.cookies.jar if c.name == "panhuo_console")
    assert cookie.path == "/console" and not cookie.secure
    raw = console.get("/console/stats").request.headers["cookie"]
    assert "pk_" not in raw  # the cookie is not the API key
    out = console.post_form("/console/logout")
    assert out.status_code == 303 and "panhuo_console=" in out.headers["set-cookie"]
    assert "HttpOnly" in out.headers["set-cookie"] or "httponly" in out.headers["set-cookie"]
    assert console.get("/console/stats").status_code == 303


def test_session_cookie_flags(app: FastAPI, anon: TestClient, make_key: object) -> None:
    console = Console(app, follow_redirects=False)
    token = FORM_CSRF.search(console.get("/console/login").text)
    assert token
    response = console.post(
        "/console/login",
        data={"api_key": make_key("portal"), "csrf_token": token.group(1)},  # type: ignore[operator]
    )
    header = response.headers["set-cookie"].lower()
    assert "httponly" in header and "samesite=lax" in header and "path=/console" in header


def test_secure_flag_follows_the_setting(app: FastAPI, anon: TestClient, make_key: object) -> None:
    app.state.settings = app.state.settings.model_copy(update={"console_cookie_secure": True})
    console = Console(app, follow_redirects=False)
    response = console.get("/console/login")
    assert "secure" in response.headers["set-cookie"].lower()


def test_bad_key_and_missing_login_csrf(app: FastAPI, anon: TestClient) -> None:
    console = Console(app, follow_redirects=False)
    token = FORM_CSRF.search(console.get("/console/login").text)
    assert token
    wrong = console.post(
        "/console/login", data={"api_key": "pk_nope", "csrf_token": token.group(1)}
    )
    assert wrong.status_code == 200
    assert "无效" in _field_error(wrong.text, "api_key")
    forged = Console(app, follow_redirects=False).post(
        "/console/login", data={"api_key": "pk_nope", "csrf_token": "x"}
    )
    assert forged.status_code == 200 and "已过期" in forged.text


def test_open_redirects_are_refused(app: FastAPI, anon: TestClient, make_key: object) -> None:
    console = Console(app, follow_redirects=False)
    token = FORM_CSRF.search(console.get("/console/login").text)
    assert token
    response = console.post(
        "/console/login",
        data={
            "api_key": make_key("portal"),  # type: ignore[operator]
            "csrf_token": token.group(1),
            "next": "//evil.example/console/",
        },
    )
    assert response.headers["location"] == "/console/stats"


def test_a_revoked_key_ends_the_session(
    console_for: ConsoleFor, session_factory: sessionmaker[Session]
) -> None:
    console = console_for("portal")
    assert console.get("/console/stats").status_code == 200
    with session_factory() as session, session.begin():
        for key in session.query(ApiKey).filter(ApiKey.role == "portal"):
            key.revoked_at = utcnow()
    assert console.get("/console/stats").status_code == 303


def test_open_licence_form_shows_schema_and_legal_errors(
    console_for: ConsoleFor, world: World, session_factory: sessionmaker[Session]
) -> None:
    console = console_for("institution", institution_id=world.inst)
    url = f"/console/patents/{world.free_patent}/open-license"
    missing = console.post_form(url, {"fee_type": "one_off", "term_years": "99"})
    assert missing.status_code == 200
    assert _field_error(missing.text, "payment_method") == "不能为空" or "必填" in missing.text
    assert "不能大于 20" in _field_error(missing.text, "term_years")
    no_fee = console.post_form(
        url, {"fee_type": "one_off", "payment_method": "转账", "term_years": "3"}
    )
    assert "缺少 one_off_fee" in _field_error(no_fee.text, "one_off_fee")
    with session_factory() as session, session.begin():
        patent = session.get(Patent, world.free_patent)
        assert patent is not None
        patent.patent_type = PatentType.utility_model
    report = console.post_form(
        url,
        {"fee_type": "one_off", "one_off_fee": "1000", "payment_method": "转账", "term_years": "3"},
    )
    assert "评价报告" in _field_error(report.text, "evaluation_report")
    report_given = console.post_form(
        url,
        {
            "fee_type": "one_off",
            "one_off_fee": "30000000",
            "payment_method": "转账",
            "term_years": "3",
            "evaluation_report": "PJ2024-1",
        },
    )
    assert report_given.status_code == 303
    patents = console.get("/console/patents")
    assert "费用提示" in patents.text  # the fee guidance, shown once


def test_feedback_rating_errors_are_named(console_for: ConsoleFor, world: World) -> None:
    console = console_for("enterprise", enterprise_id=world.ent)
    url = f"/console/patents/{world.patent}/feedback"
    bad = console.post_form(url, {"intent": "license", "rating.market": "9"})
    assert bad.status_code == 200
    assert "不能大于 5" in _field_error(bad.text, "rating-market")
    assert _field_error(bad.text, "rating-maturity") == "必填"
    no_intent = console.post_form(url, {})
    assert _field_error(no_intent.text, "intent") == "必填"
    good = console.post_form(
        url,
        {
            "intent": "license",
            "rating.market": "4",
            "rating.maturity": "3",
            "rating.difficulty": "5",
            "share_contact": "on",
        },
    )
    assert good.status_code == 303
    assert "反馈已提交" in console.get(good.headers["location"]).text


def test_match_filter_errors_sit_next_to_the_fields(console_for: ConsoleFor, world: World) -> None:
    console = console_for("portal")
    page = console.get("/console/matches?run=1&source=text&text=无人机&ipc=ZZZ&sei=99.9")
    assert page.status_code == 200
    assert "IPC 前缀格式错误" in _field_error(page.text, "ipc")
    assert "未知的战略性新兴产业分类" in _field_error(page.text, "sei")
    institution = console_for("institution", institution_id=world.inst)
    refused = institution.get("/console/matches?run=1&source=text&text=无人机")
    assert refused.status_code == 200 and "不能使用" in refused.text


def test_foreign_rows_are_not_found_pages(console_for: ConsoleFor, world: World) -> None:
    console = console_for("institution", institution_id=world.inst)
    page = console.get(f"/console/patents/{world.other_patent}/open-license")
    assert page.status_code == 404 and "专利不存在" in page.text
    assert page.headers["content-type"].startswith("text/html")
