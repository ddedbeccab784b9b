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


class ConsensusKind(StrEnum):
    """How a workshop decides, fixed before round 1, that the room agrees on an item's criterion."""

    iqr = "iqr"  # the IQR at most a share of the scale's range
    agreement = "agreement"  # a share of the answers in the top or bottom k categories


class ReasonTrigger(StrEnum):
    """Which answers of a round after the first ask for a reason."""

    outside = "outside"  # outside the previous round's IQR
    changed = "changed"  # any answer that differs from the participant's previous one


class ReasonMode(StrEnum):
    off = "off"
    optional = "optional"
    required = "required"


class Language(StrEnum):
    de = "de"
    en = "en"


def sql_in(values: type[StrEnum]) -> str:
    """The body of a CHECK constraint listing an enum's values, e.g. `'a', 'b'`."""
    return ", ".join(f"'{member.value}'" for member in values)


class StudyRole(StrEnum):
    facilitator = "facilitator"  # creates and runs the study's workshops, manages the study
    researcher = "researcher"  # reads every workshop of the study; runs and changes none


class AgendaStatus(StrEnum):
    """Where an agenda entry stands when the workshop follows its agenda up."""

    planned = "planned"
    started = "started"
    done = "done"
    dropped = "dropped"


class ActorStatus(StrEnum):
    proposed = "proposed"  # named by a participant, not yet confirmed by the facilitator
    confirmed = "confirmed"


class Role(StrEnum):
    """What an actor does for a measure (or a need or milestone)."""

    leads = "leads"
    contributes = "contributes"
    must_agree = "must_agree"
    could_block = "could_block"


# The kinds of item an actor can take a role for.
ROLE_KINDS: tuple[str, ...] = ("milestone", "need", "measure")


class NeedType(StrEnum):
    """A need proper, a barrier in its milestone's way, or an opportunity that helps it."""

    need = "need"
    barrier = "barrier"
    opportunity = "opportunity"


class Tag(StrEnum):
    """The field a barrier or opportunity belongs to (the PESTLE headings)."""

    political = "political"
    economic = "economic"
    social = "social"
    technological = "technological"
    legal = "legal"
    environmental = "environmental"


class Assign(StrEnum):
    """How people come to their breakout table."""

    balanced = "balanced"  # each stakeholder group spread evenly over the tables
    random = "random"  # shuffled with a seed the log keeps
    choice = "choice"  # each phone picks its table
