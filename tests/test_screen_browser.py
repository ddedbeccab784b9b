"""The projector in a real browser: a rating on a phone shows on the screen at once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
from playwright.sync_api import expect

from tests import server as real_server
from tests.browser import screenshot
from tests.live_helpers import facilitator_token, open_room, sqlite_url

pytestmark = pytest.mark.browser
PROJECTOR = {"width": 1920, "height": 1080}


@pytest.fixture
def live(tmp_path: Path) -> Iterator[real_server.Server]:
    running = real_server.start(tmp_path)
    yield running
    running.stop()


def test_a_rating_shows_on_the_screen_within_a_second(
    browser, live: real_server.Server, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    room = open_room(live.base_url, facilitator_token(sqlite_url(tmp_path)))
    page = browser.new_page(viewport=PROJECTOR)
    page.goto(f"{live.base_url}/w/{room.code}/screen")
    assert page.locator(".join-code").inner_text() == room.code
    screenshot(page, "screen-lobby-live")

    phone = room.join()
    page.locator(".big-number", has_text="1").wait_for(timeout=1000)
    room.phase("measures")
    measure = room.add(room.facilitator, kind="measure", text="Start a materials exchange")
    room.phase("rating")
    page.locator(".big-number", has_text="0%").wait_for(timeout=2000)

    started = time.monotonic()
    response = httpx.put(
        f"{live.base_url}/api/v1/items/{measure['id']}/ratings",
        json={"impact": 4, "feasibility": 3, "urgency": None},
        headers=phone,
    )
    assert response.status_code == 200
    page.locator(".big-number", has_text="100%").wait_for(timeout=1000)
    assert time.monotonic() - started < 1.0
    screenshot(page, "screen-rating-live")
    page.close()


def test_forty_statements_and_forty_ranked_measures_fit_the_projector_page_by_page(
    browser, live: real_server.Server, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    room = open_room(live.base_url, facilitator_token(sqlite_url(tmp_path)))
    room.phase("vision")
    statements = [
        f"Statement {number}: " + " ".join(["materials stay in use, shared and repaired"] * (1 + number % 3))
        for number in range(1, 41)
    ]
    for text in statements:
        room.add(room.facilitator, kind="vision", text=text)
    page = browser.new_page(viewport=PROJECTOR)
    page.goto(f"{live.base_url}/w/{room.code}/screen")
    pager = page.locator(".wall + .screen-pager")
    pager.wait_for(timeout=10_000)

    def nothing_cut_off() -> bool:
        return page.evaluate("document.documentElement.scrollHeight <= window.innerHeight")

    pages = int(pager.inner_text().split(" / ")[1])
    assert pages >= 2 and nothing_cut_off()
    assert page.locator("#screen").get_attribute("data-zoom") == "0.8"
    screenshot(page, "screen-vision-40")
    seen: list[str] = []
    for number in range(1, pages + 1):
        expect(pager).to_have_text(f"{number} / {pages}")
        assert nothing_cut_off()
        seen += page.locator(".wall > li:visible").all_inner_texts()
        page.keyboard.press("ArrowRight")
    assert seen == statements  # every statement once, in order
    expect(pager).to_have_text(f"1 / {pages}")

    measures = [
        room.add(room.facilitator, kind="measure", text=f"Measure {n:02d} for the region") for n in range(40)
    ]
    room.phase("rating")
    phone = room.join()
    for index, measure in enumerate(measures):
        response = httpx.put(
            f"{live.base_url}/api/v1/items/{measure['id']}/ratings",
            json={"impact": 1 + index % 5, "feasibility": 1 + index // 8, "urgency": 3},
            headers=phone,
        )
        assert response.status_code == 200
    room.results(True)
    room.phase("results")
    ranking = page.locator(".ranking + .screen-pager")
    ranking.wait_for(timeout=10_000)
    assert nothing_cut_off()
    assert page.locator(".quadrant .point").count() == 40
    screenshot(page, "screen-results-40")
    pages = int(ranking.inner_text().split(" / ")[1])
    ranked: list[str] = []
    for _ in range(pages):
        ranked += page.locator(".ranking > li:visible .bar-label").all_inner_texts()
        page.keyboard.press("ArrowRight")
    assert sorted(ranked) == sorted(f"Measure {n:02d} for the region" for n in range(40))
    page.close()


def test_long_measure_titles_wrap_to_two_lines_and_a_legend_names_each_spread_line(
    browser, live: real_server.Server, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    room = open_room(live.base_url, facilitator_token(sqlite_url(tmp_path)))
    room.phase("measures")
    titles = [
        "Repair festival every spring in each town, run with the repair cafés",
        "Start a materials exchange",
    ]
    measures = [room.add(room.facilitator, kind="measure", text=text) for text in titles]
    room.phase("rating")
    for values in (
        {"impact": 5, "feasibility": 2, "urgency": 4},
        {"impact": 3, "feasibility": 4, "urgency": 1},
    ):
        phone = room.join()
        for measure in measures:
            response = httpx.put(
                f"{live.base_url}/api/v1/items/{measure['id']}/ratings", json=values, headers=phone
            )
            assert response.status_code == 200
    room.results(True)
    room.phase("results")
    page = browser.new_page(viewport=PROJECTOR)
    page.goto(f"{live.base_url}/w/{room.code}/screen")
    labels = page.locator(".ranking .bar-label")
    labels.first.wait_for(timeout=10_000)

    # Every word of every title is on the projector, the long one on two lines: nothing cut off.
    shown = {
        label.inner_text(): label.evaluate(
            "label => ({cut: label.scrollHeight > label.clientHeight + 1"
            " || label.scrollWidth > label.clientWidth,"
            " lines: Math.round(label.clientHeight / parseFloat(getComputedStyle(label).lineHeight))})"
        )
        for label in labels.all()
    }
    assert shown == {titles[0]: {"cut": False, "lines": 2}, titles[1]: {"cut": False, "lines": 1}}

    # The legend names each criterion in the colour of its line under the bars.
    legend = page.locator(".spread-legend li")
    assert legend.all_inner_texts() == ["Impact", "Feasibility", "Urgency"]
    stroke = "line => getComputedStyle(line).stroke"
    legend_colours = [legend.nth(index).locator("line").evaluate(stroke) for index in range(3)]
    assert len(set(legend_colours)) == 3
    first_bar = page.locator(".ranking li").first.locator("line.spread")
    assert [first_bar.nth(index).evaluate(stroke) for index in range(3)] == legend_colours
    screenshot(page, "screen-results-legend")
    page.close()
