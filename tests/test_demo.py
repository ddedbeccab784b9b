"""`backcast demo`: a finished German workshop, played through the services, that every page and
export renders, with results that look like a real room's."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import select

from backcast import events
from backcast.app import create_app
from backcast.db import Database, make_engine
from backcast.demo import content
from backcast.demo.seed import DemoWorkshop, demo_account, seed_demo
from backcast.enums import PHASE_ORDER, Phase
from backcast.export.schema import TABLES
from backcast.http.participant import cookie_name
from backcast.models import AgendaEntry, Dots, EventRecord, Item, Link, Participant, Rating, StakeholderGroup
from backcast.services import accounts, workshops
from backcast.settings import Settings
from backcast.web.hyphenation import unhyphenated

PASSWORD = "demo password for tests"


def seeded(db: Database) -> DemoWorkshop:
    return seed_demo(db, demo_account(db, password=PASSWORD).facilitator)


@pytest.fixture(scope="module")
def seeded_file(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> tuple[Path, DemoWorkshop]:
    """One demo, made once per module; each test gets a copy of the file to change as it likes."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    shutil.copyfile(sqlite_template, path)
    db = Database(make_engine(f"sqlite:///{path}"))
    try:
        return path, seeded(db)
    finally:
        db.dispose()


@pytest.fixture
def demo_db(seeded_file: tuple[Path, DemoWorkshop], tmp_path: Path) -> Iterator[Database]:
    path = tmp_path / "demo.sqlite3"
    shutil.copyfile(seeded_file[0], path)
    db = Database(make_engine(f"sqlite:///{path}"))
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture
def demo(seeded_file: tuple[Path, DemoWorkshop]) -> DemoWorkshop:
    return seeded_file[1]


@pytest.fixture
def demo_client(demo_db: Database, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, db=demo_db)) as client:
        yield client


def rows(db: Database, model: Any, demo: DemoWorkshop) -> list[Any]:
    with db.read() as session:
        return list(session.exec(select(model).where(model.workshop_id == demo.workshop.id)))


def test_the_demo_is_a_finished_workshop_with_a_full_backward_tree(db: Database) -> None:
    demo = seeded(db)
    shop = workshops.workshop_by_code(db, demo.workshop.code)
    assert (shop.title, shop.language, shop.phase, shop.results_visible) == (
        "Kreislaufwirtschaft im Nordwesten 2045",
        "de",
        Phase.results,
        True,
    )

    people = rows(db, Participant, demo)
    groups = {group.id: group.key for group in rows(db, StakeholderGroup, demo)}
    assert len(people) == 25
    assert Counter(groups.get(person.group_id) for person in people) == {
        "sme": 8,
        "large_company": 3,
        "association": 4,
        "public_administration": 4,
        "research": 3,
        "civil_society": 2,
        None: 1,
    }

    all_items = rows(db, Item, demo)
    standing = [i for i in all_items if not i.hidden and i.merged_into_id is None and not i.withdrawn]
    assert Counter(i.kind for i in standing) == {"vision": 8, "milestone": 7, "need": 14, "measure": 15}
    assert [(i.kind, i.text) for i in all_items if i.hidden] == [
        ("need", "Eine bessere Busverbindung zum Tagungshaus.")
    ]
    assert [i.kind for i in all_items if i.merged_into_id is not None] == ["measure"]
    [synthesis] = [i for i in all_items if i.adopted]
    assert (synthesis.kind, synthesis.by_facilitator, synthesis.year) == ("vision", True, 2045)
    years = sorted(i.year for i in standing if i.kind == "milestone")
    assert years == [2028, 2030, 2030, 2035, 2035, 2035, 2040]

    targets: dict[int, list[str]] = {}
    kind_of = {i.id: i.kind for i in all_items}
    for link in rows(db, Link, demo):
        targets.setdefault(link.from_id, []).append(kind_of[link.to_id])
    for item in standing:
        expected = {"need": "milestone", "measure": "need"}.get(item.kind)
        assert set(targets.get(item.id, [])) == ({expected} if expected else set()), item.text

    measures = {i.id for i in standing if i.kind == "measure"}
    values = rows(db, Rating, demo)
    assert {rating.item_id for rating in values} == measures
    raters = Counter(rating.item_id for rating in values if rating.criterion_id == values[0].criterion_id)
    assert min(raters.values()) >= 20 and max(raters.values()) <= 24
    assert 0 < sum(rating.value is None for rating in values) < len(values) / 10

    spent = Counter()
    for row in rows(db, Dots, demo):
        spent[row.participant_id] += row.count
        assert row.item_id in measures
    assert 20 <= len(spent) <= 24 and max(spent.values()) == 5 and min(spent.values()) >= 1

    agenda = sorted(rows(db, AgendaEntry, demo), key=lambda entry: entry.position)
    assert [entry.position for entry in agenda] == [0, 1, 2, 3, 4]
    assert all(entry.owner and entry.note and 2026 <= entry.start_year <= 2045 for entry in agenda)
    assert {entry.item_id for entry in agenda} <= measures

    with db.read() as session:
        seqs = session.exec(
            select(EventRecord.seq).where(EventRecord.workshop_id == shop.id).order_by(EventRecord.seq)
        ).all()
        types = Counter(
            session.exec(select(EventRecord.type).where(EventRecord.workshop_id == shop.id)).all()
        )
    assert list(seqs) == list(range(1, shop.last_seq + 1))
    assert types["participant-joined"] == 25
    assert types["item-added"] == len(all_items)
    assert types["phase-changed"] == len(PHASE_ORDER) - 1
    assert {"item-adopted", "item-hidden", "item-merged", "item-rated", "dots-set"} <= set(types)
    assert (types["results-shown"], types["agenda-entry-added"]) == (1, 5)
    assert set(types) <= set(events.EVENT_TYPES)


def results_of(client: TestClient, db: Database, demo: DemoWorkshop) -> dict[str, Any]:
    token = accounts.issue_api_token(db, demo.facilitator.email)
    response = client.get(
        f"/api/v1/workshops/{demo.workshop.code}/results", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_the_results_look_like_a_real_room(
    demo_client: TestClient, demo_db: Database, demo: DemoWorkshop
) -> None:
    results = results_of(demo_client, demo_db, demo)
    ranked = results["items"]
    assert len(ranked) == 15
    assert len({item["score"] for item in ranked}) == 15
    assert [item["rank"] for item in ranked] == list(range(1, 16))

    agreed = [all(c["consensus"] for c in item["criteria"].values()) for item in ranked]
    disputed = [not any(c["consensus"] for c in item["criteria"].values()) for item in ranked]
    assert 3 <= sum(agreed) <= 10
    assert sum(disputed) > 0 or sum(not a for a in agreed) >= 5
    spreads = [c["iqr"] for item in ranked for c in item["criteria"].values()]
    assert min(spreads) <= 1 < max(spreads)

    cant_judge = [c["n_cant_judge"] for item in ranked for c in item["criteria"].values()]
    assert sum(cant_judge) > 0 and cant_judge.count(0) > len(cant_judge) / 3

    dots = [item["dots"] for item in ranked]
    assert sum(dots[:5]) > 2 * sum(dots[-5:])
    assert ranked[0]["groups"]["sme"]["shown"] is True
    assert ranked[0]["groups"]["civil_society"] == {"shown": False, "reason": "fewer than 3"}

    # The agenda follows the ranking, as a facilitator reading the results would write it.
    agenda_ranks = [
        next(item["rank"] for item in ranked if item["item_id"] == entry.item_id)
        for entry in sorted(rows(demo_db, AgendaEntry, demo), key=lambda entry: entry.position)
    ]
    assert agenda_ranks == sorted(agenda_ranks)


def test_the_demo_is_the_same_every_time(sqlite_db: Database) -> None:
    def fingerprint(demo: DemoWorkshop) -> tuple[list[tuple[str, int, int | None]], list[tuple[str, int]]]:
        texts = {item.id: item.text for item in rows(sqlite_db, Item, demo)}
        values = [(texts[r.item_id], r.criterion_id % 4, r.value) for r in rows(sqlite_db, Rating, demo)]
        dots = [(texts[d.item_id], d.count) for d in rows(sqlite_db, Dots, demo)]
        return sorted(values, key=repr), sorted(dots)

    first, second = seeded(sqlite_db), seeded(sqlite_db)
    assert first.workshop.code != second.workshop.code
    assert fingerprint(first) == fingerprint(second)


def sign_in(client: TestClient, demo: DemoWorkshop) -> None:
    response = client.post(
        "/login", data={"email": demo.facilitator.email, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303


def page(client: TestClient, path: str) -> BeautifulSoup:
    response = client.get(path)
    assert response.status_code == 200, (path, response.text[:500])
    return BeautifulSoup(response.text, "html.parser")


def test_every_page_shows_the_demo(demo_client: TestClient, demo_db: Database, demo: DemoWorkshop) -> None:
    code = demo.workshop.code
    texts = {item.id: item.text for item in demo.items.values()}
    agenda = [
        texts[entry.item_id] for entry in sorted(rows(demo_db, AgendaEntry, demo), key=lambda e: e.position)
    ]
    sign_in(demo_client, demo)
    home = page(demo_client, "/")
    assert [a.get_text() for a in home.select(f'a[href="/facilitate/{code}"]')] == [content.TITLE]
    console = page(demo_client, f"/facilitate/{code}")
    assert [p.get_text() for p in console.select(".agenda-list .agenda-item")] == agenda

    screen = page(demo_client, f"/w/{code}/screen")
    assert len(screen.select(".ranking li")) == 15
    # The projector may break long words (soft hyphens); the text read is the agenda's.
    shown = [unhyphenated(p.get_text()) for p in screen.select(".roadmap-entry > p:first-child")]
    assert sorted(shown) == sorted(agenda)
    assert screen.select_one("html")["lang"] == "de"

    demo_client.cookies.set(cookie_name(code), demo.tokens[0])
    phone = page(demo_client, f"/w/{code}")
    assert len(phone.select(".phone-results > li")) == 15


def texts(screen: BeautifulSoup, selector: str) -> set[str]:
    return {unhyphenated(element.get_text()).strip() for element in screen.select(selector)}


# What the projector shows of the demo in each phase.
ON_SCREEN = {
    Phase.lobby: lambda screen: screen.select_one(".participants-count .big-number").get_text() == "25",
    Phase.vision: lambda screen: (
        len(screen.select(".wall .sticky")) == 8
        and texts(screen, ".wall .adopted") == {content.SYNTHESIS.text}
    ),
    Phase.milestones: lambda screen: len(screen.select(".columns > .column:not(.vision-column)")) == 7,
    Phase.needs: lambda screen: len(texts(screen, ".tree .need")) == 14,
    Phase.measures: lambda screen: len(texts(screen, ".tree .measure")) == 15,
    Phase.rating: lambda screen: (
        "24 von 25 Personen bewerten" in screen.select_one(".progress-screen").get_text()
    ),
    Phase.prioritisation: lambda screen: len(screen.select(".bars li")) >= 10,
    Phase.results: lambda screen: len(screen.select(".ranking li")) == 15,
}


@pytest.mark.parametrize("phase", list(Phase))
def test_the_demo_renders_in_every_phase(
    demo_client: TestClient, demo_db: Database, demo: DemoWorkshop, phase: Phase
) -> None:
    code = demo.workshop.code
    workshops.set_phase(demo_db, demo.facilitator, code, phase)
    sign_in(demo_client, demo)
    assert page(demo_client, f"/facilitate/{code}").select_one("h1").get_text().strip() == content.TITLE
    screen = page(demo_client, f"/w/{code}/screen")
    assert screen.select_one(".screen-title").get_text() == content.TITLE
    assert ON_SCREEN[phase](screen), screen.select_one("main")
    demo_client.cookies.set(cookie_name(code), demo.tokens[5])
    assert page(demo_client, f"/w/{code}").select_one("main") is not None


def test_every_export_holds_the_demo(demo_client: TestClient, demo_db: Database, demo: DemoWorkshop) -> None:
    token = accounts.issue_api_token(demo_db, demo.facilitator.email)
    headers = {"Authorization": f"Bearer {token}"}

    def fetch(**query: str) -> bytes:
        response = demo_client.get(
            f"/api/v1/workshops/{demo.workshop.code}/export", params=query, headers=headers
        )
        assert response.status_code == 200, response.text
        return response.content

    ratings_csv = fetch(format="csv").decode().splitlines()
    assert len(ratings_csv) - 1 == len(rows(demo_db, Rating, demo))
    for table in TABLES:
        assert fetch(format="csv", table=table)
    workbook = openpyxl.load_workbook(io.BytesIO(fetch(format="xlsx")))
    assert set(TABLES) <= set(workbook.sheetnames)
    document = json.loads(fetch(format="json"))
    assert document["workshop"]["title"] == "Kreislaufwirtschaft im Nordwesten 2045"
    with zipfile.ZipFile(io.BytesIO(fetch(format="datapackage"))) as archive:
        assert "datapackage.json" in archive.namelist()


def test_the_demo_has_actors_barriers_and_a_followed_up_agenda(
    demo_client: TestClient, demo_db: Database, demo: DemoWorkshop
) -> None:
    from backcast.models import Actor, ActorRole, AgendaHistory

    actors = rows(demo_db, Actor, demo)
    assert sorted((a.name, a.status, a.merged_into_id is not None) for a in actors) == sorted(
        [
            ("Handwerkskammer Oldenburg", "confirmed", False),
            ("HWK Oldenburg", "proposed", True),
            ("Industrie- und Handelskammer Oldenburg", "confirmed", False),
            ("Zentrale Vergabestelle des Landkreises", "confirmed", False),
            (actors[4].name, "confirmed", False),
            ("Wirtschaftsförderung", "confirmed", False),
            ("Land Niedersachsen", "confirmed", False),
        ]
    )
    assert len(rows(demo_db, ActorRole, demo)) == 11
    needs = [
        (i.text[:20], i.need_type, i.tags)
        for i in rows(demo_db, Item, demo)
        if i.need_type != "need" and i.kind == "need"
    ]
    assert sorted(t for _, t, _ in needs) == ["barrier", "barrier", "opportunity"]
    assert [(h.previous_status, h.status) for h in rows(demo_db, AgendaHistory, demo)] == [
        ("planned", "started"),
        ("planned", "started"),
        ("started", "done"),
        ("planned", "dropped"),
    ]
    sign_in(demo_client, demo)
    console = page(demo_client, f"/facilitate/{demo.workshop.code}")
    assert len(console.select(".agenda-history li")) == 4
    assert "Industrie- und Handelskammer Oldenburg" in [
        p.strong.get_text() for p in console.select("#actors .actor-name")
    ]


def test_the_pathway_and_actor_matrix_are_on_the_screen_and_in_the_report(
    demo_client: TestClient, demo: DemoWorkshop
) -> None:
    code = demo.workshop.code
    screen = page(demo_client, f"/w/{code}/screen")
    assert len(screen.select(".pathway-svg .measure")) == 5
    # A lane per actor who leads an agenda measure, in alphabetical order, and one for the rest.
    lanes = [t.get_text()[:12] for t in screen.select(".pathway-svg .lane-name")]
    assert lanes[:3] == ["Industrie- u", "Wirtschaftsf", "Zentrale Ver"]
    assert len(lanes) == 4
    sign_in(demo_client, demo)
    report = page(demo_client, f"/facilitate/{code}/report")
    matrix = report.select_one(".actor-matrix")
    assert matrix is not None
    leads = {row.th.get_text(): row.select_one("td.count").get_text() for row in matrix.select("tbody tr")}
    assert leads["Industrie- und Handelskammer Oldenburg"] == "2"
    assert leads["Land Niedersachsen"] == "0"
