"""The application's error handlers: a page for people, a problem document (`backcast.http.problems`)
for the API and every other client that did not ask for HTML."""

from __future__ import annotations

from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from backcast import i18n
from backcast.http.limits import RateLimited, token_missed
from backcast.http.problems import problem, status_of
from backcast.services import errors
from backcast.web.deps import LoginRequired, NotJoined, login_url

# What a person reads on an error page; the status phrase in `detail` is for machines and English.
PAGE_DETAIL: dict[int, str] = {
    404: i18n.N_("There is no page at this address."),
    405: i18n.N_("This address cannot be opened this way."),
}


HTTP_CODES: dict[int, str] = {
    400: "bad-request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
}

# The framework answers a body it cannot decode with 400 and an English phrase of its own.
API_DETAIL: dict[int, str] = {
    400: i18n.N_("The request body could not be read: send JSON text in UTF-8."),
}


def wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


def error_page(request: Request, status: int, detail: str, headers: dict[str, str] | None = None) -> Response:
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(
        request, "error.html", {"status": status, "detail": detail}, status_code=status, headers=headers
    )


def install(app: FastAPI) -> None:
    @app.exception_handler(errors.ServiceError)
    async def service_error(request: Request, exc: errors.ServiceError) -> Response:
        status = status_of(exc)
        if status == 403 and request.url.path.startswith("/api/"):
            await run_in_threadpool(token_missed, request)
        detail = i18n.gettext(exc.message, **exc.params)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
        if isinstance(exc, RateLimited):
            headers["Retry-After"] = str(exc.retry_after)
        if wants_html(request):
            return error_page(request, status, detail, headers=headers)
        return problem(status, exc.code, detail, instance=request.url.path, field=exc.field, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        if wants_html(request) or request.headers.get("hx-request") == "true":
            return error_page(
                request, 422, i18n.gettext("Something in the form was not understood. Please try again.")
            )
        found = [
            {
                "field": ".".join(str(part) for part in error["loc"] if part != "body"),
                "message": error["msg"],
            }
            for error in exc.errors()
        ]
        detail = i18n.ngettext(
            "The request is not valid: %(num)d problem.",
            "The request is not valid: %(num)d problems.",
            len(found),
        )
        # One problem names its field, as a service's refusal does.
        field = found[0]["field"] if len(found) == 1 and found[0]["field"] else None
        return problem(422, "invalid", detail, instance=request.url.path, field=field, errors_=found)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(login_url(request.url.path), status_code=303)

    @app.exception_handler(NotJoined)
    async def not_joined(request: Request, exc: NotJoined) -> Response:
        if request.headers.get("hx-request") == "true":
            return Response(status_code=204, headers={"HX-Redirect": f"/j/{exc.code}"})
        return RedirectResponse(f"/j/{exc.code}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        if wants_html(request):
            page_detail = PAGE_DETAIL.get(exc.status_code)
            return error_page(request, exc.status_code, i18n.gettext(page_detail) if page_detail else detail)
        code = HTTP_CODES.get(exc.status_code, "http-error")
        if exc.status_code in API_DETAIL:
            detail = i18n.gettext(API_DETAIL[exc.status_code])
        headers = dict(exc.headers) if exc.headers else None
        return problem(exc.status_code, code, detail, instance=request.url.path, headers=headers)
