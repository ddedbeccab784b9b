"""Facilitator accounts and API tokens."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete, func, text, update
from sqlmodel import col, select

from backcast import credentials
from backcast.db import Database, Transaction
from backcast.events import (
    ApiTokenIssued,
    ApiTokenRevoked,
    FacilitatorAdded,
    PasswordChanged,
    SessionsEnded,
)
from backcast.i18n import N_
from backcast.models import ApiToken, Facilitator, FacilitatorSession, utcnow
from backcast.models.limits import EMAIL_MAX
from backcast.services import validate
from backcast.services.errors import Conflict, Invalid, NotAuthenticated, NotFound
from backcast.services.eventlog import record_account
from backcast.settings import Settings

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def clean_email(email: object) -> str:
    value = validate.text(email, "email", max_length=EMAIL_MAX, multiline=False).lower()
    if not _EMAIL.match(value):
        raise Invalid(N_("This is not an email address."), field="email")
    return value


def _clean_password(password: object) -> str:
    if not isinstance(password, str):
        raise Invalid(N_("This must be text."), field="password")
    if len(password) < credentials.PASSWORD_MIN:
        raise Invalid(
            N_("Choose a password of at least %(min)d characters."),
            field="password",
            min=credentials.PASSWORD_MIN,
        )
    if len(password) > credentials.PASSWORD_MAX:
        raise Invalid(N_("This password is too long."), field="password")
    return password


def _add(tx: Transaction, email: str, password: str, via: str) -> Facilitator:
    exists = tx.session.exec(select(Facilitator.id).where(Facilitator.email == email)).first()
    if exists is not None:
        raise Conflict(N_("An account with this email already exists."), field="email")
    facilitator = Facilitator(email=email, password_hash=credentials.hash_password(password))
    tx.session.add(facilitator)
    tx.session.flush()
    assert facilitator.id is not None
    record_account(tx, FacilitatorAdded(facilitator_id=facilitator.id, via=via))
    return facilitator


def add_facilitator(db: Database, email: str, password: str, *, via: str = "cli") -> Facilitator:
    email, password = clean_email(email), _clean_password(password)
    with db.write() as tx:
        return _add(tx, email, password, via)


def create_first_facilitator(db: Database, email: str, password: str) -> Facilitator:
    """The first-run set-up: allowed only while no account exists, and only once."""
    email, password = clean_email(email), _clean_password(password)
    with db.write() as tx:
        if db.dialect == "postgresql":
            # Two set-up forms submitted at once must not both see an empty table.
            tx.session.execute(text("LOCK TABLE facilitator IN SHARE ROW EXCLUSIVE MODE"))
        if facilitator_count_in(tx):
            raise Conflict(N_("Set-up is already done: sign in instead."))
        return _add(tx, email, password, via="setup")


def facilitator_count_in(tx: Transaction) -> int:
    return tx.session.exec(select(func.count()).select_from(Facilitator)).one()


def facilitator_count(db: Database) -> int:
    with db.read() as session:
        return session.exec(select(func.count()).select_from(Facilitator)).one()


def authenticate(db: Database, email: str, password: str) -> Facilitator:
    """The account for this email and password; one vague message for every failure."""
    normalized = email.strip().lower() if isinstance(email, str) else ""
    with db.read() as session:
        facilitator = session.exec(select(Facilitator).where(Facilitator.email == normalized)).first()
    stored = facilitator.password_hash if facilitator else None
    if not isinstance(password, str) or not credentials.verify_password(stored, password):
        raise NotAuthenticated(N_("Email or password is wrong."))
    assert facilitator is not None
    return facilitator


def facilitator_by_email(db: Database, email: str) -> Facilitator | None:
    normalized = email.strip().lower() if isinstance(email, str) else ""
    with db.read() as session:
        return session.exec(select(Facilitator).where(Facilitator.email == normalized)).first()


def all_facilitators(db: Database, limit: int = 2) -> list[Facilitator]:
    """The first `limit` accounts by id: enough to tell "the only one" from "several"."""
    with db.read() as session:
        return list(session.exec(select(Facilitator).order_by(col(Facilitator.id)).limit(limit)))


def facilitator_by_id(db: Database, facilitator_id: int) -> Facilitator | None:
    with db.read() as session:
        return session.get(Facilitator, facilitator_id)


def issue_api_token(db: Database, email: str, label: str = "") -> str:
    """A new API token; only its hash is kept, so this is the one chance to see it."""
    email = clean_email(email)
    label = validate.text(label, "label", max_length=100, required=False, multiline=False)
    token = credentials.new_token("bct")
    with db.write() as tx:
        facilitator = tx.session.exec(select(Facilitator).where(Facilitator.email == email)).first()
        if facilitator is None:
            raise NotFound(N_("There is no facilitator with this email."), field="email")
        assert facilitator.id is not None
        row = ApiToken(facilitator_id=facilitator.id, token_hash=credentials.hash_token(token), label=label)
        tx.session.add(row)
        tx.session.flush()
        assert row.id is not None
        record_account(tx, ApiTokenIssued(facilitator_id=facilitator.id, token_id=row.id))
    return token


# `last_used_at` is written at most this often per token: a script calling many times a second
# must not turn every read into a write.
TOKEN_USE_PRECISION = timedelta(seconds=60)


def facilitator_for_token(db: Database, token: str) -> Facilitator | None:
    with db.read() as session:
        row = session.exec(
            select(Facilitator, ApiToken.id, ApiToken.last_used_at)
            .join(ApiToken, col(ApiToken.facilitator_id) == col(Facilitator.id))
            .where(ApiToken.token_hash == credentials.hash_token(token))
        ).first()
    if row is None:
        return None
    facilitator, token_id, last_used_at = row
    now = utcnow()
    if last_used_at is None or now - last_used_at >= TOKEN_USE_PRECISION:
        with db.write() as tx:
            tx.session.execute(update(ApiToken).where(col(ApiToken.id) == token_id).values(last_used_at=now))
    return facilitator


def api_tokens(db: Database, facilitator_id: int) -> list[ApiToken]:
    """The account's tokens, newest first (their hashes only: a token is shown once, when issued)."""
    with db.read() as session:
        return list(
            session.exec(
                select(ApiToken)
                .where(ApiToken.facilitator_id == facilitator_id)
                .order_by(col(ApiToken.created_at).desc(), col(ApiToken.id).desc())
            )
        )


def api_tokens_for_email(db: Database, email: str) -> list[ApiToken]:
    facilitator = facilitator_by_email(db, email)
    if facilitator is None or facilitator.id is None:
        raise NotFound(N_("There is no facilitator with this email."), field="email")
    return api_tokens(db, facilitator.id)


def revoke_api_token(
    db: Database, token_id: object, *, owner_id: int | None = None, via: str = "cli"
) -> ApiToken:
    """Deletes the token so it stops working at once. With `owner_id`, only that account's token:
    someone else's answers like one that does not exist."""
    with db.write() as tx:
        row = tx.session.get(ApiToken, token_id) if validate.is_id(token_id) else None
        if row is None or (owner_id is not None and row.facilitator_id != owner_id):
            raise NotFound(N_("There is no such token."), field="token")
        tx.session.delete(row)
        record_account(tx, ApiTokenRevoked(facilitator_id=row.facilitator_id, token_id=row.id, via=via))
    return row


# --- sessions -----------------------------------------------------------------------------------


def start_session(db: Database, facilitator_id: int, max_age: int) -> str:
    """A new signed-in session; the returned token goes into the (signed) session cookie."""
    token = credentials.new_token("bcs")
    now = utcnow()
    with db.write() as tx:
        # The account's expired sessions go on the way: nothing else would ever remove them.
        tx.session.execute(
            delete(FacilitatorSession).where(
                col(FacilitatorSession.facilitator_id) == facilitator_id,
                col(FacilitatorSession.expires_at) <= now,
            )
        )
        tx.session.add(
            FacilitatorSession(
                facilitator_id=facilitator_id,
                token_hash=credentials.hash_token(token),
                created_at=now,
                expires_at=now + timedelta(seconds=max_age),
            )
        )
    return token


def facilitator_for_session(db: Database, token: str) -> Facilitator | None:
    """The account of a session that has not ended or expired."""
    with db.read() as session:
        return session.exec(
            select(Facilitator)
            .join(FacilitatorSession, col(FacilitatorSession.facilitator_id) == col(Facilitator.id))
            .where(
                FacilitatorSession.token_hash == credentials.hash_token(token),
                FacilitatorSession.expires_at > utcnow(),
            )
        ).first()


def session_started_at(db: Database, token: str) -> datetime | None:
    with db.read() as session:
        return session.exec(
            select(FacilitatorSession.created_at).where(
                FacilitatorSession.token_hash == credentials.hash_token(token)
            )
        ).first()


def end_session(db: Database, token: str) -> None:
    """Signing out: the session's row goes, so a copy of its cookie no longer works anywhere."""
    with db.write() as tx:
        tx.session.execute(
            delete(FacilitatorSession).where(
                col(FacilitatorSession.token_hash) == credentials.hash_token(token)
            )
        )


def _end_sessions(tx: Transaction, facilitator_id: int, keep: str | None = None) -> int:
    query = delete(FacilitatorSession).where(col(FacilitatorSession.facilitator_id) == facilitator_id)
    if keep is not None:
        query = query.where(col(FacilitatorSession.token_hash) != credentials.hash_token(keep))
    # A DELETE's result has a row count; SQLAlchemy types `execute` as returning any Result.
    return tx.session.execute(query).rowcount or 0  # type: ignore[attr-defined]


def end_all_sessions(db: Database, facilitator_id: int) -> int:
    """Signs the account out in every browser, this one included; returns how many sessions ended."""
    with db.write() as tx:
        ended = _end_sessions(tx, facilitator_id)
        record_account(tx, SessionsEnded(facilitator_id=facilitator_id, sessions=ended))
    return ended


def change_password(
    db: Database,
    facilitator_id: int,
    new_password: str,
    *,
    current_password: str | None = None,
    keep_session: str | None = None,
    via: str = "cli",
) -> None:
    """Sets a new password and ends every session but `keep_session` (the browser that changed it).
    From the account page the current password must be given too."""
    new_password = _clean_password(new_password)
    with db.write() as tx:
        facilitator = tx.session.get(Facilitator, facilitator_id)
        if facilitator is None:
            raise NotFound(N_("There is no facilitator with this email."), field="email")
        if current_password is not None and not credentials.verify_password(
            facilitator.password_hash, current_password
        ):
            raise Invalid(N_("The current password is wrong."), field="current_password")
        facilitator.password_hash = credentials.hash_password(new_password)
        tx.session.add(facilitator)
        _end_sessions(tx, facilitator_id, keep=keep_session)
        record_account(tx, PasswordChanged(facilitator_id=facilitator_id, via=via))


SETUP_SALT = "backcast-first-run-setup"
SETUP_MAX_AGE = 7 * 24 * 3600


def setup_token(settings: Settings) -> str:
    """A signed set-up token; it works only while no facilitator exists, which makes it one-time."""
    return URLSafeTimedSerializer(settings.resolved_secret_key, salt=SETUP_SALT).dumps("setup")


def setup_token_valid(settings: Settings, token: str) -> bool:
    try:
        URLSafeTimedSerializer(settings.resolved_secret_key, salt=SETUP_SALT).loads(
            token, max_age=SETUP_MAX_AGE
        )
    except BadSignature:
        return False
    return True
