"""The pathway in the research export: actors, roles, the agenda's follow-up, and barriers and
opportunities with their tags, in every format, the same bytes each time."""

from __future__ import annotations

import io
import json
import time
import zipfile

import pandas as pd
from fastapi.testclient import TestClient

from backcast.db import Database
from backcast.export.schema import TABLES
from backcast.services import accounts, actors, agenda, items
from tests import factories
from tests.test_exports import export


def test_actors_roles_follow_up_and_barriers_are_exported_alike_every_time(
    client: TestClient, db: Database, tmp_path: object
) -> None:
    tree = factories.tree(db)
    code = tree.workshop.code
    headers = {"Authorization": f"Bearer {accounts.issue_api_token(db, tree.owner.email)}"}
    barrier = items.add_item(
        db, tree.owner, code, kind="need", text="No space", need_type="barrier", tags=["legal", "economic"]
    )
    chamber = actors.add_actor(db, tree.owner, code, name="Handwerkskammer Bremen")
    smes = actors.add_actor(db, tree.owner, code, group="sme")
    actors.set_roles(db, tree.owner, tree.measures[0].id, [(chamber.id, "leads"), (smes.id, "could_block")])
    entry = agenda.add_to_agenda(db, tree.owner, code, tree.measures[0].id)
    agenda.set_agenda_status(
        db, tree.owner, code, entry.id, status="started", changed_on="2099-04-01", note="Go"
    )

    def table(name: str) -> list[tuple[object, ...]]:
        body = export(client, headers, code, format="csv", table=name).content
        frame = pd.read_csv(io.BytesIO(body), keep_default_na=False)
        assert list(frame.columns) == [column.name for column in TABLES[name].columns]
        return [tuple(row) for row in frame.itertuples(index=False)]

    assert [row[:4] for row in table("actors")] == [
        (chamber.id, "Handwerkskammer Bremen", "", "confirmed"),
        (smes.id, "Small or medium-sized firm", "sme", "confirmed"),
    ]
    assert table("roles") == [
        (chamber.id, tree.measures[0].id, "leads"),
        (smes.id, tree.measures[0].id, "could_block"),
    ]
    assert [row[1:7] for row in table("agenda_history")] == [
        (entry.id, tree.measures[0].id, "planned", "started", "2099-04-01", "Go")
    ]
    header = [column.name for column in TABLES["items"].columns]
    need_type, tags = header.index("need_type"), header.index("tags")
    assert [(row[0], row[need_type], row[tags]) for row in table("items") if row[1] == "need"] == [
        (tree.need.id, "need", ""),
        (barrier.id, "barrier", "economic legal"),
    ]
    document = json.loads(export(client, headers, code, format="json").content)
    assert [(item["need_type"], item["tags"]) for item in document["items"] if item["kind"] == "need"] == [
        ("need", []),
        ("barrier", ["economic", "legal"]),
    ]
    assert [row["role"] for row in document["roles"]] == ["leads", "could_block"]
    assert [row["status"] for row in document["agenda_history"]] == ["started"]

    def every_format() -> dict[str, bytes]:
        files = {name: export(client, headers, code, format="csv", table=name).content for name in TABLES}
        files["xlsx"] = export(client, headers, code, format="xlsx").content
        with zipfile.ZipFile(
            io.BytesIO(export(client, headers, code, format="datapackage").content)
        ) as archive:
            files |= {name: archive.read(name) for name in archive.namelist() if name.startswith("data/")}
        return files

    first = every_format()
    time.sleep(1.1)  # workbook and zip times have one-second resolution
    assert [name for name, body in every_format().items() if body != first[name]] == []
    assert first["data/roles.csv"] == first["roles"]
