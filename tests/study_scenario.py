"""A small study of two workshops, rated, dotted and coded through the real services, whose
comparison figures are worked out by hand in tests/test_study_results.py."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from backcast.db import Database
from backcast.defaults import CriterionSpec, GroupSpec
from backcast.enums import Direction, Phase
from backcast.models import Facilitator, Item, Participant, Study, StudyTheme, Workshop
from backcast.services import coding, items, ratings, studies
from backcast.services.study_access import StudyDetails
from tests import factories

# Cost is held at 3 throughout, so a measure's score is ((impact − 1)/4 + 1/2) / 2 = (impact + 1)/8.
CRITERIA = [
    CriterionSpec("impact", "Impact", "low", "high", 1, 5, 1.0),
    CriterionSpec("cost", "Cost", "cheap", "dear", 1, 5, 1.0, Direction.lower),
]
GROUPS = [GroupSpec("sme", "SME"), GroupSpec("research", "Research")]
THEMES = [("Energie", "Energy"), ("Mobilität", "Mobility"), ("Bildung", "Education"), ("Wohnen", "Housing")]

# Per workshop: (impact, settled theme indexes or None for not settled); "hidden" ends hidden.
BREMEN = [(5, [0]), (5, [0, 1]), (1, [1]), (3, [2]), (3, [2]), (2, [3]), (4, None)]
OLDENBURG = [(4, [0]), (4, [0]), (2, [1]), (2, [1]), (5, [3]), (3, [3]), (1, [2])]


@dataclass
class SmallStudy:
    study: Study
    owner: Facilitator
    researcher: Facilitator
    bremen: Workshop
    oldenburg: Workshop
    themes: list[StudyTheme]
    measures: dict[str, list[Item]]
    hidden: Item
    milestone: Item
    raters: dict[str, Participant]


def _run(
    db: Database,
    owner: Facilitator,
    shop: Workshop,
    plan: list[tuple[int, list[int] | None]],
    rater: Participant,
) -> list[Item]:
    measures = [
        items.add_item(db, owner, shop.code, kind="measure", text=f"Measure {n}") for n in range(len(plan))
    ]
    factories.phase(db, shop, Phase.rating)
    for measure, (impact, _) in zip(measures, plan, strict=True):
        assert measure.id is not None
        ratings.rate_item(db, rater, measure.id, {"impact": impact, "cost": 3})
    return measures


def small_study(db: Database) -> SmallStudy:
    owner, researcher = factories.facilitator(db), factories.facilitator(db)
    source = factories.workshop(db, owner, criteria=CRITERIA, groups=GROUPS)
    study = studies.create_study(
        db,
        owner,
        title="Nordwest 2045",
        from_workshop=source.code,
        themes=[studies.ThemeSpec(label_de=de, label_en=en) for de, en in THEMES],
    )
    assert study.id is not None
    studies.add_member(db, owner, study.id, researcher.email, "researcher")
    bremen = studies.create_workshop_in_study(
        db,
        owner,
        study.id,
        title="Bremen",
        dot_budget=3,
        details=StudyDetails(region="Bremen", held_on=date(2026, 3, 1)),
    )
    oldenburg = studies.create_workshop_in_study(
        db,
        owner,
        study.id,
        title="Oldenburg",
        details=StudyDetails(region="Oldenburg", held_on=date(2026, 4, 1)),
    )
    themes = studies.study_view(db, owner, study.id).themes
    milestone = items.add_item(db, owner, bremen.code, kind="milestone", text="Carbon-free port", year=2040)
    hidden = items.add_item(db, owner, bremen.code, kind="measure", text="Withdrawn later")

    rater_b, _ = factories.join(db, bremen, group="sme", consent=True)
    voter_b, _ = factories.join(db, bremen, group="research", consent=True)
    rater_o, _ = factories.join(db, oldenburg, group="sme", consent=True)
    measures = {
        "bremen": _run(db, owner, bremen, BREMEN, rater_b),
        "oldenburg": _run(db, owner, oldenburg, OLDENBURG, rater_o),
    }
    assert hidden.id is not None
    ratings.rate_item(db, rater_b, hidden.id, {"impact": 1, "cost": 3})
    factories.phase(db, bremen, Phase.prioritisation)
    ratings.set_dots(db, voter_b, measures["bremen"][1].id or 0, 2)
    ratings.set_dots(db, voter_b, measures["bremen"][3].id or 0, 1)
    items.moderate_item(db, owner, hidden.id, hidden=True)

    for name, plan in (("bremen", BREMEN), ("oldenburg", OLDENBURG)):
        for measure, (_, coded) in zip(measures[name], plan, strict=True):
            if coded is not None:
                coding.settle_item(db, researcher, study.id, measure.id, [themes[i].id for i in coded])
    # Not counted: the hidden measure, and a coding nobody settled.
    coding.settle_item(db, researcher, study.id, hidden.id, [themes[0].id])
    coding.code_item(db, researcher, study.id, measures["bremen"][6].id, [themes[2].id])
    coding.settle_item(db, researcher, study.id, milestone.id, [themes[3].id])
    return SmallStudy(
        study,
        owner,
        researcher,
        factories.fresh(db, bremen),
        factories.fresh(db, oldenburg),
        themes,
        measures,
        hidden,
        milestone,
        {"bremen": rater_b, "voter": voter_b, "oldenburg": rater_o},
    )


def larger_study(db: Database) -> SmallStudy:
    """The small study and a third workshop (Wiesbaden): eight people, ten measures, random ratings
    with "can't judge", random dots and random settled codings."""
    s = small_study(db)
    rng = random.Random(15)
    extra = studies.create_workshop_in_study(
        db, s.owner, s.study.id, title="Wiesbaden", dot_budget=5, details=StudyDetails(region="Wiesbaden")
    )
    people = [
        factories.join(db, extra, group=rng.choice(["sme", "research", None]), consent=True)[0]
        for _ in range(8)
    ]
    measures = [
        items.add_item(db, s.owner, extra.code, kind="measure", text=f"Wiesbaden measure {n}")
        for n in range(10)
    ]
    factories.phase(db, extra, Phase.rating)
    for person in people:
        for measure in measures:
            if rng.random() < 0.85:
                values = {key: rng.choice([1, 2, 3, 4, 5, None]) for key in ("impact", "cost")}
                ratings.rate_item(db, person, measure.id or 0, values)
    factories.phase(db, extra, Phase.prioritisation)
    for person in people:
        for measure in rng.sample(measures, 2):
            ratings.set_dots(db, person, measure.id or 0, rng.choice([1, 2]))
    for measure in measures:
        chosen = [t.id for t in s.themes if rng.random() < 0.45]
        coding.settle_item(db, s.researcher, s.study.id, measure.id, chosen)
    return s
