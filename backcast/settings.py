"""All settings in one place. docs/settings.md is written from this class (`make docs`; a test
checks it is current): each field's name, type, default and description."""

from __future__ import annotations

import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="BACKCAST_",
        # An empty value in the environment means "unset", so `BACKCAST_PUBLIC_URL=` is harmless.
        env_ignore_empty=True,
        extra="ignore",
    )

    data_dir: Path = Field(
        default=Path("data"),
        description="Holds the SQLite file and the generated secret key; relative to the working directory.",
    )
    database_url: str | None = Field(
        default=None,
        description=(
            "SQLAlchemy URL of the store; unset: `sqlite:///<data dir>/backcast.sqlite3`. PostgreSQL: "
            "`postgresql+psycopg://user@host:5432/dbname`."
        ),
    )
    broker: Literal["memory", "postgres", "redis"] = Field(
        default="memory",
        description=(
            "Live-update broker: `memory` (one process), `postgres` (LISTEN/NOTIFY) or `redis` "
            "(pub/sub). Several workers need `postgres` or `redis`."
        ),
    )
    redis_url: str = Field(
        default="redis://127.0.0.1:6379/0", description="Redis server for the `redis` broker."
    )
    public_url: str | None = Field(
        default=None,
        description=(
            "Base URL that join links and QR codes encode, e.g. `https://workshop.example.org`. "
            "Unset: the machine's LAN address and port, never localhost, since phones must reach it. "
            "An `https://` URL also marks session cookies `Secure`."
        ),
    )
    secret_key: str | None = Field(
        default=None,
        description=(
            "Signs session cookies and set-up links, and keys the participants' pseudonyms in "
            "exports (a new key gives new pseudonyms). Unset: a random key is created in `<data "
            "dir>/secret_key` (mode 600) and kept there. With several servers, set the same key "
            "on each."
        ),
    )
    host: str = Field(
        default="0.0.0.0",
        description=(
            "Interface `backcast serve` listens on (all, so phones on the LAN reach it). `--host` "
            "overrides it."
        ),
    )
    port: int = Field(
        default=8000,
        ge=1,
        le=65535,
        validation_alias=AliasChoices("BACKCAST_PORT", "PORT"),
        description=(
            "Port `backcast serve` listens on. `PORT` is read too (for hosting platforms); "
            "`--port` overrides both."
        ),
    )
    session_max_age: int = Field(
        default=14 * 24 * 3600,
        ge=60,
        description="Seconds a facilitator stays signed in (the default is 14 days).",
    )
    sqlite_busy_timeout: float = Field(
        default=15.0, gt=0, description="Seconds an SQLite writer waits for the write lock before giving up."
    )
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        default="info", description="`debug`, `info`, `warning` or `error`."
    )
    # Limits on what people can guess or flood; 0 switches a limit off. With the postgres or redis
    # broker every process counts together; with the memory broker, each on its own.
    join_code_attempts: int = Field(
        default=10,
        ge=0,
        description=(
            "Wrong join codes one client address may try per window (on `/join`, `/j/CODE`, the "
            "screen and `POST /api/v1/join`); then every code lookup from that address gets 429 "
            "with `Retry-After` until the window has passed. Phones that already joined are not "
            "affected. `0` switches the limit off."
        ),
    )
    join_code_window: int = Field(default=300, ge=1, description="Seconds of the join-code window.")
    join_limit: int = Field(
        default=200,
        ge=0,
        description=(
            "Participants one client address may join one workshop as, per window, on the phone "
            "and through the API together; more get 429 with `Retry-After`. Each new identity "
            "brings fresh dots and a fresh contribution allowance; the default leaves room for a "
            "whole room behind one NAT. A join the workshop refuses does not count. `0` switches "
            "it off."
        ),
    )
    join_window: int = Field(default=600, ge=1, description="Seconds of the join window.")
    login_attempts: int = Field(
        default=10,
        ge=0,
        description=(
            "Failed sign-ins one client address may make per window; then 429 with "
            "`Retry-After`, without the password being checked. `0` switches it off."
        ),
    )
    login_account_attempts: int = Field(
        default=30,
        ge=0,
        description=(
            "Failed sign-ins for one account (email) per window, from any address together. Past "
            "it the account is never locked: each further failure doubles the wait (1, 2, 4 … "
            "seconds) before an address that has failed before may try again (429 with "
            "`Retry-After`), while an address with no failures still has its password checked, "
            "so the owner gets in during an attack. `0` switches it off."
        ),
    )
    login_delay_max: int = Field(default=300, ge=1, description="The longest of those waits, in seconds.")
    login_window: int = Field(default=900, ge=1, description="Seconds of the sign-in window.")
    token_miss_attempts: int = Field(
        default=30,
        ge=0,
        description=(
            "Requests one facilitator API token may make per window for workshops that are not "
            "its own or do not exist (both answer 403 alike); past it, every request with that "
            "token gets 429 with `Retry-After` until the window has passed. `0` switches it off."
        ),
    )
    token_miss_window: int = Field(default=300, ge=1, description="Seconds of the API token miss window.")
    contribution_limit: int = Field(
        default=10,
        ge=0,
        description=(
            "Contributions one participant may add per window, on the phone and through the API "
            "together; more get 429 with `Retry-After` (on the phone, a message under the form). "
            "Facilitators are not limited. `0` switches it off."
        ),
    )
    contribution_window: int = Field(default=60, ge=1, description="Seconds of the contribution window.")
    change_limit: int = Field(
        default=120,
        ge=0,
        description=(
            "Rating and dot changes one participant may make per window, on the phone and "
            "through the API together; more get 429 with `Retry-After` (on the phone, a message "
            "on the card). Each change is an event sent to every screen, so one client cannot "
            "flood the room. `0` switches it off."
        ),
    )
    change_window: int = Field(default=60, ge=1, description="Seconds of the rating and dot change window.")
    max_body_size: int = Field(
        default=64 * 1024,
        ge=1024,
        description=(
            "Largest request body in bytes (the default is 64 KB), at least 1024. A larger one is "
            "refused with 413 "
            "(problem details under `/api/`, an error page elsewhere), also when it is sent in "
            "chunks without a `Content-Length`. A template file imported at `/templates/import` "
            "may be up to 256 KB whatever this says."
        ),
    )
    header_timeout: float = Field(
        default=10.0,
        gt=0,
        description=(
            "Seconds `backcast serve` waits for all of a request's headers (from the "
            "connection's opening, or from a further request's first byte) before closing the "
            "connection: a client cannot hold sockets open by sending nothing or sending slowly."
        ),
    )
    keep_alive_timeout: float = Field(
        default=5.0, gt=0, description="Seconds an idle keep-alive connection stays open after a response."
    )
    streams_per_address: int = Field(
        default=500,
        ge=0,
        description=(
            "Live event streams (phone, screen, console, API) one client address may hold open "
            "at once in one server process; more get 429 with `Retry-After`. The default leaves "
            "room for a whole room behind one NAT. `0` switches it off."
        ),
    )
    max_in_flight: int = Field(
        default=200,
        ge=0,
        description=(
            "Requests one server process works on at once. Past it, a request is answered at once "
            "with 503 and `Retry-After: 1` instead of waiting behind the others; the phone sends "
            "what it was refused again by itself. Event streams, `/healthz` and static files are "
            "never refused this way. At a few milliseconds per request the default keeps the "
            "wait under a second. `0` switches it off."
        ),
    )
    retention_days: int = Field(
        default=0,
        ge=0,
        description=(
            "Days after which a closed workshop's participants lose their display names and "
            "tokens (they can no longer resume on their phones); their consent, group, "
            "contributions, ratings and dots stay. A workshop counts as closed when nothing has "
            "happened in it (no event) for that many days. Applied when the server starts and "
            "then once a day, and by `backcast retention`. `0` keeps names and tokens until the "
            "workshop or participant is deleted."
        ),
    )

    @property
    def served_over_https(self) -> bool:
        """Whether the public address is https: cookies are then marked Secure and HSTS is sent."""
        return bool(self.public_url and self.public_url.startswith("https://"))

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'backcast.sqlite3').resolve()}"

    @cached_property
    def resolved_secret_key(self) -> str:
        """The configured key, else the one kept in the data dir, created on first use."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        # Exclusive create: two workers starting at once must agree on one key.
        try:
            with open(path, "x") as handle:
                handle.write(key)
            path.chmod(0o600)
        except FileExistsError:
            return path.read_text().strip()
        return key
