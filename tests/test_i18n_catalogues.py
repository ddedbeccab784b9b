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
from backcast.http import limits
from backcast.paths import ROOT
from backcast.services.errors import Invalid

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
            *("--mapping-file=babel.cfg", "--keyword=N_plural:1,2", f"--output-file={extracted_path}", "."),
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


# Placeholders that stand for a number of things: a message with one of them needs plural forms, or
# a screen reader says "1 Punkte" / "1 dots". The exceptions say why one form is always right.
COUNTS = {
    *("count", "num", "dots", "days", "seconds", "minutes", "left", "budget", "participants", "items"),
    *("ratings", "joined", "added", "raters", "total", "more", "years", "max", "min", "length", "size"),
}
ONE_FORM_IS_RIGHT = {
    "demo workshop %(code)s “%(title)s”: %(participants)d participants, %(items)d contributions, "
    "rated, prioritised, results shown (%(seconds)s s)": "the demo has 25 people, 46 items",
    "They write to this database: keep `backcast serve` running on it. With BACKCAST_BROKER=memory "
    "the server shows their changes within %(seconds)s seconds; set BACKCAST_BROKER=postgres or "
    "redis on both for instant updates.": "the memory broker's polling interval, a fraction or several",
    "Choose a password of at least %(min)d characters.": "a constant, 10",
    "measures: %(count)d": "a label before its number",
    "coded: %(count)d": "a label before its number",
    "Contributions with a settled coding: %(count)d.": "a label before its number",
    "At most %(max)d links.": "a constant above 1",
    "At most %(max)d themes.": "a constant, 200",
    "At most %(max)d items.": "a constant, 500",
    "demo study %(id)d “%(title)s”: three regional workshops of 25 participants each, coded in part by "
    "two researchers (%(seconds)s s)": "seconds with a decimal, after a unit-like “s”",
    "This is too long: at most %(max)d characters, you wrote %(length)d.": "limits above 1",
    "At most %(max)d criteria.": "a constant above 1",
    "At most %(max)d groups.": "a constant above 1",
    "At most %(max)d milestone years.": "a constant above 1",
    "The request is too large: at most %(size)d KB are accepted.": "KB is a unit",
    "%(rated)d of %(total)d rated": "no counted noun",
    "%(placed)d of %(budget)d": "no counted noun",
    "Contribution %(at)d of %(num)d": "a position, not a count",
    "fewer than %(count)d": "no counted noun",
    "Score (0–100) and rank within each group. A group's figures are shown only where at least "
    "%(count)d of its participants rated the measure.": "“at least 1 of its participants” reads right",
    "Consensus: at least %(count)d values and an IQR of at most a quarter of the scale's range (1 on "
    "a 1–5 scale).": "a constant, 3",
    "By stakeholder group: a group's figures for a measure are shown only where at least %(count)d of "
    "its participants rated it, so that nobody's answer can be read off.": "reads right",
}


def test_every_counted_message_has_plural_forms() -> None:
    counted_singulars = {
        message.id
        for message in messages(read(TEMPLATE))
        if isinstance(message.id, str) and COUNTS & set(re.findall(r"%\((\w+)\)[ds]", message.id))
    }

    assert sorted(counted_singulars - set(ONE_FORM_IS_RIGHT)) == []
    assert sorted(set(ONE_FORM_IS_RIGHT) - counted_singulars) == []  # no stale exception


@pytest.mark.parametrize("language", LANGUAGES)
def test_one_and_two_of_a_thing_read_right(language: str) -> None:
    token = i18n.current_language.set(language)
    try:
        one, two = (i18n.ngettext("%(num)d dot", "%(num)d dots", n) for n in (1, 2))
        limited = [i18n.gettext(limits.WRONG_CODES, seconds=n) for n in (1, 30)]
    finally:
        i18n.current_language.reset(token)

    assert (one, two) == {"en": ("1 dot", "2 dots"), "de": ("1 Punkt", "2 Punkte")}[language]
    assert [text.split(". ")[1] for text in limited] == {
        "en": ["Please wait 1 second and try again.", "Please wait 30 seconds and try again."],
        "de": [
            "Bitte warten Sie 1 Sekunde und versuchen Sie es dann erneut.",
            "Bitte warten Sie 30 Sekunden und versuchen Sie es dann erneut.",
        ],
    }[language]


def test_a_refusal_with_a_count_says_it_in_english_too() -> None:
    # A service's refusal carries its counted message; its English text (logs, str()) agrees too.
    one = Invalid(limits.WRONG_CODES, seconds=1)
    many = Invalid(limits.WRONG_CODES, seconds=5)

    assert "wait 1 second and" in str(one) and "wait 5 seconds and" in str(many)
