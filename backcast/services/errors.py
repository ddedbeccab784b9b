"""What a service says when it refuses. Messages are msgids, translated where they are shown."""

from __future__ import annotations

from typing import Any

from backcast.i18n import Plural


class ServiceError(Exception):
    """A refused change. Nothing was written. `code` is stable for API clients."""

    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, **params: Any) -> None:
        english = message.english(params) if isinstance(message, Plural) else message
        super().__init__(english % params if params else english)
        self.message = message
        self.field = field
        self.params = params


class Invalid(ServiceError):
    code = "invalid"


class NotFound(ServiceError):
    code = "not-found"


class NotAllowed(ServiceError):
    """The actor is known but may not do this (not an owner, not the author)."""

    code = "forbidden"


class NotAuthenticated(ServiceError):
    code = "unauthenticated"


class PhaseClosed(ServiceError):
    """The workshop is not in a phase, or its input is closed, for this change."""

    code = "phase-closed"


class OverBudget(ServiceError):
    code = "over-budget"


class Conflict(ServiceError):
    code = "conflict"
