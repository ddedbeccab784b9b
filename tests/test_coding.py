"""Coding a study's contributions with its themes: two coders code on their own, see their
agreement (Cohen's kappa per theme and overall, with n), and settle the differences; the settled
coding is what the study's results use."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import select

from backcast.db import Database
from backcast.models import Facilitator, Item, Study, StudyCoding, StudyEvent, StudyTheme, Workshop
from backcast.services import accounts, coding, items, studies
from backcast.services.errors import Conflict, Invalid, NotAllowed
from tests import factories
from tests.test_console import sign_in


def bearer(db: Database, email: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {accounts.issue_api_token(db, email)}"}


@dataclass
class Coded:
    """A study with two workshops, three themes, a researcher and a facilitator as its coders."""

    study: Study
    ana: Facilitator
    rita: Facilitator
    bremen: Workshop
    oldenburg: Workshop
    themes: list[StudyTheme]
    items: list[Item]


def coded_study(db: Database) -> Coded:
    ana, rita = factories.facilitator(db), factories.facilitator(db)
    study = studies.create_study(
        db,
        ana,
        title="Nordwest",
        themes=[
            studies.ThemeSpec(label_de="Logistik", label_en="Logistics"),
            studies.ThemeSpec(label_de="Energie", label_en="Energy"),
        ],
    )
    studies.add_member(db, ana, study.id, rita.email, "researcher")
    # A researcher adds a theme while coding.
    studies.add_theme(db, rita, study.id, studies.ThemeSpec(label_de="Bildung", label_en="Education"))
    bremen = studies.create_workshop_in_study(db, ana, study.id, title="Bremen")
    oldenburg = studies.create_workshop_in_study(db, ana, study.id, title="Oldenburg")
    texts = ["Lastenräder für alle", "Solardächer", "Reparaturschulen", "Hafen als Drehscheibe"]
    made = [
        items.add_item(db, ana, shop.code, kind="milestone", text=text, year=2040)
        for shop in (bremen, oldenburg)
        for text in texts
    ]
    themes = studies.study_view(db, ana, study.id).themes
    return Coded(study, ana, rita, bremen, oldenburg, themes, made)


def test_kappa_of_the_textbook_example_and_of_a_hand_computed_one() -> None:
    # The classic 50-proposal example: 20 both yes, 5 only A, 10 only B, 15 both no.
    # p_o = 35/50 = 0.7; p_e = 0.5·0.6 + 0.5·0.4 = 0.5; kappa = (0.7 − 0.5)/(1 − 0.5) = 0.4.
    pairs = [(True, True)] * 20 + [(True, False)] * 5 + [(False, True)] * 10 + [(False, False)] * 15
    textbook = coding.cohen_kappa(pairs)
    # By hand, 4 items: A yes yes no no, B yes no no no: p_o = 3/4, p_a = 1/2, p_b = 1/4,
    # p_e = 1/2·1/4 + 1/2·3/4 = 1/2, kappa = (3/4 − 1/2)/(1/2) = 1/2.
    small = coding.cohen_kappa([(True, True), (True, False), (False, False), (False, False)])
    same = coding.cohen_kappa([(False, False)] * 3)
    # Agreement exactly at chance: p_o = p_e = 2/3 (float noise must not make it -0.00: 1 − 1/3 ≠ 2/3).
    chance = coding.cohen_kappa([(False, False), (False, False), (False, True)])

    assert (textbook.n, textbook.observed, textbook.expected) == (50, 0.7, 0.5)
    assert textbook.kappa == pytest.approx(0.4, abs=1e-12)
    assert small.kappa == pytest.approx(0.5, abs=1e-12)
    assert (same.n, same.observed, same.kappa) == (3, 1.0, None)
    assert chance.kappa == 0.0 and str(chance.kappa) == "0.0"


def test_two_coders_code_independently_see_their_agreement_and_settle(db: Database) -> None:
    """Runs on SQLite and PostgreSQL."""
    s = coded_study(db)
    logistics, energy, education = (t.id for t in s.themes)
    # Four items both code; an item only Rita codes does not count.
    ana_codes = [[logistics], [energy], [education, logistics], []]
    rita_codes = [[logistics], [energy, logistics], [education], []]
    for item, a, r in zip(s.items, ana_codes, rita_codes, strict=False):
        coding.code_item(db, s.ana, s.study.id, item.id, a)
        coding.code_item(db, s.rita, s.study.id, item.id, r)
    coding.code_item(db, s.rita, s.study.id, s.items[5].id, [energy])
    # Coding again replaces the coder's own coding.
    coding.code_item(db, s.ana, s.study.id, s.items[3].id, [energy])
    coding.code_item(db, s.ana, s.study.id, s.items[3].id, [])

    found = coding.agreement(db, s.rita, s.study.id)
    by_key = {t.theme.key: t.kappa for t in found.themes}
    # logistics: A yes,no,yes,no / R yes,yes,no,no → p_o 1/2, p_e 1/2 → 0.
    # energy: A no,yes,no,no / R no,yes,no,no → 1. education: A no,no,yes,no / R same → 1.
    assert found.items == 4
    assert {k: (v.n, v.kappa) for k, v in by_key.items()} == {
        "logistics": (4, 0.0),
        "energy": (4, 1.0),
        "education": (4, 1.0),
    }
    assert found.mean_kappa == pytest.approx(2 / 3)
    assert found.differing == [s.items[1].id, s.items[2].id]
    # Pooled over 12 decisions: 3 both yes, 1 only A, 1 only R, 7 neither:
    # p_o = 10/12, p_yes = 4/12 each, p_e = (16 + 64)/144 → kappa = (120 − 80)/(144 − 80) = 5/8.
    assert (found.pooled.n, found.pooled.both, found.pooled.neither) == (12, 3, 7)
    assert found.pooled.kappa == pytest.approx(5 / 8)

    assert coding.settled_themes(db, s.study.id) == {}
    same = coding.agreement(db, s.ana, s.study.id, s.rita.id, s.rita.id)
    assert (same.coder_a, same.coder_b) == (s.rita, s.ana) and same.items == 4
    coding.settle_item(db, s.ana, s.study.id, s.items[1].id, [energy])
    coding.settle_item(db, s.rita, s.study.id, s.items[2].id, [education, logistics])
    coding.settle_item(db, s.rita, s.study.id, s.items[1].id, [energy, logistics])  # replaces

    assert coding.settled_themes(db, s.study.id) == {
        s.items[1].id: {energy, logistics},
        s.items[2].id: {education, logistics},
    }
    with db.read() as session:
        rows = session.exec(
            select(StudyCoding).where(StudyCoding.item_id == s.items[0].id).order_by(StudyCoding.coder_id)
        ).all()
        kinds = [e.type for e in session.exec(select(StudyEvent).where(StudyEvent.study_id == s.study.id))]
    assert [(r.theme_id, r.coder_id, r.settled) for r in rows] == [
        (logistics, s.ana.id, False),
        (logistics, s.rita.id, False),
    ]
    assert all(r.coded_at is not None for r in rows)
    assert kinds.count("item-coded") == 8 + 1 + 2 + 3
    assert kinds.count("study-theme-added") == 1


def test_coding_refusals_change_nothing(sqlite_db: Database) -> None:
    db = sqlite_db
    s = coded_study(db)
    other = studies.create_study(
        db, s.ana, title="Andere", themes=[studies.ThemeSpec(label_de="Fremd", label_en="Foreign")]
    )
    foreign_theme = studies.study_view(db, s.ana, other.id).themes[0]
    stranger = factories.facilitator(db)
    outside = factories.workshop(db, s.ana)
    outside_item = items.add_item(db, s.ana, outside.code, kind="milestone", text="Anderswo", year=2040)
    before = coding.settled_themes(db, s.study.id), factories.event_count(db, s.bremen)

    with pytest.raises(Conflict) as theme_of_other_study:
        coding.code_item(db, s.rita, s.study.id, s.items[0].id, [foreign_theme.id])
    with pytest.raises(Conflict) as item_outside:
        coding.code_item(db, s.rita, s.study.id, outside_item.id, [s.themes[0].id])
    with pytest.raises(NotAllowed):
        coding.code_item(db, stranger, s.study.id, s.items[0].id, [s.themes[0].id])
    with pytest.raises(Invalid):
        coding.code_item(db, s.rita, s.study.id, s.items[0].id, ["1"])
    with pytest.raises(Invalid) as empty:
        studies.add_theme(db, s.rita, s.study.id, studies.ThemeSpec(label_de="  ", label_en=""))
    with pytest.raises(Invalid) as too_long:
        studies.add_theme(db, s.rita, s.study.id, studies.ThemeSpec(label_de="x" * 101))
    with pytest.raises(NotAllowed):
        studies.add_theme(db, stranger, s.study.id, studies.ThemeSpec(label_de="Fremd"))

    assert "not one of this study's themes" in str(theme_of_other_study.value.message)
    assert "not in a workshop of this study" in str(item_outside.value.message)
    assert "label" in str(empty.value.message)
    assert too_long.value.field == "themes.0.label_de"
    assert (coding.settled_themes(db, s.study.id), factories.event_count(db, s.bremen)) == before
    with db.read() as session:
        assert session.exec(select(StudyCoding)).all() == []
    assert len(studies.study_view(db, s.ana, s.study.id).themes) == 3


def test_through_the_api_members_add_themes_code_items_and_read_the_agreement(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    db, client = sqlite_db, sqlite_client
    s = coded_study(db)
    ana_api, rita_api = bearer(db, s.ana.email), bearer(db, s.rita.email)
    st = s.study.id

    added = client.post(
        f"/api/v1/studies/{st}/themes", headers=rita_api, json={"label_de": "Wasser", "label_en": "Water"}
    )
    listed = client.get(f"/api/v1/studies/{st}/themes", headers=ana_api)
    water = added.json()["id"]
    first, second = s.items[0].id, s.items[1].id
    coded = [
        client.put(f"/api/v1/items/{first}/themes", headers=ana_api, json={"themes": [water]}),
        client.put(f"/api/v1/items/{first}/themes", headers=rita_api, json={"themes": [water]}),
        client.put(f"/api/v1/items/{second}/themes", headers=ana_api, json={"themes": []}),
        client.put(f"/api/v1/items/{second}/themes", headers=rita_api, json={"themes": [water]}),
    ]
    figures = client.get(f"/api/v1/studies/{st}/agreement", headers=rita_api)

    assert (added.status_code, added.json()["key"]) == (201, "water")
    assert [t["key"] for t in listed.json()] == ["logistics", "energy", "education", "water"]
    assert [r.status_code for r in coded] == [200] * 4
    assert coded[0].json() == {"item": first, "study": st, "themes": [water]}
    body = figures.json()
    water_figures = next(t["agreement"] for t in body["themes"] if t["theme"]["key"] == "water")
    # Water: both yes on the first, only Rita on the second: p_o 1/2, p_e = 1/2·1 + 1/2·0 = 1/2 → 0.
    assert (body["items"], water_figures["n"], water_figures["kappa"]) == (2, 2, 0.0)
    assert body["differing"] == [second]
    assert "mean of the per-theme kappas" in body["rule"]


def test_api_refusals_are_problem_documents_and_change_nothing(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    db, client = sqlite_db, sqlite_client
    s = coded_study(db)
    other = studies.create_study(db, s.ana, title="Andere", themes=[studies.ThemeSpec(label_de="Fremd")])
    foreign = studies.study_view(db, s.ana, other.id).themes[0].id
    stranger_api = bearer(db, factories.facilitator(db).email)
    rita_api = bearer(db, s.rita.email)
    loose = factories.workshop(db, s.ana)
    loose_item = items.add_item(db, s.ana, loose.code, kind="milestone", text="Lose", year=2040)
    item = s.items[0].id

    answers = [
        client.put(f"/api/v1/items/{item}/themes", headers=rita_api, json={"themes": [foreign]}),
        client.put(f"/api/v1/items/{item}/themes", headers=rita_api, json={"themes": ["1"]}),
        client.put(f"/api/v1/items/{item}/themes", headers=stranger_api, json={"themes": []}),
        client.put(f"/api/v1/items/{loose_item.id}/themes", headers=rita_api, json={"themes": []}),
        client.post(f"/api/v1/studies/{s.study.id}/themes", headers=rita_api, json={"label_de": ""}),
        client.post(f"/api/v1/studies/{s.study.id}/themes", headers=rita_api, json={"label_de": "x" * 101}),
        client.get(f"/api/v1/studies/{s.study.id}/agreement", headers=stranger_api),
    ]

    assert [(a.status_code, a.headers["content-type"]) for a in answers] == [
        (409, "application/problem+json"),
        (422, "application/problem+json"),
        (403, "application/problem+json"),
        (403, "application/problem+json"),
        (422, "application/problem+json"),
        (422, "application/problem+json"),
        (403, "application/problem+json"),
    ]
    assert "not one of this study's themes" in answers[0].json()["detail"]
    with db.read() as session:
        assert session.exec(select(StudyCoding)).all() == []
    assert len(studies.study_view(db, s.ana, s.study.id).themes) == 3


HTML = {"Accept": "text/html"}


def test_the_coding_page_codes_one_at_a_time_and_as_a_list_without_script(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    db, client = sqlite_db, sqlite_client
    s = coded_study(db)
    logistics, energy, _ = (t.id for t in s.themes)
    sign_in(client, s.rita.email)
    base = f"/studies/{s.study.id}/coding"

    first = client.get(f"{base}?workshop={s.oldenburg.code}&kind=milestone")
    saved = client.post(
        f"{base}/{s.items[4].id}",
        data={
            "theme": [str(logistics), str(energy)],
            "workshop": s.oldenburg.code,
            "kind": "milestone",
            "mode": "one",
            "at": "0",
            "advance": "1",
        },
        follow_redirects=False,
    )
    second = client.get(saved.headers["location"])
    as_list = client.get(f"{base}?mode=list&kind=need")
    listed = client.get(f"{base}?mode=list")
    refused = client.post(f"{base}/{s.items[0].id}", data={"theme": ["²"]}, headers=HTML)
    added = client.post(
        f"/studies/{s.study.id}/coding/themes",
        data={"label_de": "Wasser", "label_en": "Water", "mode": "list"},
        follow_redirects=False,
    )
    empty = client.post(f"/studies/{s.study.id}/coding/themes", data={"label_de": ""}, headers=HTML)
    in_advance = client.post(
        f"/studies/{s.study.id}/themes",
        data={"label_de": "Boden", "label_en": "Soil"},
        follow_redirects=False,
    )
    too_long = client.post(f"/studies/{s.study.id}/themes", data={"label_de": "x" * 101}, headers=HTML)
    german = client.get(base, headers={"Accept-Language": "de"})

    assert first.status_code == 200
    assert "Lastenräder für alle" in first.text and "Contribution 1 of 4" in first.text
    assert "Solardächer" not in first.text  # one at a time
    assert saved.status_code == 303
    assert "at=1" in saved.headers["location"] and f"workshop={s.oldenburg.code}" in saved.headers["location"]
    assert "Solardächer" in second.text and "Contribution 2 of 4" in second.text
    assert "1 of 4 contributions coded by you" in second.text
    assert "No contributions match these filters." in as_list.text
    assert listed.text.count('class="panel coding-item') == 8
    assert (refused.status_code, "not one of this study" in refused.text) == (422, True)
    assert (added.status_code, added.headers["location"]) == (303, base + "?mode=list")
    assert empty.status_code == 422 and "label in at least one language" in empty.text
    assert (in_advance.status_code, in_advance.headers["location"]) == (
        303,
        f"/studies/{s.study.id}#codebook",
    )
    assert too_long.status_code == 422 and 'value="xxxx' in too_long.text
    assert [t.key for t in studies.study_view(db, s.rita, s.study.id).themes][-2:] == ["water", "soil"]
    assert "Beiträge codieren" not in german.text and "Speichern und weiter" in german.text
    assert coding.items_to_code(db, s.rita, s.study.id)[4].mine == {logistics, energy}


def test_the_agreement_page_shows_kappa_with_n_and_settles_a_difference(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    db, client = sqlite_db, sqlite_client
    s = coded_study(db)
    logistics, energy, _ = (t.id for t in s.themes)
    for item, a, r in [(s.items[0], [logistics], [logistics]), (s.items[1], [energy], [energy, logistics])]:
        coding.code_item(db, s.ana, s.study.id, item.id, a)
        coding.code_item(db, s.rita, s.study.id, item.id, r)
    sign_in(client, s.rita.email)

    page = client.get(f"/studies/{s.study.id}/agreement")
    settled = client.post(
        f"/studies/{s.study.id}/settle/{s.items[1].id}",
        data={"theme": [str(energy)], "coder_a": str(s.ana.id), "coder_b": str(s.rita.id)},
        follow_redirects=False,
    )
    again = client.get(settled.headers["location"])

    assert page.status_code == 200
    assert "2 contributions coded by both." in page.text
    assert "Solardächer" in page.text and "Lastenräder für alle" not in page.text  # differences only
    assert "mean of the per-theme kappas" in page.text
    assert settled.status_code == 303
    assert coding.settled_themes(db, s.study.id) == {s.items[1].id: {energy}}
    assert "settled" in again.text

    # The contribution both coded alike is settled in one go; the settled difference stays.
    alike = client.post(
        f"/studies/{s.study.id}/settle-agreed",
        data={"coder_a": str(s.ana.id), "coder_b": str(s.rita.id)},
        follow_redirects=False,
    )
    same_twice = client.post(
        f"/studies/{s.study.id}/settle-agreed",
        data={"coder_a": str(s.ana.id), "coder_b": str(s.ana.id)},
        headers=HTML,
    )
    assert alike.status_code == 303
    assert coding.settled_themes(db, s.study.id) == {s.items[0].id: {logistics}, s.items[1].id: {energy}}
    assert same_twice.status_code == 422 and "two different coders" in same_twice.text


def test_the_german_coding_page_names_the_enter_key_as_a_german_keyboard_does(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    s = coded_study(sqlite_db)
    sign_in(sqlite_client, s.rita.email)
    page = sqlite_client.get(f"/studies/{s.study.id}/coding", headers={"Accept-Language": "de-DE,de;q=0.9"})
    hint = " ".join(BeautifulSoup(page.text, "html.parser").select_one(".keys").get_text().split())
    # "Eingabe" alone reads as "input"; the key is the "Eingabetaste".
    assert "Eingabetaste speichert" in hint
