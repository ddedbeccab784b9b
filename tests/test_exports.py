"""The research exports: every format read back as a researcher's tools read it, formulas made
harmless, no secrets, names only where allowed, and the same bytes every time."""

from __future__ import annotations

import io
import json
import time
import zipfile
from datetime import UTC, datetime
from typing import Any

import openpyxl
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from frictionless import Package, validate
from sqlmodel import select

from backcast.db import Database
from backcast.export.cells import neutralise
from backcast.export.schema import TABLES
from backcast.export.tables import pseudonymiser, shown_names
from backcast.models import Participant, Workshop
from backcast.services import accounts
from tests import factories
from tests.factories import PASSWORD
from tests.scenario import RATERS, Rated, rated_workshop
from tests.test_api import api_token, assert_problem
from tests.test_results import owner_headers

RATING_COLUMNS = [
    "item_id",
    "item_kind",
    "item_text",
    "criterion",
    "value",
    "cant_judge",
    "participant",
    "group",
    "rated_at",
    "updated_at",
    "in_results",
]


@pytest.fixture
def rated(db: Database) -> Rated:
    return rated_workshop(db)


def export(client: TestClient, headers: dict[str, str], code: str, **params: Any) -> Any:
    return client.get(f"/api/v1/workshops/{code}/export", params=params, headers=headers)


def fetch(client: TestClient, db: Database, rated: Rated, **params: Any) -> bytes:
    response = export(client, owner_headers(db, rated), rated.workshop.code, **params)
    assert response.status_code == 200, response.text
    return response.content


def test_the_csv_has_one_row_per_rating_with_can_t_judge_kept(
    client: TestClient, db: Database, rated: Rated
) -> None:
    response = export(client, owner_headers(db, rated), rated.workshop.code, format="csv")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="backcast-{rated.workshop.code}-ratings.csv"'
    )
    assert response.content.startswith(b"item_id,")  # no BOM for scripts: the console's files have one
    frame = pd.read_csv(io.BytesIO(response.content), keep_default_na=False, na_values=[""])

    assert list(frame.columns) == RATING_COLUMNS
    assert len(frame) == len(RATERS) * 4 * 3
    cant_judge = frame[frame["cant_judge"]]
    assert cant_judge["value"].isna().all() and len(cant_judge) == 5
    assert frame["value"].dropna().map(float.is_integer).all()
    assert frame["participant"].nunique() == len(RATERS)
    assert set(frame["group"].dropna()) == {"sme", "association", "research"}
    assert frame.loc[frame["item_id"] == rated.measures[3].id, "in_results"].eq(False).all()
    assert pd.to_datetime(frame["rated_at"]).dt.tz is not None


@pytest.mark.parametrize("table", sorted(TABLES))
def test_every_table_is_a_csv_with_its_documented_columns(
    sqlite_client: TestClient, sqlite_db: Database, table: str
) -> None:
    rated = rated_workshop(sqlite_db)
    content = fetch(sqlite_client, sqlite_db, rated, format="csv", table=table)
    frame = pd.read_csv(io.BytesIO(content), keep_default_na=False, na_values=[""])
    assert list(frame.columns) == TABLES[table].header


def test_the_workbook_has_a_readme_and_a_sheet_per_table_with_real_numbers(
    client: TestClient, db: Database, rated: Rated
) -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(fetch(client, db, rated, format="xlsx")))

    assert workbook.sheetnames == ["README", *TABLES]
    readme = [row for row in workbook["README"].iter_rows(values_only=True)]
    documented = {(row[0], row[1]) for row in readme[1:]}
    assert {(name, column.name) for name, spec in TABLES.items() for column in spec.columns} <= documented
    assert all(row[3] and row[4] for row in readme[1:] if row[0] != "about" and row[1])  # English, German

    sheet = workbook["ratings"]
    assert sheet.freeze_panes == "A2"
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == RATING_COLUMNS
    assert len(rows) == 1 + len(RATERS) * 4 * 3
    values = [row[4] for row in rows[1:]]
    assert {type(value) for value in values} == {int, type(None)}
    assert {type(row[5]) for row in rows[1:]} == {bool}
    assert all(isinstance(row[8], datetime) for row in rows[1:])
    assert sheet.column_dimensions["C"].width > sheet.column_dimensions["A"].width
    results = list(workbook["results"].iter_rows(values_only=True))
    assert all(isinstance(row[5], float) for row in results[1:] if row[3])


def test_the_json_document_holds_the_whole_workshop_and_the_api_s_results(
    client: TestClient, db: Database, rated: Rated
) -> None:
    document = json.loads(fetch(client, db, rated, format="json"))

    assert list(document) == [
        "schema_version",
        "generator",
        "workshop",
        "criteria",
        "groups",
        "participants",
        "participants_left_out",
        "items",
        "tables",
        "seating",
        "ratings",
        "dots",
        "results",
        "agenda",
    ]
    assert document["schema_version"] == 1
    assert document["workshop"]["code"] == rated.workshop.code
    assert [criterion["criterion"] for criterion in document["criteria"]] == ["impact", "cost", "readiness"]
    assert len(document["ratings"]) == len(RATERS) * 4 * 3
    assert document["items"][3]["text"] == "=HYPERLINK(evil)"  # JSON keeps text exactly as typed
    results = client.get(
        f"/api/v1/workshops/{rated.workshop.code}/results", headers=owner_headers(db, rated)
    ).json()
    assert document["results"] == results


def test_links_come_with_their_items(client: TestClient, db: Database) -> None:
    tree = factories.tree(db)
    headers = {"Authorization": f"Bearer {accounts.issue_api_token(db, tree.owner.email)}"}
    document = json.loads(export(client, headers, tree.workshop.code, format="json").content)
    links = {item["item_id"]: item["links"] for item in document["items"]}
    assert links == {
        tree.milestone.id: [],
        tree.need.id: [tree.milestone.id],
        tree.measures[0].id: [tree.need.id],
        tree.measures[1].id: [tree.need.id],
    }


def test_the_data_package_is_valid_with_hashes_and_provenance(
    client: TestClient, db: Database, rated: Rated, tmp_path: Any
) -> None:
    content = fetch(client, db, rated, format="datapackage")
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        archive.extractall(tmp_path)
        names = archive.namelist()
    assert names == ["datapackage.json", *(f"data/{name}.csv" for name in TABLES)]

    report = validate(tmp_path / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])

    manifest = json.loads((tmp_path / "datapackage.json").read_text())
    provenance = manifest["provenance"]
    assert provenance["software"] == "backcast" and provenance["software_version"]
    assert provenance["workshop"]["code"] == rated.workshop.code
    assert provenance["exported_by"] == f"facilitator:{rated.owner.id} through the API"
    assert datetime.fromisoformat(provenance["exported_at"]).tzinfo == UTC
    ratings = next(resource for resource in manifest["resources"] if resource["name"] == "ratings")
    value = next(field for field in ratings["schema"]["fields"] if field["name"] == "value")
    assert (value["type"], value["description_de"]) == ("integer", ratings_value_de())
    assert ratings["schema"]["missingValues"] == [""]

    package = Package(tmp_path / "datapackage.json")
    rows = package.get_resource("ratings").read_rows()
    assert len(rows) == len(RATERS) * 4 * 3
    assert sum(row["value"] is None for row in rows) == 5


def ratings_value_de() -> str:
    from backcast.i18n import translate

    return translate(TABLES["ratings"].columns[4].description, "de")


def test_a_changed_file_fails_the_package_s_hash_check(
    sqlite_client: TestClient, sqlite_db: Database, tmp_path: Any
) -> None:
    rated = rated_workshop(sqlite_db)
    with zipfile.ZipFile(io.BytesIO(fetch(sqlite_client, sqlite_db, rated, format="datapackage"))) as archive:
        archive.extractall(tmp_path)
    path = tmp_path / "data" / "dots.csv"
    path.write_bytes(path.read_bytes().replace(b",1,", b",2,", 1))

    report = validate(tmp_path / "datapackage.json")
    assert not report.valid
    assert "hash-count" in {error.type for task in report.tasks for error in task.errors}


FORMULAS = ["=1+2", "+SUM(A1:A9)", "-2+3+cmd|' /C calc'!A0", "@SUM(1)", "=HYPERLINK(evil)"]


def test_formula_payloads_are_neutralised_but_numbers_are_not() -> None:
    assert [neutralise(text) for text in FORMULAS] == ["'" + text for text in FORMULAS]
    assert [neutralise(text) for text in ["\t=1", "\r=1"]] == ["'\t=1", "'\r=1"]
    assert [neutralise(text) for text in ["-3", "+1.5", "-0.25e3", "Repair", "1+1"]] == [
        "-3",
        "+1.5",
        "-0.25e3",
        "Repair",
        "1+1",
    ]


def test_formula_payloads_typed_by_participants_cannot_run_in_csv_or_xlsx(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    rated = rated_workshop(sqlite_db, names="optional")
    shop = rated.workshop
    joined = [factories.join(sqlite_db, shop, name=text)[0] for text in FORMULAS[:4]]
    assert all(participant.name in FORMULAS for participant in joined)

    items_csv = fetch(sqlite_client, sqlite_db, rated, format="csv", table="items").decode()
    assert ",'=HYPERLINK(evil)," in items_csv
    people = pd.read_csv(
        io.BytesIO(fetch(sqlite_client, sqlite_db, rated, format="csv", table="participants", names=1)),
        keep_default_na=False,
    )
    assert sorted(people["name"][-4:]) == sorted("'" + text for text in FORMULAS[:4])

    workbook = openpyxl.load_workbook(
        io.BytesIO(fetch(sqlite_client, sqlite_db, rated, format="xlsx", names=1))
    )
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    texts = [cell.value for cell in cells if isinstance(cell.value, str)]
    assert not any(text.startswith(("=", "+", "@")) for text in texts)
    assert "'=HYPERLINK(evil)" in texts and "'-2+3+cmd|' /C calc'!A0" in texts


def unpacked(content: bytes) -> bytes:
    """The bytes of a file, or of every member of a zip (XLSX and data package are zips)."""
    if not content.startswith(b"PK"):
        return content
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return b"".join(archive.read(name) for name in archive.namelist())


def test_no_token_or_password_in_any_export(client: TestClient, db: Database, rated: Rated) -> None:
    headers = owner_headers(db, rated)
    api_secret = headers["Authorization"].removeprefix("Bearer ")
    with db.read() as session:
        hashes = list(session.exec(select(Participant.token_hash)))
    secrets = [*rated.tokens, api_secret, PASSWORD, *hashes, rated.owner.password_hash]
    exports = [fetch(client, db, rated, format=name, names=1) for name in ("xlsx", "json", "datapackage")]
    exports += [fetch(client, db, rated, format="csv", table=name, names=1) for name in TABLES]

    found = [secret for content in exports for secret in secrets if secret.encode() in unpacked(content)]
    assert found == []
    assert b"bcp_" not in b"".join(unpacked(content) for content in exports)


def test_exporting_twice_gives_the_same_bytes(client: TestClient, db: Database, rated: Rated) -> None:
    def every_format() -> dict[str, bytes]:
        files = {name: fetch(client, db, rated, format="csv", table=name) for name in TABLES}
        files["xlsx"] = fetch(client, db, rated, format="xlsx")
        files["json"] = fetch(client, db, rated, format="json")
        with zipfile.ZipFile(io.BytesIO(fetch(client, db, rated, format="datapackage"))) as archive:
            files |= {name: archive.read(name) for name in archive.namelist()}
        manifest = json.loads(files.pop("datapackage.json"))
        files["manifest without times"] = json.dumps(
            manifest | {"created": None, "provenance": manifest["provenance"] | {"exported_at": None}}
        ).encode()
        return files

    first = every_format()
    time.sleep(1.1)  # workbook and zip times have one-second resolution
    second = every_format()
    assert [name for name in first if first[name] != second[name]] == []
    assert first["data/ratings.csv"] == first["ratings"]


def test_names_only_when_asked_allowed_and_consented(sqlite_client: TestClient, sqlite_db: Database) -> None:
    rated = rated_workshop(sqlite_db)
    plain = pd.read_csv(
        io.BytesIO(fetch(sqlite_client, sqlite_db, rated, format="csv", table="participants")),
        keep_default_na=False,
        na_values=[""],
    )
    assert plain["name"].isna().all()
    named = pd.read_csv(
        io.BytesIO(fetch(sqlite_client, sqlite_db, rated, format="csv", table="participants", names=1)),
        keep_default_na=False,
    )
    assert list(named["name"]) == [f"Person {index}" for index in range(len(RATERS))]

    anonymous = rated_workshop(sqlite_db, names="off")
    response = export(sqlite_client, owner_headers(sqlite_db, anonymous), anonymous.workshop.code, names=1)
    assert assert_problem(response, 409, "conflict")["field"] == "names"


def test_with_consent_asked_only_those_who_gave_it_are_named() -> None:
    workshop = Workshop(
        code="ABCDEF", title="t", present_year=2026, vision_year=2045, consent_text="We record."
    )
    agreed = Participant(id=1, workshop_id=1, token_hash="a", name="Ana", consented_at=datetime.now(UTC))
    earlier = Participant(id=2, workshop_id=1, token_hash="b", name="Ben")  # joined before consent was asked
    assert shown_names(workshop, [agreed, earlier], names=True) == {1: "Ana"}
    assert shown_names(workshop, [agreed, earlier], names=False) == {}


def test_pseudonyms_are_stable_in_a_workshop_and_unlinkable_across_workshops() -> None:
    first, second = pseudonymiser("key", 1), pseudonymiser("key", 2)
    assert first(7) == pseudonymiser("key", 1)(7)
    assert first(7) != second(7) and first(7) != first(8)
    assert first(7) != pseudonymiser("another key", 1)(7)
    assert first(7) != "7" and len(first(7)) == 13


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"format": "pdf"}, "format"),
        ({"format": "xlsx", "table": "ratings"}, "table"),
        ({"format": "csv", "table": "secrets"}, "table"),
    ],
)
def test_wrong_export_options_are_422_naming_the_option(
    sqlite_client: TestClient, sqlite_db: Database, params: dict[str, str], field: str
) -> None:
    rated = rated_workshop(sqlite_db)
    response = export(sqlite_client, owner_headers(sqlite_db, rated), rated.workshop.code, **params)
    assert assert_problem(response, 422, "invalid")["field"] == field


def test_exports_are_for_the_workshops_facilitators_only(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    rated = rated_workshop(sqlite_db)
    code = rated.workshop.code
    assert_problem(export(sqlite_client, {}, code), 401, "unauthenticated")
    assert_problem(export(sqlite_client, api_token(sqlite_db), code), 403, "forbidden")
    participant = {"Authorization": f"Bearer {rated.tokens[0]}"}
    assert_problem(export(sqlite_client, participant, code), 403, "forbidden")


def test_the_agenda_is_exported_in_its_order_in_every_format(client: TestClient, db: Database) -> None:
    from backcast.services import agenda

    tree = factories.tree(db)
    headers = {"Authorization": f"Bearer {accounts.issue_api_token(db, tree.owner.email)}"}
    code = tree.workshop.code
    first, second = (agenda.add_to_agenda(db, tree.owner, code, measure.id) for measure in tree.measures)
    agenda.update_agenda_entry(db, tree.owner, code, first.id, owner="=Kammer", start_year=2028, note="Pilot")
    agenda.update_agenda_entry(db, tree.owner, code, second.id, owner="Landkreis", start_year=2027, note="")
    agenda.move_agenda_entry(db, tree.owner, code, second.id, -1)
    expected = [
        (0, tree.measures[1].id, "Train waste officers in SMEs", "Landkreis", 2027, ""),
        (1, tree.measures[0].id, "Start a materials exchange", "=Kammer", 2028, "Pilot"),
    ]

    csv = pd.read_csv(
        io.BytesIO(export(client, headers, code, format="csv", table="agenda").content), keep_default_na=False
    )
    assert list(csv.columns) == [column.name for column in TABLES["agenda"].columns]
    rows = [tuple(row) for row in csv.itertuples(index=False)]
    assert [row[:2] + row[2:3] + (row[3],) + row[4:] for row in rows] == [
        (0, tree.measures[1].id, "Train waste officers in SMEs", "Landkreis", 2027, ""),
        (1, tree.measures[0].id, "Start a materials exchange", "'=Kammer", 2028, "Pilot"),
    ]  # the owner that looks like a formula is neutralised

    document = json.loads(export(client, headers, code, format="json").content)
    agenda_rows = [
        (e["position"], e["item_id"], e["owner"], e["start_year"], e["note"]) for e in document["agenda"]
    ]
    assert agenda_rows == [(p, i, o, y, n) for p, i, _, o, y, n in expected]  # JSON: text with the items

    workbook = openpyxl.load_workbook(io.BytesIO(export(client, headers, code, format="xlsx").content))
    sheet = [tuple(row) for row in workbook["agenda"].iter_rows(min_row=2, values_only=True)]
    assert [(p, i, t, o, y, n or "") for p, i, t, o, y, n in sheet] == [
        expected[0],
        (1, tree.measures[0].id, "Start a materials exchange", "'=Kammer", 2028, "Pilot"),
    ]
