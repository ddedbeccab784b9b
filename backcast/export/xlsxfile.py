"""Tables as one XLSX workbook: a README sheet with the codebook, then one sheet per table.

openpyxl's write-only mode makes the workbook: its parts, styles, the bold and frozen header row
and the column widths. The rows below the header are written here, straight into each sheet's
XML as the zip is packed. openpyxl spends some 10 µs on every cell (a cell object, type checks,
one XML element at a time); for a workshop's 100,000 ratings that is most of the export's time.
The cells are the ones openpyxl writes: the same types, number text, date style and escaping.
Numbers, true/false and times are real spreadsheet values; text cannot start a formula.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.compat import safe_string
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.utils.exceptions import IllegalCharacterError

from backcast.export.cells import neutralise, utc
from backcast.export.csvfile import CHUNK, Progress
from backcast.export.tables import Table

WIDTH_SAMPLE = 200  # rows looked at to size the columns
WIDTH_MIN, WIDTH_MAX = 8, 60
TEXT_MAX = 32767  # characters in a cell; openpyxl cuts longer text there, and so do we
# Zip entries carry a time; a fixed one keeps two exports of the same data byte-identical.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_CORE_TIME = re.compile(rb"(<dcterms:(created|modified) [^>]*>)[^<]*(</dcterms:\2>)")
_SHEET_DATA_END = b"</sheetData>"

BOLD = Font(bold=True)


def _escape(text: str) -> str:
    # A carriage return is written as a reference, as lxml does, or reading the file back turns it
    # into a line feed.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


@dataclass(frozen=True)
class CellWriter:
    """Writes one row's cells as SpreadsheetML, as openpyxl would write them."""

    letters: Sequence[str]  # the column letters, A, B, …
    date_style: int  # the workbook's style of a date-time cell (its number format)
    epoch: datetime

    def row(self, number: int, values: Sequence[Any]) -> str:
        cells = [f'<row r="{number}">']
        for letter, value in zip(self.letters, values, strict=True):
            if value is None:
                continue
            ref = f"{letter}{number}"
            if isinstance(value, str):
                cells.append(self._text(ref, neutralise(value)))
            elif isinstance(value, bool):
                cells.append(f'<c r="{ref}" t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, int | float | Decimal):
                cells.append(self._number(ref, "", value))
            elif isinstance(value, datetime):
                # Excel has no time zones: UTC, as the README says.
                serial = to_excel(utc(value).replace(tzinfo=None), self.epoch)
                cells.append(self._number(ref, f' s="{self.date_style}"', serial))
            else:
                raise TypeError(f"cannot put a {type(value).__name__} in a spreadsheet cell")
        cells.append("</row>")
        return "".join(cells)

    @staticmethod
    def _text(ref: str, text: str) -> str:
        text = text[:TEXT_MAX]
        if ILLEGAL_CHARACTERS_RE.search(text):
            raise IllegalCharacterError(f"{text} cannot be used in worksheets.")
        if not text:
            return f'<c r="{ref}" t="inlineStr"/>'
        space = ' xml:space="preserve"' if text != text.strip() else ""
        # Always a text cell: "#N/A" typed as text stays text, not an error value.
        return f'<c r="{ref}" t="inlineStr"><is><t{space}>{_escape(text)}</t></is></c>'

    @staticmethod
    def _number(ref: str, style: str, value: float | Decimal) -> str:
        number = safe_string(value)  # openpyxl's number text; nan and infinity become an empty cell
        if not number:
            return f'<c r="{ref}"{style} t="n"/>'
        return f'<c r="{ref}"{style} t="n"><v>{number}</v></c>'


def _width(values: Iterable[Any]) -> float:
    longest = max((len(str(value)) for value in values if value is not None), default=0)
    return float(min(max(longest + 2, WIDTH_MIN), WIDTH_MAX))


class _Sheet:
    """A sheet whose header openpyxl writes, and whose rows follow when the zip is packed."""

    def __init__(
        self,
        workbook: Workbook,
        title: str,
        header: Sequence[str],
        rows: Iterable[Sequence[Any]],
        progress: Progress | None,
    ) -> None:
        self.sheet = workbook.create_sheet(title)
        self.rows = iter(rows)
        self.sample = [row for _, row in zip(range(WIDTH_SAMPLE), self.rows, strict=False)]
        self.progress = progress
        letters = [get_column_letter(index) for index in range(1, len(header) + 1)]
        for index, (letter, name) in enumerate(zip(letters, header, strict=True)):
            self.sheet.column_dimensions[letter].width = _width([name] + [row[index] for row in self.sample])
        self.sheet.freeze_panes = "A2"
        heading = []
        for name in header:
            cell = WriteOnlyCell(self.sheet, name)
            cell.font = BOLD
            heading.append(cell)
        self.sheet.append(heading)
        # A date-time cell's style, registered with the workbook before it is saved.
        self.cells = CellWriter(
            letters, WriteOnlyCell(self.sheet, datetime(2000, 1, 1)).style_id, workbook.epoch
        )

    def chunks(self) -> Iterator[bytes]:
        """The rows below the header as XML, a chunk at a time."""
        lines: list[str] = []
        number = 1
        for source in (self.sample, self.rows):
            for row in source:
                number += 1
                lines.append(self.cells.row(number, row))
                if len(lines) == CHUNK:
                    yield "".join(lines).encode()
                    lines.clear()
                    if self.progress is not None:
                        self.progress(CHUNK)
        yield "".join(lines).encode()
        if self.progress is not None:
            self.progress(len(lines))


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
    sheets = [_Sheet(workbook, "README", readme_rows[0], readme_rows[1:], None)]
    sheets.extend(_Sheet(workbook, table.name, table.spec.header, table.rows(), progress) for table in tables)
    buffer = io.BytesIO()
    workbook.save(buffer)
    # Saving numbered the sheets, and so named their parts in the zip.
    rows = {sheet.sheet.path.lstrip("/"): sheet for sheet in sheets}
    return _pack(buffer.getvalue(), utc(modified).strftime("%Y-%m-%dT%H:%M:%SZ").encode(), rows)


def _pack(archive: bytes, stamp: bytes, sheets: dict[str, _Sheet]) -> bytes:
    """The workbook with each sheet's rows put in, the save time replaced by the data's time and
    fixed zip entry times, so that the same data gives the same bytes."""
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(archive)) as source, zipfile.ZipFile(output, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "docProps/core.xml":
                content = _CORE_TIME.sub(rb"\g<1>" + stamp + rb"\g<3>", content)
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            sheet = sheets.get(info.filename)
            if sheet is None:
                target.writestr(entry, content)
                continue
            head, end, tail = content.rpartition(_SHEET_DATA_END)
            assert end, f"{info.filename} has no sheetData"
            with target.open(entry, "w") as out:
                out.write(head)
                for chunk in sheet.chunks():
                    out.write(chunk)
                out.write(end + tail)
    return output.getvalue()
