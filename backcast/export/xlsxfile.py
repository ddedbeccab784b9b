"""Tables as one XLSX workbook: a README sheet with the codebook, then one sheet per table.

Written with openpyxl's write-only mode, which streams rows instead of holding every cell.
Numbers, true/false and times are real spreadsheet values; text cannot start a formula.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from backcast.export.cells import neutralise, utc
from backcast.export.csvfile import CHUNK, Progress
from backcast.export.tables import Table

WIDTH_SAMPLE = 200  # rows looked at to size the columns
WIDTH_MIN, WIDTH_MAX = 8, 60
# Zip entries carry a time; a fixed one keeps two exports of the same data byte-identical.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_CORE_TIME = re.compile(rb"(<dcterms:(created|modified) [^>]*>)[^<]*(</dcterms:\2>)")

BOLD = Font(bold=True)


def _cell(sheet: WriteOnlyWorksheet, value: Any) -> Any:
    if isinstance(value, str):
        value = neutralise(value)
        if value in ERROR_CODES:  # "#N/A" typed as text stays text, not an error value
            cell = WriteOnlyCell(sheet, value)
            cell.data_type = "s"
            return cell
        return value
    if isinstance(value, datetime):
        return utc(value).replace(tzinfo=None)  # Excel has no time zones: UTC, as the header says
    return value


def _width(values: Iterable[Any]) -> float:
    longest = max((len(str(value)) for value in values if value is not None), default=0)
    return float(min(max(longest + 2, WIDTH_MIN), WIDTH_MAX))


def _sheet(
    workbook: Workbook,
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    progress: Progress | None,
) -> None:
    sheet = workbook.create_sheet(title)
    rows = iter(rows)
    sample = [row for _, row in zip(range(WIDTH_SAMPLE), rows, strict=False)]
    for index, name in enumerate(header, start=1):
        column = [name] + [row[index - 1] for row in sample]
        sheet.column_dimensions[get_column_letter(index)].width = _width(column)
    sheet.freeze_panes = "A2"
    heading = []
    for name in header:
        cell = WriteOnlyCell(sheet, name)
        cell.font = BOLD
        heading.append(cell)
    sheet.append(heading)
    written = 0
    for source in (sample, rows):
        for row in source:
            sheet.append([_cell(sheet, value) for value in row])
            written += 1
            if progress is not None and written % CHUNK == 0:
                progress(CHUNK)
    if progress is not None:
        progress(written % CHUNK)


def xlsx_bytes(
    tables: Sequence[Table],
    readme: Sequence[Sequence[Any]],
    modified: datetime,
    progress: Progress | None = None,
) -> bytes:
    """The workbook. `readme` rows open the README sheet; `modified` is the data's last change."""
    workbook = Workbook(write_only=True)
    workbook.properties.creator = "backcast"
    readme_rows = list(readme)
    _sheet(workbook, "README", readme_rows[0], readme_rows[1:], None)
    for table in tables:
        _sheet(workbook, table.name, table.spec.header, table.rows(), progress)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _repeatable(buffer.getvalue(), utc(modified).strftime("%Y-%m-%dT%H:%M:%SZ").encode())


def _repeatable(archive: bytes, stamp: bytes) -> bytes:
    """The same workbook with the save time replaced by the data's time and fixed zip entry times."""
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(archive)) as source, zipfile.ZipFile(output, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "docProps/core.xml":
                content = _CORE_TIME.sub(rb"\g<1>" + stamp + rb"\g<3>", content)
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            target.writestr(entry, content)
    return output.getvalue()
