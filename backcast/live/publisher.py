"""How the service layer tells the live layer that a workshop has new events.

Only the newest `seq` travels: subscribers read the events themselves from the event table,
so a missed or coalesced notification loses nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol

Listener = Callable[[int, int], None]  # (workshop_id, seq)


class Publisher(Protocol):
    def publish(self, workshop_id: int, seq: int) -> None: ...


class MemoryPublisher:
    """One process: listeners are called in the publishing thread, after the commit."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: dict[int, list[Listener]] = {}
        self._all: list[Listener] = []

    def subscribe(self, listener: Listener, workshop_id: int | None = None) -> Callable[[], None]:
        """Calls `listener` on each publish (one workshop, or all); returns the unsubscriber."""
        with self._lock:
            target = self._all if workshop_id is None else self._listeners.setdefault(workshop_id, [])
            target.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in target:
                    target.remove(listener)
                if workshop_id is not None and not target:
                    self._listeners.pop(workshop_id, None)

        return unsubscribe

    def publish(self, workshop_id: int, seq: int) -> None:
        with self._lock:
            listeners = [*self._listeners.get(workshop_id, ()), *self._all]
        for listener in listeners:
            listener(workshop_id, seq)
