"""The translation files keep up with the code: every message extracted, every one in German."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po
from babel.support import Translations

from backcast import i18n
from backcast.paths import ROOT

LOCALE = ROOT / "backcast" / "locale"
TEMPLATE = LOCALE / "messages.pot"


def read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def po(language: str) -> Catalog:
    return read(LOCALE / language / "LC_MESSAGES" / "messages.po")


# Every language with a translation file; English is the msgids, so only the others are translated.
LANGUAGES = sorted(path.parent.parent.name for path in LOCALE.glob("*/LC_MESSAGES/messages.po"))
TRANSLATED = [language for language in LANGUAGES if language != "en"]


def messages(catalog: Catalog) -> list[Message]:
    return [message for message in catalog if message.id]


def ids(catalog: Catalog) -> set[str | tuple[str, ...]]:
    return {message.id for message in messages(catalog)}


def strings(message: Message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"%\(\w+\)[sd]", text))


def test_german_is_there_and_english_needs_no_translation() -> None:
    assert "de" in TRANSLATED and "en" in LANGUAGES


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated_and_none_is_fuzzy(language: str) -> None:
    catalog = po(language)

    assert catalog.fuzzy is False
    assert [message.id for message in messages(catalog) if message.fuzzy] == []
    assert [message.id for message in messages(catalog) if not all(strings(message))] == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_every_placeholder_of_the_english(language: str) -> None:
    # Babel's own check allows a translation to drop a placeholder; a dropped link or number is a bug.
    catalog = po(language)
    problems = [(message.id, [str(error) for error in errors]) for message, errors in catalog.check()]
    dropped = [
        message.id
        for message in messages(catalog)
        for text in strings(message)
        if placeholders(text) != placeholders(message.id if isinstance(message.id, str) else message.id[0])
    ]

    assert (problems, dropped) == ([], [])


def test_english_is_the_msgids_themselves() -> None:
    # One place for the English wording: the code. A filled English msgstr would silently win.
    english = po("en")

    assert english.fuzzy is False
    assert [message.id for message in messages(english) if any(strings(message))] == []


def test_extraction_finds_nothing_the_committed_template_lacks(tmp_path: Path) -> None:
    extracted_path = tmp_path / "messages.pot"
    subprocess.run(
        [
            *(sys.executable, "-m", "babel.messages.frontend", "--quiet", "extract"),
            *("--mapping-file=babel.cfg", f"--output-file={extracted_path}", "."),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    extracted, committed = ids(read(extracted_path)), ids(read(TEMPLATE))

    # `make messages` brings the template and the translations up to date.
    assert sorted(map(str, extracted - committed)) == []
    assert sorted(map(str, committed - extracted)) == []
    # Calls through the module (`i18n.gettext`, `i18n.ngettext`, `i18n.N_`) are found too.
    assert "There is no page at this address." in extracted
    assert (
        "The request is not valid: %(num)d problem.",
        "The request is not valid: %(num)d problems.",
    ) in extracted


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_has_every_message_of_the_template(language: str) -> None:
    assert ids(po(language)) == ids(read(TEMPLATE))


def test_every_language_is_compiled_and_offered() -> None:
    """The .mo files are built by `make`; a language without one would never be offered."""
    assert i18n.available_languages() == tuple(LANGUAGES)


@pytest.mark.parametrize("language", TRANSLATED)
def test_compiled_catalogues_are_current(language: str) -> None:
    """A stale .mo would show old or English text."""
    compiled = Translations.load(str(LOCALE), [language], domain="messages")
    for message in messages(po(language)):
        if isinstance(message.id, tuple):
            assert compiled.ungettext(message.id[0], message.id[1], 1) == strings(message)[0]
        else:
            assert compiled.ugettext(message.id) == message.string, message.id
