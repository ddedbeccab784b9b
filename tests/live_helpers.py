"""Driving a real server over HTTP: a facilitator, a workshop, participants."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2 as httpx

from backcast.db import Database, make_engine
from backcast.services import accounts

PASSWORD = "correct horse battery"


def facilitator_token(database_url: str, email: str = "ana@example.org") -> str:
    """An account and API token written straight into the server's store."""
    db = Database(make_engine(database_url))
    try:
        accounts.add_facilitator(db, email, PASSWORD)
        return accounts.issue_api_token(db, email)
    finally:
        db.dispose()


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'backcast.sqlite3'}"


@dataclass
class Room:
    """A workshop on a running server, seen through its API."""

    base_url: str
    token: str
    code: str

    @property
    def facilitator(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def phase(self, name: str) -> None:
        response = httpx.post(
            f"{self.base_url}/api/v1/workshops/{self.code}/phase",
            json={"phase": name},
            headers=self.facilitator,
        )
        response.raise_for_status()

    def input(self, open_: bool) -> None:
        response = httpx.post(
            f"{self.base_url}/api/v1/workshops/{self.code}/input",
            json={"open": open_},
            headers=self.facilitator,
        )
        response.raise_for_status()

    def results(self, visible: bool) -> None:
        response = httpx.post(
            f"{self.base_url}/api/v1/workshops/{self.code}/results",
            json={"visible": visible},
            headers=self.facilitator,
        )
        response.raise_for_status()

    def moderate(self, item_id: int, **changes: Any) -> None:
        response = httpx.patch(
            f"{self.base_url}/api/v1/items/{item_id}", json=changes, headers=self.facilitator
        )
        response.raise_for_status()

    def join(self, base_url: str | None = None) -> dict[str, str]:
        response = httpx.post(
            f"{base_url or self.base_url}/api/v1/join", json={"code": self.code, "consent": True}
        )
        response.raise_for_status()
        return {"Authorization": f"Bearer {response.json()['token']}"}

    def add(self, headers: dict[str, str], base_url: str | None = None, **body: Any) -> dict[str, Any]:
        response = httpx.post(
            f"{base_url or self.base_url}/api/v1/workshops/{self.code}/items", json=body, headers=headers
        )
        response.raise_for_status()
        return response.json()

    def events_url(self, base_url: str | None = None, last_event_id: int | None = None) -> str:
        url = f"{base_url or self.base_url}/api/v1/workshops/{self.code}/events"
        return url if last_event_id is None else f"{url}?last_event_id={last_event_id}"


def open_room(base_url: str, token: str, **fields: Any) -> Room:
    body = {"title": "Live room", "present_year": 2026, "vision_year": 2045, "language": "en", **fields}
    response = httpx.post(
        f"{base_url}/api/v1/workshops", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    response.raise_for_status()
    return Room(base_url, token, response.json()["code"])
