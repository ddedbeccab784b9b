"""A real room in Chromium: the console, the projector and phones follow the room live, and a
phone catches up by itself after the venue's network drops."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
from playwright.sync_api import expect
from sqlmodel import select

from backcast.db import Database, make_engine
from backcast.models import EventRecord, Workshop
from tests import server as real_server
from tests.browser import PHONE, screenshot
from tests.live_helpers import PASSWORD, Room, facilitator_token, open_room, sqlite_url

pytestmark = pytest.mark.browser
LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[real_server.Server]:
    running = real_server.start(tmp_path_factory.mktemp("room"))
    yield running
    running.stop()


@pytest.fixture
def room(live: real_server.Server, request: pytest.FixtureRequest) -> Room:
    email = f"{request.node.name[:40]}@example.org"
    token = facilitator_token(sqlite_url(Path(live.log).parent), email=email)
    return open_room(live.base_url, token, dot_budget=5, title=email, consent_text="For research.")


def sign_in(page, room: Room) -> None:  # type: ignore[no-untyped-def]
    email = httpx.get(f"{room.base_url}/api/v1/workshops/{room.code}", headers=room.facilitator).json()
    page.goto(f"{room.base_url}/login")
    page.get_by_label("Email").fill(email["title"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{room.base_url}/")


def measures_up_for_dots(room: Room, texts: list[str]) -> list[int]:
    """A room in prioritisation with these measures to spread dots over."""
    someone = room.join()
    room.phase("measures")
    ids = [room.add(someone, kind="measure", text=text)["id"] for text in texts]
    room.phase("rating")
    room.phase("prioritisation")
    return ids


def place_dots(room: Room, participant: dict[str, str], item_id: int, count: int) -> None:
    response = httpx.put(
        f"{room.base_url}/api/v1/items/{item_id}/dots", json={"count": count}, headers=participant
    )
    response.raise_for_status()


def test_the_console_follows_the_dots_live(browser, room: Room) -> None:  # type: ignore[no-untyped-def]
    repair, exchange = measures_up_for_dots(room, ["Repair festival", "Materials exchange"])
    console = browser.new_page(viewport=LAPTOP)
    sign_in(console, room)
    console.goto(f"{room.base_url}/facilitate/{room.code}")
    candidates = console.locator(".candidates li")
    expect(candidates).to_have_text(["Repair festival 0 Add to agenda", "Materials exchange 0 Add to agenda"])

    ana, ben = room.join(), room.join()
    place_dots(room, ana, exchange, 3)
    place_dots(room, ben, exchange, 1)
    place_dots(room, ben, repair, 2)
    # No reload: the list, its order and the room's counters follow the phones.
    expect(candidates).to_have_text(
        ["Materials exchange 4 Add to agenda", "Repair festival 2 Add to agenda"], timeout=10_000
    )
    expect(console.locator(".counters .dots-placed dd")).to_have_text("6 of 15")
    expect(console.locator(".counters .voters dd")).to_have_text("2 of 3 people")
    console.close()


def join_on_a_phone(browser, room: Room):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{room.base_url}/j/{room.code}")
    page.get_by_label("I agree").check()
    page.get_by_role("button", name="Join").click()
    page.wait_for_url(f"{room.base_url}/w/{room.code}")
    return context, page


def expect_phase(page, heading: str, field: str) -> None:  # type: ignore[no-untyped-def]
    """The heading and the body show the same phase."""
    expect(page.locator("h1.phase-name")).to_have_text(heading)
    expect(page.locator("#compose label").first).to_have_text(field)


def test_a_failed_fetch_never_leaves_a_mixed_page_and_is_retried(browser, room: Room) -> None:  # type: ignore[no-untyped-def]
    room.phase("vision")
    context, page = join_on_a_phone(browser, room)
    expect_phase(page, "Vision", "Vision statement")
    failures = []

    def flaky(route):  # type: ignore[no-untyped-def]
        if len(failures) < 2:  # the venue's proxy answers 503 twice
            failures.append(route.request.url)
            route.fulfill(status=503, body="busy")
        else:
            route.continue_()

    page.route("**/view", flaky)
    room.phase("milestones")
    expect(page.locator("#catching-up")).to_be_visible()
    expect_phase(page, "Vision", "Vision statement")  # behind, but not mixed
    # Retried by itself, long before the next phase change.
    expect_phase(page, "Milestones", "Milestone")
    expect(page.locator("#catching-up")).to_be_hidden()
    assert len(failures) == 2
    context.close()


def test_a_phone_cut_off_catches_up_when_the_network_is_back(browser, room: Room) -> None:  # type: ignore[no-untyped-def]
    room.phase("milestones")
    context, page = join_on_a_phone(browser, room)
    expect_phase(page, "Milestones", "Milestone")
    context.set_offline(True)
    room.phase("needs")
    room.input(False)
    room.input(True)
    # Chromium keeps the live stream open offline: the phone hears of the change, cannot fetch.
    expect(page.locator("#catching-up")).to_be_visible()
    page.wait_for_timeout(2000)
    expect_phase(page, "Milestones", "Milestone")
    context.set_offline(False)
    expect_phase(page, "Needs", "Need")
    expect(page.locator("#catching-up")).to_be_hidden()
    context.close()


def events_of(live: real_server.Server, room: Room, kind: str) -> list[dict[str, object]]:
    """What the server recorded, read from its own database file."""
    db = Database(make_engine(sqlite_url(Path(live.log).parent)))
    try:
        with db.read() as session:
            workshop = session.exec(select(Workshop).where(Workshop.code == room.code)).one()
            found = session.exec(
                select(EventRecord)
                .where(EventRecord.workshop_id == workshop.id, EventRecord.type == kind)
                .order_by(EventRecord.seq)  # type: ignore[arg-type]
            ).all()
            return [event.data for event in found]
    finally:
        db.dispose()


def test_ratings_tapped_during_30_seconds_offline_arrive_once(browser, live, room: Room) -> None:  # type: ignore[no-untyped-def]
    someone = room.join()
    room.phase("measures")
    item = room.add(someone, kind="measure", text="Repair festival")["id"]
    room.phase("rating")
    context, page = join_on_a_phone(browser, room)
    card = page.locator(f"#item-{item}")
    card.get_by_role("button", name="Impact: 2").wait_for()

    context.set_offline(True)
    card.get_by_role("button", name="Impact: 2").click()
    card.get_by_role("button", name="Impact: 4").click()  # changed their mind: the last tap counts
    card.get_by_role("button", name="Feasibility: 3").click()
    page.wait_for_timeout(15_000)
    card.get_by_role("button", name="Urgency: can't judge").click()
    page.wait_for_timeout(15_000)
    expect(card.get_by_text("Will be sent when the network is back.")).to_have_count(3)
    expect(card.get_by_role("button", name="Impact: 4")).to_have_attribute("aria-pressed", "true")
    assert events_of(live, room, "item-rated") == []

    context.set_offline(False)
    expect(card.get_by_text("Will be sent when the network is back.")).to_have_count(0, timeout=10_000)
    # Once the phone has caught up the card is rated, so it folds to its title: a tap opens it.
    expect(card.locator("summary .rated-mark")).to_be_visible(timeout=10_000)
    card.locator("summary").click()
    expect(card.get_by_role("button", name="Impact: 4")).to_have_attribute("aria-pressed", "true")
    expect(card.get_by_role("button", name="Urgency: can't judge")).to_have_attribute("aria-pressed", "true")
    sent = sorted((event["values"] for event in events_of(live, room, "item-rated")), key=str)
    assert sent == [{"feasibility": 3}, {"impact": 4}, {"urgency": None}]
    page.reload()  # nothing is left to send twice
    page.wait_for_timeout(1000)
    assert len(events_of(live, room, "item-rated")) == 3
    context.close()


def test_dots_and_contributions_made_offline_arrive_once_and_refusals_are_said(
    browser, live, room: Room
) -> None:  # type: ignore[no-untyped-def]
    room.phase("vision")
    context, page = join_on_a_phone(browser, room)
    context.set_offline(True)
    for text in ("Every firm shares its leftovers", "Repairing beats buying new"):
        page.get_by_label("Vision statement").fill(text)
        page.get_by_role("button", name="Send").click()
    expect(page.locator("#outbox li")).to_have_text(
        [
            "Every firm shares its leftovers – Will be sent when the network is back.",
            "Repairing beats buying new – Will be sent when the network is back.",
        ]
    )
    context.set_offline(False)
    expect(page.locator(".mine li p")).to_have_text(
        ["Every firm shares its leftovers", "Repairing beats buying new"], timeout=10_000
    )
    expect(page.locator("#outbox")).to_be_hidden()
    assert [event["text"] for event in events_of(live, room, "item-added")] == [
        "Every firm shares its leftovers",
        "Repairing beats buying new",
    ]

    repair, exchange = measures_up_for_dots(room, ["Repair festival", "Materials exchange"])
    expect(page.locator("h1.phase-name")).to_have_text("Prioritisation")
    context.set_offline(True)
    row = page.locator(f"#dots-{exchange}")
    for _ in range(2):
        row.get_by_role("button", name="One dot more").click()
    expect(row.locator(".count")).to_have_text("2")
    expect(page.locator(".dots-left")).to_have_text("3")
    other = page.locator(f"#dots-{repair}")
    other.get_by_role("button", name="One dot more").click()
    screenshot(page, "phone-offline-dots")
    context.set_offline(False)
    expect(page.locator(".pending-note")).to_have_count(0, timeout=10_000)
    assert [(e["item_id"], e["count"]) for e in events_of(live, room, "dots-set")] == [
        (exchange, 2),
        (repair, 1),
    ]

    # Offline while the facilitator closes the vote: what the server refuses is said on the card.
    context.set_offline(True)
    other.get_by_role("button", name="One dot more").click()
    room.input(False)
    context.set_offline(False)
    expect(other.locator(".pending-note.error")).to_have_text("Voting is closed right now.", timeout=10_000)
    expect(other.locator(".count")).to_have_text("1")
    context.close()


def test_a_phase_change_ends_the_timer_on_the_projector_and_the_phones(browser, live, room: Room) -> None:  # type: ignore[no-untyped-def]
    measures_up_for_dots(room, ["Repair festival"])
    console = browser.new_page(viewport=LAPTOP)
    sign_in(console, room)
    console.goto(f"{room.base_url}/facilitate/{room.code}")
    console.get_by_label("Timer (minutes)").fill("3")
    console.get_by_role("button", name="Start timer").click()
    countdown = re.compile(r"^[23]:[0-5][0-9] left$")
    # One script counts every timer down (countdown.js): the console's moves on by itself.
    first = console.locator(".screen-timer").inner_text()
    expect(console.locator(".screen-timer")).not_to_have_text(first, timeout=3000)
    expect(console.locator(".screen-timer")).to_have_text(countdown)
    screen = browser.new_page(viewport={"width": 1920, "height": 1080})
    screen.goto(f"{room.base_url}/w/{room.code}/screen")
    expect(screen.locator(".screen-timer")).to_have_text(countdown)
    context, phone = join_on_a_phone(browser, room)
    expect(phone.locator(".timer")).to_have_text(countdown)  # drawn by the script alone

    room.phase("results")
    expect(screen.locator(".screen-phase")).to_have_text("Results")
    expect(screen.locator(".screen-timer")).to_have_count(0)
    expect(phone.locator("h1.phase-name")).to_have_text("Results")
    expect(phone.locator(".timer")).to_have_count(0)
    assert [event["action"] for event in events_of(live, room, "timer-set")] == ["start", "clear"]
    console.close()
    screen.close()
    context.close()


def test_the_projector_shows_how_far_the_vote_is_without_revealing_it(browser, room: Room) -> None:  # type: ignore[no-untyped-def]
    repair, exchange = measures_up_for_dots(room, ["Repair festival", "Materials exchange"])
    screen = browser.new_page(viewport={"width": 1920, "height": 1080})
    screen.goto(f"{room.base_url}/w/{room.code}/screen")
    progress = screen.locator(".progress-screen")
    expect(progress.locator(".dots-placed")).to_have_text("0")
    expect(progress.locator(".voters")).to_have_text("0 of 1 person has voted")

    ana, ben = room.join(), room.join()
    place_dots(room, ana, exchange, 3)
    place_dots(room, ben, repair, 2)
    expect(progress.locator(".dots-placed")).to_have_text("5")
    expect(progress.locator(".dots-placed + p")).to_have_text("of 15 dots placed")
    expect(progress.locator(".voters")).to_have_text("2 of 3 people have voted")
    expect(screen.get_by_text("Materials exchange")).to_have_count(0)  # no ranking while hidden
    screenshot(screen, "screen-prioritisation-progress")
    room.results(True)
    expect(screen.locator(".bars li")).to_have_count(2)
    screen.close()


def workshop_storage(page, code: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """What the phone keeps in localStorage for this workshop."""
    stored: dict[str, str] = page.evaluate("() => Object.assign({}, localStorage)")
    return {key: value for key, value in stored.items() if key.startswith(f"backcast:{code}:")}


def test_unsent_text_is_kept_when_the_phase_moves_on_and_offered_when_it_returns(browser, room: Room) -> None:  # type: ignore[no-untyped-def]
    room.phase("vision")
    context, page = join_on_a_phone(browser, room)
    kept = page.locator("#kept")
    page.get_by_label("Vision statement").fill("Half a thought about repair")
    room.phase("milestones")
    expect(page.locator("h1.phase-name")).to_have_text("Milestones")
    expect(kept).to_have_text("Your unsent text is kept and comes back when this step returns.")
    expect(page.locator("#drafts")).to_have_text(
        "Not sent yet, kept for when Vision comes back: “Half a thought about repair”"
    )
    screenshot(page, "phone-draft-kept")
    page.get_by_label("Milestone").fill("2030: a repair café in every town")
    room.phase("vision")
    expect(page.get_by_label("Vision statement")).to_have_value("Half a thought about repair")
    expect(page.locator("#drafts")).to_have_text(
        "Not sent yet, kept for when Milestones comes back: “2030: a repair café in every town”"
    )
    context.close()


def test_drafts_outlive_a_closed_tab_and_are_gone_once_sent_or_deleted(browser, room: Room) -> None:  # type: ignore[no-untyped-def]
    someone = room.join()
    room.phase("milestones")
    room.add(someone, kind="milestone", text="Repair café opens", year=2030)
    room.phase("needs")
    context, page = join_on_a_phone(browser, room)
    page.evaluate("() => localStorage.setItem('backcast:OTHER1:7:draft:need:text', 'another workshop')")
    page.get_by_role("textbox", name="Need", exact=True).fill("Rooms for repair evenings")
    asked = []

    def answer(dialog):  # type: ignore[no-untyped-def]
        asked.append(dialog.type)
        dialog.accept()

    page.on("dialog", answer)
    # The phase moves on; meanwhile the tab is closed and the page opened in a new one.
    room.phase("measures")
    expect(page.locator("#kept")).to_be_visible()
    page.close()
    page = context.new_page()
    page.on("dialog", answer)
    page.goto(f"{room.base_url}/w/{room.code}")
    expect(page.locator("h1.phase-name")).to_have_text("Measures")
    page.reload()  # no text typed on this page: no question
    assert asked == []
    room.phase("needs")
    expect(page.get_by_role("textbox", name="Need", exact=True)).to_have_value("Rooms for repair evenings")
    # A reload with unsent text on the page asks first; the text is there afterwards all the same.
    page.reload()
    assert asked == ["beforeunload"]
    expect(page.get_by_role("textbox", name="Need", exact=True)).to_have_value("Rooms for repair evenings")
    # Sent and accepted: the draft is gone, and the empty form stays empty after a reload.
    page.get_by_role("button", name="Send").click()
    expect(page.locator("ul.mine")).to_contain_text("Rooms for repair evenings")
    assert not [key for key in workshop_storage(page, room.code) if ":draft:need:" in key]
    page.reload()
    expect(page.get_by_role("textbox", name="Need", exact=True)).to_have_value("")
    assert asked == ["beforeunload"]
    page.close()

    # A change to one's own contribution is a draft too: it comes back, open, with its phase.
    room.phase("milestones")
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{room.base_url}/w/{room.code}")
    page.get_by_label("Milestone").fill("Repair café in the town hall")
    page.get_by_label("Year").first.fill("2031")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("ul.mine")).to_contain_text("Repair café in the town hall")
    page.locator("ul.mine summary").click()
    page.locator("ul.mine textarea").fill("Repair café in the old town hall")
    room.phase("needs")
    expect(page.locator("#kept")).to_be_visible()
    room.phase("milestones")
    expect(page.locator("ul.mine textarea")).to_have_value("Repair café in the old town hall")
    expect(page.locator("#kept")).to_be_hidden()
    # A tap the network never took waits in the outbox, in localStorage too.
    page.route("**/items", lambda route: route.abort())
    page.get_by_label("Milestone").fill("Half a milestone")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#outbox")).to_contain_text("Half a milestone")
    stored = workshop_storage(page, room.code)
    assert any(key.endswith(":outbox") and "Half a milestone" in value for key, value in stored.items())
    assert any(":draft:edit-" in key for key in stored)
    page.get_by_label("Milestone").fill("Another half")
    page.goto(f"{room.base_url}/w/{room.code}/forget")
    page.get_by_role("button", name="Delete my data").click()
    expect(page.get_by_role("heading", name="Your data is deleted.")).to_be_visible()
    # Everything this phone kept for the workshop is gone; another workshop's is not touched.
    page.wait_for_load_state("load")
    assert workshop_storage(page, room.code) == {}
    other = page.evaluate("() => localStorage.getItem('backcast:OTHER1:7:draft:need:text')")
    assert other == "another workshop"
    context.close()


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_abcd_vision_prompt_fits_a_phone_above_its_input(browser, live, language: str) -> None:  # type: ignore[no-untyped-def]
    """The Natural Step's principles are long; on a 390×844 phone the prompt and the field to
    answer it still fit on the first screen."""
    token = facilitator_token(sqlite_url(Path(live.log).parent), email=f"abcd-{language}@example.org")
    room = open_room(live.base_url, token, template="abcd", language=language, title="ABCD")
    room.phase("vision")
    context = browser.new_context(viewport=PHONE, locale={"de": "de-DE", "en": "en-GB"}[language])
    page = context.new_page()
    page.goto(f"{room.base_url}/j/{room.code}")
    page.get_by_role("button", name={"de": "Teilnehmen", "en": "Join"}[language], exact=True).click()
    page.wait_for_url(f"{room.base_url}/w/{room.code}")
    prompt = page.locator("p.prompt")
    expect(prompt).to_contain_text("systemati")  # the principles' own wording is kept
    field = page.locator("#compose textarea")
    box = field.bounding_box()
    assert box is not None
    assert page.evaluate("() => window.scrollY") == 0
    assert box["y"] + box["height"] <= PHONE["height"], prompt.inner_text()
    # Short enough to read at a glance, with room left for the keyboard: at most seven lines.
    lines = page.evaluate(
        "(p) => Math.round(p.getBoundingClientRect().height / parseFloat(getComputedStyle(p).lineHeight))",
        prompt.element_handle(),
    )
    assert lines <= 7, prompt.inner_text()
    screenshot(page, f"phone-abcd-vision-{language}")
    context.close()
