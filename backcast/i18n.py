"""Translation of UI strings and messages, per request.

Messages are English msgids marked with `N_` where they are raised and translated where they
are shown, in the language of the person reading them. The locale of the current request lives
in a context variable, which the web layer sets (see `backcast.web.locale`).

A language is a directory under `locale/` with a compiled catalogue; adding one is a translation
file and `make`, not code (docs/i18n.md).
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DEFAULT_LANGUAGE = "en"
# Babel's plain "en" formats the American way (month first); our English is British, and the
# people reading it are mostly in Europe.
FORMAT_LOCALES = {"en": "en_GB"}


@cache
def available_languages() -> tuple[str, ...]:
    """The languages whose pages can be shown: English (the msgids) and each compiled catalogue.
    A page only claims a language in `<html lang>` when its text really is in that language."""
    compiled = {path.parent.parent.name for path in LOCALE_DIR.glob("*/LC_MESSAGES/messages.mo")}
    return tuple(sorted(compiled | {DEFAULT_LANGUAGE}))


current_language: ContextVar[str] = ContextVar("current_language", default=DEFAULT_LANGUAGE)


def N_(message: str) -> str:  # marks a message; translated where it is shown
    return message


class Plural(str):
    """A counted message, marked where it is raised and translated where it is shown: the singular
    msgid, carrying its plural and the name of the parameter that holds the count."""

    plural: str
    # Shadows `str.count` on purpose: the name matches the `count=` keyword of N_plural.
    count: str  # type: ignore[assignment]

    def __new__(cls, singular: str, plural: str, count: str = "num") -> Plural:
        message = super().__new__(cls, singular)
        message.plural, message.count = plural, count
        return message

    def english(self, params: dict[str, Any]) -> str:
        return self if params.get(self.count) == 1 else self.plural


def N_plural(singular: str, plural: str, count: str = "num") -> Plural:
    """Marks a counted message (extracted with the keyword `N_plural:1,2`), so that "1 dot" and
    "2 dots" each read right in every language; `count` names the parameter holding the number."""
    return Plural(singular, plural, count)


@cache
def translations(language: str) -> NullTranslations:
    return Translations.load(str(LOCALE_DIR), [language], domain="messages")


def gettext(message: str, **params: Any) -> str:
    return translate(message, current_language.get(), params)


def ngettext(singular: str, plural: str, n: int, **params: Any) -> str:
    text = translations(current_language.get()).ungettext(singular, plural, n)
    return text % {"num": n, **params}


def translate(message: str, language: str, params: dict[str, Any] | None = None) -> str:
    if isinstance(message, Plural):
        params = params or {}
        text = translations(language).ungettext(message, message.plural, params[message.count])
    else:
        text = translations(language).ugettext(message)
    return text % params if params else text


def template_gettext(message: str) -> str:
    """For Jinja's i18n extension, which formats the result itself (with autoescaping)."""
    return translations(current_language.get()).ugettext(message)


def template_ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_language.get()).ungettext(singular, plural, n)


def negotiate(accept_language: str | None, fallback: str = DEFAULT_LANGUAGE) -> str:
    """The first of our languages that an Accept-Language header asks for, by its weights."""
    if not accept_language:
        return fallback
    choices: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        primary = tag.strip().lower().split("-")[0]
        if primary in available_languages() and weight > 0:
            choices.append((-weight, index, primary))
    return min(choices)[2] if choices else fallback


def choose_language(
    choice: str | None, accept_language: str | None, workshop_language: str | None = None
) -> str:
    """The one rule for the language of a page or an API answer. The first that we can show wins:

    1. `choice`: the person's own choice, made with the language switcher (a cookie);
    2. `accept_language`: their browser's or client's Accept-Language, by its weights;
    3. `workshop_language`: the language of the workshop, on pages that belong to one
       (phone, screen, console), so that a browser asking only for, say, French gets the
       workshop's language rather than English;
    4. English.
    """
    if choice is not None and choice in available_languages():
        return choice
    fallback = workshop_language if workshop_language in available_languages() else DEFAULT_LANGUAGE
    return negotiate(accept_language, fallback)


def language_name(language: str) -> str:
    """A language's name in itself ("Deutsch", "English"), as a switcher shows it."""
    name = _locale(language).get_display_name(language) or language
    return name[:1].upper() + name[1:]


def format_locale(language: str | None = None) -> Locale:
    """The Babel locale that formats numbers and dates for a language (the current one by default)."""
    language = language or current_language.get()
    return _locale(FORMAT_LOCALES.get(language, language))


@cache
def _locale(identifier: str) -> Locale:
    return Locale.parse(identifier)
