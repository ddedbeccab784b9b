"""Workshop templates: the built-in methods in both languages, a workshop run from each, and a
facilitator's own templates saved, exported and imported."""

from __future__ import annotations

import json
from typing import Any

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import select

from backcast import workshop_templates
from backcast.analysis.document import workshop_results
from backcast.db import Database
from backcast.enums import Language, Phase
from backcast.http.participant import cookie_name
from backcast.models import AccountEvent, Item, SavedTemplate
from backcast.services import configuration, items, ratings, templates, workshops
from backcast.services.errors import NotFound
from tests import factories
from tests.test_console import sign_in


def test_every_built_in_template_speaks_both_languages() -> None:
    assert [t.key for t in workshop_templates.built_ins()] == [
        "generic",
        "regional-circular-economy",
        "abcd",
        "quist-vergragt",
    ]
    for template in workshop_templates.built_ins():
        texts = [template.name, template.description, *template.prompts.values()]
        texts += [c.label for c in template.criteria] + [c.low_label for c in template.criteria]
        texts += [c.high_label for c in template.criteria] + [g.label for g in template.groups]
        for text in texts:
            assert set(text) == {Language.de, Language.en}, (template.key, text)
            assert all(value.strip() for value in text.values()), (template.key, text)
        assert template.prompts, template.key
        assert {"vision", "milestones", "needs", "measures"} <= set(template.prompts), template.key


def test_the_regional_template_has_the_method_s_groups_criteria_and_kinds_of_need() -> None:
    regional = workshop_templates.built_in("regional-circular-economy")
    assert [c.key for c in regional.criteria] == [
        "resource_effect",
        "sme_feasibility",
        "cost",
        "time_to_effect",
    ]
    assert [c.direction for c in regional.criteria] == ["higher", "higher", "lower", "lower"]
    assert [g.label["de"] for g in regional.groups][:6] == [
        "Kleines oder mittleres Unternehmen",
        "Großunternehmen",
        "Kammer oder Verband",
        "Öffentliche Verwaltung",
        "Forschung oder Bildung",
        "Zivilgesellschaft",
    ]
    needs = regional.prompts[Phase.needs]["en"]
    for kind in ("resources", "skills", "partners", "infrastructure", "rules", "data", "barriers"):
        assert kind in needs.lower()


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("key", workshop_templates.BUILT_IN)
def test_a_workshop_runs_from_each_template(db: Database, key: str, language: str) -> None:
    template = workshop_templates.built_in(key)
    owner = factories.facilitator(db)
    shop = workshops.create_workshop(
        db, owner, title="Run", template=template, language=language, present_year=2026
    )
    assert (shop.template, shop.vision_year) == (key, 2026 + template.years_ahead)
    setup = configuration.current_setup(db, owner, shop.code)
    assert [c.label for c in setup.criteria] == [c.label[language] for c in template.criteria]
    assert [g.label for g in setup.groups] == [g.label[language] for g in template.groups]
    assert setup.question == template.question.get(language, "")

    people = [
        factories.join(db, shop, group=template.groups[i % len(template.groups)].key)[0] for i in range(4)
    ]
    factories.phase(db, shop, Phase.milestones)
    milestone = items.add_item(
        db, people[0], shop.code, kind="milestone", text="Half way", year=setup.milestone_years[0]
    )
    factories.phase(db, shop, Phase.needs)
    need = items.add_item(db, people[1], shop.code, kind="need", text="Skills", links=[milestone.id])
    factories.phase(db, shop, Phase.measures)
    measures = [
        items.add_item(db, people[2], shop.code, kind="measure", text=text, links=[need.id])
        for text in ("Train people", "Share machines")
    ]
    factories.phase(db, shop, Phase.rating)
    for index, person in enumerate(people):
        for measure in measures:
            values = {
                c.key: c.scale_min + (index + measure.id) % (c.scale_max - c.scale_min + 1)
                for c in template.criteria
            }
            ratings.rate_item(db, person, measure.id, values)
    factories.phase(db, shop, Phase.prioritisation)
    ratings.set_dots(db, people[0], measures[1].id, 1)

    results = workshop_results(db, shop)
    ranked = results["items"]
    assert len(ranked) == 2
    assert {row["n_raters"] if "n_raters" in row else len(people) for row in ranked} == {len(people)}
    assert sorted(row["rank"] for row in ranked) in ([1, 2], [1, 1])


def test_the_phone_asks_the_template_s_prompt_in_the_reader_s_language(
    client: TestClient, db: Database
) -> None:
    owner = factories.facilitator(db)
    shop = workshops.create_workshop(
        db,
        owner,
        title="Nordwest",
        template=workshop_templates.built_in("regional-circular-economy"),
        language="de",
        present_year=2026,
        vision_year=2045,
    )
    factories.phase(db, shop, Phase.vision)
    _, token = factories.join(db, shop)
    client.cookies.set(cookie_name(shop.code), token)

    german = BeautifulSoup(client.get(f"/w/{shop.code}").text, "html.parser")
    assert german.select_one(".prompt").get_text() == (
        "Wir schreiben 2045. Materialien bleiben in unserer Region in Gebrauch: Produkte werden vor Ort "
        "repariert, geteilt, wiederaufbereitet und recycelt. Was sehen Sie in Ihrem Unternehmen, Ihrer "
        "Branche, Ihrer Region?"
    )
    client.cookies.set("backcast_lang", "en")
    english = BeautifulSoup(client.get(f"/w/{shop.code}").text, "html.parser")
    assert (
        english.select_one(".prompt").get_text().startswith("It is 2045. Materials in our region stay in use")
    )
    # The screen reads the room's language, not the phone's choice.
    client.cookies.delete("backcast_lang")
    screen = BeautifulSoup(client.get(f"/w/{shop.code}/screen").text, "html.parser")
    assert screen.select_one(".screen-prompt").get_text().startswith("Wir schreiben 2045.")


def test_a_prompt_left_empty_falls_back_to_the_built_in_one(client: TestClient, db: Database) -> None:
    tree = factories.tree(db)
    setup = configuration.current_setup(db, tree.owner, tree.workshop.code)
    configuration.configure_workshop(db, tree.owner, tree.workshop.code, setup.replace(prompts={}))
    factories.phase(db, tree.workshop, Phase.vision)
    _, token = factories.join(db, tree.workshop)
    client.cookies.set(cookie_name(tree.workshop.code), token)
    page = BeautifulSoup(client.get(f"/w/{tree.workshop.code}").text, "html.parser")
    assert (
        page.select_one(".prompt").get_text()
        == "Imagine 2045: our goal has been reached. Describe that future: what is different then?"
    )


def test_a_workshop_saved_as_a_template_creates_the_same_set_up(db: Database) -> None:
    tree = factories.tree(db)
    setup = configuration.current_setup(db, tree.owner, tree.workshop.code)
    custom = setup.replace(
        criteria=[
            *setup.criteria[:2],
            setup.criteria[0].__class__("cost", "Cost", scale_max=7, direction="lower"),
        ],
        prompts={"vision": {"en": "Picture {vision_year}."}},
        dot_budget=3,
    )
    configuration.configure_workshop(db, tree.owner, tree.workshop.code, custom)
    saved = templates.save_workshop_as_template(db, tree.owner, tree.workshop.code, "Unsere Region 2045")
    assert saved.key == "unsere-region-2045"

    again = workshops.create_workshop(
        db,
        tree.owner,
        title="Again",
        template=templates.find_template(db, tree.owner, saved.key),
        language="en",
    )
    copy = configuration.current_setup(db, tree.owner, again.code)
    assert (copy.criteria, copy.groups, copy.prompts, copy.dot_budget) == (
        custom.criteria,
        custom.groups,
        custom.prompts,
        3,
    )
    assert again.template == "unsere-region-2045"
    # Nobody else sees it.
    with pytest.raises(NotFound):
        templates.find_template(db, factories.facilitator(db), saved.key)


def test_export_then_import_round_trips_and_is_logged(client: TestClient, db: Database) -> None:
    factories.facilitator(db, "ana@example.org")
    sign_in(client, "ana@example.org")
    exported = client.get("/templates/abcd.json")
    assert exported.status_code == 200
    assert exported.headers["content-disposition"] == 'attachment; filename="backcast-template-abcd.json"'
    assert workshop_templates.parse(exported.content) == workshop_templates.built_in("abcd")

    body = json.loads(exported.content)
    body["name"]["en"] = "ABCD, our way"
    imported = client.post(
        "/templates/import", files={"file": ("abcd.json", json.dumps(body).encode(), "application/json")}
    )
    assert imported.status_code == 200
    page = BeautifulSoup(imported.text, "html.parser")
    assert page.select_one("[role=status]").get_text() == "The template “abcd-own” is saved."
    assert page.select_one("#template-abcd-own h2").get_text(" ", strip=True) == "ABCD, our way mine"

    # Importing the edited file again replaces the own copy instead of adding another.
    client.post(
        "/templates/import", files={"file": ("abcd.json", json.dumps(body).encode(), "application/json")}
    )
    with db.read() as session:
        assert len(session.exec(select(SavedTemplate)).all()) == 1
        logged = [
            (e.type, e.data["key"], e.data["replaced"])
            for e in session.exec(select(AccountEvent).where(AccountEvent.type == "template-saved"))
        ]
    assert logged == [("template-saved", "abcd-own", False), ("template-saved", "abcd-own", True)]

    created = client.post("/", data={"title": "Mit ABCD", "template": "abcd-own", "language": "en"})
    code = str(created.url).rsplit("/", 1)[-1]
    setup_page = BeautifulSoup(client.get(f"/facilitate/{code}/setup").text, "html.parser")
    assert [i["value"] for i in setup_page.select("input[name$='-key'][name^='criteria']")] == [
        "right_direction",
        "flexible_platform",
        "return",
    ]

    deleted = client.post("/templates/abcd-own/delete")
    assert deleted.status_code == 200
    assert client.get("/templates/abcd-own.json").status_code == 404


UNUSABLE = "This is not a usable template file: "
MINIMAL = {"format": "backcast-template", "key": "x", "name": {"en": "X"}}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Choose a template file to import."),
        (b"not json", f"{UNUSABLE}file: not JSON (Expecting value: line 1 column 1 (char 0))"),
        (b'{"name": "x"}', f'{UNUSABLE}format: not a template file: "format" must be "backcast-template"'),
        (
            json.dumps({**MINIMAL, "criteria": []}).encode(),
            f"{UNUSABLE}criteria: List should have at least 1 item after validation, not 0",
        ),
        (
            json.dumps(
                {
                    **MINIMAL,
                    "criteria": [{"key": "a", "label": {"en": "A"}}, {"key": "a", "label": {"en": "B"}}],
                    "groups": [{"key": "Bad Key", "label": {}}],
                }
            ).encode(),
            f"{UNUSABLE}criteria: Value error, each key may appear only once (2 more problems)",
        ),
        (b"{" + b" " * (256 * 1024) + b"}", f"{UNUSABLE}file: larger than 256 KB"),
    ],
)
def test_a_bad_template_file_is_refused_with_what_is_wrong(
    client: TestClient, db: Database, content: bytes, message: str
) -> None:
    factories.facilitator(db, "ana@example.org")
    sign_in(client, "ana@example.org")
    files = (
        {"file": ("t.json", content, "application/json")}
        if content
        else {"file": ("", b"", "application/json")}
    )
    refused = client.post("/templates/import", files=files)
    assert refused.status_code == 422
    assert BeautifulSoup(refused.text, "html.parser").select_one("[role=alert]").get_text() == message
    with db.read() as session:
        assert session.exec(select(SavedTemplate)).all() == []


def test_templates_need_a_login_and_are_one_facilitator_s_own(client: TestClient, db: Database) -> None:
    ana = factories.facilitator(db, "ana@example.org")
    tree_shop = factories.workshop(db, ana)
    templates.save_workshop_as_template(db, ana, tree_shop.code, "Ana's way")
    for path in ("/templates", "/templates/generic.json"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
    factories.facilitator(db, "bob@example.org")
    sign_in(client, "bob@example.org")
    assert client.get("/templates/ana-s-way.json").status_code == 404
    assert client.post("/templates/ana-s-way/delete").status_code == 404
    listed = BeautifulSoup(client.get("/templates").text, "html.parser")
    assert [li["id"] for li in listed.select(".template-list > li")] == [
        "template-generic",
        "template-regional-circular-economy",
        "template-abcd",
        "template-quist-vergragt",
    ]
    assert (
        client.post(f"/facilitate/{tree_shop.code}/save-template", data={"name": "Stolen"}).status_code == 403
    )


def test_creating_from_an_unknown_template_says_so(client: TestClient, db: Database) -> None:
    factories.facilitator(db, "ana@example.org")
    sign_in(client, "ana@example.org")
    refused = client.post("/", data={"title": "X", "template": "nope", "language": "en"})
    assert refused.status_code == 422
    assert BeautifulSoup(refused.text, "html.parser").select_one("[role=alert]").get_text() == (
        "There is no template with this name."
    )
    with db.read() as session:
        assert session.exec(select(Item)).all() == []


def test_imported_texts_meet_the_rules_of_typed_ones(client: TestClient, db: Database) -> None:
    factories.facilitator(db, "ana@example.org")
    sign_in(client, "ana@example.org")
    criteria = [{"key": "a", "label": {"en": "Impact\ufffe"}}]

    def send(**fields: object) -> Any:
        body = json.dumps({**MINIMAL, "criteria": criteria, **fields}).encode()
        return client.post("/templates/import", files={"file": ("t.json", body, "application/json")})

    refused = send(question={"en": "What \x00 now?"})
    assert refused.status_code == 422
    assert "This contains characters that cannot be shown." in refused.text
    imported = send(name={"en": "\u202eexe.txt"}, source="Quist\u202e 2006")
    assert imported.status_code == 200
    for path in ("/templates", "/"):
        page = client.get(path).text
        assert "\u202e" not in page and "\ufffe" not in page, path
        assert "exe.txt" in page, path
    saved = workshop_templates.parse(client.get("/templates/x.json").content)
    assert (saved.name, saved.source, saved.criteria[0].label) == (
        {"en": "exe.txt"},
        "Quist 2006",
        {"en": "Impact"},
    )
