"""One entry point for every export, used by the API and the command line alike."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from backcast import __version__
from backcast.analysis.data import load_workshop, research_part
from backcast.analysis.document import results_document
from backcast.analysis.results import compute_results
from backcast.db import Database
from backcast.enums import NamesMode
from backcast.export.csvfile import csv_bytes
from backcast.export.datapackage import datapackage_bytes
from backcast.export.jsonfile import json_bytes
from backcast.export.schema import DEFAULT_TABLE, TABLES, TableSpec
from backcast.export.tables import build_tables, pseudonymiser, shown_names
from backcast.export.xlsxfile import xlsx_bytes
from backcast.i18n import N_, translate
from backcast.models import Workshop, utcnow
from backcast.services.errors import Conflict, Invalid

FORMATS: dict[str, tuple[str, str]] = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "json": ("application/json", "json"),
    "datapackage": ("application/zip", "zip"),
}

UTF8_BOM = b"\xef\xbb\xbf"

# Told (rows written so far, rows in all) as the export goes.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    media_type: str
    filename: str


def check_format(format_: str, table: str | None, tables: Collection[str]) -> None:
    """A known format, and a single table only as CSV and only one of `tables`."""
    if format_ not in FORMATS:
        raise Invalid(N_("Choose a format: csv, xlsx, json or datapackage."), field="format")
    if table is not None:
        if format_ != "csv":
            raise Invalid(N_("A single table can be exported only as CSV."), field="table")
        if table not in tables:
            raise Invalid(
                N_("There is no table %(table)s. Tables: %(tables)s."),
                field="table",
                table=table[:40],
                tables=", ".join(tables),
            )


def check_options(workshop: Workshop, format_: str, table: str | None, names: bool) -> None:
    """Every refusal, before any work: a wrong format or table, or names the workshop ruled out."""
    check_format(format_, table, TABLES)
    if names and workshop.names == NamesMode.off:
        # Well-formed, but the workshop's own rule stands against it.
        raise Conflict(
            N_("This workshop asked participants for no names: its exports carry none."), field="names"
        )


def export_workshop(
    db: Database,
    workshop: Workshop,
    *,
    format_: str,
    secret_key: str,
    exported_by: str,
    table: str | None = None,
    names: bool = False,
    progress: Progress | None = None,
    now: datetime | None = None,
    bom: bool = False,
) -> ExportFile:
    """`bom` starts a CSV with a UTF-8 byte order mark: Excel (German Excel above all) reads a CSV
    without one in the system's legacy encoding and garbles umlauts. Scripts read it either way,
    but only the console's downloads, meant for spreadsheets, carry it."""
    check_options(workshop, format_, table, names)
    assert workshop.id is not None
    everyone = load_workshop(db, workshop)
    # Research exports hold only those who consented to research use; the results in them are
    # worked out from those people's ratings, so a file agrees with itself.
    data = research_part(everyone)
    left_out = len(everyone.participants) - len(data.participants)
    results = cache(lambda: compute_results(data))
    tables = build_tables(
        data, results, pseudonymiser(secret_key, workshop.id), shown_names(workshop, data.participants, names)
    )
    media_type, extension = FORMATS[format_]
    chosen = [tables[table or DEFAULT_TABLE]] if format_ == "csv" else list(tables.values())
    total = sum(t.count for t in chosen)
    done = 0

    def advance(rows: int) -> None:
        nonlocal done
        done += rows
        if progress is not None:
            progress(done, total)

    stem = f"backcast-{workshop.code}"
    if format_ == "csv":
        content = (UTF8_BOM if bom else b"") + csv_bytes(chosen[0], advance)
        stem = f"{stem}-{chosen[0].name}"
    elif format_ == "xlsx":
        content = xlsx_bytes(chosen, readme(workshop, names, left_out), workshop.updated_at, advance)
    elif format_ == "json":
        content = json_bytes(tables, results_document(workshop, results()), left_out)
    else:
        content = datapackage_bytes(
            workshop,
            chosen,
            exported_at=now or utcnow(),
            exported_by=exported_by,
            names=names,
            left_out=left_out,
            progress=advance,
        )
    if done < total:  # counts of results_counts are an upper bound: hidden group figures have no rows
        advance(total - done)
    return ExportFile(content, media_type, f"{stem}.{extension}")


README_NOTES: list[tuple[str, str]] = [
    (
        "pseudonyms",
        N_(
            "Participants appear as pseudonyms made with a keyed hash of the workshop and participant: "
            "the same person has the same pseudonym throughout this workshop, and pseudonyms cannot be "
            "linked across workshops."
        ),
    ),
    (
        "formulas",
        N_(
            "Text that begins with =, +, -, @, a tab or a carriage return starts with an added single "
            "quote, so that no spreadsheet runs it as a formula. The JSON export has the text unchanged."
        ),
    ),
    (
        "consent",
        N_(
            "Participants who did not consent to research use are left out: their rows, ratings and "
            "dots, and the results made from them. Their contributions stay, without an author. "
            "participants_left_out says how many; the room's own results counted them."
        ),
    ),
    ("times", N_("All times are UTC.")),
    (
        "methods",
        N_(
            "How each figure is computed (quartiles: Hyndman-Fan type 7; SD with n - 1; consensus; "
            "weighted score; ranking and ties) is described in docs/results.md."
        ),
    ),
]


def readme(workshop: Workshop, names: bool, left_out: int = 0) -> list[list[Any]]:
    """The README sheet: what the file is, then every column of every sheet, in English and German."""
    rows: list[list[Any]] = [["table", "column", "type", "description", "Beschreibung"]]
    rows.append(["about", "software", "", f"backcast {__version__}", ""])
    rows.append(["about", "workshop", "", f"{workshop.code}: {workshop.title}", ""])
    rows.append(["about", "names", "", "included" if names else "not included", ""])
    rows.append(["about", "participants_left_out", "", left_out, ""])
    rows.extend(notes(README_NOTES))
    rows.extend(codebook(TABLES.values()))
    return rows


def notes(texts: Iterable[tuple[str, str]]) -> list[list[Any]]:
    return [["about", key, "", translate(text, "en"), translate(text, "de")] for key, text in texts]


def codebook(specs: Iterable[TableSpec]) -> list[list[Any]]:
    """Every table and column with its type, described in English and German."""
    rows: list[list[Any]] = []
    for spec in specs:
        rows.append([spec.name, "", "", translate(spec.description, "en"), translate(spec.description, "de")])
        rows.extend(
            [
                spec.name,
                column.name,
                column.type,
                translate(column.description, "en"),
                translate(column.description, "de"),
            ]
            for column in spec.columns
        )
    return rows
