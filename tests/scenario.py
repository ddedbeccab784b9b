"""A rated workshop with groups, can't-judge answers, dots, a tie and a hidden item, made through
the real services; the results and export tests start from it."""

from __future__ import annotations

from dataclasses import dataclass

from backcast.db import Database
from backcast.defaults import CriterionSpec, GroupSpec
from backcast.enums import Direction, Phase
from backcast.models import Facilitator, Item, Participant, Workshop
from backcast.services import items, ratings
from tests import factories

CRITERIA = [
    CriterionSpec("impact", "Impact", "low", "high", 1, 5, 2.0),
    CriterionSpec("cost", "Cost", "cheap", "dear", 1, 5, 1.0, Direction.lower),
    CriterionSpec("readiness", "Readiness", "none", "full", 0, 10, 0.5),
]
GROUPS = [GroupSpec("sme", "SME"), GroupSpec("association", "Association"), GroupSpec("research", "Research")]
# participant's group, then per measure: (impact, cost, readiness); None is "can't judge".
RATERS: list[tuple[str | None, list[tuple[int | None, int | None, int | None]]]] = [
    ("sme", [(5, 2, 8), (3, 3, 5), (3, 3, 5), (4, 1, 9)]),
    ("sme", [(4, None, 7), (3, 3, 5), (3, 3, 5), (5, 5, 1)]),
    ("sme", [(5, 1, 10), (3, 3, 5), (3, 3, 5), (1, 2, 3)]),
    ("sme", [(4, 2, None), (3, 3, 5), (3, 3, 5), (3, 3, 3)]),
    ("association", [(2, 4, 3), (3, 3, 5), (3, 3, 5), (2, 2, 2)]),
    ("association", [(3, 5, 0), (3, 3, 5), (3, 3, 5), (4, 4, 4)]),
    ("research", [(1, 5, 1), (3, 3, 5), (3, 3, 5), (5, 1, 10)]),
    (None, [(None, None, None), (3, 3, 5), (3, 3, 5), (2, 4, 6)]),
]
DOTS = [1, 1, 1, 0]  # each of the first six participants gives a dot to each of the first three measures


@dataclass
class Rated:
    workshop: Workshop
    owner: Facilitator
    measures: list[Item]  # four; the second and third tie on everything, the last ends hidden
    participants: list[Participant]
    tokens: list[str]


def rated_workshop(db: Database, **fields: object) -> Rated:
    owner = factories.facilitator(db)
    shop = factories.workshop(db, owner, criteria=CRITERIA, groups=GROUPS, dot_budget=3, **fields)
    texts = ["Start a materials exchange", "Repair café network", "Shared repair café", "=HYPERLINK(evil)"]
    measures = [items.add_item(db, owner, shop.code, kind="measure", text=text) for text in texts]
    joined = [
        factories.join(db, shop, group=group, name=f"Person {index}", consent=True)
        for index, (group, _) in enumerate(RATERS)
    ]
    factories.phase(db, shop, Phase.rating)
    for (participant, _), (_, values) in zip(joined, RATERS, strict=True):
        for measure, (impact, cost, readiness) in zip(measures, values, strict=True):
            assert measure.id is not None
            ratings.rate_item(
                db, participant, measure.id, {"impact": impact, "cost": cost, "readiness": readiness}
            )
    factories.phase(db, shop, Phase.prioritisation)
    for participant, _ in joined[:6]:
        for measure, count in zip(measures, DOTS, strict=True):
            if count:
                assert measure.id is not None
                ratings.set_dots(db, participant, measure.id, count)
    items.moderate_item(db, owner, measures[3].id, hidden=True)  # type: ignore[arg-type]
    return Rated(
        factories.fresh(db, shop),
        owner,
        measures,
        [participant for participant, _ in joined],
        [token for _, token in joined],
    )
