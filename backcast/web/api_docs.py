"""`/api/docs`: the API's reference, browsable, with nothing from a CDN and no inline script.

FastAPI's own page loads Swagger UI from a CDN and starts it with an inline script, which the
Content-Security-Policy blocks; this one serves the vendored copy (`static/vendor/`) and starts it
from `static/api-docs.js`.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from backcast.web.deps import get_templates

router = APIRouter(include_in_schema=False)


@router.get("/api/docs")
def api_docs(request: Request) -> Response:
    openapi_url = request.app.openapi_url or "/openapi.json"
    return get_templates(request).TemplateResponse(request, "api_docs.html", {"openapi_url": openapi_url})
