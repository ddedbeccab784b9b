"""The application factory."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.sessions import SessionMiddleware

from backcast import __version__, migrate
from backcast.api.problems import describe_problems
from backcast.api.router import router as api_router
from backcast.db import Database
from backcast.http.limits import Limits
from backcast.live.factory import make_broker
from backcast.paths import STATIC
from backcast.settings import Settings
from backcast.web import (
    accesslog,
    account,
    api_docs,
    auth,
    coding,
    configure,
    console,
    errors,
    health,
    home,
    language,
    phone,
    printouts,
    report,
    screen,
    studies,
    template_library,
)
from backcast.web.body import BodyLimit
from backcast.web.console_live import ConsoleLive
from backcast.web.headers import SecurityHeaders
from backcast.web.locale import LocaleMiddleware
from backcast.web.methods import Methods
from backcast.web.origin import OriginGuard
from backcast.web.phone_live import PhoneLive
from backcast.web.retention import apply_retention, retain_daily
from backcast.web.screen_live import ScreenLive, TableScreens
from backcast.web.shedding import Shedding
from backcast.web.templating import make_templates
from backcast.workshop_templates import TEMPLATE_FILE_MAX

SESSION_COOKIE = "backcast_session"


def create_app(settings: Settings | None = None, db: Database | None = None) -> FastAPI:
    """The whole application. Refuses a database whose schema is not at this version's head."""
    settings = settings or Settings()
    db = db or Database.from_settings(settings)
    migrate.check_current(db.engine)

    broker = make_broker(settings, db)
    db.publisher = broker
    accesslog.install()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await broker.start()
        retention = None
        if settings.retention_days:
            await asyncio.to_thread(apply_retention, db, settings.retention_days)
            retention = asyncio.create_task(retain_daily(db, settings.retention_days))
        try:
            yield
        finally:
            if retention is not None:
                retention.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await retention
            await broker.stop()
            db.dispose()

    app = FastAPI(
        title="backcast",
        version=__version__,
        summary="Participatory backcasting workshops: the JSON API.",
        lifespan=lifespan,
        docs_url=None,  # web/api_docs.py serves it, vendored
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.db = db
    app.state.broker = broker
    app.state.templates = make_templates()
    app.state.phone_live = PhoneLive(db, app.state.templates)
    app.state.screen_live = ScreenLive(db, app.state.templates, settings)
    app.state.table_screens = TableScreens(db, app.state.templates, settings)
    app.state.console_live = ConsoleLive(db, app.state.templates)
    app.state.limits = Limits.from_settings(settings, db)

    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.resolved_secret_key,
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_max_age,
        same_site="lax",
        https_only=settings.served_over_https,
    )
    # Inside the locale middleware, so that a 413 speaks the reader's language.
    # A template file may be up to TEMPLATE_FILE_MAX, and the import says so itself when one is larger.
    app.add_middleware(
        BodyLimit,
        max_size=settings.max_body_size,
        larger={"/templates/import": TEMPLATE_FILE_MAX + 64 * 1024},
    )
    # Outside the body limit, so that a refused request's body is never read; inside the locale
    # middleware, so that the 503 speaks the reader's language.
    app.add_middleware(Shedding, max_in_flight=settings.max_in_flight)
    app.add_middleware(LocaleMiddleware)
    app.add_middleware(Methods)
    app.add_middleware(OriginGuard)
    app.add_middleware(SecurityHeaders, https=settings.served_over_https)
    # Phones on poor Wi-Fi: compress pages, styles and scripts (event streams are left alone).
    app.add_middleware(GZipMiddleware, minimum_size=500)
    errors.install(app)

    # The API first: the router tries routes in order, and each router an API request walked past
    # cost it tens of microseconds (all of them together were a third of a rating's time). The
    # API's paths all start with /api/v1, which no page uses, so the order decides nothing else.
    app.include_router(api_router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(health.router)
    app.include_router(auth.router)
    app.include_router(account.router)
    app.include_router(home.router)
    app.include_router(language.router)
    app.include_router(phone.router)
    app.include_router(screen.router)
    app.include_router(console.router)
    app.include_router(configure.router)
    app.include_router(template_library.router)
    app.include_router(studies.router)
    app.include_router(coding.router)
    app.include_router(report.router)
    app.include_router(printouts.router)
    app.include_router(api_docs.router)
    describe_problems(app)
    return app


def app_factory() -> FastAPI:
    """For `uvicorn --factory`: settings from the environment."""
    return create_app(Settings())
