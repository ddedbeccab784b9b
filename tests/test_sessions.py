"""Facilitator sessions live on the server: signing out, a new password and "sign out everywhere"
end them at once, on every process, and a copied cookie stops working with them. API tokens can be
listed and revoked, from the account page and the command line, and say when they were last used."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import select

from backcast.app import SESSION_COOKIE, create_app
from backcast.db import Database
from backcast.models import AccountEvent, ApiToken
from backcast.services import accounts
from backcast.settings import Settings
from tests import factories
from tests.test_cli import backcast, data_dir, open_db  # noqa: F401  (data_dir is a fixture)

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def two_processes(db: Database, settings: Settings) -> Iterator[tuple[TestClient, TestClient]]:
    """Two application instances over one database, as two workers behind one proxy."""
    with TestClient(create_app(settings, db=db)) as first, TestClient(create_app(settings, db=db)) as second:
        yield first, second


def sign_in(client: TestClient, email: str, password: str = factories.PASSWORD) -> None:
    response = client.post("/login", data={"email": email, "password": password}, follow_redirects=False)
    assert response.status_code == 303, response.text


def signed_in(client: TestClient) -> bool:
    return client.get("/", follow_redirects=False).status_code == 200


def copy_cookie(source: TestClient, target: TestClient) -> None:
    target.cookies.set(SESSION_COOKIE, source.cookies[SESSION_COOKIE])


def api_status(client: TestClient, token: str) -> int:
    """A call any valid facilitator token may make: 401 tells a token that does not work."""
    body = {"title": "Token check", "present_year": 2026, "vision_year": 2045}
    return client.post(
        "/api/v1/workshops", json=body, headers={"Authorization": f"Bearer {token}"}
    ).status_code


def account_events(db: Database) -> list[str]:
    with db.read() as session:
        return [event.type for event in session.exec(select(AccountEvent).order_by(AccountEvent.id))]


def test_a_copied_cookie_stops_working_on_every_process_after_sign_out(
    two_processes: tuple[TestClient, TestClient], db: Database
) -> None:
    first, second = two_processes
    account = factories.facilitator(db)
    sign_in(first, account.email)
    copy_cookie(first, second)
    assert signed_in(second)

    first.post("/logout")

    assert not signed_in(first)
    assert not signed_in(second)


def test_a_new_password_ends_every_other_session_and_keeps_this_one(
    two_processes: tuple[TestClient, TestClient], db: Database, settings: Settings
) -> None:
    first, second = two_processes
    account = factories.facilitator(db)
    sign_in(first, account.email)
    sign_in(second, account.email)

    changed = first.post(
        "/account/password",
        data={
            "current_password": factories.PASSWORD,
            "password": NEW_PASSWORD,
            "password_again": NEW_PASSWORD,
        },
        follow_redirects=False,
    )

    assert (changed.status_code, changed.headers["location"]) == (303, "/account?done=password")
    assert signed_in(first)
    assert not signed_in(second)
    assert accounts.authenticate(db, account.email, NEW_PASSWORD).id == account.id
    assert account_events(db)[-1] == "password-changed"


def test_a_new_password_needs_the_current_one(client: TestClient, db: Database) -> None:
    account = factories.facilitator(db)
    sign_in(client, account.email)

    refused = client.post(
        "/account/password",
        data={
            "current_password": "not my password",
            "password": NEW_PASSWORD,
            "password_again": NEW_PASSWORD,
        },
    )

    assert refused.status_code == 422
    error = BeautifulSoup(refused.text, "html.parser").select_one("[role=alert]")
    assert error is not None and error.get_text() == "The current password is wrong."
    assert accounts.authenticate(db, account.email, factories.PASSWORD).id == account.id


def test_sign_out_everywhere_ends_every_session_of_the_account_only(
    two_processes: tuple[TestClient, TestClient], db: Database, settings: Settings
) -> None:
    first, second = two_processes
    account = factories.facilitator(db)
    colleague = factories.facilitator(db)
    sign_in(first, account.email)
    sign_in(second, account.email)
    with TestClient(create_app(settings, db=db)) as other:
        sign_in(other, colleague.email)

        ended = first.post("/account/sign-out-everywhere", follow_redirects=False)

        assert (ended.status_code, ended.headers["location"]) == (303, "/login")
        assert (signed_in(first), signed_in(second), signed_in(other)) == (False, False, True)
    assert account_events(db)[-1] == "sessions-ended"


def test_the_account_page_lists_and_revokes_my_tokens_only(client: TestClient, db: Database) -> None:
    account = factories.facilitator(db)
    colleague = factories.facilitator(db)
    mine = accounts.issue_api_token(db, account.email, "survey script")
    theirs = accounts.issue_api_token(db, colleague.email, "their script")
    assert api_status(client, mine) == 201
    sign_in(client, account.email)

    page = BeautifulSoup(client.get("/account").text, "html.parser")
    rows = [[cell.get_text(strip=True) for cell in row.select("td")] for row in page.select("tbody tr")]
    assert [(row[0], row[2].endswith("UTC")) for row in rows] == [("survey script", True)]
    with db.read() as session:
        ids = {row.label: row.id for row in session.exec(select(ApiToken))}

    not_mine = client.post(f"/account/tokens/{ids['their script']}/revoke")
    revoked = client.post(f"/account/tokens/{ids['survey script']}/revoke", follow_redirects=False)

    assert not_mine.status_code == 422
    assert (revoked.status_code, revoked.headers["location"]) == (303, "/account?done=revoked")
    assert api_status(client, mine) == 401
    assert api_status(client, theirs) == 201
    assert BeautifulSoup(client.get("/account").text, "html.parser").select("tbody tr") == []


def test_a_token_records_when_it_was_last_used(client: TestClient, db: Database) -> None:
    account = factories.facilitator(db)
    token = accounts.issue_api_token(db, account.email)
    assert [row.last_used_at for row in accounts.api_tokens(db, account.id or 0)] == [None]

    api_status(client, token)

    used = accounts.api_tokens(db, account.id or 0)[0].last_used_at
    assert used is not None and used >= accounts.api_tokens(db, account.id or 0)[0].created_at


def test_cli_sets_a_password_lists_and_revokes_tokens(data_dir: Path, settings: Settings) -> None:  # noqa: F811
    backcast(data_dir, "facilitator", "add", "ana@example.org", "--password-stdin", stdin="a long password\n")
    token = backcast(data_dir, "token", "new", "ana@example.org", "--label", "survey").stdout.strip()
    db = open_db(data_dir)
    try:
        with TestClient(create_app(settings, db=db)) as client:
            sign_in(client, "ana@example.org", "a long password")
            assert api_status(client, token) == 201

            listed = backcast(data_dir, "token", "list", "ana@example.org")
            token_id, _created, used, label = listed.stdout.rstrip("\n").split("\t")
            assert (listed.returncode, label) == (0, "survey")
            assert used != "never"

            changed = backcast(
                data_dir, "facilitator", "password", "ana@example.org", "--password-stdin", stdin=NEW_PASSWORD
            )
            assert changed.returncode == 0, changed.stderr
            assert not signed_in(client)
            sign_in(client, "ana@example.org", NEW_PASSWORD)

            revoked = backcast(data_dir, "token", "revoke", token_id)
            assert (revoked.returncode, revoked.stdout) == (0, f"token {token_id} revoked\n")
            assert api_status(client, token) == 401
            again = backcast(data_dir, "token", "revoke", token_id)
            assert (again.returncode, again.stderr) == (1, "backcast: error: There is no such token.\n")
    finally:
        db.dispose()
