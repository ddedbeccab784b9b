"""The facilitator's home: their workshops."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from backcast.db import Database
from backcast.services import workshops
from backcast.web.auth import login_url
from backcast.web.deps import get_db, get_templates, session_facilitator

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(request: Request, db: Database = Depends(get_db)) -> Response:
    facilitator = session_facilitator(request)
    if facilitator is None:
        return RedirectResponse(login_url("/"), status_code=303)
    mine = workshops.workshops_of(db, facilitator)
    return get_templates(request).TemplateResponse(
        request, "home.html", {"facilitator": facilitator, "workshops": mine}
    )
