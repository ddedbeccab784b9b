"""How long a study's comparison takes for 3 workshops × 25 people × 15 measures.

Two figures, each beside a baseline measured in the same run on the same database: the study page
(`/studies/{id}`) beside one of its workshops' printable report (`/facilitate/{code}/report`, the
workshop's results as a page), and the study's results JSON (`GET /api/v1/studies/{id}/results`)
beside that workshop's results JSON (`GET /api/v1/workshops/{code}/results`). Requests go through
the whole application in process (Starlette's test client, no network). Each figure is the median
of `--repeat` requests after one warm-up; the pairs are measured `--rounds` times, alternating, and
each round prints its ratios. This machine may be busy: trust the ratios more than the seconds.

    .venv/bin/python bench/study.py [--rounds 2] [--repeat 15]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from run import figure_line

from backcast import __version__, migrate
from backcast.app import create_app
from backcast.db import Database, make_engine
from backcast.enums import Phase
from backcast.services import accounts, coding, items, participants, ratings, studies, workshops
from backcast.settings import Settings

WORKSHOPS, PEOPLE, MEASURES, THEMES = 3, 25, 15, 8
PASSWORD = "a long bench password"


def seed(db: Database) -> tuple[int, str, str]:
    """The study through the real services, as a facilitator would make it: the study's id, one
    workshop's code and the facilitator's API token."""
    rng = random.Random(15)
    owner = accounts.add_facilitator(db, "bench@example.org", PASSWORD)
    study = studies.create_study(
        db,
        owner,
        title="Bench study",
        themes=[studies.ThemeSpec(label_de=f"Thema {n}", label_en=f"Theme {n}") for n in range(THEMES)],
    )
    assert study.id is not None
    themes = [theme.id for theme in studies.study_view(db, owner, study.id).themes]
    codes = []
    for number in range(WORKSHOPS):
        shop = studies.create_workshop_in_study(db, owner, study.id, title=f"Region {number}", language="en")
        codes.append(shop.code)
        _, criteria, groups, _ = workshops.workshop_details(db, shop.code)
        made = [
            items.add_item(db, owner, shop.code, kind="measure", text=f"Measure {n} of region {number}")
            for n in range(MEASURES)
        ]
        people = [
            participants.join_workshop(
                db, shop.code, group=rng.choice(groups).key if groups else None, consent=True
            ).participant
            for _ in range(PEOPLE)
        ]
        workshops.set_phase(db, owner, shop.code, Phase.rating)
        for person in people:
            for measure in made:
                values = {c.key: rng.choice([*range(c.scale_min, c.scale_max + 1), None]) for c in criteria}
                ratings.rate_item(db, person, measure.id or 0, values)
        workshops.set_phase(db, owner, shop.code, Phase.prioritisation)
        for person in people:
            for measure in rng.sample(made, 2):
                ratings.set_dots(db, person, measure.id or 0, 1)
        for measure in made:
            coding.settle_item(db, owner, study.id, measure.id, rng.sample(themes, rng.randint(1, 3)))
    return study.id, codes[0], accounts.issue_api_token(db, owner.email)


def median_seconds(client: TestClient, url: str, repeat: int, headers: dict[str, str] | None = None) -> float:
    response = client.get(url, headers=headers)  # warm-up
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url, headers=headers)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'bench.sqlite3'}"
        migrate.upgrade(url)
        db = Database(make_engine(url))
        start = time.perf_counter()
        study_id, code, token = seed(db)
        print(
            f"backcast {__version__}, Python {sys.version.split()[0]}, SQLite; seeded {WORKSHOPS} "
            f"workshops × {PEOPLE} people × {MEASURES} measures in {time.perf_counter() - start:.1f} s"
        )
        settings = Settings(data_dir=Path(directory) / "data", secret_key="bench-" + "x" * 40, port=8000)
        api = {"Authorization": f"Bearer {token}"}
        with TestClient(create_app(settings, db=db)) as client:
            signed_in = client.post(
                "/login", data={"email": "bench@example.org", "password": PASSWORD}, follow_redirects=False
            )
            assert signed_in.status_code == 303
            pairs = [
                (
                    "study page",
                    f"/studies/{study_id}",
                    None,
                    "workshop report page",
                    f"/facilitate/{code}/report",
                ),
                (
                    "study results JSON",
                    f"/api/v1/studies/{study_id}/results",
                    api,
                    "workshop results JSON",
                    f"/api/v1/workshops/{code}/results",
                ),
            ]
            print(f"{'':28}{'ms':>9}{'baseline':>24}{'ms':>9}{'ratio':>8}")
            for round_ in range(1, args.rounds + 1):
                for name, path, headers, base_name, base_path in pairs:
                    value = median_seconds(client, path, args.repeat, headers)
                    baseline = median_seconds(client, base_path, args.repeat, headers)
                    print(
                        f"{f'{name} (run {round_})':28}{value * 1000:9.1f}{base_name:>24}"
                        f"{baseline * 1000:9.1f}{value / baseline:8.2f}"
                    )
                    if round_ == args.rounds:
                        print(figure_line("study", f"{name} vs {base_name}", value, "s", baseline))
        db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
