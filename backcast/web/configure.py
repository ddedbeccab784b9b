"""The workshop's set-up page (`/facilitate/{code}/setup`): everything chosen at creation, editable.

One form holds the whole set-up. Its row buttons (add, remove, move a criterion or group) change
the form only and show it again unsaved, so they work without JavaScript; "Save" hands the whole
set-up to the service, which refuses what would strand collected data and says why.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from backcast import i18n, workshop_templates
from backcast.db import Database
from backcast.defaults import CriterionSpec, GroupSpec
from backcast.enums import Direction, ItemKind, Language, Phase
from backcast.http.deps import get_db
from backcast.http.numbers import decimal, number, whole_number_or_text
from backcast.i18n import N_
from backcast.models import Facilitator, Workshop
from backcast.services import configuration, studies, templates, validate
from backcast.services.configuration import WorkshopSetup
from backcast.services.errors import Invalid, ServiceError
from backcast.services.study_access import clean_details
from backcast.web.deps import console_facilitator, get_templates, owned
from backcast.web.labels import PHASE_PROMPTS
from backcast.web.locale import use_room_language

router = APIRouter(include_in_schema=False)

# More rows than any workshop may have (the service says so); a bound on what a form can ask for.
ROWS_MAX = 40
_ROW = re.compile(r"^(criteria|groups)-([0-9]{1,2})-key$")
_MODEL = re.compile(r"^model-(de|en)$")
_ACTION = re.compile(r"^(add|remove|up|down)-(criteria|groups)(?:-([0-9]{1,2}))?$")
PROMPT_PHASES = tuple(Phase)


def _page(
    request: Request,
    db: Database,
    facilitator: Facilitator,
    workshop: Workshop,
    setup: WorkshopSetup | SetupDraft,
    *,
    error: ServiceError | None = None,
    unsaved: bool = False,
    saved: bool = False,
    details: dict[str, str] | None = None,
    details_saved: bool = False,
) -> Response:
    use_room_language(request, workshop.language)
    context = {
        "facilitator": facilitator,
        "workshop": workshop,
        "setup": setup,
        "usage": configuration.setup_usage(db, facilitator, workshop.code),
        "kinds": [kind.value for kind in ItemKind],
        "directions": [direction.value for direction in Direction],
        "languages": [language.value for language in Language],
        "prompt_phases": [phase.value for phase in PROMPT_PHASES],
        "built_in_prompts": {
            phase: i18n.gettext(PHASE_PROMPTS[phase], year=workshop.vision_year) for phase in PHASE_PROMPTS
        },
        "rounds_form": _rounds_form(setup, configuration.current_setup(db, facilitator, workshop.code)),
        "error": i18n.gettext(error.message, **error.params) if error else None,
        "error_field": error.field if error else None,
        "unsaved": unsaved,
        "saved": saved,
        # The study metadata as typed (after a refusal) or as stored.
        "details": details
        or {
            "region": workshop.region,
            "sector": workshop.sector,
            "held_on": workshop.held_on.isoformat() if workshop.held_on else "",
            "venue": workshop.venue,
        },
        "details_saved": details_saved,
    }
    return get_templates(request).TemplateResponse(
        request, "console/setup.html", context, status_code=422 if error else 200
    )


def _percent_text(share: float) -> str:
    return f"{share * 100:g}"


def _rounds_form(setup: WorkshopSetup | SetupDraft, current: WorkshopSetup) -> dict[str, Any]:
    """The rounds' fields as the page shows them: shares in percent, a refused draft as typed
    (and what it did not send as it is)."""
    if isinstance(setup, WorkshopSetup):
        return {
            "consensus_rule": setup.consensus_rule,
            "consensus_iqr_percent": _percent_text(setup.consensus_iqr_share),
            "consensus_top_k": setup.consensus_top_k,
            "consensus_threshold_percent": _percent_text(setup.consensus_threshold),
            "planned_rounds": setup.planned_rounds,
            "reason_trigger": setup.reason_trigger,
            "reason_mode": setup.reason_mode,
        }
    saved = _rounds_form(current, current)
    return {
        name: saved[name]
        if value is None
        else (_percent_text(value / 100) if isinstance(value, float) else value)
        for name, value in (
            ("consensus_rule", setup.consensus_rule),
            ("consensus_iqr_percent", setup.consensus_iqr_percent),
            ("consensus_top_k", setup.consensus_top_k),
            ("consensus_threshold_percent", setup.consensus_threshold_percent),
            ("planned_rounds", setup.planned_rounds),
            ("reason_trigger", setup.reason_trigger),
            ("reason_mode", setup.reason_mode),
        )
    }


@router.get("/facilitate/{code}/setup")
def setup_page(
    request: Request,
    saved: bool = Query(False),
    details_saved: bool = Query(False),
    facilitator: Facilitator = Depends(console_facilitator),
    workshop: Workshop = Depends(owned),
    db: Database = Depends(get_db),
) -> Response:
    setup = configuration.current_setup(db, facilitator, workshop.code)
    return _page(request, db, facilitator, workshop, setup, saved=saved, details_saved=details_saved)


@dataclass(frozen=True)
class CriterionDraft:
    """A criterion row as typed. A number that is none stays the text it was, so that the page can
    show it again beside the message; `parsed` makes the typed spec or names the field."""

    key: str
    label: str
    low_label: str = ""
    high_label: str = ""
    scale_min: int | str = 1
    scale_max: int | str = 5
    weight: float | str = 1.0
    direction: str = Direction.higher.value

    def parsed(self, where: str) -> CriterionSpec:
        if isinstance(self.weight, str):
            raise Invalid(N_("The weight must be a number from 0 to 100."), field=f"{where}.weight")
        return CriterionSpec(
            key=self.key,
            label=self.label,
            low_label=self.low_label,
            high_label=self.high_label,
            scale_min=number(self.scale_min, f"{where}.scale_min"),
            scale_max=number(self.scale_max, f"{where}.scale_max"),
            weight=self.weight,
            direction=validate.choice(self.direction, f"{where}.direction", Direction),
        )


@dataclass(frozen=True)
class SetupDraft:
    """The set-up form as posted: what the page shows again, unsaved or refused. `parsed` turns it
    into the typed `WorkshopSetup` the service takes; the service checks the rest."""

    title: str
    question: str
    present_year: int | str
    vision_year: int | str
    milestone_years: list[int | str]
    language: str
    dot_budget: int | str
    names: str
    rated_kinds: list[str]
    consent_text: str
    prompts: dict[str, dict[str, str]]
    criteria: list[CriterionDraft]
    groups: list[GroupSpec]
    privacy_text: str = ""
    # The rounds' set-up as posted; a field the form did not send (None) stays as it is. The shares
    # are typed in percent.
    consensus_rule: str | None = None
    consensus_iqr_percent: float | str | None = None
    consensus_top_k: int | str | None = None
    consensus_threshold_percent: float | str | None = None
    planned_rounds: int | str | None = None
    reason_trigger: str | None = None
    reason_mode: str | None = None

    def replace(self, **changes: Any) -> SetupDraft:
        return dataclasses.replace(self, **changes)

    def _rounds(self, current: WorkshopSetup | None) -> dict[str, Any]:
        posted = {
            "consensus_rule": self.consensus_rule,
            "consensus_iqr_share": _percent(self.consensus_iqr_percent, "consensus_iqr_share"),
            "consensus_top_k": None
            if self.consensus_top_k is None
            else number(self.consensus_top_k, "consensus_top_k"),
            "consensus_threshold": _percent(self.consensus_threshold_percent, "consensus_threshold"),
            "planned_rounds": None
            if self.planned_rounds is None
            else number(self.planned_rounds, "planned_rounds"),
            "reason_trigger": self.reason_trigger,
            "reason_mode": self.reason_mode,
        }
        return {
            name: value if value is not None else getattr(current, name)
            for name, value in posted.items()
            if value is not None or current is not None
        }

    def parsed(self, current: WorkshopSetup | None = None) -> WorkshopSetup:
        return WorkshopSetup(
            **self._rounds(current),
            title=self.title,
            question=self.question,
            present_year=number(self.present_year, "present_year"),
            vision_year=number(self.vision_year, "vision_year"),
            milestone_years=[number(year, "milestone_years") for year in self.milestone_years],
            language=self.language,
            dot_budget=number(self.dot_budget, "dot_budget"),
            names=self.names,
            rated_kinds=self.rated_kinds,
            consent_text=self.consent_text,
            privacy_text=self.privacy_text,
            prompts=self.prompts,
            criteria=[criterion.parsed(f"criteria.{i}") for i, criterion in enumerate(self.criteria)],
            groups=self.groups,
        )


def _percent(value: float | str | None, field: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, str):
        raise Invalid(N_("This must be a number."), field=field)
    return value / 100


def _optional(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) else None


def _years(value: str) -> list[int | str]:
    return [whole_number_or_text(part) for part in re.split(r"[\s,;]+", value) if part]


def _text(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


def _rows(form: FormData, table: str) -> list[int]:
    indices = sorted({int(m.group(2)) for name in form if (m := _ROW.match(name)) and m.group(1) == table})
    return indices[:ROWS_MAX]


def setup_from_form(form: FormData) -> SetupDraft:
    """The set-up as posted, with numbers parsed where they are numbers."""
    criteria = [
        CriterionDraft(
            key=_text(form, f"criteria-{i}-key").strip(),
            label=_text(form, f"criteria-{i}-label"),
            low_label=_text(form, f"criteria-{i}-low_label"),
            high_label=_text(form, f"criteria-{i}-high_label"),
            scale_min=whole_number_or_text(_text(form, f"criteria-{i}-scale_min")),
            scale_max=whole_number_or_text(_text(form, f"criteria-{i}-scale_max")),
            weight=decimal(_text(form, f"criteria-{i}-weight")),
            direction=_text(form, f"criteria-{i}-direction"),
        )
        for i in _rows(form, "criteria")
    ]
    groups = [
        GroupSpec(key=_text(form, f"groups-{i}-key").strip(), label=_text(form, f"groups-{i}-label"))
        for i in _rows(form, "groups")
    ]
    prompts = {
        phase.value: {
            language.value: _text(form, f"prompt-{phase.value}-{language.value}") for language in Language
        }
        for phase in PROMPT_PHASES
    }
    return SetupDraft(
        title=_text(form, "title"),
        question=_text(form, "question"),
        present_year=whole_number_or_text(_text(form, "present_year")),
        vision_year=whole_number_or_text(_text(form, "vision_year")),
        milestone_years=_years(_text(form, "milestone_years")),
        language=_text(form, "language"),
        dot_budget=whole_number_or_text(_text(form, "dot_budget")),
        names=_text(form, "names"),
        rated_kinds=[kind for kind in form.getlist("rated_kinds") if isinstance(kind, str)],
        consent_text=_text(form, "consent_text"),
        privacy_text=_text(form, "privacy_text"),
        prompts=prompts,
        criteria=criteria,
        groups=groups,
        consensus_rule=_optional(form, "consensus_rule"),
        consensus_iqr_percent=None
        if (iqr := _optional(form, "consensus_iqr_percent")) is None
        else decimal(iqr),
        consensus_top_k=None
        if (top_k := _optional(form, "consensus_top_k")) is None
        else whole_number_or_text(top_k),
        consensus_threshold_percent=None
        if (threshold := _optional(form, "consensus_threshold_percent")) is None
        else decimal(threshold),
        planned_rounds=None
        if (planned := _optional(form, "planned_rounds")) is None
        else whole_number_or_text(planned),
        reason_trigger=_optional(form, "reason_trigger"),
        reason_mode=_optional(form, "reason_mode"),
    )


def _rearranged(setup: SetupDraft, action: str) -> SetupDraft | None:
    """The set-up with a row added, removed or moved, or with the model texts filled in; None when
    `action` is neither."""
    model = _MODEL.match(action)
    if model is not None:
        language = model.group(1)
        return setup.replace(
            consent_text=workshop_templates.model_text("consent", language),
            privacy_text=workshop_templates.model_text("privacy", language),
        )
    match = _ACTION.match(action)
    if match is None:
        return None
    verb, table, index_text = match.groups()
    rows: list[Any] = list(getattr(setup, table))
    if verb == "add":
        rows.append(CriterionDraft(key="", label="") if table == "criteria" else GroupSpec(key="", label=""))
    elif index_text is not None and int(index_text) < len(rows):
        index = int(index_text)
        if verb == "remove":
            del rows[index]
        elif verb == "up" and index > 0:
            rows[index - 1], rows[index] = rows[index], rows[index - 1]
        elif verb == "down" and index + 1 < len(rows):
            rows[index + 1], rows[index] = rows[index], rows[index + 1]
    return setup.replace(**{table: rows})


@router.post("/facilitate/{code}/setup")
async def save_setup(
    request: Request,
    facilitator: Facilitator = Depends(console_facilitator),
    workshop: Workshop = Depends(owned),
    db: Database = Depends(get_db),
) -> Response:
    form = await request.form()
    draft = setup_from_form(form)
    rearranged = _rearranged(draft, _text(form, "action"))
    if rearranged is not None:
        return _page(request, db, facilitator, workshop, rearranged, unsaved=True)
    try:
        current = configuration.current_setup(db, facilitator, workshop.code)
        configuration.configure_workshop(db, facilitator, workshop.code, draft.parsed(current))
    except ServiceError as error:
        return _page(request, db, facilitator, workshop, draft, error=error)
    return RedirectResponse(f"/facilitate/{workshop.code}/setup?saved=1", status_code=303)


@router.post("/facilitate/{code}/save-template")
async def save_as_template(
    request: Request,
    facilitator: Facilitator = Depends(console_facilitator),
    workshop: Workshop = Depends(owned),
    db: Database = Depends(get_db),
) -> Response:
    form = await request.form()
    try:
        template = templates.save_workshop_as_template(db, facilitator, workshop.code, _text(form, "name"))
    except ServiceError as error:
        setup = configuration.current_setup(db, facilitator, workshop.code)
        return _page(request, db, facilitator, workshop, setup, error=error)
    return RedirectResponse(f"/templates?saved={template.key}", status_code=303)


@router.post("/facilitate/{code}/study-details")
async def save_study_details(
    request: Request,
    facilitator: Facilitator = Depends(console_facilitator),
    workshop: Workshop = Depends(owned),
    db: Database = Depends(get_db),
) -> Response:
    """Region, sector, date and venue of a workshop in a study (its language is in the set-up)."""
    form = await request.form()
    typed = {name: _text(form, name) for name in ("region", "sector", "held_on", "venue")}
    try:
        details = clean_details(typed["region"], typed["sector"], typed["held_on"], typed["venue"])
        studies.set_study_details(db, facilitator, workshop.code, details)
    except ServiceError as error:
        setup = configuration.current_setup(db, facilitator, workshop.code)
        return _page(request, db, facilitator, workshop, setup, error=error, details=typed)
    return RedirectResponse(
        f"/facilitate/{workshop.code}/setup?details_saved=1#study-details", status_code=303
    )
