"""Writes the screenshots in docs/screenshots/: the console (1366×768), the screen (1920×1080)
and a phone (390×844) in every phase of the demo workshop, in English and German, plus the set-up
page and the printable report, and the demo study's page and coding page. A real server, Debian's
Chromium, the real demo data.

    .venv/bin/python -m tests.screenshots [OUT_DIR] [--languages en,de]   (or `make screenshots`)
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from backcast.db import Database, make_engine
from backcast.demo import study_content
from backcast.demo.seed import demo_account, seed_demo
from backcast.demo.study_seed import seed_study
from backcast.enums import PHASE_ORDER, Phase
from backcast.http.participant import cookie_name
from backcast.services import accounts, timer, workshops
from tests import server as real_server
from tests.browser import CHROMIUM_ARGS
from tests.live_helpers import sqlite_url

ROOT = Path(__file__).resolve().parent.parent
LAPTOP = {"width": 1366, "height": 768}
PROJECTOR = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}
PASSWORD = "screenshots only"


def sign_in(page: Any, base: str, email: str, language: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Sign in" if language == "en" else "Anmelden").click()
    page.wait_for_url(f"{base}/")


def take(out: Path, languages: list[str]) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as data:
        # The address a room's laptop would have on its Wi-Fi, so pictures show a real join address.
        server = real_server.start(Path(data), BACKCAST_PUBLIC_URL="http://192.168.178.20:8000")
        db = Database(make_engine(sqlite_url(Path(data))))
        try:
            account = demo_account(db, password=PASSWORD)
            demo = seed_demo(db, account.facilitator)
            # The demo study, its first researcher with a password known here, for the study pages.
            researcher = accounts.add_facilitator(db, study_content.CODERS[0], PASSWORD, via="demo")
            demo_study = seed_study(db, account.facilitator)
            study = demo_study.study
            # Oldenburg started from Bremen's pathway: its milestones on the screen show the mark.
            carried_code = demo_study.workshops[1].code
            workshops.set_phase(db, account.facilitator, carried_code, Phase.milestones)
            code, owner = demo.workshop.code, account.facilitator
            base = server.base_url
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS
                )
                for language in languages:
                    suffix = "" if language == "en" else f"-{language}"
                    cookies = [{"name": "backcast_lang", "value": language, "url": base}]
                    console = browser.new_context(viewport=LAPTOP)
                    console.add_cookies(cookies)
                    screen = browser.new_context(viewport=PROJECTOR)
                    screen.add_cookies(cookies)
                    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
                    phone.add_cookies(
                        [*cookies, {"name": cookie_name(code), "value": demo.tokens[0], "url": base}]
                    )
                    page = console.new_page()
                    sign_in(page, base, account.facilitator.email, language)
                    views = {
                        "console": (page, f"/facilitate/{code}"),
                        "screen": (screen.new_page(), f"/w/{code}/screen"),
                    }
                    views["phone"] = (phone.new_page(), f"/w/{code}")
                    for phase in PHASE_ORDER:
                        workshops.set_phase(db, owner, code, phase)
                        if phase == Phase.vision:
                            timer.set_timer(db, owner, code, "start", 12 * 60)
                        elif phase == Phase.milestones:
                            timer.set_timer(db, owner, code, "clear")
                        for view, (tab, path) in views.items():
                            tab.goto(f"{base}{path}")
                            tab.wait_for_load_state("networkidle")
                            tab.wait_for_timeout(200)  # the screen fits its lists after loading
                            target = out / f"{view}-{phase.value}{suffix}.png"
                            tab.screenshot(path=str(target))
                            written.append(target)
                    for name, path in (
                        ("setup", f"/facilitate/{code}/setup"),
                        ("report", f"/facilitate/{code}/report"),
                    ):
                        page.goto(f"{base}{path}")
                        target = out / f"{name}{suffix}.png"
                        page.screenshot(path=str(target))
                        written.append(target)
                    page.goto(f"{base}/studies/{study.id}")
                    target = out / f"study{suffix}.png"
                    page.screenshot(path=str(target))
                    written.append(target)
                    coder = browser.new_context(viewport=LAPTOP)
                    coder.add_cookies(cookies)
                    coding_page = coder.new_page()
                    sign_in(coding_page, base, researcher.email, language)
                    coding_page.goto(f"{base}/studies/{study.id}/coding?kind=measure&mode=list")
                    target = out / f"study-coding{suffix}.png"
                    coding_page.screenshot(path=str(target))
                    written.append(target)
                    carried = screen.new_page()
                    carried.goto(f"{base}/w/{carried_code}/screen")
                    carried.wait_for_load_state("networkidle")
                    carried.wait_for_timeout(200)
                    target = out / f"screen-carried{suffix}.png"
                    carried.screenshot(path=str(target))
                    written.append(target)
                    for context in (console, screen, phone, coder):
                        context.close()
                browser.close()
        finally:
            db.dispose()
            server.stop()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("out", nargs="?", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--languages", default="en,de")
    args = parser.parse_args(argv)
    written = take(args.out, [language for language in args.languages.split(",") if language])
    print(f"{len(written)} screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
