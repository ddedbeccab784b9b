"""Every page of a workshop, checked by axe-core in a real browser, and the phone's tap targets."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from backcast.db import Database, make_engine
from backcast.demo.seed import demo_account, seed_demo
from backcast.enums import PHASE_ORDER
from backcast.http.participant import cookie_name
from backcast.models import Facilitator
from backcast.services import studies, workshops
from tests import server as real_server
from tests.browser import CHROMIUM_ARGS
from tests.conftest import IN_CI
from tests.live_helpers import sqlite_url

pytestmark = pytest.mark.browser
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
PASSWORD = "accessibility check"
# WCAG 2.2 A and AA, and axe's best practices.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@dataclass
class Room:
    base: str
    code: str
    token: str  # a participant's, for the phone
    email: str
    db: Database
    owner: Facilitator

    def phase(self, phase: str) -> None:
        workshops.set_phase(self.db, self.owner, self.code, phase)


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Room]:
    if shutil.which("chromium") is None:
        if IN_CI:
            pytest.fail("Debian's chromium is required under CI=true (make test installs it)")
        pytest.skip("chromium is not installed")
    data = tmp_path_factory.mktemp("a11y")
    server = real_server.start(data)
    db = Database(make_engine(sqlite_url(data)))
    account = demo_account(db, password=PASSWORD)
    demo = seed_demo(db, account.facilitator)
    try:
        yield Room(
            server.base_url,
            demo.workshop.code,
            demo.tokens[0],
            account.facilitator.email,
            db,
            account.facilitator,
        )
    finally:
        db.dispose()
        server.stop()


def violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        TAGS,
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[node['target'] for node in v['nodes'][:3]]}"
        for v in result["violations"]
    ]


def test_the_vendored_axe_is_the_one_recorded() -> None:
    assert hashlib.sha256(AXE.read_bytes()).hexdigest() == AXE_SHA256


def test_every_page_passes_axe_in_every_phase(room: Room) -> None:
    from playwright.sync_api import sync_playwright

    base, code, token, email = room.base, room.code, room.token, room.email
    found: dict[str, list[str]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        stranger = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
        page = stranger.new_page()
        for name, path in (("login", "/login"), ("join", "/join"), ("join-workshop", f"/j/{code}")):
            page.goto(f"{base}{path}")
            found[name] = violations(page)
        phone = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
        phone.add_cookies([{"name": cookie_name(code), "value": token, "url": base}])
        laptop = browser.new_context(viewport={"width": 1366, "height": 768}, bypass_csp=True)
        console = laptop.new_page()
        console.goto(f"{base}/login")
        console.fill("input[name=email]", email)
        console.fill("input[name=password]", PASSWORD)
        console.get_by_role("button", name="Sign in").click()
        console.wait_for_url(f"{base}/")
        study = studies.create_study(room.db, room.owner, title="Nordwest", from_workshop=code)
        studies.attach_workshop(room.db, room.owner, study.id, code)
        for name, path in (
            ("home", "/"),
            ("templates", "/templates"),
            ("studies", "/studies"),
            ("study", f"/studies/{study.id}"),
            ("coding", f"/studies/{study.id}/coding?mode=list"),
            ("agreement", f"/studies/{study.id}/agreement"),
            ("carry", f"/studies/{study.id}/carry?from={code}"),
            ("setup", f"/facilitate/{code}/setup"),
            ("report", f"/facilitate/{code}/report"),
        ):
            console.goto(f"{base}{path}")
            found[name] = violations(console)
        screen = browser.new_context(viewport={"width": 1920, "height": 1080}, bypass_csp=True).new_page()
        phone_page = phone.new_page()
        for phase in PHASE_ORDER:
            room.phase(phase)
            for name, tab, path in (
                ("console", console, f"/facilitate/{code}"),
                ("screen", screen, f"/w/{code}/screen"),
                ("phone", phone_page, f"/w/{code}"),
            ):
                tab.goto(f"{base}{path}")
                found[f"{name}-{phase.value}"] = violations(tab)
        browser.close()
    problems = {name: found_ for name, found_ in found.items() if found_}
    assert problems == {}, json.dumps(problems, indent=1, ensure_ascii=False)


SMALL_TARGETS = """() => [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary')]
  .filter(el => el.offsetParent !== null)
  // A box ticked by tapping its whole label: the label is the target.
  .map(el => [el, (el.closest('label') || el).getBoundingClientRect()])
  .filter(([el, box]) => box.width < 44 || box.height < 44)
  .map(([el, box]) => el.tagName.toLowerCase() + (el.name ? '[name=' + el.name + '] ' : ' ')
    + JSON.stringify((el.innerText || el.value || '').trim().slice(0, 30))
    + ' ' + Math.round(box.width) + 'x' + Math.round(box.height))"""


def test_every_tap_target_on_the_phone_is_at_least_44_pixels(room: Room) -> None:
    from playwright.sync_api import sync_playwright

    base, code, token = room.base, room.code, room.token
    small: dict[str, list[str]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        stranger = browser.new_context(viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True)
        page = stranger.new_page()
        for name, path in (("join", "/join"), ("join-workshop", f"/j/{code}")):
            page.goto(f"{base}{path}")
            small[name] = page.evaluate(SMALL_TARGETS)
        phone = browser.new_context(viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True)
        phone.add_cookies([{"name": cookie_name(code), "value": token, "url": base}])
        page = phone.new_page()
        for phase in PHASE_ORDER:
            room.phase(phase)
            page.goto(f"{base}/w/{code}")
            small[f"phone-{phase.value}"] = page.evaluate(SMALL_TARGETS)
        browser.close()
    problems = {name: found for name, found in small.items() if found}
    assert problems == {}, json.dumps(problems, indent=1, ensure_ascii=False)
