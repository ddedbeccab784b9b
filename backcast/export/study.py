"""One export for a whole study, made with the workshop export's own tables and file writers.

Each workshop is exported as in its own research export (its consenting participants, its results
worked out from them, its own pseudonyms), and its rows are stacked under a leading `workshop`
column. The study adds its workshops' metadata, its themes and its codings.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from itertools import chain
from typing import Any

from sqlmodel import col, select

from backcast import __version__
from backcast.analysis.data import load_workshop, research_part
from backcast.analysis.document import results_document
from backcast.analysis.results import Results, compute_results
from backcast.db import Database
from backcast.export.cells import iso
from backcast.export.csvfile import csv_bytes
from backcast.export.datapackage import package_bytes
from backcast.export.exporter import (
    FORMATS,
    README_NOTES,
    ExportFile,
    Progress,
    check_format,
    codebook,
    notes,
)
from backcast.export.jsonfile import SCHEMA_VERSION, document_bytes, records, workshop_document
from backcast.export.study_schema import DEFAULT_STUDY_TABLE, STUDY_TABLES
from backcast.export.tables import Row, Table, build_tables, pseudonymiser
from backcast.export.xlsxfile import xlsx_bytes
from backcast.i18n import N_
from backcast.models import StudyCodedItem, StudyCoding, Workshop, utcnow
from backcast.services.studies import StudyContents, study_contents

STUDY_NOTES: list[tuple[str, str]] = [
    (
        "workshops",
        N_(
            "The tables of each workshop's own export are stacked, every row starting with its "
            "workshop's code; the workshop table is called workshops here and also holds what the "
            "workshops are compared by. Keys of criteria, groups and participants hold within a "
            "workshop; item ids are unique in the server. Each workshop's results are its own, worked "
            "out as in its own export."
        ),
    ),
    (
        "coders",
        N_(
            "Those who coded appear as pseudonyms made with a keyed hash of the study and their "
            "account: the same throughout this study, not linkable to other studies, and never an "
            "e-mail address."
        ),
    ),
]


def coder_pseudonymiser(secret_key: str, study_id: int) -> Callable[[int], str]:
    """A coder's pseudonym: as a participant's (`tables.pseudonymiser`), keyed apart from it and
    made from the study and account ids, so that a researcher of two studies has two."""
    key = hmac.new(secret_key.encode(), b"backcast coder pseudonym", hashlib.sha256).digest()

    def pseudonym(facilitator_id: int) -> str:
        message = f"{study_id}:{facilitator_id}".encode()
        return "c" + hmac.new(key, message, hashlib.sha256).hexdigest()[:12]

    return pseudonym


@dataclass(frozen=True)
class WorkshopPart:
    """One workshop's share of the study export: its tables as in its own export."""

    workshop: Workshop
    tables: dict[str, Table]
    results: Callable[[], Results]
    left_out: int


def _part(db: Database, workshop: Workshop, secret_key: str) -> WorkshopPart:
    assert workshop.id is not None
    everyone = load_workshop(db, workshop)
    data = research_part(everyone)
    results = cache(lambda: compute_results(data))
    # Names stay with each workshop's own export: a study's export is read by its researchers.
    tables = build_tables(data, results, pseudonymiser(secret_key, workshop.id), {})
    return WorkshopPart(workshop, tables, results, len(everyone.participants) - len(data.participants))


@dataclass(frozen=True)
class CodingRow:
    workshop_id: int
    item_id: int
    theme_id: int | None
    coder_id: int
    coded_at: datetime
    settled: bool


def _codings(db: Database, contents: StudyContents) -> list[CodingRow]:
    """Every coding of the items of the study's workshops, in workshop, item, own-before-settled,
    coder and theme order: the same rows in the same order on every export."""
    study_id = contents.study.id
    with db.read() as session:
        found = session.exec(
            select(StudyCodedItem, StudyCoding.theme_id)
            .join(Workshop, col(Workshop.id) == StudyCodedItem.workshop_id)
            .outerjoin(StudyCoding, col(StudyCoding.coded_item_id) == col(StudyCodedItem.id))
            .where(StudyCodedItem.study_id == study_id, Workshop.study_id == study_id)
        ).all()
    order = {workshop.id: index for index, workshop in enumerate(contents.workshops)}
    position = {theme.id: (theme.position, theme.id) for theme in contents.themes}
    rows = [
        CodingRow(coded.workshop_id, coded.item_id, theme, coded.coder_id, coded.coded_at, coded.settled)
        for coded, theme in found
    ]
    return sorted(
        rows,
        key=lambda r: (
            order[r.workshop_id],
            r.item_id,
            r.settled,
            r.coder_id,
            (-1, 0) if r.theme_id is None else position[r.theme_id],
        ),
    )


def study_tables(
    contents: StudyContents, parts: list[WorkshopPart], codings: list[CodingRow], secret_key: str
) -> dict[str, Table]:
    assert contents.study.id is not None
    coder = coder_pseudonymiser(secret_key, contents.study.id)
    code_of = {part.workshop.id: part.workshop.code for part in parts}
    theme_key = {theme.id: theme.key for theme in contents.themes}

    def workshop_rows() -> Iterator[Row]:
        for part in parts:
            w = part.workshop
            held_on = w.held_on.isoformat() if w.held_on else None
            yield (*next(part.tables["workshop"].rows()), w.region, w.sector, held_on, w.venue)

    def stacked(name: str) -> Callable[[], Iterator[Row]]:
        def rows() -> Iterator[Row]:
            return chain.from_iterable(
                ((part.workshop.code, *row) for row in part.tables[name].rows()) for part in parts
            )

        return rows

    def theme_rows() -> Iterator[Row]:
        for theme in contents.themes:
            yield theme.key, theme.id, theme.label_en, theme.label_de, theme.position

    def coding_rows() -> Iterator[Row]:
        for r in codings:
            theme = None if r.theme_id is None else theme_key[r.theme_id]
            yield code_of[r.workshop_id], r.item_id, theme, coder(r.coder_id), r.coded_at, r.settled

    builders: dict[str, tuple[int, Callable[[], Iterator[Row]]]] = {
        "workshops": (len(parts), workshop_rows),
        "themes": (len(contents.themes), theme_rows),
        "codings": (len(codings), coding_rows),
        # "theme_results" (the theme × workshop figures of the comparison) joins here, with its
        # spec in `study_schema.STUDY_ONLY` and its figures in the JSON document beside "codings".
    }
    for name in STUDY_TABLES:
        if name not in builders:
            builders[name] = (sum(part.tables[name].count for part in parts), stacked(name))
    return {name: Table(STUDY_TABLES[name], *builders[name]) for name in STUDY_TABLES}


def last_change(contents: StudyContents, codings: list[CodingRow]) -> datetime:
    """The newest change to what the export holds: the workbook's date, the same on a re-export."""
    return max(
        [contents.study.updated_at]
        + [workshop.updated_at for workshop in contents.workshops]
        + [coding.coded_at for coding in codings]
    )


def readme(contents: StudyContents, left_out: int) -> list[list[Any]]:
    study = contents.study
    rows: list[list[Any]] = [["table", "column", "type", "description", "Beschreibung"]]
    rows.append(["about", "software", "", f"backcast {__version__}", ""])
    rows.append(["about", "study", "", f"{study.id}: {study.title}", ""])
    rows.append(["about", "workshops", "", " ".join(w.code for w in contents.workshops), ""])
    rows.append(["about", "names", "", "not included", ""])
    rows.append(["about", "participants_left_out", "", left_out, ""])
    rows.extend(notes([*STUDY_NOTES, *README_NOTES]))
    rows.extend(codebook(STUDY_TABLES.values()))
    return rows


def export_study(
    db: Database,
    study_id: int,
    *,
    format_: str,
    secret_key: str,
    exported_by: str,
    table: str | None = None,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> ExportFile:
    """The study's export; the caller has checked that the one asking may read the study."""
    check_format(format_, table, STUDY_TABLES)
    contents = study_contents(db, study_id)
    parts = [_part(db, workshop, secret_key) for workshop in contents.workshops]
    codings = _codings(db, contents)
    tables = study_tables(contents, parts, codings, secret_key)
    left_out = sum(part.left_out for part in parts)
    media_type, extension = FORMATS[format_]
    chosen = [tables[table or DEFAULT_STUDY_TABLE]] if format_ == "csv" else list(tables.values())
    total = sum(t.count for t in chosen)
    done = 0

    def advance(rows: int) -> None:
        nonlocal done
        done += rows
        if progress is not None:
            progress(done, total)

    stem = f"backcast-study-{study_id}"
    if format_ == "csv":
        content = csv_bytes(chosen[0], advance)
        stem = f"{stem}-{chosen[0].name}"
    elif format_ == "xlsx":
        content = xlsx_bytes(chosen, readme(contents, left_out), last_change(contents, codings), advance)
    elif format_ == "json":
        content = document_bytes(json_document(contents, parts, tables, left_out))
    else:
        content = package_bytes(
            about(contents),
            provenance(contents, parts, left_out),
            chosen,
            exported_at=now or utcnow(),
            exported_by=exported_by,
            progress=advance,
        )
    if done < total:  # counts of results_counts are an upper bound: hidden group figures have no rows
        advance(total - done)
    return ExportFile(content, media_type, f"{stem}.{extension}")


def json_document(
    contents: StudyContents, parts: list[WorkshopPart], tables: dict[str, Table], left_out: int
) -> dict[str, Any]:
    metadata = {row["workshop"]: row for row in records(tables["workshops"])}
    workshops = []
    for part in parts:
        document = workshop_document(
            part.tables, results_document(part.workshop, part.results()), part.left_out
        )
        for key in ("region", "sector", "held_on", "venue"):
            document["workshop"][key] = metadata[part.workshop.code][key]
        workshops.append(document)
    study = contents.study
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": f"backcast {__version__}",
        "study": {"id": study.id, "title": study.title, "description": study.description},
        "participants_left_out": left_out,
        "workshops": workshops,
        "themes": records(tables["themes"]),
        "codings": records(tables["codings"]),
    }


def about(contents: StudyContents) -> dict[str, Any]:
    return {
        "name": f"backcast-study-{contents.study.id}",
        "title": contents.study.title,
        "description": (
            "A backcasting study's workshops, each with its contributions, ratings, dots, results and "
            "agenda, and the study's themes and codings, exported by backcast. Participants appear "
            "under pseudonyms of their workshop, coders under pseudonyms of the study. Every column is "
            "described below in English and German."
        ),
    }


def provenance(contents: StudyContents, parts: list[WorkshopPart], left_out: int) -> dict[str, Any]:
    study = contents.study
    return {
        "study": {"id": study.id, "title": study.title, "last_changed": iso(study.updated_at)},
        "workshops": [
            {
                "code": part.workshop.code,
                "title": part.workshop.title,
                "last_changed": iso(part.workshop.updated_at),
                "participants_left_out": part.left_out,
            }
            for part in parts
        ],
        "names": False,
        # Participants without consent to research use: not in these files, though in their rooms.
        "participants_left_out": left_out,
    }
