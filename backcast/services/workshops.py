"""Creating, finding, running and deleting workshops."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from datetime import date

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from backcast import defaults, workshop_templates
from backcast.db import Database, Transaction
from backcast.enums import KIND_PHASE, Direction, ItemKind, Language, NamesMode, Phase
from backcast.events import (
    InputClosed,
    InputOpened,
    OwnerAdded,
    PhaseChanged,
    ResultsHidden,
    ResultsShown,
    RoomLocked,
    TimerSet,
    WorkshopAttached,
    WorkshopCreated,
    WorkshopDeleted,
)
from backcast.i18n import N_
from backcast.models import (
    Criterion,
    Facilitator,
    Participant,
    StakeholderGroup,
    Study,
    Workshop,
    WorkshopOwner,
)
from backcast.models import limits as L
from backcast.services import codes, study_access, token_cache, validate
from backcast.services.errors import Conflict, Invalid, NotAllowed, NotFound
from backcast.services.eventlog import lock_study, lock_workshop, record, record_account, record_study
from backcast.workshop_templates import WorkshopTemplate, pick

# Phases in which participants give input; entering one opens its input.
INPUT_PHASES = frozenset({*KIND_PHASE.values(), Phase.rating, Phase.prioritisation})


def clean_criteria(specs: Sequence[defaults.CriterionSpec]) -> list[defaults.CriterionSpec]:
    if not specs:
        raise Invalid(N_("A workshop needs at least one criterion."), field="criteria")
    if len(specs) > 12:
        raise Invalid(N_("At most %(max)d criteria."), field="criteria", max=12)
    cleaned, seen = [], set()
    for index, spec in enumerate(specs):
        where = f"criteria.{index}"
        key = validate.key(spec.key, f"{where}.key", max_length=L.KEY_MAX)
        if key in seen:
            raise Invalid(N_("Each criterion needs its own key."), field=f"{where}.key")
        seen.add(key)
        scale_min = validate.integer(
            spec.scale_min, f"{where}.scale_min", minimum=L.SCALE_MIN, maximum=L.SCALE_MAX
        )
        scale_max = validate.integer(
            spec.scale_max, f"{where}.scale_max", minimum=L.SCALE_MIN, maximum=L.SCALE_MAX
        )
        if scale_max <= scale_min:
            raise Invalid(N_("The top of the scale must be above its bottom."), field=f"{where}.scale_max")
        if (
            not isinstance(spec.weight, int | float)
            or not math.isfinite(spec.weight)
            or not 0 <= spec.weight <= 100
        ):
            raise Invalid(N_("The weight must be a number from 0 to 100."), field=f"{where}.weight")
        cleaned.append(
            defaults.CriterionSpec(
                key=key,
                label=validate.text(spec.label, f"{where}.label", max_length=L.LABEL_MAX, multiline=False),
                low_label=validate.text(
                    spec.low_label,
                    f"{where}.low_label",
                    max_length=L.LABEL_MAX,
                    required=False,
                    multiline=False,
                ),
                high_label=validate.text(
                    spec.high_label,
                    f"{where}.high_label",
                    max_length=L.LABEL_MAX,
                    required=False,
                    multiline=False,
                ),
                scale_min=scale_min,
                scale_max=scale_max,
                weight=float(spec.weight),
                direction=validate.choice(spec.direction, f"{where}.direction", Direction),
            )
        )
    return cleaned


def clean_groups(specs: Sequence[defaults.GroupSpec]) -> list[defaults.GroupSpec]:
    if len(specs) > 30:
        raise Invalid(N_("At most %(max)d groups."), field="groups", max=30)
    cleaned, seen = [], set()
    for index, spec in enumerate(specs):
        key = validate.key(spec.key, f"groups.{index}.key", max_length=L.KEY_MAX)
        if key in seen:
            raise Invalid(N_("Each group needs its own key."), field=f"groups.{index}.key")
        seen.add(key)
        label = validate.text(spec.label, f"groups.{index}.label", max_length=L.LABEL_MAX, multiline=False)
        cleaned.append(defaults.GroupSpec(key=key, label=label))
    return cleaned


def clean_milestone_years(years: Sequence[object], present_year: int, vision_year: int) -> list[int]:
    if len(years) > L.MILESTONE_YEARS_MAX:
        raise Invalid(
            N_("At most %(max)d milestone years."),
            field="milestone_years",
            max=L.MILESTONE_YEARS_MAX,
        )
    cleaned = {validate.year(year, "milestone_years") for year in years}
    # Each is a year; one outside the span the workshop has (or gets) does not fit with it.
    outside = sorted(year for year in cleaned if not present_year < year < vision_year)
    if outside:
        raise Conflict(
            N_("This must be between %(minimum)d and %(maximum)d."),
            field="milestone_years",
            minimum=present_year + 1,
            maximum=vision_year - 1,
        )
    return sorted(cleaned)


def check_span(present_year: int, vision_year: int) -> None:
    """The vision year after the present year: where one of them is the workshop's or the
    template's, a request's year can disagree with it, which is a conflict (409), not bad input."""
    if vision_year <= present_year:
        raise Conflict(N_("The vision year must come after the present year."), field="vision_year")


def clean_prompts(prompts: Mapping[str, Mapping[str, object]]) -> dict[str, dict[str, str]]:
    """Per phase and language, the trimmed text; empty texts are dropped (the built-in one applies)."""
    if not isinstance(prompts, Mapping):
        raise Invalid(N_("This must be a list of texts by phase."), field="prompts")
    cleaned: dict[str, dict[str, str]] = {}
    for phase, texts in prompts.items():
        phase_key = validate.choice(phase, "prompts", Phase).value
        if not isinstance(texts, Mapping):
            raise Invalid(N_("This must be a list of texts by phase."), field=f"prompts.{phase_key}")
        for language, text in texts.items():
            language_key = validate.choice(language, f"prompts.{phase_key}", Language).value
            value = validate.text(
                text, f"prompts.{phase_key}.{language_key}", max_length=L.QUESTION_MAX, required=False
            )
            if value:
                cleaned.setdefault(phase_key, {})[language_key] = value
    return cleaned


def create_workshop(
    db: Database,
    facilitator: Facilitator,
    *,
    title: str,
    template: WorkshopTemplate | None = None,
    language: str = Language.de,
    question: str | None = None,
    # Numbers as given, from JSON or a form: each is checked here and refused by name.
    present_year: object = None,
    vision_year: object = None,
    milestone_years: Sequence[int] | None = None,
    dot_budget: object = None,
    names: str | None = None,
    rated_kinds: Sequence[str] | None = None,
    consent_text: str | None = None,
    privacy_text: str | None = None,
    criteria: Sequence[defaults.CriterionSpec] | None = None,
    groups: Sequence[defaults.GroupSpec] | None = None,
    prompts: Mapping[str, Mapping[str, str]] | None = None,
    study_id: int | None = None,
    details: study_access.StudyDetails | None = None,
    then: Callable[[Transaction, Workshop, Study], None] | None = None,
) -> Workshop:
    """A new workshop. What is not given comes from `template` (the generic one when there is
    none), in the workshop's language. In a study (`study_id`), `template` is the study's
    codebook; the facilitator must be one of the study's facilitators, and criteria or groups
    given here must still fit the codebook. `then` adds to a workshop in a study within the same
    transaction (carrying another workshop's results over), so that its refusal changes nothing."""
    source = template or workshop_templates.built_in(workshop_templates.DEFAULT)
    language = validate.choice(language, "language", Language)
    title = validate.text(title, "title", max_length=L.TITLE_MAX, multiline=False)
    question = validate.text(
        pick(source.question, language) if question is None else question,
        "question",
        max_length=L.QUESTION_MAX,
        required=False,
    )
    present = validate.year(date.today().year if present_year is None else present_year, "present_year")
    # The template's horizon, but never past the last year a workshop may have.
    vision = (
        min(present + source.years_ahead, L.YEAR_MAX)
        if vision_year is None
        else validate.year(vision_year, "vision_year")
    )
    check_span(present, vision)
    years = (
        defaults.milestone_years(present, vision, source.milestone_step)
        if milestone_years is None
        else clean_milestone_years(milestone_years, present, vision)
    )
    budget = validate.integer(
        source.dot_budget if dot_budget is None else dot_budget,
        "dot_budget",
        minimum=0,
        maximum=L.DOT_BUDGET_MAX,
    )
    names_mode = validate.choice(source.names if names is None else names, "names", NamesMode)
    kinds = clean_rated_kinds(source.rated_kinds if rated_kinds is None else rated_kinds)
    consent = validate.text(
        pick(source.consent_text, language) if consent_text is None else consent_text,
        "consent_text",
        max_length=L.CONSENT_MAX,
        required=False,
    )
    privacy = validate.text(privacy_text or "", "privacy_text", max_length=L.PRIVACY_MAX, required=False)
    criteria_specs = clean_criteria(source.criteria_in(language) if criteria is None else criteria)
    group_specs = clean_groups(source.groups_in(language) if groups is None else groups)
    phase_prompts = clean_prompts(
        {
            phase.value: {language.value: text for language, text in texts.items()}
            for phase, texts in source.prompts.items()
        }
        if prompts is None
        else prompts
    )

    details = details or study_access.StudyDetails()
    with db.write() as tx:
        study = None
        if study_id is not None:
            study = lock_study(tx, study_id)
            assert study.id is not None
            study_access.require_facilitator_role(tx.session, study.id, facilitator)
            study_access.require_fit(
                WorkshopTemplate.model_validate(study.codebook), criteria_specs, group_specs
            )
        code = _unused_code(tx)
        workshop = Workshop(
            study_id=study.id if study else None,
            region=details.region,
            sector=details.sector,
            held_on=details.held_on,
            venue=details.venue,
            code=code,
            title=title,
            question=question,
            present_year=present,
            vision_year=vision,
            milestone_years=years,
            language=language,
            dot_budget=budget,
            names=names_mode,
            rated_kinds=kinds,
            consent_text=consent,
            consent_version=1 if consent else 0,
            privacy_text=privacy,
            template=source.key,
            prompts=phase_prompts,
        )
        tx.session.add(workshop)
        tx.session.flush()
        assert workshop.id is not None and facilitator.id is not None
        tx.session.add(WorkshopOwner(workshop_id=workshop.id, facilitator_id=facilitator.id))
        for position, spec in enumerate(criteria_specs):
            tx.session.add(Criterion(workshop_id=workshop.id, position=position, **spec.__dict__))
        for position, group in enumerate(group_specs):
            tx.session.add(
                StakeholderGroup(workshop_id=workshop.id, key=group.key, label=group.label, position=position)
            )
        record(
            tx,
            workshop,
            WorkshopCreated(
                code=code,
                title=title,
                question=question,
                language=language,
                present_year=present,
                vision_year=vision,
                milestone_years=years,
                dot_budget=budget,
                names=names_mode,
                rated_kinds=kinds,
                criteria=[spec.key for spec in criteria_specs],
                groups=[group.key for group in group_specs],
                template=source.key,
            ),
            facilitator,
        )
        record(tx, workshop, OwnerAdded(facilitator_id=facilitator.id), facilitator)
        if study is not None:
            attached = WorkshopAttached(
                study_id=study.id,
                workshop_id=workshop.id,
                code=code,
                created=True,
                region=details.region,
                sector=details.sector,
                held_on=details.held_on.isoformat() if details.held_on else None,
                venue=details.venue,
            )
            record(tx, workshop, attached, facilitator)
            record_study(tx, study, attached, facilitator)
            if then is not None:
                then(tx, workshop, study)
    return workshop


def clean_rated_kinds(rated_kinds: Sequence[object]) -> list[str]:
    if isinstance(rated_kinds, str) or not isinstance(rated_kinds, Sequence):
        raise Invalid(N_("Choose at least one kind of item to rate."), field="rated_kinds")
    kinds = sorted({validate.choice(kind, "rated_kinds", ItemKind).value for kind in rated_kinds})
    if not kinds:
        raise Invalid(N_("Choose at least one kind of item to rate."), field="rated_kinds")
    return kinds


def _unused_code(tx: Transaction) -> str:
    for _ in range(20):
        code = codes.new_code()
        if tx.session.exec(select(Workshop.id).where(Workshop.code == code)).first() is None:
            return code
    raise RuntimeError("no free join code after 20 tries")  # 32**6 codes: only a full database gets here


# --- finding -----------------------------------------------------------------------------------


def _by_code(session: Session, code: str) -> Workshop:
    normalized = codes.normalize_code(code) if isinstance(code, str) else None
    workshop = (
        session.exec(select(Workshop).where(Workshop.code == normalized)).first() if normalized else None
    )
    if workshop is None:
        raise NotFound(N_("There is no workshop with this code."), field="code")
    return workshop


NOT_OWNER = N_("Only the workshop's facilitators may do this.")


def _require_owner(session: Session, workshop: Workshop, facilitator: Facilitator) -> None:
    if not study_access.may_run(session, workshop, facilitator):
        raise NotAllowed(NOT_OWNER)


def _require_reader(session: Session, workshop: Workshop, facilitator: Facilitator) -> None:
    if not study_access.may_read(session, workshop, facilitator):
        raise NotAllowed(NOT_OWNER)


def _owned_by_code(session: Session, facilitator: Facilitator, code: str) -> Workshop:
    # A code that does not exist is answered like one that is not yours: a facilitator's token
    # must not be able to find out which codes are taken.
    try:
        workshop = _by_code(session, code)
    except NotFound:
        raise NotAllowed(NOT_OWNER) from None
    _require_owner(session, workshop, facilitator)
    return workshop


def workshop_by_code(db: Database, code: str) -> Workshop:
    with db.read() as session:
        return _by_code(session, code)


def owned_workshop(db: Database, facilitator: Facilitator, code: str) -> Workshop:
    with db.read() as session:
        return _owned_by_code(session, facilitator, code)


def viewable_workshop(db: Database, facilitator: Facilitator, code: str) -> Workshop:
    """The workshop, if `facilitator` may read it: those who may run it, and its study's
    researchers, who read every workshop of their study but run none."""
    with db.read() as session:
        try:
            workshop = _by_code(session, code)
        except NotFound:
            raise NotAllowed(NOT_OWNER) from None  # as in _owned_by_code
        _require_reader(session, workshop, facilitator)
        return workshop


def may_run(db: Database, facilitator: Facilitator, workshop: Workshop) -> bool:
    with db.read() as session:
        return study_access.may_run(session, workshop, facilitator)


def lock_owned(tx: Transaction, facilitator: Facilitator, code: str) -> Workshop:
    """The workshop locked for writing, after checking `facilitator` owns it."""
    normalized = codes.normalize_code(code) if isinstance(code, str) else None
    try:
        if normalized is None:
            raise NotFound(N_("There is no workshop with this code."), field="code")
        workshop = lock_workshop(tx, code=normalized)
    except NotFound:
        raise NotAllowed(NOT_OWNER) from None  # as in _owned_by_code
    _require_owner(tx.session, workshop, facilitator)
    return workshop


def workshops_of(db: Database, facilitator: Facilitator) -> list[Workshop]:
    with db.read() as session:
        query = (
            select(Workshop)
            .join(WorkshopOwner, col(WorkshopOwner.workshop_id) == col(Workshop.id))
            .where(WorkshopOwner.facilitator_id == facilitator.id)
            .order_by(col(Workshop.created_at).desc(), col(Workshop.id).desc())
        )
        return list(session.exec(query))


def criteria_of(session: Session, workshop_id: int) -> list[Criterion]:
    query = (
        select(Criterion)
        .where(Criterion.workshop_id == workshop_id)
        .order_by(col(Criterion.position), col(Criterion.id))
    )
    return list(session.exec(query))


def groups_of(session: Session, workshop_id: int) -> list[StakeholderGroup]:
    query = (
        select(StakeholderGroup)
        .where(StakeholderGroup.workshop_id == workshop_id)
        .order_by(col(StakeholderGroup.position), col(StakeholderGroup.id))
    )
    return list(session.exec(query))


def participant_count(session: Session, workshop_id: int) -> int:
    return session.exec(
        select(func.count()).select_from(Participant).where(Participant.workshop_id == workshop_id)
    ).one()


# --- running -----------------------------------------------------------------------------------


def set_phase(db: Database, facilitator: Facilitator, code: str, phase: str) -> Workshop:
    """Moves forward or back. Going back deletes nothing; entering an input phase opens input."""
    target = validate.choice(phase, "phase", Phase)
    with db.write() as tx:
        workshop = lock_owned(tx, facilitator, code)
        if workshop.phase == target:
            return workshop
        previous = workshop.phase
        workshop.phase = target
        workshop.input_open = target in INPUT_PHASES
        record(
            tx,
            workshop,
            PhaseChanged(phase=target, previous=previous, input_open=workshop.input_open),
            facilitator,
        )
        if workshop.timer_ends_at is not None or workshop.timer_paused_seconds is not None:
            # A timer belongs to the phase it was started in: no 0:00 left over on the next one.
            workshop.timer_ends_at, workshop.timer_paused_seconds = None, None
            record(tx, workshop, TimerSet(action="clear", ends_at=None, paused_seconds=None), facilitator)
        return workshop


def set_input_open(db: Database, facilitator: Facilitator, code: str, open_: bool) -> Workshop:
    if not isinstance(open_, bool):
        raise Invalid(N_("This must be true or false."), field="input_open")
    with db.write() as tx:
        workshop = lock_owned(tx, facilitator, code)
        if open_ and workshop.phase not in INPUT_PHASES:
            raise Conflict(N_("This phase takes no input."), field="input_open")
        if workshop.input_open != open_:
            workshop.input_open = open_
            event = InputOpened(phase=workshop.phase) if open_ else InputClosed(phase=workshop.phase)
            record(tx, workshop, event, facilitator)
        return workshop


def set_results_visible(db: Database, facilitator: Facilitator, code: str, visible: bool) -> Workshop:
    if not isinstance(visible, bool):
        raise Invalid(N_("This must be true or false."), field="results_visible")
    with db.write() as tx:
        workshop = lock_owned(tx, facilitator, code)
        if workshop.results_visible != visible:
            workshop.results_visible = visible
            record(tx, workshop, ResultsShown() if visible else ResultsHidden(), facilitator)
        return workshop


def set_room_locked(db: Database, facilitator: Facilitator, code: str, locked: bool) -> Workshop:
    """A locked room takes no new participants, against a flood of fresh identities or simply
    once everyone is in; the participants already in it go on as before."""
    if not isinstance(locked, bool):
        raise Invalid(N_("This must be true or false."), field="locked")
    with db.write() as tx:
        workshop = lock_owned(tx, facilitator, code)
        if workshop.joins_locked != locked:
            workshop.joins_locked = locked
            record(tx, workshop, RoomLocked(locked=locked), facilitator)
        return workshop


def delete_workshop(db: Database, facilitator: Facilitator, code: str) -> None:
    """Removes the workshop and, by the database's cascades, every row that belongs to it."""
    with db.write() as tx:
        workshop = lock_owned(tx, facilitator, code)
        assert workshop.id is not None and facilitator.id is not None
        record_account(
            tx,
            WorkshopDeleted(workshop_id=workshop.id, code=workshop.code, facilitator_id=facilitator.id),
        )
        tx.session.execute(delete(Workshop).where(col(Workshop.id) == workshop.id))
        tx.session.expunge(workshop)
    token_cache.cache_of(db).clear()  # its participants went with it


def workshop_details(
    db: Database, code: str
) -> tuple[Workshop, list[Criterion], list[StakeholderGroup], int]:
    """A workshop with its criteria, groups and number of participants, read in one go."""
    with db.read() as session:
        workshop = _by_code(session, code)
        assert workshop.id is not None
        return (
            workshop,
            criteria_of(session, workshop.id),
            groups_of(session, workshop.id),
            participant_count(session, workshop.id),
        )


def require_access(db: Database, actor: Facilitator | Participant, workshop: Workshop) -> None:
    """Those who may run it or read it as a researcher of its study, or a participant of this
    workshop, may read it; anyone else may not."""
    if isinstance(actor, Participant):
        if actor.workshop_id != workshop.id:
            raise NotAllowed(N_("You have not joined this workshop."))
        return
    with db.read() as session:
        _require_reader(session, workshop, actor)


def readable_workshop(db: Database, actor: Facilitator | Participant, code: str) -> Workshop:
    """The workshop with this code, if `actor` may read it. A participant asking for any workshop
    but their own is refused alike whether it exists or not, so that a participant's token cannot
    tell which codes are taken (guessing codes is limited where no token is needed)."""
    try:
        workshop = workshop_by_code(db, code)
    except NotFound:
        if isinstance(actor, Participant):
            raise NotAllowed(N_("You have not joined this workshop.")) from None
        raise NotAllowed(NOT_OWNER) from None  # as in _owned_by_code
    require_access(db, actor, workshop)
    return workshop


def setup_template(
    db: Database, facilitator: Facilitator, code: str, key: str, name: str
) -> WorkshopTemplate:
    """The workshop's set-up (question, years, criteria, groups, prompts, consent) as a template;
    its texts are in the workshop's language only."""
    source = owned_workshop(db, facilitator, code)
    language = Language(source.language)
    steps = {later - earlier for earlier, later in itertools.pairwise(source.milestone_years)}
    with db.read() as session:
        assert source.id is not None
        criteria = [
            {
                "key": c.key,
                "label": {language: c.label},
                "low_label": {language: c.low_label},
                "high_label": {language: c.high_label},
                "scale_min": c.scale_min,
                "scale_max": c.scale_max,
                "weight": c.weight,
                "direction": c.direction,
            }
            for c in criteria_of(session, source.id)
        ]
        groups = [{"key": g.key, "label": {language: g.label}} for g in groups_of(session, source.id)]
    return WorkshopTemplate.model_validate(
        {
            "key": key,
            "name": {language: name},
            "question": {language: source.question},
            "years_ahead": source.vision_year - source.present_year,
            "milestone_step": steps.pop() if len(steps) == 1 else 5,
            "dot_budget": source.dot_budget,
            "names": source.names,
            "rated_kinds": source.rated_kinds,
            "consent_text": {language: source.consent_text},
            "prompts": source.prompts,
            "criteria": criteria,
            "groups": groups,
        }
    )


def duplicate_workshop(db: Database, facilitator: Facilitator, code: str) -> Workshop:
    """A new workshop with this one's set-up (question, years, criteria, groups, prompts, consent,
    data-protection notice), and none of its people or contributions: for running the same format
    again."""
    source = owned_workshop(db, facilitator, code)
    key = source.template or workshop_templates.DEFAULT
    template = setup_template(db, facilitator, code, key, source.title)
    copy_title = source.title if len(source.title) > L.TITLE_MAX - 10 else f"{source.title} (2)"
    return create_workshop(
        db,
        facilitator,
        title=copy_title,
        template=template,
        language=source.language,
        present_year=source.present_year,
        vision_year=source.vision_year,
        milestone_years=source.milestone_years,
        privacy_text=source.privacy_text,
    )
