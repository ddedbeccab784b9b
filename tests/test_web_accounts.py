"""Signing in through the browser, the session cookie, and the one-time set-up link."""

from __future__ import annotations

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from backcast.db import Database
from backcast.http.deps import SESSION_KEY
from backcast.services.accounts import setup_token
from backcast.settings import Settings
from tests import factories


def form_error(html: str) -> str:
    found = BeautifulSoup(html, "html.parser").select_one("[role=alert]")
    return found.get_text(strip=True) if found else ""


def test_home_sends_a_stranger_to_sign_in(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/login?next=%2F")


def test_sign_in_sets_a_signed_httponly_samesite_cookie_and_shows_my_workshops(
    client: TestClient, db: Database
) -> None:
    owner = factories.facilitator(db, "ana@example.org")
    factories.workshop(db, owner, title="Weser-Ems 2045")
    factories.workshop(db, title="Someone else's")

    response = client.post(
        "/login",
        data={"email": "ana@example.org", "password": factories.PASSWORD, "next": "/"},
        follow_redirects=False,
    )

    assert (response.status_code, response.headers["location"]) == (303, "/")
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    page = BeautifulSoup(client.get("/").text, "html.parser")
    assert [cell.get_text() for cell in page.select("tbody td:first-child")] == ["Weser-Ems 2045"]


def test_wrong_password_says_so_without_telling_which_part(client: TestClient, db: Database) -> None:
    factories.facilitator(db, "ana@example.org")
    wrong_password = client.post("/login", data={"email": "ana@example.org", "password": "nope nope nope"})
    unknown_email = client.post("/login", data={"email": "bob@example.org", "password": "nope nope nope"})

    assert wrong_password.status_code == unknown_email.status_code == 401
    assert form_error(wrong_password.text) == form_error(unknown_email.text) == "Email or password is wrong."
    assert SESSION_KEY not in client.cookies


def test_sign_in_never_redirects_off_site(client: TestClient, db: Database) -> None:
    factories.facilitator(db, "ana@example.org")
    for target in ("https://evil.example", "//evil.example", "/\\evil.example"):
        response = client.post(
            "/login",
            data={"email": "ana@example.org", "password": factories.PASSWORD, "next": target},
            follow_redirects=False,
        )
        assert response.headers["location"] == "/"


def test_sign_out_ends_the_session(client: TestClient, db: Database) -> None:
    factories.facilitator(db, "ana@example.org")
    client.post("/login", data={"email": "ana@example.org", "password": factories.PASSWORD})
    assert client.get("/", follow_redirects=False).status_code == 200

    client.post("/logout")

    assert client.get("/", follow_redirects=False).status_code == 303


def test_a_forged_session_cookie_is_ignored(client: TestClient, db: Database) -> None:
    factories.facilitator(db)
    client.cookies.set("backcast_session", "eyJmYWNpbGl0YXRvcl9pZCI6IDF9.forged.signature")
    assert client.get("/", follow_redirects=False).status_code == 303


def test_set_up_link_creates_the_first_account_once(client: TestClient, settings: Settings) -> None:
    token = setup_token(settings)
    page = client.get(f"/setup?token={token}")
    assert page.status_code == 200

    mismatch = client.post(
        "/setup",
        data={
            "token": token,
            "email": "ana@example.org",
            "password": "long password 1",
            "password_again": "other one!",
        },
    )
    assert (mismatch.status_code, form_error(mismatch.text)) == (422, "The two passwords differ.")
    created = client.post(
        "/setup",
        data={
            "token": token,
            "email": "ana@example.org",
            "password": "long password 1",
            "password_again": "long password 1",
        },
        follow_redirects=False,
    )
    assert (created.status_code, created.headers["location"]) == (303, "/")
    assert client.get("/", follow_redirects=False).status_code == 200

    assert client.get(f"/setup?token={token}").status_code == 410
    again = client.post(
        "/setup",
        data={
            "token": token,
            "email": "eve@example.org",
            "password": "long password 2",
            "password_again": "long password 2",
        },
    )
    assert again.status_code == 410


def test_set_up_refuses_a_forged_link(client: TestClient) -> None:
    assert client.get("/setup?token=forged").status_code == 403
    response = client.post(
        "/setup",
        data={
            "token": "forged",
            "email": "eve@example.org",
            "password": "long password 2",
            "password_again": "long password 2",
        },
    )
    assert response.status_code == 403


def test_pages_name_their_language(client: TestClient) -> None:
    page = BeautifulSoup(
        client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.8"}).text, "html.parser"
    )
    assert page.html is not None and page.html["lang"] == "en"


def test_html_errors_are_pages_and_api_errors_are_problems(client: TestClient) -> None:
    html = client.get("/no-such-page", headers={"Accept": "text/html"})
    assert html.status_code == 404 and html.headers["content-type"].startswith("text/html")
    assert client.get("/no-such-page").headers["content-type"] == "application/problem+json"
