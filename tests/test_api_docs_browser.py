"""/api/docs works in a real browser under the app's own Content-Security-Policy, from this server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from fastapi.testclient import TestClient

from tests import server as real_server

pytestmark = pytest.mark.browser


@pytest.fixture
def live(tmp_path: Path) -> Iterator[real_server.Server]:
    running = real_server.start(tmp_path)
    yield running
    running.stop()


def test_the_api_reference_renders_with_nothing_from_elsewhere(browser, live: real_server.Server) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    problems: list[str] = []
    requested: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live.base_url}/api/docs")
    page.locator(".opblock-summary-path", has_text="/api/v1/workshops/{code}/items").first.wait_for(
        timeout=15000
    )
    assert page.locator(".information-container .title").inner_text().startswith("backcast")
    assert problems == []
    here = urlparse(live.base_url).netloc
    assert [url for url in requested if urlparse(url).netloc not in {here, ""}] == []


def test_the_api_reference_page_holds_no_inline_script(sqlite_client: TestClient) -> None:
    page = sqlite_client.get("/api/docs").text
    assert "<script>" not in page and "cdn" not in page.lower()
    assert '<script src="/static/vendor/swagger-ui-bundle-5.35.0.js" defer></script>' in page
