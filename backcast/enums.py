"""The fixed vocabularies of the domain (see DESIGN.md)."""

from enum import StrEnum


class Phase(StrEnum):
    lobby = "lobby"
    vision = "vision"
    milestones = "milestones"
    needs = "needs"
    measures = "measures"
    rating = "rating"
    prioritisation = "prioritisation"
    results = "results"


PHASE_ORDER: tuple[Phase, ...] = tuple(Phase)


class ItemKind(StrEnum):
    vision = "vision"
    milestone = "milestone"
    need = "need"
    measure = "measure"


# The phase in which participants contribute each kind of item.
KIND_PHASE: dict[ItemKind, Phase] = {
    ItemKind.vision: Phase.vision,
    ItemKind.milestone: Phase.milestones,
    ItemKind.need: Phase.needs,
    ItemKind.measure: Phase.measures,
}
# The other way round: the kind of item a phase collects (phases that collect none are missing).
PHASE_KIND: dict[Phase, ItemKind] = {phase: kind for kind, phase in KIND_PHASE.items()}

# What an item of each kind may link to: a need serves milestones, a measure meets needs.
LINK_TARGET: dict[ItemKind, ItemKind] = {
    ItemKind.need: ItemKind.milestone,
    ItemKind.measure: ItemKind.need,
}


class Direction(StrEnum):
    higher = "higher"  # higher is better
    # A member named like `str.lower`: the enum value replaces the method, as StrEnum allows.
    lower = "lower"  # type: ignore[assignment]  # lower is better, as for cost


class NamesMode(StrEnum):
    optional = "optional"
    required = "required"
    off = "off"


class Language(StrEnum):
    de = "de"
    en = "en"


def sql_in(values: type[StrEnum]) -> str:
    """The body of a CHECK constraint listing an enum's values, e.g. `'a', 'b'`."""
    return ", ".join(f"'{member.value}'" for member in values)


class StudyRole(StrEnum):
    facilitator = "facilitator"  # creates and runs the study's workshops, manages the study
    researcher = "researcher"  # reads every workshop of the study; runs and changes none


class Assign(StrEnum):
    """How people come to their breakout table."""

    balanced = "balanced"  # each stakeholder group spread evenly over the tables
    random = "random"  # shuffled with a seed the log keeps
    choice = "choice"  # each phone picks its table
