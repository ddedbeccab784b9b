"""Studies: a series of workshops with one codebook; their workshops and members."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from backcast.analysis.study import study_document
from backcast.api import schemas
from backcast.api.deps import current_facilitator
from backcast.api.problems import problems
from backcast.api.workshops import workshop_out
from backcast.db import Database
from backcast.export.exporter import FORMATS
from backcast.export.study import export_study
from backcast.export.study_schema import STUDY_TABLES
from backcast.http.deps import get_db
from backcast.http.downloads import file_response
from backcast.i18n import N_
from backcast.models import Facilitator, StudyTheme, Workshop
from backcast.queries.study import study_results
from backcast.services import carrying, coding, studies, study_access
from backcast.services.errors import Invalid
from backcast.services.studies import Member, StudyView

router = APIRouter(tags=["studies"], responses=problems(401, 403, 404))

StudyId = Path(ge=1, le=2**31 - 1, description="The study's id.")


def _members(found: list[Member]) -> list[schemas.MemberOut]:
    return [schemas.MemberOut(**asdict(member)) for member in found]


def _workshops(found: list[Workshop]) -> list[schemas.StudyWorkshopOut]:
    return [schemas.StudyWorkshopOut.model_validate(w, from_attributes=True) for w in found]


def study_out(view: StudyView) -> schemas.StudyOut:
    study = view.study
    assert study.id is not None
    return schemas.StudyOut(
        id=study.id,
        title=study.title,
        description=study.description,
        role=view.role,
        criteria=[schemas.CodebookCriterionOut(**c.model_dump(mode="json")) for c in view.codebook.criteria],
        groups=[schemas.CodebookGroupOut(**g.model_dump(mode="json")) for g in view.codebook.groups],
        themes=[schemas.ThemeOut.model_validate(t, from_attributes=True) for t in view.themes],
        workshops=_workshops(view.workshops),
        members=_members(view.members),
        created_at=study.created_at,
    )


@router.post("/studies", status_code=201, response_model=schemas.StudyOut)
def create_study(
    body: schemas.StudyCreate,
    response: Response,
    facilitator: Facilitator = Depends(current_facilitator),
    db: Database = Depends(get_db),
) -> schemas.StudyOut:
    """A new study; its codebook comes from `template` or from the workshop `from_workshop`, and
    you become its first facilitator."""
    study = studies.create_study(
        db,
        facilitator,
        title=body.title,
        description=body.description,
        template_key=body.template,
        from_workshop=body.from_workshop,
    )
    response.headers["Location"] = f"/api/v1/studies/{study.id}"
    return study_out(studies.study_view(db, facilitator, study.id))


@router.get("/studies", response_model=list[schemas.StudyListed])
def list_studies(
    facilitator: Facilitator = Depends(current_facilitator), db: Database = Depends(get_db)
) -> list[schemas.StudyListed]:
    """The studies you are a member of, newest first, with your role."""
    return [
        schemas.StudyListed(id=s.study.id or 0, title=s.study.title, role=s.role, workshops=s.workshops)
        for s in studies.studies_of(db, facilitator)
    ]


@router.get("/studies/{study_id}", response_model=schemas.StudyOut)
def get_study(
    study_id: int = StudyId,
    facilitator: Facilitator = Depends(current_facilitator),
    db: Database = Depends(get_db),
) -> schemas.StudyOut:
    """The study with its codebook, themes, workshops and members; for any member."""
    return study_out(studies.study_view(db, facilitator, study_id))


@router.patch("/studies/{study_id}", response_model=schemas.StudyOut)
def edit_study(
    body: schemas.StudyPatch,
    study_id: int = StudyId,
    facilitator: Facilitator = Depends(current_facilitator),
    db: Database = Depends(get_db),
) -> schemas.StudyOut:
    """Changes the title or description (the study's facilitators only)."""
    studies.edit_study(db, facilitator, study_id, title=body.title, description=body.description)
    return study_out(studies.study_view(db, facilitator, study_id))


@router.delete("/studies/{study_id}", status_code=204, responses=problems(409))
def delete_study(
    study_id: int = StudyId,
    facilitator: Facilitator = Depends(current_facilitator),
    db: Database = Depends(get_db),
) -> Response:
    """Deletes a study that holds no workshops; 409 while it holds some (detach them first: a
    workshop's data never goes with a study)."""
    studies.delete_study(db, facilitator, study_id)
    return Response(status_code=204)


@router.get("/studies/{study_id}/workshops", response_model=list[schemas.StudyWorkshopOut])
def list_workshops(
    study_id: int = StudyId,
    facilitator: Facilitator = Depends(current_facilitator),
    db: Database = Depends(get_db),
) -> list[schemas.StudyWorkshopOut]:
    """The study's workshops with the metadata they are compared by."""
    return _workshops(studies.workshops_in(db, facilitator, study_id))


@router.post(
    "/studies/{study_id}/workshops",
    status_code=201,
    response_model=schemas.WorkshopOut,
    responses=problems(
        409,
        s409="The workshop's criteria or groups do not fit the codebook (the difference is named), or "
        "it belongs to another study; `carry_from` is a workshop outside this study, has nothing to "
        "carry, or `carry_items` names an item that is not one of its vision statements or milestones.",
    ),
)
def add_workshop(
    body: schemas.StudyWorkshopIn,
    request: Request,
    response: Response,
    study_id: int = StudyId,
    facilitator: Facilitator = Depends(current_facilitator),
    db: Database = Depends(get_db),
) -> schemas.WorkshopOut:
    """With `code`: attaches a workshop you run whose criteria and groups fit the codebook. With
    `title`: creates a workshop in the study, from its codebook; with `carry_from` as well, it
    starts from that workshop's vision and milestones (404 when you cannot read it)."""
    details = study_access.clean_details(body.region, body.sector, body.held_on, body.venue)
    if (body.code is None) == (body.title is None):
        raise Invalid(
            N_("Give either the code of a workshop to attach or a title for a new one."), field="code"
        )
    if body.code is not None:
        if body.carry_from is not None or body.carry_items is not None:
            raise Invalid(N_("Results are carried over into a new workshop only."), field="carry_from")
        workshop = studies.attach_workshop(db, facilitator, study_id, body.code, details)
    else:
        if body.carry_items is not None and body.carry_from is None:
            raise Invalid(N_("Name the workshop to carry over from by its code."), field="carry_from")
        workshop = studies.create_workshop_in_study(
            db,
            facilitator,
            study_id,
            title=body.title,
            language=body.language,
            present_year=body.present_year,
            vision_year=body.vision_year,
            details=details,
            carry=None
            if body.carry_from is None
            else carrying.clean_request(body.carry_from, body.carry_items),
        )
    response.headers["Location"] = f"/api/v1/workshops/{workshop.code}"
    return workshop_out(request, db, workshop.code)


@router.delete("/workshops/{code}/study", response_model=schemas.WorkshopOut, responses=problems(409))
def detach_workshop(
    code: str,
    request: Request,
    facilitator: Facilitator = Depends(current_facilitator),
    db: Database = Depends(get_db),
) -> schemas.WorkshopOut:
    """Takes the workshop out of its study, on purpose and logged; its data stays with it."""
    workshop = studies.detach_workshop(db, facilitator, code)
    return workshop_out(request, db, workshop.code)


@router.get("/studies/{study_id}/members", response_model=list[schemas.MemberOut])
def list_members(
    study_id: int = StudyId,
    facilitator: Facilitator = Depends(current_facilitator),
    db: Database = Depends(get_db),
) -> list[schemas.MemberOut]:
    return _members(studies.members_of(db, facilitator, study_id))


@router.post("/studies/{study_id}/members", response_model=list[schemas.MemberOut], responses=problems(409))
def add_member(
    body: schemas.MemberIn,
    study_id: int = StudyId,
    facilitator: Facilitator = Depends(current_facilitator),
    db: Database = Depends(get_db),
) -> list[schemas.MemberOut]:
    """Adds the account with this address in `role`, or gives a member that role (422 when no
    account has the address; 409 when it would leave the study without a facilitator)."""
    return _members(studies.add_member(db, facilitator, study_id, body.email, body.role))


@router.delete(
    "/studies/{study_id}/members/{facilitator_id}",
    response_model=list[schemas.MemberOut],
    responses=problems(409),
)
def remove_member(
    study_id: int = StudyId,
    facilitator_id: int = Path(ge=1, le=2**31 - 1),
    facilitator: Facilitator = Depends(current_facilitator),
    db: Database = Depends(get_db),
) -> list[schemas.MemberOut]:
    """Removes a member, oneself included; their access ends at once. 409 for the last facilitator."""
    return _members(studies.remove_member(db, facilitator, study_id, facilitator_id))


# --- themes and coding ----------------------------------------------------------------------------


def _themes(found: list[StudyTheme]) -> list[schemas.ThemeOut]:
    return [schemas.ThemeOut.model_validate(t, from_attributes=True) for t in found]


@router.get("/studies/{study_id}/themes", response_model=list[schemas.ThemeOut])
def list_themes(
    study_id: int = StudyId,
    facilitator: Facilitator = Depends(current_facilitator),
    db: Database = Depends(get_db),
) -> list[schemas.ThemeOut]:
    """The study's themes, in codebook order; for any member."""
    return _themes(studies.study_view(db, facilitator, study_id).themes)


@router.post(
    "/studies/{study_id}/themes",
    status_code=201,
    response_model=schemas.ThemeOut,
    responses=problems(
        409, s409="The study has a theme with this key already, or the most themes it may hold."
    ),
)
def add_theme(
    body: schemas.ThemeIn,
    response: Response,
    study_id: int = StudyId,
    facilitator: Facilitator = Depends(current_facilitator),
    db: Database = Depends(get_db),
) -> schemas.ThemeOut:
    """Adds a theme to the codebook; any member may, researchers too (422 for an empty or
    over-long label; 409 for a key the study has already, or when it holds the most themes)."""
    theme = studies.add_theme(
        db,
        facilitator,
        study_id,
        studies.ThemeSpec(label_de=body.label_de, label_en=body.label_en, key=body.key),
    )
    response.headers["Location"] = f"/api/v1/studies/{study_id}/themes"
    return schemas.ThemeOut.model_validate(theme, from_attributes=True)


@router.put(
    "/items/{item_id}/themes",
    response_model=schemas.ItemThemesOut,
    responses=problems(409, s409="A theme that is not one of the study's themes."),
)
def code_item(
    body: schemas.ItemThemesIn,
    item_id: int = Path(ge=1, le=2**31 - 1, description="The contribution's id."),
    facilitator: Facilitator = Depends(current_facilitator),
    db: Database = Depends(get_db),
) -> schemas.ItemThemesOut:
    """Your own coding of a contribution of a workshop in a study you are a member of: the themes
    it has, replacing your earlier coding ([] codes it with no theme). 409 for a theme of another
    study; 403 for a contribution outside your studies."""
    study_id, themes = coding.code_item_by_id(db, facilitator, item_id, body.themes)
    return schemas.ItemThemesOut(item=item_id, study=study_id, themes=themes)


def _kappa(found: coding.Kappa) -> schemas.KappaOut:
    return schemas.KappaOut(**asdict(found))


def _coder(found: Facilitator | None) -> schemas.CoderOut | None:
    return None if found is None or found.id is None else schemas.CoderOut(id=found.id, email=found.email)


@router.get("/studies/{study_id}/agreement", response_model=schemas.AgreementOut)
def agreement(
    study_id: int = StudyId,
    coder_a: int | None = Query(
        None, ge=1, le=2**31 - 1, description="An account id; default: who coded most."
    ),
    coder_b: int | None = Query(
        None, ge=1, le=2**31 - 1, description="An account id; default: who coded next most."
    ),
    facilitator: Facilitator = Depends(current_facilitator),
    db: Database = Depends(get_db),
) -> schemas.AgreementOut:
    """Two coders' agreement over the items both coded: Cohen's kappa per theme (with n), the
    mean of those and a pooled kappa, and the items whose codings differ."""
    found = coding.agreement(db, facilitator, study_id, coder_a, coder_b)
    return schemas.AgreementOut(
        coder_a=_coder(found.coder_a),
        coder_b=_coder(found.coder_b),
        items=found.items,
        themes=[
            schemas.ThemeAgreementOut(
                theme=schemas.ThemeOut.model_validate(t.theme, from_attributes=True),
                agreement=_kappa(t.kappa),
            )
            for t in found.themes
        ],
        mean_kappa=found.mean_kappa,
        themes_in_mean=found.themes_in_mean,
        pooled=_kappa(found.pooled),
        differing=found.differing,
        rule=coding.AGREEMENT_RULE,
    )


@router.get(
    "/studies/{study_id}/export",
    response_class=Response,
    responses={200: {"content": {media: {} for media, _ in FORMATS.values()}}},
)
def export(
    request: Request,
    study_id: int = StudyId,
    format: Annotated[
        str, Query(description="csv, xlsx, json or datapackage", json_schema_extra={"enum": list(FORMATS)})
    ] = "csv",
    table: Annotated[
        str | None,
        Query(
            description="With format=csv: which table (default ratings); with another format, refused (422).",
            json_schema_extra={"enum": list(STUDY_TABLES)},
        ),
    ] = None,
    facilitator: Facilitator = Depends(current_facilitator),
    db: Database = Depends(get_db),
) -> Response:
    """The whole study for research, for any of its members: every workshop's tables with a
    `workshop` column, the workshops' metadata, the themes and the codings (coders under
    pseudonyms). Codebook in the export itself and in docs/researcher.md."""
    view = studies.study_view(db, facilitator, study_id)
    assert view.study.id is not None
    return file_response(
        export_study(
            db,
            view.study.id,
            format_=format,
            table=table,
            secret_key=request.app.state.settings.resolved_secret_key,
            # By account number: an export leaves the server and is shared, an address must not go with it.
            exported_by=f"facilitator:{facilitator.id} through the API",
        )
    )


@router.get("/studies/{study_id}/results", response_model=schemas.StudyResultsOut)
def results(
    study_id: int = StudyId,
    facilitator: Facilitator = Depends(current_facilitator),
    db: Database = Depends(get_db),
) -> dict[str, Any]:
    """The study's workshops compared: per workshop its participants by group, contributions by
    kind, top measures with their scores and spread, and criteria means with n and IQR; per theme
    and workshop the contributions coded (settled codings), the mean weighted score of the
    measures coded with it and its share of the dots; robust and region-specific themes by the
    rule in `rule`. Only participants who agreed to research use are counted."""
    return study_document(study_results(db, facilitator, study_id).figures)
