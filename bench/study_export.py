"""How long a study's export takes for 3 workshops x 25 people x 15 measures, beside the export of
one of those workshops in the same run.

The study export reads and writes every workshop of the study and adds its themes and codings, so
about 3 times one workshop's time is what to expect; much more would mean work repeated per
workshop. Each format is timed in `--rounds` rounds (default 2), alternating study and workshop,
and the best time of each is kept. Run with `.venv/bin/python bench/study_export.py`; not a test.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from run import figure_line
from sqlalchemy import insert

from backcast import __version__, migrate
from backcast.db import Database, make_engine
from backcast.export.exporter import export_workshop
from backcast.export.study import export_study
from backcast.models import Item, Participant, Rating, Workshop, utcnow
from backcast.services import accounts, coding, studies, workshops

WORKSHOPS, PEOPLE, MEASURES = 3, 25, 15
FORMATS = ["csv", "xlsx", "json", "datapackage"]


def seed_workshop(db: Database, shop: Workshop, rng: random.Random) -> list[int]:
    """People, measures and every person's rating of every measure, by bulk insert: what is
    measured is the export, not rating. Returns the measures' ids."""
    start = utcnow()
    with db.write() as tx:
        session = tx.session
        groups = workshops.groups_of(session, shop.id)  # type: ignore[arg-type]
        people = [
            Participant(
                workshop_id=shop.id,  # type: ignore[arg-type]
                token_hash=f"{shop.id:08x}{index:056x}",
                group_id=rng.choice(groups).id,
            )
            for index in range(PEOPLE)
        ]
        measures = [
            Item(workshop_id=shop.id, kind="measure", text=f"Measure {index} in {shop.title}")  # type: ignore[arg-type]
            for index in range(MEASURES)
        ]
        session.add_all(people + measures)
        session.flush()
        criteria = workshops.criteria_of(session, shop.id)  # type: ignore[arg-type]
        rows: list[dict[str, Any]] = [
            {
                "workshop_id": shop.id,
                "participant_id": person.id,
                "item_id": measure.id,
                "criterion_id": criterion.id,
                "scale_min": criterion.scale_min,
                "scale_max": criterion.scale_max,
                "value": None
                if rng.random() < 0.05
                else rng.randint(criterion.scale_min, criterion.scale_max),
                "rated_at": moment,
                "updated_at": moment,
            }
            for index, person in enumerate(people)
            for number, measure in enumerate(measures)
            for moment in [start + timedelta(seconds=index, milliseconds=number * 7)]
            for criterion in criteria
        ]
        session.execute(insert(Rating), rows)
        return [measure.id for measure in measures if measure.id is not None]


def seed(db: Database) -> tuple[int, Workshop]:
    """The study, its workshops rated, and two coders' codings of every measure."""
    lead = accounts.add_facilitator(db, "lead@example.org", "a long password")
    second = accounts.add_facilitator(db, "second@example.org", "a long password")
    study = studies.create_study(
        db,
        lead,
        title="Bench study",
        themes=[studies.ThemeSpec(label_de=f"Thema {n}", label_en=f"Theme {n}") for n in range(6)],
    )
    assert study.id is not None
    studies.add_member(db, lead, study.id, second.email, "researcher")
    themes = [theme.id for theme in studies.study_view(db, lead, study.id).themes]
    rng = random.Random(15)
    shops = []
    for region in ("Bremen", "Oldenburg", "Osnabrück")[:WORKSHOPS]:
        shop = studies.create_workshop_in_study(db, lead, study.id, title=f"Workshop {region}")
        shops.append(shop)
        for item_id in seed_workshop(db, shop, rng):
            for coder in (lead, second):
                coding.code_item(db, coder, study.id, item_id, rng.sample(themes, rng.randint(0, 2)))
    return study.id, workshops.workshop_by_code(db, shops[0].code)


def best(action: Callable[[], bytes], times: list[float]) -> int:
    start = time.perf_counter()
    size = len(action())
    times.append(time.perf_counter() - start)
    return size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'bench.sqlite3'}"
        migrate.upgrade(url)
        db = Database(make_engine(url))
        started = time.perf_counter()
        study_id, one = seed(db)
        print(
            f"backcast {__version__}, Python {sys.version.split()[0]}, SQLite; seeded {WORKSHOPS} "
            f"workshops x {PEOPLE} people x {MEASURES} measures in {time.perf_counter() - started:.1f} s"
        )
        study_times: dict[str, list[float]] = {name: [] for name in FORMATS}
        workshop_times: dict[str, list[float]] = {name: [] for name in FORMATS}
        sizes: dict[str, tuple[int, int]] = {}
        for _ in range(args.rounds):
            for name in FORMATS:
                whole = best(
                    lambda name=name: (
                        export_study(
                            db, study_id, format_=name, secret_key="bench", exported_by="bench"
                        ).content
                    ),
                    study_times[name],
                )
                single = best(
                    lambda name=name: (
                        export_workshop(
                            db, one, format_=name, secret_key="bench", exported_by="bench"
                        ).content
                    ),
                    workshop_times[name],
                )
                sizes[name] = (whole, single)
        db.dispose()

    print(
        f"{'format':14}{'study s':>10}{'workshop s':>12}{'ratio':>8}{'study bytes':>14}"
        "  rounds (study / workshop)"
    )
    for name in FORMATS:
        study_s, workshop_s = min(study_times[name]), min(workshop_times[name])
        rounds = ", ".join(
            f"{s:.3f}/{w:.3f}" for s, w in zip(study_times[name], workshop_times[name], strict=True)
        )
        print(
            f"{name:14}{study_s:10.3f}{workshop_s:12.3f}{study_s / workshop_s:8.2f}"
            f"{sizes[name][0]:14,}  {rounds}"
        )
    for name in FORMATS:
        print(
            figure_line(
                "study_export",
                f"{name}, study of {WORKSHOPS} workshops vs one workshop",
                min(study_times[name]),
                "s",
                min(workshop_times[name]),
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
