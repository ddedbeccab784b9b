"""Jinja templates with gettext and locale-aware formatting, shared by every HTML route."""

from __future__ import annotations

import copy
from datetime import date, datetime
from decimal import Decimal

from babel.dates import format_date as babel_format_date
from babel.numbers import NumberPattern, parse_pattern
from babel.numbers import format_decimal as babel_format_decimal
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from backcast import __version__, i18n
from backcast.enums import Phase
from backcast.models import Criterion, StakeholderGroup, Workshop
from backcast.paths import TEMPLATES
from backcast.queries.labels import Labels
from backcast.queries.screen import GroupCount
from backcast.web import labels
from backcast.web.hyphenation import hyphenate
from backcast.web.locale import switcher
from backcast.workshop_templates import pick


def phase_label(phase: str) -> str:
    """A phase as people read it, in the current language: `measures` → "Maßnahmen"."""
    return i18n.gettext(labels.PHASE_LABELS[Phase(phase)])


def phase_prompt(workshop: Workshop, phase: str) -> str:
    """What participants are asked in `phase`: the workshop's own text in the current language (or
    its other one), else the built-in prompt translated."""
    own = pick(workshop.prompts.get(phase, {}), i18n.current_language.get())
    if own:
        return own.replace("{vision_year}", str(workshop.vision_year)).replace(
            "{present_year}", str(workshop.present_year)
        )
    return i18n.gettext(labels.PHASE_PROMPTS[phase], year=workshop.vision_year)


def builtin_label(
    thing: Criterion | StakeholderGroup | GroupCount, workshop: Workshop, part: str = "label"
) -> str:
    """A criterion's label or scale end (`part`: label, low or high), or a group's label, in the
    current language where the workshop's built-in template holds it; what was typed stays as typed."""
    names = Labels.of(workshop)
    if isinstance(thing, Criterion):
        return {"label": names.criterion, "low": names.low, "high": names.high}[part](thing)
    return names.group_label(thing.key, thing.label)


def screen_text(text: str, workshop: Workshop) -> str:
    """A contribution's text as the projector shows it: soft hyphens in its long words, by the
    workshop's language (contributions are written in the workshop's language)."""
    return hyphenate(text, workshop.language)


def format_number(value: float | Decimal | str) -> str:
    """A number as the current language writes it, with up to three decimals: 1234.5 → "1.234,5".
    Text is shown as it is: a form shown again keeps what was typed, number or not."""
    if isinstance(value, str):
        return value
    return babel_format_decimal(value, locale=i18n.format_locale())


def format_decimal(value: float | Decimal, digits: int = 1) -> str:
    """A number with exactly `digits` decimals, for means and scores: 1.5 → "1,50" with 2."""
    return _with_digits(i18n.format_locale().decimal_formats[None], value, digits)


def format_percent(value: float | Decimal, digits: int = 0) -> str:
    """A share (0.42) as a percentage, spaced as the language does it: "42 %" in German, "42%" in English."""
    return _with_digits(i18n.format_locale().percent_formats[None], value, digits)


def format_date(value: date | datetime, format: str = "medium") -> str:
    """A date as the current language writes it: "25.11.2026", "25 Nov 2026"; `format` is a Babel
    format name ("short", "medium", "long", "full") or pattern."""
    return babel_format_date(value, format=format, locale=i18n.format_locale())


def _with_digits(pattern: NumberPattern, value: float | Decimal, digits: int) -> str:
    # The locale's own pattern keeps its spacing and signs; only the decimals are fixed.
    fixed = copy.copy(parse_pattern(pattern))
    fixed.frac_prec = (digits, digits)
    return str(fixed.apply(value, i18n.format_locale()))


# The two languages a printed report carries, so that partners reading either can follow it.
REPORT_LANGUAGES = ("en", "de")


def companion_language() -> str:
    """The report's second language: the other of German and English, beside the page's own."""
    current = i18n.current_language.get()
    return next(language for language in REPORT_LANGUAGES if language != current)


def in_language(message: str, language: str, **params: object) -> str:
    """A message (an msgid marked with `N_`) in another language than the page's."""
    return i18n.translate(message, language, params or None)


def make_templates() -> Jinja2Templates:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        # A misspelt variable fails the test that renders the page, instead of showing nothing.
        undefined=StrictUndefined,
    )
    # The i18n extension adds this method to the environment when it loads, out of the type's sight.
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.template_gettext, i18n.template_ngettext, newstyle=True
    )
    env.globals["version"] = __version__
    env.globals["current_language"] = i18n.current_language.get
    env.filters["number"] = format_number
    env.filters["decimal"] = format_decimal
    env.filters["percent"] = format_percent
    env.filters["date"] = format_date
    env.filters["phase"] = phase_label
    env.filters["builtin"] = builtin_label
    env.globals["phase_prompt"] = phase_prompt
    env.globals["pick"] = pick
    env.filters["in_language"] = in_language
    # Contribution texts on the projector only: `{{ item.text|hyphenate(workshop) }}`.
    env.filters["hyphenate"] = screen_text
    # `N_("…")` marks a message for extraction where a macro translates it into two languages.
    env.globals["N_"] = i18n.N_
    env.globals["companion_language"] = companion_language
    env.globals["KIND_NAMES"] = labels.KIND_NAMES
    env.globals["PARENT_QUESTIONS"] = labels.PARENT_QUESTIONS
    env.globals["ASSIGN_NAMES"] = labels.ASSIGN_NAMES
    return Jinja2Templates(env=env, context_processors=[switcher])
