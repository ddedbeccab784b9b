"""The phone's pages as a participant reads them: labels, their own contributions, their group."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import select

from backcast.db import Database
from backcast.defaults import CriterionSpec, GroupSpec
from backcast.enums import Phase
from backcast.models import EventRecord, Participant, StakeholderGroup
from backcast.services import accounts, items, participants, ratings, workshops
from tests import factories

GERMAN_BROWSER = "de-DE,de;q=0.9,en;q=0.8"


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def text(page: BeautifulSoup, selector: str) -> str:
    found = page.select_one(selector)
    assert found is not None, selector
    return found.get_text(" ", strip=True)


# --- labels in the reader's language ----------------------------------------------------------


def test_a_german_phone_in_an_english_workshop_reads_the_built_in_labels_in_german(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    tree = factories.tree(sqlite_db, language="en")
    code = tree.workshop.code
    sqlite_client.headers["accept-language"] = GERMAN_BROWSER

    join = soup(sqlite_client.get(f"/j/{code}").text)
    assert [option.get_text() for option in join.select("#group option")][1:3] == [
        "Kleines oder mittleres Unternehmen",
        "Großunternehmen",
    ]

    sqlite_client.post(f"/j/{code}", data={"group": "sme"})
    factories.phase(sqlite_db, tree.workshop, Phase.rating)
    card = soup(sqlite_client.get(f"/w/{code}").text).select_one(f"#item-{tree.measures[0].id}")
    assert card is not None
    assert [legend.get_text() for legend in card.select("legend")] == [
        "Wirkung",
        "Umsetzbarkeit",
        "Dringlichkeit",
    ]
    assert text(card, ".ends") == "sehr gering sehr hoch"

    # The answer to a tap is in German too.
    rated = soup(
        sqlite_client.post(
            f"/w/{code}/items/{tree.measures[0].id}/rating",
            data={"criterion": "impact", "value": "4"},
            headers={"hx-request": "true"},
        ).text
    )
    assert text(rated, "legend") == "Wirkung"

    for _ in range(2):
        other, _token = factories.join(sqlite_db, tree.workshop)
        ratings.rate_item(sqlite_db, other, tree.measures[0].id, {"impact": 2})
    factories.phase(sqlite_db, tree.workshop, Phase.results)
    workshops.set_results_visible(sqlite_db, tree.owner, code, True)
    page = soup(sqlite_client.get(f"/w/{code}").text)
    assert [th.get_text() for th in page.select(".phone-results li")[0].select("tbody th")] == [
        "Wirkung",
        "Umsetzbarkeit",
        "Dringlichkeit",
    ]


def test_labels_the_facilitator_typed_stay_as_typed_in_every_language(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    owner = factories.facilitator(sqlite_db)
    shop = factories.workshop(
        sqlite_db,
        owner,
        language="en",
        criteria=[CriterionSpec("impact", "Effect on the region", "none", "huge")],
        groups=[GroupSpec("sme", "Small firms of the Ems valley")],
    )
    items.add_item(sqlite_db, owner, shop.code, kind="measure", text="Start a materials exchange")
    sqlite_client.headers["accept-language"] = GERMAN_BROWSER
    join = soup(sqlite_client.get(f"/j/{shop.code}").text)
    assert [option.get_text() for option in join.select("#group option")][1:] == [
        "Small firms of the Ems valley"
    ]
    sqlite_client.post(f"/j/{shop.code}", data={})
    factories.phase(sqlite_db, shop, Phase.rating)
    page = soup(sqlite_client.get(f"/w/{shop.code}").text)
    assert [legend.get_text() for legend in page.select(".rating-card legend")] == ["Effect on the region"]
    assert text(page, ".rating-card .ends") == "none huge"


# --- the stakeholder group ----------------------------------------------------------------------


def own_group(db: Database, participant_id: int) -> str | None:
    with db.read() as session:
        person = session.get(Participant, participant_id)
        assert person is not None
        group = session.get(StakeholderGroup, person.group_id) if person.group_id else None
        return group.key if group else None


def test_the_join_form_says_the_group_is_optional(sqlite_client: TestClient, sqlite_db: Database) -> None:
    shop = factories.workshop(sqlite_db)
    page = soup(sqlite_client.get(f"/j/{shop.code}").text)
    assert text(page, "label[for=group]") == "I am here for (optional)"
    assert text(page, "#group-help") == "You can choose or change it later, until your first rating."


def test_a_participant_chooses_and_changes_their_group_until_their_first_rating(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    tree = factories.tree(sqlite_db)
    code = tree.workshop.code
    sqlite_client.post(f"/j/{code}", data={})
    page = soup(sqlite_client.get(f"/w/{code}").text)
    assert text(page, "#group summary") == "Your group: none · Change"

    chosen = sqlite_client.post(f"/w/{code}/group", data={"group": "sme"}, headers={"hx-request": "true"})
    assert chosen.status_code == 200
    assert text(soup(chosen.text), "#group summary") == "Your group: Small or medium-sized firm · Change"
    changed = sqlite_client.post(f"/w/{code}/group", data={"group": "research"}, follow_redirects=False)
    assert (changed.status_code, changed.headers["location"]) == (303, f"/w/{code}")
    page = soup(sqlite_client.get(f"/w/{code}").text)
    assert text(page, "#group summary") == "Your group: Research or education · Change"
    assert page.select_one("#own-group option[selected]")["value"] == "research"  # type: ignore[index]
    with sqlite_db.read() as session:
        logged = [
            (row.type, row.data["group"])
            for row in session.exec(select(EventRecord).where(EventRecord.workshop_id == tree.workshop.id))
            if row.type == "participant-group-set"
        ]
    assert logged == [("participant-group-set", "sme"), ("participant-group-set", "research")]

    factories.phase(sqlite_db, tree.workshop, Phase.rating)
    sqlite_client.post(
        f"/w/{code}/items/{tree.measures[0].id}/rating", data={"criterion": "impact", "value": "4"}
    )
    before = factories.event_count(sqlite_db, tree.workshop)
    refused = sqlite_client.post(f"/w/{code}/group", data={"group": "sme"}, headers={"hx-request": "true"})
    assert refused.status_code == 409
    assert text(soup(refused.text), "#group .error") == (
        "Your group can no longer change: your answers already count for it."
    )
    assert factories.event_count(sqlite_db, tree.workshop) == before
    page = soup(sqlite_client.get(f"/w/{code}").text)
    assert page.select("#group form") == []
    assert text(page, "#group") == "Your group: Research or education"


def test_an_unknown_group_is_refused_and_changes_nothing(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    shop = factories.workshop(sqlite_db)
    sqlite_client.post(f"/j/{shop.code}", data={"group": "sme"})
    refused = sqlite_client.post(f"/w/{shop.code}/group", data={"group": "astronauts"})
    assert refused.status_code == 409
    assert text(soup(refused.text), "#own-group-error") == "Choose one of the workshop's groups."
    with sqlite_db.read() as session:
        (person,) = session.exec(select(Participant.id).where(Participant.workshop_id == shop.id)).all()
    assert own_group(sqlite_db, person) == "sme"


def test_the_api_sets_a_participants_own_group_until_they_vote(client: TestClient, db: Database) -> None:
    tree = factories.tree(db)
    joined = client.post("/api/v1/join", json={"code": tree.workshop.code}).json()
    auth = {"Authorization": f"Bearer {joined['token']}"}

    chosen = client.put("/api/v1/participants/me/group", json={"group": "civil_society"}, headers=auth)
    assert (chosen.status_code, chosen.json()) == (
        200,
        {"participant_id": joined["participant_id"], "group": "civil_society"},
    )
    assert own_group(db, joined["participant_id"]) == "civil_society"
    cleared = client.put("/api/v1/participants/me/group", json={"group": None}, headers=auth)
    assert cleared.json()["group"] is None and own_group(db, joined["participant_id"]) is None

    factories.phase(db, tree.workshop, Phase.prioritisation)
    assert (
        client.put(f"/api/v1/items/{tree.measures[0].id}/dots", json={"count": 1}, headers=auth).status_code
        == 200
    )
    refused = client.put("/api/v1/participants/me/group", json={"group": "civil_society"}, headers=auth)
    assert (refused.status_code, refused.json()["code"]) == (409, "conflict")
    assert own_group(db, joined["participant_id"]) is None
    owner = {"Authorization": f"Bearer {accounts.issue_api_token(db, tree.owner.email)}"}
    assert (
        client.put(
            "/api/v1/participants/me/group", json={"group": "civil_society"}, headers=owner
        ).status_code
        == 403
    )


def test_deleting_my_data_erases_my_group_changes_from_the_log(db: Database) -> None:
    shop = factories.workshop(db)
    person, _token = factories.join(db, shop)
    participants.set_own_group(db, person, "sme")
    participants.delete_own_data(db, person)
    with db.read() as session:
        types = [
            row.type for row in session.exec(select(EventRecord).where(EventRecord.workshop_id == shop.id))
        ]
    assert "participant-group-set" not in types and types.count("entry-erased") == 2


# --- results and leaving ------------------------------------------------------------------------


def test_the_phones_results_compare_my_answers_with_the_whole_room(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    tree = factories.tree(sqlite_db)
    sqlite_client.post(f"/j/{tree.workshop.code}", data={})
    factories.phase(sqlite_db, tree.workshop, Phase.results)
    workshops.set_results_visible(sqlite_db, tree.owner, tree.workshop.code, True)
    page = soup(sqlite_client.get(f"/w/{tree.workshop.code}").text)
    assert [th.get_text(strip=True) for th in page.select(".phone-results li")[0].select("thead th")] == [
        "Criterion",
        "You",
        "Whole room",
    ]


def test_deleting_my_data_says_the_phone_may_join_again_as_someone_new_and_it_can(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    shop = factories.workshop(sqlite_db)
    sqlite_client.post(f"/j/{shop.code}", data={"group": "sme"})
    confirm = soup(sqlite_client.get(f"/w/{shop.code}/forget").text)
    said = " ".join(p.get_text(" ", strip=True) for p in confirm.select("main p"))
    assert "no longer take part" not in said
    assert "should you join the workshop again, you take part as someone new" in said

    done = soup(sqlite_client.post(f"/w/{shop.code}/forget").text)
    again = done.select_one(f"main a[href='/j/{shop.code}']")
    assert again is not None and again.get_text() == "Join again"
    form = soup(sqlite_client.get(f"/j/{shop.code}").text)
    assert form.select_one(f"form[action='/j/{shop.code}']") is not None
    assert sqlite_client.post(f"/j/{shop.code}", data={}, follow_redirects=False).status_code == 303
    with sqlite_db.read() as session:
        groups = session.exec(select(Participant.group_id).where(Participant.workshop_id == shop.id)).all()
    assert groups == [None]  # someone new: nothing of the deleted participant comes back


# --- my contributions ---------------------------------------------------------------------------


def test_my_contribution_hidden_by_the_facilitator_says_so_in_my_list(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    shop = factories.workshop(sqlite_db)
    owner = factories.owner_of(sqlite_db, shop)
    factories.phase(sqlite_db, shop, Phase.measures)
    sqlite_client.post(f"/j/{shop.code}", data={})
    for text_ in ("Start a repair café", "Share the cargo bikes"):
        sqlite_client.post(f"/w/{shop.code}/items", data={"text": text_})
    (hidden,) = [item for item in items.standing_of_kind(sqlite_db, shop, "measure") if "repair" in item.text]
    items.moderate_item(sqlite_db, owner, hidden.id, hidden=True)  # type: ignore[arg-type]

    mine = soup(sqlite_client.get(f"/w/{shop.code}/mine").text).select(".mine > li")
    assert [li.get_text(" ", strip=True).split(" Change")[0] for li in mine] == [
        "Start a repair café The facilitator has hidden this contribution: the room no longer sees it.",
        "Share the cargo bikes",
    ]
    assert mine[0].select("form") == []  # nothing to change on what the room no longer sees
    items.moderate_item(sqlite_db, owner, hidden.id, hidden=False)  # type: ignore[arg-type]
    mine = soup(sqlite_client.get(f"/w/{shop.code}/mine").text).select(".mine > li")
    assert mine[0].select(".notice") == [] and len(mine[0].select("form")) == 2


def test_the_author_changes_a_milestones_year_within_the_workshops_years(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    shop = factories.workshop(sqlite_db)
    factories.phase(sqlite_db, shop, Phase.milestones)
    sqlite_client.post(f"/j/{shop.code}", data={})
    sqlite_client.post(
        f"/w/{shop.code}/items", data={"text": "Half of all firms share materials", "year": "2035"}
    )
    (milestone,) = items.standing_of_kind(sqlite_db, shop, "milestone")
    form = soup(sqlite_client.get(f"/w/{shop.code}").text).select_one(
        f"form[action$='/items/{milestone.id}/edit']"
    )
    assert form is not None
    year = form.select_one("input[name=year]")
    assert year is not None and (year["value"], year["min"], year["max"]) == ("2035", "2027", "2045")

    changed = sqlite_client.post(
        f"/w/{shop.code}/items/{milestone.id}/edit",
        data={"text": "Half of all firms share materials", "year": "2040"},
        headers={"hx-request": "true"},
    )
    assert text(soup(changed.text), ".mine li p") == "2040 Half of all firms share materials"
    assert [(i.year, i.text) for i in items.standing_of_kind(sqlite_db, shop, "milestone")] == [
        (2040, "Half of all firms share materials")
    ]

    refused = sqlite_client.post(
        f"/w/{shop.code}/items/{milestone.id}/edit",
        data={"text": "Half of all firms share materials", "year": "2060"},
        headers={"hx-request": "true"},
    )
    assert refused.status_code == 409
    assert text(soup(refused.text), "#personal .error") == "This must be between 2027 and 2045."
    assert [i.year for i in items.standing_of_kind(sqlite_db, shop, "milestone")] == [2040]


# --- rating many measures -----------------------------------------------------------------------


def test_unrated_measures_come_first_and_rated_ones_fold(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    tree = factories.tree(sqlite_db)
    code = tree.workshop.code
    sqlite_client.post(f"/j/{code}", data={})
    factories.phase(sqlite_db, tree.workshop, Phase.rating)
    first, second = tree.measures
    for criterion in ("impact", "feasibility", "urgency"):
        sqlite_client.post(f"/w/{code}/items/{first.id}/rating", data={"criterion": criterion, "value": "3"})
    late = items.add_item(
        sqlite_db, tree.owner, code, kind="measure", text="A repair bonus", links=[tree.need.id]
    )

    page = soup(sqlite_client.get(f"/w/{code}").text)
    cards = page.select(".rating-card")
    assert [(card.name, card["id"]) for card in cards] == [
        ("article", f"item-{second.id}"),
        ("article", f"item-{late.id}"),
        ("details", f"item-{first.id}"),
    ]
    assert text(cards[2], "summary") == "Start a materials exchange rated"
    assert cards[2].get("open") is None
    assert text(page, "#progress") == "1 of 3 rated Next unrated"
    assert page.select_one("#progress a")["href"] == f"#item-{second.id}"  # type: ignore[index]


@pytest.mark.parametrize("odd", ["\x00", "٢٠٣٥", "-1", "1e3", "2035.5", "𝟐𝟎𝟑𝟓", " ", "x" * 10])
def test_odd_groups_and_years_are_refused_without_a_fault(
    sqlite_client: TestClient, sqlite_db: Database, odd: str
) -> None:
    shop = factories.workshop(sqlite_db)
    factories.phase(sqlite_db, shop, Phase.milestones)
    sqlite_client.post(f"/j/{shop.code}", data={})
    sqlite_client.post(f"/w/{shop.code}/items", data={"text": "Repair is normal", "year": "2035"})
    (milestone,) = items.standing_of_kind(sqlite_db, shop, "milestone")
    group = sqlite_client.post(f"/w/{shop.code}/group", data={"group": odd}, headers={"hx-request": "true"})
    year = sqlite_client.post(
        f"/w/{shop.code}/items/{milestone.id}/edit", data={"text": "Repair is normal", "year": odd}
    )
    # A group the workshop does not have, or a milestone left without its year, conflicts with the
    # workshop (409); what is no group or year at all is 422.
    assert group.status_code in {200, 409, 422} and year.status_code in {200, 303, 409, 422}
