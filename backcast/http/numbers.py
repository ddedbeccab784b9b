"""Numbers out of text a client sent: one parser for every form route, and for the API's
`Last-Event-ID` header.

A form field is text. Where a number is meant, only ASCII digits are taken: `str.isdigit()` and `\\d`
also accept "²", "١" or fullwidth digits, which `int()` then either refuses (a 500) or reads as a
number nobody typed. The length is bounded too, so that a 5,000-digit value is never converted.
Whatever is not a plain number is handed on as the text it was: the service refuses it with a
message that names the field ("This must be a whole number."), so the page says what was wrong.
"""

from __future__ import annotations

import re

from backcast.i18n import N_
from backcast.services.errors import Invalid

# Ten digits hold every row id (up to 2**31 - 1) and every year; a longer "number" is none we take.
_WHOLE = re.compile(r"-?[0-9]{1,10}")
# A weight: at most three whole digits and six decimals, with a point or a German comma.
_DECIMAL = re.compile(r"-?[0-9]{1,3}(?:[.,][0-9]{1,6})?")


def whole_number(value: str) -> int | str | None:
    """None for an empty field, the number for a plain one, else the (trimmed) text for the service
    to refuse."""
    value = value.strip()
    if not value:
        return None
    return int(value) if _WHOLE.fullmatch(value) else value


def whole_number_or_text(value: str) -> int | str:
    """As `whole_number`, but an empty field stays the empty text (the service says what it means)."""
    number = whole_number(value)
    return "" if number is None else number


def whole_numbers(values: list[str]) -> list[int | str | None]:
    """Each of a repeated field's values (ticked boxes), parsed alike."""
    return [whole_number(value) for value in values]


def decimal(value: str) -> float | str:
    """A decimal number with a point or a comma, else the text; "nan", "inf" and "1e3" are text."""
    value = value.strip()
    return float(value.replace(",", ".")) if _DECIMAL.fullmatch(value) else value


def number(parsed: int | str | None, field: str) -> int:
    """A value `whole_number` made, as the number a typed spec needs, or refused as the service
    refuses a non-number: "This must be a whole number.", naming the field."""
    if isinstance(parsed, int):
        return parsed
    raise Invalid(N_("This must be a whole number."), field=field)
