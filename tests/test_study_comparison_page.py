"""The study page compares its workshops: side by side, the theme heat map with its numbers and a
table of the same figures, the robust and region-specific themes and the rule, in both languages."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from backcast.db import Database
from tests import factories
from tests.study_scenario import small_study
from tests.test_coding import bearer
from tests.test_console import sign_in


def test_the_study_page_shows_the_comparison_in_both_languages(client: TestClient, db: Database) -> None:
    """Runs on SQLite and PostgreSQL."""
    s = small_study(db)
    sign_in(client, s.researcher.email)
    page = client.get(f"/studies/{s.study.id}", headers={"Accept-Language": "en"})
    assert page.status_code == 200, page.text
    html = page.text
    assert 'id="comparison"' in html and "Workshops side by side" in html
    heat = html[html.index('<svg class="heatmap"') : html.index("</svg>")]
    # Energy in Bremen: score 75.0, two contributions coded, 67% of the dots, framed as top third.
    assert re.search(r">75\.0</text>", heat) and re.search(r">2 · 67%</text>", heat)
    assert heat.count('stroke-width="3"') == 3  # Bremen's energy; Oldenburg's energy and housing
    assert 'role="img"' in heat and "Energy ●" in heat and "Housing ◆" in heat
    table = html[html.index('id="theme-table"') :]
    assert "Rank 1 (top third)" in table and "measures: 2" in table
    verdicts = html[html.index('id="verdicts"') : html.index('id="theme-rule"')]
    assert "Energy" in verdicts and "Housing" in verdicts and "Mobility" not in verdicts
    assert "at least 2 scored measures" in html

    german = client.get(f"/studies/{s.study.id}", headers={"Accept-Language": "de"}).text
    assert "Vergleich" in german and "Robuste Themen" in german and ">75,0</text>" in german
    assert "Energie ●" in german and "mindestens 2 Maßnahmen" in german


def test_a_stranger_sees_no_comparison(client: TestClient, db: Database) -> None:
    s = small_study(db)
    sign_in(client, factories.facilitator(db).email)
    page = client.get(f"/studies/{s.study.id}")
    assert page.status_code in (403, 404) and "heatmap" not in page.text


def test_the_api_gives_the_page_s_figures_to_members_only(client: TestClient, db: Database) -> None:
    s = small_study(db)
    url = f"/api/v1/studies/{s.study.id}/results"
    answer = client.get(url, headers=bearer(db, s.researcher.email))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    energy = body["themes"][0]
    assert (energy["key"], energy["verdict"]) == ("energy", "robust")
    assert [cell["mean_score"] for cell in energy["cells"]] == [0.75, 0.625]
    assert [theme["verdict"] for theme in body["themes"]] == ["robust", None, None, "specific"]
    assert body["workshops"][0]["groups"] == [
        {"key": "sme", "participants": 1},
        {"key": "research", "participants": 1},
    ]
    stranger = client.get(url, headers=bearer(db, factories.facilitator(db).email))
    assert stranger.status_code == 403 and stranger.headers["content-type"].startswith(
        "application/problem+json"
    )
    schema = client.app.openapi()  # type: ignore[attr-defined]
    assert "StudyResultsOut" in schema["components"]["schemas"]
    assert "/api/v1/studies/{study_id}/results" in schema["paths"]


def test_the_printable_study_report_in_one_and_in_both_languages(client: TestClient, db: Database) -> None:
    s = small_study(db)
    sign_in(client, s.researcher.email)
    page = client.get(f"/studies/{s.study.id}", headers={"Accept-Language": "en"}).text
    assert f'href="/studies/{s.study.id}/report"' in page
    english = client.get(f"/studies/{s.study.id}/report", headers={"Accept-Language": "en"})
    assert english.status_code == 200, english.text
    assert "Backcasting study report" in english.text and '<svg class="heatmap"' in english.text
    assert '<details id="theme-table" open>' in english.text and "Studienbericht" not in english.text
    both = client.get(f"/studies/{s.study.id}/report?both=1", headers={"Accept-Language": "en"}).text
    assert "Backcasting-Studienbericht" in both and "Wie Themen verglichen werden" in both
    assert "Ein Thema bekommt in einem Workshop einen Rang" in both
    sign_in(client, factories.facilitator(db).email)
    assert client.get(f"/studies/{s.study.id}/report").status_code == 403
