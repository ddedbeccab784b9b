"""The refusals each operation may answer with, described in the OpenAPI document as RFC 9457
problem documents (`backcast.http.problems` writes them)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from backcast.api.schemas import Problem

MEDIA_TYPE = "application/problem+json"
REF = "#/components/schemas/Problem"

WHEN: dict[int, str] = {
    400: "The body cannot be read: it is not text in UTF-8.",
    401: "No token, or one that is not valid (with `WWW-Authenticate: Bearer`).",
    403: "The wrong kind of token, someone else's workshop, or another participant's item.",
    404: "No such workshop code or item.",
    409: "Outside its phase or while input is closed, over the dot budget, or an item withdrawn or merged.",
    413: "The request body is over `BACKCAST_MAX_BODY_SIZE`.",
    422: "The request does not fit the schema (each problem in `errors`), or a value the workshop does "
    "not allow (named in `field`).",
    429: "Too many requests; `Retry-After` says how many seconds to wait.",
    503: "The server process is busy (`BACKCAST_MAX_IN_FLIGHT` requests at once) and did nothing; send "
    "it again after `Retry-After` seconds. Event streams are never refused this way.",
}


def problems(*statuses: int, **when: str) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: each status as a problem document, described by `WHEN` unless a
    description is given as `s429="..."`."""
    return {
        status: {
            "description": when.get(f"s{status}", WHEN[status]),
            "content": {MEDIA_TYPE: {"schema": {"$ref": REF}}},
        }
        for status in statuses
    }


def add_problem_schema(spec: dict[str, Any]) -> dict[str, Any]:
    """Puts the problem document's schema into the OpenAPI document's components, where the
    responses refer to it."""
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(problem.pop("$defs", {}))
    schemas["Problem"] = problem
    return spec


def describe_problems(app: FastAPI) -> None:
    """The application's OpenAPI document, with the schema its problem responses refer to."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = add_problem_schema(generate())
        return app.openapi_schema

    # Replacing `app.openapi` is how FastAPI documents extending the schema.
    app.openapi = openapi  # type: ignore[method-assign]
