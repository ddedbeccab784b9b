"""Soft hyphens in long words, for the projector's narrow columns.

CSS `hyphens: auto` needs the browser's own hyphenation dictionaries, and many installs (Debian's
Chromium among them) have none: a long German compound then breaks mid-word or overflows its card.
Soft hyphens (U+00AD) from the server mark where a word may break; the browser shows a hyphen only
where it does break. Only what the screen renders gets them: the stored text, exports, phones and
the API keep the text as typed.
"""

from __future__ import annotations

import itertools
import re
import tempfile
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import pyphen

SOFT_HYPHEN = "\u00ad"

# Shorter words fit any projector column at its type size; hyphenating them only adds breaks.
SHORTEST = 10
# Letters kept together at either end of a word ("Kreis-", never "Kr-"), and inside it.
EDGE = 3
PART = 2

# Runs of letters; digits, punctuation and existing hyphens already separate or end a word.
_WORD = re.compile(rf"[^\W\d_]{{{SHORTEST},}}")

_DICTIONARIES = {"de": "de_DE", "en": "en_GB"}
_NEXT_LEVEL = "\nNEXTLEVEL\n"


@dataclass(frozen=True)
class _Levels:
    """A dictionary's patterns. The German one has two levels: the first splits a compound into its
    words, the second splits each word into syllables. Read as one level, as pyphen reads it, the two
    mix into one-letter pieces ("Kreis-l-auf")."""

    compounds: pyphen.Pyphen | None
    syllables: pyphen.Pyphen


@cache
def _levels(language: str) -> _Levels:
    path = Path(pyphen.LANGUAGES[_DICTIONARIES.get(language, "en_GB")])
    raw = path.read_bytes()
    encoding = raw.split(b"\n", 1)[0].decode().strip()
    text = raw.decode(encoding)
    if _NEXT_LEVEL not in text:
        return _Levels(None, pyphen.Pyphen(filename=path, left=PART, right=PART))
    first, second = text.split(_NEXT_LEVEL, 1)
    # pyphen reads a dictionary from a file, whole, when it is made: the halves need not outlive it.
    with tempfile.TemporaryDirectory() as directory:
        compounds, syllables = Path(directory, "compounds.dic"), Path(directory, "syllables.dic")
        compounds.write_text(first, encoding)
        syllables.write_text(f"{encoding}\n{second}", encoding)
        return _Levels(
            pyphen.Pyphen(filename=compounds, left=PART, right=PART, cache=False),
            pyphen.Pyphen(filename=syllables, left=PART, right=PART, cache=False),
        )


def breaks(word: str, language: str) -> list[int]:
    """Where `word` may break: after each compound's word, and between syllables within them."""
    levels = _levels(language)
    cuts = [int(p) for p in levels.compounds.positions(word)] if levels.compounds else []
    points = set(cuts)
    for start, end in itertools.pairwise([0, *cuts, len(word)]):
        points.update(start + int(p) for p in levels.syllables.positions(word[start:end]))
    kept: list[int] = []
    for point in sorted(points):
        # No piece of a single letter, and enough letters at the ends of the word.
        if EDGE <= point <= len(word) - EDGE and point - (kept[-1] if kept else 0) >= PART:
            kept.append(point)
    return kept


# Participants write freely: keep the cache bounded.
@lru_cache(maxsize=4096)
def _word(word: str, language: str) -> str:
    pieces = [0, *breaks(word, language), len(word)]
    return SOFT_HYPHEN.join(word[start:end] for start, end in itertools.pairwise(pieces))


def hyphenate(text: str, language: str) -> str:
    """`text` with soft hyphens at the syllable breaks of its long words, by the rules of `language`
    (German or English): "Kreislaufwirtschaft" → "Kreis·lauf·wirt·schaft" with U+00AD."""
    if len(text) < SHORTEST:
        return text
    return _WORD.sub(lambda match: _word(match.group(0), language), text)


def unhyphenated(text: str) -> str:
    """The text a reader sees, for comparisons: the soft hyphens taken out again."""
    return text.replace(SOFT_HYPHEN, "")
