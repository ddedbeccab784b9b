"""A facilitator's templates (`/templates`): the built-in ones and their own; export and import."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from backcast import i18n
from backcast.db import Database
from backcast.http.deps import get_db
from backcast.models import Facilitator
from backcast.services import templates
from backcast.services.errors import Invalid, ServiceError
from backcast.web.deps import console_facilitator, get_templates
from backcast.workshop_templates import TEMPLATE_FILE_MAX

router = APIRouter(include_in_schema=False)


def _page(
    request: Request,
    db: Database,
    facilitator: Facilitator,
    *,
    saved: str | None = None,
    error: ServiceError | None = None,
) -> Response:
    context = {
        "facilitator": facilitator,
        "choices": templates.templates_for(db, facilitator),
        "saved": saved,
        "error": i18n.gettext(error.message, **error.params) if error else None,
    }
    return get_templates(request).TemplateResponse(
        request, "templates.html", context, status_code=422 if error else 200
    )


@router.get("/templates")
def template_list(
    request: Request,
    saved: str | None = Query(None, max_length=60),
    facilitator: Facilitator = Depends(console_facilitator),
    db: Database = Depends(get_db),
) -> Response:
    return _page(request, db, facilitator, saved=saved)


@router.get("/templates/{key}.json")
def export_template(
    key: str, facilitator: Facilitator = Depends(console_facilitator), db: Database = Depends(get_db)
) -> Response:
    template = templates.find_template(db, facilitator, key)
    return Response(
        template.to_json(),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="backcast-template-{template.key}.json"'},
    )


@router.post("/templates/import")
async def import_template(
    request: Request,
    facilitator: Facilitator = Depends(console_facilitator),
    db: Database = Depends(get_db),
) -> Response:
    # The context closes the uploaded file's spool however this ends.
    async with request.form(max_files=1, max_fields=5) as form:
        upload = form.get("file")
        try:
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise Invalid(i18n.N_("Choose a template file to import."), field="file")
            data = await upload.read(TEMPLATE_FILE_MAX + 1)
            template = templates.import_template(db, facilitator, data)
        except ServiceError as error:
            return _page(request, db, facilitator, error=error)
    return RedirectResponse(f"/templates?saved={template.key}", status_code=303)


@router.post("/templates/{key}/delete")
def delete_template(
    key: str,
    facilitator: Facilitator = Depends(console_facilitator),
    db: Database = Depends(get_db),
) -> Response:
    templates.delete_template(db, facilitator, key)  # another's or a built-in's key: the 404 page
    return RedirectResponse("/templates", status_code=303)
