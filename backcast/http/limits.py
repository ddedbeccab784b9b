"""Rate limits for what people can guess or flood: join codes, sign-ins and contributions. The
numbers are settings; with a shared broker, every process counts together (backcast.ratelimit)."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from starlette.requests import HTTPConnection

from backcast import credentials
from backcast.db import Database
from backcast.i18n import N_plural
from backcast.ratelimit import HitStore, Limiter, make_store
from backcast.services.errors import NotFound, ServiceError
from backcast.settings import Settings

T = TypeVar("T")


class RateLimited(ServiceError):
    """Too many attempts: nothing was done; `retry_after` says how many seconds to wait."""

    code = "rate-limited"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, seconds=retry_after)
        self.retry_after = retry_after


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
TOO_MANY_MISSES = N_plural(
    "Too many requests for workshops that are not yours. Please wait %(seconds)d second and try again.",
    "Too many requests for workshops that are not yours. Please wait %(seconds)d seconds and try again.",
    count="seconds",
)
TOO_MANY_CHANGES = N_plural(
    "You are changing ratings and dots very fast. Please wait %(seconds)d second.",
    "You are changing ratings and dots very fast. Please wait %(seconds)d seconds.",
    count="seconds",
)
TOO_MANY_JOINS = N_plural(
    "Too many people joined from this network in a short time. Please wait %(seconds)d second.",
    "Too many people joined from this network in a short time. Please wait %(seconds)d seconds.",
    count="seconds",
)
TOO_MANY_STREAMS = N_plural(
    "Too many live connections from this address. Please wait %(seconds)d second.",
    "Too many live connections from this address. Please wait %(seconds)d seconds.",
    count="seconds",
)
# What a refused stream is told to wait: streams end when their clients go, not on a schedule.
STREAM_RETRY_AFTER = 10
TOO_MANY_ITEMS = N_plural(
    "You are adding contributions very fast. Please wait %(seconds)d second.",
    "You are adding contributions very fast. Please wait %(seconds)d seconds.",
    count="seconds",
)


def _take(limiter: Limiter, key: str, message: str) -> None:
    wait = limiter.take_or_wait(key)
    if wait:
        raise RateLimited(message, wait)


def _check(limiter: Limiter, key: str, message: str) -> None:
    wait = limiter.retry_after(key)
    if wait:
        raise RateLimited(message, wait)


class StreamSlots:
    """Open event streams per client address, in this process: each holds a connection and a
    listener here, so it is this process's count that matters."""

    def __init__(self, per_address: int) -> None:
        self.per_address = per_address
        self._open: dict[str, int] = {}
        self._lock = threading.Lock()

    def acquire(self, address: str) -> bool:
        with self._lock:
            held = self._open.get(address, 0)
            if self.per_address and held >= self.per_address:
                return False
            self._open[address] = held + 1
            return True

    def release(self, address: str) -> None:
        with self._lock:
            held = self._open.get(address, 0) - 1
            if held > 0:
                self._open[address] = held
            else:
                self._open.pop(address, None)


@dataclass(frozen=True)
class Limits:
    wrong_codes: Limiter  # per client address
    joins: Limiter  # per client address and workshop
    logins_by_client: Limiter  # failed sign-ins per client address
    logins_by_account: Limiter  # failed sign-ins per account, from anywhere
    login_delay_max: int
    token_misses: Limiter  # per facilitator API token
    contributions: Limiter  # per participant
    changes: Limiter  # rating and dot changes per participant
    streams: StreamSlots

    @classmethod
    def from_settings(cls, settings: Settings, db: Database | None = None) -> Limits:
        store: HitStore | None = make_store(settings, db) if db is not None else None
        return cls(
            wrong_codes=Limiter("wrong-code", settings.join_code_attempts, settings.join_code_window, store),
            joins=Limiter("join", settings.join_limit, settings.join_window, store),
            logins_by_client=Limiter("login-client", settings.login_attempts, settings.login_window, store),
            logins_by_account=Limiter(
                "login-account", settings.login_account_attempts, settings.login_window, store
            ),
            login_delay_max=settings.login_delay_max,
            token_misses=Limiter(
                "token-miss", settings.token_miss_attempts, settings.token_miss_window, store
            ),
            contributions=Limiter(
                "contribution", settings.contribution_limit, settings.contribution_window, store
            ),
            changes=Limiter("change", settings.change_limit, settings.change_window, store),
            streams=StreamSlots(settings.streams_per_address),
        )


def limits_of(connection: HTTPConnection) -> Limits:
    limits: Limits = connection.app.state.limits
    return limits


def client_address(connection: HTTPConnection) -> str:
    # Behind a proxy, `backcast serve` trusts its X-Forwarded-For (uvicorn's proxy headers).
    return connection.client.host if connection.client else "unknown"


def guard_code(connection: HTTPConnection, lookup: Callable[[], T]) -> T:
    """`lookup()` of a workshop by a code someone typed or put in an address, counted: an address
    that tried too many codes that do not exist must wait before it may try any."""
    wrong_codes = limits_of(connection).wrong_codes
    key = client_address(connection)
    _check(wrong_codes, key, WRONG_CODES)
    try:
        return lookup()
    except NotFound:
        wrong_codes.hit(key)
        raise


def _facilitator_token_key(connection: HTTPConnection) -> str | None:
    scheme, _, token = connection.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token.startswith("bct_"):
        return None
    return credentials.hash_token(token)


def check_token_misses(connection: HTTPConnection) -> None:
    """RateLimited while the facilitator token of this request has asked for too many workshops
    that are not its own: codes cannot be probed at speed even with a valid token."""
    key = _facilitator_token_key(connection)
    if key is not None:
        _check(limits_of(connection).token_misses, key, TOO_MANY_MISSES)


def token_missed(connection: HTTPConnection) -> None:
    key = _facilitator_token_key(connection)
    if key is not None:
        limits_of(connection).token_misses.hit(key)


def take_contribution(connection: HTTPConnection, participant_id: int | None) -> None:
    """One of the participant's contributions for this window, or RateLimited."""
    _take(limits_of(connection).contributions, str(participant_id), TOO_MANY_ITEMS)


@contextmanager
def holding_stream(connection: HTTPConnection) -> Iterator[None]:
    """A slot for one event stream of this client address while the stream lasts, or RateLimited:
    one client must not hold thousands of streams open."""
    slots = limits_of(connection).streams
    address = client_address(connection)
    if not slots.acquire(address):
        raise RateLimited(TOO_MANY_STREAMS, STREAM_RETRY_AFTER)
    try:
        yield
    finally:
        slots.release(address)


def _join_key(connection: HTTPConnection, code: str) -> str:
    return f"{code}:{client_address(connection)}"


def take_join(connection: HTTPConnection, code: str) -> None:
    """One more participant joining `code` from this address, or RateLimited: each new identity
    brings fresh dots and a fresh contribution allowance, so one client may not make hundreds."""
    _take(limits_of(connection).joins, _join_key(connection, code), TOO_MANY_JOINS)


def join_refused(connection: HTTPConnection, code: str) -> None:
    """A join the service refused made no participant: it does not count."""
    limits_of(connection).joins.release(_join_key(connection, code))


def take_change(connection: HTTPConnection, participant_id: int | None) -> None:
    """One of the participant's rating or dot changes for this window, or RateLimited: each change
    is an event sent to every screen, so one client must not flood the room."""
    _take(limits_of(connection).changes, str(participant_id), TOO_MANY_CHANGES)


def _account_key(email: str) -> str:
    return email.strip().lower()[:254]


def account_delay(limits: Limits, email: str) -> int:
    """Seconds the account's sign-ins must still wait. Past the account's limit of failures each
    further failure doubles the pause after it (up to `login_delay_max`): guessing from many
    addresses slows to a crawl, while the account itself is never locked."""
    failures = limits.logins_by_account.ages(_account_key(email))
    excess = len(failures) - limits.logins_by_account.limit
    if limits.logins_by_account.limit <= 0 or excess < 0:
        return 0
    delay: int = min(2**excess, limits.login_delay_max)  # `int ** int` is typed Any: it may be a float
    return max(0, math.ceil(delay - failures[-1]))


def take_login(connection: HTTPConnection, email: str) -> None:
    """A sign-in attempt from this address, or RateLimited. Taken before the password is checked,
    so parallel guesses cannot overtake the count. An address that has failed before must also
    wait out the account's delay; one with no failures is let through to the password, so the
    owner signs in while others guess."""
    limits = limits_of(connection)
    address = client_address(connection)
    clean = limits.logins_by_client.count(address) == 0
    _take(limits.logins_by_client, address, TOO_MANY_LOGINS)
    wait = 0 if clean else account_delay(limits, email)
    if wait:
        limits.logins_by_client.release(address)  # a refused attempt tried no password
        raise RateLimited(TOO_MANY_LOGINS, wait)


def login_failed(connection: HTTPConnection, email: str) -> None:
    """A wrong password: it counts against the account, from wherever it came."""
    limits_of(connection).logins_by_account.hit(_account_key(email))


def login_succeeded(connection: HTTPConnection, email: str) -> None:
    """Only failed sign-ins count: a successful one hands its attempt back."""
    limits_of(connection).logins_by_client.release(client_address(connection))
