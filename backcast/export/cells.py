"""What goes into a spreadsheet cell: text that cannot run as a formula, and times in UTC."""

from __future__ import annotations

import re
from datetime import UTC, datetime

# OWASP's "CSV injection": a spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A signed number typed as text ("-3", "+1.5e3") is read as that number, not run as a formula.
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def neutralise(text: str) -> str:
    """Text that a spreadsheet shows as text: a leading single quote where it could start a formula."""
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with microseconds, one fixed width, so files sort and compare cleanly."""
    if moment.tzinfo is not UTC:
        moment = utc(moment)
    return moment.isoformat(timespec="microseconds")[:-6] + "Z"  # drop "+00:00"
