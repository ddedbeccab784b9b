"""The study pages in the browser's terms (forms and parsed HTML): a facilitator creates a study,
a workshop in it and attaches another, adds a researcher; a misfit and the removal of the last
facilitator are refused on the page; the researcher reads the console but runs nothing."""

from __future__ import annotations

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from backcast.db import Database
from backcast.defaults import CriterionSpec
from backcast.services import studies
from tests import factories
from tests.test_console import sign_in

HTML = {"Accept": "text/html"}


def page(client: TestClient, path: str) -> BeautifulSoup:
    response = client.get(path, headers=HTML)
    assert response.status_code == 200, response.text
    return BeautifulSoup(response.text, "html.parser")


def alert(response: object) -> str:
    found = BeautifulSoup(response.text, "html.parser").select_one("[role=alert]")  # type: ignore[attr-defined]
    return found.get_text(strip=True) if found else ""


def test_a_facilitator_builds_a_study_in_the_browser(sqlite_client: TestClient, sqlite_db: Database) -> None:
    db, client = sqlite_db, sqlite_client
    ana, rita = factories.facilitator(db), factories.facilitator(db)
    loose = factories.workshop(db, ana, title="Oldenburg")
    misfit = factories.workshop(db, ana, title="Odd", criteria=[CriterionSpec(key="cost", label="Cost")])
    sign_in(client, ana.email)

    home = page(client, "/")
    created = client.post(
        "/studies",
        data={"title": "Nordwest", "description": "", "source": "template:generic"},
        follow_redirects=False,
    )
    study_url = created.headers["location"]
    in_study = client.post(
        f"{study_url}/workshops",
        data={
            "title": "Bremen",
            "language": "de",
            "region": "Bremen",
            "sector": "Ernährung",
            "held_on": "2027-03-04",
            "venue": "",
        },
        follow_redirects=False,
    )
    attached = client.post(
        f"{study_url}/attach", data={"code": loose.code, "region": "Oldenburg"}, follow_redirects=False
    )
    refused = client.post(f"{study_url}/attach", data={"code": misfit.code}, headers=HTML)
    member = client.post(
        f"{study_url}/members", data={"email": rita.email, "role": "researcher"}, follow_redirects=False
    )
    last = client.post(f"{study_url}/members/{ana.id}/remove", headers=HTML)
    delete = client.post(f"{study_url}/delete", headers=HTML)
    study = page(client, study_url)

    assert home.select_one('a[href="/studies"]') is not None
    assert [r.status_code for r in (created, in_study, attached, member)] == [303, 303, 303, 303]
    assert in_study.headers["location"].startswith("/facilitate/")
    assert (refused.status_code, alert(refused)) == (
        409,
        "Criterion 'impact' is in the study but not in this workshop.",
    )
    assert (last.status_code, alert(last)) == (
        409,
        "A study keeps at least one facilitator: add another before removing this one.",
    )
    assert (delete.status_code, alert(delete)) == (
        409,
        "This study holds 2 workshops. Detach them first: the workshops and their data stay.",
    )
    rows = [
        [td.get_text(strip=True) for td in tr.select("td")[:4]] for tr in study.select("#workshops tbody tr")
    ]
    assert [row[0] for row in rows] == ["Bremen", "Oldenburg"]
    assert [(row[2], row[3]) for row in rows] == [("Bremen", "Ernährung"), ("Oldenburg", "")]
    assert [li.span.get_text(" ", strip=True) for li in study.select("#members li")] == [
        f"{ana.email} (you) · Facilitator",
        f"{rita.email} · Researcher",
    ]
    assert [a.get_text(strip=True) for a in page(client, "/studies").select("#studies a")] == ["Nordwest"]


def test_a_researcher_reads_the_console_without_its_controls_and_cannot_change_the_phase(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    db, client = sqlite_db, sqlite_client
    ana, rita = factories.facilitator(db), factories.facilitator(db)
    study = studies.create_study(db, ana, title="Nordwest")
    shop = studies.create_workshop_in_study(db, ana, study.id, title="Bremen")
    studies.add_member(db, ana, study.id, rita.email, "researcher")
    sign_in(client, rita.email)

    console = page(client, f"/facilitate/{shop.code}")
    study_page = page(client, f"/studies/{study.id}")
    phase = client.post(f"/facilitate/{shop.code}/phase", data={"phase": "vision"}, headers=HTML)
    report = client.get(f"/facilitate/{shop.code}/report", headers=HTML)
    setup = client.get(f"/facilitate/{shop.code}/setup", headers=HTML)

    assert console.select_one("#read-only") is not None
    assert console.select_one(".console-read-only[sse-connect]") is not None  # live fragments' buttons hidden
    assert console.select('form[action$="/phase"]') == []
    assert study_page.select("form#create-workshop, form#add-member, form#edit-study") == []
    assert (phase.status_code, report.status_code, setup.status_code) == (403, 200, 403)
    assert factories.fresh(db, shop).phase == "lobby"


def test_the_study_page_reads_in_german(sqlite_client: TestClient, sqlite_db: Database) -> None:
    db, client = sqlite_db, sqlite_client
    ana = factories.facilitator(db)
    study = studies.create_study(db, ana, title="Nordwest", template_key="regional-circular-economy")
    sign_in(client, ana.email)

    german = BeautifulSoup(
        client.get(f"/studies/{study.id}", headers={**HTML, "Accept-Language": "de"}).text, "html.parser"
    )

    assert [h.get_text(strip=True) for h in german.select("main h2")] == [
        "Workshops",
        "Vergleich",
        "Mitglieder",
        "Codebuch",
        "Titel und Beschreibung",
    ]
    first = german.select_one("#codebook tbody tr")
    assert first is not None and first.select("td")[3].get_text(strip=True) == "höher"


def test_the_set_up_page_sets_a_study_workshops_region_sector_date_and_venue(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    db, client = sqlite_db, sqlite_client
    ana = factories.facilitator(db)
    study = studies.create_study(db, ana, title="Nordwest")
    shop = studies.create_workshop_in_study(db, ana, study.id, title="Bremen", language="de")
    loose = factories.workshop(db, ana, title="Alone")
    sign_in(client, ana.email)

    assert page(client, f"/facilitate/{loose.code}/setup").select_one("#study-details-form") is None
    form = page(client, f"/facilitate/{shop.code}/setup").select_one("#study-details-form")
    assert form is not None and form["action"] == f"/facilitate/{shop.code}/study-details"

    typed = {"region": "Bremen", "sector": "Ernährung", "held_on": "2026-05-04", "venue": "Rathaus"}
    saved = client.post(f"/facilitate/{shop.code}/study-details", data=typed, follow_redirects=False)
    assert saved.status_code == 303
    shown = page(client, saved.headers["location"])
    assert shown.select_one("#study-region")["value"] == "Bremen"  # type: ignore[index]
    assert shown.select_one("#study-held_on")["value"] == "2026-05-04"  # type: ignore[index]
    study_page = page(client, f"/studies/{study.id}").select_one("#workshops")
    assert study_page is not None and "Rathaus" in study_page.get_text()

    bad = client.post(
        f"/facilitate/{shop.code}/study-details",
        data={**typed, "held_on": "4.5.2026", "venue": "Hafen"},
        headers=HTML,
    )
    assert bad.status_code == 422
    assert "YYYY-MM-DD" in alert(bad) or "JJJJ-MM-TT" in alert(bad)
    retyped = BeautifulSoup(bad.text, "html.parser")
    assert retyped.select_one("#study-venue")["value"] == "Hafen"  # type: ignore[index]
    assert studies.study_view(db, ana, study.id).workshops[0].venue == "Rathaus"

    too_long = client.post(
        f"/facilitate/{shop.code}/study-details", data={**typed, "region": "x" * 101}, headers=HTML
    )
    assert too_long.status_code == 422 and alert(too_long)
    refused = client.post(f"/facilitate/{loose.code}/study-details", data=typed, headers=HTML)
    assert refused.status_code == 422 and "no study" in alert(refused)
