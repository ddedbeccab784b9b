"""What a study decides about its workshops: who may run or read them (its members' roles), and
whether a workshop's criteria and groups fit the study's codebook.

Kept apart from `studies` so that the workshop services can ask without importing the study
services, which build on them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from sqlmodel import Session, select

from backcast.enums import StudyRole
from backcast.i18n import N_
from backcast.models import Facilitator, StudyMember, Workshop, WorkshopOwner
from backcast.models import limits as L
from backcast.services import validate
from backcast.services.errors import Conflict, Invalid, NotAllowed
from backcast.workshop_templates import WorkshopTemplate


def study_role(session: Session, study_id: int | None, facilitator: Facilitator) -> StudyRole | None:
    if study_id is None or facilitator.id is None:
        return None
    role = session.exec(
        select(StudyMember.role).where(
            StudyMember.study_id == study_id, StudyMember.facilitator_id == facilitator.id
        )
    ).first()
    return StudyRole(role) if role is not None else None


def is_owner(session: Session, workshop: Workshop, facilitator: Facilitator) -> bool:
    return (
        session.exec(
            select(WorkshopOwner.facilitator_id).where(
                WorkshopOwner.workshop_id == workshop.id,
                WorkshopOwner.facilitator_id == facilitator.id,
            )
        ).first()
        is not None
    )


def may_run(session: Session, workshop: Workshop, facilitator: Facilitator) -> bool:
    """The one rule for running a workshop: its owners, and the facilitators of its study."""
    return is_owner(session, workshop, facilitator) or (
        study_role(session, workshop.study_id, facilitator) == StudyRole.facilitator
    )


def may_read(session: Session, workshop: Workshop, facilitator: Facilitator) -> bool:
    """Reading (console views, results, exports) also admits the researchers of its study."""
    return may_run(session, workshop, facilitator) or (
        study_role(session, workshop.study_id, facilitator) is not None
    )


# --- comparability ----------------------------------------------------------------------------


class _Criterion(Protocol):
    # Read-only, so that frozen specs and table rows both fit.
    @property
    def key(self) -> str: ...
    @property
    def scale_min(self) -> int: ...
    @property
    def scale_max(self) -> int: ...
    @property
    def direction(self) -> Any: ...


class _Group(Protocol):
    @property
    def key(self) -> str: ...


@dataclass(frozen=True)
class Difference:
    """One way a workshop's set-up departs from its study's codebook, as a message to show."""

    message: str
    params: dict[str, Any]


def differences(
    codebook: WorkshopTemplate, criteria: Sequence[_Criterion], groups: Sequence[_Group]
) -> list[Difference]:
    """What keeps these criteria and groups from being compared with the study's: a criterion's
    key, scale or direction, a group's key. Labels and weights may differ (a workshop's labels
    are in its language; weights change only the weighted score, which is recomputed per workshop)."""
    found: list[Difference] = []
    theirs = {c.key: c for c in criteria}
    ours = {c.key: c for c in codebook.criteria}
    for key, study_criterion in ours.items():
        criterion = theirs.get(key)
        if criterion is None:
            found.append(
                Difference(N_("Criterion '%(key)s' is in the study but not in this workshop."), {"key": key})
            )
            continue
        if (criterion.scale_min, criterion.scale_max) != (
            study_criterion.scale_min,
            study_criterion.scale_max,
        ):
            found.append(
                Difference(
                    N_("Criterion '%(key)s': scale %(study)s in the study, %(workshop)s in this workshop."),
                    {
                        "key": key,
                        "study": f"{study_criterion.scale_min}–{study_criterion.scale_max}",
                        "workshop": f"{criterion.scale_min}–{criterion.scale_max}",
                    },
                )
            )
        if str(criterion.direction) != str(study_criterion.direction):
            found.append(
                Difference(
                    N_("Criterion '%(key)s': higher is better in the study, lower in this workshop.")
                    if str(study_criterion.direction) == "higher"
                    else N_("Criterion '%(key)s': lower is better in the study, higher in this workshop."),
                    {"key": key},
                )
            )
    for key in sorted(theirs.keys() - ours.keys()):
        found.append(
            Difference(N_("Criterion '%(key)s' is in this workshop but not in the study."), {"key": key})
        )
    their_groups = {g.key for g in groups}
    our_groups = {g.key for g in codebook.groups}
    for key in sorted(our_groups - their_groups):
        found.append(
            Difference(N_("Group '%(key)s' is in the study but not in this workshop."), {"key": key})
        )
    for key in sorted(their_groups - our_groups):
        found.append(
            Difference(N_("Group '%(key)s' is in this workshop but not in the study."), {"key": key})
        )
    return found


def require_fit(codebook: WorkshopTemplate, criteria: Sequence[_Criterion], groups: Sequence[_Group]) -> None:
    """Refuses (409, nothing changed) naming the first difference from the study's codebook."""
    found = differences(codebook, criteria, groups)
    if found:
        first = found[0]
        field = "groups" if first.message.startswith("Group") else "criteria"
        raise Conflict(first.message, field=field, **first.params)


@dataclass(frozen=True)
class StudyDetails:
    """What a study compares its workshops by, besides their language."""

    region: str = ""
    sector: str = ""
    held_on: date | None = None
    venue: str = ""


def clean_details(
    region: object = "", sector: object = "", held_on: object = None, venue: object = ""
) -> StudyDetails:
    when: date | None
    if held_on is None or held_on == "":
        when = None
    elif isinstance(held_on, date):
        when = held_on
    else:
        try:
            when = date.fromisoformat(held_on) if isinstance(held_on, str) and len(held_on) == 10 else None
        except ValueError:
            when = None
        if when is None:
            raise Invalid(N_("Give the date as YYYY-MM-DD."), field="held_on")
    return StudyDetails(
        region=validate.text(region, "region", max_length=L.REGION_MAX, required=False, multiline=False),
        sector=validate.text(sector, "sector", max_length=L.REGION_MAX, required=False, multiline=False),
        held_on=when,
        venue=validate.text(venue, "venue", max_length=L.TITLE_MAX, required=False, multiline=False),
    )


def require_facilitator_role(session: Session, study_id: int, facilitator: Facilitator) -> None:
    role = study_role(session, study_id, facilitator)
    if role is None:
        raise NotAllowed(NOT_MEMBER)
    if role != StudyRole.facilitator:
        raise NotAllowed(N_("Researchers read a study's workshops; only its facilitators may change them."))


NOT_MEMBER = N_("Only the study's members may do this.")
