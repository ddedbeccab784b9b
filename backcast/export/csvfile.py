"""A table as CSV: RFC 4180, UTF-8, a header row, empty cells for missing values."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime
from typing import Any

from backcast.export.cells import iso, neutralise
from backcast.export.tables import Table

Progress = Callable[[int], None]  # told how many more rows were written
PROGRESS_EVERY = 5000


def _text(value: str) -> str:
    return neutralise(value)


def _empty(_value: None) -> str:
    return ""


# Exact types: bool is an int, and must say true or false. repr() gives the shortest text that
# reads back as the same float.
_FORMAT: dict[type, Callable[[Any], str]] = {
    str: _text,
    int: str,
    float: repr,
    bool: lambda value: "true" if value else "false",
    type(None): _empty,
    datetime: iso,
}


def csv_bytes(table: Table, progress: Progress | None = None) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.spec.header)
    written = 0
    for row in table.rows():
        writer.writerow([_FORMAT[type(value)](value) for value in row])
        written += 1
        if progress is not None and written % PROGRESS_EVERY == 0:
            progress(PROGRESS_EVERY)
    if progress is not None:
        progress(written % PROGRESS_EVERY)
    return buffer.getvalue().encode("utf-8")
