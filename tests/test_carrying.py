"""Carrying results over: a new workshop of a study starts from another workshop's vision and
milestones (all, or those the facilitator picks, with the adopted synthesis), each marked with its
origin on the console, the screen and the phones and in the export; a source outside the study or
unreadable, or an item that is not a vision statement or milestone of it, is refused and nothing
changes."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import col, select

from backcast import cli
from backcast.db import Database
from backcast.enums import Phase
from backcast.models import EventRecord, Facilitator, Item, StudyEvent, Workshop
from backcast.services import items, studies
from backcast.services.carrying import clean_request
from backcast.services.errors import Conflict, Invalid, NotAllowed, NotFound
from backcast.services.study_access import StudyDetails
from tests import factories
from tests.test_console import sign_in
from tests.test_studies import bearer

HTML = {"Accept": "text/html"}


class Series:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.ana = factories.facilitator(db)
        self.study = studies.create_study(db, self.ana, title="Nordwest")
        self.bremen = studies.create_workshop_in_study(
            db,
            self.ana,
            self.study.id,
            title="Bremen 2045",
            details=StudyDetails(region="Bremen", held_on=date(2026, 5, 4)),
            present_year=2026,
            vision_year=2045,
        )
        code = self.bremen.code
        self.statement = items.add_item(db, self.ana, code, kind="vision", text="Die Stadt lebt vom Fluss")
        self.synthesis = items.add_item(db, self.ana, code, kind="vision", text="Bremen teilt und repariert")
        items.moderate_item(db, self.ana, self.synthesis.id, adopted=True)
        self.early = items.add_item(db, self.ana, code, kind="milestone", text="Reparaturcafés", year=2030)
        self.late = items.add_item(
            db, self.ana, code, kind="milestone", text="Hafen kreislauffähig", year=2040
        )
        self.hidden = items.add_item(db, self.ana, code, kind="milestone", text="Unsinn", year=2035)
        items.moderate_item(db, self.ana, self.hidden.id, hidden=True)
        self.need = items.add_item(db, self.ana, code, kind="need", text="Flächen", links=[self.early.id])

    def carried(self, shop: Workshop) -> list[Item]:
        with self.db.read() as session:
            return list(session.exec(select(Item).where(Item.workshop_id == shop.id).order_by(col(Item.id))))


def counts(db: Database) -> tuple[int, int, int, int]:
    with db.read() as session:
        return (
            session.exec(select(func.count()).select_from(Workshop)).one(),
            session.exec(select(func.count()).select_from(Item)).one(),
            session.exec(select(func.count()).select_from(EventRecord)).one(),
            session.exec(select(func.count()).select_from(StudyEvent)).one(),
        )


def log_types(db: Database, shop: Workshop) -> list[str]:
    with db.read() as session:
        return list(
            session.exec(
                select(EventRecord.type).where(EventRecord.workshop_id == shop.id).order_by(EventRecord.seq)
            )
        )


def test_a_new_workshop_starts_from_the_vision_and_milestones_of_another_with_their_origin(
    db: Database,
) -> None:
    """On SQLite and PostgreSQL: what is carried, how it is marked, its years and its events."""
    series = Series(db)
    oldenburg = studies.create_workshop_in_study(
        db,
        series.ana,
        series.study.id,
        title="Oldenburg 2045",
        details=StudyDetails(region="Oldenburg"),
        carry=clean_request(series.bremen.code),
    )

    carried = series.carried(oldenburg)
    assert [(i.kind, i.text, i.year, i.adopted) for i in carried] == [
        ("vision", "Bremen teilt und repariert", 2045, True),
        ("vision", "Die Stadt lebt vom Fluss", 2045, False),
        ("milestone", "Reparaturcafés", 2030, False),
        ("milestone", "Hafen kreislauffähig", 2040, False),
    ]
    assert {i.carried_from_workshop for i in carried} == {series.bremen.code}
    assert [i.carried_from_item for i in carried] == [
        series.synthesis.id,
        series.statement.id,
        series.early.id,
        series.late.id,
    ]
    assert {i.carried_label for i in carried} == {"Bremen 2026"}
    assert all(i.by_facilitator and i.author_id is None for i in carried)
    assert (oldenburg.present_year, oldenburg.vision_year) == (2026, 2045)

    assert log_types(db, oldenburg)[-4:] == ["item-carried"] * 4
    with db.read() as session:
        pathway = session.exec(
            select(StudyEvent).where(
                StudyEvent.study_id == series.study.id, StudyEvent.type == "pathway-carried"
            )
        ).one()
    assert pathway.data["from_workshop"] == series.bremen.code
    assert pathway.data["items"] == [i.carried_from_item for i in carried]
    assert pathway.data["chosen"] is False
    # The source is untouched.
    assert len(series.carried(series.bremen)) == 6


def test_the_facilitator_can_choose_which_items_to_carry(sqlite_db: Database) -> None:
    db = sqlite_db
    series = Series(db)
    shop = studies.create_workshop_in_study(
        db,
        series.ana,
        series.study.id,
        title="Osnabrück",
        carry=clean_request(series.bremen.code, [series.late.id, series.synthesis.id, series.late.id]),
    )
    assert [(i.text, i.carried_from_item) for i in series.carried(shop)] == [
        ("Bremen teilt und repariert", series.synthesis.id),
        ("Hafen kreislauffähig", series.late.id),
    ]


@pytest.mark.parametrize(
    ("case", "refusal"),
    [
        ("outside the study", Conflict),
        ("another's workshop", NotFound),
        ("unknown code", NotFound),
        ("a need", Conflict),
        ("a hidden milestone", Conflict),
        ("nothing to carry", Conflict),
        ("years that do not hold a milestone", Conflict),
        ("a researcher", NotAllowed),
        ("no items", Invalid),
    ],
)
def test_a_refused_carry_over_changes_nothing(sqlite_db: Database, case: str, refusal: type) -> None:
    db = sqlite_db
    series = Series(db)
    ana = series.ana
    loose = factories.workshop(db, ana, title="Outside")
    items.add_item(db, ana, loose.code, kind="vision", text="Anders")
    stranger = factories.facilitator(db)
    other_study = studies.create_study(db, stranger, title="Elsewhere")
    theirs = studies.create_workshop_in_study(db, stranger, other_study.id, title="Theirs")
    items.add_item(db, stranger, theirs.code, kind="vision", text="Fremd")
    empty = studies.create_workshop_in_study(db, ana, series.study.id, title="Empty")
    researcher = factories.facilitator(db)
    studies.add_member(db, ana, series.study.id, researcher.email, "researcher")

    actor: Facilitator = ana
    setup: dict[str, Any] = {}
    request = {
        "outside the study": lambda: clean_request(loose.code),
        "another's workshop": lambda: clean_request(theirs.code),
        "unknown code": lambda: clean_request("ZZZZZZ"),
        "a need": lambda: clean_request(series.bremen.code, [series.early.id, series.need.id]),
        "a hidden milestone": lambda: clean_request(series.bremen.code, [series.hidden.id]),
        "nothing to carry": lambda: clean_request(empty.code),
        "years that do not hold a milestone": lambda: clean_request(series.bremen.code),
        "a researcher": lambda: clean_request(series.bremen.code),
        "no items": lambda: clean_request(series.bremen.code, []),
    }[case]
    if case == "years that do not hold a milestone":
        setup = {"present_year": 2031, "vision_year": 2050}
    if case == "a researcher":
        actor = researcher
    before = counts(db)

    with pytest.raises(refusal) as refused:
        studies.create_workshop_in_study(
            db, actor, series.study.id, title="Oldenburg", carry=request(), **setup
        )

    assert counts(db) == before
    if case == "outside the study":
        assert refused.value.field == "carry_from" and "not in this study" in refused.value.message
    if case == "a need":
        assert refused.value.params["id"] == series.need.id
    if case == "years that do not hold a milestone":
        assert refused.value.params == {"year": 2030, "present": 2031, "vision": 2050}


def test_the_export_names_each_carried_items_origin_and_stays_byte_identical(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    db, client = sqlite_db, sqlite_client
    series = Series(db)
    shop = studies.create_workshop_in_study(
        db, series.ana, series.study.id, title="Oldenburg", carry=clean_request(series.bremen.code)
    )
    items.add_item(db, series.ana, shop.code, kind="milestone", text="Eigener Meilenstein", year=2033)
    headers = bearer(db, series.ana.email)
    url = f"/api/v1/workshops/{shop.code}/export"

    first = client.get(url, params={"format": "csv", "table": "items"}, headers=headers)
    assert first.status_code == 200, first.text
    rows = list(csv.DictReader(io.StringIO(first.text)))
    origins = {row["text"]: (row["carried_from_workshop"], row["carried_from_item"]) for row in rows}
    assert origins["Reparaturcafés"] == (series.bremen.code, str(series.early.id))
    assert origins["Eigener Meilenstein"] == ("", "")

    def data_files() -> list[bytes]:
        package = client.get(url, params={"format": "datapackage"}, headers=headers).content
        with zipfile.ZipFile(io.BytesIO(package)) as archive:
            items_file = archive.read("data/items.csv")
        csv_file = client.get(url, params={"format": "csv", "table": "items"}, headers=headers).content
        return [items_file, csv_file, client.get(url, params={"format": "json"}, headers=headers).content]

    assert data_files() == data_files()
    assert first.content in data_files()


def test_the_api_creates_a_workshop_carrying_results_over_and_refuses_with_problems(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    db, client = sqlite_db, sqlite_client
    series = Series(db)
    loose = factories.workshop(db, series.ana, title="Outside")
    headers = bearer(db, series.ana.email)
    url = f"/api/v1/studies/{series.study.id}/workshops"

    made = client.post(
        url,
        json={"title": "Oldenburg", "region": "Oldenburg", "carry_from": series.bremen.code.lower()},
        headers=headers,
    )
    assert made.status_code == 201, made.text
    chosen = client.post(
        url,
        json={"title": "Osnabrück", "carry_from": series.bremen.code, "carry_items": [series.early.id]},
        headers=headers,
    )
    assert chosen.status_code == 201, chosen.text
    assert len(series.carried(factories.fresh_by_code(db, chosen.json()["code"]))) == 1

    before = counts(db)
    outside = client.post(url, json={"title": "X", "carry_from": loose.code}, headers=headers)
    unknown = client.post(url, json={"title": "X", "carry_from": "ZZZZZZ"}, headers=headers)
    need = client.post(
        url,
        json={"title": "X", "carry_from": series.bremen.code, "carry_items": [series.need.id]},
        headers=headers,
    )
    attach = client.post(url, json={"code": loose.code, "carry_from": series.bremen.code}, headers=headers)
    items_alone = client.post(url, json={"title": "X", "carry_items": [series.early.id]}, headers=headers)
    assert [r.status_code for r in (outside, unknown, need, attach, items_alone)] == [409, 404, 409, 422, 422]
    for response in (outside, unknown, need):
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["field"] in ("carry_from", "carry_items")
    assert counts(db) == before


def test_the_browser_carries_all_or_picked_items_and_every_view_marks_them(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    db, client = sqlite_db, sqlite_client
    series = Series(db)
    sign_in(client, series.ana.email)
    study_url = f"/studies/{series.study.id}"

    form = BeautifulSoup(client.get(study_url, headers=HTML).text, "html.parser").select_one(
        "#create-workshop"
    )
    assert form is not None
    assert series.bremen.code in [o["value"] for o in form.select("select[name=carry_from] option")]
    made = client.post(
        f"{study_url}/workshops",
        data={
            "title": "Oldenburg",
            "language": "de",
            "region": "Oldenburg",
            "carry_from": series.bremen.code,
        },
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    code = made.headers["location"].rsplit("/", 1)[1]
    oldenburg = factories.fresh_by_code(db, code)
    assert len(series.carried(oldenburg)) == 4

    # The console, the projector in the vision and milestone phases, and a phone linking a need.
    factories.phase(db, oldenburg, Phase.vision)
    assert "übertragen aus Bremen 2026" in client.get(f"/facilitate/{code}", headers=HTML).text
    assert "übertragen aus Bremen 2026" in client.get(f"/w/{code}/screen", headers=HTML).text
    factories.phase(db, oldenburg, Phase.milestones)
    assert "übertragen aus Bremen 2026" in client.get(f"/w/{code}/screen", headers=HTML).text
    factories.phase(db, oldenburg, Phase.needs)
    phone = TestClient(client.app)
    assert phone.post(f"/j/{code}", data={"consent": "yes"}, follow_redirects=False).status_code == 303
    assert "übertragen aus Bremen 2026" in phone.get(f"/w/{code}", headers=HTML).text

    # Picking on the carry page: the items are offered ticked; one is kept.
    page = BeautifulSoup(
        client.get(f"{study_url}/carry", params={"from": series.bremen.code}, headers=HTML).text,
        "html.parser",
    )
    offered = [box["value"] for box in page.select("#carry-form input[name=items]")]
    assert offered == [
        str(i) for i in (series.synthesis.id, series.statement.id, series.early.id, series.late.id)
    ]
    picked = client.post(
        f"{study_url}/carry",
        data={
            "from": series.bremen.code,
            "items": [str(series.late.id)],
            "title": "Osnabrück",
            "language": "en",
        },
        follow_redirects=False,
    )
    assert picked.status_code == 303, picked.text
    osnabrueck = factories.fresh_by_code(db, picked.headers["location"].rsplit("/", 1)[1])
    assert [i.text for i in series.carried(osnabrueck)] == ["Hafen kreislauffähig"]
    factories.phase(db, osnabrueck, Phase.milestones)
    assert "carried over from Bremen 2026" in client.get(f"/facilitate/{osnabrueck.code}", headers=HTML).text

    before = counts(db)
    none_ticked = client.post(
        f"{study_url}/carry", data={"from": series.bremen.code, "title": "Leer"}, headers=HTML
    )
    assert none_ticked.status_code == 422
    assert "Wähle" in none_ticked.text or "Choose" in none_ticked.text
    assert counts(db) == before


def test_the_command_line_creates_a_workshop_that_carries_results_over(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = sqlite_db
    series = Series(db)
    monkeypatch.setenv("BACKCAST_DATABASE_URL", db.engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("BACKCAST_DATA_DIR", str(tmp_path))
    argv = ["study", "workshop", str(series.study.id), "Oldenburg", "--region", "Oldenburg"]
    assert (
        cli.main(
            [*argv, "--carry-from", series.bremen.code, "--items", f"{series.early.id},{series.late.id}"]
        )
        == 0
    )
    assert "2" in capsys.readouterr().out
    before = counts(db)
    assert cli.main([*argv, "--carry-from", series.bremen.code, "--items", str(series.need.id)]) != 0
    assert str(series.need.id) in capsys.readouterr().err
    assert counts(db) == before
