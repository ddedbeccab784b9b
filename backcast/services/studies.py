"""Studies: a series of workshops with one codebook (criteria, groups, themes), compared across
regions or sectors, and the members who run (facilitators) or read (researchers) them.

Every change is written to the study's own log; a workshop joining or leaving is written to the
workshop's log too. The access rule for the workshops themselves is in `study_access`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from backcast import workshop_templates
from backcast.db import Database, Transaction
from backcast.enums import Language, StudyRole
from backcast.events import (
    StudyCreated,
    StudyDeleted,
    StudyDetailsSet,
    StudyEdited,
    StudyMemberAdded,
    StudyMemberRemoved,
    StudyThemeAdded,
    WorkshopAttached,
    WorkshopDetached,
)
from backcast.i18n import N_, N_plural
from backcast.models import Facilitator, Study, StudyMember, StudyTheme, Workshop
from backcast.models import limits as L
from backcast.services import carrying, study_access, templates, validate, workshops
from backcast.services.accounts import clean_email
from backcast.services.configuration import key_from_label
from backcast.services.errors import Conflict, Invalid, NotAllowed, NotFound
from backcast.services.eventlog import lock_study, record, record_account, record_study
from backcast.services.study_access import NOT_MEMBER, StudyDetails
from backcast.workshop_templates import WorkshopTemplate

THEMES_MAX = 200


@dataclass(frozen=True)
class ThemeSpec:
    label_de: str
    label_en: str = ""
    key: str = ""


@dataclass(frozen=True)
class Member:
    id: int
    email: str
    role: StudyRole
    added_at: datetime


@dataclass(frozen=True)
class StudyView:
    """A study as its members see it: its codebook, themes, workshops and members."""

    study: Study
    role: StudyRole
    codebook: WorkshopTemplate
    themes: list[StudyTheme]
    workshops: list[Workshop]
    members: list[Member] = field(default_factory=list)

    @property
    def may_change(self) -> bool:
        return self.role == StudyRole.facilitator


# --- reading ----------------------------------------------------------------------------------


def _members(session: Session, study_id: int) -> list[Member]:
    rows = session.exec(
        select(Facilitator, StudyMember)
        .join(StudyMember, col(StudyMember.facilitator_id) == col(Facilitator.id))
        .where(StudyMember.study_id == study_id)
        .order_by(col(StudyMember.added_at), col(Facilitator.id))
    )
    return [Member(f.id, f.email, StudyRole(m.role), m.added_at) for f, m in rows]  # type: ignore[arg-type]


def _workshops(session: Session, study_id: int) -> list[Workshop]:
    query = (
        select(Workshop)
        .where(Workshop.study_id == study_id)
        # By date, undated last on every store (SQLite and PostgreSQL sort NULL differently).
        .order_by(
            col(Workshop.held_on).is_(None), col(Workshop.held_on), col(Workshop.created_at), col(Workshop.id)
        )
    )
    return list(session.exec(query))


def _themes(session: Session, study_id: int) -> list[StudyTheme]:
    query = (
        select(StudyTheme)
        .where(StudyTheme.study_id == study_id)
        .order_by(col(StudyTheme.position), col(StudyTheme.id))
    )
    return list(session.exec(query))


def _member_role(session: Session, study_id: object, facilitator: Facilitator) -> tuple[Study, StudyRole]:
    # A study that does not exist is answered like one that is not yours, as workshop codes are.
    study = session.get(Study, study_id) if validate.is_id(study_id) else None
    role = study_access.study_role(session, study.id, facilitator) if study is not None else None
    if study is None or role is None:
        raise NotAllowed(NOT_MEMBER)
    return study, role


def study_view(db: Database, facilitator: Facilitator, study_id: object) -> StudyView:
    """The study, for any of its members."""
    with db.read() as session:
        study, role = _member_role(session, study_id, facilitator)
        assert study.id is not None
        return StudyView(
            study=study,
            role=role,
            codebook=WorkshopTemplate.model_validate(study.codebook),
            themes=_themes(session, study.id),
            workshops=_workshops(session, study.id),
            members=_members(session, study.id),
        )


@dataclass(frozen=True)
class StudyListing:
    study: Study
    role: StudyRole
    workshops: int


def studies_of(db: Database, facilitator: Facilitator) -> list[StudyListing]:
    """The studies this facilitator is a member of, newest first, with their number of workshops."""
    with db.read() as session:
        counts = (
            select(Workshop.study_id, func.count().label("n"))
            .where(col(Workshop.study_id).is_not(None))
            .group_by(col(Workshop.study_id))
            .subquery()
        )
        rows = session.exec(
            select(Study, StudyMember.role, counts.c.n)
            .join(StudyMember, col(StudyMember.study_id) == col(Study.id))
            .outerjoin(counts, counts.c.study_id == col(Study.id))
            .where(StudyMember.facilitator_id == facilitator.id)
            .order_by(col(Study.created_at).desc(), col(Study.id).desc())
        )
        return [StudyListing(study, StudyRole(role), n or 0) for study, role, n in rows]


def all_studies(db: Database) -> list[StudyListing]:
    """Every study on the server with its number of workshops (for the operator's command line);
    `role` is that of the first facilitator."""
    with db.read() as session:
        found = []
        for study in session.exec(select(Study).order_by(col(Study.id))):
            assert study.id is not None
            found.append(StudyListing(study, StudyRole.facilitator, len(_workshops(session, study.id))))
        return found


def first_facilitator(db: Database, study_id: int) -> Facilitator | None:
    with db.read() as session:
        return session.exec(
            select(Facilitator)
            .join(StudyMember, col(StudyMember.facilitator_id) == col(Facilitator.id))
            .where(StudyMember.study_id == study_id, StudyMember.role == StudyRole.facilitator)
            .order_by(col(StudyMember.added_at), col(Facilitator.id))
        ).first()


@dataclass(frozen=True)
class StudyContents:
    study: Study
    workshops: list[Workshop]  # by date, undated last
    themes: list[StudyTheme]  # in the codebook's order


def study_contents(db: Database, study_id: int) -> StudyContents:
    """A study, its workshops and themes, for an export; whoever calls has checked access (the
    API by membership, the command line is the operator's)."""
    with db.read() as session:
        study = session.get(Study, study_id)
        if study is None:
            raise NotFound(N_("There is no study %(id)s."), field="study", id=study_id)
        return StudyContents(study, _workshops(session, study_id), _themes(session, study_id))


def members_of(db: Database, facilitator: Facilitator, study_id: object) -> list[Member]:
    with db.read() as session:
        study, _ = _member_role(session, study_id, facilitator)
        assert study.id is not None
        return _members(session, study.id)


def workshops_in(db: Database, facilitator: Facilitator, study_id: object) -> list[Workshop]:
    with db.read() as session:
        study, _ = _member_role(session, study_id, facilitator)
        assert study.id is not None
        return _workshops(session, study.id)


# --- the codebook ------------------------------------------------------------------------------


def _both_languages(template: WorkshopTemplate) -> WorkshopTemplate:
    """Labels given in one language only are copied into the other, so that a workshop in either
    language gets labels (a facilitator may translate them later in its set-up)."""
    data = template.model_dump(mode="json")

    def fill(texts: dict[str, str]) -> dict[str, str]:
        known = next((t for t in (texts.get("de"), texts.get("en")) if t), "")
        return (
            {language.value: texts.get(language.value) or known for language in Language} if known else texts
        )

    for criterion in data["criteria"]:
        for name in ("label", "low_label", "high_label"):
            criterion[name] = fill(criterion[name])
    for group in data["groups"]:
        group["label"] = fill(group["label"])
    return WorkshopTemplate.model_validate(data)


def codebook_from_workshop(db: Database, facilitator: Facilitator, code: str) -> WorkshopTemplate:
    """A workshop's set-up as a codebook; only someone who runs the workshop may take it."""
    source = workshops.owned_workshop(db, facilitator, code)
    template = workshops.setup_template(db, facilitator, code, source.template or "study", source.title)
    return _both_languages(template)


def _clean_themes(specs: Sequence[ThemeSpec], taken: set[str] | None = None) -> list[ThemeSpec]:
    if len(specs) > THEMES_MAX:
        raise Invalid(N_("At most %(max)d themes."), field="themes", max=THEMES_MAX)
    taken = set(taken or ())
    cleaned = []
    for index, spec in enumerate(specs):
        where = f"themes.{index}"
        label_de = validate.text(
            spec.label_de, f"{where}.label_de", max_length=L.LABEL_MAX, required=False, multiline=False
        )
        label_en = validate.text(
            spec.label_en, f"{where}.label_en", max_length=L.LABEL_MAX, required=False, multiline=False
        )
        if not label_de and not label_en:
            raise Invalid(N_("A theme needs a label in at least one language."), field=f"{where}.label_de")
        if spec.key:
            key = validate.key(spec.key, f"{where}.key", max_length=L.KEY_MAX)
        else:
            key = key_from_label(label_en or label_de, taken)
        if key in taken:
            raise Invalid(N_("Each theme needs its own key."), field=f"{where}.key")
        taken.add(key)
        cleaned.append(ThemeSpec(label_de=label_de, label_en=label_en, key=key))
    return cleaned


def _clean_title(title: object) -> str:
    return validate.text(title, "title", max_length=L.TITLE_MAX, multiline=False)


def _clean_description(description: object) -> str:
    return validate.text(description, "description", max_length=L.DESCRIPTION_MAX, required=False)


def create_study(
    db: Database,
    facilitator: Facilitator,
    *,
    title: object,
    description: object = "",
    template_key: str | None = None,
    from_workshop: str | None = None,
    themes: Sequence[ThemeSpec] = (),
) -> Study:
    """A new study whose codebook comes from a workshop template (built-in or one's own) or from
    an existing workshop's set-up; its creator is its first facilitator."""
    title = _clean_title(title)
    description = _clean_description(description)
    if template_key and from_workshop:
        raise Invalid(N_("Start from a template or from a workshop, not both."), field="from_workshop")
    if from_workshop:
        codebook = codebook_from_workshop(db, facilitator, from_workshop)
        source = f"workshop:{workshops.workshop_by_code(db, from_workshop).code}"
    else:
        key = template_key or workshop_templates.DEFAULT
        codebook = _both_languages(templates.find_template(db, facilitator, key))
        source = f"template:{key}"
    theme_specs = _clean_themes(themes)
    assert facilitator.id is not None
    with db.write() as tx:
        study = Study(title=title, description=description, codebook=codebook.model_dump(mode="json"))
        tx.session.add(study)
        tx.session.flush()
        assert study.id is not None
        tx.session.add(
            StudyMember(study_id=study.id, facilitator_id=facilitator.id, role=StudyRole.facilitator)
        )
        for position, spec in enumerate(theme_specs):
            tx.session.add(
                StudyTheme(
                    study_id=study.id,
                    key=spec.key,
                    label_de=spec.label_de,
                    label_en=spec.label_en,
                    position=position,
                )
            )
        record_study(
            tx,
            study,
            StudyCreated(
                study_id=study.id,
                title=title,
                source=source,
                criteria=[c.key for c in codebook.criteria],
                groups=[g.key for g in codebook.groups],
                themes=[t.key for t in theme_specs],
            ),
            facilitator,
        )
        record_study(
            tx,
            study,
            StudyMemberAdded(
                study_id=study.id,
                facilitator_id=facilitator.id,
                role=StudyRole.facilitator,
                previous_role=None,
            ),
            facilitator,
        )
    return study


def _lock_for_change(tx: Transaction, facilitator: Facilitator, study_id: object) -> Study:
    """The study locked for writing, after checking `facilitator` is one of its facilitators."""
    try:
        study = lock_study(tx, study_id)
    except NotFound:
        raise NotAllowed(NOT_MEMBER) from None
    assert study.id is not None
    study_access.require_facilitator_role(tx.session, study.id, facilitator)
    return study


def edit_study(
    db: Database,
    facilitator: Facilitator,
    study_id: object,
    *,
    title: object = None,
    description: object = None,
) -> Study:
    """Changes the title or description; what is None stays."""
    new_title = None if title is None else _clean_title(title)
    new_description = None if description is None else _clean_description(description)
    with db.write() as tx:
        study = _lock_for_change(tx, facilitator, study_id)
        changed = []
        if new_title is not None and new_title != study.title:
            study.title = new_title
            changed.append("title")
        if new_description is not None and new_description != study.description:
            study.description = new_description
            changed.append("description")
        if changed:
            assert study.id is not None
            record_study(
                tx, study, StudyEdited(study_id=study.id, changed=changed, title=study.title), facilitator
            )
        return study


def delete_study(db: Database, facilitator: Facilitator, study_id: object) -> None:
    """Deletes an empty study. One that holds workshops is refused: they are detached first, on
    purpose, so that no workshop's data goes with a study by accident."""
    assert facilitator.id is not None
    with db.write() as tx:
        study = _lock_for_change(tx, facilitator, study_id)
        assert study.id is not None
        count = tx.session.exec(
            select(func.count()).select_from(Workshop).where(Workshop.study_id == study.id)
        ).one()
        if count:
            raise Conflict(
                N_plural(
                    "This study holds %(count)d workshop. Detach it first: the workshop and its data stay.",
                    "This study holds %(count)d workshops. Detach them first: "
                    "the workshops and their data stay.",
                    count="count",
                ),
                count=count,
            )
        record_account(tx, StudyDeleted(study_id=study.id, title=study.title, facilitator_id=facilitator.id))
        tx.session.delete(study)


def save_codebook_as_template(
    db: Database, facilitator: Facilitator, study_id: object, name: object
) -> WorkshopTemplate:
    """The study's codebook among the facilitator's own templates, for a next study or workshop."""
    name = validate.text(name, "name", max_length=L.TITLE_MAX, multiline=False)
    view = study_view(db, facilitator, study_id)
    template = view.codebook.model_copy(
        update={"key": templates.slug(name), "name": {Language.de: name, Language.en: name}}
    )
    return templates.save_template(db, facilitator, template, via="study")


def _lock_for_member(tx: Transaction, facilitator: Facilitator, study_id: object) -> Study:
    """The study locked for writing, after checking `facilitator` is one of its members (either
    role: researchers code, and add the themes they code with)."""
    try:
        study = lock_study(tx, study_id)
    except NotFound:
        raise NotAllowed(NOT_MEMBER) from None
    if study_access.study_role(tx.session, study.id, facilitator) is None:
        raise NotAllowed(NOT_MEMBER)
    return study


def add_theme(db: Database, facilitator: Facilitator, study_id: object, spec: ThemeSpec) -> StudyTheme:
    """A new theme in the study's codebook, added in advance or while coding, by any member."""
    with db.write() as tx:
        study = _lock_for_member(tx, facilitator, study_id)
        assert study.id is not None
        existing = _themes(tx.session, study.id)
        if len(existing) >= THEMES_MAX:
            raise Conflict(N_("At most %(max)d themes."), field="themes", max=THEMES_MAX)
        if spec.key and spec.key in {t.key for t in existing}:
            # A well-formed key the study already has: refused for what the study holds.
            raise Conflict(N_("Each theme needs its own key."), field="key")
        (clean,) = _clean_themes([spec], {t.key for t in existing})
        theme = StudyTheme(
            study_id=study.id,
            key=clean.key,
            label_de=clean.label_de,
            label_en=clean.label_en,
            position=len(existing),
        )
        tx.session.add(theme)
        tx.session.flush()
        assert theme.id is not None
        record_study(
            tx, study, StudyThemeAdded(study_id=study.id, theme_id=theme.id, key=theme.key), facilitator
        )
        return theme


# --- members ------------------------------------------------------------------------------------


def add_member(
    db: Database, facilitator: Facilitator, study_id: object, email: object, role: object
) -> list[Member]:
    """Makes the account with this address a member in `role`; a member already gets the new
    role. A study keeps at least one facilitator."""
    address = clean_email(email)
    new_role = validate.choice(role, "role", StudyRole)
    with db.write() as tx:
        study = _lock_for_change(tx, facilitator, study_id)
        assert study.id is not None
        other = tx.session.exec(select(Facilitator).where(Facilitator.email == address)).first()
        if other is None or other.id is None:
            raise Conflict(
                N_("No facilitator account has this address. They first need an account on this server."),
                field="email",
            )
        row = tx.session.get(StudyMember, (study.id, other.id))
        previous = StudyRole(row.role) if row is not None else None
        if previous == new_role:
            return _members(tx.session, study.id)
        if previous == StudyRole.facilitator:
            _keep_a_facilitator(tx.session, study.id)
        if row is None:
            row = StudyMember(study_id=study.id, facilitator_id=other.id, role=new_role)
        row.role = new_role
        tx.session.add(row)
        record_study(
            tx,
            study,
            StudyMemberAdded(
                study_id=study.id, facilitator_id=other.id, role=new_role, previous_role=previous
            ),
            facilitator,
        )
        tx.session.flush()
        return _members(tx.session, study.id)


def _keep_a_facilitator(session: Session, study_id: int) -> None:
    count = session.exec(
        select(func.count())
        .select_from(StudyMember)
        .where(StudyMember.study_id == study_id, StudyMember.role == StudyRole.facilitator)
    ).one()
    if count <= 1:
        raise Conflict(N_("A study keeps at least one facilitator: add another before removing this one."))


def remove_member(
    db: Database, facilitator: Facilitator, study_id: object, member_id: object
) -> list[Member]:
    """Removes a member, oneself included; their access to the study's workshops ends at once
    (every check reads the membership). The last facilitator stays."""
    with db.write() as tx:
        study = _lock_for_change(tx, facilitator, study_id)
        assert study.id is not None
        row = tx.session.get(StudyMember, (study.id, member_id)) if validate.is_id(member_id) else None
        if row is None:
            raise NotFound(N_("This account is not a member of this study."), field="facilitator_id")
        if row.role == StudyRole.facilitator:
            _keep_a_facilitator(tx.session, study.id)
        tx.session.delete(row)
        record_study(
            tx,
            study,
            StudyMemberRemoved(study_id=study.id, facilitator_id=row.facilitator_id, role=row.role),
            facilitator,
        )
        tx.session.flush()
        return _members(tx.session, study.id)


# --- workshops in a study -------------------------------------------------------------------------


def create_workshop_in_study(
    db: Database,
    facilitator: Facilitator,
    study_id: object,
    *,
    title: object,
    language: str = Language.de,
    details: StudyDetails | None = None,
    carry: carrying.CarryRequest | None = None,
    **setup: object,
) -> Workshop:
    """A new workshop that takes the study's codebook (criteria and groups in its language). With
    `carry`, it starts from another workshop's vision and milestones, and by default its years."""
    with db.read() as session:
        study, _ = _member_role(session, study_id, facilitator)
        assert study.id is not None
        # A researcher is told so before anything about a source workshop.
        study_access.require_facilitator_role(session, study.id, facilitator)
    then = None
    if carry is not None:
        source = carrying.check_source(db, facilitator, study.id, carry).workshop
        years = ("present_year", "vision_year", "milestone_years")
        # The source's horizon, unless this workshop is given years of its own.
        if all(setup.get(name) is None for name in years):
            setup.update({name: getattr(source, name) for name in years})
        then = carrying.carry_into(facilitator, carry)
    return workshops.create_workshop(
        db,
        facilitator,
        title=title,  # type: ignore[arg-type]
        language=language,
        template=WorkshopTemplate.model_validate(study.codebook),
        study_id=study.id,
        details=details,
        then=then,
        **setup,  # type: ignore[arg-type]
    )


def attach_workshop(
    db: Database, facilitator: Facilitator, study_id: object, code: str, details: StudyDetails | None = None
) -> Workshop:
    """Puts an existing workshop into the study when its criteria and groups fit the codebook;
    otherwise refused, naming the first difference. Only a facilitator of the study who also
    runs the workshop may do it."""
    details = details or StudyDetails()
    with db.write() as tx:
        study = _lock_for_change(tx, facilitator, study_id)
        assert study.id is not None
        workshop = workshops.lock_owned(tx, facilitator, code)
        assert workshop.id is not None
        if workshop.study_id == study.id:
            return workshop
        if workshop.study_id is not None:
            raise Conflict(N_("This workshop belongs to another study; detach it there first."), field="code")
        study_access.require_fit(
            WorkshopTemplate.model_validate(study.codebook),
            workshops.criteria_of(tx.session, workshop.id),
            workshops.groups_of(tx.session, workshop.id),
        )
        workshop.study_id = study.id
        workshop.region, workshop.sector = details.region, details.sector
        workshop.held_on, workshop.venue = details.held_on, details.venue
        attached = WorkshopAttached(
            study_id=study.id,
            workshop_id=workshop.id,
            code=workshop.code,
            created=False,
            region=details.region,
            sector=details.sector,
            held_on=details.held_on.isoformat() if details.held_on else None,
            venue=details.venue,
        )
        record(tx, workshop, attached, facilitator)
        record_study(tx, study, attached, facilitator)
        return workshop


def _lock_with_study(
    tx: Transaction, db: Database, facilitator: Facilitator, code: str
) -> tuple[Workshop, Study]:
    """The workshop and its study, both locked: the study first, as attaching does, so that two
    writers on PostgreSQL never wait for each other in opposite order."""
    seen = workshops.owned_workshop(db, facilitator, code)
    study = lock_study(tx, seen.study_id) if seen.study_id is not None else None
    workshop = workshops.lock_owned(tx, facilitator, code)
    if study is None or workshop.study_id != study.id:
        raise Conflict(N_("This workshop belongs to no study."), field="code")
    return workshop, study


def detach_workshop(db: Database, facilitator: Facilitator, code: str) -> Workshop:
    """Takes the workshop out of its study, on purpose and logged in both; its data stays."""
    with db.write() as tx:
        workshop, study = _lock_with_study(tx, db, facilitator, code)
        assert workshop.id is not None and study.id is not None
        workshop.study_id = None
        detached = WorkshopDetached(study_id=study.id, workshop_id=workshop.id, code=workshop.code)
        record(tx, workshop, detached, facilitator)
        record_study(tx, study, detached, facilitator)
        return workshop


def set_study_details(db: Database, facilitator: Facilitator, code: str, details: StudyDetails) -> Workshop:
    """Region, sector, date and venue of a workshop in a study."""
    with db.write() as tx:
        workshop, study = _lock_with_study(tx, db, facilitator, code)
        assert workshop.id is not None
        current = StudyDetails(workshop.region, workshop.sector, workshop.held_on, workshop.venue)
        if current == details:
            return workshop
        workshop.region, workshop.sector = details.region, details.sector
        workshop.held_on, workshop.venue = details.held_on, details.venue
        event = StudyDetailsSet(
            study_id=workshop.study_id,
            workshop_id=workshop.id,
            region=details.region,
            sector=details.sector,
            held_on=details.held_on.isoformat() if details.held_on else None,
            venue=details.venue,
        )
        record(tx, workshop, event, facilitator)
        record_study(tx, study, event, facilitator)
        return workshop
