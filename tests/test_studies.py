"""Studies: a series of workshops with one codebook. A facilitator creates a study from a
template or a workshop, creates workshops in it or attaches fitting ones (a misfit is refused
with the difference named), keeps the codebook while attached, and shares the study with
facilitators and researchers, whose access follows their membership at once."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from backcast.db import Database
from backcast.defaults import CriterionSpec
from backcast.models import EventRecord, Study, StudyEvent, StudyMember, Workshop
from backcast.services import accounts, configuration, studies, workshops
from backcast.services.errors import Conflict, Invalid, NotAllowed
from backcast.services.study_access import StudyDetails
from tests import factories


def bearer(db: Database, email: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {accounts.issue_api_token(db, email)}"}


def study_log(db: Database, study_id: int) -> list[tuple[int, str]]:
    with db.read() as session:
        rows = session.exec(
            select(StudyEvent).where(StudyEvent.study_id == study_id).order_by(StudyEvent.seq)
        )
        return [(row.seq, row.type) for row in rows]


def workshop_log(db: Database, shop: Workshop) -> list[str]:
    with db.read() as session:
        rows = session.exec(
            select(EventRecord).where(EventRecord.workshop_id == shop.id).order_by(EventRecord.seq)
        )
        return [row.type for row in rows]


def test_a_study_from_a_template_gives_its_workshops_the_codebook_in_their_language(db: Database) -> None:
    """Runs on SQLite and PostgreSQL: the study's rows, its log and the workshops' study column."""
    ana = factories.facilitator(db)
    study = studies.create_study(
        db,
        ana,
        title="Kreislauf im Nordwesten",
        template_key="regional-circular-economy",
        themes=[studies.ThemeSpec(label_de="Logistik", label_en="Logistics")],
    )
    german = studies.create_workshop_in_study(
        db, ana, study.id, title="Bremen", language="de", details=StudyDetails(region="Bremen", sector="food")
    )
    english = studies.create_workshop_in_study(db, ana, study.id, title="Wiesbaden", language="en")

    view = studies.study_view(db, ana, study.id)
    with db.read() as session:
        de_labels = [c.label for c in workshops.criteria_of(session, german.id)]  # type: ignore[arg-type]
        en_labels = [c.label for c in workshops.criteria_of(session, english.id)]  # type: ignore[arg-type]
    assert [w.code for w in view.workshops] == [german.code, english.code]
    assert [(w.region, w.sector, w.study_id) for w in view.workshops] == [
        ("Bremen", "food", study.id),
        ("", "", study.id),
    ]
    assert de_labels == [c.label["de"] for c in view.codebook.criteria]
    assert en_labels == [c.label["en"] for c in view.codebook.criteria]
    assert de_labels != en_labels
    assert [(t.key, t.label_de, t.label_en) for t in view.themes] == [("logistics", "Logistik", "Logistics")]
    assert study_log(db, study.id) == [  # type: ignore[arg-type]
        (1, "study-created"),
        (2, "study-member-added"),
        (3, "workshop-attached"),
        (4, "workshop-attached"),
    ]
    assert workshop_log(db, german)[-1] == "workshop-attached"


def test_a_study_from_a_workshop_takes_its_set_up_and_attaches_a_copy_but_not_a_misfit(
    sqlite_db: Database,
) -> None:
    db = sqlite_db
    ana = factories.facilitator(db)
    source = factories.workshop(db, ana)
    study = studies.create_study(db, ana, title="Series", from_workshop=source.code)
    fits = workshops.duplicate_workshop(db, ana, source.code)
    misfit = factories.workshop(
        db,
        ana,
        criteria=[
            CriterionSpec(key="impact", label="Impact", scale_max=7),
            CriterionSpec(key="feasibility", label="Feasibility"),
            CriterionSpec(key="urgency", label="Urgency"),
        ],
    )

    studies.attach_workshop(db, ana, study.id, fits.code, StudyDetails(region="Oldenburg"))
    with pytest.raises(Conflict) as refused:
        studies.attach_workshop(db, ana, study.id, misfit.code)

    assert str(refused.value) == "Criterion 'impact': scale 1–5 in the study, 1–7 in this workshop."
    assert [w.code for w in studies.workshops_in(db, ana, study.id)] == [fits.code]
    assert factories.fresh(db, misfit).study_id is None


def test_while_attached_a_set_up_change_that_breaks_comparison_is_refused_until_detached(
    sqlite_db: Database,
) -> None:
    db = sqlite_db
    ana = factories.facilitator(db)
    study = studies.create_study(db, ana, title="Series")
    shop = studies.create_workshop_in_study(db, ana, study.id, title="Bremen")
    setup = configuration.current_setup(db, ana, shop.code)
    cost_lower = [
        CriterionSpec(**{**c.__dict__, "direction": "lower"}) if i == 0 else c
        for i, c in enumerate(setup.criteria)
    ]
    relabelled = [CriterionSpec(**{**c.__dict__, "label": c.label + "!"}) for c in setup.criteria]

    with pytest.raises(Conflict) as refused:
        configuration.configure_workshop(db, ana, shop.code, setup.replace(criteria=cost_lower))
    with pytest.raises(Conflict) as group_refused:
        configuration.configure_workshop(db, ana, shop.code, setup.replace(groups=setup.groups[1:]))
    configuration.configure_workshop(db, ana, shop.code, setup.replace(criteria=relabelled))
    studies.detach_workshop(db, ana, shop.code)
    configuration.configure_workshop(db, ana, shop.code, setup.replace(criteria=cost_lower))

    key = setup.criteria[0].key
    assert str(refused.value) == f"Criterion '{key}': higher is better in the study, lower in this workshop."
    assert (
        str(group_refused.value) == f"Group '{setup.groups[0].key}' is in the study but not in this workshop."
    )
    assert workshop_log(db, shop)[-3:] == ["workshop-configured", "workshop-detached", "workshop-configured"]
    assert study_log(db, study.id)[-1] == (4, "workshop-detached")  # type: ignore[arg-type]


def test_a_researcher_reads_the_study_s_workshops_but_runs_none_and_loses_access_when_removed(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    db, client = sqlite_db, sqlite_client
    ana, rita = factories.facilitator(db), factories.facilitator(db)
    study = studies.create_study(db, ana, title="Series")
    shop = studies.create_workshop_in_study(db, ana, study.id, title="Bremen")
    studies.add_member(db, ana, study.id, rita.email, "researcher")
    rita_api = bearer(db, rita.email)

    reads = [
        client.get(f"/api/v1/workshops/{shop.code}", headers=rita_api).status_code,
        client.get(f"/api/v1/workshops/{shop.code}/results", headers=rita_api).status_code,
        client.get(f"/api/v1/workshops/{shop.code}/export?format=json", headers=rita_api).status_code,
        client.get(f"/api/v1/studies/{study.id}", headers=rita_api).status_code,
    ]
    phase = client.post(f"/api/v1/workshops/{shop.code}/phase", headers=rita_api, json={"phase": "vision"})
    studies.remove_member(db, ana, study.id, rita.id)
    after = client.get(f"/api/v1/workshops/{shop.code}", headers=rita_api)

    assert reads == [200, 200, 200, 200]
    assert (phase.status_code, phase.json()["code"]) == (403, "forbidden")
    assert after.status_code == 403
    assert factories.fresh(db, shop).phase == "lobby"


def test_a_facilitator_of_the_study_runs_its_workshops_and_one_of_another_study_sees_nothing(
    sqlite_db: Database,
) -> None:
    db = sqlite_db
    ana, fred, olga = factories.facilitator(db), factories.facilitator(db), factories.facilitator(db)
    study = studies.create_study(db, ana, title="Series")
    other = studies.create_study(db, olga, title="Another")
    shop = studies.create_workshop_in_study(db, ana, study.id, title="Bremen")
    studies.add_member(db, ana, study.id, fred.email, "facilitator")

    workshops.set_phase(db, fred, shop.code, "vision")
    with pytest.raises(NotAllowed):
        workshops.viewable_workshop(db, olga, shop.code)
    with pytest.raises(NotAllowed):
        studies.study_view(db, olga, study.id)
    with pytest.raises(NotAllowed):
        studies.create_workshop_in_study(db, olga, study.id, title="Sneaked in")

    assert factories.fresh(db, shop).phase == "vision"
    assert [w.title for w in studies.workshops_in(db, olga, other.id)] == []


def test_refusals_name_the_reason_and_change_nothing(sqlite_db: Database) -> None:
    db = sqlite_db
    ana, bo, rita = factories.facilitator(db), factories.facilitator(db), factories.facilitator(db)
    study = studies.create_study(db, ana, title="Series")
    studies.create_workshop_in_study(db, ana, study.id, title="Bremen")
    bos_workshop = factories.workshop(db, bo)
    studies.add_member(db, ana, study.id, rita.email, "researcher")
    with db.read() as session:
        before = (
            list(session.exec(select(Study.id, Study.title, Study.last_seq))),
            list(session.exec(select(StudyMember.facilitator_id, StudyMember.role))),
            list(session.exec(select(Workshop.code, Workshop.study_id))),
        )

    refusals: list[tuple[type[Exception], str]] = []
    attempts: list[Any] = [
        lambda: studies.create_study(db, ana, title="   "),
        lambda: studies.create_study(db, ana, title="x" * 201),
        lambda: studies.edit_study(db, ana, study.id, title=""),
        lambda: studies.attach_workshop(db, ana, study.id, bos_workshop.code),
        lambda: studies.create_workshop_in_study(db, rita, study.id, title="Mine"),
        lambda: studies.remove_member(db, ana, study.id, ana.id),
        lambda: studies.add_member(db, ana, study.id, ana.email, "researcher"),
        lambda: studies.add_member(db, ana, study.id, "nobody@example.org", "researcher"),
        lambda: studies.delete_study(db, ana, study.id),
    ]
    for attempt in attempts:
        try:
            attempt()
        except (Invalid, Conflict, NotAllowed) as error:
            refusals.append((type(error), str(error)))
    with db.read() as session:
        after = (
            list(session.exec(select(Study.id, Study.title, Study.last_seq))),
            list(session.exec(select(StudyMember.facilitator_id, StudyMember.role))),
            list(session.exec(select(Workshop.code, Workshop.study_id))),
        )

    assert refusals == [
        (Invalid, "This cannot be empty."),
        (Invalid, "This is too long: at most 200 characters, you wrote 201."),
        (Invalid, "This cannot be empty."),
        (NotAllowed, "Only the workshop's facilitators may do this."),
        (NotAllowed, "Researchers read a study's workshops; only its facilitators may change them."),
        (Conflict, "A study keeps at least one facilitator: add another before removing this one."),
        (Conflict, "A study keeps at least one facilitator: add another before removing this one."),
        (Conflict, "No facilitator account has this address. They first need an account on this server."),
        (Conflict, "This study holds 1 workshop. Detach it first: the workshop and its data stay."),
    ]
    assert after == before


def test_an_empty_study_is_deleted_and_its_codebook_saved_as_a_template(sqlite_db: Database) -> None:
    db = sqlite_db
    ana = factories.facilitator(db)
    study = studies.create_study(db, ana, title="Series", template_key="abcd")
    template = studies.save_codebook_as_template(db, ana, study.id, "Nordwest codebook")
    studies.delete_study(db, ana, study.id)

    assert template.key == "nordwest-codebook"
    assert [c.key for c in template.criteria] == [c.key for c in workshops_template("abcd").criteria]
    assert studies.studies_of(db, ana) == []


def workshops_template(key: str) -> Any:
    from backcast import workshop_templates

    return workshop_templates.built_in(key)


def test_through_the_api_a_study_gets_workshops_created_in_it_and_attached_and_members(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    db, client = sqlite_db, sqlite_client
    ana, rita = factories.facilitator(db), factories.facilitator(db)
    api = bearer(db, ana.email)
    loose = factories.workshop(db, ana)

    created = client.post("/api/v1/studies", headers=api, json={"title": "Nordwest"})
    study_id = created.json()["id"]
    in_study = client.post(
        "/api/v1/workshops",
        headers=api,
        json={"title": "Bremen", "study": study_id, "region": "Bremen", "held_on": "2027-03-04"},
    )
    attached = client.post(
        f"/api/v1/studies/{study_id}/workshops", headers=api, json={"code": loose.code, "region": "Oldenburg"}
    )
    new_in = client.post(
        f"/api/v1/studies/{study_id}/workshops", headers=api, json={"title": "Wiesbaden", "language": "en"}
    )
    member = client.post(
        f"/api/v1/studies/{study_id}/members", headers=api, json={"email": rita.email, "role": "researcher"}
    )
    patched = client.patch(f"/api/v1/studies/{study_id}", headers=api, json={"description": "Drei Regionen"})
    listed = client.get(f"/api/v1/studies/{study_id}/workshops", headers=api)
    rita_sees = client.get("/api/v1/studies", headers=bearer(db, rita.email))

    assert [r.status_code for r in (created, in_study, attached, new_in, member, patched, listed)] == [
        201,
        201,
        201,
        201,
        200,
        200,
        200,
    ]
    assert created.headers["location"] == f"/api/v1/studies/{study_id}"
    assert (in_study.json()["study_id"], in_study.json()["held_on"]) == (study_id, "2027-03-04")
    assert [(w["title"], w["region"]) for w in listed.json()] == [
        ("Bremen", "Bremen"),
        (loose.title, "Oldenburg"),
        ("Wiesbaden", ""),
    ]
    assert [(m["email"], m["role"]) for m in member.json()] == [
        (ana.email, "facilitator"),
        (rita.email, "researcher"),
    ]
    assert patched.json()["description"] == "Drei Regionen"
    assert patched.json()["themes"] == []
    assert rita_sees.json() == [{"id": study_id, "title": "Nordwest", "role": "researcher", "workshops": 3}]


def test_api_refusals_are_problem_documents_that_name_the_difference(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    db, client = sqlite_db, sqlite_client
    ana, bo = factories.facilitator(db), factories.facilitator(db)
    api = bearer(db, ana.email)
    seven = factories.workshop(
        db, ana, criteria=[CriterionSpec(key="cost", label="Kosten", scale_max=7, direction="lower")]
    )
    study_id = client.post("/api/v1/studies", headers=api, json={"title": "Nordwest"}).json()["id"]
    shop = client.post(f"/api/v1/studies/{study_id}/workshops", headers=api, json={"title": "Bremen"}).json()

    answers = [
        client.post("/api/v1/studies", headers=api, json={"title": ""}),
        client.post(f"/api/v1/studies/{study_id}/workshops", headers=api, json={"code": seven.code}),
        client.post(f"/api/v1/studies/{study_id}/workshops", headers=api, json={}),
        client.post(
            "/api/v1/workshops", headers=api, json={"title": "X", "study": study_id, "template": "abcd"}
        ),
        client.delete(f"/api/v1/studies/{study_id}", headers=api),
        client.delete(f"/api/v1/studies/{study_id}/members/{ana.id}", headers=api),
        client.get(f"/api/v1/studies/{study_id}", headers=bearer(db, bo.email)),
        client.patch(
            f"/api/v1/workshops/{shop['code']}",
            headers=api,
            json={"criteria": [{**c, "scale_max": 7} for c in shop["criteria"]]},
        ),
    ]

    assert [(a.status_code, a.headers["content-type"]) for a in answers] == [
        (422, "application/problem+json"),
        (409, "application/problem+json"),
        (422, "application/problem+json"),
        (422, "application/problem+json"),
        (409, "application/problem+json"),
        (409, "application/problem+json"),
        (403, "application/problem+json"),
        (409, "application/problem+json"),
    ]
    first = shop["criteria"][0]["key"]
    assert answers[1].json()["detail"] == "Criterion 'impact' is in the study but not in this workshop."
    assert (
        answers[7].json()["detail"] == f"Criterion '{first}': scale 1–5 in the study, 1–7 in this workshop."
    )
    assert (
        answers[4].json()["detail"]
        == "This study holds 1 workshop. Detach it first: the workshop and its data stay."
    )


def test_the_command_line_creates_a_study_adds_a_member_and_attaches_a_workshop(tmp_path: Any) -> None:
    from tests.test_cli import backcast, open_db

    data = tmp_path / "data"
    assert backcast(data, "db", "upgrade").returncode == 0
    backcast(data, "facilitator", "add", "ana@example.org", "--password-stdin", stdin="a long password\n")
    backcast(data, "facilitator", "add", "rita@example.org", "--password-stdin", stdin="a long password\n")
    db = open_db(data)
    try:
        ana = accounts.facilitator_by_email(db, "ana@example.org")
        assert ana is not None
        shop = factories.workshop(db, ana)
    finally:
        db.dispose()

    ambiguous = backcast(data, "study", "new", "Nordwest")
    new = backcast(data, "study", "new", "Nordwest", "--from-workshop", shop.code, "--by", "ana@example.org")
    member = backcast(data, "study", "member", "add", "1", "rita@example.org", "--role", "researcher")
    attach = backcast(data, "study", "attach", "1", shop.code)
    listed = backcast(data, "study", "list")
    refused = backcast(data, "study", "member", "add", "1", "nobody@example.org", "--role", "researcher")

    assert (ambiguous.returncode, ambiguous.stderr) == (
        1,
        "backcast: error: name the account to act as with --by EMAIL\n",
    )
    assert (new.returncode, new.stdout) == (0, "study 1 created: Nordwest\n")
    assert member.stdout.splitlines()[1].split("\t")[1:] == ["researcher", "rita@example.org"]
    assert (attach.returncode, attach.stdout) == (0, f"workshop {shop.code} is now in study 1\n")
    assert listed.stdout == "1\t1\tNordwest\n"
    assert (refused.returncode, refused.stderr) == (
        1,
        "backcast: error: No facilitator account has this address. "
        "They first need an account on this server.\n",
    )


def test_a_workshop_s_study_metadata_changes_through_the_api_and_is_logged(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    db, client = sqlite_db, sqlite_client
    ana = factories.facilitator(db)
    api = bearer(db, ana.email)
    loose = factories.workshop(db, ana)
    study = studies.create_study(db, ana, title="Nordwest")
    shop = studies.create_workshop_in_study(
        db, ana, study.id, title="Bremen", details=StudyDetails(region="Bremen")
    )

    changed = client.patch(
        f"/api/v1/workshops/{shop.code}", headers=api, json={"sector": "Bau", "held_on": "2027-05-06"}
    )
    bad_date = client.patch(f"/api/v1/workshops/{shop.code}", headers=api, json={"held_on": "2027-13-45"})
    outside = client.patch(
        f"/api/v1/workshops/{loose.code}", headers=api, json={"region": "Kiel", "title": "New"}
    )

    assert (
        changed.status_code,
        changed.json()["region"],
        changed.json()["sector"],
        changed.json()["held_on"],
    ) == (
        200,
        "Bremen",
        "Bau",
        "2027-05-06",
    )
    assert bad_date.status_code == 422
    assert (outside.status_code, outside.json()["detail"]) == (409, "This workshop belongs to no study.")
    assert factories.fresh(db, loose).title == loose.title
    assert workshop_log(db, shop)[-1] == "study-details-set"
