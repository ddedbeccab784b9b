"""Rating rounds (Delphi): ratings per round, opening rounds, results per round, closing dates and
the consensus rule fixed before round 1's ratings."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import col, select

from backcast.db import Database
from backcast.enums import Phase
from backcast.models import EventRecord, Rating
from backcast.services import configuration, ratings, reasons, rounds, workshops
from backcast.services.errors import Conflict, Invalid, NotFound, PhaseClosed
from tests import factories
from tests.test_api import api_token, assert_problem
from tests.test_console import sign_in


def _rated_tree(db: Database, people: int = 1) -> tuple[factories.Tree, list[Any]]:
    tree = factories.tree(db)
    factories.phase(db, tree.workshop, Phase.rating)
    joined = [factories.join(db, tree.workshop)[0] for _ in range(people)]
    return tree, joined


def _rows(db: Database, item_id: int | None) -> list[tuple[int, int | None]]:
    with db.read() as session:
        found = session.exec(
            select(Rating).where(Rating.item_id == item_id).order_by(col(Rating.round), col(Rating.id))
        ).all()
        return [(row.round, row.value) for row in found]


def test_ratings_go_to_the_current_round_and_earlier_rounds_stay(db: Database) -> None:
    tree, (ana,) = _rated_tree(db)
    measure = tree.measures[0].id
    assert measure is not None
    ratings.rate_item(db, ana, measure, {"impact": 2})

    opened = rounds.open_round(db, tree.owner, tree.workshop.code)
    ratings.rate_item(db, ana, measure, {"impact": 5})
    ratings.rate_item(db, ana, measure, {"impact": 4})

    assert opened.current_round == 2
    assert _rows(db, measure) == [(1, 2), (2, 4)]
    with db.read() as session:
        rated = session.exec(select(EventRecord).where(EventRecord.type == "item-rated")).all()
    assert [(event.data["values"], event.data["round"]) for event in rated] == [
        ({"impact": 2}, 1),
        ({"impact": 5}, 2),
        ({"impact": 4}, 2),
    ]


def test_a_round_opens_only_in_the_rating_phase_and_once_someone_rated(db: Database) -> None:
    tree, (ana,) = _rated_tree(db)
    with pytest.raises(Conflict, match="Nobody has rated round"):
        rounds.open_round(db, tree.owner, tree.workshop.code)
    assert ana.id is not None and tree.measures[0].id is not None
    ratings.rate_item(db, ana, tree.measures[0].id, {"impact": None})  # "can't judge" is an answer
    factories.phase(db, tree.workshop, Phase.prioritisation)
    with pytest.raises(Conflict, match="only in the rating phase"):
        rounds.open_round(db, tree.owner, tree.workshop.code)

    factories.phase(db, tree.workshop, Phase.rating)
    assert rounds.open_round(db, tree.owner, tree.workshop.code).current_round == 2
    # A round just opened has no ratings, so no third one yet.
    with pytest.raises(Conflict, match="round 2"):
        rounds.open_round(db, tree.owner, tree.workshop.code)


def test_going_back_a_phase_and_forward_keeps_the_rounds(db: Database) -> None:
    tree, (ana,) = _rated_tree(db)
    measure = tree.measures[0].id
    assert measure is not None
    ratings.rate_item(db, ana, measure, {"impact": 2})
    rounds.open_round(db, tree.owner, tree.workshop.code)
    ratings.rate_item(db, ana, measure, {"impact": 3})

    factories.phase(db, tree.workshop, Phase.measures)
    factories.phase(db, tree.workshop, Phase.rating)

    assert workshops.workshop_by_code(db, tree.workshop.code).current_round == 2
    assert _rows(db, measure) == [(1, 2), (2, 3)]
    ratings.rate_item(db, ana, measure, {"impact": 1})
    assert _rows(db, measure) == [(1, 2), (2, 1)]


def test_after_its_closing_date_a_round_takes_no_ratings(db: Database) -> None:
    tree, (ana,) = _rated_tree(db)
    measure = tree.measures[0].id
    assert measure is not None
    ratings.rate_item(db, ana, measure, {"impact": 2})
    later = datetime.now(UTC) + timedelta(days=7)
    opened = rounds.open_round(db, tree.owner, tree.workshop.code, later)
    assert opened.round_closes_at == later
    ratings.rate_item(db, ana, measure, {"impact": 3})

    rounds.close_round(db, tree.owner, tree.workshop.code)
    with pytest.raises(PhaseClosed, match="Round 2 is closed"):
        ratings.rate_item(db, ana, measure, {"impact": 5})
    assert _rows(db, measure) == [(1, 2), (2, 3)]

    rounds.set_round_closing(db, tree.owner, tree.workshop.code, None)
    ratings.rate_item(db, ana, measure, {"impact": 5})
    assert _rows(db, measure) == [(1, 2), (2, 5)]
    with pytest.raises(Conflict, match="already passed"):
        rounds.open_round(db, tree.owner, tree.workshop.code, datetime.now(UTC) - timedelta(hours=1))
    with db.read() as session:
        types = [event.type for event in session.exec(select(EventRecord).order_by(col(EventRecord.seq)))]
    assert types.count("round-opened") == 1 and types.count("round-closing-set") == 2


def test_200_concurrent_ratings_of_one_card_leave_one_value_per_round(db: Database) -> None:
    tree, (ana,) = _rated_tree(db)
    measure = tree.measures[0].id
    assert measure is not None
    ratings.rate_item(db, ana, measure, {"impact": 2})
    rounds.open_round(db, tree.owner, tree.workshop.code)

    with ThreadPoolExecutor(max_workers=50) as pool:
        list(pool.map(lambda n: ratings.rate_item(db, ana, measure, {"impact": 1 + n % 5}), range(200)))

    rows = _rows(db, measure)
    assert [round_ for round_, _ in rows] == [1, 2]
    assert rows[0] == (1, 2)


def test_results_are_of_the_latest_round_unless_one_is_asked_for(db: Database, client: TestClient) -> None:
    tree, people = _rated_tree(db, people=3)
    measure = tree.measures[0].id
    assert measure is not None
    for person, value in zip(people, (1, 3, 5), strict=True):
        ratings.rate_item(db, person, measure, {"impact": value})
    headers = {"Authorization": f"Bearer {_token(db, tree)}"}
    base = f"/api/v1/workshops/{tree.workshop.code}"

    opened = client.post(f"{base}/rounds", json={}, headers=headers)
    assert opened.status_code == 201, opened.text
    assert opened.json() == {"round": 2, "closes_at": None}
    for person in people:
        ratings.rate_item(db, person, measure, {"impact": 3})

    def iqr(query: str) -> tuple[int, float]:
        body = client.get(f"{base}/results{query}", headers=headers).json()
        figures = next(item for item in body["items"] if item["item_id"] == measure)
        return body["round"], figures["criteria"]["impact"]["iqr"]

    rule = client.get(f"{base}/results", headers=headers).json()["consensus_rule"]
    assert rule == {"rule": "iqr", "iqr_share": 0.25, "top_k": 2, "threshold": 0.75, "planned_rounds": 1}
    assert iqr("") == (2, 0.0)
    assert iqr("?round=2") == (2, 0.0)
    assert iqr("?round=1") == (1, 2.0)
    missing = assert_problem(client.get(f"{base}/results?round=3", headers=headers), 404, "not-found")
    assert missing["field"] == "round" and "round 2" in missing["detail"]
    assert client.get(f"{base}/results?round=0", headers=headers).status_code == 422
    assert client.get(f"{base}/results?round=one", headers=headers).status_code == 422


def _token(db: Database, tree: factories.Tree) -> str:
    from backcast.services import accounts

    return accounts.issue_api_token(db, tree.owner.email)


def test_the_api_refuses_a_round_outside_the_rating_phase_or_before_anyone_rated(
    db: Database, client: TestClient
) -> None:
    tree, (ana,) = _rated_tree(db)
    headers = {"Authorization": f"Bearer {_token(db, tree)}"}
    url = f"/api/v1/workshops/{tree.workshop.code}/rounds"

    nobody = assert_problem(client.post(url, json={}, headers=headers), 409, "conflict")
    assert "Nobody has rated round 1" in nobody["detail"]
    assert tree.measures[0].id is not None
    ratings.rate_item(db, ana, tree.measures[0].id, {"impact": 4})
    factories.phase(db, tree.workshop, Phase.results)
    assert (
        "rating phase"
        in assert_problem(client.post(url, json={}, headers=headers), 409, "conflict")["detail"]
    )
    assert client.post(url, json={"closes_at": "tomorrow"}, headers=headers).status_code == 422
    assert client.post(url, json={}, headers=api_token(db)).status_code == 403
    assert workshops.workshop_by_code(db, tree.workshop.code).current_round == 1

    factories.phase(db, tree.workshop, Phase.rating)
    closing = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    assert client.post(url, json={"closes_at": closing}, headers=headers).json()["round"] == 2
    closed = client.put(f"{url}/current/closes_at", json={"closes_at": None}, headers=headers)
    assert closed.json() == {"round": 2, "closes_at": None}


def test_the_consensus_rule_is_fixed_once_round_1_has_ratings(db: Database) -> None:
    tree, (ana,) = _rated_tree(db)
    code = tree.workshop.code
    current = configuration.current_setup(db, tree.owner, code)
    assert (current.consensus_rule, current.consensus_iqr_share, current.planned_rounds) == ("iqr", 0.25, 1)
    configuration.configure_workshop(
        db,
        tree.owner,
        code,
        current.replace(
            consensus_rule="agreement", consensus_top_k=2, consensus_threshold=0.75, planned_rounds=2
        ),
    )
    assert tree.measures[0].id is not None
    ratings.rate_item(db, ana, tree.measures[0].id, {"impact": 4})

    rated = configuration.current_setup(db, tree.owner, code)
    with pytest.raises(Conflict, match="consensus rule is fixed") as refused:
        configuration.configure_workshop(db, tree.owner, code, rated.replace(consensus_threshold=0.6))
    assert refused.value.field == "consensus_threshold"
    # The plan may still grow: a third round is a plan, not a rule.
    configuration.configure_workshop(db, tree.owner, code, rated.replace(planned_rounds=3))
    shop = workshops.workshop_by_code(db, code)
    assert (shop.consensus_rule, shop.consensus_threshold, shop.planned_rounds) == ("agreement", 0.75, 3)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("consensus_rule", "majority"),
        ("consensus_iqr_share", 1.5),
        ("consensus_threshold", 0),
        ("consensus_top_k", 0),
        ("planned_rounds", 21),
        ("reason_mode", "sometimes"),
    ],
)
def test_a_consensus_rule_out_of_bounds_is_refused_naming_the_field(
    db: Database, client: TestClient, field: str, value: object
) -> None:
    tree, _ = _rated_tree(db)
    headers = {"Authorization": f"Bearer {_token(db, tree)}"}
    response = client.patch(f"/api/v1/workshops/{tree.workshop.code}", json={field: value}, headers=headers)
    assert response.status_code == 422
    assert workshops.workshop_by_code(db, tree.workshop.code).consensus_rule == "iqr"


def test_round_numbers_that_do_not_exist_are_named(db: Database) -> None:
    tree, _ = _rated_tree(db)
    shop = workshops.workshop_by_code(db, tree.workshop.code)
    assert rounds.require_round(shop, 1) == 1
    with pytest.raises(NotFound, match="There is no round"):
        rounds.require_round(shop, 2)


def test_the_console_opens_and_closes_rounds_and_shows_who_answered(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    db, client = sqlite_db, sqlite_client
    tree = factories.tree(db)
    factories.phase(db, tree.workshop, Phase.rating)
    ana = factories.join(db, tree.workshop, name="Ana")[0]
    factories.join(db, tree.workshop, name="Ben")
    code = tree.workshop.code
    sign_in(client, tree.owner.email)

    refused = client.post(f"/facilitate/{code}/rounds", data={"hours": ""})
    assert refused.status_code == 422 and "Nobody has rated round 1" in refused.text  # the console shows it
    assert tree.measures[0].id is not None
    ratings.rate_item(db, ana, tree.measures[0].id, {"impact": 4})
    page = BeautifulSoup(client.get(f"/facilitate/{code}").text, "html.parser")
    assert "1 of 2 people answered" in page.select_one(".round-progress").text
    assert "Ana" in page.select_one(".round-names").text and "Ben" not in page.select_one(".round-names").text

    assert (
        client.post(f"/facilitate/{code}/rounds", data={"hours": "48"}, follow_redirects=False).status_code
        == 303
    )
    page = BeautifulSoup(client.get(f"/facilitate/{code}").text, "html.parser")
    assert "Rating round 2" in page.select_one(".round-state").text
    assert "open until" in page.select_one(".round-state").text
    assert "0 of 2 people answered" in page.select_one(".round-progress").text

    client.post(f"/facilitate/{code}/rounds/closing", data={"action": "close"})
    assert ratings.round_closed(workshops.workshop_by_code(db, code))
    bad = client.post(f"/facilitate/{code}/rounds/closing", data={"action": "extend", "hours": "0"})
    assert bad.status_code == 422


def test_the_report_states_the_consensus_rule_and_the_rounds(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    db, client = sqlite_db, sqlite_client
    tree, (ana,) = _rated_tree(db)
    code = tree.workshop.code
    setup = configuration.current_setup(db, tree.owner, code)
    configuration.configure_workshop(
        db,
        tree.owner,
        code,
        setup.replace(
            consensus_rule="agreement", consensus_threshold=0.8, consensus_top_k=2, planned_rounds=3
        ),
    )
    assert tree.measures[0].id is not None
    ratings.rate_item(db, ana, tree.measures[0].id, {"impact": 4})
    rounds.open_round(db, tree.owner, code)
    sign_in(client, tree.owner.email)

    methods = BeautifulSoup(client.get(f"/facilitate/{code}/report").text, "html.parser").select_one(
        ".methods"
    )
    assert methods is not None
    text = " ".join(methods.text.split())
    assert "at least 80 percent of the answers in the top or the bottom 2 categories" in text
    assert "the figures are those of round 2; 3 were planned" in text


def test_a_round_2_card_shows_my_previous_answer_beside_the_room_s_median_and_iqr(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    db, client = sqlite_db, sqlite_client
    tree = factories.tree(db)
    code = tree.workshop.code
    client.post(f"/j/{code}", data={})
    others = [factories.join(db, tree.workshop)[0] for _ in range(3)]
    factories.phase(db, tree.workshop, Phase.rating)
    measure = tree.measures[0].id
    assert measure is not None
    client.post(f"/w/{code}/items/{measure}/rating", data={"criterion": "impact", "value": "5"})
    client.post(f"/w/{code}/items/{measure}/rating", data={"criterion": "feasibility", "value": "none"})
    for person, value in zip(others, (1, 2, 3), strict=True):
        ratings.rate_item(db, person, measure, {"impact": value})

    page = BeautifulSoup(client.get(f"/w/{code}").text, "html.parser")
    assert page.select(".feedback") == []  # round 1 has nothing to compare with
    rounds.open_round(db, tree.owner, code)
    page = BeautifulSoup(client.get(f"/w/{code}").text, "html.parser")

    card = page.select_one(f"#item-{measure}")
    assert card is not None and card.name == "article"  # nothing rated in round 2 yet: unfolded
    impact, feasibility = card.select("form.criterion")[:2]
    assert impact.select_one(".feedback").get_text(" ", strip=True) == (
        "You, round 1 5 Room median 2.5 · IQR 1.75–3.5"
    )
    previous = impact.select("button.previous")
    assert [button["value"] for button in previous] == ["5"]
    assert "tap to keep it" in previous[0]["aria-label"]
    assert all(button["aria-pressed"] == "false" for button in impact.select(".scale button"))
    assert feasibility.select_one(".fb-mine dd").text == "can't judge"
    assert "previous" in feasibility.select_one(".cant-judge")["class"]
    assert "Rating round 2" in page.select_one("#round-closing").text

    # One tap keeps it: stored for round 2, round 1 left as it was.
    client.post(f"/w/{code}/items/{measure}/rating", data={"criterion": "impact", "value": "5"})
    assert _rows(db, measure)[:1] == [(1, 5)] and (2, 5) in _rows(db, measure)
    impact = BeautifulSoup(client.get(f"/w/{code}").text, "html.parser").select_one(
        f"#item-{measure} form.criterion"
    )
    assert impact.select("button.previous") == []
    assert impact.select_one('button[value="5"]')["aria-pressed"] == "true"


def _two_rounds(db: Database, **setup: Any) -> tuple[factories.Tree, list[Any], int]:
    """Four people rated a measure 1, 2, 2, 3 in round 1 (IQR 1.75–2.25); round 2 is open."""
    tree, people = _rated_tree(db, people=4)
    if setup:
        current = configuration.current_setup(db, tree.owner, tree.workshop.code)
        configuration.configure_workshop(db, tree.owner, tree.workshop.code, current.replace(**setup))
    measure = tree.measures[0].id
    assert measure is not None
    for person, value in zip(people, (1, 2, 2, 3), strict=True):
        ratings.rate_item(db, person, measure, {"impact": value})
    rounds.open_round(db, tree.owner, tree.workshop.code)
    return tree, people, measure


def test_an_answer_outside_the_previous_iqr_takes_a_reason_and_one_inside_needs_none(db: Database) -> None:
    _, (low, mid, _, _), measure = _two_rounds(db)
    ratings.rate_item(db, low, measure, {"impact": 1})
    ratings.rate_item(db, mid, measure, {"impact": 2})

    with pytest.raises(Conflict, match="needs no reason"):
        reasons.give_reason(db, mid, measure, "impact", "Because")
    kept = reasons.give_reason(db, low, measure, "impact", "  Costs are far too high for SMEs  ")
    assert kept is not None and (kept.round, kept.text) == (2, "Costs are far too high for SMEs")
    with pytest.raises(Invalid, match="too long"):
        reasons.give_reason(db, low, measure, "impact", "x" * 501)
    # Optional: an empty reason takes it back.
    assert reasons.give_reason(db, low, measure, "impact", "") is None
    with db.read() as session:
        types = [e.type for e in session.exec(select(EventRecord).where(EventRecord.type == "reason-stated"))]
    assert types == ["reason-stated", "reason-stated"]


def test_a_required_reason_cannot_be_empty_and_changed_answers_ask_when_so_set(db: Database) -> None:
    _, (low, mid, _, high), measure = _two_rounds(db, reason_mode="required", reason_trigger="changed")
    ratings.rate_item(db, low, measure, {"impact": 1})  # kept, though outside the IQR
    ratings.rate_item(db, high, measure, {"impact": 2})  # changed, inside the IQR
    with pytest.raises(Conflict, match="needs no reason"):
        reasons.give_reason(db, low, measure, "impact", "Still")
    with pytest.raises(Invalid, match="asks for a reason"):
        reasons.give_reason(db, high, measure, "impact", "   ")
    with pytest.raises(Conflict, match="Rate this first"):
        reasons.give_reason(db, mid, measure, "impact", "Why not")
    assert reasons.give_reason(db, high, measure, "impact", "Heard the others") is not None


def test_the_phone_asks_for_a_reason_and_the_next_round_shows_it_under_the_feedback(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    db, client = sqlite_db, sqlite_client
    tree = factories.tree(db)
    code = tree.workshop.code
    client.post(f"/j/{code}", data={})
    others = [factories.join(db, tree.workshop)[0] for _ in range(3)]
    factories.phase(db, tree.workshop, Phase.rating)
    measure = tree.measures[0].id
    assert measure is not None
    client.post(f"/w/{code}/items/{measure}/rating", data={"criterion": "impact", "value": "2"})
    for person, value in zip(others, (1, 2, 3), strict=True):
        ratings.rate_item(db, person, measure, {"impact": value})
    rounds.open_round(db, tree.owner, code)

    client.post(f"/w/{code}/items/{measure}/rating", data={"criterion": "impact", "value": "5"})
    impact = BeautifulSoup(client.get(f"/w/{code}").text, "html.parser").select_one(
        f"#item-{measure} form.criterion"
    )
    assert "outside the room's middle half" in impact.select_one(".reason-ask label").text
    saved = client.post(
        f"/w/{code}/items/{measure}/reason",
        data={"criterion": "impact", "reason": "Repair firms already do this"},
        headers={"HX-Request": "true"},
    )
    assert "Reason saved." in saved.text
    for person in others:
        ratings.rate_item(db, person, measure, {"impact": 3})
    rounds.open_round(db, tree.owner, code)

    page = BeautifulSoup(client.get(f"/w/{code}").text, "html.parser")
    said = page.select_one(f"#item-{measure} .fb-reasons")
    assert said is not None and "Repair firms already do this" in said.text


def test_the_facilitator_hides_and_edits_a_reason_and_the_phones_follow(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    db, client = sqlite_db, sqlite_client
    tree, (low, *others), measure = _two_rounds(db)
    ratings.rate_item(db, low, measure, {"impact": 1})
    reason = reasons.give_reason(db, low, measure, "impact", "Too dear for small firms")
    assert reason is not None
    code = tree.workshop.code
    sign_in(client, tree.owner.email)

    listed = BeautifulSoup(client.get(f"/facilitate/{code}").text, "html.parser").select_one(
        f"#reason-{reason.id}"
    )
    assert listed is not None and "Too dear for small firms" in listed.text
    client.post(f"/facilitate/{code}/reasons/{reason.id}", data={"text": "Too costly for small firms"})
    client.post(
        f"/facilitate/{code}/reasons/{reason.id}", data={"hidden": "1", "text": "Too costly for small firms"}
    )
    with db.read() as session:
        from backcast.models import Reason

        stored = session.get(Reason, reason.id)
        assert stored is not None and (stored.text, stored.hidden) == ("Too costly for small firms", True)
        actions = [
            e.data["action"]
            for e in session.exec(select(EventRecord).where(EventRecord.type == "reason-moderated"))
        ]
    assert actions == ["edit", "hide"]
    missing = client.post(f"/facilitate/{code}/reasons/999999", data={"hidden": "1"})
    assert missing.status_code == 422 and "There is no such reason." in missing.text  # the console says it

    for person in (low, *others):
        ratings.rate_item(db, person, measure, {"impact": 2})
    rounds.open_round(db, tree.owner, code)
    from backcast.queries.phone import phone_view

    card = next(card for card in phone_view(db, low).cards if card.item.id == measure)
    assert all(not feedback.reasons for feedback in card.feedback.values())  # hidden: on no phone


def test_the_screen_shows_the_rooms_reasons_per_measure_without_names(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    db, client = sqlite_db, sqlite_client
    tree, (low, mid, *_), measure = _two_rounds(db)
    ratings.rate_item(db, low, measure, {"impact": 1})
    shown = reasons.give_reason(db, low, measure, "impact", "Too dear for small firms")
    ratings.rate_item(db, mid, measure, {"impact": 5})
    hidden = reasons.give_reason(db, mid, measure, "impact", "Something rude")
    assert shown is not None and hidden is not None
    reasons.moderate_reason(db, tree.owner, tree.workshop.code, hidden.id, hidden=True)

    page = BeautifulSoup(client.get(f"/w/{tree.workshop.code}/screen").text, "html.parser")
    section = page.select_one(".screen-reasons")
    assert section is not None
    assert "Reasons from round 2" in section.text and "Start a materials exchange" in section.text
    assert [li.text for li in section.select(".reason-texts li")] == ["Too dear for small firms"]
