"""Facilitator accounts and API tokens."""

from __future__ import annotations

import re

from sqlalchemy import func, text
from sqlmodel import select

from backcast import credentials
from backcast.db import Database, Transaction
from backcast.events import ApiTokenIssued, FacilitatorAdded
from backcast.i18n import N_
from backcast.models import ApiToken, Facilitator
from backcast.models.limits import EMAIL_MAX
from backcast.services import validate
from backcast.services.errors import Conflict, Invalid, NotAuthenticated, NotFound
from backcast.services.eventlog import record_account

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


def facilitator_for_token(db: Database, token: str) -> Facilitator | None:
    with db.read() as session:
        row = session.exec(
            select(Facilitator)
            .join(ApiToken, ApiToken.facilitator_id == Facilitator.id)
            .where(ApiToken.token_hash == credentials.hash_token(token))
        ).first()
    return row
