"""Small in-process rate limits for what people can guess or flood: join codes, sign-ins and
contributions. The numbers are settings; each process counts on its own."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from starlette.requests import HTTPConnection

from backcast.i18n import N_plural
from backcast.services.errors import NotFound, ServiceError
from backcast.settings import Settings

T = TypeVar("T")


class RateLimited(ServiceError):
    """Too many attempts: nothing was done; `retry_after` says how many seconds to wait."""

    code = "rate-limited"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, seconds=retry_after)
        self.retry_after = retry_after


class Limiter:
    """At most `limit` hits per `window` seconds per key (a client address, an account, a
    participant). A limit of 0 lets everything through."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, key: str) -> int:
        """Seconds until `key` may try again; 0 when it may now."""
        if self.limit <= 0:
            return 0
        now = time.monotonic()
        with self._lock:
            hits = self._prune(key, now)
            if len(hits) < self.limit:
                return 0
            return max(1, math.ceil(hits[0] + self.window - now))

    def hit(self, key: str) -> None:
        if self.limit <= 0:
            return
        now = time.monotonic()
        with self._lock:
            self._prune(key, now).append(now)
            if len(self._hits) > 10_000:  # forget the quiet ones so the table cannot grow unbounded
                for stale in [k for k, v in self._hits.items() if not v or v[-1] < now - self.window]:
                    del self._hits[stale]

    def check(self, key: str, message: str) -> None:
        """Raises RateLimited with `message` (a msgid taking %(seconds)d) while `key` must wait."""
        wait = self.retry_after(key)
        if wait:
            raise RateLimited(message, wait)

    def take(self, key: str, message: str) -> None:
        """Counts an attempt, or raises RateLimited when `key` has none left. Check and count are
        one step, so a burst of parallel requests cannot all slip through."""
        if self.limit <= 0:
            return
        now = time.monotonic()
        with self._lock:
            hits = self._prune(key, now)
            if len(hits) >= self.limit:
                raise RateLimited(message, max(1, math.ceil(hits[0] + self.window - now)))
            hits.append(now)

    def release(self, key: str) -> None:
        """Hands back the newest attempt of `key`: it turned out not to count (a sign-in that worked)."""
        with self._lock:
            hits = self._hits.get(key)
            if hits:
                hits.pop()

    def _prune(self, key: str, now: float) -> deque[float]:
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        return hits


WRONG_CODES = N_plural(
    "Too many wrong codes. Please wait %(seconds)d second and try again.",
    "Too many wrong codes. Please wait %(seconds)d seconds and try again.",
    count="seconds",
)
TOO_MANY_LOGINS = N_plural(
    "Too many failed sign-ins. Please wait %(seconds)d second and try again.",
    "Too many failed sign-ins. Please wait %(seconds)d seconds and try again.",
    count="seconds",
)
TOO_MANY_ITEMS = N_plural(
    "You are adding contributions very fast. Please wait %(seconds)d second.",
    "You are adding contributions very fast. Please wait %(seconds)d seconds.",
    count="seconds",
)


@dataclass(frozen=True)
class Limits:
    wrong_codes: Limiter  # per client address
    logins_by_client: Limiter
    logins_by_account: Limiter
    contributions: Limiter  # per participant

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            wrong_codes=Limiter(settings.join_code_attempts, settings.join_code_window),
            logins_by_client=Limiter(settings.login_attempts, settings.login_window),
            logins_by_account=Limiter(settings.login_account_attempts, settings.login_window),
            contributions=Limiter(settings.contribution_limit, settings.contribution_window),
        )


def limits_of(connection: HTTPConnection) -> Limits:
    return connection.app.state.limits


def client_address(connection: HTTPConnection) -> str:
    # Behind a proxy, `backcast serve` trusts its X-Forwarded-For (uvicorn's proxy headers).
    return connection.client.host if connection.client else "unknown"


def guard_code(connection: HTTPConnection, lookup: Callable[[], T]) -> T:
    """`lookup()` of a workshop by a code someone typed or put in an address, counted: an address
    that tried too many codes that do not exist must wait before it may try any."""
    wrong_codes = limits_of(connection).wrong_codes
    key = client_address(connection)
    wrong_codes.check(key, WRONG_CODES)
    try:
        return lookup()
    except NotFound:
        wrong_codes.hit(key)
        raise


def take_contribution(connection: HTTPConnection, participant_id: int | None) -> None:
    """One of the participant's contributions for this window, or RateLimited."""
    limits_of(connection).contributions.take(str(participant_id), TOO_MANY_ITEMS)


def _login_keys(connection: HTTPConnection, email: str) -> list[tuple[Limiter, str]]:
    limits = limits_of(connection)
    return [
        (limits.logins_by_client, client_address(connection)),
        (limits.logins_by_account, email.strip().lower()[:254]),
    ]


def take_login(connection: HTTPConnection, email: str) -> None:
    """A sign-in attempt from this address and for this account, or RateLimited. Taken before the
    password is checked, so parallel guesses cannot overtake the count."""
    taken: list[tuple[Limiter, str]] = []
    try:
        for limiter, key in _login_keys(connection, email):
            limiter.take(key, TOO_MANY_LOGINS)
            taken.append((limiter, key))
    except RateLimited:
        for limiter, key in taken:
            limiter.release(key)
        raise


def login_succeeded(connection: HTTPConnection, email: str) -> None:
    """Only failed sign-ins count: a successful one hands its attempt back."""
    for limiter, key in _login_keys(connection, email):
        limiter.release(key)
