"""Who has a workshop's console open, across every process of the server.

Each process counts the consoles open on its own streams and tells the others through the broker:
a message naming the process, the workshop and the accounts with it open there (ids, never
addresses), sent when that changes, again every HEARTBEAT seconds, and to a process that asks after
(re)connecting. What another process said is forgotten after EXPIRES seconds without a word, so a
process that died drops out by itself.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import Counter

HEARTBEAT = 10.0
EXPIRES = 3 * HEARTBEAT

# Presence messages are JSON objects; the broker's event notices ("workshop:seq") never start so.
MARK = "{"


class Presence:
    def __init__(self) -> None:
        self.process = uuid.uuid4().hex
        # The page reads from a worker thread while the event loop changes the counts.
        self._lock = threading.Lock()
        self._here: dict[int, Counter[int]] = {}
        self._elsewhere: dict[tuple[str, int], tuple[frozenset[int], float]] = {}

    def arrive(self, workshop_id: int, account_id: int) -> str:
        """A console opened here; returns the message that tells the other processes."""
        with self._lock:
            self._here.setdefault(workshop_id, Counter())[account_id] += 1
            return self._announcement(workshop_id)

    def leave(self, workshop_id: int, account_id: int) -> str:
        with self._lock:
            here = self._here.get(workshop_id, Counter())
            here[account_id] -= 1
            if here[account_id] <= 0:
                del here[account_id]
            message = self._announcement(workshop_id)
            if not here:
                self._here.pop(workshop_id, None)
            return message

    def watching(self, workshop_id: int) -> set[int]:
        """The accounts with this workshop's console open in any process."""
        now = time.monotonic()
        with self._lock:
            accounts = set(self._here.get(workshop_id, ()))
            for (_, workshop), (ids, until) in self._elsewhere.items():
                if workshop == workshop_id and until > now:
                    accounts |= ids
            return accounts

    def announcements(self) -> list[str]:
        """What this process has open, workshop by workshop, for the heartbeat and for a question."""
        with self._lock:
            return [self._announcement(workshop_id) for workshop_id in self._here]

    def question(self) -> str:
        """Asks every process to say what it has open (after this one (re)connected)."""
        return json.dumps({"asks": self.process})

    def heard(self, message: str | bytes) -> bool:
        """Takes in another process's message; True when it asked for our announcements."""
        try:
            said = json.loads(message)
            process = str(said.get("asks") or said["process"])
        except (ValueError, KeyError, TypeError, AttributeError):
            return False
        if process == self.process:
            return False
        if "asks" in said:
            return True
        try:
            key = (process, int(said["workshop"]))
            ids = frozenset(int(account) for account in said["open"])
        except (ValueError, KeyError, TypeError):
            return False
        now = time.monotonic()
        with self._lock:
            if ids:
                self._elsewhere[key] = (ids, now + EXPIRES)
            else:
                self._elsewhere.pop(key, None)
            # Forget what has expired, so a long-running process does not collect dead entries.
            for stale in [k for k, (_, until) in self._elsewhere.items() if until <= now]:
                del self._elsewhere[stale]
        return False

    def _announcement(self, workshop_id: int) -> str:
        ids = sorted(self._here.get(workshop_id, ()))
        return json.dumps({"process": self.process, "workshop": workshop_id, "open": ids})
