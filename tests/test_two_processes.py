"""Two server processes on one database: what one deletes, the other refuses to write to."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from backcast.app import create_app
from backcast.db import Database, make_engine
from backcast.enums import Phase
from backcast.services import participants, workshops
from backcast.settings import Settings
from tests import factories


def test_a_participant_deleted_by_another_process_is_refused_with_401(
    sqlite_db: Database, settings: Settings
) -> None:
    other = Database(make_engine(str(sqlite_db.engine.url)))
    try:
        tree = factories.tree(sqlite_db)
        code = tree.workshop.code
        factories.phase(sqlite_db, tree.workshop, Phase.milestones)
        workshops.set_input_open(sqlite_db, tree.owner, code, True)
        with TestClient(create_app(settings, db=sqlite_db)) as phone:
            joined = phone.post("/api/v1/join", json={"code": code, "consent": True})
            assert joined.status_code == 201, joined.text
            headers = {"Authorization": f"Bearer {joined.json()['token']}"}
            body = {"kind": "milestone", "text": "Every roof has panels", "year": 2035}
            first = phone.post(f"/api/v1/workshops/{code}/items", json=body, headers=headers)
            assert first.status_code == 201, first.text  # and this process now knows the token

            # The facilitator deletes the participant through the other process.
            participants.delete_participant(other, tree.owner, code, joined.json()["participant_id"])

            again = phone.post(
                f"/api/v1/workshops/{code}/items", json={**body, "text": "And walls"}, headers=headers
            )
            assert again.status_code == 401
            assert again.json()["code"] == "unauthenticated"
    finally:
        other.dispose()
    assert Path(str(sqlite_db.engine.url.database)).exists()
