"""GET /results: who may read it, the numbers a researcher checks by hand, groups kept anonymous,
and the same numbers recomputed with pandas from nothing but the CSV export."""

from __future__ import annotations

import io
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from backcast.analysis.data import load_workshop
from backcast.analysis.results import compute_results
from backcast.db import Database
from backcast.services import accounts, ratings, workshops
from tests import factories
from tests.scenario import CRITERIA, Rated, rated_workshop
from tests.test_api import api_token, assert_problem


def owner_headers(db: Database, rated: Rated) -> dict[str, str]:
    return {"Authorization": f"Bearer {accounts.issue_api_token(db, rated.owner.email)}"}


@pytest.fixture
def rated(db: Database) -> Rated:
    return rated_workshop(db)


def results_of(client: TestClient, db: Database, rated: Rated) -> dict[str, Any]:
    response = client.get(
        f"/api/v1/workshops/{rated.workshop.code}/results", headers=owner_headers(db, rated)
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_results_are_for_the_workshops_facilitators_only(
    client: TestClient, db: Database, rated: Rated
) -> None:
    url = f"/api/v1/workshops/{rated.workshop.code}/results"
    assert_problem(client.get(url), 401, "unauthenticated")
    assert_problem(client.get(url, headers=api_token(db)), 403, "forbidden")
    participant = {"Authorization": f"Bearer {rated.tokens[0]}"}
    assert_problem(client.get(url, headers=participant), 403, "forbidden")
    assert client.get(url, headers=owner_headers(db, rated)).status_code == 200
    assert_problem(client.get("/api/v1/workshops/ZZZZZZ/results", headers=api_token(db)), 403, "forbidden")


def test_a_measure_s_figures_are_the_ones_worked_out_by_hand(
    client: TestClient, db: Database, rated: Rated
) -> None:
    results = results_of(client, db, rated)
    first = next(item for item in results["items"] if item["item_id"] == rated.measures[0].id)

    # impact: 5 4 5 4 2 3 1 and one can't judge. Sorted 1 2 3 4 4 5 5; type 7: Q1 at h = 1.5.
    assert {key: first["criteria"]["impact"][key] for key in ("n", "n_cant_judge", "min", "max")} == {
        "n": 7,
        "n_cant_judge": 1,
        "min": 1,
        "max": 5,
    }
    impact = first["criteria"]["impact"]
    assert impact["mean"] == pytest.approx(24 / 7, abs=1e-12)
    assert (impact["median"], impact["q1"], impact["q3"], impact["iqr"]) == (4, 2.5, 4.5, 2)
    assert impact["cant_judge_share"] == 1 / 8
    assert impact["counts"] == {"1": 1, "2": 1, "3": 1, "4": 2, "5": 2}
    assert impact["consensus"] is False
    assert first["criteria"]["readiness"]["counts"] == {
        str(value): int(value in {0, 1, 3, 7, 8, 10}) for value in range(11)
    }

    # score: impact (24/7 - 1)/4 weighted 2, cost mean 19/6 turned round (lower is better)
    # weighted 1, readiness 29/60 weighted 1/2.
    expected = (2 * Fraction(17, 28) + (1 - Fraction(13, 24)) + Fraction(1, 2) * Fraction(29, 60)) / Fraction(
        7, 2
    )
    assert first["score"] == pytest.approx(float(expected), abs=1e-15)
    assert (first["rank"], first["dots"], first["raters"]) == (1, 6, 7)
    assert first["score_criteria"] == ["impact", "cost", "readiness"]


def test_equal_measures_share_a_rank_and_hidden_ones_are_left_out(
    client: TestClient, db: Database, rated: Rated
) -> None:
    results = results_of(client, db, rated)
    ranked = [(item["item_id"], item["rank"]) for item in results["items"]]
    first, second, third, hidden = (measure.id for measure in rated.measures)
    assert ranked == [(first, 1), (second, 2), (third, 2)]
    assert hidden not in {item_id for item_id, _ in ranked}


def test_group_figures_appear_only_from_three_raters(client: TestClient, db: Database, rated: Rated) -> None:
    results = results_of(client, db, rated)
    first = results["items"][0]
    hidden = {"shown": False, "reason": "fewer than 3"}

    assert first["groups"]["association"] == hidden  # two raters
    assert first["groups"]["research"] == hidden  # one rater
    sme = first["groups"]["sme"]
    assert (sme["shown"], sme["raters"], sme["dots"], sme["rank"]) == (True, 4, 4, 1)
    assert sme["criteria"]["impact"]["mean"] == 4.5
    assert sme["criteria"]["cost"]["n"] == 3  # one of the four could not judge the cost
    assert [group["participants"] for group in results["groups"]] == [4, 2, 1]


def test_a_group_criterion_with_fewer_than_three_values_is_hidden_and_left_out_of_its_score(
    db: Database,
) -> None:
    rated = rated_workshop(db)
    workshops.set_phase(db, rated.owner, rated.workshop.code, "rating")
    # Two of the four SME raters now say "can't judge" on the first measure's readiness.
    for participant in rated.participants[:2]:
        ratings.rate_item(db, participant, rated.measures[0].id, {"readiness": None})  # type: ignore[arg-type]
    results = compute_results(load_workshop(db, factories.fresh(db, rated.workshop)))
    sme = results.items[0].groups["sme"]
    assert sme is not None
    assert sme.criteria["readiness"] is None
    assert sme.score_criteria == ("impact", "cost")


@dataclass(frozen=True)
class Recomputed:
    """An item's figures worked out with pandas from nothing but exported rows."""

    score: float
    dots: int
    raters: int
    rank: int
    criteria: dict[str, dict[str, float]]  # criterion → n, n_cant_judge, mean, median, sd, q1, q3


def recomputed(given: pd.DataFrame, criteria: pd.DataFrame, dots: pd.DataFrame) -> dict[int, Recomputed]:
    """Every rated item's figures from the ratings that count, the criteria (indexed by key) and
    the dots that count, as docs/results.md defines them."""
    found: dict[int, tuple[float, int, int, dict[str, dict[str, float]]]] = {}
    for item_id, rows in given.groupby("item_id"):
        total = weights = 0.0
        statistics = {}
        for key, spec in criteria.iterrows():
            answers = rows.loc[rows["criterion"] == key]
            values = answers["value"].dropna()
            statistics[str(key)] = {
                "n": len(values),
                "n_cant_judge": int(answers["cant_judge"].sum()),
                "mean": values.mean(),
                "median": values.median(),
                "sd": values.std(ddof=1),
                "q1": values.quantile(0.25),
                "q3": values.quantile(0.75),
            }
            share = (values.mean() - spec["scale_min"]) / (spec["scale_max"] - spec["scale_min"])
            total += spec["weight"] * (1 - share if spec["direction"] == "lower" else share)
            weights += spec["weight"]
        raters = rows.loc[rows["value"].notna(), "participant"].nunique()
        given_dots = int(dots.loc[dots["item_id"] == item_id, "count"].sum())
        found[int(item_id)] = (total / weights, given_dots, raters, statistics)
    keys = {item_id: figures[:3] for item_id, figures in found.items()}
    # Competition ranks: one more than the number of items strictly ahead on (score, dots, raters).
    return {
        item_id: Recomputed(
            score, count, raters, 1 + sum(keys[other] > keys[item_id] for other in keys), statistics
        )
        for item_id, (score, count, raters, statistics) in found.items()
    }


def test_results_recomputed_from_the_csv_export_with_pandas_match(
    client: TestClient, db: Database, rated: Rated
) -> None:
    headers = owner_headers(db, rated)

    def table(name: str) -> pd.DataFrame:
        response = client.get(
            f"/api/v1/workshops/{rated.workshop.code}/export",
            params={"format": "csv", "table": name},
            headers=headers,
        )
        assert response.status_code == 200, response.text
        return pd.read_csv(io.BytesIO(response.content), keep_default_na=False, na_values=[""])

    given, criteria, dots = table("ratings"), table("criteria").set_index("criterion"), table("dots")
    computed = recomputed(given[given["in_results"]], criteria, dots[dots["in_results"]])
    results = results_of(client, db, rated)

    order = sorted(computed, key=lambda i: (-computed[i].score, -computed[i].dots, -computed[i].raters))
    assert [item["item_id"] for item in results["items"]] == order
    for item in results["items"]:
        mine = computed[item["item_id"]]
        assert item["score"] == pytest.approx(mine.score, abs=1e-9)
        assert (item["dots"], item["raters"], item["rank"]) == (mine.dots, mine.raters, mine.rank)
        for key, statistics in mine.criteria.items():
            for name, value in statistics.items():
                assert item["criteria"][key][name] == pytest.approx(value, abs=1e-9), (key, name)
    assert len(CRITERIA) == len(criteria)
