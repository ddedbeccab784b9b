"""Every page in German and in English, the language switcher, and numbers and dates per language."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextvars import Token
from datetime import date

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlmodel import select

from backcast import i18n, workshop_templates
from backcast.db import Database
from backcast.models import Criterion, StakeholderGroup, Workshop
from backcast.network import join_url, public_base_url
from backcast.paths import ROOT
from backcast.services import accounts
from backcast.services.accounts import setup_token
from backcast.settings import Settings
from backcast.web.locale import LANGUAGE_COOKIE
from backcast.web.templating import format_date, format_decimal, format_number, format_percent
from tests import factories

GERMAN_BROWSER = "de-DE,de;q=0.9,en;q=0.8"
ENGLISH_BROWSER = "en-GB,en;q=0.9,de;q=0.5"
EMAIL = "ana@example.org"
TITLE = "Weser-Ems 2045"
# Text that is no UI string: the product's name, a path shown as a link, the switcher's own labels
# (each language names itself), file formats' names, and what people typed.
NOT_UI_TEXT = ["backcast", "/join", "DE", "EN", "Deutsch", "English", "XLSX", "CSV", "JSON", EMAIL, TITLE]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
LETTER = re.compile(r"[^\W\d_]")


def catalogue(language: str) -> Catalog:
    with (ROOT / "backcast" / "locale" / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle)


def pieces(text: str) -> set[str]:
    """The fixed parts of a message, around its placeholders, as they appear on a page."""
    return {part.strip() for part in PLACEHOLDER.split(text) if LETTER.search(part)}


def ui_text() -> dict[str, set[str]]:
    """Each language's UI text, from the catalogues: English is the msgids, German the msgstrs."""
    english: set[str] = set()
    german: set[str] = set()
    for message in catalogue("de"):
        if not message.id:
            continue
        for text in message.id if isinstance(message.id, tuple) else (message.id,):
            english |= pieces(text)
        for text in message.string if isinstance(message.string, tuple) else (message.string,):
            german |= pieces(text)
    return {"en": english, "de": german}


UI_TEXT = ui_text()


def visible_text(html: str) -> str:
    """What a person sees or hears: the title, the body's text (not code samples), and the
    attributes that browsers show or read out."""
    page = BeautifulSoup(html, "html.parser")
    # Code samples and the titles of works cited are in no page's language.
    for hidden in page(["script", "style", "code", "cite"]):
        hidden.decompose()
    # Text marked as another language on purpose, as the report's headings in both languages.
    assert page.html is not None
    for other in page.select(f"body [lang]:not([lang='{page.html.get('lang')}'])"):
        other.decompose()
    assert page.title is not None and page.body is not None
    lines = [page.title.get_text(strip=True), *page.body.stripped_strings]
    for attribute in ("title", "aria-label", "placeholder", "alt"):
        lines += [str(element[attribute]) for element in page.select(f"[{attribute}]")]
    return "\n".join(lines)


def as_words(piece: str) -> re.Pattern[str]:
    # Whole words only: the German "und" is no part of "Not Found". A piece that begins or ends
    # with punctuation (": our goal…" after a year) needs no boundary on that side.
    before = r"(?<!\w)" if piece[:1].isalnum() else ""
    after = r"(?!\w)" if piece[-1:].isalnum() else ""
    return re.compile(rf"{before}{re.escape(piece)}{after}")


def other_language_left(text: str, language: str) -> list[str]:
    """UI text of the other language on this page, unless both languages write it the same."""
    other = "en" if language == "de" else "de"
    return sorted(piece for piece in UI_TEXT[other] - UI_TEXT[language] if as_words(piece).search(text))


def unaccounted(text: str, language: str, extra: list[str]) -> list[str]:
    """Words on the page that are neither this language's UI text nor data: strings nobody marked
    for translation end up here."""
    for known in sorted(UI_TEXT[language] | {*NOT_UI_TEXT, *extra}, key=len, reverse=True):
        text = as_words(known).sub("\n", text)
    return [line.strip() for line in text.splitlines() if LETTER.search(line)]


def every_page(
    client: TestClient, db: Database, settings: Settings, language: str = "en"
) -> Iterator[tuple[str, Response]]:
    """Each page that exists, in the state a person meets it."""
    token = setup_token(settings)
    yield "sign-in, before set-up", client.get("/login")
    yield "set-up", client.get(f"/setup?token={token}")
    yield (
        "set-up, passwords differ",
        client.post(
            "/setup",
            data={"token": token, "email": EMAIL, "password": "long password 1", "password_again": "other"},
        ),
    )
    yield "set-up, forged link", client.get("/setup?token=forged")
    yield "no such page", client.get("/no-such-page", headers={"Accept": "text/html"})
    owner = factories.facilitator(db, EMAIL)
    yield "set-up, done", client.get(f"/setup?token={token}")
    yield "sign-in, wrong password", client.post("/login", data={"email": EMAIL, "password": "wrong one!"})
    client.post("/login", data={"email": EMAIL, "password": factories.PASSWORD})
    yield "home, no workshops", client.get("/")
    shop = factories.workshop(db, owner, title=TITLE, language=language)
    yield "home, a workshop", client.get("/")
    yield "console, lobby", client.get(f"/facilitate/{shop.code}")
    yield "console, delete", client.get(f"/facilitate/{shop.code}/delete")
    yield "console, set-up", client.get(f"/facilitate/{shop.code}/setup")
    yield "console, set-up refused", client.post(f"/facilitate/{shop.code}/setup", data={"action": "save"})
    yield "templates", client.get("/templates")
    yield "screen, lobby", client.get(f"/w/{shop.code}/screen")
    yield "join, type the code", client.get("/join")
    yield "join, wrong code", client.post("/join", data={"code": "ZZZZZZ"})
    yield "join, this workshop", client.get(f"/j/{shop.code}")
    yield "phone, lobby", client.post(f"/j/{shop.code}", data={"group": "sme"})
    for phase in ("vision", "milestones", "rating", "prioritisation", "results"):
        factories.phase(db, shop, phase)
        yield f"phone, {phase}", client.get(f"/w/{shop.code}")
        yield f"screen, {phase}", client.get(f"/w/{shop.code}/screen")
        yield f"console, {phase}", client.get(f"/facilitate/{shop.code}")
    yield "report, results", client.get(f"/facilitate/{shop.code}/report")


def workshop_data(db: Database, settings: Settings) -> list[str]:
    """What the workshop itself says on its pages: its code, addresses, its groups and criteria."""
    with db.read() as session:
        found: list[str] = []
        for shop in session.exec(select(Workshop)):
            short = public_base_url(settings).split("://", 1)[-1] + "/join"
            found += [
                join_url(settings, shop.code),
                short,
                shop.code,
                str(shop.vision_year),
                str(shop.present_year),
            ]
            found += [text for texts in shop.prompts.values() for text in texts.values()]
        found += [group.label for group in session.exec(select(StakeholderGroup))]
        for criterion in session.exec(select(Criterion)):
            found += [criterion.key, criterion.label, criterion.low_label, criterion.high_label]
    # The built-in templates' own texts, which the template list shows in the page's language.
    for template in workshop_templates.built_ins():
        found += [*template.name.values(), *template.description.values()]
        for criterion in template.criteria:
            found += criterion.label.values()
    return [text for text in found if text]


@pytest.mark.parametrize(("language", "accept_language"), [("de", GERMAN_BROWSER), ("en", ENGLISH_BROWSER)])
def test_every_page_speaks_one_language(
    sqlite_client: TestClient, sqlite_db: Database, settings: Settings, language: str, accept_language: str
) -> None:
    sqlite_client.headers["Accept-Language"] = accept_language
    for name, response in every_page(sqlite_client, sqlite_db, settings, language):
        page = BeautifulSoup(response.text, "html.parser")
        text = visible_text(response.text)
        dates = [cell.get_text() for cell in page.select("td.created, dd.created")]

        assert page.html is not None and page.html["lang"] == language, name
        assert other_language_left(text, language) == [], name
        assert unaccounted(text, language, dates + workshop_data(sqlite_db, settings)) == [], name


def test_home_writes_phase_and_date_in_the_page_language(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    owner = factories.facilitator(sqlite_db, EMAIL)
    factories.workshop(sqlite_db, owner, title=TITLE)
    sqlite_client.post("/login", data={"email": EMAIL, "password": factories.PASSWORD})

    def row(accept_language: str) -> list[str]:
        page = BeautifulSoup(
            sqlite_client.get("/", headers={"Accept-Language": accept_language}).text, "html.parser"
        )
        return [cell.get_text() for cell in page.select("tbody td")]

    german, english = row(GERMAN_BROWSER), row(ENGLISH_BROWSER)
    assert german[2:3] == ["Ankommen"] and english[2:3] == ["Lobby"]
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4}", german[3]), german
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}", english[3]), english


def heading(response: Response) -> str:
    found = BeautifulSoup(response.text, "html.parser").select_one("h1")
    return found.get_text(strip=True) if found else ""


def test_a_german_browser_gets_the_sign_in_page_in_german(sqlite_client: TestClient) -> None:
    response = sqlite_client.get("/login", headers={"Accept-Language": GERMAN_BROWSER})
    page = BeautifulSoup(response.text, "html.parser")

    assert page.html is not None and page.html["lang"] == "de"
    assert heading(response) == "Anmelden"
    assert [label.get_text(" ", strip=True) for label in page.select("form.stack label")] == [
        "E-Mail-Adresse",
        "Passwort",
    ]


def test_a_browser_asking_for_neither_language_gets_english(sqlite_client: TestClient) -> None:
    response = sqlite_client.get("/login", headers={"Accept-Language": "fr-FR,fr;q=0.9"})

    assert heading(response) == "Sign in"


def test_the_chosen_language_beats_the_browsers(sqlite_client: TestClient) -> None:
    sqlite_client.headers["Accept-Language"] = GERMAN_BROWSER
    chosen = sqlite_client.post(
        "/language", data={"language": "en", "next": "/login?next=%2F"}, follow_redirects=False
    )

    assert (chosen.status_code, chosen.headers["location"]) == (303, "/login?next=%2F")
    cookie = chosen.headers["set-cookie"].lower()
    assert cookie.startswith(f"{LANGUAGE_COOKIE}=en;") and "httponly" in cookie and "samesite=lax" in cookie
    assert heading(sqlite_client.get("/login")) == "Sign in"


def switch(client: TestClient, response: Response, language_name: str) -> Response:
    """Press a button of the switcher as a browser without JavaScript does: send its form."""
    form = BeautifulSoup(response.text, "html.parser").select_one("form[action='/language']")
    assert form is not None
    button = form.select_one(f"button[title='{language_name}']")
    assert button is not None
    data = {str(field["name"]): str(field["value"]) for field in form.select("input[type=hidden]")}
    data[str(button["name"])] = str(button["value"])
    return client.request(str(form.get("method", "get")), str(form["action"]), data=data)


def test_the_switcher_changes_the_language_and_stays_on_the_page(sqlite_client: TestClient) -> None:
    sqlite_client.headers["Accept-Language"] = GERMAN_BROWSER
    german = sqlite_client.get("/login?next=%2F")

    english = switch(sqlite_client, german, "English")
    assert (english.url.path, english.url.query, heading(english)) == ("/login", b"next=%2F", "Sign in")

    again = switch(sqlite_client, english, "Deutsch")
    assert (again.url.path, heading(again)) == ("/login", "Anmelden")
    page = BeautifulSoup(again.text, "html.parser")
    assert [button["value"] for button in page.select("form[action='/language'] [aria-current=true]")] == [
        "de"
    ]


def test_switching_after_a_failed_set_up_keeps_the_set_up_link(
    sqlite_client: TestClient, settings: Settings
) -> None:
    token = setup_token(settings)
    failed = sqlite_client.post(
        "/setup",
        data={"token": token, "email": EMAIL, "password": "long password 1", "password_again": "other"},
        headers={"Referer": f"http://testserver/setup?token={token}"},
    )

    switched = switch(sqlite_client, failed, "Deutsch")

    assert (switched.status_code, heading(switched)) == (200, "Willkommen bei backcast")


def test_the_switcher_never_sends_anyone_off_site(sqlite_client: TestClient) -> None:
    for target in ("https://evil.example", "//evil.example", "/\\evil.example"):
        response = sqlite_client.post(
            "/language", data={"language": "de", "next": target}, follow_redirects=False
        )
        assert response.headers["location"] == "/"
    elsewhere = sqlite_client.post(
        "/setup", data={"token": "forged"}, headers={"Referer": "https://evil.example/phish"}
    )
    form = BeautifulSoup(elsewhere.text, "html.parser").select_one("form[action='/language'] [name=next]")
    assert form is not None and form["value"] == "/setup"


def test_an_unknown_language_is_refused_and_changes_nothing(sqlite_client: TestClient) -> None:
    response = sqlite_client.post(
        "/language",
        data={"language": "fr", "next": "/login"},
        headers={"Accept-Language": GERMAN_BROWSER},
        follow_redirects=False,
    )

    assert response.status_code == 422 and "set-cookie" not in response.headers
    assert response.json()["detail"] == "Erlaubt sind: de, en."


def test_api_problem_details_speak_the_callers_language(client: TestClient, db: Database) -> None:
    facilitator = factories.facilitator(db)
    headers = {"Authorization": f"Bearer {accounts.issue_api_token(db, facilitator.email)}"}
    body = {"title": " ", "present_year": 2026, "vision_year": 2045, "language": "de"}

    german = client.post(
        "/api/v1/workshops", json=body, headers={**headers, "Accept-Language": GERMAN_BROWSER}
    )
    english = client.post("/api/v1/workshops", json=body, headers={**headers, "Accept-Language": "en"})

    assert (german.status_code, german.json()["field"], german.json()["detail"]) == (
        422,
        "title",
        "Dieses Feld darf nicht leer sein.",
    )
    assert english.json()["detail"] == "This cannot be empty."


def test_invalid_requests_count_their_problems_in_the_callers_language(sqlite_client: TestClient) -> None:
    response = sqlite_client.post(
        "/api/v1/join", content=b"not json", headers={"Accept-Language": GERMAN_BROWSER}
    )

    assert response.status_code == 422
    assert re.fullmatch(r"Die Anfrage ist ungültig: \d+ Fehler\.", response.json()["detail"])


@pytest.mark.parametrize(
    ("choice", "accept_language", "workshop_language", "expected"),
    [
        ("en", GERMAN_BROWSER, "de", "en"),  # the person's own choice wins
        (None, GERMAN_BROWSER, "en", "de"),  # then what their browser asks for
        (None, "fr-FR,fr;q=0.9", "de", "de"),  # then the workshop's language
        (None, "fr-FR,fr;q=0.9", None, "en"),  # then English
        ("xx", None, None, "en"),  # a language we do not have is no choice
        (None, "en;q=0.2,de;q=0.8", None, "de"),  # weights count, not order
    ],
)
def test_the_language_is_chosen_in_one_documented_order(
    choice: str | None, accept_language: str | None, workshop_language: str | None, expected: str
) -> None:
    assert i18n.choose_language(choice, accept_language, workshop_language) == expected


@pytest.fixture
def speaking() -> Iterator[Callable[[str], None]]:
    """Sets the current language as the middleware does for a request, and restores it afterwards."""
    tokens: list[Token[str]] = []
    yield lambda language: tokens.append(i18n.current_language.set(language)) and None
    for token in reversed(tokens):
        i18n.current_language.reset(token)


def test_numbers_and_dates_follow_the_language(speaking: Callable[[str], None]) -> None:
    formatted = {}
    for language in ("de", "en"):
        speaking(language)
        formatted[language] = [
            format_number(1.5),
            format_number(1234567.25),
            format_decimal(3, 1),
            format_decimal(2.345, 2),
            format_percent(0.42),
            format_percent(0.125, 1),
            format_date(date(2026, 11, 25)),
            format_date(date(2026, 11, 25), "long"),
        ]

    assert formatted["de"] == [
        "1,5",
        "1.234.567,25",
        "3,0",
        "2,34",
        "42\xa0%",
        "12,5\xa0%",
        "25.11.2026",
        "25. November 2026",
    ]
    assert formatted["en"] == [
        "1.5",
        "1,234,567.25",
        "3.0",
        "2.34",
        "42%",
        "12.5%",
        "25 Nov 2026",
        "25 November 2026",
    ]


def test_templates_format_numbers_with_the_page_language(
    speaking: Callable[[str], None], sqlite_client: TestClient
) -> None:
    templates = sqlite_client.app.state.templates  # type: ignore[attr-defined]
    source = "{{ 1.5|number }} {{ 0.375|decimal(2) }} {{ 0.42|percent }} {{ day|date }}"
    rendered = {}
    for language in ("de", "en"):
        speaking(language)
        rendered[language] = templates.env.from_string(source).render(day=date(2026, 3, 5))

    assert rendered == {"de": "1,5 0,38 42\xa0% 05.03.2026", "en": "1.5 0.38 42% 5 Mar 2026"}


def test_the_room_s_pages_follow_the_workshop_and_the_switcher_and_phones_the_browser(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    """As docs/i18n.md says: the browser's language counts on phones, not on the screen or console."""
    shop = factories.workshop(sqlite_db, language="de")
    sqlite_client.post(
        "/login",
        data={"email": factories.owner_of(sqlite_db, shop).email, "password": factories.PASSWORD},
    )
    sqlite_client.headers["Accept-Language"] = "en-GB,en;q=0.9"

    def language(path: str) -> str:
        return BeautifulSoup(sqlite_client.get(path).text, "html.parser").html["lang"]

    room_pages = [f"/w/{shop.code}/screen", f"/facilitate/{shop.code}", f"/facilitate/{shop.code}/report"]
    assert [language(path) for path in room_pages] == ["de", "de", "de"]
    assert language(f"/j/{shop.code}") == "en"
    sqlite_client.cookies.set("backcast_lang", "en")
    assert [language(path) for path in room_pages] == ["en", "en", "en"]
