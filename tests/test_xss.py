"""Hostile text in every free-text field stays text: on the phone, the screen (every phase, results
and charts included), the console and the live fragments no element or attribute comes from it,
and in the CSV, XLSX and JSON exports it can neither run as a formula nor turn text around."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from backcast.app import create_app
from backcast.db import Database, make_engine
from backcast.defaults import CriterionSpec, GroupSpec
from backcast.enums import Phase
from backcast.export.schema import TABLES
from backcast.queries.console import participants_of
from backcast.services import accounts, agenda, items, templates, workshops
from backcast.settings import Settings
from tests import factories

# Each fits the shortest field (a name, 60 characters) and carries a marker: "alert" or "evil".
PAYLOADS = [
    '<script>alert("evil")</script>',
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)><svg/onload=alert(2)>',
    "javascript:alert(1)",
    '<a href="javascript:alert(1)">evil</a>',
    '<div hx-get="/evil" hx-trigger="load">x</div>',
    '<b hx-on:click="alert(1)" hx-on::load="alert(2)">x</b>',
    "' onmouseover='alert(1)' x='",
    "{{7*7}}{% if 1 %}evil{% endif %}${7*7}#{7*7}",
    "</textarea></title><script>alert(1)</script>",
    '=HYPERLINK("javascript:alert(1)";"evil")',
    "@SUM(1+1)*cmd|' /C calc'!A0 evil",
    "\u202eevil\u202c.exe \u2066alert\u2069 \u202dtxt",
    # Non-characters, which XML forbids: a spreadsheet holding one cannot be opened.
    "evil\ufffe \uffff\ufdd0 alert\U0001fffe\U0010ffff",
]
MARKERS = ("alert", "evil")
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
NONCHARACTERS = re.compile("[\ufdd0-\ufdef\ufffe\uffff\U0001fffe\U0001ffff\U0010fffe\U0010ffff]")
OUR_SCRIPTS = {
    "/static/vendor/htmx-2.0.11.min.js",
    "/static/vendor/htmx-ext-sse-2.2.4.min.js",
    "/static/countdown.js",
    "/static/phone.js",
    "/static/screen.js",
}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}
FOREIGN_TAGS = {"script", "img", "iframe", "object", "embed", "base", "frame", "style", "link", "meta"}


def shown(payload: str) -> str:
    """What the app keeps of the payload: direction controls and non-characters dropped, NFC, trimmed."""
    return unicodedata.normalize("NFC", NONCHARACTERS.sub("", BIDI_CONTROLS.sub("", payload))).strip()


def problems_in(html: str, payload: str) -> list[str]:
    """Everything in a page that could have come from the payload as markup rather than text."""
    page = BeautifulSoup(html, "html.parser")
    found = []
    for element in page.find_all(True):
        name = element.name
        if name == "script":
            if element.get("src") not in OUR_SCRIPTS or element.string:
                found.append(f"script {element.get('src')!r} {element.string!r}")
        elif name == "link" and element.get("rel") not in (["stylesheet"], ["icon"]):
            found.append(f"link {element.attrs}")
        elif name == "meta" and element.get("http-equiv"):
            found.append(f"meta {element.attrs}")
        elif name in FOREIGN_TAGS - {"script", "link", "meta"}:
            found.append(f"<{name}>")
        for attribute, value in element.attrs.items():
            text = " ".join(value) if isinstance(value, list) else str(value)
            lowered = attribute.lower()
            if lowered.startswith("on"):
                found.append(f"{name}[{attribute}]")
            if lowered.startswith(("hx-", "data-hx-", "sse-", "data-sse-")) and any(
                m in text for m in MARKERS
            ):
                found.append(f"{name}[{attribute}={text!r}]")
            if lowered in URL_ATTRIBUTES and text.strip().lower().startswith(("javascript:", "data:text")):
                found.append(f"{name}[{attribute}={text!r}]")
    if BIDI_CONTROLS.search(html):
        found.append("a direction control character")
    return found


@dataclass
class Capture:
    payload: str
    pages: dict[str, str] = field(default_factory=dict)  # name → HTML
    full_pages: set[str] = field(default_factory=set)  # the ones that show the workshop's title

    def page(self, client: TestClient, name: str, url: str, *, full: bool = True, status: int = 200) -> None:
        response = client.get(url, headers={"Accept": "text/html"})
        assert response.status_code == status, (name, response.status_code)
        self.pages[name] = response.text
        if full:
            self.full_pages.add(name)


def run_workshop(db: Database, settings: Settings, payload: str) -> tuple[Capture, dict[str, bytes]]:
    """A whole workshop with the payload in every free-text field, captured page by page."""
    capture = Capture(payload)
    owner = factories.facilitator(db)
    criteria = [
        CriterionSpec("impact", payload, payload, payload, 1, 5, 1.0),
        CriterionSpec("feasibility", payload[:95] + " (2)", payload, payload, 1, 5, 1.0),
    ]
    shop = workshops.create_workshop(
        db,
        owner,
        title=payload,
        question=payload,
        consent_text=payload,
        present_year=2026,
        vision_year=2045,
        language="en",
        criteria=criteria,
        groups=[GroupSpec("sme", payload)],
        prompts={phase.value: {"en": payload} for phase in Phase},
    )
    code = shop.code
    token = {"Authorization": f"Bearer {accounts.issue_api_token(db, owner.email)}"}
    with TestClient(create_app(settings, db=db)) as client:
        capture.page(client, "join page", f"/j/{code}")
        joined = client.post(
            f"/j/{code}", data={"name": payload, "group": "sme", "consent": "yes"}, follow_redirects=False
        )
        assert joined.status_code == 303, joined.text
        signed_in = client.post(
            "/login", data={"email": owner.email, "password": factories.PASSWORD}, follow_redirects=False
        )
        assert signed_in.status_code == 303
        capture.page(client, "home", "/")

        # Refused while closed: the draft comes back into the form.
        refused = client.post(f"/w/{code}/items", data={"text": payload}, headers={"HX-Request": "true"})
        capture.pages["refused draft"] = refused.text
        parent: list[int] = []
        for phase in Phase:
            workshops.set_phase(db, owner, code, phase)
            kind = {
                "vision": "vision",
                "milestones": "milestone",
                "needs": "need",
                "measures": "measure",
            }.get(phase.value)
            if kind:
                year = "2035" if kind == "milestone" else ""
                sent = client.post(
                    f"/w/{code}/items",
                    data={"text": payload, "year": year, "links": parent},
                    follow_redirects=False,
                )
                assert sent.status_code == 303, sent.text
                mine = items.add_item(
                    db,
                    owner,
                    code,
                    kind=kind,
                    text=payload[:480] + " (mod)",
                    year=2036 if kind == "milestone" else None,
                )
                parent = [] if kind == "vision" else [mine.id]  # type: ignore[list-item]
            if phase == Phase.rating:
                rated = [i for i in items.standing_of_kind(db, shop, "measure")]
                for item in rated:
                    client.post(
                        f"/w/{code}/items/{item.id}/rating", data={"criterion": "impact", "value": "4"}
                    )
                    client.post(
                        f"/w/{code}/items/{item.id}/rating", data={"criterion": "feasibility", "value": "2"}
                    )
            if phase == Phase.prioritisation:
                first = items.standing_of_kind(db, shop, "measure")[0]
                client.post(f"/w/{code}/items/{first.id}/dots", data={"count": "2"})
                agenda.add_to_agenda(db, owner, code, first.id, owner=payload, note=payload, start_year=2030)  # type: ignore[arg-type]
            capture_phase(client, capture, code, shop.id, phase.value)  # type: ignore[arg-type]

        workshops.set_results_visible(db, owner, code, True)
        capture_phase(client, capture, code, shop.id, "results revealed")  # type: ignore[arg-type]
        some_item = items.standing_of_kind(db, shop, "measure")[0]
        capture.page(client, "edit item", f"/facilitate/{code}/items/{some_item.id}/edit")
        capture.page(client, "delete page", f"/facilitate/{code}/delete")
        capture.page(client, "participants", f"/facilitate/{code}/participants")
        person = participants_of(db, shop.id)[0].participant  # type: ignore[arg-type]
        assert person.name == shown(payload)
        capture.page(client, "delete participant", f"/facilitate/{code}/participants/{person.id}/delete")
        capture.page(client, "set-up page", f"/facilitate/{code}/setup")
        capture.page(client, "report", f"/facilitate/{code}/report")
        saved = templates.save_workshop_as_template(db, owner, code, payload)
        capture.page(client, "templates", f"/templates?saved={saved.key}", full=False)
        assert shown(payload) in BeautifulSoup(capture.pages["templates"], "html.parser").get_text()
        # The template file is data: JSON, downloaded, never sniffed into a page.
        file = client.get(f"/templates/{saved.key}.json")
        assert file.headers["content-type"] == "application/json"
        assert file.headers["content-disposition"].startswith("attachment;")
        assert file.headers["x-content-type-options"] == "nosniff"
        assert shown(payload) in list(_strings(file.json()))

        exports = {
            "json": client.get(f"/api/v1/workshops/{code}/export?format=json&names=true", headers=token)
        }
        exports["xlsx"] = client.get(f"/api/v1/workshops/{code}/export?format=xlsx&names=true", headers=token)
        exports["datapackage"] = client.get(
            f"/api/v1/workshops/{code}/export?format=datapackage", headers=token
        )
        for table in TABLES:
            exports[f"csv {table}"] = client.get(
                f"/api/v1/workshops/{code}/export?format=csv&table={table}&names=true", headers=token
            )
        assert {name: r.status_code for name, r in exports.items()} == {name: 200 for name in exports}
    return capture, {name: r.content for name, r in exports.items()}


def capture_phase(client: TestClient, capture: Capture, code: str, workshop_id: int, phase: str) -> None:
    capture.page(client, f"phone · {phase}", f"/w/{code}")
    capture.page(client, f"phone mine · {phase}", f"/w/{code}/mine", full=False)
    capture.page(client, f"screen · {phase}", f"/w/{code}/screen")
    capture.page(client, f"console · {phase}", f"/facilitate/{code}")
    state = client.app.state  # type: ignore[attr-defined]
    capture.pages[f"screen live · {phase}"] = state.screen_live.render(workshop_id, "en")
    for live in (state.console_live, state.phone_live):
        for message in live.messages(workshop_id, [], "en"):
            capture.pages[f"{live.name} live {message.event} · {phase}"] = message.data


Run = tuple[str, Capture, dict[str, bytes]]


@pytest.fixture(scope="module")
def runs() -> dict[int, Run]:
    """Each payload's workshop is run once, for both tests."""
    return {}


@pytest.fixture(params=range(len(PAYLOADS)), ids=[f"payload{n}" for n in range(len(PAYLOADS))])
def workshop_run(
    request: pytest.FixtureRequest,
    runs: dict[int, Run],
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
) -> Run:
    if request.param not in runs:
        directory = tmp_path_factory.mktemp("xss")
        shutil.copyfile(sqlite_template, directory / "backcast.sqlite3")
        db = Database(make_engine(f"sqlite:///{directory / 'backcast.sqlite3'}"))
        settings = Settings(data_dir=directory, secret_key="test-secret-key-" + "x" * 32, port=8000)
        try:
            payload = PAYLOADS[request.param]
            runs[request.param] = (payload, *run_workshop(db, settings, payload))
        finally:
            db.dispose()
    return runs[request.param]


def test_payloads_are_text_on_every_page(workshop_run: Run) -> None:
    payload, capture, _ = workshop_run

    found = {name: problems_in(html, payload) for name, html in capture.pages.items()}
    missing = [
        name
        for name in capture.full_pages
        if shown(payload) not in BeautifulSoup(capture.pages[name], "html.parser").get_text()
    ]

    assert {name: problems for name, problems in found.items() if problems} == {}
    assert sorted(missing) == []
    # The charts carry the labels as text too, once results are shown.
    screen = BeautifulSoup(capture.pages["screen · results revealed"], "html.parser")
    assert shown(payload) in screen.select_one("svg.quadrant").get_text()


def test_payloads_stay_inert_in_exports(workshop_run: Run) -> None:
    payload, _, exports = workshop_run
    kept = shown(payload)

    texts: list[str] = []
    for name, content in exports.items():
        if name.startswith("csv"):
            cells = [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row]
            assert [c for c in cells if c.startswith(("=", "+", "-", "@")) and not _number(c)] == [], name
            texts.extend(cells)
    book = openpyxl.load_workbook(io.BytesIO(exports["xlsx"]))
    formulas = [
        (sheet.title, cell.coordinate)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith("="))
    ]
    assert formulas == []
    document = json.loads(exports["json"])
    json_strings = list(_strings(document))
    with zipfile.ZipFile(io.BytesIO(exports["datapackage"])) as package:
        packed = "".join(package.read(name).decode("utf-8", "replace") for name in package.namelist())

    assert kept in json_strings  # JSON keeps the text exactly; it is data, not a spreadsheet
    assert any(kept in text or "'" + kept == text for text in texts)
    everything = "".join(texts) + "".join(json_strings) + packed
    assert BIDI_CONTROLS.search(everything) is None


def _number(text: str) -> bool:
    return re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", text) is not None


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield str(key)
            yield from _strings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _strings(inner)
