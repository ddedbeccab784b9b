"""Coding a study's contributions with its themes, the agreement between two coders (Cohen's
kappa), and the settled coding that the study's results use.

Each coder keeps their own coding of an item (a `StudyCodedItem` with one `StudyCoding` row per
theme); coding again replaces it. Settling writes one more coding of the item, marked `settled`,
which replaces any earlier settled one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, delete, select

from backcast.db import Database, Transaction
from backcast.enums import ItemKind
from backcast.events import ItemCoded
from backcast.i18n import N_
from backcast.models import Facilitator, Item, Study, StudyCodedItem, StudyCoding, StudyTheme, Workshop
from backcast.services import study_access, validate
from backcast.services.errors import Conflict, Invalid, NotAllowed, NotFound
from backcast.services.eventlog import lock_study, record_study
from backcast.services.study_access import NOT_MEMBER

THEMES_PER_ITEM_MAX = 200

# The rule stated wherever the figures are shown.
AGREEMENT_RULE = N_(
    "Cohen's kappa per theme: for each item both coders coded, did each give it this theme or not. "
    "Overall: the mean of the per-theme kappas that are defined; pooled: every item and theme as one "
    "decision. A kappa is undefined where both coders gave the same answer to every item."
)


# --- writing -----------------------------------------------------------------------------------


def _lock_member(tx: Transaction, facilitator: Facilitator, study_id: object) -> Study:
    try:
        study = lock_study(tx, study_id)
    except NotFound:
        raise NotAllowed(NOT_MEMBER) from None
    if study_access.study_role(tx.session, study.id, facilitator) is None:
        raise NotAllowed(NOT_MEMBER)
    return study


def _item_in_study(session: Session, study: Study, item_id: object) -> Item:
    item = session.get(Item, item_id) if validate.is_id(item_id) else None
    workshop = session.get(Workshop, item.workshop_id) if item is not None else None
    if item is None or workshop is None or workshop.study_id != study.id:
        raise Conflict(N_("This contribution is not in a workshop of this study."), field="item")
    return item


def _clean_theme_ids(session: Session, study: Study, theme_ids: object) -> list[int]:
    if not isinstance(theme_ids, list | tuple) or len(theme_ids) > THEMES_PER_ITEM_MAX:
        raise Invalid(N_("Give the themes as a list of theme ids."), field="themes")
    wanted: list[int] = []
    for value in theme_ids:
        if not validate.is_id(value):
            raise Invalid(N_("This theme is not one of this study's themes."), field="themes")
        if value not in wanted:
            wanted.append(value)
    if wanted:
        known = set(
            session.exec(
                select(StudyTheme.id).where(StudyTheme.study_id == study.id, col(StudyTheme.id).in_(wanted))
            )
        )
        if len(known) != len(wanted):
            # A well-formed id that names no theme of this study: refused for what the study holds.
            raise Conflict(N_("This theme is not one of this study's themes."), field="themes")
    return sorted(wanted)


def _write_coding(
    tx: Transaction,
    study: Study,
    item: Item,
    coder: Facilitator,
    theme_ids: list[int],
    *,
    settled: bool,
) -> None:
    assert study.id is not None and item.id is not None and coder.id is not None
    old = tx.session.exec(
        select(StudyCodedItem).where(
            StudyCodedItem.item_id == item.id,
            StudyCodedItem.settled == settled,
            # One settled coding per item, whoever settled it.
            *(() if settled else (StudyCodedItem.coder_id == coder.id,)),
        )
    ).all()
    for row in old:
        tx.session.exec(delete(StudyCoding).where(col(StudyCoding.coded_item_id) == row.id))
        tx.session.delete(row)
    tx.session.flush()
    coded = StudyCodedItem(
        study_id=study.id, workshop_id=item.workshop_id, item_id=item.id, coder_id=coder.id, settled=settled
    )
    tx.session.add(coded)
    tx.session.flush()
    assert coded.id is not None
    for theme_id in theme_ids:
        tx.session.add(
            StudyCoding(
                coded_item_id=coded.id,
                study_id=study.id,
                item_id=item.id,
                theme_id=theme_id,
                coder_id=coder.id,
                settled=settled,
                coded_at=coded.coded_at,
            )
        )
    record_study(
        tx,
        study,
        ItemCoded(
            study_id=study.id,
            item_id=item.id,
            workshop_id=item.workshop_id,
            coder_id=coder.id,
            themes=theme_ids,
            settled=settled,
        ),
        coder,
    )


def code_item(
    db: Database, coder: Facilitator, study_id: object, item_id: object, theme_ids: object
) -> list[int]:
    """The coder's own coding of a contribution of a workshop in the study: these themes (of this
    study), replacing their earlier coding. Any member may code, researcher or facilitator."""
    with db.write() as tx:
        study = _lock_member(tx, coder, study_id)
        item = _item_in_study(tx.session, study, item_id)
        themes = _clean_theme_ids(tx.session, study, theme_ids)
        _write_coding(tx, study, item, coder, themes, settled=False)
        return themes


def code_item_by_id(
    db: Database, coder: Facilitator, item_id: object, theme_ids: object
) -> tuple[int, list[int]]:
    """As `code_item`, for the study the item's workshop belongs to (the API's `PUT
    /items/{id}/themes`). An item outside every study of the coder is refused like one that is
    not theirs."""
    with db.read() as session:
        item = session.get(Item, item_id) if validate.is_id(item_id) else None
        workshop = session.get(Workshop, item.workshop_id) if item is not None else None
        study_id = workshop.study_id if workshop is not None else None
        if study_id is None or study_access.study_role(session, study_id, coder) is None:
            raise NotAllowed(NOT_MEMBER)
    return study_id, code_item(db, coder, study_id, item_id, theme_ids)


def settle_item(
    db: Database, member: Facilitator, study_id: object, item_id: object, theme_ids: object
) -> list[int]:
    """The study's settled coding of a contribution, chosen after comparing its coders; results
    use it. Settling again replaces it."""
    with db.write() as tx:
        study = _lock_member(tx, member, study_id)
        item = _item_in_study(tx.session, study, item_id)
        themes = _clean_theme_ids(tx.session, study, theme_ids)
        _write_coding(tx, study, item, member, themes, settled=True)
        return themes


def settle_agreed(
    db: Database, member: Facilitator, study_id: object, coder_a: object, coder_b: object
) -> int:
    """Settles every contribution both coders coded alike and not settled yet with their themes;
    the number settled. Differences stay for the compare view."""
    with db.write() as tx:
        study = _lock_member(tx, member, study_id)
        assert study.id is not None
        if not (validate.is_id(coder_a) and validate.is_id(coder_b)) or coder_a == coder_b:
            raise Invalid(N_("Choose two different coders."), field="coder_b")
        codings = _codings(tx.session, study.id, settled=False)
        settled = {item for _, item in _codings(tx.session, study.id, settled=True)}
        a = {item: themes for (coder, item), themes in codings.items() if coder == coder_a}
        b = {item: themes for (coder, item), themes in codings.items() if coder == coder_b}
        alike = sorted(item for item in set(a) & set(b) if a[item] == b[item] and item not in settled)
        for item_id in alike:
            item = tx.session.get(Item, item_id)
            assert item is not None
            _write_coding(tx, study, item, member, sorted(a[item_id]), settled=True)
        return len(alike)


# --- reading -----------------------------------------------------------------------------------


def _require_member(session: Session, facilitator: Facilitator, study_id: object) -> Study:
    study = session.get(Study, study_id) if validate.is_id(study_id) else None
    if study is None or study_access.study_role(session, study.id, facilitator) is None:
        raise NotAllowed(NOT_MEMBER)
    return study


def _codings(session: Session, study_id: int, *, settled: bool) -> dict[tuple[int, int], set[int]]:
    """(coder, item) → themes; an item coded with no theme maps to an empty set. Only items whose
    workshop is still in the study count."""
    found: dict[tuple[int, int], set[int]] = {}
    rows = session.exec(
        select(StudyCodedItem)
        .join(Workshop, col(Workshop.id) == StudyCodedItem.workshop_id)
        .where(
            StudyCodedItem.study_id == study_id,
            StudyCodedItem.settled == settled,
            Workshop.study_id == study_id,
        )
    )
    ids = {}
    for row in rows:
        found[(row.coder_id, row.item_id)] = set()
        ids[row.id] = (row.coder_id, row.item_id)
    if ids:
        for coding in session.exec(select(StudyCoding).where(col(StudyCoding.coded_item_id).in_(list(ids)))):
            found[ids[coding.coded_item_id]].add(coding.theme_id)
    return found


def settled_themes(db: Database, study_id: int) -> dict[int, set[int]]:
    """The settled coding of each settled item of the study (item id → theme ids): what the
    study's results use. Items not settled yet are absent."""
    with db.read() as session:
        return {item: themes for (_, item), themes in _codings(session, study_id, settled=True).items()}


@dataclass(frozen=True)
class CodingItem:
    """A contribution to code, with the themes the reader, the other coders and the settled
    coding gave it."""

    item: Item
    workshop: Workshop
    mine: set[int] | None
    others: dict[int, set[int]]
    settled: set[int] | None


def items_to_code(
    db: Database,
    facilitator: Facilitator,
    study_id: object,
    *,
    workshop_code: str | None = None,
    kind: str | None = None,
) -> list[CodingItem]:
    """The contributions of the study's workshops (visible, not merged away), filtered by
    workshop and kind, in workshop then contribution order."""
    with db.read() as session:
        study = _require_member(session, facilitator, study_id)
        assert study.id is not None
        query = (
            select(Item, Workshop)
            .join(Workshop, col(Workshop.id) == Item.workshop_id)
            .where(
                Workshop.study_id == study.id,
                col(Item.hidden).is_(False),
                col(Item.withdrawn).is_(False),
                col(Item.merged_into_id).is_(None),
            )
            .order_by(col(Workshop.held_on).is_(None), col(Workshop.held_on), col(Workshop.id), col(Item.id))
        )
        if workshop_code:
            query = query.where(Workshop.code == workshop_code)
        if kind and kind in {k.value for k in ItemKind}:
            query = query.where(Item.kind == kind)
        codings = _codings(session, study.id, settled=False)
        settled = _codings(session, study.id, settled=True)
        settled_by_item = {item: themes for (_, item), themes in settled.items()}
        # Grouped by item once, so that a study of thousands of contributions stays one pass.
        by_item: dict[int, dict[int, set[int]]] = defaultdict(dict)
        for (coder, coded), themes in codings.items():
            by_item[coded][coder] = themes
        found = []
        for item, workshop in session.exec(query):
            assert item.id is not None and facilitator.id is not None
            others = {
                coder: themes for coder, themes in by_item.get(item.id, {}).items() if coder != facilitator.id
            }
            found.append(
                CodingItem(
                    item=item,
                    workshop=workshop,
                    mine=codings.get((facilitator.id, item.id)),
                    others=others,
                    settled=settled_by_item.get(item.id),
                )
            )
        return found


def coders_of(db: Database, facilitator: Facilitator, study_id: object) -> list[tuple[Facilitator, int]]:
    """Everyone who coded in the study, with their number of coded items, most first."""
    with db.read() as session:
        study = _require_member(session, facilitator, study_id)
        assert study.id is not None
        counts: dict[int, int] = defaultdict(int)
        for coder, _ in _codings(session, study.id, settled=False):
            counts[coder] += 1
        people = {
            f.id: f for f in session.exec(select(Facilitator).where(col(Facilitator.id).in_(list(counts))))
        }
        return sorted(((people[c], n) for c, n in counts.items()), key=lambda p: (-p[1], p[0].id or 0))


# --- agreement ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kappa:
    """Cohen's kappa for one binary decision over `n` items: observed agreement `observed`,
    agreement expected by chance `expected`; `kappa` is None where chance alone agrees on every
    item (both coders gave the same answer throughout), where kappa is undefined."""

    n: int
    both: int
    only_a: int
    only_b: int
    neither: int
    observed: float | None
    expected: float | None
    kappa: float | None


def cohen_kappa(pairs: Iterable[tuple[bool, bool]]) -> Kappa:
    """Cohen's kappa of two coders' yes/no decisions: (p_o − p_e) / (1 − p_e)."""
    both = only_a = only_b = neither = 0
    for a, b in pairs:
        if a and b:
            both += 1
        elif a:
            only_a += 1
        elif b:
            only_b += 1
        else:
            neither += 1
    n = both + only_a + only_b + neither
    if n == 0:
        return Kappa(0, 0, 0, 0, 0, None, None, None)
    observed = (both + neither) / n
    yes_a, yes_b = (both + only_a) / n, (both + only_b) / n
    expected = yes_a * yes_b + (1 - yes_a) * (1 - yes_b)
    # Rounded off the float noise, so that "no better than chance" reads 0.00 rather than -0.00.
    kappa = None if expected >= 1 else round((observed - expected) / (1 - expected), 12) + 0.0
    return Kappa(n, both, only_a, only_b, neither, observed, expected, kappa)


@dataclass(frozen=True)
class ThemeAgreement:
    theme: StudyTheme
    kappa: Kappa


@dataclass(frozen=True)
class Agreement:
    """Two coders' agreement over the items both coded: per theme, and overall as the mean of the
    per-theme kappas that are defined (`mean_kappa`), and pooled over every item × theme decision
    (`pooled`)."""

    coder_a: Facilitator | None
    coder_b: Facilitator | None
    items: int
    themes: list[ThemeAgreement]
    mean_kappa: float | None
    themes_in_mean: int
    pooled: Kappa
    differing: list[int]


def agreement_between(
    themes: Sequence[StudyTheme], a: dict[int, set[int]], b: dict[int, set[int]]
) -> tuple[list[ThemeAgreement], float | None, int, Kappa, list[int], int]:
    """The figures for two codings (item → themes), over the items both coded."""
    shared = sorted(set(a) & set(b))
    per_theme = [ThemeAgreement(t, cohen_kappa((t.id in a[i], t.id in b[i]) for i in shared)) for t in themes]
    defined = [p.kappa.kappa for p in per_theme if p.kappa.kappa is not None]
    mean = sum(defined) / len(defined) if defined else None
    pooled = cohen_kappa((t.id in a[i], t.id in b[i]) for i in shared for t in themes)
    differing = [i for i in shared if a[i] != b[i]]
    return per_theme, mean, len(defined), pooled, differing, len(shared)


def agreement(
    db: Database,
    facilitator: Facilitator,
    study_id: object,
    coder_a: object = None,
    coder_b: object = None,
) -> Agreement:
    """Agreement of two coders of the study; without them, the two who coded most."""
    coders = coders_of(db, facilitator, study_id)
    by_id = {c.id: c for c, _ in coders}
    first = by_id.get(coder_a) if isinstance(coder_a, int) else (coders[0][0] if coders else None)
    second = by_id.get(coder_b) if isinstance(coder_b, int) else None
    # A coder compared with themselves agrees trivially: the other coder is then someone else.
    if second is None or (first is not None and second.id == first.id):
        second = next((c for c, _ in coders if first is None or c.id != first.id), None)
    with db.read() as session:
        study = _require_member(session, facilitator, study_id)
        assert study.id is not None
        themes = list(
            session.exec(
                select(StudyTheme)
                .where(StudyTheme.study_id == study.id)
                .order_by(col(StudyTheme.position), col(StudyTheme.id))
            )
        )
        codings = _codings(session, study.id, settled=False)
    a = {item: t for (coder, item), t in codings.items() if first is not None and coder == first.id}
    b = {item: t for (coder, item), t in codings.items() if second is not None and coder == second.id}
    per_theme, mean, in_mean, pooled, differing, n = agreement_between(themes, a, b)
    return Agreement(first, second, n, per_theme, mean, in_mean, pooled, differing)
