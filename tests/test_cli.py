"""The `backcast` command: accounts, tokens, upgrades, and one-line errors."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from backcast import migrate
from backcast.cli import ProgressBar
from backcast.db import Database, make_engine
from backcast.services import accounts, workshops
from tests import server as real_server


def backcast(data_dir: Path, *args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    environment = {"PATH": os.environ["PATH"], "BACKCAST_DATA_DIR": str(data_dir), **env}
    return subprocess.run(
        [sys.executable, "-m", "backcast.cli", *args],
        input=stdin,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data dir that does not exist yet, as on a fresh machine; `db upgrade` creates it."""
    tmp_path = tmp_path / "data"
    result = backcast(tmp_path, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"database at {migrate.head_revision()}"
    return tmp_path


def open_db(data_dir: Path) -> Database:
    return Database(make_engine(f"sqlite:///{data_dir / 'backcast.sqlite3'}"))


def test_facilitator_add_and_token_new(data_dir: Path) -> None:
    added = backcast(
        data_dir, "facilitator", "add", "Ana@Example.org", "--password-stdin", stdin="a long password\n"
    )
    assert (added.returncode, added.stdout) == (0, "facilitator ana@example.org added\n")

    issued = backcast(data_dir, "token", "new", "ana@example.org")
    token = issued.stdout.strip()
    assert issued.returncode == 0 and token.startswith("bct_") and len(token) > 40

    db = open_db(data_dir)
    try:
        assert accounts.authenticate(db, "ana@example.org", "a long password").email == "ana@example.org"
        found = accounts.facilitator_for_token(db, token)
        assert found is not None and found.email == "ana@example.org"
    finally:
        db.dispose()
    assert token.encode() not in (data_dir / "backcast.sqlite3").read_bytes()


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (
            ("facilitator", "add", "not-an-email", "--password-stdin"),
            "a long password\n",
            "This is not an email address.",
        ),
        (
            ("facilitator", "add", "a@example.org", "--password-stdin"),
            "short\n",
            "Choose a password of at least 10 characters.",
        ),
        (("token", "new", "nobody@example.org"), "", "There is no facilitator with this email."),
        (("demo", "--live", "--minutes", "0"), "", "--minutes: more than 0, at most 240"),
        (("demo", "--live", "--participants", "0"), "", "--participants: from 1 to 200"),
        (("demo", "--email", "nobody"), "", "This is not an email address."),
    ],
)
def test_errors_are_one_line_and_a_nonzero_exit(
    data_dir: Path, args: tuple[str, ...], stdin: str, message: str
) -> None:
    result = backcast(data_dir, *args, stdin=stdin)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [f"backcast: error: {message}"]


def test_a_duplicate_account_is_refused(data_dir: Path) -> None:
    backcast(data_dir, "facilitator", "add", "a@example.org", "--password-stdin", stdin="a long password\n")
    again = backcast(
        data_dir, "facilitator", "add", "a@example.org", "--password-stdin", stdin="a long password\n"
    )
    assert again.stderr.splitlines() == ["backcast: error: An account with this email already exists."]


def test_several_workers_with_the_memory_broker_are_refused(data_dir: Path) -> None:
    result = backcast(data_dir, "serve", "--workers", "2")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "backcast: error: several workers need a shared broker: set BACKCAST_BROKER=postgres or redis "
        "(with PostgreSQL as the database), or run one worker"
    ]


def test_a_bad_setting_is_named(data_dir: Path) -> None:
    result = backcast(data_dir, "db", "upgrade", BACKCAST_BROKER="carrier-pigeon")
    assert result.returncode == 1
    assert result.stderr.startswith("backcast: error: BACKCAST_BROKER: ")
    assert len(result.stderr.splitlines()) == 1


def test_an_unreachable_database_is_one_line(tmp_path: Path) -> None:
    result = backcast(
        tmp_path,
        "db",
        "upgrade",
        BACKCAST_DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2",
    )
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr


def test_an_empty_setting_counts_as_unset(data_dir: Path) -> None:
    result = backcast(data_dir, "db", "upgrade", BACKCAST_DATABASE_URL="", BACKCAST_PUBLIC_URL="")
    assert result.returncode == 0, result.stderr


def seeded_workshop(data_dir: Path) -> str:
    """A rated workshop in the CLI's own database; returns its code."""
    from tests.scenario import rated_workshop

    db = open_db(data_dir)
    try:
        return rated_workshop(db).workshop.code
    finally:
        db.dispose()


def test_export_writes_the_file_and_says_so(data_dir: Path, tmp_path: Path) -> None:
    code = seeded_workshop(data_dir)
    out = tmp_path / "ratings.csv"
    result = backcast(data_dir, "export", code, "--format", "csv", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{out}: {out.stat().st_size:,} bytes\n"
    assert out.read_text().splitlines()[0].startswith("item_id,item_kind,item_text,criterion,value")

    package = tmp_path / "package.zip"
    assert (
        backcast(data_dir, "export", code, "--format", "datapackage", "--out", str(package)).returncode == 0
    )
    with zipfile.ZipFile(package) as archive:
        manifest = json.loads(archive.read("datapackage.json"))
    assert manifest["provenance"]["exported_by"] == "backcast export on the command line"

    dots = backcast(data_dir, "export", code, "--table", "dots", "--out", "-")
    assert dots.stdout.splitlines()[0] == "item_id,participant,group,count,updated_at,in_results"
    unknown = backcast(data_dir, "export", "ZZZZZZ")
    assert (unknown.returncode, unknown.stderr) == (
        1,
        "backcast: error: There is no workshop with this code.\n",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--format", "pdf"), "Choose a format: csv, xlsx, json or datapackage."),
        (("--format", "xlsx", "--table", "dots"), "A single table can be exported only as CSV."),
        (
            ("--out", "/nonexistent-dir/x.csv"),
            "cannot write /nonexistent-dir/x.csv: No such file or directory",
        ),
    ],
)
def test_export_errors_are_one_line(data_dir: Path, args: tuple[str, ...], message: str) -> None:
    code = seeded_workshop(data_dir)
    result = backcast(data_dir, "export", code, *args)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [f"backcast: error: {message}"]
    assert (
        backcast(data_dir, "export", "ZZZZZZ").stderr
        == "backcast: error: There is no workshop with this code.\n"
    )


def test_export_shows_progress_on_a_terminal_for_large_workshops() -> None:
    shown = io.StringIO()
    bar = ProgressBar(shown, minimum=100, width=10)
    for done in (0, 50, 100):
        bar(done, 100)
    assert shown.getvalue() == (
        "\rexporting [..........] 0/100 rows"
        "\rexporting [#####.....] 50/100 rows"
        "\rexporting [##########] 100/100 rows\n"
    )
    quiet = io.StringIO()
    ProgressBar(quiet, minimum=1000)(10, 10)
    assert quiet.getvalue() == ""


def test_demo_prints_where_to_find_it_and_the_login_once(data_dir: Path) -> None:
    first = backcast(data_dir, "demo", BACKCAST_PUBLIC_URL="https://workshop.example.org/")
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    found = re.fullmatch(
        r"demo workshop ([A-Z0-9]{6}) “Kreislaufwirtschaft im Nordwesten 2045”: 25 participants, "
        r"46 contributions, rated, prioritised, results shown \(\d+\.\d s\)",
        lines[0],
    )
    assert found, lines[0]
    code = found.group(1)
    password = re.fullmatch(
        r"  sign in as demo@backcast.invalid with the password (\S+) \(shown only this once\)", lines[4]
    )
    assert password, lines[4]
    assert lines[1:4] + lines[5:] == [
        f"  console: https://workshop.example.org/facilitate/{code}",
        f"  screen:  https://workshop.example.org/w/{code}/screen",
        f"  join:    https://workshop.example.org/j/{code}",
        "These pages need the server: run `backcast serve` (or `make run`).",
    ]

    second = backcast(data_dir, "demo")
    assert second.returncode == 0, second.stderr
    assert second.stdout.splitlines()[4] == (
        "  sign in as demo@backcast.invalid, an account that exists already: its password is unchanged"
    )
    db = open_db(data_dir)
    try:
        facilitator = accounts.authenticate(db, "demo@backcast.invalid", password.group(1))
        owned = workshops.workshops_of(db, facilitator)
        assert len(owned) == 2 and code in {shop.code for shop in owned}
        assert {(shop.phase, shop.results_visible) for shop in owned} == {("results", True)}
    finally:
        db.dispose()
    assert password.group(1).encode() not in (data_dir / "backcast.sqlite3").read_bytes()


def test_demo_takes_another_account_and_its_password_from_stdin(data_dir: Path) -> None:
    result = backcast(
        data_dir, "demo", "--email", "Me@Example.org", "--password-stdin", stdin="my own password\n"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[4] == "  sign in as me@example.org with the password you gave"
    db = open_db(data_dir)
    try:
        assert (
            len(workshops.workshops_of(db, accounts.authenticate(db, "me@example.org", "my own password")))
            == 1
        )
    finally:
        db.dispose()


def test_demo_refuses_a_database_that_is_behind(tmp_path: Path) -> None:
    result = backcast(tmp_path / "data", "demo")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [
        f"backcast: error: the database has no schema yet, this version needs {migrate.head_revision()}: "
        "run `backcast db upgrade`"
    ]


def test_a_rehearsal_ends_by_itself_when_its_time_is_up(data_dir: Path) -> None:
    started = time.monotonic()
    result = backcast(
        data_dir, "demo", "--live", "--participants", "3", "--minutes", "0.05", "--speed", "100"
    )
    assert result.returncode == 0, result.stderr
    assert 3 <= time.monotonic() - started < 30
    lines = result.stdout.splitlines()
    assert lines[5] == (
        "3 simulated participants arrive, most in the first 0.6 seconds, and follow the phases you set in "
        "the console for 3 seconds; Ctrl-C ends the rehearsal sooner."
    )
    assert lines[-1] == "rehearsal over after 3 seconds: 3 joined, 0 contributions, 0 ratings, 0 dots placed"


def test_the_command_speaks_the_terminal_s_language(tmp_path: Path, data_dir: Path) -> None:
    fresh = tmp_path / "fresh"
    german = backcast(fresh, "facilitator", "add", "ana@example.org", "--password-stdin", LANG="de_DE.UTF-8")
    assert (german.returncode, german.stderr.strip()) == (
        1,
        f"backcast: Fehler: die Datenbank hat noch kein Schema, diese Version braucht "
        f"{migrate.head_revision()}: Führen Sie `backcast db upgrade` aus",
    )
    english = backcast(fresh, "facilitator", "add", "ana@example.org", "--password-stdin", LANG="C.UTF-8")
    assert english.stderr.strip() == (
        f"backcast: error: the database has no schema yet, this version needs {migrate.head_revision()}: "
        "run `backcast db upgrade`"
    )
    added = backcast(
        data_dir,
        "facilitator",
        "add",
        "ana@example.org",
        "--password-stdin",
        stdin="a long password\n",
        LANGUAGE="de:en",
    )
    assert added.stdout.strip() == "Moderationskonto ana@example.org angelegt"
    short = backcast(
        data_dir,
        "facilitator",
        "add",
        "bob@example.org",
        "--password-stdin",
        stdin="short\n",
        LC_ALL="de_AT.UTF-8",
    )
    assert short.stderr.strip().startswith("backcast: Fehler: Wählen Sie ein Passwort mit mindestens")
    helped = backcast(data_dir, "--help", LANG="de_DE.UTF-8")
    assert "den Webserver starten" in helped.stdout


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "POSIX"}, "en"),
        ({"LANG": "de_DE.UTF-8"}, "de"),
        ({"LANG": "fr_FR.UTF-8"}, "en"),
        ({"LANGUAGE": "fr:de", "LANG": "en_GB.UTF-8"}, "de"),
        ({"LC_ALL": "en_US.UTF-8", "LANG": "de_DE.UTF-8"}, "en"),
        ({"LC_MESSAGES": "de_CH", "LANG": "en_US.UTF-8"}, "de"),
    ],
)
def test_the_terminal_language_follows_the_posix_variables(environ: dict[str, str], language: str) -> None:
    from backcast.cli import terminal_language

    assert terminal_language(environ) == language


def test_demo_links_name_the_port_the_running_server_uses(data_dir: Path) -> None:
    running = real_server.start(data_dir)
    try:
        port = running.base_url.rsplit(":", 1)[1]
        shown = backcast(data_dir, "demo")
        assert shown.returncode == 0, shown.stderr
        console = shown.stdout.splitlines()[1]
        assert re.fullmatch(rf"  console: http://\S+:{port}/facilitate/[A-Z0-9]{{6}}", console), console
        # A port the environment names wins, as for `serve` itself.
        named = backcast(data_dir, "demo", PORT="9911")
        assert re.fullmatch(
            r"  console: http://\S+:9911/facilitate/[A-Z0-9]{6}", named.stdout.splitlines()[1]
        )
    finally:
        running.stop()
