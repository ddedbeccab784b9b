"""Join codes: six characters from an alphabet without look-alikes, forgiving when typed."""

from __future__ import annotations

import re
import secrets

from backcast.models.limits import CODE_LENGTH

# Crockford's base 32: digits and capitals without I, L, O and U. Typed look-alikes map back.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
_SEPARATORS = re.compile(r"[\s\-_.·]+")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(typed: str) -> str | None:
    """The code someone meant, or None when it cannot be one ("ab-cd 0o" → "ABCD00")."""
    candidate = _SEPARATORS.sub("", typed.strip()).upper().translate(_CONFUSABLE)
    if len(candidate) != CODE_LENGTH or any(char not in ALPHABET for char in candidate):
        return None
    return candidate
