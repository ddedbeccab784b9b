"""The study page's comparison in a real browser, on a laptop and a phone, in both languages: the
heat map shows its numbers and the table of the same figures opens; screenshots for the docs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from backcast.db import Database, make_engine
from tests import server as real_server
from tests.browser import SCREENSHOTS, screenshot
from tests.live_helpers import sqlite_url
from tests.study_scenario import larger_study
from tests.test_accessibility import violations
from tests.test_study_browser import sign_in

pytestmark = pytest.mark.browser
SIZES = {"1920": {"width": 1920, "height": 1080}, "390": {"width": 390, "height": 844}}


@pytest.fixture
def live(tmp_path: Path) -> Iterator[real_server.Server]:
    running = real_server.start(tmp_path)
    yield running
    running.stop()


def test_the_comparison_reads_on_a_laptop_and_a_phone_in_both_languages(  # type: ignore[no-untyped-def]
    browser, live: real_server.Server, tmp_path: Path
) -> None:
    db = Database(make_engine(sqlite_url(tmp_path)))
    try:
        s = larger_study(db)
    finally:
        db.dispose()
    for language, locale, suffix in (("en", "en-GB", ""), ("de", "de-DE", "-de")):
        for size, viewport in SIZES.items():
            context = browser.new_context(
                viewport=viewport, locale=locale, extra_http_headers={"Accept-Language": language}
            )
            page = context.new_page()
            sign_in(page, live.base_url, s.researcher.email)
            page.goto(f"{live.base_url}/studies/{s.study.id}#comparison")
            heat = page.locator("svg.heatmap")
            expect(heat).to_be_visible()
            expect(heat).to_contain_text("75" + ("," if language == "de" else ".") + "0")
            page.locator("#theme-table summary").click()
            expect(page.locator("#theme-table table")).to_be_visible()
            assert violations(page) == [], (language, size)
            page.locator("#theme-table summary").click()
            page.locator(".heatmap-scroll").screenshot(
                path=str(screenshot_path(f"study-heatmap-{size}{suffix}"))
            )
            comparison = page.locator("#comparison")
            comparison.screenshot(path=str(screenshot_path(f"study-comparison-{size}{suffix}")))
            if size == "1920":
                # The printed report, as the browser lays it out on A4.
                page.goto(f"{live.base_url}/studies/{s.study.id}/report?both=1")
                page.emulate_media(media="print")
                expect(page.locator("svg.heatmap")).to_be_visible()
                expect(page.locator("#theme-table table")).to_be_visible()
                pdf = page.pdf(format="A4")
                assert pdf.startswith(b"%PDF")
                page.set_viewport_size({"width": 794, "height": 1123})
                screenshot(page, f"study-report{suffix}")
            context.close()


def screenshot_path(name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"
