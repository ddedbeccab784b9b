"""Translation of UI strings and messages, per request.

Messages are English msgids marked with `N_` where they are raised and translated where they
are shown, in the language of the person reading them. The locale of the current request lives
in a context variable, which the web layer sets.
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("de", "en")
DEFAULT_LANGUAGE = "en"


@cache
def available_languages() -> tuple[str, ...]:
    """The languages whose pages can be shown: English (the msgids) and each compiled catalogue.
    A page only claims a language in `<html lang>` when its text really is in that language."""
    compiled = {lang for lang in LANGUAGES if (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.mo").exists()}
    return tuple(lang for lang in LANGUAGES if lang == DEFAULT_LANGUAGE or lang in compiled)


current_language: ContextVar[str] = ContextVar("current_language", default=DEFAULT_LANGUAGE)


def N_(message: str) -> str:  # marks a message; translated where it is shown
    return message


@cache
def translations(language: str) -> NullTranslations:
    return Translations.load(str(LOCALE_DIR), [language], domain="messages")


def gettext(message: str, **params: Any) -> str:
    text = translations(current_language.get()).ugettext(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params: Any) -> str:
    text = translations(current_language.get()).ungettext(singular, plural, n)
    return text % {"num": n, **params}


def translate(message: str, language: str, params: dict[str, Any] | None = None) -> str:
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
