"""All settings in one place. Each field is documented in docs/settings.md (a test checks it)."""

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
        description="Directory for the SQLite file and the generated secret key.",
    )
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; SQLite file in the data dir when unset."
    )
    broker: Literal["memory", "postgres", "redis"] = Field(
        default="memory", description="Live-update broker."
    )
    redis_url: str = Field(default="redis://127.0.0.1:6379/0", description="Redis URL for the redis broker.")
    public_url: str | None = Field(default=None, description="Base URL that join links and QR codes encode.")
    secret_key: str | None = Field(
        default=None,
        description="Signs session cookies; generated and kept in the data dir when unset.",
    )
    host: str = Field(default="0.0.0.0", description="Interface `backcast serve` listens on.")
    port: int = Field(
        default=8000,
        ge=1,
        le=65535,
        validation_alias=AliasChoices("BACKCAST_PORT", "PORT"),
        description="Port `backcast serve` listens on.",
    )
    session_max_age: int = Field(
        default=14 * 24 * 3600, ge=60, description="Facilitator session lifetime in seconds."
    )
    sqlite_busy_timeout: float = Field(
        default=15.0, gt=0, description="Seconds an SQLite writer waits for the lock."
    )
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        default="info", description="Server log level."
    )
    # Limits on what people can guess or flood; 0 switches a limit off. With the postgres or redis
    # broker every process counts together; with the memory broker, each on its own.
    join_code_attempts: int = Field(
        default=10, ge=0, description="Wrong join codes one client address may try per window."
    )
    join_code_window: int = Field(default=300, ge=1, description="Seconds of the join-code window.")
    join_limit: int = Field(
        default=200,
        ge=0,
        description="Participants one client address may join a workshop as, per window; a room behind "
        "one NAT shares one address.",
    )
    join_window: int = Field(default=600, ge=1, description="Seconds of the join window.")
    login_attempts: int = Field(
        default=10, ge=0, description="Failed sign-ins one client address may make per window."
    )
    login_account_attempts: int = Field(
        default=30,
        ge=0,
        description="Failed sign-ins for one account per window, from anywhere, before each further "
        "failure doubles the wait for addresses that have failed before.",
    )
    login_delay_max: int = Field(
        default=300, ge=1, description="Longest wait in seconds between sign-ins to an account under attack."
    )
    login_window: int = Field(default=900, ge=1, description="Seconds of the sign-in window.")
    token_miss_attempts: int = Field(
        default=30,
        ge=0,
        description="Requests one facilitator API token may make per window for workshops that are not "
        "its own or do not exist.",
    )
    token_miss_window: int = Field(default=300, ge=1, description="Seconds of the API token miss window.")
    contribution_limit: int = Field(
        default=10, ge=0, description="Contributions one participant may add per window."
    )
    contribution_window: int = Field(default=60, ge=1, description="Seconds of the contribution window.")
    change_limit: int = Field(
        default=120, ge=0, description="Rating and dot changes one participant may make per window."
    )
    change_window: int = Field(default=60, ge=1, description="Seconds of the rating and dot change window.")
    max_body_size: int = Field(
        default=64 * 1024, ge=1024, description="Largest request body in bytes; larger ones get 413."
    )
    header_timeout: float = Field(
        default=10.0,
        gt=0,
        description="Seconds `backcast serve` waits for a request's headers before closing the connection.",
    )
    keep_alive_timeout: float = Field(
        default=5.0, gt=0, description="Seconds an idle keep-alive connection stays open."
    )
    streams_per_address: int = Field(
        default=500,
        ge=0,
        description="Live event streams one client address may hold open at once, per process.",
    )
    retention_days: int = Field(
        default=0,
        ge=0,
        description="Days after which closed workshops lose participants' names and tokens; 0 keeps.",
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
