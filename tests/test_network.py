"""The address phones join at: the port the server really listens on, and a warning in the console
when phones could not reach it."""

from __future__ import annotations

from pathlib import Path

import httpx2 as httpx
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from backcast.app import create_app
from backcast.db import Database
from backcast.settings import Settings
from tests import factories
from tests import server as real_server
from tests.live_helpers import facilitator_token, open_room, sqlite_url
from tests.test_console import sign_in


def test_the_join_address_names_the_port_given_to_serve(tmp_path: Path) -> None:
    running = real_server.start(tmp_path)  # `backcast serve --port <free port>`
    try:
        room = open_room(running.base_url, facilitator_token(sqlite_url(tmp_path)))
        port = running.base_url.rsplit(":", 1)[1]
        page = BeautifulSoup(httpx.get(f"{running.base_url}/w/{room.code}/screen").text, "html.parser")
        assert page.select_one(".join-url").get_text().endswith(f":{port}/join")
        created = httpx.get(f"{running.base_url}/api/v1/workshops/{room.code}", headers=room.facilitator)
        assert created.json()["join_url"].endswith(f":{port}/j/{room.code}")
    finally:
        running.stop()


def console_notice(db: Database, settings: Settings) -> str | None:
    shop = factories.workshop(db)
    owner = factories.owner_of(db, shop)
    with TestClient(create_app(settings, db=db)) as client:
        sign_in(client, owner.email)
        page = BeautifulSoup(client.get(f"/facilitate/{shop.code}").text, "html.parser")
    notice = page.select_one("#unreachable")
    return notice.get_text() if notice else None


def test_the_console_warns_when_the_server_listens_only_on_this_computer(
    sqlite_db: Database, settings: Settings
) -> None:
    assert console_notice(sqlite_db, settings.model_copy(update={"host": "127.0.0.1"})) == (
        "This server listens only on this computer (127.0.0.1): phones cannot reach it. Start it with "
        "--host 0.0.0.0, or set BACKCAST_PUBLIC_URL to an address phones can open."
    )
    public = settings.model_copy(update={"host": "127.0.0.1", "public_url": "https://workshop.example.org"})
    assert console_notice(sqlite_db, public) is None
