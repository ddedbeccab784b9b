"""The whole workshop as one JSON document, texts exactly as typed."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from backcast import __version__
from backcast.export.cells import iso
from backcast.export.tables import Table

# Bumped when a key is renamed or removed or changes meaning; new keys do not bump it.
SCHEMA_VERSION = 1

# Repeated in every rating row of the CSV for convenience; the JSON has them once, under items.
_ITEM_COPIES = {"item_kind", "item_text"}


def _value(value: Any) -> Any:
    return iso(value) if isinstance(value, datetime) else value


def records(table: Table, drop: set[str] | None = None) -> list[dict[str, Any]]:
    header = table.spec.header
    keep = [index for index, name in enumerate(header) if not drop or name not in drop]
    return [{header[i]: _value(row[i]) for i in keep} for row in table.rows()]


def json_bytes(tables: dict[str, Table], results: dict[str, Any], left_out: int = 0) -> bytes:
    links: dict[int, list[int]] = {}
    for link in records(tables["links"]):
        links.setdefault(link["from_id"], []).append(link["to_id"])
    items = [item | {"links": links.get(item["item_id"], [])} for item in records(tables["items"])]
    workshop = records(tables["workshop"])[0]
    workshop["rated_kinds"] = workshop["rated_kinds"].split()
    document = {
        "schema_version": SCHEMA_VERSION,
        "generator": f"backcast {__version__}",
        "workshop": workshop,
        "criteria": records(tables["criteria"]),
        "groups": records(tables["groups"]),
        "participants": records(tables["participants"]),
        # Those without consent to research use are not in this file, though the room counted them.
        "participants_left_out": left_out,
        "items": items,
        "tables": records(tables["tables"]),
        "seating": records(tables["seating"]),
        "ratings": records(tables["ratings"], _ITEM_COPIES),
        "dots": records(tables["dots"]),
        "results": results,
        "agenda": records(tables["agenda"], {"item_text"}),
    }
    return json.dumps(document, ensure_ascii=False, indent=1, allow_nan=False).encode("utf-8") + b"\n"
