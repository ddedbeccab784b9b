"""Consent to research use is asked, never the price of taking part: someone who declines joins,
contributes and rates like everyone, counts in the room's results, and is left out of the
research exports, which say how many they leave out."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import openpyxl
import pandas as pd
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import select

from backcast.db import Database
from backcast.enums import Phase
from backcast.i18n import translate
from backcast.models import EventRecord, Participant
from backcast.models.limits import CONSENT_MAX, PRIVACY_MAX
from backcast.services import accounts, configuration
from backcast.workshop_templates import model_text
from tests import factories
from tests.test_setup_page import form_data, open_setup

CONSENT = "Your contributions and ratings are used for research, under a pseudonym."


def _join(client: TestClient, code: str, consent: bool | None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code}
    if consent is not None:
        body["consent"] = consent
    response = client.post("/api/v1/join", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _export(client: TestClient, headers: dict[str, str], code: str, **params: Any) -> bytes:
    response = client.get(f"/api/v1/workshops/{code}/export", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.content


def test_the_phone_joins_without_ticking_consent(client: TestClient, db: Database) -> None:
    shop = factories.workshop(db, consent_text=CONSENT)
    form = BeautifulSoup(client.get(f"/j/{shop.code}").text, "html.parser")
    box = form.select_one("input[name=consent]")
    assert box is not None and not box.has_attr("required") and not box.has_attr("checked")
    hint = form.find(id=box["aria-describedby"])
    assert hint is not None and hint.get_text(strip=True).startswith("Optional: you can take part")

    joined = client.post(f"/j/{shop.code}", data={"name": "Ben"}, follow_redirects=False)

    assert (joined.status_code, joined.headers["location"]) == (303, f"/w/{shop.code}")
    assert client.get(f"/w/{shop.code}").status_code == 200
    with db.read() as session:
        ben = session.exec(select(Participant).where(Participant.workshop_id == shop.id)).one()
        logged = session.exec(
            select(EventRecord).where(
                EventRecord.workshop_id == shop.id, EventRecord.type == "participant-joined"
            )
        ).one()
    # Asked and declined: the text shown is kept, the agreement is not.
    assert (ben.consent_version, ben.consent_text, ben.consented_at) == (1, CONSENT, None)
    assert logged.data["consented"] is False


def test_the_api_joins_with_or_without_consent(client: TestClient, db: Database) -> None:
    shop = factories.workshop(db, consent_text=CONSENT)

    assert _join(client, shop.code, None)["consented"] is False
    assert _join(client, shop.code, False)["consented"] is False
    assert _join(client, shop.code, True)["consented"] is True
    without_text = factories.workshop(db)
    assert _join(client, without_text.code, True)["consented"] is False  # nothing was asked


def test_the_room_counts_everyone_and_the_exports_only_those_who_consented(
    client: TestClient, db: Database
) -> None:
    owner = factories.facilitator(db)
    shop = factories.workshop(db, owner, consent_text=CONSENT, names="optional", dot_budget=2)
    facilitator = {"Authorization": f"Bearer {accounts.issue_api_token(db, owner.email)}"}
    people = [_join(client, shop.code, consent) for consent in (True, False, True, False)]
    agreed, declined = [people[0], people[2]], [people[1], people[3]]

    factories.phase(db, shop, Phase.measures)
    measures = []
    for person, text in ((agreed[0], "Start a materials exchange"), (declined[0], "Repair café network")):
        added = client.post(
            f"/api/v1/workshops/{shop.code}/items",
            json={"kind": "measure", "text": text},
            headers=_bearer(person["token"]),
        )
        assert added.status_code == 201, added.text
        measures.append(added.json()["id"])
    factories.phase(db, shop, Phase.rating)
    for index, person in enumerate(people):
        for measure in measures:
            values = {"impact": 1 + index, "feasibility": 3, "urgency": None}
            rated = client.put(
                f"/api/v1/items/{measure}/ratings", json=values, headers=_bearer(person["token"])
            )
            assert rated.status_code == 200, rated.text
    factories.phase(db, shop, Phase.prioritisation)
    for person in people:
        dotted = client.put(
            f"/api/v1/items/{measures[0]}/dots", json={"count": 1}, headers=_bearer(person["token"])
        )
        assert dotted.status_code == 200, dotted.text

    room = client.get(f"/api/v1/workshops/{shop.code}/results", headers=facilitator).json()
    in_room = next(item for item in room["items"] if item["item_id"] == measures[0])
    assert (room["participants"], in_room["raters"], in_room["dots"]) == (4, 4, 4)
    assert in_room["criteria"]["impact"]["mean"] == 2.5  # 1, 2, 3, 4

    document = json.loads(_export(client, facilitator, shop.code, format="json"))
    pseudonyms = {row["participant"] for row in document["participants"]}
    assert len(pseudonyms) == 2 and document["participants_left_out"] == 2
    assert {row["participant"] for row in document["ratings"]} == pseudonyms
    assert len(document["ratings"]) == 2 * 2 * 3  # two people, two measures, three criteria
    assert {row["participant"] for row in document["dots"]} == pseudonyms
    authors = {row["text"]: row["author"] for row in document["items"]}
    # The declined author's measure stays, as the room's work, without an author.
    assert authors["Start a materials exchange"] in pseudonyms
    assert authors["Repair café network"] is None
    exported = next(item for item in document["results"]["items"] if item["item_id"] == measures[0])
    assert (exported["raters"], exported["dots"]) == (2, 2)
    assert exported["criteria"]["impact"]["mean"] == 2.0  # 1 and 3

    ratings = pd.read_csv(io.BytesIO(_export(client, facilitator, shop.code, format="csv", table="ratings")))
    assert set(ratings["participant"]) == pseudonyms

    with zipfile.ZipFile(
        io.BytesIO(_export(client, facilitator, shop.code, format="datapackage"))
    ) as package:
        manifest = json.loads(package.read("datapackage.json"))
        participants = pd.read_csv(package.open("data/participants.csv"))
    assert manifest["provenance"]["participants_left_out"] == 2
    assert set(participants["participant"]) == pseudonyms

    book = openpyxl.load_workbook(io.BytesIO(_export(client, facilitator, shop.code, format="xlsx")))
    about = {row[1]: row[3] for row in book["README"].iter_rows(values_only=True) if row[0] == "about"}
    assert about["participants_left_out"] == 2
    assert book["participants"].max_row == 1 + 2


def test_those_who_declined_stay_out_when_the_consent_text_is_removed_later(
    client: TestClient, db: Database
) -> None:
    owner = factories.facilitator(db)
    shop = factories.workshop(db, owner, consent_text=CONSENT)
    facilitator = {"Authorization": f"Bearer {accounts.issue_api_token(db, owner.email)}"}
    _join(client, shop.code, True)
    _join(client, shop.code, False)
    current = configuration.current_setup(db, owner, shop.code)
    configuration.configure_workshop(db, owner, shop.code, current.replace(consent_text=""))
    _join(client, shop.code, None)  # joins when nothing is asked any more

    document = json.loads(_export(client, facilitator, shop.code, format="json"))

    assert (len(document["participants"]), document["participants_left_out"]) == (2, 1)


def test_those_who_joined_before_a_consent_text_was_set_are_left_out(
    client: TestClient, db: Database
) -> None:
    owner = factories.facilitator(db)
    shop = factories.workshop(db, owner)
    facilitator = {"Authorization": f"Bearer {accounts.issue_api_token(db, owner.email)}"}
    _join(client, shop.code, None)  # never asked
    current = configuration.current_setup(db, owner, shop.code)
    configuration.configure_workshop(db, owner, shop.code, current.replace(consent_text=CONSENT))
    _join(client, shop.code, True)

    document = json.loads(_export(client, facilitator, shop.code, format="json"))

    assert (len(document["participants"]), document["participants_left_out"]) == (1, 1)
    assert document["participants"][0]["consent_version"] == 1


# --- model texts and the data-protection notice ----------------------------------------------------


def test_the_set_up_page_fills_in_the_model_texts_unsaved_and_participants_read_the_notice(
    client: TestClient, db: Database
) -> None:
    tree, page = open_setup(client, db)
    code = tree.workshop.code

    filled = client.post(f"/facilitate/{code}/setup", data={**form_data(page), "action": "model-de"})

    filled_page = BeautifulSoup(filled.text, "html.parser")
    consent = filled_page.select_one("#consent_text").get_text()
    privacy = filled_page.select_one("#privacy_text").get_text()
    assert consent.startswith("Einwilligung in die Nutzung für die Forschung (freiwillig)")
    assert privacy.startswith("Datenschutzhinweis (Art. 13 DSGVO)")
    assert filled_page.select_one("[role=status]").get_text() == (
        "Not saved yet: save the set-up to keep these changes."
    )
    assert configuration.current_setup(db, tree.owner, code).privacy_text == ""

    saved = client.post(f"/facilitate/{code}/setup", data={**form_data(filled_page), "action": "save"})
    assert saved.url.query == b"saved=1"
    setup = configuration.current_setup(db, tree.owner, code)
    assert (setup.consent_text, setup.privacy_text) == (consent, privacy)

    client.cookies.clear()
    join_page = BeautifulSoup(client.get(f"/j/{code}").text, "html.parser")
    notice = join_page.select_one("details.privacy")
    assert notice.select_one("summary").get_text() == "Data-protection notice"
    assert notice.select_one("p").get_text() == privacy


def test_the_model_texts_name_what_article_13_asks_for_and_the_phone_s_own_button() -> None:
    for language, delete, basis, complaint in (
        ("de", "„Meine Daten löschen“", "Art. 6 Abs. 1 lit. a DSGVO", "Aufsichtsbehörde"),
        ("en", '"Delete my data"', "Art. 6(1)(a) GDPR", "supervisory authority"),
    ):
        assert delete == ("„%s“" if language == "de" else '"%s"') % translate("Delete my data", language)
        consent = model_text("consent", language)
        privacy = model_text("privacy", language)
        assert delete in consent and delete in privacy
        assert basis in privacy and complaint in privacy
        # Taking part without consent is said in the consent text itself.
        assert ("ohne sie teilnehmen" if language == "de" else "take part without it") in consent
        assert len(consent) <= CONSENT_MAX and len(privacy) <= PRIVACY_MAX


def test_the_api_sets_and_shows_the_notice(client: TestClient, db: Database) -> None:
    owner = factories.facilitator(db)
    headers = {"Authorization": f"Bearer {accounts.issue_api_token(db, owner.email)}"}
    created = client.post(
        "/api/v1/workshops", json={"title": "Nordwest", "privacy_text": "Wer: wir."}, headers=headers
    )
    assert created.status_code == 201, created.text
    code = created.json()["code"]
    assert created.json()["privacy_text"] == "Wer: wir."

    changed = client.patch(f"/api/v1/workshops/{code}", json={"privacy_text": "x" * 10_001}, headers=headers)
    assert changed.status_code == 422 and changed.json()["field"] == "privacy_text"
    changed = client.patch(f"/api/v1/workshops/{code}", json={"privacy_text": ""}, headers=headers)
    assert changed.json()["privacy_text"] == ""
