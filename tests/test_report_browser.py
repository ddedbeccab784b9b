"""The printable report in a real browser: on a laptop's screen, and printed to an A4 PDF."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from backcast.db import Database, make_engine
from backcast.enums import Phase
from backcast.models import Workshop
from backcast.services import accounts, agenda, items, participants, ratings, workshops
from tests import server as real_server
from tests.browser import SCREENSHOTS, screenshot
from tests.live_helpers import PASSWORD, sqlite_url

pytestmark = pytest.mark.browser
LAPTOP = {"width": 1366, "height": 768}
EMAIL = "ana@example.org"

MILESTONES = [
    (2030, "Every SME knows where its leftovers can go", ["A regional materials register"]),
    (
        2035,
        "Half of all firms share materials and machines",
        ["Trust between competitors", "Shared logistics"],
    ),
    (2040, "Repair is cheaper than buying new", ["Repair skills in the trades"]),
]
MEASURES = {
    "A regional materials register": ["Start a materials exchange platform run by the chambers"],
    "Trust between competitors": ["Round tables of SMEs and associations", "Model contracts for sharing"],
    "Shared logistics": ["Pool transport between industrial estates"],
    "Repair skills in the trades": ["Train repair technicians in vocational schools", "Repair café network"],
}

# Per measure, in the order above: where the room puts it on impact and feasibility.
PROFILES = [(5, 2), (4, 4), (3, 2), (2, 5), (4, 3), (3, 4)]


def seed(url: str) -> Workshop:
    """A workshop run to its results: tree, ratings by three groups, dots and an agenda."""
    db = Database(make_engine(url))
    try:
        owner = accounts.add_facilitator(db, EMAIL, PASSWORD)
        shop = workshops.create_workshop(
            db,
            owner,
            title="Circular economy Weser-Ems 2045",
            question="How do small and medium-sized firms in the region work in closed loops by 2045?",
            present_year=2026,
            vision_year=2045,
            language="en",
        )
        code = shop.code
        vision = items.add_item(
            db, owner, code, kind="vision", text="In 2045 no material leaves the region as waste."
        )
        items.add_item(db, owner, code, kind="vision", text="Firms share machines, rooms and leftovers.")
        items.moderate_item(db, owner, vision.id, adopted=True)  # type: ignore[arg-type]
        measures = []
        for year, text, needs in MILESTONES:
            milestone = items.add_item(db, owner, code, kind="milestone", text=text, year=year)
            for need_text in needs:
                need = items.add_item(db, owner, code, kind="need", text=need_text, links=[milestone.id])
                for measure_text in MEASURES[need_text]:
                    measures.append(
                        items.add_item(db, owner, code, kind="measure", text=measure_text, links=[need.id])
                    )
        people = [
            participants.join_workshop(db, code, group=group).participant
            for group in ["sme"] * 5 + ["association"] * 3 + ["public_administration"] * 2 + [None]
        ]
        workshops.set_phase(db, owner, code, Phase.rating)
        for index, person in enumerate(people):
            for number, measure in enumerate(measures):
                impact, feasibility = PROFILES[number]
                spread = (index % 3) - 1  # -1, 0, 1: the room disagrees a little
                values = {
                    "impact": min(5, max(1, impact + spread)),
                    "feasibility": min(5, max(1, feasibility - (spread if number % 2 else 0))),
                    "urgency": None if index == 3 else 1 + (number + index) % 5,
                }
                ratings.rate_item(db, person, measure.id, values)  # type: ignore[arg-type]
        workshops.set_phase(db, owner, code, Phase.prioritisation)
        for index, person in enumerate(people):
            ratings.set_dots(db, person, measures[index % len(measures)].id, 2)  # type: ignore[arg-type]
        for measure, who, year in [(measures[0], "Chamber of commerce", 2027), (measures[4], "County", 2028)]:
            entry = agenda.add_to_agenda(db, owner, code, measure.id)  # type: ignore[arg-type]
            agenda.update_agenda_entry(
                db, owner, code, entry.id, owner=who, start_year=year, note="Pilot with ten firms first"
            )
        workshops.set_phase(db, owner, code, Phase.results)
        return workshops.workshop_by_code(db, code)
    finally:
        db.dispose()


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[real_server.Server, Workshop]]:
    real_server.start(tmp_path).stop()  # creates and migrates the store
    shop = seed(sqlite_url(tmp_path))
    running = real_server.start(tmp_path)
    yield running, shop
    running.stop()


def test_the_report_fits_a_laptop_and_prints_on_a4(browser, live) -> None:  # type: ignore[no-untyped-def]
    server, shop = live
    page = browser.new_page(viewport=LAPTOP)
    page.goto(f"{server.base_url}/login")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{server.base_url}/facilitate/{shop.code}")
    page.get_by_role("link", name="Printable report").click()
    page.get_by_role("heading", name=shop.title).wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
    assert page.locator("table.ranked tbody tr").count() == 6
    screenshot(page, "report-laptop")

    page.emulate_media(media="print")
    assert page.locator("header.topbar").is_hidden()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pdf = page.pdf(path=str(SCREENSHOTS / "report.pdf"), format="A4", prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF")
    # The title page, then the timeline, the ranking, the groups and the agenda each on a new page.
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf)) >= 5
    page.close()
