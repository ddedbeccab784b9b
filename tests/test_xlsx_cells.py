"""The workbook's rows are written without openpyxl's cell objects: every cell must read back as
the cell openpyxl itself writes for the same value, with the same type, number and style."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.utils.exceptions import IllegalCharacterError

from backcast.export.cells import neutralise, utc
from backcast.export.schema import TABLES
from backcast.export.tables import Table
from backcast.export.xlsxfile import xlsx_bytes

AWKWARD: list[list[Any]] = [
    [1, -3, 0, 2**40, 1.5, 0.1 + 0.2, 2 / 3, 1e-12, -2.5e300, Decimal("1.25"), None],
    [True, False, None, "", " leading", "trailing ", "two\nlines", "carriage\rreturn", "tab\there", None, 7],
    ["#N/A", "#DIV/0!", "=1+2", "+1", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)", "\t=1", "\r=1", "-3", "+1.5", 0],
    ["<b>&amp;</b>", "quote \" and '", "ß, é, 中文, 🙂", "]]>", "x" * 40000, None, None, None, None, None, 1],
    [
        datetime(2026, 3, 1, 10, 15, 32, 123456, tzinfo=UTC),
        datetime(2026, 3, 1, 11, 15, 32, 999999, tzinfo=timezone(timedelta(hours=1))),
        datetime(1900, 1, 1, tzinfo=UTC),
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        float("nan"),
    ],
]
HEADER = [f"column_{index}" for index in range(11)]


def openpyxl_cells(rows: list[list[Any]]) -> bytes:
    """The same sheet written cell by cell by openpyxl, as the export did before."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("README")
    sheet.append(HEADER)
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, str):
                value = neutralise(value)
                if value in ERROR_CODES:
                    cell = WriteOnlyCell(sheet, value)
                    cell.data_type = "s"
                    value = cell
            elif isinstance(value, datetime):
                value = utc(value).replace(tzinfo=None)
            cells.append(value)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read(content: bytes) -> list[list[tuple[Any, str, str]]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content))["README"]
    return [
        [(cell.value, cell.data_type, cell.number_format) for cell in row]
        for row in sheet.iter_rows(min_row=2, max_col=len(HEADER))
    ]


def without_returns(rows: list[list[tuple[Any, str, str]]]) -> list[list[tuple[Any, str, str]]]:
    return [
        [
            (value.replace("\r", "\n") if isinstance(value, str) else value, kind, style)
            for value, kind, style in row
        ]
        for row in rows
    ]


def test_every_cell_reads_back_as_openpyxl_writes_it() -> None:
    ours = read(xlsx_bytes([], [HEADER, *AWKWARD], datetime(2026, 3, 1, tzinfo=UTC)))
    theirs = read(openpyxl_cells(AWKWARD))
    assert without_returns(ours) == without_returns(theirs)
    # A carriage return survives; openpyxl keeps it only when lxml writes its XML.
    assert (ours[1][7][0], ours[2][7][0]) == ("carriage\rreturn", "'\r=1")
    assert ours[2][0] == ("#N/A", "s", "General")
    assert ours[2][2][0] == "'=1+2"
    assert len(ours[3][4][0]) == 32767
    assert ours[4][0] == (datetime(2026, 3, 1, 10, 15, 32, 123000), "d", "yyyy-mm-dd h:mm:ss")


def test_the_header_is_bold_frozen_and_the_columns_sized() -> None:
    rows = [("short", "a much longer text than the header", None, None)] * 3
    table = Table(TABLES["groups"], 3, lambda: iter(rows))
    workbook = openpyxl.load_workbook(
        io.BytesIO(xlsx_bytes([table], [["table", "column"]], datetime(2026, 3, 1, tzinfo=UTC)))
    )
    sheet = workbook["groups"]
    assert [cell.font.bold for cell in sheet[1]] == [True] * len(TABLES["groups"].header)
    assert [cell.font.bold for cell in sheet[2][:2]] == [False, False]
    assert sheet.freeze_panes == "A2"
    widths = [sheet.column_dimensions[letter].width for letter in "AB"]
    assert widths == [8.0, len(rows[0][1]) + 2.0]
    assert list(sheet.iter_rows(min_row=2, values_only=True)) == rows


def test_a_control_character_is_refused_as_openpyxl_refuses_it() -> None:
    with pytest.raises(IllegalCharacterError):
        xlsx_bytes([], [HEADER, ["bell\x07", *[None] * 10]], datetime(2026, 3, 1, tzinfo=UTC))
