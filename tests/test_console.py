"""The facilitator's console: only owners get in, every control changes what it says."""

from __future__ import annotations

import codecs
import csv
import io

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from backcast.db import Database
from backcast.export.schema import TABLES
from backcast.models import Item
from backcast.services import items
from tests import factories


def sign_in(client: TestClient, email: str) -> None:
    response = client.post(
        "/login", data={"email": email, "password": factories.PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303


def test_another_facilitator_gets_403_and_a_stranger_is_sent_to_sign_in(
    client: TestClient, db: Database
) -> None:
    shop = factories.workshop(db)
    factories.facilitator(db, "bob@example.org")

    stranger = client.get(f"/facilitate/{shop.code}", follow_redirects=False)
    assert (stranger.status_code, stranger.headers["location"]) == (
        303,
        f"/login?next=%2Ffacilitate%2F{shop.code}",
    )
    sign_in(client, "bob@example.org")
    for path in ("", "/delete", "/live"):
        assert client.get(f"/facilitate/{shop.code}{path}").status_code == 403
    assert client.post(f"/facilitate/{shop.code}/phase", data={"phase": "vision"}).status_code == 403


def test_create_run_forward_and_back_and_moderate(client: TestClient, db: Database) -> None:
    factories.facilitator(db, "ana@example.org")
    sign_in(client, "ana@example.org")
    refused = client.post("/", data={"title": " ", "language": "en"})
    assert refused.status_code == 422
    assert (
        BeautifulSoup(refused.text, "html.parser").select_one("[role=alert]").get_text()
        == "This cannot be empty."
    )

    created = client.post(
        "/", data={"title": "Region 2045", "present_year": "2026", "vision_year": "2045", "language": "en"}
    )
    code = str(created.url).rsplit("/", 1)[-1]
    page = BeautifulSoup(created.text, "html.parser")
    assert page.select_one("h1").get_text() == "Region 2045"
    assert page.select_one(".stepper-phases .current").get_text(strip=True) == "Lobby"

    for phase in (
        "vision",
        "milestones",
        "needs",
        "measures",
        "rating",
        "prioritisation",
        "results",
        "vision",
    ):
        shown = BeautifulSoup(
            client.post(f"/facilitate/{code}/phase", data={"phase": phase}).text, "html.parser"
        )
        assert shown.select_one(".stepper-phases .current button").get_text() == phase.capitalize()

    client.post(f"/facilitate/{code}/items", data={"kind": "vision", "text": "Every firm shares"})
    client.post(f"/facilitate/{code}/items", data={"kind": "vision", "text": "Every firm shares leftovers"})
    shown = BeautifulSoup(client.get(f"/facilitate/{code}").text, "html.parser")
    rows = shown.select(".moderation > li")
    assert [row.p.get_text(" ", strip=True) for row in rows] == [
        "Every firm shares facilitator",
        "Every firm shares leftovers facilitator",
    ]
    first, second = (int(row["id"].split("-")[1]) for row in rows)

    client.post(f"/facilitate/{code}/items/{first}", data={"hidden": "1"})
    client.post(f"/facilitate/{code}/items/{second}", data={"text": "Every firm shares its leftovers"})
    shown = BeautifulSoup(client.get(f"/facilitate/{code}").text, "html.parser")
    assert [row.p.get_text(" ", strip=True) for row in shown.select(".moderation > li")] == [
        "Every firm shares hidden facilitator",
        "Every firm shares its leftovers facilitator",
    ]
    assert "Every firm shares its leftovers" in client.get(f"/w/{code}/screen").text

    client.post(f"/facilitate/{code}/items/{first}", data={"merged_into": str(second)})
    with db.read() as session:
        assert session.get(Item, first).merged_into_id == second
    assert items.standing_of_kind(db, factories.fresh_by_code(db, code), "vision")[0].id == second


def test_the_timer_starts_pauses_and_refuses_nonsense(client: TestClient, db: Database) -> None:
    shop = factories.workshop(db, factories.facilitator(db, "ana@example.org"))
    sign_in(client, "ana@example.org")
    started = BeautifulSoup(
        client.post(f"/facilitate/{shop.code}/timer", data={"action": "start", "minutes": "5"}).text,
        "html.parser",
    )
    # "11:58" alone reads as the time of day: the timer says it is what is left.
    assert started.select_one(".timer-controls .screen-timer").get_text() in {"5:00 left", "4:59 left"}
    client.post(f"/facilitate/{shop.code}/timer", data={"action": "pause"})
    paused = {}
    for language in ("en", "de"):
        client.cookies.set("backcast_lang", language)  # the DE/EN switch
        page = BeautifulSoup(client.get(f"/w/{shop.code}/screen").text, "html.parser")
        paused[language] = page.select_one(".screen-timer")
    client.cookies.delete("backcast_lang")
    assert paused["en"].get_text() in {"5:00 left", "4:59 left"}
    assert paused["de"].get_text() in {"noch 5:00 Min.", "noch 4:59 Min."}
    again = client.post(f"/facilitate/{shop.code}/timer", data={"action": "pause"})
    assert again.status_code == 422
    assert (
        BeautifulSoup(again.text, "html.parser").select_one("[role=alert]").get_text()
        == "The timer is not running."
    )


def test_delete_says_what_is_lost_and_needs_the_code(client: TestClient, db: Database) -> None:
    tree = factories.tree(db)
    factories.join(db, tree.workshop)
    sign_in(client, tree.owner.email)
    page = BeautifulSoup(client.get(f"/facilitate/{tree.workshop.code}/delete").text, "html.parser")
    assert [li.get_text() for li in page.select("main ul li")][:3] == [
        "1 participant",
        "4 contributions",
        "0 ratings",
    ]

    wrong = client.post(
        f"/facilitate/{tree.workshop.code}/delete", data={"confirm": "nope"}, follow_redirects=False
    )
    assert wrong.headers["location"].endswith("/delete?wrong=1")
    client.post(f"/facilitate/{tree.workshop.code}/delete", data={"confirm": tree.workshop.code})
    assert client.get(f"/w/{tree.workshop.code}/screen").status_code == 404


def test_duplicate_copies_the_set_up_and_none_of_the_people(client: TestClient, db: Database) -> None:
    tree = factories.tree(db, consent_text="Research use only.", dot_budget=7)
    factories.join(db, tree.workshop, consent=True)
    sign_in(client, tree.owner.email)

    copied = client.post(f"/facilitate/{tree.workshop.code}/duplicate")
    code = str(copied.url).rsplit("/", 1)[-1]

    assert code != tree.workshop.code
    copy = factories.fresh_by_code(db, code)
    assert (copy.title, copy.consent_text, copy.dot_budget, copy.phase) == (
        "Circular economy in the region 2045 (2)",
        "Research use only.",
        7,
        "lobby",
    )
    page = BeautifulSoup(copied.text, "html.parser")
    assert page.select_one(".counters dd").get_text() == "0"
    assert page.select(".moderation li.muted")


def test_the_console_downloads_exports_for_its_owner_only(client: TestClient, db: Database) -> None:
    tree = factories.tree(db)
    factories.facilitator(db, "bob@example.org")
    sign_in(client, "bob@example.org")
    assert client.get(f"/facilitate/{tree.workshop.code}/export?format=csv").status_code == 403

    sign_in(client, tree.owner.email)
    download = client.get(f"/facilitate/{tree.workshop.code}/export?format=csv")
    assert download.status_code == 200
    assert download.headers["content-disposition"].startswith("attachment; filename=")
    assert download.content.decode("utf-8-sig").splitlines()[0].startswith("item_id,")
    assert client.get(f"/facilitate/{tree.workshop.code}/export?format=pdf").status_code == 422


def test_the_console_offers_every_table_as_a_csv_that_excel_opens_with_umlauts(
    client: TestClient, db: Database
) -> None:
    tree = factories.tree(db)
    code = tree.workshop.code
    items.add_item(db, tree.owner, code, kind="measure", text="Rückbau prüfen", links=[tree.need.id])
    sign_in(client, tree.owner.email)
    page = BeautifulSoup(client.get(f"/facilitate/{code}").text, "html.parser")
    links = [a["href"] for a in page.select(".csv-tables a")]
    assert links == [f"/facilitate/{code}/export?format=csv&table={name}" for name in TABLES]

    for link in links:
        download = client.get(link)
        assert download.status_code == 200, link
        # Excel takes a file as UTF-8 only when it starts with the byte order mark.
        assert download.content.startswith(codecs.BOM_UTF8), link
    table = client.get(f"/facilitate/{code}/export?format=csv&table=items").content.decode("utf-8-sig")
    assert [row["text"] for row in csv.DictReader(io.StringIO(table))][-1] == "Rückbau prüfen"
    assert client.get(f"/facilitate/{code}/export?format=csv&table=nope").status_code == 422


def test_input_can_be_opened_only_in_phases_that_take_input(client: TestClient, db: Database) -> None:
    tree = factories.tree(db)
    sign_in(client, tree.owner.email)
    for phase, buttons in (("lobby", []), ("vision", ["Close input"]), ("results", [])):
        factories.phase(db, tree.workshop, phase)
        page = BeautifulSoup(client.get(f"/facilitate/{tree.workshop.code}").text, "html.parser")
        found = [b.get_text() for b in page.select("form[action$='/input'] button")]
        assert found == buttons, phase


def test_moderation_shows_what_each_need_and_measure_links_to_and_milestones_by_year(
    client: TestClient, db: Database
) -> None:
    tree = factories.tree(db)
    code = tree.workshop.code
    late = items.add_item(db, tree.owner, code, kind="milestone", text="Every firm shares", year=2040)
    early = items.add_item(db, tree.owner, code, kind="milestone", text="A first exchange runs", year=2030)
    assert late.id is not None and early.id is not None
    items.add_item(db, tree.owner, code, kind="need", text="Trust between firms", links=[late.id, early.id])
    items.add_item(db, tree.owner, code, kind="need", text="Money for a start")
    sign_in(client, tree.owner.email)

    def moderation(phase: str) -> list[list[str]]:
        factories.phase(db, tree.workshop, phase)
        page = BeautifulSoup(client.get(f"/facilitate/{code}").text, "html.parser")
        rows = []
        for row in page.select(".moderation > li"):
            texts = [" ".join(row.p.get_text().split())]
            if links := row.select_one(".links"):
                # Each linked text on a line of its own, never run together after its own full stop.
                label = links.select_one(".links-label").get_text()
                rest = links.get_text(" ", strip=True).removeprefix(label).strip()
                texts += [label, *([t.get_text() for t in links.select(".link-target")] or [rest])]
            rows.append(texts)
        return rows

    assert moderation("milestones") == [
        ["2030 A first exchange runs facilitator"],
        ["2035 Half of all firms share materials facilitator"],
        ["2040 Every firm shares facilitator"],
    ]
    assert moderation("needs") == [
        ["A regional materials register facilitator", "Serves:", "2035 Half of all firms share materials"],
        [
            "Trust between firms facilitator",
            "Serves:",
            "2030 A first exchange runs",
            "2040 Every firm shares",
        ],
        ["Money for a start facilitator", "Serves:", "nothing yet"],
    ]
    assert moderation("measures") == [
        ["Start a materials exchange facilitator", "Meets:", "A regional materials register"],
        ["Train waste officers in SMEs facilitator", "Meets:", "A regional materials register"],
    ]


def test_the_console_header_matches_other_pages_and_the_lobby_offers_only_what_it_can_use(
    client: TestClient, db: Database
) -> None:
    tree = factories.tree(db)
    code = tree.workshop.code
    sign_in(client, tree.owner.email)

    def console() -> BeautifulSoup:
        return BeautifulSoup(client.get(f"/facilitate/{code}").text, "html.parser")

    page = console()
    home = BeautifulSoup(client.get("/").text, "html.parser")
    assert [a.get_text() for a in page.select(".topbar a, .topbar button")] == [
        a.get_text() for a in home.select(".topbar a, .topbar button")
    ]
    assert page.select_one(".topbar .account").get_text() == tree.owner.email
    buttons = [button.get_text(strip=True) for button in page.select(".run button")]
    assert "Show results" not in buttons and page.select("form.add-item") == []

    factories.phase(db, tree.workshop, "prioritisation")
    page = console()
    assert "Show results" in [button.get_text(strip=True) for button in page.select(".run button")]
    assert page.select(".agenda-list") == []
    assert page.select_one(".agenda-empty").get_text() == (
        "Nothing on the agenda yet: add measures from the list below."
    )


def test_the_console_offers_to_add_a_contribution_only_while_one_can_still_be_taken_into_account(
    client: TestClient, db: Database
) -> None:
    tree = factories.tree(db)
    sign_in(client, tree.owner.email)
    offered = {}
    phases = ("lobby", "vision", "milestones", "needs", "measures", "rating", "prioritisation", "results")
    for phase in phases:
        factories.phase(db, tree.workshop, phase)
        page = BeautifulSoup(client.get(f"/facilitate/{tree.workshop.code}").text, "html.parser")
        label = page.select_one("form.add-item label")
        offered[phase] = " ".join(label.get_text().split()) if label else None
    assert offered == {
        "lobby": None,
        "vision": "Add as facilitator (Vision statement)",
        "milestones": "Add as facilitator (Milestone)",
        "needs": "Add as facilitator (Need)",
        "measures": "Add as facilitator (Measure)",
        # A measure that comes up while rating is still rated; once dots are placed it no longer is.
        "rating": "Add as facilitator (Measure)",
        "prioritisation": None,
        "results": None,
    }
