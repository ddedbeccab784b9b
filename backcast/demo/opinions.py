"""How a simulated participant rates a measure and where they put their dots.

Values are drawn around the measure's profile (see `content`), shifted by the person's group, and
rounded onto the scale; now and then someone can't judge. A fixed-seed `random.Random` makes every
run the same.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from backcast.analysis.stats import Scale, toward_better
from backcast.demo.content import Measure

CANT_JUDGE_BASE = 0.03
# Some groups say "can't judge" more often on some criteria: civil society on what firms can do and
# what it costs, firms on how long an effect takes to show.
CANT_JUDGE_BY_GROUP: dict[str, dict[str, float]] = {
    "civil_society": {"sme_feasibility": 0.15, "cost": 0.15},
    "research": {"cost": 0.08},
    "sme": {"time_to_effect": 0.05},
}
# A measure nobody described beforehand (added during a rehearsal) is seen as middling and unclear.
UNKNOWN_PROFILE = (3.0, 1.1)


def rating_values(
    rng: random.Random, measure: Measure | None, group: str | None, criteria: Sequence[Scale]
) -> dict[str, int | None]:
    values: dict[str, int | None] = {}
    for criterion in criteria:
        key = criterion.key
        mean, spread = measure.profile.get(key, UNKNOWN_PROFILE) if measure else UNKNOWN_PROFILE
        unsure = CANT_JUDGE_BASE + CANT_JUDGE_BY_GROUP.get(group or "", {}).get(key, 0.0)
        if measure is not None:
            unsure += measure.unsure.get(key, 0.0)
            mean += measure.leanings.get(group or "", {}).get(key, 0.0)
        if rng.random() < unsure:
            values[key] = None
            continue
        # The profile is on a 1-5 scale; another scale gets the same position on it.
        position = (mean + rng.gauss(0, spread) - 1) / 4
        value = criterion.scale_min + round(position * (criterion.scale_max - criterion.scale_min))
        values[key] = min(max(value, criterion.scale_min), criterion.scale_max)
    return values


def appeal(values: dict[str, int | None], criteria: Sequence[Scale]) -> float:
    """How good a measure looks to the person who gave these values: 0 (worst) to 1 (best)."""
    total = weights = 0.0
    for criterion in criteria:
        value = values.get(criterion.key)
        if value is None:
            continue
        total += criterion.weight * toward_better(float(value), criterion)
        weights += criterion.weight
    return total / weights if weights else 0.5


def dot_plan(rng: random.Random, appeals: dict[int, float], budget: int) -> dict[int, int]:
    """Dots per item for one person: most spend all of them on their favourites, one on each, the
    keenest put two on their first choice, and a few keep some back."""
    if not appeals or budget <= 0:
        return {}
    spend = budget if rng.random() < 0.8 else rng.randint(max(1, budget - 2), budget)
    ranked = sorted(appeals, key=lambda item: appeals[item] + rng.gauss(0, 0.08), reverse=True)
    plan: dict[int, int] = {}
    if spend >= 2 and rng.random() < 0.35:
        plan[ranked[0]] = 2
        spend -= 2
        ranked = ranked[1:]
    for item in ranked[:spend]:
        plan[item] = plan.get(item, 0) + 1
    return plan
