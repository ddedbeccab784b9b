"""A form posted from another site is refused; the same site and the API are not affected."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from backcast.db import Database
from tests import factories


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
    ],
)
def test_cross_site_form_posts_are_refused_and_change_nothing(
    sqlite_client: TestClient, sqlite_db: Database, headers: dict[str, str]
) -> None:
    shop = factories.workshop(sqlite_db)
    before = factories.event_count(sqlite_db, shop)

    responses = [
        sqlite_client.post(
            f"/j/{shop.code}", data={"consent": "yes"}, headers=headers, follow_redirects=False
        ),
        sqlite_client.post("/login", data={"email": "a@b.de", "password": "x" * 12}, headers=headers),
        sqlite_client.post("/logout", headers=headers),
    ]

    assert [r.status_code for r in responses] == [403, 403, 403]
    assert factories.event_count(sqlite_db, shop) == before


@pytest.mark.parametrize("headers", [{"Sec-Fetch-Site": "same-origin"}, {"Origin": "http://testserver"}, {}])
def test_same_site_posts_go_through(
    sqlite_client: TestClient, sqlite_db: Database, headers: dict[str, str]
) -> None:
    shop = factories.workshop(sqlite_db)
    response = sqlite_client.post(f"/j/{shop.code}", headers=headers, follow_redirects=False)
    assert response.status_code == 303


def test_the_api_is_unaffected_since_it_takes_no_cookies(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    shop = factories.workshop(sqlite_db)
    response = sqlite_client.post(
        "/api/v1/join", json={"code": shop.code}, headers={"Origin": "https://other.example"}
    )
    assert response.status_code == 201
