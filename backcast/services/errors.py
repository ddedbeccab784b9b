"""What a service says when it refuses. Messages are msgids, translated where they are shown."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """A refused change. Nothing was written. `code` is stable for API clients."""

    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, **params: Any) -> None:
        super().__init__(message % params if params else message)
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
