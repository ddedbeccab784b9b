"""A table as CSV: RFC 4180, UTF-8, a header row, empty cells for missing values.

Rows are written in chunks, a column at a time: most cells repeat (item texts, keys, pseudonyms,
times), so each distinct value is converted once, and mapping a column is much faster than
visiting every cell.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from itertools import islice
from typing import Any

from backcast.export.cells import iso, neutralise
from backcast.export.tables import Table

Progress = Callable[[int], None]  # told how many more rows were written
CHUNK = 5000
_BOOLEAN = {True: "true", False: "false"}


def _text(column: Sequence[Any]) -> list[Any]:
    safe = {value: neutralise(value) for value in set(column) if value is not None}
    return list(map(safe.get, column))


def _boolean(column: Sequence[Any]) -> list[Any]:
    return list(map(_BOOLEAN.get, column))


def _datetime(column: Sequence[Any]) -> list[Any]:
    # A participant's ratings of one item share their time, so the texts repeat as well.
    texts = {value: iso(value) for value in set(column) if value is not None}
    return list(map(texts.get, column))


# The csv module writes None as an empty cell, integers with str() and floats with repr(), which
# reads back as the same float; the other types are converted here.
_CONVERT: dict[str, Callable[[Sequence[Any]], list[Any]]] = {
    "string": _text,
    "boolean": _boolean,
    "datetime": _datetime,
}


def csv_bytes(table: Table, progress: Progress | None = None) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.spec.header)
    conversions = [
        (index, _CONVERT[column.type])
        for index, column in enumerate(table.spec.columns)
        if column.type in _CONVERT
    ]
    rows = table.rows()
    while chunk := list(islice(rows, CHUNK)):
        columns = list(zip(*chunk, strict=True))
        for index, convert in conversions:
            # Each column type has its own converter; the table of them cannot say which takes what.
            columns[index] = convert(columns[index])  # type: ignore[call-overload]
        writer.writerows(zip(*columns, strict=True))
        if progress is not None:
            progress(len(chunk))
    return buffer.getvalue().encode("utf-8")
