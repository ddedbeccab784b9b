"""Refusals as RFC 9457 problem documents, and the status each service refusal is answered with:
the API answers with them, and so do the web's middleware and handlers for a client that asked
for JSON."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from fastapi.responses import JSONResponse

from backcast.http.limits import RateLimited
from backcast.services import errors

STATUS: dict[type[errors.ServiceError], int] = {
    errors.Invalid: 422,
    errors.NotFound: 404,
    errors.NotAllowed: 403,
    errors.NotAuthenticated: 401,
    errors.PhaseClosed: 409,
    errors.OverBudget: 409,
    errors.Conflict: 409,
    RateLimited: 429,
}


def status_of(error: errors.ServiceError) -> int:
    """The HTTP status of a refusal, alike for the API, the pages and the phone: a refusal of no
    listed kind is invalid input, as its code says."""
    return STATUS.get(type(error), 422)


PROBLEM = "application/problem+json"


class ProblemResponse(JSONResponse):
    media_type = PROBLEM

    def render(self, content: Any) -> bytes:
        try:
            return super().render(content)
        except UnicodeEncodeError:
            # A lone surrogate sent as a JSON escape and quoted back in `detail` or `errors` cannot
            # be UTF-8; escaped again, the document is still valid JSON.
            return json.dumps(content, separators=(",", ":")).encode("ascii")


def problem(
    status: int,
    code: str,
    detail: str,
    *,
    instance: str | None = None,
    field: str | None = None,
    errors_: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"urn:backcast:problem:{code}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if instance:
        body["instance"] = instance
    if field:
        body["field"] = field
    if errors_ is not None:
        body["errors"] = errors_
    return ProblemResponse(body, status_code=status, headers=headers)
