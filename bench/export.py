"""How long the research exports take for a workshop with 100,000 ratings.

Prints figures beside a same-run baseline: pandas' `to_csv`, and a bare openpyxl write-only loop
over the same rows with openpyxl's own cell writer and whichever XML writer it uses here (lxml when
installed, else its pure-Python one; the line above the table says which). Machines differ and
this one may be busy, so compare the ratio to the baseline more than the seconds. Targets: CSV
within 2 s, XLSX within 10 s, each including reading the workshop from the database.
Run with `make bench` (or `.venv/bin/python bench/export.py`); it is not a test.
"""

from __future__ import annotations

import io
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import LXML, Workbook
from sqlalchemy import insert

from backcast import __version__, migrate
from backcast.db import Database, make_engine
from backcast.defaults import CriterionSpec
from backcast.export.exporter import export_workshop
from backcast.models import Item, Participant, Rating, Workshop, utcnow
from backcast.services import accounts, workshops

PARTICIPANTS, MEASURES, CRITERIA = 500, 40, 5  # 500 x 40 x 5 = 100,000 ratings
TARGETS = {"csv": 2.0, "xlsx": 10.0}


def seed(db: Database) -> Workshop:
    """A workshop with 100,000 ratings. Rows go in by bulk insert: the services would take minutes
    for this many, and what is measured here is the export, not rating."""
    owner = accounts.add_facilitator(db, "bench@example.org", "a long password")
    criteria = [CriterionSpec(f"criterion_{index}", f"Criterion {index}") for index in range(CRITERIA)]
    shop = workshops.create_workshop(
        db, owner, title="Bench", present_year=2026, vision_year=2045, language="en", criteria=criteria
    )
    rng = random.Random(6)
    start = utcnow()
    with db.write() as tx:
        session = tx.session
        groups = workshops.groups_of(session, shop.id)  # type: ignore[arg-type]
        people = [
            Participant(workshop_id=shop.id, token_hash=f"{index:064x}", group_id=rng.choice(groups).id)  # type: ignore[arg-type]
            for index in range(PARTICIPANTS)
        ]
        measures = [
            Item(workshop_id=shop.id, kind="measure", text=f"Measure {index}") for index in range(MEASURES)
        ]  # type: ignore[arg-type]
        session.add_all(people + measures)
        session.flush()
        criteria_rows = workshops.criteria_of(session, shop.id)  # type: ignore[arg-type]
        rows: list[dict[str, Any]] = [
            {
                "workshop_id": shop.id,
                "participant_id": person.id,
                "item_id": measure.id,
                "criterion_id": criterion.id,
                "scale_min": 1,
                "scale_max": 5,
                "value": None if rng.random() < 0.05 else rng.randint(1, 5),
                # As in a workshop: one rating of an item sets all its criteria at once.
                "rated_at": moment,
                "updated_at": moment,
            }
            for index, person in enumerate(people)
            for number, measure in enumerate(measures)
            for moment in [start + timedelta(seconds=index, milliseconds=number * 7)]
            for criterion in criteria_rows
        ]
        session.execute(insert(Rating), rows)
    return workshops.workshop_by_code(db, shop.code)


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def main() -> int:
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'bench.sqlite3'}"
        migrate.upgrade(url)
        db = Database(make_engine(url))
        seconds, shop = timed(lambda: seed(db))
        python = sys.version.split()[0]
        print(f"backcast {__version__}, Python {python}, SQLite; seeded 100,000 ratings in {seconds:.1f} s")
        print(f"openpyxl's XML writer: {'lxml' if LXML else 'pure Python (et_xmlfile)'}")

        def run(format_: str) -> bytes:
            return export_workshop(db, shop, format_=format_, secret_key="bench", exported_by="bench").content

        csv_seconds, csv_bytes = timed(lambda: run("csv"))
        frame = pd.read_csv(io.BytesIO(csv_bytes), keep_default_na=False, dtype=str)
        rows = [tuple(row) for row in frame.itertuples(index=False)]
        pandas_seconds, _ = timed(lambda: frame.to_csv(io.StringIO(), index=False))

        def bare_openpyxl() -> None:
            workbook = Workbook(write_only=True)
            sheet = workbook.create_sheet("ratings")
            sheet.append(list(frame.columns))
            for row in rows:
                sheet.append(row)
            workbook.save(io.BytesIO())

        xlsx_seconds, xlsx_bytes = timed(lambda: run("xlsx"))
        bare_seconds, _ = timed(bare_openpyxl)
        db.dispose()

    print(f"{'':34}{'seconds':>9}{'target':>9}{'size':>12}{'x baseline':>12}")
    csv_ratio, xlsx_ratio = csv_seconds / pandas_seconds, xlsx_seconds / bare_seconds
    print(
        f"{'CSV, ratings table (backcast)':34}{csv_seconds:9.2f}{TARGETS['csv']:9.1f}"
        f"{len(csv_bytes):12,}{csv_ratio:12.2f}"
    )
    print(f"{'  baseline: pandas to_csv':34}{pandas_seconds:9.2f}")
    print(
        f"{'XLSX, all 13 sheets (backcast)':34}{xlsx_seconds:9.2f}{TARGETS['xlsx']:9.1f}"
        f"{len(xlsx_bytes):12,}{xlsx_ratio:12.2f}"
    )
    print(f"{'  baseline: openpyxl bare loop':34}{bare_seconds:9.2f}")
    print(f"rows in the ratings table: {len(rows):,}")
    within = csv_seconds <= TARGETS["csv"] and xlsx_seconds <= TARGETS["xlsx"]
    print("within targets" if within else "OVER TARGET")
    return 0


if __name__ == "__main__":
    sys.exit(main())
