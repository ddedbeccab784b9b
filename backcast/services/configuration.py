"""Changing a workshop's set-up after it was created, without invalidating what was collected.

A change that would strand collected data is refused with the reason: a rated criterion keeps its
key and scale, a chosen stakeholder group stays, a rated kind stays rated, the dot budget does not
drop below what someone placed, and the years keep every dated contribution inside them. Such a
refusal is a `Conflict` (409 in the API): the change is well-formed, the workshop's data stands
against it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from backcast.db import Database, Transaction
from backcast.defaults import CriterionSpec, GroupSpec
from backcast.enums import ConsensusKind, Direction, ItemKind, Language, NamesMode, ReasonMode, ReasonTrigger
from backcast.events import WorkshopConfigured
from backcast.i18n import N_, N_plural
from backcast.models import (
    AgendaEntry,
    Criterion,
    Dots,
    Facilitator,
    Item,
    Participant,
    Rating,
    StakeholderGroup,
    Study,
    Workshop,
)
from backcast.models import limits as L
from backcast.services import study_access, validate
from backcast.services.errors import Conflict, Invalid
from backcast.services.eventlog import record
from backcast.services.text import slug_ascii
from backcast.services.workshops import (
    check_span,
    clean_criteria,
    clean_groups,
    clean_milestone_years,
    clean_prompts,
    clean_rated_kinds,
    criteria_of,
    groups_of,
    lock_owned,
    owned_workshop,
)
from backcast.workshop_templates import WorkshopTemplate

# The plain fields, whose new values the event carries.
PLAIN_FIELDS = (
    "title",
    "question",
    "present_year",
    "vision_year",
    "milestone_years",
    "language",
    "dot_budget",
    "names",
    "rated_kinds",
    "consent_text",
    "privacy_text",
    "prompts",
    "consensus_rule",
    "consensus_iqr_share",
    "consensus_top_k",
    "consensus_threshold",
    "planned_rounds",
    "reason_trigger",
    "reason_mode",
)
# The consensus rule is fixed before the first round's ratings, so that no one can choose the rule
# that makes the results look agreed.
RULE_FIELDS = ("consensus_rule", "consensus_iqr_share", "consensus_top_k", "consensus_threshold")


@dataclass(frozen=True)
class WorkshopSetup:
    """Everything a facilitator sets: the whole set-up, as the configure page shows it."""

    title: str
    question: str
    present_year: int
    vision_year: int
    milestone_years: list[int]
    language: str
    dot_budget: int
    names: str
    rated_kinds: list[str]
    consent_text: str
    prompts: dict[str, dict[str, str]]
    criteria: list[CriterionSpec]
    groups: list[GroupSpec]
    privacy_text: str = ""
    consensus_rule: str = ConsensusKind.iqr.value
    consensus_iqr_share: float = 0.25
    consensus_top_k: int = 2
    consensus_threshold: float = 0.75
    planned_rounds: int = 1
    reason_trigger: str = ReasonTrigger.outside.value
    reason_mode: str = ReasonMode.optional.value

    def replace(self, **changes: Any) -> WorkshopSetup:
        return dataclasses.replace(self, **changes)


def current_setup(db: Database, facilitator: Facilitator, code: str) -> WorkshopSetup:
    workshop = owned_workshop(db, facilitator, code)
    assert workshop.id is not None
    with db.read() as session:
        criteria = criteria_of(session, workshop.id)
        groups = groups_of(session, workshop.id)
    return WorkshopSetup(
        title=workshop.title,
        question=workshop.question,
        present_year=workshop.present_year,
        vision_year=workshop.vision_year,
        milestone_years=list(workshop.milestone_years),
        language=workshop.language,
        dot_budget=workshop.dot_budget,
        names=workshop.names,
        rated_kinds=list(workshop.rated_kinds),
        consent_text=workshop.consent_text,
        privacy_text=workshop.privacy_text,
        prompts={phase: dict(texts) for phase, texts in workshop.prompts.items()},
        criteria=[
            CriterionSpec(
                key=c.key,
                label=c.label,
                low_label=c.low_label,
                high_label=c.high_label,
                scale_min=c.scale_min,
                scale_max=c.scale_max,
                weight=c.weight,
                direction=Direction(c.direction),
            )
            for c in criteria
        ],
        groups=[GroupSpec(key=g.key, label=g.label) for g in groups],
        consensus_rule=workshop.consensus_rule,
        consensus_iqr_share=workshop.consensus_iqr_share,
        consensus_top_k=workshop.consensus_top_k,
        consensus_threshold=workshop.consensus_threshold,
        planned_rounds=workshop.planned_rounds,
        reason_trigger=workshop.reason_trigger,
        reason_mode=workshop.reason_mode,
    )


@dataclass(frozen=True)
class SetupUsage:
    """What collected data holds the set-up in place: ratings per criterion key, participants per
    group key, the most dots one participant placed."""

    ratings: dict[str, int]
    participants: dict[str, int]
    most_dots: int


def setup_usage(db: Database, facilitator: Facilitator, code: str) -> SetupUsage:
    workshop = owned_workshop(db, facilitator, code)
    assert workshop.id is not None
    with db.read() as session:
        ratings = session.exec(
            select(col(Criterion.key), func.count(col(Rating.id)))
            .join(
                Rating,
                (col(Rating.criterion_id) == col(Criterion.id))
                & (col(Rating.workshop_id) == col(Criterion.workshop_id)),
            )
            .where(Criterion.workshop_id == workshop.id)
            .group_by(Criterion.key)
        ).all()
        participants = session.exec(
            select(col(StakeholderGroup.key), func.count(col(Participant.id)))
            .join(
                Participant,
                (col(Participant.group_id) == col(StakeholderGroup.id))
                & (Participant.workshop_id == StakeholderGroup.workshop_id),
            )
            .where(StakeholderGroup.workshop_id == workshop.id)
            .group_by(StakeholderGroup.key)
        ).all()
        most = most_dots_placed(session, workshop.id)
    return SetupUsage(ratings=dict(ratings), participants=dict(participants), most_dots=most)


def key_from_label(label: str, taken: set[str]) -> str:
    """A criterion or group key for a row whose key was left empty: "Kosten (€)" → "kosten"."""
    base = re.sub(r"[^a-z0-9]+", "_", slug_ascii(label)).strip("_")[: L.KEY_MAX - 3] or "key"
    if not base[0].isalpha():
        base = f"k_{base}"[: L.KEY_MAX - 3]
    key, number = base, 2
    while key in taken:
        key, number = f"{base}_{number}", number + 1
    return key


def _with_keys(specs: Sequence[Any], field: str) -> list[Any]:
    """Rows without a key get one from their label, so a facilitator need not invent keys."""
    rows = list(_sequence(specs, field))
    taken = {spec.key for spec in rows if isinstance(spec.key, str) and spec.key.strip()}
    filled = []
    for spec in rows:
        if (
            isinstance(spec.key, str)
            and not spec.key.strip()
            and isinstance(spec.label, str)
            and spec.label.strip()
        ):
            key = key_from_label(spec.label, taken)
            taken.add(key)
            spec = dataclasses.replace(spec, key=key)
        filled.append(spec)
    return filled


def _cleaned(setup: WorkshopSetup) -> WorkshopSetup:
    """The set-up checked on its own, before the collected data is looked at."""
    present = validate.year(setup.present_year, "present_year")
    vision = validate.year(setup.vision_year, "vision_year")
    check_span(present, vision)
    return WorkshopSetup(
        title=validate.text(setup.title, "title", max_length=L.TITLE_MAX, multiline=False),
        question=validate.text(setup.question, "question", max_length=L.QUESTION_MAX, required=False),
        present_year=present,
        vision_year=vision,
        milestone_years=clean_milestone_years(
            _sequence(setup.milestone_years, "milestone_years"), present, vision
        ),
        language=validate.choice(setup.language, "language", Language).value,
        dot_budget=validate.integer(setup.dot_budget, "dot_budget", minimum=0, maximum=L.DOT_BUDGET_MAX),
        names=validate.choice(setup.names, "names", NamesMode).value,
        rated_kinds=clean_rated_kinds(setup.rated_kinds),
        consent_text=validate.text(
            setup.consent_text, "consent_text", max_length=L.CONSENT_MAX, required=False
        ),
        privacy_text=validate.text(
            setup.privacy_text, "privacy_text", max_length=L.PRIVACY_MAX, required=False
        ),
        prompts=clean_prompts(setup.prompts),
        criteria=clean_criteria(_with_keys(setup.criteria, "criteria")),
        groups=clean_groups(_with_keys(setup.groups, "groups")),
        consensus_rule=validate.choice(setup.consensus_rule, "consensus_rule", ConsensusKind).value,
        consensus_iqr_share=_share(setup.consensus_iqr_share, "consensus_iqr_share", zero=True),
        consensus_top_k=validate.integer(
            setup.consensus_top_k, "consensus_top_k", minimum=1, maximum=L.SCALE_MAX
        ),
        consensus_threshold=_share(setup.consensus_threshold, "consensus_threshold", zero=False),
        planned_rounds=validate.integer(
            setup.planned_rounds, "planned_rounds", minimum=1, maximum=L.ROUNDS_MAX
        ),
        reason_trigger=validate.choice(setup.reason_trigger, "reason_trigger", ReasonTrigger).value,
        reason_mode=validate.choice(setup.reason_mode, "reason_mode", ReasonMode).value,
    )


def _share(value: object, field: str, *, zero: bool) -> float:
    """A share from 0 (or just above it) to 1."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise Invalid(N_("This must be a number."), field=field)
    if not (0 <= value <= 1 if zero else 0 < value <= 1):
        raise Invalid(N_("This must be a share between 0 and 1 (0.75 for three quarters)."), field=field)
    return float(value)


def _sequence(value: object, field: str) -> Sequence[Any]:
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Sequence):
        raise Invalid(N_("This must be a list."), field=field)
    return value


def configure_workshop(db: Database, facilitator: Facilitator, code: str, setup: WorkshopSetup) -> Workshop:
    """Applies the whole set-up in one transaction and records what changed; refuses, changing
    nothing, when collected data stands against it."""
    new = _cleaned(setup)
    with db.write() as tx:
        workshop = lock_owned(tx, facilitator, code)
        assert workshop.id is not None
        changed = [name for name in PLAIN_FIELDS if getattr(new, name) != _plain(workshop, name)]
        if new.present_year != workshop.present_year or new.vision_year != workshop.vision_year:
            _check_years(tx, workshop, new)
        if new.dot_budget < workshop.dot_budget:
            _check_budget(tx, workshop, new.dot_budget)
        _check_rated_kinds(tx, workshop, set(workshop.rated_kinds) - set(new.rated_kinds))
        _check_rule(tx, workshop, [name for name in changed if name in RULE_FIELDS])
        if workshop.study_id is not None:
            # Comparison across the study's workshops rests on these keys, scales and directions.
            study = tx.session.get(Study, workshop.study_id)
            assert study is not None
            study_access.require_fit(
                WorkshopTemplate.model_validate(study.codebook), new.criteria, new.groups
            )
        if _apply_criteria(tx, workshop, new.criteria):
            changed.append("criteria")
        if _apply_groups(tx, workshop, new.groups):
            changed.append("groups")
        if not changed:
            return workshop
        if new.vision_year != workshop.vision_year:
            # Vision statements are about the vision year, whichever it is.
            for item in tx.session.exec(
                select(Item).where(Item.workshop_id == workshop.id, Item.kind == ItemKind.vision)
            ):
                item.year = new.vision_year
                tx.session.add(item)
        if new.consent_text != workshop.consent_text:
            workshop.consent_version += 1
        for name in PLAIN_FIELDS:
            setattr(workshop, name, getattr(new, name))
        record(
            tx,
            workshop,
            WorkshopConfigured(
                changed=changed,
                values={name: getattr(new, name) for name in changed if name in PLAIN_FIELDS},
                criteria=[spec.key for spec in new.criteria],
                groups=[group.key for group in new.groups],
            ),
            facilitator,
        )
        return workshop


def _plain(workshop: Workshop, name: str) -> Any:
    value = getattr(workshop, name)
    return sorted(value) if name == "rated_kinds" else value


def _check_rule(tx: Transaction, workshop: Workshop, changed: list[str]) -> None:
    if not changed:
        return
    rated = tx.session.exec(
        select(func.count()).where(col(Rating.workshop_id) == workshop.id, col(Rating.round) == 1)
    ).one()
    if rated:
        raise Conflict(
            N_(
                "The consensus rule is fixed once round 1 has ratings, so that it cannot be chosen "
                "to fit the results."
            ),
            field=changed[0],
        )


def _check_years(tx: Transaction, workshop: Workshop, new: WorkshopSetup) -> None:
    outside = tx.session.exec(
        select(Item.year)
        .where(
            Item.workshop_id == workshop.id,
            Item.kind != ItemKind.vision,
            col(Item.year).is_not(None),
            or_(
                col(Item.year) < new.present_year,
                col(Item.year) > new.vision_year,
                (col(Item.kind) == ItemKind.milestone) & (col(Item.year) == new.present_year),
            ),
        )
        .order_by(col(Item.year))
    ).first()
    if outside is None:
        outside = tx.session.exec(
            select(AgendaEntry.start_year).where(
                AgendaEntry.workshop_id == workshop.id,
                col(AgendaEntry.start_year).is_not(None),
                or_(
                    col(AgendaEntry.start_year) < new.present_year,
                    col(AgendaEntry.start_year) > new.vision_year,
                ),
            )
        ).first()
    if outside is not None:
        raise Conflict(
            N_("A contribution or agenda entry is dated %(year)d, outside the new years; change it first."),
            field="vision_year" if outside > new.vision_year else "present_year",
            year=outside,
        )


def most_dots_placed(session: Session, workshop_id: int) -> int:
    """The most dots any one participant has placed in the workshop (0 when none has): a dot
    budget below it would leave someone over budget."""
    spent = (
        select(func.sum(Dots.count).label("spent"))
        .where(col(Dots.workshop_id) == workshop_id)
        .group_by(col(Dots.participant_id))
        .subquery()
    )
    most = session.exec(select(func.max(spent.c.spent))).one()
    return int(most or 0)


def _check_budget(tx: Transaction, workshop: Workshop, budget: int) -> None:
    assert workshop.id is not None
    most = most_dots_placed(tx.session, workshop.id)
    if most > budget:
        raise Conflict(
            N_plural(
                "A participant has already placed %(dots)d dot; the budget cannot be lower.",
                "A participant has already placed %(dots)d dots; the budget cannot be lower.",
                count="dots",
            ),
            field="dot_budget",
            dots=most,
        )


def _check_rated_kinds(tx: Transaction, workshop: Workshop, removed: set[str]) -> None:
    if not removed:
        return
    rated = tx.session.exec(
        select(func.count())
        .select_from(Rating)
        .join(
            Item, (col(Item.id) == col(Rating.item_id)) & (col(Item.workshop_id) == col(Rating.workshop_id))
        )
        .where(col(Rating.workshop_id) == workshop.id, col(Item.kind).in_(removed))
    ).one()
    if rated:
        raise Conflict(
            N_plural(
                "%(count)d rating was given to this kind of item; it stays rated.",
                "%(count)d ratings were given to this kind of item; it stays rated.",
                count="count",
            ),
            field="rated_kinds",
            count=rated,
        )


def _ratings_by_criterion(tx: Transaction, workshop: Workshop) -> dict[int, int]:
    rows = tx.session.exec(
        select(Rating.criterion_id, func.count())
        .where(Rating.workshop_id == workshop.id)
        .group_by(col(Rating.criterion_id))
    )
    return dict(rows.all())


def _apply_criteria(tx: Transaction, workshop: Workshop, specs: list[CriterionSpec]) -> bool:
    assert workshop.id is not None
    existing = {c.key: c for c in criteria_of(tx.session, workshop.id)}
    rated = _ratings_by_criterion(tx, workshop)
    wanted = {spec.key for spec in specs}
    for key, stored in existing.items():
        if key not in wanted and rated.get(stored.id or 0):
            raise Conflict(
                N_plural(
                    "“%(label)s” has %(count)d rating and cannot be removed.",
                    "“%(label)s” has %(count)d ratings and cannot be removed.",
                    count="count",
                ),
                field="criteria",
                label=stored.label,
                count=rated[stored.id or 0],
            )
    changed = False
    for key, stored in existing.items():
        if key not in wanted:
            tx.session.delete(stored)
            changed = True
    tx.session.flush()
    for position, spec in enumerate(specs):
        criterion = existing.get(spec.key)
        values = {**spec.__dict__, "direction": Direction(spec.direction).value, "position": position}
        if criterion is None:
            tx.session.add(Criterion(workshop_id=workshop.id, **values))
            changed = True
            continue
        count = rated.get(criterion.id or 0, 0)
        if count and (criterion.scale_min, criterion.scale_max) != (spec.scale_min, spec.scale_max):
            raise Conflict(
                N_plural(
                    "The scale of “%(label)s” cannot change: %(count)d rating uses it.",
                    "The scale of “%(label)s” cannot change: %(count)d ratings use it.",
                    count="count",
                ),
                field=f"criteria.{position}.scale_max",
                label=criterion.label,
                count=count,
            )
        for name, value in values.items():
            if getattr(criterion, name) != value:
                setattr(criterion, name, value)
                changed = True
        tx.session.add(criterion)
    return changed


def _apply_groups(tx: Transaction, workshop: Workshop, specs: list[GroupSpec]) -> bool:
    assert workshop.id is not None
    existing = {g.key: g for g in groups_of(tx.session, workshop.id)}
    chosen = dict(
        tx.session.exec(
            select(Participant.group_id, func.count())
            .where(col(Participant.workshop_id) == workshop.id, col(Participant.group_id).is_not(None))
            .group_by(col(Participant.group_id))
        ).all()
    )
    wanted = {spec.key for spec in specs}
    changed = False
    for key, stored in existing.items():
        if key in wanted:
            continue
        if chosen.get(stored.id):
            raise Conflict(
                N_plural(
                    "%(count)d participant chose “%(label)s”; it cannot be removed.",
                    "%(count)d participants chose “%(label)s”; it cannot be removed.",
                    count="count",
                ),
                field="groups",
                label=stored.label,
                count=chosen[stored.id],
            )
        tx.session.delete(stored)
        changed = True
    tx.session.flush()
    for position, spec in enumerate(specs):
        group = existing.get(spec.key)
        if group is None:
            tx.session.add(
                StakeholderGroup(workshop_id=workshop.id, key=spec.key, label=spec.label, position=position)
            )
            changed = True
        elif (group.label, group.position) != (spec.label, position):
            group.label, group.position = spec.label, position
            tx.session.add(group)
            changed = True
    return changed
