"""The rules for input: each bad input gets its clear error and changes nothing, on both stores."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import select

from backcast.db import Database
from backcast.enums import Phase
from backcast.models import AccountEvent, EventRecord, Item, Link, Participant, Rating, metadata
from backcast.services import accounts, items, participants, ratings, workshops
from backcast.services.errors import (
    Conflict,
    Invalid,
    NotAllowed,
    NotFound,
    OverBudget,
    PhaseClosed,
    ServiceError,
)
from tests import factories


def snapshot(db: Database) -> dict[str, int]:
    with db.read() as session:
        return {
            table.name: session.exec(select(func.count()).select_from(table)).one()
            for table in metadata.sorted_tables
        }


def refuses(
    db: Database, error: type[ServiceError], call: Callable[[], Any], match: str | None = None
) -> ServiceError:
    """Asserts the call raises `error` (its message matching) and that no table changed."""
    before = snapshot(db)
    with pytest.raises(error, match=match) as caught:
        call()
    assert snapshot(db) == before
    return caught.value


@pytest.fixture
def vision(db: Database) -> factories.Tree:
    tree = factories.tree(db)
    factories.phase(db, tree.workshop, Phase.vision)
    return tree


# --- contributions -----------------------------------------------------------------------------


def test_empty_or_whitespace_text_is_refused(db: Database, vision: factories.Tree) -> None:
    person, _ = factories.join(db, vision.workshop)
    for body in ("", "   \n\t "):
        error = refuses(
            db,
            Invalid,
            lambda body=body: items.add_item(db, person, vision.workshop.code, kind="vision", text=body),
        )
        assert (error.field, str(error)) == ("text", "This cannot be empty.")


def test_overlong_text_is_refused_saying_how_long(db: Database, vision: factories.Tree) -> None:
    person, _ = factories.join(db, vision.workshop)
    error = refuses(
        db, Invalid, lambda: items.add_item(db, person, vision.workshop.code, kind="vision", text="a" * 501)
    )
    assert str(error) == "This is too long: at most 500 characters, you wrote 501."


def test_text_is_kept_as_typed_with_emoji_umlauts_and_rtl(db: Database, vision: factories.Tree) -> None:
    person, _ = factories.join(db, vision.workshop)
    typed = "Grüne Höfe 🌱 <b>bold</b> שלום {{7*7}}"
    item = items.add_item(db, person, vision.workshop.code, kind="vision", text=f"  {typed}\n")
    assert item.text == typed


def test_control_characters_are_refused(db: Database, vision: factories.Tree) -> None:
    person, _ = factories.join(db, vision.workshop)
    refuses(
        db, Invalid, lambda: items.add_item(db, person, vision.workshop.code, kind="vision", text="a\x00b")
    )


def test_contribution_in_a_closed_phase_is_refused(db: Database, vision: factories.Tree) -> None:
    person, _ = factories.join(db, vision.workshop)
    refuses(
        db,
        PhaseClosed,
        lambda: items.add_item(
            db, person, vision.workshop.code, kind="measure", text="Not yet", links=[vision.need.id]
        ),
    )
    workshops.set_input_open(db, vision.owner, vision.workshop.code, False)
    refuses(
        db,
        PhaseClosed,
        lambda: items.add_item(db, person, vision.workshop.code, kind="vision", text="Too late"),
    )


def test_a_link_to_another_workshops_item_is_refused(db: Database) -> None:
    mine, theirs = factories.tree(db), factories.tree(db)
    factories.phase(db, mine.workshop, Phase.measures)
    person, _ = factories.join(db, mine.workshop)
    error = refuses(
        db,
        Conflict,
        lambda: items.add_item(
            db, person, mine.workshop.code, kind="measure", text="Cross", links=[theirs.need.id]
        ),
    )
    assert error.field == "links"


def test_a_link_to_the_wrong_kind_is_refused(db: Database) -> None:
    tree = factories.tree(db)
    factories.phase(db, tree.workshop, Phase.measures)
    person, _ = factories.join(db, tree.workshop)
    refuses(
        db,
        Conflict,
        lambda: items.add_item(
            db, person, tree.workshop.code, kind="measure", text="x", links=[tree.milestone.id]
        ),
    )


def test_a_milestone_outside_the_years_is_refused(db: Database) -> None:
    tree = factories.tree(db)
    factories.phase(db, tree.workshop, Phase.milestones)
    person, _ = factories.join(db, tree.workshop)
    # A year outside the workshop's span conflicts with it; no year, or not a number, is bad input.
    for year, error in ((2026, Conflict), (2046, Conflict), (None, Invalid), ("2030", Invalid)):
        refuses(
            db,
            error,
            lambda year=year: items.add_item(
                db, person, tree.workshop.code, kind="milestone", text="x", year=year
            ),
        )
    item = items.add_item(db, person, tree.workshop.code, kind="milestone", text="Halfway", year=2036)
    assert item.year == 2036


def test_a_participant_cannot_post_into_another_workshop(db: Database) -> None:
    mine, theirs = factories.tree(db), factories.tree(db)
    factories.phase(db, theirs.workshop, Phase.vision)
    person, _ = factories.join(db, mine.workshop)
    refuses(
        db, NotAllowed, lambda: items.add_item(db, person, theirs.workshop.code, kind="vision", text="Hello")
    )


def test_a_retried_submission_is_stored_once(db: Database, vision: factories.Tree) -> None:
    person, _ = factories.join(db, vision.workshop)
    first = items.add_item(db, person, vision.workshop.code, kind="vision", text="Once", client_key="k-1")
    before = snapshot(db)
    again = items.add_item(db, person, vision.workshop.code, kind="vision", text="Once", client_key="k-1")
    assert again.id == first.id
    assert snapshot(db) == before


def test_only_the_author_edits_or_withdraws_and_only_while_open(db: Database, vision: factories.Tree) -> None:
    author, _ = factories.join(db, vision.workshop)
    other, _ = factories.join(db, vision.workshop)
    item = items.add_item(db, author, vision.workshop.code, kind="vision", text="Mine")
    refuses(db, NotAllowed, lambda: items.edit_own_item(db, other, item.id, text="Theirs now"))
    refuses(db, NotAllowed, lambda: items.withdraw_item(db, other, item.id))

    assert items.edit_own_item(db, author, item.id, text="Mine, better").text == "Mine, better"
    workshops.set_input_open(db, vision.owner, vision.workshop.code, False)
    refuses(db, PhaseClosed, lambda: items.withdraw_item(db, author, item.id))
    workshops.set_input_open(db, vision.owner, vision.workshop.code, True)
    assert items.withdraw_item(db, author, item.id).withdrawn


# --- moderation --------------------------------------------------------------------------------


def test_merge_moves_links_to_the_survivor_and_keeps_lineage(db: Database) -> None:
    tree = factories.tree(db)
    duplicate = items.add_item(db, tree.owner, tree.workshop.code, kind="need", text="A materials register")
    measure = items.add_item(
        db, tree.owner, tree.workshop.code, kind="measure", text="Map flows", links=[duplicate.id]
    )

    merged = items.moderate_item(db, tree.owner, duplicate.id, merged_into=tree.need.id)

    assert merged.merged_into_id == tree.need.id
    with db.read() as session:
        pairs = {(link.from_id, link.to_id) for link in session.exec(select(Link))}
    assert (measure.id, tree.need.id) in pairs
    assert all(duplicate.id not in pair for pair in pairs)


def test_merge_after_rating_opened_is_refused(db: Database) -> None:
    tree = factories.tree(db)
    factories.phase(db, tree.workshop, Phase.rating)
    refuses(
        db,
        PhaseClosed,
        lambda: items.moderate_item(db, tree.owner, tree.measures[1].id, merged_into=tree.measures[0].id),
    )


def test_merge_into_itself_another_kind_or_workshop_is_refused(db: Database) -> None:
    tree, other = factories.tree(db), factories.tree(db)
    measure = tree.measures[0].id
    refuses(db, Conflict, lambda: items.moderate_item(db, tree.owner, measure, merged_into=measure))
    refuses(db, Conflict, lambda: items.moderate_item(db, tree.owner, measure, merged_into=tree.need.id))
    refuses(
        db, Conflict, lambda: items.moderate_item(db, tree.owner, measure, merged_into=other.measures[0].id)
    )


def test_another_facilitator_cannot_moderate_or_run_the_workshop(db: Database) -> None:
    tree = factories.tree(db)
    stranger = factories.facilitator(db)
    refuses(db, NotAllowed, lambda: items.moderate_item(db, stranger, tree.need.id, hidden=True))
    refuses(db, NotAllowed, lambda: workshops.set_phase(db, stranger, tree.workshop.code, "vision"))
    refuses(db, NotAllowed, lambda: workshops.delete_workshop(db, stranger, tree.workshop.code))
    refuses(db, NotAllowed, lambda: items.add_item(db, stranger, tree.workshop.code, kind="vision", text="x"))


def test_hide_and_unhide_each_leave_one_event(db: Database) -> None:
    tree = factories.tree(db)
    before = factories.event_count(db, tree.workshop)
    items.moderate_item(db, tree.owner, tree.need.id, hidden=True)
    items.moderate_item(db, tree.owner, tree.need.id, hidden=True)  # no change, no event
    items.moderate_item(db, tree.owner, tree.need.id, hidden=False)
    with db.read() as session:
        types = session.exec(
            select(EventRecord.type).where(
                EventRecord.workshop_id == tree.workshop.id, EventRecord.seq > before
            )
        ).all()
    assert list(types) == ["item-hidden", "item-unhidden"]


# --- rating and dots ---------------------------------------------------------------------------


@pytest.fixture
def rating(db: Database) -> factories.Tree:
    tree = factories.tree(db)
    factories.phase(db, tree.workshop, Phase.rating)
    return tree


def test_a_second_rating_replaces_the_first(db: Database, rating: factories.Tree) -> None:
    person, _ = factories.join(db, rating.workshop)
    ratings.rate_item(db, person, rating.measures[0].id, {"impact": 2, "feasibility": 5})
    ratings.rate_item(db, person, rating.measures[0].id, {"impact": None})
    with db.read() as session:
        rows = session.exec(
            select(Rating).where(Rating.participant_id == person.id).order_by(Rating.criterion_id)
        ).all()
    assert [row.value for row in rows] == [None, 5]


@pytest.mark.parametrize(
    ("values", "field", "error"),
    [
        # Off this criterion's scale, or a criterion it does not have: the workshop's set-up stands
        # against a well-formed value. Not a whole number, or off every scale: bad input.
        ({"impact": 6}, "values.impact", Conflict),
        ({"impact": 0}, "values.impact", Conflict),
        ({"impact": 101}, "values.impact", Invalid),
        ({"impact": 2.5}, "values.impact", Invalid),
        ({"impact": "3"}, "values.impact", Invalid),
        ({"impact": True}, "values.impact", Invalid),
        ({"beauty": 3}, "values.beauty", Conflict),
        ({}, "values", Invalid),
    ],
)
def test_values_off_the_scale_or_unknown_are_refused(
    db: Database, rating: factories.Tree, values: dict[str, Any], field: str, error: type[ServiceError]
) -> None:
    person, _ = factories.join(db, rating.workshop)
    ratings.rate_item(db, person, rating.measures[0].id, {"urgency": 1})
    refusal = refuses(db, error, lambda: ratings.rate_item(db, person, rating.measures[0].id, values))
    assert refusal.field == field


def test_rating_outside_the_rating_phase_or_when_closed_is_refused(
    db: Database, rating: factories.Tree
) -> None:
    person, _ = factories.join(db, rating.workshop)
    workshops.set_input_open(db, rating.owner, rating.workshop.code, False)
    refuses(db, PhaseClosed, lambda: ratings.rate_item(db, person, rating.measures[0].id, {"impact": 3}))
    factories.phase(db, rating.workshop, Phase.needs)
    refuses(db, PhaseClosed, lambda: ratings.rate_item(db, person, rating.measures[0].id, {"impact": 3}))


def test_rating_an_item_of_another_workshop_or_kind_is_refused(db: Database, rating: factories.Tree) -> None:
    other = factories.tree(db)
    person, _ = factories.join(db, rating.workshop)
    refuses(db, NotAllowed, lambda: ratings.rate_item(db, person, other.measures[0].id, {"impact": 3}))
    refuses(db, Conflict, lambda: ratings.rate_item(db, person, rating.need.id, {"impact": 3}))
    refuses(db, NotFound, lambda: ratings.rate_item(db, person, 999_999, {"impact": 3}))


def test_dots_over_budget_are_refused_saying_what_is_left(db: Database) -> None:
    tree = factories.tree(db, dot_budget=3)
    factories.phase(db, tree.workshop, Phase.prioritisation)
    person, _ = factories.join(db, tree.workshop)
    ratings.set_dots(db, person, tree.measures[0].id, 2)
    error = refuses(db, OverBudget, lambda: ratings.set_dots(db, person, tree.measures[1].id, 2))
    assert str(error) == "You have 1 of 3 dots left."
    assert ratings.set_dots(db, person, tree.measures[0].id, 3)[1] == 0  # moving dots within budget works
    refuses(db, Invalid, lambda: ratings.set_dots(db, person, tree.measures[1].id, -1))


# --- joining and accounts ----------------------------------------------------------------------


def test_join_with_a_confusable_code_finds_the_workshop(db: Database) -> None:
    shop = factories.workshop(db)
    typed = "-".join([shop.code[:3], shop.code[3:]]).lower().replace("0", "o").replace("1", "l")
    joined = participants.join_workshop(db, f"  {typed} ")
    assert joined.code == shop.code


def test_join_with_an_unknown_code_is_refused(db: Database) -> None:
    factories.workshop(db)
    refuses(db, NotFound, lambda: participants.join_workshop(db, "ZZZZZZ"))
    refuses(db, NotFound, lambda: participants.join_workshop(db, "?"))


def test_join_follows_the_workshops_name_group_and_consent_rules(db: Database) -> None:
    shop = factories.workshop(db, names="required", consent_text="Your answers are used for research.")
    refuses(db, Conflict, lambda: participants.join_workshop(db, shop.code, consent=True), match="name")
    refuses(
        db,
        Conflict,
        lambda: participants.join_workshop(db, shop.code, name="Ana", consent=True, group="pirates"),
    )
    joined = participants.join_workshop(db, shop.code, name="Ana", consent=True, group="sme")
    assert (joined.participant.consent_text, joined.participant.consent_version) == (
        "Your answers are used for research.",
        1,
    )


def test_names_off_keeps_no_name(db: Database) -> None:
    shop = factories.workshop(db, names="off")
    assert participants.join_workshop(db, shop.code, name="Ana").participant.name is None


def test_tokens_are_stored_only_as_hashes_and_logged_nowhere(db: Database) -> None:
    shop = factories.workshop(db)
    joined = participants.join_workshop(db, shop.code, name="Ana")
    api_token = accounts.issue_api_token(db, factories.owner_of(db, shop).email)
    with db.read() as session:
        stored = [row.token_hash for row in session.exec(select(Participant))]
        logged = [str(row.data) for row in session.exec(select(EventRecord))]
        logged += [str(row.data) for row in session.exec(select(AccountEvent))]
    assert joined.token not in stored and len(stored[0]) == 64
    assert not [entry for entry in logged if joined.token in entry or api_token in entry or "Ana" in entry]
    assert participants.participant_for_token(db, joined.token).id == joined.participant.id
    assert participants.participant_for_token(db, joined.token + "x") is None


def test_passwords_are_argon2_hashed_and_checked(db: Database) -> None:
    facilitator = accounts.add_facilitator(db, "Ana@Example.org", "a long enough password")
    assert facilitator.email == "ana@example.org"
    assert facilitator.password_hash.startswith("$argon2id$")
    assert accounts.authenticate(db, "ana@example.org ", "a long enough password").id == facilitator.id
    refuses(db, ServiceError, lambda: accounts.authenticate(db, "ana@example.org", "wrong password!"))
    refuses(db, Conflict, lambda: accounts.add_facilitator(db, "ana@example.org", "another long password"))
    refuses(db, Invalid, lambda: accounts.add_facilitator(db, "bob@example.org", "short"))


def test_first_run_set_up_works_once(db: Database) -> None:
    accounts.create_first_facilitator(db, "first@example.org", "a long enough password")
    refuses(
        db,
        Conflict,
        lambda: accounts.create_first_facilitator(db, "second@example.org", "a long enough password"),
    )


def test_create_workshop_refuses_bad_set_up(db: Database) -> None:
    owner = factories.facilitator(db)
    cases: list[tuple[dict[str, Any], type[ServiceError]]] = [
        ({"title": ""}, Invalid),
        ({"title": "x" * 201}, Invalid),
        # Years that do not fit together: 409, since one of them may be the template's.
        ({"title": "ok", "vision_year": 2020, "present_year": 2026}, Conflict),
        ({"title": "ok", "language": "fr"}, Invalid),
        ({"title": "ok", "dot_budget": -1}, Invalid),
        ({"title": "ok", "milestone_years": [2026]}, Conflict),
        ({"title": "ok", "milestone_years": [1066]}, Invalid),
        ({"title": "ok", "criteria": []}, Invalid),
        ({"title": "ok", "rated_kinds": []}, Invalid),
    ]
    for fields, error in cases:
        refuses(
            db,
            error,
            lambda fields=fields: workshops.create_workshop(db, owner, **{"present_year": 2026, **fields}),
        )


def test_default_milestones_step_back_from_the_vision(db: Database) -> None:
    shop = factories.workshop(db, present_year=2026, vision_year=2045)
    assert shop.milestone_years == [2030, 2035, 2040]
    assert len(shop.code) == 6


def test_phase_changes_go_back_without_deleting_anything(db: Database) -> None:
    tree = factories.tree(db)
    factories.phase(db, tree.workshop, Phase.rating)
    before = snapshot(db)
    workshop = factories.phase(db, tree.workshop, Phase.vision)
    after = snapshot(db)
    assert workshop.phase == Phase.vision and workshop.input_open
    assert {k: v for k, v in after.items() if k != "event"} == {
        k: v for k, v in before.items() if k != "event"
    }
    assert after["event"] == before["event"] + 1
    with db.read() as session:
        assert session.exec(select(func.count()).select_from(Item)).one() == 4
