"""HEAD works wherever GET does, and a 405 names every method the address takes."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from backcast.db import Database
from tests import factories


@pytest.mark.parametrize("path", ["/healthz", "/login", "/join", "/static/app.css", "/openapi.json"])
def test_head_answers_as_get_without_the_body(sqlite_client: TestClient, path: str) -> None:
    got = sqlite_client.get(path)
    head = sqlite_client.head(path)
    assert (head.status_code, head.content) == (got.status_code, b"")
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers["content-security-policy"]


def test_head_on_an_api_resource_needs_the_same_token_as_get(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    shop = factories.workshop(sqlite_db)
    assert sqlite_client.head(f"/api/v1/workshops/{shop.code}").status_code == 401


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/api/v1/workshops/ABCDEF", "GET, HEAD, PATCH, DELETE"),
        ("DELETE", "/api/v1/items/1", "PATCH"),
        ("PUT", "/api/v1/workshops/ABCDEF/items", "GET, HEAD, POST"),
        ("PUT", "/login", "GET, HEAD, POST"),
        ("DELETE", "/healthz", "GET, HEAD"),
    ],
)
def test_a_405_names_every_method_the_address_takes(
    sqlite_client: TestClient, method: str, path: str, allowed: str
) -> None:
    response = sqlite_client.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allowed
