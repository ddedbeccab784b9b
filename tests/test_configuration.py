"""Changing a workshop's set-up after creating it: every field can change until collected data
stands against it, and then the refusal says why and changes nothing."""

from __future__ import annotations

import pytest
from sqlmodel import select

from backcast.db import Database
from backcast.defaults import CriterionSpec, GroupSpec
from backcast.enums import Direction, Phase
from backcast.models import Criterion, EventRecord, Item, StakeholderGroup, Workshop
from backcast.services import configuration, items, ratings
from backcast.services.configuration import WorkshopSetup
from backcast.services.errors import Conflict, Invalid, NotAllowed
from tests import factories


def setup_of(db: Database, tree: factories.Tree) -> WorkshopSetup:
    return configuration.current_setup(db, tree.owner, tree.workshop.code)


def criteria_rows(db: Database, shop: Workshop) -> list[tuple[str, str, int, int, str]]:
    with db.read() as session:
        rows = session.exec(
            select(Criterion).where(Criterion.workshop_id == shop.id).order_by(Criterion.position)
        )
        return [(c.key, c.label, c.scale_min, c.scale_max, c.direction) for c in rows]


def last_event(db: Database, shop: Workshop) -> EventRecord:
    with db.read() as session:
        return session.exec(
            select(EventRecord).where(EventRecord.workshop_id == shop.id).order_by(EventRecord.seq.desc())
        ).first()


def rate_once(db: Database, tree: factories.Tree) -> None:
    factories.phase(db, tree.workshop, Phase.rating)
    participant, _ = factories.join(db, tree.workshop)
    assert tree.measures[0].id is not None
    ratings.rate_item(db, participant, tree.measures[0].id, {"impact": 4, "feasibility": None})


def test_every_field_changes_and_one_event_names_what_changed(db: Database) -> None:
    tree = factories.tree(db)
    setup = setup_of(db, tree)
    changed = setup.replace(
        title="Kreislauf Nordwest",
        question="Wie?",
        vision_year=2050,
        milestone_years=[2040, 2030],
        language="de",
        dot_budget=8,
        names="required",
        rated_kinds=["need", "measure"],
        consent_text="I agree.",
        privacy_text="Who processes what.",
        prompts={"vision": {"de": "Es ist {vision_year}.", "en": "It is {vision_year}."}},
        criteria=[
            CriterionSpec("cost", "Cost", "cheap", "dear", 1, 7, 2.0, Direction.lower),
            *reversed(setup.criteria),
        ],
        groups=[GroupSpec("sme", "Firms")],
    )
    configuration.configure_workshop(db, tree.owner, tree.workshop.code, changed)

    after = setup_of(db, tree)
    assert after == changed.replace(milestone_years=[2030, 2040], rated_kinds=["measure", "need"])
    assert criteria_rows(db, tree.workshop)[:2] == [
        ("cost", "Cost", 1, 7, "lower"),
        ("urgency", "Urgency", 1, 5, "higher"),
    ]
    with db.read() as session:
        shop = session.get(Workshop, tree.workshop.id)
        assert shop is not None and shop.consent_version == 1
    event = last_event(db, tree.workshop)
    assert event.type == "workshop-configured"
    assert event.data["changed"] == [
        "title",
        "question",
        "vision_year",
        "milestone_years",
        "language",
        "dot_budget",
        "names",
        "rated_kinds",
        "consent_text",
        "privacy_text",
        "prompts",
        "criteria",
        "groups",
    ]
    assert event.data["values"]["vision_year"] == 2050
    assert event.data["criteria"] == ["cost", "urgency", "feasibility", "impact"]


def test_saving_an_unchanged_set_up_records_nothing(db: Database) -> None:
    tree = factories.tree(db)
    before = last_event(db, tree.workshop).seq
    configuration.configure_workshop(db, tree.owner, tree.workshop.code, setup_of(db, tree))
    assert last_event(db, tree.workshop).seq == before


def test_a_rated_criterion_keeps_its_scale_and_cannot_be_removed(db: Database) -> None:
    tree = factories.tree(db)
    rate_once(db, tree)
    setup = setup_of(db, tree)
    impact = setup.criteria[0]
    assert impact.key == "impact"
    before = criteria_rows(db, tree.workshop)

    rescaled = setup.replace(
        criteria=[impact.__class__(**{**impact.__dict__, "scale_max": 7}), *setup.criteria[1:]]
    )
    with pytest.raises(Conflict) as refused:
        configuration.configure_workshop(db, tree.owner, tree.workshop.code, rescaled)
    assert str(refused.value) == "The scale of “Impact” cannot change: 1 rating uses it."

    with pytest.raises(Conflict) as removed:
        configuration.configure_workshop(
            db, tree.owner, tree.workshop.code, setup.replace(criteria=setup.criteria[1:])
        )
    assert str(removed.value) == "“Impact” has 1 rating and cannot be removed."
    # "Can't judge" counts too: feasibility was rated null.
    with pytest.raises(Conflict):
        configuration.configure_workshop(
            db, tree.owner, tree.workshop.code, setup.replace(criteria=[setup.criteria[0], setup.criteria[2]])
        )
    assert criteria_rows(db, tree.workshop) == before

    # What does not touch the collected values still changes: labels, weight, order, a new one.
    relabelled = setup.replace(
        criteria=[
            setup.criteria[2],
            impact.__class__(**{**impact.__dict__, "label": "Effect", "weight": 3.0}),
            setup.criteria[1],
            CriterionSpec("", "Kosten (€)", direction=Direction.lower),
        ]
    )
    configuration.configure_workshop(db, tree.owner, tree.workshop.code, relabelled)
    assert criteria_rows(db, tree.workshop) == [
        ("urgency", "Urgency", 1, 5, "higher"),
        ("impact", "Effect", 1, 5, "higher"),
        ("feasibility", "Feasibility", 1, 5, "higher"),
        ("kosten", "Kosten (€)", 1, 5, "lower"),
    ]


def test_an_unrated_criterion_may_change_its_scale(db: Database) -> None:
    tree = factories.tree(db)
    setup = setup_of(db, tree)
    wider = setup.replace(criteria=[CriterionSpec("impact", "Impact", scale_min=0, scale_max=10)])
    configuration.configure_workshop(db, tree.owner, tree.workshop.code, wider)
    assert criteria_rows(db, tree.workshop) == [("impact", "Impact", 0, 10, "higher")]


def test_a_chosen_group_stays(db: Database) -> None:
    tree = factories.tree(db)
    factories.join(db, tree.workshop, group="sme")
    setup = setup_of(db, tree)
    with pytest.raises(Conflict) as refused:
        configuration.configure_workshop(
            db, tree.owner, tree.workshop.code, setup.replace(groups=setup.groups[1:])
        )
    assert str(refused.value) == "1 participant chose “Small or medium-sized firm”; it cannot be removed."
    configuration.configure_workshop(
        db,
        tree.owner,
        tree.workshop.code,
        setup.replace(groups=[GroupSpec("sme", "KMU"), GroupSpec("", "Handwerk")]),
    )
    with db.read() as session:
        groups = session.exec(
            select(StakeholderGroup.key, StakeholderGroup.label)
            .where(StakeholderGroup.workshop_id == tree.workshop.id)
            .order_by(StakeholderGroup.position)
        ).all()
    assert [tuple(row) for row in groups] == [("sme", "KMU"), ("handwerk", "Handwerk")]


def test_years_keep_every_dated_contribution_inside(db: Database) -> None:
    tree = factories.tree(db)  # a milestone in 2035
    setup = setup_of(db, tree)
    with pytest.raises(Conflict) as refused:
        configuration.configure_workshop(
            db, tree.owner, tree.workshop.code, setup.replace(vision_year=2034, milestone_years=[])
        )
    assert str(refused.value) == (
        "A contribution or agenda entry is dated 2035, outside the new years; change it first."
    )
    assert refused.value.field == "vision_year"

    factories.phase(db, tree.workshop, Phase.vision)
    participant, _ = factories.join(db, tree.workshop)
    vision = items.add_item(db, participant, tree.workshop.code, kind="vision", text="Nothing is wasted")
    configuration.configure_workshop(db, tree.owner, tree.workshop.code, setup.replace(vision_year=2050))
    with db.read() as session:
        moved = session.get(Item, vision.id)
        assert moved is not None and moved.year == 2050


def test_the_dot_budget_does_not_drop_below_what_someone_placed(db: Database) -> None:
    tree = factories.tree(db)
    factories.phase(db, tree.workshop, Phase.prioritisation)
    participant, _ = factories.join(db, tree.workshop)
    assert tree.measures[0].id is not None
    ratings.set_dots(db, participant, tree.measures[0].id, 4)
    setup = setup_of(db, tree)
    with pytest.raises(Conflict) as refused:
        configuration.configure_workshop(db, tree.owner, tree.workshop.code, setup.replace(dot_budget=3))
    assert str(refused.value) == "A participant has already placed 4 dots; the budget cannot be lower."
    configuration.configure_workshop(db, tree.owner, tree.workshop.code, setup.replace(dot_budget=4))
    assert setup_of(db, tree).dot_budget == 4


def test_a_rated_kind_stays_rated(db: Database) -> None:
    tree = factories.tree(db)
    rate_once(db, tree)
    setup = setup_of(db, tree)
    with pytest.raises(Conflict) as refused:
        configuration.configure_workshop(
            db, tree.owner, tree.workshop.code, setup.replace(rated_kinds=["need"])
        )
    assert str(refused.value) == "2 ratings were given to this kind of item; it stays rated."


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"vision_year": 2020}, "vision_year"),  # before the present year: a conflict
        ({"vision_year": "2050"}, "vision_year"),
        ({"milestone_years": [2060]}, "milestone_years"),  # after the vision year: a conflict
        ({"milestone_years": "2030"}, "milestone_years"),
        ({"dot_budget": -1}, "dot_budget"),
        ({"names": "maybe"}, "names"),
        ({"language": "fr"}, "language"),
        ({"rated_kinds": []}, "rated_kinds"),
        ({"criteria": []}, "criteria"),
        ({"criteria": [CriterionSpec("a", "A"), CriterionSpec("a", "B")]}, "criteria.1.key"),
        ({"criteria": [CriterionSpec("a", "A", scale_min=5, scale_max=5)]}, "criteria.0.scale_max"),
        ({"groups": [GroupSpec("", "")]}, "groups.0.key"),
        ({"prompts": {"later": {"en": "x"}}}, "prompts"),
        ({"prompts": {"vision": {"en": "x" * 1001}}}, "prompts.vision.en"),
    ],
)
def test_bad_set_ups_are_refused_with_the_field_and_change_nothing(
    db: Database, change: dict, field: str
) -> None:
    tree = factories.tree(db)
    before = setup_of(db, tree)
    # Years that do not fit the workshop's other years are a conflict (409), the rest bad input.
    conflict = change in ({"vision_year": 2020}, {"milestone_years": [2060]})
    with pytest.raises(Conflict if conflict else Invalid) as refused:
        configuration.configure_workshop(db, tree.owner, tree.workshop.code, before.replace(**change))
    assert refused.value.field == field
    assert setup_of(db, tree) == before


def test_only_an_owner_configures(db: Database) -> None:
    tree = factories.tree(db)
    other = factories.facilitator(db)
    with pytest.raises(NotAllowed):
        configuration.configure_workshop(
            db, other, tree.workshop.code, setup_of(db, tree).replace(title="Mine")
        )
    with pytest.raises(NotAllowed):
        configuration.current_setup(db, other, tree.workshop.code)
