"""One export for a study: every workshop's tables under a `workshop` column, the workshops'
metadata, themes and codings; valid as a data package, the same bytes again, results that
recompute from the raw rows, pseudonyms per workshop, coders never by address."""

from __future__ import annotations

import io
import json
import time
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from frictionless import validate

from backcast.db import Database
from backcast.export.schema import TABLES
from backcast.export.study import coder_pseudonymiser
from backcast.export.study_schema import STUDY_TABLES
from backcast.i18n import translate
from backcast.models import Facilitator, Study, StudyTheme
from backcast.services import coding, participants, studies
from backcast.services.study_access import StudyDetails
from tests import factories
from tests.scenario import Rated, rated_workshop
from tests.test_api import assert_problem
from tests.test_cli import backcast, open_db
from tests.test_coding import bearer
from tests.test_exports import unpacked
from tests.test_results import recomputed

REGIONS = [("Bremen", date(2027, 3, 4)), ("Oldenburg", date(2027, 4, 1)), ("Wiesbaden", date(2027, 5, 6))]
# Tables a study export has that no workshop export has, besides `workshops`.
STUDY_ONLY = ["themes", "codings"]


@dataclass
class Series:
    """Three rated workshops in one study, each run by its own facilitator; a researcher and the
    lead facilitator code, the researcher settles one item."""

    study: Study
    lead: Facilitator
    researcher: Facilitator
    rated: list[Rated]
    themes: list[StudyTheme]


def rated_series(db: Database) -> Series:
    rated = [rated_workshop(db, title=f"Kreislaufwirtschaft {region}") for region, _ in REGIONS]
    lead = rated[0].owner
    study = studies.create_study(
        db,
        lead,
        title="Nordwest",
        from_workshop=rated[0].workshop.code,
        themes=[
            studies.ThemeSpec(label_de="Logistik", label_en="Logistics"),
            studies.ThemeSpec(label_de="Reparatur", label_en="Repair"),
        ],
    )
    researcher = factories.facilitator(db)
    studies.add_member(db, lead, study.id, researcher.email, "researcher")
    for room, (region, day) in zip(rated, REGIONS, strict=True):
        if room is not rated[0]:
            studies.add_member(db, lead, study.id, room.owner.email, "facilitator")
        details = StudyDetails(region=region, sector="Handwerk", held_on=day, venue=f"Rathaus {region}")
        studies.attach_workshop(db, room.owner, study.id, room.workshop.code, details)
    # Rooms that differ: one person fewer in the second and in the third.
    for room, index in ((rated[1], 0), (rated[2], 6)):
        participants.delete_participant(db, room.owner, room.workshop.code, room.participants[index].id)  # type: ignore[arg-type]
    themes = studies.study_view(db, lead, study.id).themes
    logistics, repair = (theme.id for theme in themes)
    first, second = rated[0].measures[0].id, rated[1].measures[1].id
    coding.code_item(db, lead, study.id, first, [logistics])
    coding.code_item(db, researcher, study.id, first, [logistics, repair])
    coding.code_item(db, researcher, study.id, second, [])
    coding.settle_item(db, researcher, study.id, first, [logistics])
    return Series(study, lead, researcher, rated, themes)


@pytest.fixture
def series(sqlite_db: Database) -> Series:
    return rated_series(sqlite_db)


def export(client: TestClient, headers: dict[str, str], study_id: int, **params: Any) -> Any:
    return client.get(f"/api/v1/studies/{study_id}/export", params=params, headers=headers)


def fetch(client: TestClient, db: Database, series: Series, **params: Any) -> bytes:
    response = export(client, bearer(db, series.researcher.email), series.study.id, **params)  # type: ignore[arg-type]
    assert response.status_code == 200, response.text
    return response.content


def package(content: bytes, where: Path) -> dict[str, pd.DataFrame]:
    """The data package unpacked in `where` and read as pandas reads a CSV, empty cells missing."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        archive.extractall(where)
    return {
        name: pd.read_csv(where / "data" / f"{name}.csv", keep_default_na=False, na_values=[""])
        for name in STUDY_TABLES
    }


def csv_rows(content: bytes) -> list[str]:
    return content.decode().splitlines()


def test_the_study_package_is_valid_and_stacks_each_workshop_s_own_export(
    client: TestClient, db: Database, tmp_path: Path
) -> None:
    """Runs on SQLite and PostgreSQL."""
    series = rated_series(db)
    content = fetch(client, db, series, format="datapackage")
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
    tables = package(content, tmp_path)

    report = validate(tmp_path / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert names == ["datapackage.json", *(f"data/{name}.csv" for name in STUDY_TABLES)]
    assert list(STUDY_TABLES) == ["workshops", *(name for name in TABLES if name != "workshop"), *STUDY_ONLY]

    manifest = json.loads((tmp_path / "datapackage.json").read_text())
    provenance = manifest["provenance"]
    codes = [room.workshop.code for room in series.rated]
    assert provenance["study"]["id"] == series.study.id
    assert [w["code"] for w in provenance["workshops"]] == codes
    assert provenance["exported_by"] == f"facilitator:{series.researcher.id} through the API"
    assert all(resource["hash"].startswith("sha256:") for resource in manifest["resources"])
    criteria = next(r for r in manifest["resources"] if r["name"] == "criteria")["schema"]
    assert criteria["primaryKey"] == ["workshop", "criterion"]

    workshops = tables["workshops"]
    assert list(workshops["workshop"]) == codes
    assert list(workshops["region"]) == [region for region, _ in REGIONS]
    assert list(workshops["held_on"]) == [day.isoformat() for _, day in REGIONS]

    # Each workshop's rows are those of its own export, word for word, behind its code.
    owner = {room.workshop.code: bearer(db, room.owner.email) for room in series.rated}
    for name in TABLES:
        if name == "workshop":
            continue
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            stacked = csv_rows(archive.read(f"data/{name}.csv"))
        assert stacked[0] == "workshop," + ",".join(TABLES[name].header)
        expected = []
        for code in codes:
            own = client.get(
                f"/api/v1/workshops/{code}/export",
                params={"format": "csv", "table": name},
                headers=owner[code],
            )
            expected += [f"{code},{row}" for row in csv_rows(own.content)[1:]]
        assert stacked[1:] == expected, name
    assert len(tables["ratings"]) == 8 * 4 * 3 + 2 * 7 * 4 * 3


def test_every_workshop_s_results_recompute_from_the_raw_rows(
    sqlite_client: TestClient, series: Series, sqlite_db: Database, tmp_path: Path
) -> None:
    tables = package(fetch(sqlite_client, sqlite_db, series, format="datapackage"), tmp_path)
    # The figures of the whole room (the rows of each group are the same figures for fewer people).
    results = tables["results"][tables["results"]["group"].isna()]
    statistics = tables["results_criteria"][tables["results_criteria"]["group"].isna()]
    scores = set()
    for code in tables["workshops"]["workshop"]:

        def mine(frame: pd.DataFrame, code: str = code) -> pd.DataFrame:
            return frame[frame["workshop"] == code]

        given, dots = mine(tables["ratings"]), mine(tables["dots"])
        criteria = mine(tables["criteria"]).set_index("criterion")
        figures = recomputed(given[given["in_results"]], criteria, dots[dots["in_results"]])

        exported = mine(results).set_index("item_id")
        assert sorted(exported.index) == sorted(figures)
        for item_id, found in figures.items():
            row = exported.loc[item_id]
            assert row["score"] == pytest.approx(found.score, abs=1e-9)
            assert (row["dots"], row["raters"], row["rank"]) == (found.dots, found.raters, found.rank)
            scores.add(round(found.score, 9))
            for key, stats in found.criteria.items():
                [exported_row] = (
                    mine(statistics).query("item_id == @item_id and criterion == @key").to_dict("records")
                )
                for name, value in stats.items():
                    assert exported_row[name] == pytest.approx(value, abs=1e-9, nan_ok=True), (
                        code,
                        key,
                        name,
                    )
    # The three rooms differ, so the check is not the same one three times.
    assert len(scores) > 3


def test_re_exporting_an_unchanged_study_gives_the_same_bytes(
    sqlite_client: TestClient, sqlite_db: Database, series: Series
) -> None:
    def every_format() -> dict[str, bytes]:
        files = {
            name: fetch(sqlite_client, sqlite_db, series, format="csv", table=name) for name in STUDY_TABLES
        }
        files["xlsx"] = fetch(sqlite_client, sqlite_db, series, format="xlsx")
        files["json"] = fetch(sqlite_client, sqlite_db, series, format="json")
        with zipfile.ZipFile(
            io.BytesIO(fetch(sqlite_client, sqlite_db, series, format="datapackage"))
        ) as archive:
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
    assert first["data/codings.csv"] == first["codings"]


def test_codings_name_themes_by_key_and_coders_by_pseudonym_never_by_address(
    sqlite_client: TestClient, sqlite_db: Database, series: Series, tmp_path: Path
) -> None:
    tables = package(fetch(sqlite_client, sqlite_db, series, format="datapackage"), tmp_path)
    codings = tables["codings"]
    lead, researcher = (
        coder_pseudonymiser(sqlite_client.app.state.settings.resolved_secret_key, series.study.id)(f.id)  # type: ignore[attr-defined,arg-type]
        for f in (series.lead, series.researcher)
    )
    first, second = series.rated[0].measures[0].id, series.rated[1].measures[1].id
    rows = [
        (r["workshop"], r["item_id"], None if pd.isna(r["theme"]) else r["theme"], r["coder"], r["settled"])
        for r in codings.to_dict("records")
    ]
    bremen, oldenburg = series.rated[0].workshop.code, series.rated[1].workshop.code
    assert sorted(rows, key=str) == sorted(
        [
            (bremen, first, "logistics", lead, False),
            (bremen, first, "logistics", researcher, False),
            (bremen, first, "repair", researcher, False),
            (bremen, first, "logistics", researcher, True),
            (oldenburg, second, None, researcher, False),
        ],
        key=str,
    )
    assert codings["coded_at"].str.endswith("Z").all()
    assert list(tables["themes"]["label_de"]) == ["Logistik", "Reparatur"]
    assert list(tables["themes"]["label_en"]) == ["Logistics", "Repair"]

    everything = b"".join(
        unpacked(fetch(sqlite_client, sqlite_db, series, format=name))
        for name in ("xlsx", "json", "datapackage")
    )
    addresses = [f.email for f in (series.lead, series.researcher, *(room.owner for room in series.rated))]
    assert [address for address in addresses if address.encode() in everything] == []
    assert b"Person 1" not in everything  # names stay with each workshop's own export


def test_a_coder_s_pseudonym_is_the_same_in_a_study_and_unlinkable_across_studies() -> None:
    one, other = coder_pseudonymiser("key", 1), coder_pseudonymiser("key", 2)
    assert one(7) == coder_pseudonymiser("key", 1)(7) and one(7).startswith("c") and len(one(7)) == 13
    assert one(7) != other(7) and one(7) != one(8) and one(7) != coder_pseudonymiser("another", 1)(7)


def test_participants_keep_their_workshop_s_pseudonyms_and_are_linked_across_none(
    sqlite_client: TestClient, sqlite_db: Database, series: Series, tmp_path: Path
) -> None:
    tables = package(fetch(sqlite_client, sqlite_db, series, format="datapackage"), tmp_path)
    people = tables["participants"]
    by_workshop = [
        set(people.loc[people["workshop"] == room.workshop.code, "participant"]) for room in series.rated
    ]
    # The same eight people, in the same order, joined each room: nobody shares a pseudonym.
    assert [len(found) for found in by_workshop] == [8, 7, 7]
    assert by_workshop[0].isdisjoint(by_workshop[1] | by_workshop[2]) and by_workshop[1].isdisjoint(
        by_workshop[2]
    )
    assert people["name"].isna().all()
    for table in ("ratings", "dots"):
        rows = tables[table]
        for room, found in zip(series.rated, by_workshop, strict=True):
            assert set(rows.loc[rows["workshop"] == room.workshop.code, "participant"]) <= found


def test_deleting_a_participant_removes_their_part_of_the_study_export(
    sqlite_client: TestClient, sqlite_db: Database, series: Series, tmp_path: Path
) -> None:
    before = package(fetch(sqlite_client, sqlite_db, series, format="datapackage"), tmp_path / "before")
    room = series.rated[2]
    gone = room.participants[1]
    people = before["participants"]
    pseudonym = people.loc[people["workshop"] == room.workshop.code, "participant"].iloc[1]
    own_ratings = int((before["ratings"]["participant"] == pseudonym).sum())
    assert own_ratings == 12

    participants.delete_participant(sqlite_db, room.owner, room.workshop.code, gone.id)  # type: ignore[arg-type]

    content = fetch(sqlite_client, sqlite_db, series, format="datapackage")
    after = package(content, tmp_path / "after")
    assert pseudonym.encode() not in unpacked(content)
    assert pseudonym.encode() not in fetch(sqlite_client, sqlite_db, series, format="json")
    assert len(after["ratings"]) == len(before["ratings"]) - own_ratings
    assert len(after["participants"]) == len(before["participants"]) - 1
    assert validate(tmp_path / "after" / "datapackage.json").valid


def test_the_workbook_has_the_codebook_in_both_languages_and_a_sheet_per_table(
    sqlite_client: TestClient, sqlite_db: Database, series: Series
) -> None:
    book = openpyxl.load_workbook(io.BytesIO(fetch(sqlite_client, sqlite_db, series, format="xlsx")))
    assert book.sheetnames == ["README", *STUDY_TABLES]
    readme = [row for row in book["README"].iter_rows(values_only=True)]
    described = {(row[0], row[1]): row for row in readme}
    for spec in STUDY_TABLES.values():
        for column in spec.columns:
            row = described[(spec.name, column.name)]
            assert (row[2], row[3], row[4]) == (
                column.type,
                translate(column.description, "en"),
                translate(column.description, "de"),
            )
    assert described[("codings", "coder")][4] != described[("codings", "coder")][3]  # German, not a copy
    assert [cell.value for cell in book["workshops"][1]][:2] == ["workshop", "title"]
    assert book["workshops"]["A2"].value == series.rated[0].workshop.code


def test_the_json_document_holds_each_workshop_with_its_results_themes_and_codings(
    sqlite_client: TestClient, sqlite_db: Database, series: Series
) -> None:
    document = json.loads(fetch(sqlite_client, sqlite_db, series, format="json"))
    assert document["study"]["title"] == "Nordwest"
    assert [w["workshop"]["code"] for w in document["workshops"]] == [r.workshop.code for r in series.rated]
    assert [w["workshop"]["region"] for w in document["workshops"]] == [region for region, _ in REGIONS]
    assert [w["results"]["participants"] for w in document["workshops"]] == [8, 7, 7]
    assert [theme["theme"] for theme in document["themes"]] == ["logistics", "repair"]
    assert len(document["codings"]) == 5


def test_every_member_may_export_the_study_and_nobody_else(
    sqlite_client: TestClient, sqlite_db: Database, series: Series
) -> None:
    study_id: int = series.study.id  # type: ignore[assignment]
    other = factories.facilitator(sqlite_db)
    studies.create_study(sqlite_db, other, title="Anderswo")
    for member in (series.lead, series.researcher, series.rated[1].owner):
        response = export(sqlite_client, bearer(sqlite_db, member.email), study_id, format="json")
        assert response.status_code == 200, member.email
    assert_problem(export(sqlite_client, bearer(sqlite_db, other.email), study_id), 403, "forbidden")
    assert_problem(export(sqlite_client, bearer(sqlite_db, other.email), 999_999), 403, "forbidden")
    participant = {"Authorization": f"Bearer {series.rated[0].tokens[0]}"}
    assert_problem(export(sqlite_client, participant, study_id), 403, "forbidden")
    assert_problem(export(sqlite_client, {}, study_id), 401, "unauthenticated")
    # A member removed loses the export at once.
    studies.remove_member(sqlite_db, series.lead, study_id, series.researcher.id)
    assert_problem(
        export(sqlite_client, bearer(sqlite_db, series.researcher.email), study_id), 403, "forbidden"
    )


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"format": "pdf"}, "format"),
        ({"format": "xlsx", "table": "codings"}, "table"),
        ({"format": "csv", "table": "workshop"}, "table"),
    ],
)
def test_wrong_study_export_options_are_422_naming_the_option(
    sqlite_client: TestClient, sqlite_db: Database, series: Series, params: dict[str, str], field: str
) -> None:
    response = export(sqlite_client, bearer(sqlite_db, series.lead.email), series.study.id, **params)  # type: ignore[arg-type]
    assert assert_problem(response, 422, "invalid")["field"] == field


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """The command line's own database, made by `db upgrade` as on a server."""
    found = tmp_path / "data"
    assert backcast(found, "db", "upgrade").returncode == 0
    return found


def test_the_command_line_exports_a_study_as_the_api_does(data_dir: Path, tmp_path: Path) -> None:
    db = open_db(data_dir)
    try:
        study_id = rated_series(db).study.id
    finally:
        db.dispose()
    out = tmp_path / "study.zip"
    result = backcast(
        data_dir, "export", "--study", str(study_id), "--format", "datapackage", "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{out}: {out.stat().st_size:,} bytes\n"
    with zipfile.ZipFile(out) as archive:
        archive.extractall(tmp_path / "package")
        manifest = json.loads(archive.read("datapackage.json"))
    assert manifest["provenance"]["exported_by"] == "backcast export on the command line"
    assert validate(tmp_path / "package" / "datapackage.json").valid

    codings = backcast(data_dir, "export", "--study", str(study_id), "--table", "codings", "--out", "-")
    assert codings.stdout.splitlines()[0] == "workshop,item_id,theme,coder,coded_at,settled"
    assert len(codings.stdout.splitlines()) == 6


def test_study_export_errors_on_the_command_line_are_one_line(data_dir: Path) -> None:
    for args, message in [
        (("--study", "999"), "There is no study 999."),
        (("--study", "1", "ABCDEF"), "give a workshop's code or --study ID, not both"),
        ((), "give a workshop's code or --study ID, not both"),
        (("--study", "1", "--names"), "a study's export carries no names: export a workshop for them"),
        (
            ("--study", "1", "--format", "xlsx", "--table", "codings"),
            "A single table can be exported only as CSV.",
        ),
    ]:
        result = backcast(data_dir, "export", *args)
        assert (result.returncode, result.stdout) == (1, ""), args
        assert result.stderr.splitlines() == [f"backcast: error: {message}"], args


def test_the_researchers_guide_names_every_column_the_study_export_adds() -> None:
    guide = (Path(__file__).parent.parent / "docs" / "researcher.md").read_text()
    section = guide.split("## Exporting a study", 1)[1]
    added = [*STUDY_TABLES["workshops"].columns[-4:]]
    added += [column for name in STUDY_ONLY for column in STUDY_TABLES[name].columns]
    assert [column.name for column in added if f"`{column.name}`" not in section] == []
    assert all(f"`{name}`" in section for name in STUDY_TABLES)
