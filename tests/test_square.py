"""The results square on the screen: the first two criteria, and no marker hiding another."""

from __future__ import annotations

import itertools
import math

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from backcast.db import Database
from backcast.enums import Phase
from backcast.queries.results_view import POINT_RADIUS, SQUARE_HEIGHT, SQUARE_WIDTH, Point, spread
from backcast.services import items, ratings, workshops
from tests import factories


def test_markers_on_the_same_spot_are_moved_apart_and_the_best_ranked_stays() -> None:
    points = spread([Point(rank, f"measure {rank}", 50.0, 50.0) for rank in (3, 1, 2, 2, 5, 4)])
    by_rank = sorted(points, key=lambda p: (p.rank, p.text))
    assert (by_rank[0].px, by_rank[0].py, by_rank[0].moved) == (250.0, 220.0, False)
    assert all(p.moved for p in by_rank[1:])
    for a, b in itertools.combinations(points, 2):
        assert math.hypot(a.px - b.px, a.py - b.py) >= 2 * POINT_RADIUS
    for p in points:
        assert POINT_RADIUS <= p.px <= SQUARE_WIDTH - POINT_RADIUS
        assert POINT_RADIUS <= p.py <= SQUARE_HEIGHT - POINT_RADIUS


def test_markers_in_a_corner_stay_inside_and_apart() -> None:
    points = spread([Point(rank, "x", 100.0, 100.0) for rank in range(1, 9)])
    assert (points[0].px, points[0].py) == (500.0, 0.0)  # the true corner, drawn as it is
    for a, b in itertools.combinations(points, 2):
        assert math.hypot(a.px - b.px, a.py - b.py) >= 2 * POINT_RADIUS


def test_markers_far_apart_are_not_moved() -> None:
    points = spread([Point(1, "a", 10.0, 10.0), Point(2, "b", 90.0, 90.0)])
    assert [(p.px, p.py, p.moved) for p in points] == [(50.0, 396.0, False), (450.0, 44.0, False)]


def test_the_screen_draws_the_first_two_criteria_and_leads_back_to_moved_markers(
    client: TestClient, db: Database
) -> None:
    tree = factories.tree(db)
    factories.phase(db, tree.workshop, Phase.rating)
    people = [factories.join(db, tree.workshop)[0] for _ in range(3)]
    for person in people:
        for measure in tree.measures:  # both measures rated alike: one spot
            ratings.rate_item(db, person, measure.id, {"impact": 4, "feasibility": 2, "urgency": 3})
    workshops.set_results_visible(db, tree.owner, tree.workshop.code, True)
    factories.phase(db, tree.workshop, Phase.results)
    page = BeautifulSoup(client.get(f"/w/{tree.workshop.code}/screen").text, "html.parser")
    square = page.select_one("svg.quadrant")
    assert square["aria-label"] == "Impact × Feasibility"
    markers = square.select(".point circle")
    assert len(markers) == 2
    assert len({(m["cx"], m["cy"]) for m in markers}) == 2
    leader = square.select_one("line.leader")
    assert (leader["x1"], leader["y1"]) == ("125.0", "110.0")  # feasibility 2 of 1–5, impact 4 of 1–5
    assert [t.get_text() for t in square.select(".point title")] == [
        "1. Start a materials exchange",
        "1. Train waste officers in SMEs",
    ]
    assert items.link_targets(db, tree.measures[0]) == [tree.need.id]


def test_each_ranked_measure_shows_where_the_middle_half_of_the_answers_lie(
    client: TestClient, db: Database
) -> None:
    tree = factories.tree(db)
    factories.phase(db, tree.workshop, Phase.rating)
    for impact, urgency in ((2, 5), (3, 4), (4, 1)):
        person, _ = factories.join(db, tree.workshop)
        ratings.rate_item(db, person, tree.measures[0].id, {"impact": impact, "urgency": urgency})
    workshops.set_results_visible(db, tree.owner, tree.workshop.code, True)
    factories.phase(db, tree.workshop, Phase.results)
    page = BeautifulSoup(client.get(f"/w/{tree.workshop.code}/screen").text, "html.parser")
    row = page.select_one(".ranking li")
    lines = [(line["x1"], line["x2"]) for line in row.select("line.spread")]
    # impact 2, 3, 4 → Q1 2.5, Q3 3.5 → 37.5–62.5; urgency 1, 4, 5 → Q1 2.5, Q3 4.5 → 37.5–87.5
    assert lines == [("37.5", "62.5"), ("37.5", "87.5")]
    assert row.select_one("svg.bar title").get_text() == (
        "Impact: middle half of the answers 2.5–3.5; Urgency: middle half of the answers 2.5–4.5"
    )
