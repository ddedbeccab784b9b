"""Turning names people type into keys."""

from __future__ import annotations

import unicodedata

# German letters whose decomposition would lose a letter: "Größe" → "groesse", not "groe".
_SPELLED = str.maketrans({"ß": "ss", "ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


def slug_ascii(text: str) -> str:
    """`text` in lower-case ASCII, accents dropped and German umlauts spelled out."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPELLED))
    return decomposed.encode("ascii", "ignore").decode().lower()
