"""Jinja templates with gettext, shared by every HTML route."""

from __future__ import annotations

from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from backcast import __version__, i18n
from backcast.paths import TEMPLATES
from backcast.web import labels


def make_templates() -> Jinja2Templates:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        # A misspelt variable fails the test that renders the page, instead of showing nothing.
        undefined=StrictUndefined,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.template_gettext, i18n.template_ngettext, newstyle=True
    )
    env.globals["version"] = __version__
    env.globals["current_language"] = i18n.current_language.get
    env.globals["PHASE_NAMES"] = labels.PHASE_NAMES
    env.globals["PHASE_PROMPTS"] = labels.PHASE_PROMPTS
    env.globals["KIND_NAMES"] = labels.KIND_NAMES
    env.globals["PARENT_QUESTIONS"] = labels.PARENT_QUESTIONS
    return Jinja2Templates(env=env)
