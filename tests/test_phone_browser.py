"""A participant on a phone, in a real browser against a real server, through every phase."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
from playwright.sync_api import expect

from tests import server as real_server
from tests.browser import PHONE, SMALL_PHONE, screenshot
from tests.live_helpers import Room, facilitator_token, open_room, sqlite_url

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[real_server.Server]:
    running = real_server.start(tmp_path_factory.mktemp("phone"))
    yield running
    running.stop()


@pytest.fixture
def room(live: real_server.Server) -> Room:
    token = facilitator_token(
        sqlite_url(Path(live.log).parent), email=f"f{id(live)}{len(live.output())}@example.org"
    )
    return open_room(
        live.base_url, token, dot_budget=3, consent_text="Answers are used for research, without names."
    )


def confusable(code: str) -> str:
    """How someone might type the code: lower case, a dash, O for 0 and l for 1."""
    typed = code.lower().replace("0", "O").replace("1", "l")
    return f"{typed[:3]}-{typed[3:]}"


def test_a_participant_joins_by_qr_and_contributes_in_every_phase(
    browser, live: real_server.Server, room: Room
) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{live.base_url}/j/{room.code}")
    screenshot(page, "phone-join")
    page.get_by_label("Your name (optional)").fill("Ana")
    page.get_by_label("I am here for").select_option("sme")
    # Agreeing to research use is asked, and said to be optional.
    assert page.get_by_text("Optional: you can take part without agreeing.").is_visible()
    page.get_by_label("I agree").check()
    page.get_by_role("button", name="Join").click()
    page.wait_for_url(f"{live.base_url}/w/{room.code}")
    assert page.locator("h1").inner_text() == "Welcome"
    screenshot(page, "phone-lobby")

    # The facilitator moves on; the phone follows by itself.
    room.phase("vision")
    page.get_by_role("heading", name="Vision").wait_for()
    page.get_by_label("Vision statement").fill("Every firm in the region shares its leftovers 🌱")
    page.get_by_role("button", name="Send").click()
    page.locator(".mine p", has_text="Every firm in the region shares its leftovers 🌱").wait_for()
    assert page.get_by_label("Vision statement").input_value() == ""
    screenshot(page, "phone-vision")

    room.phase("milestones")
    page.get_by_role("heading", name="Milestones").wait_for()
    page.get_by_label("Milestone").fill("Half of all firms trade materials")
    page.get_by_label("Year").fill("2050")
    page.get_by_role("button", name="Send").click()
    assert "between 2027 and 2045" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Milestone").input_value() == "Half of all firms trade materials"
    page.get_by_label("Year").fill("2035")
    page.get_by_role("button", name="Send").click()
    page.locator(".mine p").get_by_text("Half of all firms trade materials").wait_for()

    room.phase("needs")
    page.get_by_role("heading", name="Needs").wait_for()
    page.get_by_role("textbox", name="Need", exact=True).fill("A shared register of materials")
    page.get_by_label("Half of all firms trade materials").check()
    page.get_by_role("button", name="Send").click()
    page.locator(".mine p").get_by_text("→ Half of all firms trade materials").wait_for()

    room.phase("measures")
    page.get_by_role("heading", name="Measures").wait_for()
    page.get_by_label("Measure", exact=True).fill("Start a materials exchange")
    page.get_by_label("A shared register of materials").check()
    page.get_by_role("button", name="Send").click()
    page.locator(".mine p").get_by_text("Start a materials exchange").wait_for()
    page.get_by_label("Measure", exact=True).fill("Train waste officers")
    page.get_by_label("A shared register of materials").check()
    page.get_by_role("button", name="Send").click()
    page.locator(".mine p").get_by_text("Train waste officers").wait_for()
    screenshot(page, "phone-measures")

    room.phase("rating")
    page.get_by_role("heading", name="Rating").wait_for()
    assert page.locator("#progress").inner_text() == "0 of 2 rated"
    card = page.locator("article", has_text="Start a materials exchange")
    card.get_by_role("button", name="Impact: 4").click()
    card.get_by_role("button", name="Feasibility: can't judge").click()
    card.get_by_role("button", name="Urgency: 5 (very urgent)").click()
    page.locator("#progress", has_text="1 of 2 rated").wait_for()
    card = page.locator("article", has_text="Start a materials exchange")
    # Taps in quick succession may answer out of order; the refresh that follows each rating brings
    # the card to the stored state, so wait for it rather than read the first swap.
    expect(card.get_by_role("button", name="Feasibility: can't judge")).to_have_attribute(
        "aria-pressed", "true"
    )
    card.get_by_role("button", name="Impact: 2").click()  # a second rating replaces the first
    page.locator("article", has_text="Start a materials exchange").get_by_role(
        "button", name="Impact: 2", pressed=True
    ).wait_for()
    screenshot(page, "phone-rating")

    room.phase("prioritisation")
    page.get_by_role("heading", name="Prioritisation").wait_for()
    row = page.locator("li", has_text="Start a materials exchange")
    for left in ("2", "1", "0"):
        row.get_by_role("button", name="One dot more").click()
        page.locator(".dots-left", has_text=left).wait_for()
        row = page.locator("li", has_text="Start a materials exchange")
    # No dots left: no "+" offers what the server would refuse, and "−" still gives one back.
    for each in page.locator(".dots-row").all():
        expect(each.get_by_role("button", name="One dot more")).to_be_disabled()
    expect(row.get_by_role("button", name="One dot less")).to_be_enabled()
    screenshot(page, "phone-prioritisation")
    page.close()


def test_typed_text_survives_live_updates(browser, live: real_server.Server, room: Room) -> None:  # type: ignore[no-untyped-def]
    room.phase("vision")
    page = browser.new_page(viewport=SMALL_PHONE)
    page.goto(f"{live.base_url}/join")
    page.get_by_label("Workshop code").fill(confusable(room.code))
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("I agree").check()
    page.get_by_role("button", name="Join").click()
    page.get_by_role("heading", name="Vision").wait_for()
    other = room.join()
    mine = room.add(other, kind="vision", text="Somebody else's statement")

    field = page.get_by_label("Vision statement")
    field.click()
    field.type("Half typed, not sent")
    room.moderate(mine["id"], hidden=True)  # moderation: the phones refresh their lists
    room.input(False)  # input closes: the view swaps to "closed"
    page.get_by_text("Input is closed for now.").wait_for()
    room.input(True)  # and opens again
    expect(page.get_by_label("Vision statement")).to_have_value("Half typed, not sent")
    screenshot(page, "phone-small-vision")
    page.close()


def test_a_wrong_code_is_said_inline(browser, live: real_server.Server) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport=SMALL_PHONE)
    page.goto(f"{live.base_url}/join")
    page.get_by_label("Workshop code").fill("ZZZ-ZZZ")
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_role("alert").inner_text() == "There is no workshop with this code. Please check it."
    assert page.get_by_label("Workshop code").get_attribute("aria-invalid") == "true"
    screenshot(page, "phone-join-wrong-code")
    page.close()


def test_what_others_add_to_the_parent_list_arrives_and_ticks_and_typing_stay(
    browser, live: real_server.Server, room: Room
) -> None:  # type: ignore[no-untyped-def]
    room.phase("milestones")
    first = room.add(room.facilitator, kind="milestone", text="Firms share machines", year=2030)
    room.phase("needs")
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{live.base_url}/j/{room.code}")
    page.get_by_label("I agree").check()
    page.get_by_role("button", name="Join").click()
    page.get_by_role("heading", name="Needs").wait_for()
    page.get_by_role("textbox", name="Need", exact=True).fill("A shared workshop space")
    page.get_by_label("Firms share machines").check()

    second = room.add(room.facilitator, kind="milestone", text="Repair is normal", year=2035)
    page.get_by_label("Repair is normal").wait_for(timeout=10_000)
    expect(page.get_by_label("Firms share machines")).to_be_checked()
    assert page.get_by_role("textbox", name="Need", exact=True).input_value() == "A shared workshop space"
    page.get_by_label("Repair is normal").check()
    page.get_by_role("button", name="Send").click()
    page.locator(".mine p", has_text="A shared workshop space").wait_for()
    items = httpx.get(f"{live.base_url}/api/v1/workshops/{room.code}/items", headers=room.facilitator).json()
    need = next(item for item in items if item["text"] == "A shared workshop space")
    assert sorted(need["links"]) == sorted([first["id"], second["id"]])
    page.close()


def test_the_list_to_link_to_uses_the_page_sorted_by_year_with_a_search(
    browser, live: real_server.Server, room: Room
) -> None:  # type: ignore[no-untyped-def]
    room.phase("milestones")
    years = [2040, 2030, 2045, 2028, 2035, 2031, 2042, 2029, 2033, 2038]
    for year in years:
        room.add(room.facilitator, kind="milestone", text=f"Milestone of {year}", year=year)
    room.phase("needs")
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{live.base_url}/j/{room.code}")
    page.get_by_label("I agree").check()
    page.get_by_role("button", name="Join").click()
    page.get_by_role("heading", name="Needs").wait_for()

    shown = page.locator("#parents label").all_inner_texts()
    assert [line.split()[0] for line in shown] == [str(year) for year in sorted(years)]
    box = page.locator("#parents")
    # The whole list is on the page: no box of its own that hides the sixth entry.
    assert box.evaluate("list => list.scrollHeight <= list.clientHeight + 1")
    page.get_by_label("2045 Milestone of 2045").scroll_into_view_if_needed()
    expect(page.get_by_label("2045 Milestone of 2045")).to_be_in_viewport()
    screenshot(page, "phone-needs-long-list")

    page.get_by_label("Search the list").fill("of 203")
    expect(page.locator("#parents label:visible")).to_have_count(5)  # 2030 to 2038
    page.get_by_label("2033 Milestone of 2033").check()
    page.get_by_role("textbox", name="Need", exact=True).fill("A materials register")
    page.get_by_role("button", name="Send").click()
    page.locator(".mine p", has_text="→ Milestone of 2033").wait_for()
    page.close()


def test_unrated_measures_come_first_and_rated_ones_fold(
    browser, live: real_server.Server, room: Room
) -> None:  # type: ignore[no-untyped-def]
    room.phase("measures")
    titles = [f"Measure number {n}" for n in range(1, 7)]
    for title in titles:
        room.add(room.facilitator, kind="measure", text=title)
    room.phase("rating")
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{live.base_url}/j/{room.code}")
    page.get_by_label("I agree").check()
    page.get_by_role("button", name="Join").click()
    page.get_by_role("heading", name="Rating").wait_for()

    card = page.locator("article", has_text="Measure number 1")
    for name in ("Impact: 4", "Feasibility: 3", "Urgency: 2"):
        card.get_by_role("button", name=name).click()
        card.get_by_role("button", name=name, pressed=True).wait_for()
    page.locator("#progress", has_text="1 of 6 rated").wait_for()
    room.add(room.facilitator, kind="measure", text="Measure added later")

    page.reload()
    order = page.locator(".rating-card .item-text").all_inner_texts()
    assert order == [*titles[1:], "Measure added later", "Measure number 1"]
    folded = page.locator("details.rating-card", has_text="Measure number 1")
    expect(folded.get_by_role("button", name="Impact: 4")).to_be_hidden()
    height = page.evaluate("document.documentElement.scrollHeight")
    folded.locator("summary").click()
    expect(folded.get_by_role("button", name="Impact: 4", pressed=True)).to_be_visible()
    folded.get_by_role("button", name="Impact: 5").click()
    folded.get_by_role("button", name="Impact: 5", pressed=True).wait_for()
    assert page.evaluate("document.documentElement.scrollHeight") > height

    page.get_by_role("link", name="Next unrated").click()
    expect(page.locator("article", has_text="Measure number 2").locator("legend").first).to_be_in_viewport()
    screenshot(page, "phone-rating-folded")
    page.close()
