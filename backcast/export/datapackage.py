"""Tables as a Frictionless data package: a zip of CSV files and a `datapackage.json` describing
each (Table Schema with types, constraints and descriptions), its SHA-256, and where it came from.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from backcast import __version__
from backcast.export.cells import iso
from backcast.export.csvfile import Progress, csv_bytes
from backcast.export.schema import TableSpec
from backcast.export.xlsxfile import ZIP_TIME
from backcast.i18n import translate
from backcast.models import Workshop

MANIFEST = "datapackage.json"
MISSING_VALUES = [""]


def table_schema(spec: TableSpec) -> dict[str, Any]:
    fields = []
    for column in spec.columns:
        described = column.frictionless()
        described["description"] = translate(column.description, "en")
        described["description_de"] = translate(column.description, "de")
        fields.append(described)
    schema: dict[str, Any] = {"fields": fields, "missingValues": MISSING_VALUES}
    within = [spec.scope] if spec.scope else []
    if spec.primary_key:
        schema["primaryKey"] = [*within, *spec.primary_key]
    if spec.foreign_keys:
        required = {column.name for column in spec.columns if column.required}
        schema["foreignKeys"] = [
            {"fields": [*within, column], "reference": {"resource": table, "fields": [*within, target]}}
            if within and column in required and column != spec.scope
            else {"fields": column, "reference": {"resource": table, "fields": target}}
            for column, (table, target) in spec.foreign_keys.items()
        ]
    return schema


def resource(spec: TableSpec, path: str, content: bytes) -> dict[str, Any]:
    return {
        "name": spec.name,
        "path": path,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "description": translate(spec.description, "en"),
        "description_de": translate(spec.description, "de"),
        "hash": "sha256:" + hashlib.sha256(content).hexdigest(),
        "bytes": len(content),
        "schema": table_schema(spec),
    }


def datapackage_bytes(
    workshop: Workshop,
    tables: Sequence[Any],
    *,
    exported_at: datetime,
    exported_by: str,
    names: bool,
    left_out: int = 0,
    progress: Progress | None = None,
) -> bytes:
    about = {
        "name": f"backcast-{workshop.code.lower()}",
        "title": workshop.title,
        "description": (
            "A backcasting workshop's contributions, ratings, dots, results and agenda, exported by "
            "backcast. Participants appear under pseudonyms. See docs/results.md for the codebook."
        ),
    }
    provenance = {
        "workshop": {
            "code": workshop.code,
            "title": workshop.title,
            "last_changed": iso(workshop.updated_at),
        },
        "names": names,
        # Participants without consent to research use: not in these files, though in the room.
        "participants_left_out": left_out,
    }
    return package_bytes(
        about, provenance, tables, exported_at=exported_at, exported_by=exported_by, progress=progress
    )


def package_bytes(
    about: dict[str, Any],
    provenance: dict[str, Any],
    tables: Sequence[Any],
    *,
    exported_at: datetime,
    exported_by: str,
    progress: Progress | None = None,
) -> bytes:
    """The zip: the manifest (`about` gives its name, title and description; `provenance` says
    what was exported) and one CSV per table, each with its SHA-256 in the manifest."""
    files: list[tuple[str, bytes]] = []
    resources = []
    for table in tables:
        path = f"data/{table.name}.csv"
        content = csv_bytes(table, progress)
        files.append((path, content))
        resources.append(resource(table.spec, path, content))
    manifest = {
        "profile": "tabular-data-package",
        **about,
        "created": iso(exported_at),
        "provenance": {
            "software": "backcast",
            "software_version": __version__,
            "exported_at": iso(exported_at),
            "exported_by": exported_by,
            **provenance,
            "hash_algorithm": "sha256",
        },
        "resources": resources,
    }
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
        for path, content in [(MANIFEST, manifest_bytes), *files]:
            entry = zipfile.ZipInfo(path, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, content)
    return output.getvalue()
