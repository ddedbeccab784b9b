"""Participants known by their token for a few seconds, per database and process.

Every request a phone or participant client makes starts by looking its token up; in a rating
round with a few hundred people that lookup was a fifth of the server's work. A lookup is kept for
`SECONDS`. This process forgets them all at once whenever it deletes participants, their tokens or
a workshop; another server process may still accept a deleted participant's token for reading for
up to `SECONDS`, but never for writing: every write checks its participant in its own transaction
(`eventlog.record`).
"""

from __future__ import annotations

import threading
import time
import weakref
from typing import TYPE_CHECKING

from backcast.models import Participant

if TYPE_CHECKING:
    from backcast.db import Database

SECONDS = 5.0
LIMIT = 20_000  # entries; a full cache starts afresh rather than growing

# A participant and the code of their workshop (codes never change).
Known = tuple[Participant, str]


class TokenCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, Known]] = {}

    def get(self, token_hash: str) -> Known | None:
        entry = self._entries.get(token_hash)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, token_hash: str, known: Known) -> None:
        with self._lock:
            if len(self._entries) >= LIMIT:
                self._entries.clear()
            self._entries[token_hash] = (time.monotonic() + SECONDS, known)

    def forget(self, token_hash: str) -> None:
        with self._lock:
            self._entries.pop(token_hash, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_CACHES: weakref.WeakKeyDictionary[Database, TokenCache] = weakref.WeakKeyDictionary()
_CREATING = threading.Lock()


def cache_of(db: Database) -> TokenCache:
    cache = _CACHES.get(db)
    if cache is None:
        with _CREATING:
            cache = _CACHES.setdefault(db, TokenCache())
    return cache
