"""The documentation keeps up with the code: every event and every setting is described."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from babel.support import Translations

from backcast import docsgen, events
from backcast.export.schema import TABLES
from backcast.paths import ROOT
from backcast.settings import Settings


@pytest.mark.parametrize("page", ["events.md", "settings.md"])
def test_the_events_and_settings_pages_are_what_the_code_says(page: str) -> None:
    path = ROOT / "docs" / page
    generated = docsgen.pages()[path]

    assert path.read_text() == generated, f"docs/{page} is not current: run `make docs`"


def test_the_generator_reports_a_stale_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`python -m backcast.docsgen --check` fails on a page that differs, and writing mends it."""
    (tmp_path / "docs").mkdir()
    monkeypatch.setattr(docsgen, "ROOT", tmp_path)
    for path, text in docsgen.pages().items():
        path.write_text(text)
    assert docsgen.main(["--check"]) == 0
    settings_page = tmp_path / "docs" / "settings.md"
    settings_page.write_text(settings_page.read_text().replace("BACKCAST_JOIN_LIMIT", "BACKCAST_JOINS"))

    assert docsgen.main(["--check"]) == 1
    assert docsgen.main([]) == 0
    assert docsgen.main(["--check"]) == 0


def test_every_setting_row_names_its_type_default_and_meaning() -> None:
    rows = re.findall(
        r"^\| `BACKCAST_([A-Z_]+)` \| `(.+?)` \| (.+?) \| (.+) \|$", docsgen.settings_page(), re.M
    )

    assert [row[0] for row in rows] == [name.upper() for name in Settings.model_fields]
    assert dict((name, default) for name, _, default, _ in rows)["JOIN_LIMIT"] == "`200`"
    assert all(meaning.strip() for *_, meaning in rows)


def test_every_event_is_listed_in_docs_with_its_fields() -> None:
    text = (ROOT / "docs" / "events.md").read_text()
    sections = dict(re.findall(r"^## `([a-z-]+)`\n(.*?)(?=^## |\Z)", text, flags=re.M | re.S))

    assert sorted(sections) == sorted(events.EVENT_TYPES)
    for type_, cls in events.EVENT_TYPES.items():
        documented = re.findall(r"^\| `(\w+)` \|", sections[type_], flags=re.M)
        assert documented == list(cls.model_fields), type_


@pytest.mark.parametrize("type_", sorted(events.EVENT_TYPES))
def test_event_names_are_past_tense_kebab_case_with_a_docstring(type_: str) -> None:
    cls = events.EVENT_TYPES[type_]

    assert re.fullmatch(r"[a-z]+(-[a-z]+)+", type_)
    assert type_.split("-")[-1].endswith(("ed", "set", "shown", "hidden", "withdrawn")), type_
    assert cls.__doc__ and cls.__doc__.strip()


def test_no_event_can_carry_a_secret() -> None:
    secret_words = re.compile(r"^token$|_token$|password|hash|secret|^name$|email")
    for cls in events.EVENT_TYPES.values():
        assert [field for field in cls.model_fields if secret_words.search(field)] == [], cls.type


def test_every_setting_is_documented() -> None:
    text = (ROOT / "docs" / "settings.md").read_text()
    documented = set(re.findall(r"^\| `BACKCAST_([A-Z_]+)` \|", text, flags=re.M))

    assert documented == {name.upper() for name in Settings.model_fields}


def test_readme_opens_with_the_two_commands() -> None:
    head = (ROOT / "README.md").read_text().split("\n\n")[:3]

    assert any("make run" in block and "make test" in block for block in head)


def test_the_codebook_lists_every_column_of_every_export_table() -> None:
    text = (ROOT / "docs" / "results.md").read_text()
    sections = dict(re.findall(r"^### `([a-z_]+)`\n(.*?)(?=^#|\Z)", text, flags=re.M | re.S))

    assert list(sections) == list(TABLES)
    for name, spec in TABLES.items():
        documented = re.findall(r"^\| `(\w+)` \| (\w+) \|", sections[name], flags=re.M)
        assert documented == [(column.name, column.type) for column in spec.columns], name


def test_the_readme_links_the_results_docs() -> None:
    assert "[results and exports](docs/results.md)" in (ROOT / "README.md").read_text()


def test_the_readme_links_the_security_docs_and_they_name_every_limit_setting() -> None:
    assert "[security](docs/security.md)" in (ROOT / "README.md").read_text()
    text = (ROOT / "docs" / "security.md").read_text()
    limits = [
        name for name in Settings.model_fields if name.startswith(("join_code", "login", "contribution"))
    ]
    assert [name for name in [*limits, "max_body_size"] if f"BACKCAST_{name.upper()}" not in text] == []


def _german() -> Translations:
    return Translations.load(str(ROOT / "backcast" / "locale"), ["de"], domain="messages")


def test_the_facilitators_guide_gives_every_console_label_it_names_in_german() -> None:
    """A German facilitator reads the guide in English and the console in German: the table
    gives each label as the German console shows it."""
    text = (ROOT / "docs" / "facilitator.md").read_text()
    table = text.split("### Console labels in German\n", 1)[1].split("\n## ", 1)[0]
    rows = dict(re.findall(r"^\| (.+?) \| (.+?) \|$", table, flags=re.M)[1:])
    german = _german()
    with (ROOT / "backcast/locale/messages.pot").open("rb") as handle:
        msgids = {message.id for message in read_po(handle)}
    named = {label for label in re.findall(r"\*\*(.+?)\*\*", text) if label in msgids}

    assert {english: german.ugettext(english) for english in rows} == rows
    assert sorted(named - set(rows)) == []


# "Anonymous" promises what pseudonyms cannot keep: groups can be as small as two, and free text
# can name someone. Where the word appears it says what the data is not.
NOT_ANONYMOUS = re.compile(r"\b(not|nicht|never|nie|kein\w*)\b[^.;:]{0,40}$", re.I)


def _anonymity_claims(text: str) -> list[str]:
    text = re.sub(r"`[^`\n]*`", "", text)  # event names and functions are part of the contract
    return [
        text[max(0, found.start() - 60) : found.end() + 20]
        for found in re.finditer(r"anonym", text, flags=re.I)
        if not NOT_ANONYMOUS.search(text[max(0, found.start() - 45) : found.start()])
    ]


def test_no_guide_and_no_page_calls_the_data_anonymous() -> None:
    claims = {
        str(path.relative_to(ROOT)): _anonymity_claims(path.read_text())
        for path in [*(ROOT / "docs").glob("*.md"), *(ROOT / "templates").rglob("*.html")]
    }
    with (ROOT / "backcast/locale/de/LC_MESSAGES/messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    for message in catalogue:
        for text in (message.id, message.string):
            for piece in text if isinstance(text, tuple) else (text,):
                claims.setdefault("messages", []).extend(_anonymity_claims(piece or ""))

    assert {where: found for where, found in claims.items() if found} == {}


def test_the_anonymity_check_catches_a_promise() -> None:
    assert _anonymity_claims("Participants are promised anonymity.") != []
    assert _anonymity_claims("Ihre Antworten sind anonym.") != []
    assert _anonymity_claims("A pseudonym is not anonymity: in a small group") == []
