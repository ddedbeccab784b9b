"""The printable report: the whole workshop on paper, for the facilitators and their partners.

Everything in it comes from the same places as the screen's and the API's: the backward tree
from `backward_tree`, every figure from the one results computation (`results_view`). Hidden,
withdrawn and merged items are left out, as on the screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, func, select

from backcast.analysis.results import MIN_GROUP_RATERS, Figures
from backcast.analysis.stats import CONSENSUS_MIN_N
from backcast.db import Database
from backcast.enums import ItemKind
from backcast.models import AgendaEntry, Criterion, Item, Participant, StakeholderGroup, Workshop
from backcast.queries.labels import builtin_labels, template_of
from backcast.queries.pathway import ActorMatrix, Pathway, actor_matrix, pathway, pathway_flags
from backcast.queries.results_view import ResultsView, Row, results_view, score_percent
from backcast.queries.screen import BackwardTree, GroupCount, backward_tree, group_counts
from backcast.services.agenda import agenda_of
from backcast.services.items import items_of
from backcast.services.workshops import criteria_of, groups_of


@dataclass
class CriterionLine:
    criterion: Criterion
    labels: dict[str, str]  # the label in each language, for built-in criteria


@dataclass
class GroupLine:
    group: StakeholderGroup
    labels: dict[str, str]  # the label in each language, for built-in groups
    participants: int


@dataclass
class GroupCell:
    """One measure's figures among one group; `figures` None: fewer than the minimum answered."""

    figures: Figures | None
    score_percent: float | None


@dataclass
class ReportView:
    workshop: Workshop
    held_on: datetime  # the day the room met: the first participant's joining, else the creation
    participants: int
    groups: list[GroupCount]  # groups with participants; label "" for those without a group
    group_lines: list[GroupLine]  # every group of the workshop, in its order
    criteria: list[CriterionLine]
    synthesis: list[Item]  # the adopted vision statement(s)
    backward: BackwardTree
    results: ResultsView
    agenda: list[tuple[AgendaEntry, Item]]
    by_group: list[tuple[Row, list[GroupCell]]]  # per ranked measure, a cell per group in `shown_groups`
    shown_groups: list[GroupLine]  # groups with participants
    pathway: Pathway | None = None
    matrix: ActorMatrix | None = None
    min_group_raters: int = MIN_GROUP_RATERS
    consensus_min_n: int = CONSENSUS_MIN_N


def _report(session: Session, workshop: Workshop) -> ReportView:
    assert workshop.id is not None
    standing = items_of(session, workshop.id)
    by_id = {item.id: item for item in standing}
    backward = backward_tree(session, workshop.id, standing)
    results = results_view(session, workshop)
    groups = groups_of(session, workshop.id)
    template = template_of(workshop)
    group_lines = [
        GroupLine(
            group,
            builtin_labels(template.groups, group.key, group.label),
            results.results.group_participants.get(group.key, 0),
        )
        for group in groups
    ]
    shown_groups = [line for line in group_lines if line.participants]
    by_group = [
        (
            row,
            [
                GroupCell(figures, score_percent(figures.score) if figures is not None else None)
                for figures in (row.result.groups.get(line.group.key) for line in shown_groups)
            ],
        )
        for row in results.rows
    ]
    first_joined = session.exec(
        select(func.min(Participant.joined_at)).where(Participant.workshop_id == workshop.id)
    ).one()
    return ReportView(
        workshop=workshop,
        held_on=first_joined or workshop.created_at,
        participants=results.results.participants,
        groups=group_counts(session, workshop.id, groups),
        group_lines=group_lines,
        criteria=[
            CriterionLine(criterion, builtin_labels(template.criteria, criterion.key, criterion.label))
            for criterion in criteria_of(session, workshop.id)
        ],
        synthesis=[item for item in backward.visions if item.adopted and item.kind == ItemKind.vision],
        backward=backward,
        results=results,
        by_group=by_group,
        shown_groups=shown_groups,
        agenda=[
            (entry, by_id[entry.item_id]) for entry in agenda_of(session, workshop) if entry.item_id in by_id
        ],
        pathway=pathway(session, workshop, standing, pathway_flags(session, workshop.id, standing)),
        matrix=actor_matrix(session, workshop, standing),
    )


def report_view(db: Database, workshop_id: int) -> ReportView:
    with db.read() as session:
        workshop = session.get(Workshop, workshop_id)
        assert workshop is not None
        return _report(session, workshop)
