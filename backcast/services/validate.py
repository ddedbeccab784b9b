"""Checks on what people type, shared by every service."""

from __future__ import annotations

import re
import unicodedata
from enum import Enum
from typing import Any, TypeVar

from backcast.i18n import N_
from backcast.models.limits import YEAR_MAX, YEAR_MIN
from backcast.services.errors import Invalid

E = TypeVar("E", bound=Enum)

# Control characters other than newline and tab: invisible, and PostgreSQL refuses NUL outright.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# Lone surrogates (JSON may escape them, "\\ud800") are no characters at all: text holding one
# cannot be encoded, so it can be neither stored nor looked up.
_SURROGATE = re.compile("[\ud800-\udfff]")
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
# Explicit direction controls (embeddings, overrides, isolates) make text read in another order than
# it is stored ("exe.txt" shown for "txt.exe") and can spill into what follows on a page; they are
# removed. The implicit marks (LRM, RLM, ALM) cannot do either and are kept for right-to-left text.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
# Unicode's non-characters (U+FDD0..U+FDEF and the last two code points of every plane) are for a
# program's internal use; XML forbids U+FFFE and U+FFFF, so one in a text makes the XLSX export
# unreadable. They carry nothing a reader could see and are removed.
_NONCHARACTERS = re.compile(
    "[\ufdd0-\ufdef"
    + "".join(f"{chr(plane + 0xFFFE)}{chr(plane + 0xFFFF)}" for plane in range(0, 0x110000, 0x10000))
    + "]"
)


def text(value: Any, field: str, *, max_length: int, required: bool = True, multiline: bool = True) -> str:
    """Trimmed text of at most `max_length` characters; emoji, umlauts and RTL text are kept, the
    explicit direction controls are dropped."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Invalid(N_("This must be text."), field=field)
    cleaned: str = _BIDI_CONTROLS.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    cleaned = _NONCHARACTERS.sub("", cleaned)
    cleaned = unicodedata.normalize("NFC", cleaned).strip()
    if _CONTROL.search(cleaned):
        raise Invalid(N_("This contains characters that cannot be shown."), field=field)
    if not multiline and "\n" in cleaned:
        raise Invalid(N_("This must fit on one line."), field=field)
    if required and not cleaned:
        raise Invalid(N_("This cannot be empty."), field=field)
    if len(cleaned) > max_length:
        raise Invalid(
            N_("This is too long: at most %(max)d characters, you wrote %(length)d."),
            field=field,
            max=max_length,
            length=len(cleaned),
        )
    return cleaned


def storable(value: str) -> bool:
    """Whether the text can be stored or looked up; text that cannot names nothing."""
    return _SURROGATE.search(value) is None


def integer(value: Any, field: str, *, minimum: int, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(N_("This must be a whole number."), field=field)
    if not minimum <= value <= maximum:
        raise Invalid(
            N_("This must be between %(minimum)d and %(maximum)d."),
            field=field,
            minimum=minimum,
            maximum=maximum,
        )
    return value


# Row ids are 32-bit in PostgreSQL: a larger number names no row, but the database drivers refuse to
# send it at all rather than find nothing.
MAX_ID = 2**31 - 1


def is_id(value: Any) -> bool:
    """Whether `value` can be a row's id: a whole number (not a bool) from 1 to MAX_ID."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


def year(value: Any, field: str, *, minimum: int = YEAR_MIN, maximum: int = YEAR_MAX) -> int:
    return integer(value, field, minimum=minimum, maximum=maximum)


def key(value: Any, field: str, *, max_length: int) -> str:
    cleaned = text(value, field, max_length=max_length, multiline=False)
    if not _KEY.match(cleaned):
        raise Invalid(
            N_("Use lower-case letters, digits and underscores, starting with a letter."),
            field=field,
        )
    return cleaned


def choice(value: Any, field: str, allowed: type[E]) -> E:
    try:
        return allowed(value)
    except ValueError:
        options = ", ".join(member.value for member in allowed)
        raise Invalid(N_("Choose one of: %(options)s."), field=field, options=options) from None
