"""Odd values in every HTML form: a refusal that says what is wrong, never a server error.

Every POST route of the pages is listed below with the phase it is tried in and a sensible value for
each field; the test walks the routers, so a new form route without an entry here fails. Each field
then gets each odd value in turn (the others sensible). Numbers that are not plain ASCII numbers are
refused with a message; no value at all may give a 5xx.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field

import pytest
from bs4 import BeautifulSoup
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlmodel import select

import backcast.web
from backcast.db import Database
from backcast.enums import Phase
from backcast.models import ApiToken, Item, Participant
from backcast.services import accounts, agenda, items, owners, studies, workshops
from tests import factories
from tests.test_console import sign_in

# Unicode digits (which `str.isdigit()` takes and `int()` may not), scientific and hex notation, lone
# and doubled signs, numbers too long to be any id, a NUL, nothing at all, fullwidth digits, XML's
# non-characters, and a number of 5,000 digits (which `int()` refuses to read).
ODD_VALUES = [
    "²",
    "١٢",
    "1e3",
    "-",
    "--1",
    "0x10",
    "9" * 30,
    "\x00",
    "",
    "２０３０",
    "\ufffe",
    "9" * 5000,
]
# Text fields get fewer: what they hold is checked by the text rules, the same for each of them.
ODD_TEXT = ["", "\x00", "\ufffe", "١٢", "9" * 5000]
# A template file holding a huge number, or nested thousands deep.
ODD_FILES = ['{"format": 1, "x": ' + "9" * 5000 + "}", "[" * 100_000 + "]" * 100_000, "\x00", ""]
# Ids in a path: beyond what a database column holds, signed, zero, and digits of other scripts.
ODD_IDS = ["9223372036854775808", "99999999999999999999", "2147483648", "-1", "0", "²", "١"]


@dataclass(frozen=True)
class Form:
    phase: Phase
    fields: dict[str, str]
    numbers: frozenset[str] = field(default_factory=frozenset)


# What each form route gets when a field is not the one being tried. Placeholders in paths and values
# are filled from the room below.
FORMS: dict[str, Form] = {
    "/login": Form(Phase.lobby, {"email": "{email}", "password": "wrong password", "next": "/"}),
    "/logout": Form(Phase.lobby, {}),
    "/setup": Form(
        Phase.lobby,
        {"token": "x", "email": "a@example.org", "password": "p" * 12, "password_again": "p" * 12},
    ),
    "/facilitate/{code}/setup": Form(
        Phase.lobby,
        {
            "title": "Region 2045",
            "question": "What does the region look like?",
            "present_year": "2026",
            "vision_year": "2045",
            "milestone_years": "2030 2035",
            "language": "en",
            "dot_budget": "5",
            "names": "optional",
            "rated_kinds": "measure",
            "consent_text": "",
            "criteria-0-key": "impact",
            "criteria-0-label": "Impact",
            "criteria-0-scale_min": "1",
            "criteria-0-scale_max": "5",
            "criteria-0-weight": "1",
            "criteria-0-direction": "higher",
            "groups-0-key": "science",
            "groups-0-label": "Science",
            "action": "",
        },
        frozenset(
            {
                "present_year",
                "vision_year",
                "milestone_years",
                "dot_budget",
                "criteria-0-scale_min",
                "criteria-0-scale_max",
                "criteria-0-weight",
            }
        ),
    ),
    "/facilitate/{code}/save-template": Form(Phase.lobby, {"name": "My template"}),
    "/facilitate/{code}/phase": Form(Phase.lobby, {"phase": "vision"}),
    "/facilitate/{code}/input": Form(Phase.milestones, {"open": "1"}),
    "/facilitate/{code}/results": Form(Phase.rating, {"visible": "1"}),
    "/facilitate/{code}/timer": Form(
        Phase.vision, {"action": "start", "minutes": "5"}, frozenset({"minutes"})
    ),
    "/facilitate/{code}/items": Form(
        Phase.milestones,
        {"kind": "milestone", "text": "Half of all roofs", "year": "2035"},
        frozenset({"year"}),
    ),
    "/facilitate/{code}/items/{item_id}": Form(
        Phase.measures,
        {"text": "Start an exchange", "hidden": "0", "adopted": "0", "merged_into": "{other_measure}"},
        frozenset({"merged_into"}),
    ),
    "/facilitate/{code}/items/{item_id}/links": Form(
        Phase.measures, {"links": "{need}"}, frozenset({"links"})
    ),
    "/facilitate/{code}/agenda": Form(Phase.results, {"item_id": "{other_measure}"}, frozenset({"item_id"})),
    "/facilitate/{code}/agenda/{entry_id}": Form(
        Phase.results, {"owner": "The council", "start_year": "2027", "note": ""}, frozenset({"start_year"})
    ),
    "/facilitate/{code}/agenda/{entry_id}/remove": Form(Phase.results, {}),
    "/facilitate/{code}/agenda/{entry_id}/move": Form(Phase.results, {"step": "1"}, frozenset({"step"})),
    "/facilitate/{code}/duplicate": Form(Phase.lobby, {}),
    "/facilitate/{code}/delete": Form(Phase.lobby, {"confirm": "nope"}),
    "/facilitate/{code}/participants/{participant_id}/delete": Form(Phase.lobby, {}),
    "/": Form(
        Phase.lobby,
        {
            "title": "Region 2050",
            "template": "",
            "question": "",
            "present_year": "2026",
            "vision_year": "2050",
            "dot_budget": "5",
            "language": "en",
            "names": "optional",
            "consent_text": "",
        },
        frozenset({"present_year", "vision_year", "dot_budget"}),
    ),
    "/language": Form(Phase.lobby, {"language": "de", "next": "/"}),
    "/join": Form(Phase.lobby, {"code": "{code}"}),
    "/j/{code}": Form(Phase.lobby, {"name": "", "group": "", "consent": "yes", "table": ""}),
    "/w/{code}/items": Form(
        Phase.milestones,
        {"text": "Every roof has panels", "year": "2035", "links": "", "client_key": "", "table": ""},
        frozenset({"year", "links", "table"}),
    ),
    "/w/{code}/table": Form(Phase.lobby, {"table": "1"}, frozenset({"table"})),
    "/facilitate/{code}/tables": Form(
        Phase.lobby, {"names": "Harbour\nHill | Logistics", "per": "", "assign": "balanced"}
    ),
    "/facilitate/{code}/tables/seat": Form(
        Phase.lobby,
        {"participant_id": "{participant_id}", "table": "1"},
        frozenset({"participant_id", "table"}),
    ),
    "/facilitate/{code}/tables/end": Form(Phase.lobby, {}),
    "/w/{code}/items/{item_id}/edit": Form(Phase.milestones, {"text": "Every roof has panels"}),
    "/w/{code}/items/{item_id}/withdraw": Form(Phase.milestones, {}),
    "/w/{code}/items/{item_id}/rating": Form(
        Phase.rating, {"criterion": "impact", "value": "3"}, frozenset({"value"})
    ),
    "/w/{code}/items/{item_id}/dots": Form(Phase.prioritisation, {"count": "1"}, frozenset({"count"})),
    "/w/{code}/forget": Form(Phase.lobby, {}),
    "/templates/import": Form(Phase.lobby, {}),
    "/templates/{key}/delete": Form(Phase.lobby, {}),
    "/account/password": Form(
        Phase.lobby, {"current_password": "wrong", "password": "a new one", "password_again": "a new one"}
    ),
    "/account/sign-out-everywhere": Form(Phase.lobby, {}),
    "/account/tokens/{token_id}/revoke": Form(Phase.lobby, {}),
    "/facilitate/{code}/owners": Form(Phase.lobby, {"email": "{colleague}"}),
    "/facilitate/{code}/owners/{facilitator_id}/remove": Form(Phase.lobby, {}),
    "/facilitate/{code}/room": Form(Phase.lobby, {"locked": "true"}),
    "/facilitate/{code}/participants/bursts/remove": Form(
        Phase.lobby, {"minute": "2026-12-03T10:00", "confirm": "yes"}
    ),
    "/w/{code}/group": Form(Phase.lobby, {"group": "sme"}),
    "/studies": Form(Phase.lobby, {"title": "Nordwest", "description": "", "source": "template:generic"}),
    "/studies/{study_id}/edit": Form(Phase.lobby, {"title": "Nordwest", "description": "Drei Regionen"}),
    "/studies/{study_id}/delete": Form(Phase.lobby, {}),
    "/studies/{study_id}/workshops": Form(
        Phase.lobby,
        {
            "title": "Bremen",
            "language": "de",
            "region": "",
            "sector": "",
            "held_on": "2027-03-04",
            "venue": "",
        },
        frozenset({"held_on"}),
    ),
    "/studies/{study_id}/attach": Form(
        Phase.lobby,
        {"code": "{code}", "region": "Bremen", "sector": "", "held_on": "2027-03-04", "venue": ""},
        frozenset({"held_on"}),
    ),
    "/studies/{study_id}/detach": Form(Phase.lobby, {"code": "{code}"}),
    "/studies/{study_id}/members": Form(Phase.lobby, {"email": "{colleague}", "role": "researcher"}),
    "/studies/{study_id}/members/{facilitator_id}/remove": Form(Phase.lobby, {}),
    "/studies/{study_id}/save-template": Form(Phase.lobby, {"name": "Codebook"}),
    "/studies/{study_id}/themes": Form(Phase.lobby, {"label_de": "Hafen", "label_en": "Port"}),
    "/studies/{study_id}/coding/themes": Form(
        Phase.lobby,
        {
            "label_de": "Hafen",
            "label_en": "Port",
            "workshop": "",
            "kind": "",
            "mode": "one",
            "at": "0",
        },
    ),
    "/studies/{study_id}/coding/{study_item_id}": Form(
        Phase.lobby,
        {"theme": "{theme_id}", "workshop": "", "kind": "measure", "mode": "list", "at": "3", "advance": "1"},
        numbers=frozenset({"theme"}),
    ),
    "/studies/{study_id}/settle-agreed": Form(
        Phase.lobby,
        {"coder_a": "{facilitator_id}", "coder_b": "{owner_id}", "show": "all"},
        numbers=frozenset({"coder_a", "coder_b"}),
    ),
    "/studies/{study_id}/settle/{study_item_id}": Form(
        Phase.lobby,
        {"theme": "{theme_id}", "coder_a": "{facilitator_id}", "coder_b": "", "show": "all"},
        numbers=frozenset({"theme"}),
    ),
}


# Routes after which the room is not what the next value should meet, when they succeed.
CHANGES_THE_ROOM = {
    "/logout",
    "/facilitate/{code}/phase",
    "/facilitate/{code}/agenda/{entry_id}/remove",
    "/facilitate/{code}/delete",
    "/facilitate/{code}/participants/{participant_id}/delete",
    "/facilitate/{code}/items/{item_id}",
    "/w/{code}/items/{item_id}/withdraw",
    "/w/{code}/forget",
    "/account/sign-out-everywhere",
    "/facilitate/{code}/participants/bursts/remove",
}


def form_routes() -> list[str]:
    """Every POST route of the pages, found by walking the web package's routers."""
    found = []
    for module in pkgutil.iter_modules(backcast.web.__path__):
        router = getattr(importlib.import_module(f"backcast.web.{module.name}"), "router", None)
        for route in getattr(router, "routes", []):
            if isinstance(route, APIRoute) and "POST" in route.methods:
                found.append(route.path)
    return found


def test_every_form_route_is_tried() -> None:
    assert sorted(form_routes()) == sorted(FORMS)


@dataclass
class Room:
    client: TestClient
    values: dict[str, str]

    def path(self, template: str, **ids: str) -> str:
        return template.format(**{**self.values, **ids})


def room(client: TestClient, db: Database, phase: Phase) -> Room:
    """A workshop in `phase` with its owner signed in and a participant on the same client, who has
    a milestone of their own; a measure is on the agenda."""
    tree = factories.tree(db)
    shop, owner = tree.workshop, tree.owner
    code = shop.code
    joined = client.post(f"/j/{code}", data={"consent": "yes"}, follow_redirects=False)
    assert joined.status_code == 303
    factories.phase(db, shop, Phase.milestones)
    workshops.set_input_open(db, owner, code, True)
    added = client.post(f"/w/{code}/items", data={"text": "Every school has a garden", "year": "2030"})
    assert added.status_code == 200, added.text
    with db.read() as session:
        own = session.exec(
            select(Item).where(Item.workshop_id == shop.id, Item.author_id.is_not(None))  # type: ignore[union-attr]
        ).one()
        participant = session.exec(select(Participant).where(Participant.workshop_id == shop.id)).one()
    assert tree.measures[0].id is not None
    entry = agenda.add_to_agenda(db, owner, code, tree.measures[0].id)
    if phase != Phase.milestones:
        factories.phase(db, shop, phase)
    sign_in(client, owner.email)
    colleague = factories.facilitator(db)
    owners.add_owner(db, owner, code, colleague.email)
    accounts.issue_api_token(db, owner.email)
    # A study of the owner's that holds a workshop (so it stays), for the study forms.
    study = studies.create_study(db, owner, title="Series", themes=[studies.ThemeSpec(label_de="Thema")])
    in_study = studies.create_workshop_in_study(db, owner, study.id, title="In the study")
    # A contribution of the study's workshop and a theme, for the coding forms.
    study_item = items.add_item(db, owner, in_study.code, kind="measure", text="Coded")
    theme = studies.study_view(db, owner, study.id).themes[0]
    with db.read() as session:
        token = session.exec(select(ApiToken).where(ApiToken.facilitator_id == owner.id)).one()
    values = {
        "code": code,
        "email": owner.email,
        "item_id": str(own.id if phase == Phase.milestones else tree.measures[0].id),
        "other_measure": str(tree.measures[1].id),
        "need": str(tree.need.id),
        "entry_id": str(entry.id),
        "participant_id": str(participant.id),
        "key": "nothing-here",
        "colleague": colleague.email,
        "facilitator_id": str(colleague.id),
        "owner_id": str(owner.id),
        "token_id": str(token.id),
        "study_id": str(study.id),
        "study_item_id": str(study_item.id),
        "theme_id": str(theme.id),
    }
    return Room(client, values)


def message(response: Response) -> str:
    alert = BeautifulSoup(response.text, "html.parser").select_one("[role=alert]")
    return alert.get_text(strip=True) if alert else ""


# As a browser sends a form: errors come back as a page.
BROWSER = {"Accept": "text/html,application/xhtml+xml"}


def post(room_: Room, template: str, data: dict[str, str], **ids: str) -> Response:
    path = room_.path(template, **ids)
    if template == "/templates/import":
        upload = {"file": ("template.json", data.get("file", "{}").encode())}
        return room_.client.post(path, files=upload, headers=BROWSER, follow_redirects=False)
    return room_.client.post(path, data=data, headers=BROWSER, follow_redirects=False)


@pytest.mark.parametrize("template", sorted(FORMS))
def test_odd_values_are_refused_with_a_message_never_a_server_error(
    template: str, sqlite_client: TestClient, sqlite_db: Database
) -> None:
    form = FORMS[template]
    names = list(form.fields) or (["file"] if template == "/templates/import" else [])
    client = sqlite_client
    room_ = None
    for name in names:
        odd_values = ODD_VALUES if name in form.numbers else ODD_FILES if name == "file" else ODD_TEXT
        for odd in odd_values:
            # A value that is taken may change what the next one meets: then a fresh room.
            if room_ is None:
                client.cookies.clear()
                room_ = room(client, sqlite_db, form.phase)
            data = {key: room_.path(value) for key, value in form.fields.items()}
            data[name] = odd
            response = post(room_, template, data)
            if response.status_code < 400 and template in CHANGES_THE_ROOM:
                room_ = None
            tried = f"{template} {name}={odd[:40]!r}"
            assert response.status_code < 500, tried
            if name in form.numbers and odd.strip():
                assert 400 <= response.status_code < 500, tried
                assert message(response), tried


ID_ROUTES = sorted(template for template in FORMS if "_id}" in template)


@pytest.mark.parametrize("template", ID_ROUTES)
def test_ids_no_row_can_have_are_not_found_never_a_server_error(
    template: str, sqlite_client: TestClient, sqlite_db: Database
) -> None:
    form = FORMS[template]
    room_ = room(sqlite_client, sqlite_db, form.phase)
    data = {key: room_.path(value) for key, value in form.fields.items()}
    for odd in ODD_IDS:
        ids = {
            name: odd
            for name in ("item_id", "entry_id", "participant_id", "facilitator_id", "token_id", "study_id")
        }
        response = post(room_, template, data, **ids)
        assert 400 <= response.status_code < 500, f"{template} with {odd}"
        assert message(response), f"{template} with {odd}"


def test_the_api_finds_no_participant_with_an_id_beyond_any_column(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    owner = factories.facilitator(sqlite_db)
    shop = factories.workshop(sqlite_db, owner)
    headers = {"Authorization": f"Bearer {accounts.issue_api_token(sqlite_db, owner.email)}"}
    for odd in ("9223372036854775808", "2147483648", "0", "-1"):
        response = sqlite_client.delete(f"/api/v1/workshops/{shop.code}/participants/{odd}", headers=headers)
        assert response.status_code == 404, odd
        assert response.json()["code"] == "not-found"
