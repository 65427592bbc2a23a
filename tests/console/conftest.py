"""Console clients: a TestClient signed in through the login form, with its CSRF token."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests import access_world
from tests.access_world import World

META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]*)">')
FORM_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Console(TestClient):
    """A browser-like client: cookies kept, redirects not followed, ``csrf`` after login."""

    csrf = ""

    def post_form(self, url: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
        return self.post(url, data={"csrf_token": self.csrf, **(data or {})}, **kw)


def sign_in(app: FastAPI, key: str) -> Console:
    console = Console(app, follow_redirects=False)
    form = console.get("/console/login")
    token = FORM_CSRF.search(form.text)
    assert token, form.text
    response = console.post(
        "/console/login", data={"api_key": key, "csrf_token": token.group(1), "next": ""}
    )
    assert response.status_code == 303, response.text
    landing = console.get(response.headers["location"])
    found = META_CSRF.search(landing.text)
    assert found and found.group(1), landing.text
    console.csrf = found.group(1)
    return console


ConsoleFor = Callable[..., Console]


@pytest.fixture
def console_for(app: FastAPI, anon: TestClient, make_key: Callable[..., str]) -> ConsoleFor:
    """``console_for("institution", institution_id=1)``: signed in with a fresh key."""

    def make(role: str, **binding: Any) -> Console:
        return sign_in(app, make_key(role, **binding))

    return make


@pytest.fixture
def world(session_factory: sessionmaker[Session]) -> World:
    with session_factory() as session, session.begin():
        return access_world.build(session)
