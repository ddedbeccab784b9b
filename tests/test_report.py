"""The printable report: the API's figures, nothing hidden, only for the workshop's owners, and
text that people typed shown as text."""

from __future__ import annotations

from typing import Any

from babel.dates import format_date
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import select

from backcast.db import Database
from backcast.models import Participant
from backcast.services import agenda, items, workshops
from tests import factories
from tests.scenario import Rated, rated_workshop
from tests.test_console import sign_in
from tests.test_results import owner_headers

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def report_of(client: TestClient, code: str, both: bool = True) -> BeautifulSoup:
    """The report; with `both` its headings and built-in labels in German and English."""
    response = client.get(f"/facilitate/{code}/report" + ("?both=1" if both else ""))
    assert response.status_code == 200, response.text
    return BeautifulSoup(response.text, "html.parser")


def signed_in_owner(client: TestClient, rated: Rated) -> BeautifulSoup:
    sign_in(client, rated.owner.email)
    return report_of(client, rated.workshop.code)


def api_results(client: TestClient, db: Database, rated: Rated) -> dict[str, Any]:
    response = client.get(
        f"/api/v1/workshops/{rated.workshop.code}/results", headers=owner_headers(db, rated)
    )
    assert response.status_code == 200
    return response.json()


def percent(score: float | None) -> str:
    return "–" if score is None else f"{round(score * 100, 1):.1f}"


def test_the_ranking_and_its_figures_are_the_api_s(sqlite_client: TestClient, sqlite_db: Database) -> None:
    rated = rated_workshop(sqlite_db)
    results = api_results(sqlite_client, sqlite_db, rated)
    page = signed_in_owner(sqlite_client, rated)

    rows = page.select("table.ranked tbody tr")
    shown = [
        (
            row.select_one(".rank").get_text(),
            row.select_one(".measure-text").get_text(),
            row.select_one(".score").get_text(),
            [cell.get_text() for cell in row.select("td.num")[2:4]],
        )
        for row in rows
    ]
    assert shown == [
        (
            str(item["rank"]),
            item["text"],
            percent(item["score"]),
            [str(item["dots"]), str(item["raters"])],
        )
        for item in results["items"]
    ]
    assert [row.select_one(".measure-text").get_text() for row in rows] == [
        "Start a materials exchange",
        "Repair café network",
        "Shared repair café",
    ]
    # Per criterion: the mean, IQR and n, and a mark where the room agrees.
    first, impact = rows[0], results["items"][0]["criteria"]["impact"]
    cell = first.select("td.criterion-cell")[0]
    assert cell.select_one(".mean").get_text() == f"{impact['mean']:.2f}"
    assert cell.select_one(".spread").get_text() == f"IQR {impact['iqr']:.2f} · n {impact['n']}"
    assert bool(cell.select_one(".consensus-mark")) is impact["consensus"]
    tie = [row.select_one(".rank").get_text() for row in rows[1:]]
    assert tie == ["2", "2"]


def test_hidden_items_are_nowhere_in_the_report(sqlite_client: TestClient, sqlite_db: Database) -> None:
    rated = rated_workshop(sqlite_db)
    owner, code = rated.owner, rated.workshop.code
    milestone = items.add_item(sqlite_db, owner, code, kind="milestone", text="Secret milestone", year=2035)
    items.moderate_item(sqlite_db, owner, milestone.id, hidden=True)  # type: ignore[arg-type]
    page = signed_in_owner(sqlite_client, rated)
    text = page.get_text()
    assert "HYPERLINK" not in text  # the hidden measure
    assert "Secret milestone" not in text


def test_results_by_group_are_shown_only_where_three_rated(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    rated = rated_workshop(sqlite_db)
    results = api_results(sqlite_client, sqlite_db, rated)
    page = signed_in_owner(sqlite_client, rated)

    table = page.select_one("table.by-group")
    headings = [th.get_text(" ", strip=True) for th in table.select("thead th")]
    assert headings == ["Measure", "SME (n 4)", "Association (n 2)", "Research (n 1)"]
    cells = [
        [td.get_text(" ", strip=True) for td in row.select("td.num")] for row in table.select("tbody tr")
    ]

    def expected(figures: dict[str, Any]) -> str:
        if not figures["shown"]:
            return "fewer than 3 / weniger als 3"
        return f"{percent(figures['score'])} (#{figures['rank']})"

    assert cells == [
        [expected(item["groups"][key]) for key in ("sme", "association", "research")]
        for item in results["items"]
    ]
    assert {cell for row in cells for cell in row[1:]} == {"fewer than 3 / weniger als 3"}
    assert all(row[0] != "fewer than 3 / weniger als 3" for row in cells)


def test_the_report_tells_the_whole_workshop(sqlite_client: TestClient, sqlite_db: Database) -> None:
    tree = factories.tree(sqlite_db, question="How does the region close its material loops?")
    owner, code = tree.owner, tree.workshop.code
    vision = items.add_item(sqlite_db, owner, code, kind="vision", text="Nothing is wasted")
    items.add_item(sqlite_db, owner, code, kind="vision", text="Firms share leftovers")
    items.moderate_item(sqlite_db, owner, vision.id, adopted=True)  # type: ignore[arg-type]
    entry = agenda.add_to_agenda(sqlite_db, owner, code, tree.measures[1].id)  # type: ignore[arg-type]
    agenda.update_agenda_entry(
        sqlite_db, owner, code, entry.id, owner="Chamber of crafts", start_year=2027, note="Pilot first"
    )
    joined = factories.join(sqlite_db, tree.workshop, group="sme")[0]
    assert joined.group_id is not None

    sign_in(sqlite_client, owner.email)
    page = report_of(sqlite_client, code)
    assert page.select_one("h1").get_text() == tree.workshop.title
    assert page.select_one(".report-question").get_text() == "How does the region close its material loops?"
    facts = {
        div.dt.get_text(" ", strip=True): div.dd.get_text(" ", strip=True)
        for div in page.select(".facts div")
    }
    assert facts["Present and vision year / Ausgangs- und Zieljahr"] == "2026 → 2045"
    assert facts["Participants / Teilnehmende"] == "1"
    assert [blockquote.get_text() for blockquote in page.select(".synthesis")] == ["Nothing is wasted"]
    assert [li.get_text() for li in page.select("#vision ~ .statements li")] == ["Firms share leftovers"]
    branch = page.select_one(".branch")
    assert branch.select_one(".branch-milestone").get_text(" ", strip=True) == (
        "2035 Half of all firms share materials"
    )
    assert [li.get_text(" ", strip=True) for li in branch.select(".branch-measures li")] == [
        "Measure Start a materials exchange",
        "Measure Train waste officers in SMEs",
    ]
    agenda_row = page.select_one("section[aria-labelledby=agenda] tbody tr")
    assert [td.get_text() for td in agenda_row.select("td")] == [
        "1",
        "Train waste officers in SMEs",
        "Chamber of crafts",
        "2027",
        "Pilot first",
    ]
    groups = {
        row.td.get_text(" ", strip=True): row.select_one(".num").get_text()
        for row in page.select("section[aria-labelledby=participants] tbody tr")
    }
    assert groups["Small or medium-sized firm / Kleines oder mittleres Unternehmen"] == "1"
    # The built-in criteria carry their German names; what the section headings mean is in both.
    criteria = [
        row.td.get_text(" ", strip=True) for row in page.select("section[aria-labelledby=criteria] tr")[1:]
    ]
    assert criteria == [
        "Impact / Wirkung (impact)",
        "Feasibility / Umsetzbarkeit (feasibility)",
        "Urgency / Dringlichkeit (urgency)",
    ]
    methods = page.select_one("section.methods").get_text(" ", strip=True)
    assert "Hyndman & Fan (1996) definition 7" in methods
    assert page.select_one("header.topbar.no-print a")["href"] == f"/facilitate/{code}"


def test_the_console_links_to_the_report(sqlite_client: TestClient, sqlite_db: Database) -> None:
    shop = factories.workshop(sqlite_db)
    sign_in(sqlite_client, factories.owner_of(sqlite_db, shop).email)
    console = BeautifulSoup(sqlite_client.get(f"/facilitate/{shop.code}").text, "html.parser")
    links = {a.get_text(): a["href"] for a in console.select(".console-links a")}
    assert links["Printable report"] == f"/facilitate/{shop.code}/report"


def test_only_the_workshop_s_owners_get_the_report(sqlite_client: TestClient, sqlite_db: Database) -> None:
    shop = factories.workshop(sqlite_db)
    factories.facilitator(sqlite_db, "bob@example.org")
    url = f"/facilitate/{shop.code}/report"
    stranger = sqlite_client.get(url, follow_redirects=False)
    assert (stranger.status_code, stranger.headers["location"]) == (
        303,
        f"/login?next=%2Ffacilitate%2F{shop.code}%2Freport",
    )
    sign_in(sqlite_client, "bob@example.org")
    assert sqlite_client.get(url).status_code == 403
    assert sqlite_client.get("/facilitate/ZZZZZZ/report").status_code == 403  # as for a code not mine


def test_typed_text_is_shown_as_text(sqlite_client: TestClient, sqlite_db: Database) -> None:
    owner = factories.facilitator(sqlite_db)
    shop = factories.workshop(sqlite_db, owner, title=XSS, question=XSS)
    factories.phase(sqlite_db, shop, workshops.Phase.milestones)
    items.add_item(sqlite_db, owner, shop.code, kind="milestone", text=XSS, year=2030)
    sign_in(sqlite_client, owner.email)
    response = sqlite_client.get(f"/facilitate/{shop.code}/report")
    page = BeautifulSoup(response.text, "html.parser")
    assert page.select("main script, main img") == []
    assert page.select_one("h1").get_text() == XSS
    assert page.select_one(".report-question").get_text() == XSS
    assert page.select_one(".branch-milestone").get_text(" ", strip=True) == f"2030 {XSS}"
    assert "&lt;script&gt;" in response.text


def test_a_german_workshop_s_report_is_german_with_english_beside(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    owner = factories.facilitator(sqlite_db)
    shop = factories.workshop(sqlite_db, owner, language="de")
    sign_in(sqlite_client, owner.email)
    page = report_of(sqlite_client, shop.code)
    assert page.html["lang"] == "de"
    facts = [div.dt.get_text(" ", strip=True) for div in page.select(".facts div")]
    assert "Teilnehmende / Participants" in facts
    companions = page.select(".facts .companion-inline")
    assert {span["lang"] for span in companions} == {"en"}
    criteria = [
        row.td.get_text(" ", strip=True) for row in page.select("section[aria-labelledby=criteria] tr")[1:]
    ]
    assert criteria[0] == "Wirkung / Impact (impact)"
    # The methods, like the headings, are there in both languages.
    methods = page.select("section.methods p")
    assert [p.select_one(".companion-text")["lang"] for p in methods] == ["en"] * len(methods)
    assert methods[0].select_one(".companion-text").get_text().startswith("Results cover the measures")


def test_by_default_the_report_is_a_handout_in_one_language_dated_by_the_day_of_the_workshop(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    owner = factories.facilitator(sqlite_db)
    shop = factories.workshop(sqlite_db, owner, language="de")
    factories.join(sqlite_db, shop)
    sign_in(sqlite_client, owner.email)
    page = report_of(sqlite_client, shop.code, both=False)

    assert page.select(".companion, .companion-inline") == []
    assert page.select_one(".report-kind").get_text(strip=True) == (
        "Bericht zum Workshop: Backcasting (strategische Rückwärtsplanung)"
    )
    facts = [div.dt.get_text(strip=True) for div in page.select(".facts div")]
    assert facts == ["Datum", "Ausgangs- und Zieljahr", "Teilnehmende", "Code"]  # no internal phase
    with sqlite_db.read() as session:
        joined = session.exec(select(Participant.joined_at)).first()
    assert page.select_one(".facts .created").get_text() == format_date(joined, "long", locale="de")
    assert [h2.get_text(strip=True) for h2 in page.select("h2")][:2] == [
        "Teilnehmende nach Akteursgruppe",
        "Vision",
    ]


def test_an_english_workshop_s_criteria_read_in_german_carry_their_german_names(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    owner = factories.facilitator(sqlite_db)
    shop = factories.workshop(sqlite_db, owner, language="en")
    sign_in(sqlite_client, owner.email)
    sqlite_client.post("/language", data={"language": "de", "next": "/"})
    page = report_of(sqlite_client, shop.code)
    assert page.html["lang"] == "de"
    criteria = [
        row.td.get_text(" ", strip=True) for row in page.select("section[aria-labelledby=criteria] tr")[1:]
    ]
    assert criteria[0] == "Impact / Wirkung (impact)"
    assert page.select_one("section[aria-labelledby=criteria] .companion-inline")["lang"] == "de"


def test_a_template_s_labels_appear_in_both_languages_until_the_facilitator_retypes_them(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    from backcast import workshop_templates
    from backcast.services import configuration

    owner = factories.facilitator(sqlite_db)
    shop = workshops.create_workshop(
        sqlite_db,
        owner,
        title="Nordwest",
        template=workshop_templates.built_in("regional-circular-economy"),
        language="de",
    )
    setup = configuration.current_setup(sqlite_db, owner, shop.code)
    retyped = [setup.groups[0].__class__(setup.groups[0].key, "Handwerk und KMU"), *setup.groups[1:]]
    configuration.configure_workshop(sqlite_db, owner, shop.code, setup.replace(groups=retyped))
    sign_in(sqlite_client, owner.email)
    sqlite_client.cookies.set("backcast_lang", "de")
    page = report_of(sqlite_client, shop.code)
    groups = [
        cell.get_text(" ", strip=True)
        for cell in page.select("#participants ~ table tbody tr td:first-child")
    ]
    assert groups[:3] == [
        "Handwerk und KMU",
        "Großunternehmen / Large firm",
        "Kammer oder Verband / Chamber or association",
    ]
