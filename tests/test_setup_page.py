"""The set-up page: the whole set-up in one form that works without JavaScript."""

from __future__ import annotations

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from backcast.db import Database
from backcast.enums import Phase
from backcast.services import configuration, ratings
from tests import factories
from tests.test_console import sign_in


def form_data(page: BeautifulSoup) -> dict[str, str | list[str]]:
    """What the browser would post: every named field as it stands."""
    data: dict[str, str | list[str]] = {}
    form = page.select_one("form.setup-form")
    for field in form.select("input[name], textarea[name], select[name]"):
        name = field["name"]
        if field.name == "textarea":
            data[name] = field.get_text()
        elif field.name == "select":
            chosen = field.select_one("option[selected]") or field.select_one("option")
            data[name] = chosen["value"]
        elif field.get("type") == "checkbox":
            if field.has_attr("checked"):
                data.setdefault(name, [])
                data[name].append(field["value"])  # type: ignore[union-attr]
        else:
            data[name] = field.get("value", "")
    return data


def criterion_labels(page: BeautifulSoup) -> list[str]:
    return [field["value"] for field in page.select("input[name^='criteria-'][name$='-label']")]


def open_setup(client: TestClient, db: Database) -> tuple[factories.Tree, BeautifulSoup]:
    tree = factories.tree(db)
    sign_in(client, tree.owner.email)
    response = client.get(f"/facilitate/{tree.workshop.code}/setup")
    assert response.status_code == 200
    return tree, BeautifulSoup(response.text, "html.parser")


def test_the_page_shows_the_set_up_and_row_buttons_rearrange_it_unsaved(
    client: TestClient, db: Database
) -> None:
    tree, page = open_setup(client, db)
    assert page.select_one("#title")["value"] == tree.workshop.title
    assert page.select_one("#milestone_years")["value"] == "2030, 2035, 2040"
    assert criterion_labels(page) == ["Impact", "Feasibility", "Urgency"]

    data = form_data(page)
    moved = client.post(f"/facilitate/{tree.workshop.code}/setup", data={**data, "action": "down-criteria-0"})
    moved_page = BeautifulSoup(moved.text, "html.parser")
    assert criterion_labels(moved_page) == ["Feasibility", "Impact", "Urgency"]
    assert moved_page.select_one("[role=status]").get_text() == (
        "Not saved yet: save the set-up to keep these changes."
    )
    added = client.post(
        f"/facilitate/{tree.workshop.code}/setup", data={**form_data(moved_page), "action": "add-criteria"}
    )
    added_page = BeautifulSoup(added.text, "html.parser")
    assert criterion_labels(added_page) == ["Feasibility", "Impact", "Urgency", ""]
    # Nothing is saved until "Save".
    assert [c.label for c in configuration.current_setup(db, tree.owner, tree.workshop.code).criteria] == [
        "Impact",
        "Feasibility",
        "Urgency",
    ]

    data = form_data(added_page)
    data.update({"criteria-3-label": "Kosten", "criteria-3-direction": "lower", "criteria-3-scale_max": "7"})
    data.update({"action": "save", "title": "Neuer Titel", "milestone_years": "2040; 2030"})
    saved = client.post(f"/facilitate/{tree.workshop.code}/setup", data=data)
    assert saved.url.path == f"/facilitate/{tree.workshop.code}/setup" and saved.url.query == b"saved=1"
    saved_page = BeautifulSoup(saved.text, "html.parser")
    assert saved_page.select_one("[role=status]").get_text() == "The set-up is saved."
    setup = configuration.current_setup(db, tree.owner, tree.workshop.code)
    assert (setup.title, setup.milestone_years) == ("Neuer Titel", [2030, 2040])
    assert [(c.key, c.label, c.scale_max, c.direction) for c in setup.criteria] == [
        ("feasibility", "Feasibility", 5, "higher"),
        ("impact", "Impact", 5, "higher"),
        ("urgency", "Urgency", 5, "higher"),
        ("kosten", "Kosten", 7, "lower"),
    ]


def test_a_refused_change_keeps_what_was_typed_and_says_why(client: TestClient, db: Database) -> None:
    tree, page = open_setup(client, db)
    factories.phase(db, tree.workshop, Phase.rating)
    person, _ = factories.join(db, tree.workshop)
    ratings.rate_item(db, person, tree.measures[0].id, {"impact": 3})

    page = BeautifulSoup(client.get(f"/facilitate/{tree.workshop.code}/setup").text, "html.parser")
    impact_key = page.select_one("input[name='criteria-0-key']")
    assert impact_key.has_attr("readonly")
    assert page.select_one("button[value='remove-criteria-0']").has_attr("disabled")
    assert not page.select_one("button[value='remove-criteria-1']").has_attr("disabled")

    data = {**form_data(page), "criteria-0-scale_max": "10", "title": "Typed title", "action": "save"}
    refused = client.post(f"/facilitate/{tree.workshop.code}/setup", data=data)
    assert refused.status_code == 422
    refused_page = BeautifulSoup(refused.text, "html.parser")
    assert refused_page.select_one("[role=alert]").get_text() == (
        "The scale of “Impact” cannot change: 1 rating uses it."
    )
    assert refused_page.select_one("#title")["value"] == "Typed title"
    assert configuration.current_setup(db, tree.owner, tree.workshop.code).title == tree.workshop.title

    for bad, message in [
        ({"vision_year": "soon"}, "This must be a whole number."),
        ({"milestone_years": "2030, later"}, "This must be a whole number."),
        ({"criteria-1-weight": "heavy"}, "The weight must be a number from 0 to 100."),
        ({"title": ""}, "This cannot be empty."),
    ]:
        response = client.post(
            f"/facilitate/{tree.workshop.code}/setup", data={**form_data(page), **bad, "action": "save"}
        )
        assert response.status_code == 422
        assert BeautifulSoup(response.text, "html.parser").select_one("[role=alert]").get_text() == message


def test_only_owners_reach_the_set_up(client: TestClient, db: Database) -> None:
    tree = factories.tree(db)
    stranger = client.get(f"/facilitate/{tree.workshop.code}/setup", follow_redirects=False)
    assert stranger.status_code == 303
    factories.facilitator(db, "bob@example.org")
    sign_in(client, "bob@example.org")
    assert client.get(f"/facilitate/{tree.workshop.code}/setup").status_code == 403
    assert (
        client.post(
            f"/facilitate/{tree.workshop.code}/setup", data={"title": "Mine", "action": "save"}
        ).status_code
        == 403
    )
    assert client.get("/facilitate/ZZZZZZ/setup").status_code == 403  # as for a code not mine
