"""Built-in content, in both languages: default criteria and stakeholder groups."""

from __future__ import annotations

from dataclasses import dataclass

from backcast.enums import Direction


@dataclass(frozen=True)
class CriterionSpec:
    key: str
    label: str
    low_label: str = ""
    high_label: str = ""
    scale_min: int = 1
    scale_max: int = 5
    weight: float = 1.0
    direction: Direction = Direction.higher


@dataclass(frozen=True)
class GroupSpec:
    key: str
    label: str


CRITERIA: dict[str, list[CriterionSpec]] = {
    "en": [
        CriterionSpec("impact", "Impact", "very low", "very high"),
        CriterionSpec("feasibility", "Feasibility", "very hard", "very easy"),
        CriterionSpec("urgency", "Urgency", "can wait", "very urgent"),
    ],
    "de": [
        CriterionSpec("impact", "Wirkung", "sehr gering", "sehr hoch"),
        CriterionSpec("feasibility", "Umsetzbarkeit", "sehr schwer", "sehr leicht"),
        CriterionSpec("urgency", "Dringlichkeit", "kann warten", "sehr dringend"),
    ],
}

GROUPS: dict[str, list[GroupSpec]] = {
    "en": [
        GroupSpec("sme", "SME"),
        GroupSpec("large_company", "Large company"),
        GroupSpec("association", "Association or chamber"),
        GroupSpec("public_administration", "Public administration"),
        GroupSpec("research", "Research or education"),
        GroupSpec("civil_society", "Civil society"),
        GroupSpec("other", "Other"),
    ],
    "de": [
        GroupSpec("sme", "KMU"),
        GroupSpec("large_company", "Großunternehmen"),
        GroupSpec("association", "Verband oder Kammer"),
        GroupSpec("public_administration", "Öffentliche Verwaltung"),
        GroupSpec("research", "Forschung oder Bildung"),
        GroupSpec("civil_society", "Zivilgesellschaft"),
        GroupSpec("other", "Sonstige"),
    ],
}


def milestone_years(present_year: int, vision_year: int, step: int = 5) -> list[int]:
    """Every `step` years back from the vision, after the present: 2045 → 2030, 2035, 2040."""
    years = list(range(vision_year - step, present_year, -step))
    return sorted(years)
