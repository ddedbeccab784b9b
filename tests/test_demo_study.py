"""`backcast demo --study`: a German study of three regional workshops of the north-west, 25 people
each, finished, differing between the regions in what they contribute and how they rate, the later
two starting from Bremen's carried-over vision and milestones, and coded in part by two researchers
with settled and unsettled codings. The same every time; `backcast demo` alone is unchanged."""

from __future__ import annotations

from pathlib import Path
from statistics import mean

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from backcast import cli
from backcast.db import Database
from backcast.demo import study_content
from backcast.demo.seed import demo_account
from backcast.demo.study_seed import DemoStudy, seed_study
from backcast.models import Criterion, Item, Participant, Rating, Study, StudyCodedItem, Workshop
from backcast.services import coding


def snapshot(db: Database, demo: DemoStudy) -> list[object]:
    """What a researcher sees of the study, without row ids or times."""
    out: list[object] = []
    with db.read() as session:
        for shop in demo.workshops:
            texts = session.exec(
                select(Item.kind, Item.text, Item.year, Item.adopted, Item.carried_label)
                .where(Item.workshop_id == shop.id)
                .order_by(col(Item.id))
            ).all()
            values = session.exec(
                select(Rating.value)
                .join(Item, col(Item.id) == col(Rating.item_id))
                .where(Item.workshop_id == shop.id)
                .order_by(col(Rating.id))
            ).all()
            out += [shop.title, shop.region, list(texts), list(values)]
    return out


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> tuple[Database, DemoStudy]:
    from tests.conftest import _sqlite_db

    db = _sqlite_db(sqlite_template, tmp_path_factory.mktemp("demo-study"))
    return db, seed_study(db, demo_account(db).facilitator)


def test_the_demo_study_holds_three_regional_workshops_of_25_people(
    seeded: tuple[Database, DemoStudy],
) -> None:
    db, demo = seeded
    assert [(w.region, w.held_on.isoformat() if w.held_on else None) for w in demo.workshops] == [
        ("Bremen", "2026-03-12"),
        ("Oldenburg", "2026-04-23"),
        ("Osnabrück", "2026-05-21"),
    ]
    with db.read() as session:
        assert session.exec(select(func.count()).select_from(Study)).one() == 1
        for shop in demo.workshops:
            assert shop.study_id == demo.study.id and shop.language == "de" and shop.results_visible
            people = session.exec(
                select(func.count()).select_from(Participant).where(Participant.workshop_id == shop.id)
            ).one()
            measures = session.exec(
                select(func.count())
                .select_from(Item)
                .where(Item.workshop_id == shop.id, Item.kind == "measure")
            ).one()
            assert (people, measures) == (25, 8)
        carried = session.exec(
            select(Item.workshop_id, Item.carried_label).where(col(Item.carried_from_item).is_not(None))
        ).all()
    # Oldenburg and Osnabrück start from Bremen's synthesis and two of its milestones.
    assert sorted(carried) == sorted(
        [(demo.workshops[1].id, "Bremen 2026")] * 3 + [(demo.workshops[2].id, "Bremen 2026")] * 3
    )


def test_the_regions_differ_in_what_they_contribute_and_how_they_rate(
    seeded: tuple[Database, DemoStudy],
) -> None:
    db, demo = seeded
    texts = []
    with db.read() as session:
        for shop in demo.workshops:
            texts.append(
                set(
                    session.exec(select(Item.text).where(Item.workshop_id == shop.id, Item.kind == "measure"))
                )
            )
    shared = texts[0] & texts[1] & texts[2]
    # Every region has the residue exchange and advice on site; Bremen shares the repair bonus with
    # Oldenburg and circular procurement with Osnabrück; the rest is each region's own.
    assert shared == {study_content.EXCHANGE, study_content.PILOTS}
    assert len(texts[0] & texts[1]) == len(texts[0] & texts[2]) == 3
    assert all(len(own - texts[i - 1] - texts[i - 2]) >= 4 for i, own in enumerate(texts))

    # The shared residue exchange: small firms' feasibility is seen higher in Osnabrück than in Oldenburg.
    feasibility = []
    for shop in demo.workshops:
        with db.read() as session:
            values = session.exec(
                select(Rating.value)
                .join(Item, col(Item.id) == col(Rating.item_id))
                .join(Criterion, col(Criterion.id) == col(Rating.criterion_id))
                .where(Item.workshop_id == shop.id, Item.text == study_content.EXCHANGE)
                .where(Criterion.key == "sme_feasibility", col(Rating.value).is_not(None))
            ).all()
        feasibility.append([value for value in values if value is not None])
    assert all(len(values) > 15 for values in feasibility)
    assert mean(feasibility[2]) > mean(feasibility[1]) + 0.3


def test_the_demo_study_is_coded_in_part_with_settled_and_unsettled_codings(
    seeded: tuple[Database, DemoStudy],
) -> None:
    db, demo = seeded
    first, second = demo.coders
    assert demo.study.id is not None and first.id is not None and second.id is not None
    with db.read() as session:
        rows = session.exec(
            select(StudyCodedItem.coder_id, StudyCodedItem.settled).where(
                StudyCodedItem.study_id == demo.study.id
            )
        ).all()
    by_first = sum(1 for coder, settled in rows if coder == first.id and not settled)
    by_second = sum(1 for coder, settled in rows if coder == second.id and not settled)
    settled = sum(1 for _, s in rows if s)
    assert by_first == 24 and 16 <= by_second < 24  # Osnabrück only half coded by the second
    agreement = coding.agreement(db, demo.facilitator, demo.study.id, first.id, second.id)
    assert agreement.items == by_second and agreement.mean_kappa is not None
    # The agreed ones and one difference are settled; the other differences wait.
    assert settled == by_second - len(agreement.differing) + 1
    assert len(agreement.differing) >= 5
    assert len(coding.settled_themes(db, demo.study.id)) == settled


def test_the_demo_study_is_the_same_every_time(
    seeded: tuple[Database, DemoStudy], sqlite_db: Database
) -> None:
    db, demo = seeded
    again = seed_study(sqlite_db, demo_account(sqlite_db).facilitator)
    assert snapshot(sqlite_db, again) == snapshot(db, demo)


def test_the_plain_demo_makes_no_study(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BACKCAST_DATABASE_URL", sqlite_db.engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("BACKCAST_DATA_DIR", str(tmp_path))
    assert cli.main(["demo"]) == 0
    assert "demo workshop" in capsys.readouterr().out
    with sqlite_db.read() as session:
        assert session.exec(select(func.count()).select_from(Study)).one() == 0
        assert session.exec(select(func.count()).select_from(Workshop)).one() == 1
