"""Workshops: create, read, change phase, delete."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from backcast.api import schemas
from backcast.api.deps import current_actor, current_facilitator
from backcast.api.problems import problems
from backcast.db import Database
from backcast.http.deps import get_db
from backcast.i18n import N_
from backcast.models import Facilitator, Participant
from backcast.network import join_url
from backcast.services import configuration, rounds, studies, study_access, templates, workshops
from backcast.services.errors import Conflict, Invalid
from backcast.workshop_templates import DEFAULT

router = APIRouter(tags=["workshops"], responses=problems(401, 403, 404))

STUDY_DETAILS = {"region", "sector", "held_on", "venue"}


def workshop_out(request: Request, db: Database, code: str) -> schemas.WorkshopOut:
    workshop, criteria, groups, participants = workshops.workshop_details(db, code)
    return schemas.WorkshopOut(
        **workshop.model_dump(exclude={"timer_ends_at", "timer_paused_seconds", "updated_at"}),
        join_url=join_url(request.app.state.settings, workshop.code),
        criteria=[schemas.CriterionOut.model_validate(c, from_attributes=True) for c in criteria],
        groups=[schemas.GroupOut.model_validate(g, from_attributes=True) for g in groups],
        participants=participants,
    )


SPAN_409 = (
    "Years that do not fit together: the vision year not after the present year, or a milestone year "
    "outside them (what the request leaves out comes from the template or the workshop)."
)


@router.post(
    "/workshops",
    status_code=201,
    response_model=schemas.WorkshopOut,
    responses=problems(
        409,
        s409=SPAN_409
        + " With `study`: criteria or groups that do not fit its codebook (the difference named).",
    ),
)
def create_workshop(
    body: schemas.WorkshopCreate,
    request: Request,
    response: Response,
    facilitator: Facilitator = Depends(current_facilitator),
    db: Database = Depends(get_db),
) -> schemas.WorkshopOut:
    """A new workshop; with `study`, one in that study, taking its codebook."""
    fields = body.model_dump(
        exclude={"criteria", "groups", "template", "study", "region", "sector", "held_on", "venue"}
    )
    details = study_access.clean_details(body.region, body.sector, body.held_on, body.venue)
    criteria = None if body.criteria is None else [c.spec() for c in body.criteria]
    groups = None if body.groups is None else [g.spec() for g in body.groups]
    if body.study is not None:
        if body.template is not None:
            raise Invalid(
                N_("A workshop in a study takes the study's codebook: leave out the template."),
                field="template",
            )
        workshop = studies.create_workshop_in_study(
            db, facilitator, body.study, details=details, criteria=criteria, groups=groups, **fields
        )
    else:
        workshop = workshops.create_workshop(
            db,
            facilitator,
            **fields,
            template=templates.find_template(db, facilitator, body.template or DEFAULT),
            criteria=criteria,
            groups=groups,
            details=details,
        )
    response.headers["Location"] = f"/api/v1/workshops/{workshop.code}"
    return workshop_out(request, db, workshop.code)


@router.patch(
    "/workshops/{code}",
    response_model=schemas.WorkshopOut,
    responses=problems(
        409,
        s409="Collected data stands against the change (the reason in `detail`), a change would break "
        "comparison within the workshop's study (a criterion's key, scale or direction, a group's key), "
        "study metadata for a workshop in no study, or " + SPAN_409[0].lower() + SPAN_409[1:],
    ),
)
def configure_workshop(
    code: str,
    body: schemas.WorkshopPatch,
    request: Request,
    facilitator: Facilitator = Depends(current_facilitator),
    db: Database = Depends(get_db),
) -> schemas.WorkshopOut:
    """Changes the set-up; refused with the reason (and nothing changed) when collected data
    stands against it, or (409) when it would break comparison within the workshop's study."""
    current = configuration.current_setup(db, facilitator, code)
    details = body.model_dump(exclude_unset=True, include=STUDY_DETAILS)
    if details:
        # Checked before the set-up changes, so that a refusal leaves everything as it was.
        workshop = workshops.owned_workshop(db, facilitator, code)
        if workshop.study_id is None:
            raise Conflict(N_("This workshop belongs to no study."), field=next(iter(details)))
        present = {"region": workshop.region, "sector": workshop.sector, "held_on": workshop.held_on}
        new_details = study_access.clean_details(**{**present, "venue": workshop.venue, **details})
    changes = body.model_dump(exclude_unset=True, exclude={"criteria", "groups", *STUDY_DETAILS})
    if body.criteria is not None:
        changes["criteria"] = [c.spec() for c in body.criteria]
    if body.groups is not None:
        changes["groups"] = [g.spec() for g in body.groups]
    workshop = configuration.configure_workshop(db, facilitator, code, current.replace(**changes))
    if details:
        studies.set_study_details(db, facilitator, workshop.code, new_details)
    return workshop_out(request, db, workshop.code)


@router.get("/workshops/{code}", response_model=schemas.WorkshopOut)
def get_workshop(
    code: str,
    request: Request,
    actor: Facilitator | Participant = Depends(current_actor),
    db: Database = Depends(get_db),
) -> schemas.WorkshopOut:
    workshops.readable_workshop(db, actor, code)
    return workshop_out(request, db, code)


@router.post("/workshops/{code}/phase", response_model=schemas.WorkshopOut)
def set_phase(
    code: str,
    body: schemas.PhaseIn,
    request: Request,
    facilitator: Facilitator = Depends(current_facilitator),
    db: Database = Depends(get_db),
) -> schemas.WorkshopOut:
    workshop = workshops.set_phase(db, facilitator, code, body.phase)
    return workshop_out(request, db, workshop.code)


@router.post(
    "/workshops/{code}/input",
    response_model=schemas.WorkshopOut,
    responses=problems(409, s409="Input opened in a phase that takes none."),
)
def set_input(
    code: str,
    body: schemas.InputIn,
    request: Request,
    facilitator: Facilitator = Depends(current_facilitator),
    db: Database = Depends(get_db),
) -> schemas.WorkshopOut:
    """Open or close participants' input for the current phase."""
    workshop = workshops.set_input_open(db, facilitator, code, body.open)
    return workshop_out(request, db, workshop.code)


@router.post(
    "/workshops/{code}/rounds",
    status_code=201,
    response_model=schemas.RoundOut,
    responses=problems(
        409,
        s409="Not in the rating phase, nobody has rated the current round yet, or the closing date "
        "has passed.",
    ),
)
def open_round(
    code: str,
    body: schemas.RoundIn,
    facilitator: Facilitator = Depends(current_facilitator),
    db: Database = Depends(get_db),
) -> schemas.RoundOut:
    """Opens the next rating round (and input with it): ratings from now on belong to it, earlier
    rounds stay as they were. Results are of the latest round unless `?round=` asks for another."""
    workshop = rounds.open_round(db, facilitator, code, body.closes_at)
    return schemas.RoundOut(round=workshop.current_round, closes_at=workshop.round_closes_at)


@router.put("/workshops/{code}/rounds/current/closes_at", response_model=schemas.RoundOut)
def set_round_closing(
    code: str,
    body: schemas.RoundClosingIn,
    facilitator: Facilitator = Depends(current_facilitator),
    db: Database = Depends(get_db),
) -> schemas.RoundOut:
    """Sets when the current round stops taking ratings; the phones show the date."""
    workshop = rounds.set_round_closing(db, facilitator, code, body.closes_at)
    return schemas.RoundOut(round=workshop.current_round, closes_at=workshop.round_closes_at)


@router.post("/workshops/{code}/results", response_model=schemas.WorkshopOut)
def set_results(
    code: str,
    body: schemas.ResultsIn,
    request: Request,
    facilitator: Facilitator = Depends(current_facilitator),
    db: Database = Depends(get_db),
) -> schemas.WorkshopOut:
    """Show or hide the results on the screen and phones."""
    workshop = workshops.set_results_visible(db, facilitator, code, body.visible)
    return workshop_out(request, db, workshop.code)


@router.delete("/workshops/{code}", status_code=204)
def delete_workshop(
    code: str, facilitator: Facilitator = Depends(current_facilitator), db: Database = Depends(get_db)
) -> Response:
    workshops.delete_workshop(db, facilitator, code)
    return Response(status_code=204)
