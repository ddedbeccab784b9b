"""/healthz tells the truth, and the vendored htmx is exactly what VENDORED.md says."""

from __future__ import annotations

import hashlib
import re

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import text

from backcast import __version__, migrate
from backcast.db import Database
from backcast.paths import ROOT, STATIC


def test_healthz_reports_version_migration_and_database(client: TestClient, db: Database) -> None:
    body = client.get("/healthz").json()
    live = body.pop("live")
    assert {key: live[key] for key in ("broker", "connected", "feeds", "listeners")} == {
        "broker": "memory",
        "connected": True,
        "feeds": 0,
        "listeners": 0,
    }
    assert live["tasks"] >= 1
    assert body == {
        "status": "ok",
        "version": __version__,
        "migration": {"head": migrate.head_revision(), "current": migrate.head_revision()},
        "database": {"reachable": True, "dialect": db.dialect},
    }


def test_healthz_is_503_when_the_schema_falls_behind(sqlite_client: TestClient, sqlite_db: Database) -> None:
    with sqlite_db.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'old'"))
    response = sqlite_client.get("/healthz")
    assert (response.status_code, response.json()["status"]) == (503, "unavailable")


def test_vendored_files_match_their_recorded_digests() -> None:
    table = (STATIC / "vendor" / "VENDORED.md").read_text()
    recorded = dict(re.findall(r"^\| `([^`]+)` \|.*\| `([0-9a-f]{64})` \|$", table, flags=re.M))
    on_disk = {p.name for p in (STATIC / "vendor").iterdir() if p.suffix in {".js", ".css"}}

    assert set(recorded) == on_disk
    for name, digest in recorded.items():
        assert hashlib.sha256((STATIC / "vendor" / name).read_bytes()).hexdigest() == digest, name


def test_pages_load_htmx_and_its_sse_extension_from_this_server(client: TestClient) -> None:
    page = BeautifulSoup(client.get("/login").text, "html.parser")
    scripts = [tag["src"] for tag in page.find_all("script")]
    assert scripts == ["/static/vendor/htmx-2.0.11.min.js", "/static/vendor/htmx-ext-sse-2.2.4.min.js"]
    for src in scripts:
        assert client.get(src).status_code == 200
    assert (ROOT / "static" / "vendor" / "htmx-2.0.11.min.js").read_text().count('version:"2.0.11"') == 1
