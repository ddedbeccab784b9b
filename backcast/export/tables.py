"""The rows of every export table, made from a workshop's data and its results."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from backcast.analysis.data import WorkshopData
from backcast.analysis.results import Figures, Results
from backcast.analysis.stats import Summary
from backcast.export.schema import TABLES, TableSpec
from backcast.models import Participant, Workshop
from backcast.services.participants import in_research

Row = tuple[Any, ...]


@dataclass(frozen=True)
class Table:
    spec: TableSpec
    count: int  # rows; for results_counts at most this many, as hidden group figures have none
    rows: Callable[[], Iterator[Row]]  # a new iterator on each call, so every format can read it

    @property
    def name(self) -> str:
        return self.spec.name


def pseudonymiser(secret_key: str, workshop_id: int) -> Callable[[int], str]:
    """A participant's pseudonym: a keyed hash (HMAC-SHA256) of the workshop and participant ids.

    The server's secret key makes it impossible to recompute from the ids; the workshop id in the
    message keeps the pseudonyms of two workshops apart. 48 bits keep it short; a collision among
    a workshop's participants is about as likely as one in 10^7 for a thousand of them.
    """
    key = hmac.new(secret_key.encode(), b"backcast participant pseudonym", hashlib.sha256).digest()

    def pseudonym(participant_id: int) -> str:
        message = f"{workshop_id}:{participant_id}".encode()
        return "p" + hmac.new(key, message, hashlib.sha256).hexdigest()[:12]

    return pseudonym


def shown_names(workshop: Workshop, participants: list[Participant], names: bool) -> dict[int, str]:
    """The names an export may carry: only when asked, never when the workshop promised not to ask
    for names, and only of those whose data may go into research exports at all."""
    if not names or workshop.names == "off":
        return {}
    return {
        participant.id: participant.name
        for participant in participants
        if participant.id is not None and participant.name and in_research(workshop, participant)
    }


def build_tables(
    data: WorkshopData,
    results_of: Callable[[], Results],
    pseudonym: Callable[[int], str],
    names: dict[int, str],
) -> dict[str, Table]:
    """The tables of an export. Times stay as the database gives them, aware and in UTC.
    `results_of` is called only when a results table is read: a CSV of ratings needs none."""
    workshop = data.workshop
    items = {item.id: item for item in data.items}
    group_key = {group.id: group.key for group in data.groups}
    member_of = {p.id: group_key.get(p.group_id) if p.group_id else None for p in data.participants}
    aliases = {p.id: pseudonym(p.id) for p in data.participants if p.id is not None}
    counted = data.counted_item_ids
    scale_values = sum(criterion.scale_max - criterion.scale_min + 1 for criterion in data.criteria)

    def workshop_rows() -> Iterator[Row]:
        yield (
            workshop.code,
            workshop.title,
            workshop.question,
            workshop.present_year,
            workshop.vision_year,
            workshop.language,
            workshop.phase,
            workshop.names,
            workshop.dot_budget,
            " ".join(workshop.rated_kinds),
            workshop.consent_text,
            workshop.consent_version,
            workshop.created_at,
        )

    def criteria_rows() -> Iterator[Row]:
        for c in data.criteria:
            yield (
                c.key,
                c.label,
                c.low_label,
                c.high_label,
                c.scale_min,
                c.scale_max,
                c.weight,
                c.direction,
                c.position,
            )

    def group_rows() -> Iterator[Row]:
        for group in data.groups:
            members = sum(1 for participant in data.participants if participant.group_id == group.id)
            yield group.key, group.label, group.position, members

    def participant_rows() -> Iterator[Row]:
        for p in data.participants:
            assert p.id is not None
            yield (
                aliases[p.id],
                names.get(p.id),
                member_of[p.id],
                p.joined_at,
                p.consent_version,
                p.consented_at,
            )

    def item_rows() -> Iterator[Row]:
        for item in data.items:
            yield (
                item.id,
                item.kind,
                item.text,
                item.year,
                aliases.get(item.author_id) if item.author_id else None,
                item.by_facilitator,
                item.hidden,
                item.withdrawn,
                item.merged_into_id,
                item.adopted,
                item.id in counted,
                item.created_at,
                item.updated_at,
                item.table_id,
            )

    def table_rows() -> Iterator[Row]:
        for table in data.tables:
            yield (
                table.id,
                table.breakout,
                table.number,
                table.name,
                table.scope_item_id,
                table.scope_text,
                table.assign,
                table.seed,
                table.started_at,
                table.ended_at,
            )

    def seating_rows() -> Iterator[Row]:
        for seat in data.seating:
            yield seat.table_id, aliases[seat.participant_id], seat.how, seat.seated_at, seat.left_at

    def link_rows() -> Iterator[Row]:
        for link in data.links:
            yield link.from_id, items[link.from_id].kind, link.to_id, items[link.to_id].kind

    def rating_rows() -> Iterator[Row]:
        # Plain values looked up once: reading ORM attributes a hundred thousand times is slow.
        about = {item.id: (item.kind, item.text) for item in data.items}
        keys = {criterion.id: criterion.key for criterion in data.criteria}
        for r in data.ratings:
            kind, text = about[r.item_id]
            yield (
                r.item_id,
                kind,
                text,
                keys[r.criterion_id],
                r.value,
                r.value is None,
                aliases[r.participant_id],
                member_of[r.participant_id],
                r.rated_at,
                r.updated_at,
                r.item_id in counted,
            )

    def dots_rows() -> Iterator[Row]:
        for d in data.dots:
            yield (
                d.item_id,
                aliases[d.participant_id],
                member_of[d.participant_id],
                d.count,
                d.updated_at,
                d.item_id in counted,
            )

    scopes = [(None, lambda result: result.overall)] + [
        (group.key, lambda result, key=group.key: result.groups[key]) for group in data.groups
    ]

    def result_rows() -> Iterator[Row]:
        for result in results_of().items:
            for scope, figures_of in scopes:
                f: Figures | None = figures_of(result)
                if f is None:
                    yield result.item.id, result.item.text, scope, False, None, None, None, None, None
                    continue
                score = None if f.score is None else float(f.score)
                criteria_used = " ".join(f.score_criteria)
                yield (
                    result.item.id,
                    result.item.text,
                    scope,
                    True,
                    f.rank,
                    score,
                    criteria_used,
                    f.dots,
                    f.raters,
                )

    def result_criteria_rows() -> Iterator[Row]:
        for result in results_of().items:
            for scope, figures_of in scopes:
                f = figures_of(result)
                for criterion in data.criteria:
                    s: Summary | None = None if f is None else f.criteria[criterion.key]
                    if s is None:
                        yield (result.item.id, scope, criterion.key, False) + (None,) * 12
                        continue
                    yield (
                        result.item.id,
                        scope,
                        criterion.key,
                        True,
                        s.n,
                        s.n_cant_judge,
                        s.cant_judge_share,
                        s.mean,
                        s.median,
                        s.sd,
                        s.q1,
                        s.q3,
                        s.iqr,
                        s.min,
                        s.max,
                        s.consensus,
                    )

    def result_count_rows() -> Iterator[Row]:
        for result in results_of().items:
            for scope, figures_of in scopes:
                f = figures_of(result)
                for criterion in data.criteria:
                    s = None if f is None else f.criteria[criterion.key]
                    if s is not None:
                        for value, count in s.counts.items():
                            yield result.item.id, scope, criterion.key, value, count

    def agenda_rows() -> Iterator[Row]:
        for entry in data.agenda:
            yield (
                entry.position,
                entry.item_id,
                items[entry.item_id].text,
                entry.owner,
                entry.start_year,
                entry.note,
            )

    builders: dict[str, tuple[int, Callable[[], Iterator[Row]]]] = {
        "workshop": (1, workshop_rows),
        "criteria": (len(data.criteria), criteria_rows),
        "groups": (len(data.groups), group_rows),
        "participants": (len(data.participants), participant_rows),
        "items": (len(data.items), item_rows),
        "tables": (len(data.tables), table_rows),
        "seating": (len(data.seating), seating_rows),
        "links": (len(data.links), link_rows),
        "ratings": (len(data.ratings), rating_rows),
        "dots": (len(data.dots), dots_rows),
        "results": (len(counted) * len(scopes), result_rows),
        "results_criteria": (len(counted) * len(scopes) * len(data.criteria), result_criteria_rows),
        "results_counts": (len(counted) * len(scopes) * scale_values, result_count_rows),
        "agenda": (len(data.agenda), agenda_rows),
    }
    return {name: Table(TABLES[name], *builders[name]) for name in TABLES}
