"""Shapes of a workshop's set-up, and the default milestone years. The built-in criteria, groups
and prompts are in the workshop templates (`backcast.workshop_templates`), in both languages."""

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


def milestone_years(present_year: int, vision_year: int, step: int = 5) -> list[int]:
    """Every `step` years back from the vision, after the present: 2045 → 2030, 2035, 2040."""
    years = list(range(vision_year - step, present_year, -step))
    return sorted(years)
