"""Two rating rounds with six phones in a real browser: round-2 cards show the previous answer,
the room's median and IQR; an outlier is asked why, and the projector shows the reason."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

from tests import server as real_server
from tests.browser import PHONE, screenshot
from tests.live_helpers import facilitator_token, open_room, sqlite_url

pytestmark = pytest.mark.browser

ROUND_1 = (1, 2, 3, 3, 4, 5)  # median 3, quartiles 2.25 and 3.75
ROUND_2 = (3, 3, 3, 3, 4, 5)  # the last phone stays apart


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[real_server.Server]:
    running = real_server.start(tmp_path_factory.mktemp("rounds"))
    yield running
    running.stop()


def _impact(page, item_id: int):  # type: ignore[no-untyped-def]
    return page.locator(f"#item-{item_id} form.criterion").first


def test_two_rounds_with_six_phones(browser, live: real_server.Server) -> None:  # type: ignore[no-untyped-def]
    token = facilitator_token(sqlite_url(Path(live.log).parent), email="rounds@example.org")
    room = open_room(live.base_url, token)
    room.phase("measures")
    measure = room.add(room.facilitator, kind="measure", text="A repair bonus for every household")["id"]
    room.phase("rating")

    phones = []
    for index in range(6):
        context = browser.new_context(viewport=PHONE, locale="de-DE" if index == 4 else "en-GB")
        page = context.new_page()
        page.goto(f"{live.base_url}/j/{room.code}")
        page.locator(f'form[action="/j/{room.code}"] button[type=submit]').click()
        page.wait_for_url(f"{live.base_url}/w/{room.code}")
        phones.append(page)
    for page, value in zip(phones, ROUND_1, strict=True):
        _impact(page, measure).locator(f'button[value="{value}"]').click()
        _impact(page, measure).locator(f'button[value="{value}"][aria-pressed="true"]').wait_for()

    opened = httpx.post(
        f"{live.base_url}/api/v1/workshops/{room.code}/rounds", json={}, headers=room.facilitator
    )
    assert opened.status_code == 201 and opened.json()["round"] == 2

    for page, value in zip(phones, ROUND_1, strict=True):
        page.locator(f"#item-{measure} .feedback").first.wait_for(timeout=15_000)
        feedback = _impact(page, measure).locator(".feedback").inner_text()
        assert str(value) in feedback and "3" in feedback
        assert _impact(page, measure).locator("button.previous").get_attribute("value") == str(value)
    assert "median 3 · IQR 2.25–3.75" in _impact(phones[0], measure).locator(".feedback").inner_text()
    assert "Median 3 · IQA 2,25–3,75" in _impact(phones[4], measure).locator(".feedback").inner_text()
    screenshot(phones[0], "phone-round-2-card-en")
    screenshot(phones[4], "phone-round-2-card-de")

    for page, value in zip(phones, ROUND_2, strict=True):
        _impact(page, measure).locator(f'button[value="{value}"]').click()
        _impact(page, measure).locator(f'button[value="{value}"][aria-pressed="true"]').wait_for()
    outlier = phones[5]
    assert _impact(phones[2], measure).locator(".reason-ask").count() == 0  # inside the IQR
    ask = _impact(outlier, measure).locator(".reason-ask")
    assert "outside the room's middle half" in ask.inner_text()
    screenshot(outlier, "phone-round-2-reason-en")
    ask.locator("textarea").fill("Repair shops are two hours away from most villages")
    ask.get_by_role("button", name="Save reason").click()
    _impact(outlier, measure).locator(".reason-saved").wait_for()

    screen = browser.new_page(viewport={"width": 1280, "height": 800})
    screen.goto(f"{live.base_url}/w/{room.code}/screen")
    screen.locator(".screen-reasons", has_text="Repair shops are two hours away").wait_for()

    def iqr(round_: int) -> float:
        body = httpx.get(
            f"{live.base_url}/api/v1/workshops/{room.code}/results?round={round_}", headers=room.facilitator
        ).json()
        return next(item for item in body["items"] if item["item_id"] == measure)["criteria"]["impact"]["iqr"]

    assert (iqr(1), iqr(2)) == (1.5, 0.75)
