"""Every response carries the security headers; the policy forbids inline and foreign scripts."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from backcast.app import create_app
from backcast.db import Database
from backcast.settings import Settings
from tests import factories


@pytest.mark.parametrize(
    "path", ["/login", "/join", "/healthz", "/api/v1/workshops/ZZZZZZ", "/static/app.css"]
)
def test_every_response_carries_the_security_headers(sqlite_client: TestClient, path: str) -> None:
    headers = sqlite_client.get(path).headers
    policy = dict(part.strip().split(" ", 1) for part in headers["content-security-policy"].split(";"))

    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in headers["content-security-policy"]
    assert "unsafe-eval" not in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert "camera=()" in headers["permissions-policy"]
    assert "strict-transport-security" not in headers


def test_pages_hold_no_inline_script_or_style(sqlite_client: TestClient, sqlite_db: Database) -> None:
    shop = factories.workshop(sqlite_db)
    for path in ("/login", "/join", f"/j/{shop.code}", f"/w/{shop.code}/screen"):
        page = sqlite_client.get(path).text
        assert "<script>" not in page and "style=" not in page and "onclick" not in page.lower(), path


def test_hsts_when_served_over_https(sqlite_db: Database, settings: Settings) -> None:
    https = settings.model_copy(update={"public_url": "https://workshop.example.org"})
    with TestClient(create_app(https, db=sqlite_db)) as client:
        assert client.get("/login").headers["strict-transport-security"].startswith("max-age=")


def test_a_server_error_carries_the_security_headers_too(sqlite_db: Database, settings: Settings) -> None:
    app = create_app(settings, db=sqlite_db)

    def broken() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/broken", broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/broken")
    assert response.status_code == 500
    assert "a bug" not in response.text
    assert response.headers["content-security-policy"].startswith("default-src 'self'")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
