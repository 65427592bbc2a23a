"""Web console (/console): server-rendered pages for tech-transfer and IP offices.

Routes are thin: they parse a form with the API's request schemas, call the same domain
services as ``/v1``, and render a Jinja2 template. See ``security`` for sign-in and CSRF.
"""

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app.console import (
    pages_auth,
    pages_enterprise,
    pages_import,
    pages_matches,
    pages_patent,
    pages_patents,
    pages_profiles,
    pages_stats,
)
from app.console.render import HERE

UPLOAD_PATH = "/console/import"


def install(app: FastAPI) -> None:
    # Each page module's router is included directly (one level, like the API routers).
    for module in (
        pages_auth,
        pages_import,
        pages_patents,
        pages_patent,
        pages_matches,
        pages_enterprise,
        pages_stats,
        pages_profiles,
    ):
        app.include_router(module.router, include_in_schema=False)
    app.mount("/console/static", StaticFiles(directory=HERE / "static"), name="console-static")
