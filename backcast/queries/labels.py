"""Built-in labels in the reader's language.

A workshop stores its criteria and groups in the language it was set up in. Where a label is
still the one its built-in template gave it, the template holds it in every language, so a German
phone in an English workshop can read "Wirkung" for "Impact". What a facilitator typed exists in
one language only and stays as typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from backcast import i18n, workshop_templates
from backcast.models import Criterion, StakeholderGroup, Workshop
from backcast.workshop_templates import Label, TemplateCriterion, TemplateGroup, WorkshopTemplate


def _in_languages(texts: Label, stored: str) -> dict[str, str]:
    # Only a label equal to one of the template's own counts as built-in: an edited one is typed.
    if stored and stored in texts.values():
        return {language.value: text for language, text in texts.items() if text}
    return {}


def builtin_labels(
    entries: Sequence[TemplateCriterion] | Sequence[TemplateGroup], key: str, label: str
) -> dict[str, str]:
    """A criterion's or group's label in every language, when it is still one its built-in
    template gave it; nothing for a label the facilitator typed, which exists in one language."""
    for entry in entries:
        if entry.key == key:
            return _in_languages(entry.label, label)
    return {}


def template_of(workshop: Workshop) -> WorkshopTemplate:
    """The built-in template a workshop started from, or the default one for any other."""
    known = (
        workshop.template if workshop.template in workshop_templates.BUILT_IN else workshop_templates.DEFAULT
    )
    return workshop_templates.built_in(known)


def _reader(texts: dict[str, str], stored: str, language: str | None) -> str:
    return texts.get(language or i18n.current_language.get()) or stored


@dataclass(frozen=True)
class Labels:
    """One workshop's criteria and group labels, each in the language of whoever reads them."""

    template: WorkshopTemplate

    @classmethod
    def of(cls, workshop: Workshop) -> Labels:
        return cls(template_of(workshop))

    def _criterion(self, key: str) -> TemplateCriterion | None:
        return next((entry for entry in self.template.criteria if entry.key == key), None)

    def criterion(self, criterion: Criterion, language: str | None = None) -> str:
        entry = self._criterion(criterion.key)
        texts = _in_languages(entry.label, criterion.label) if entry else {}
        return _reader(texts, criterion.label, language)

    def low(self, criterion: Criterion, language: str | None = None) -> str:
        entry = self._criterion(criterion.key)
        texts = _in_languages(entry.low_label, criterion.low_label) if entry else {}
        return _reader(texts, criterion.low_label, language)

    def high(self, criterion: Criterion, language: str | None = None) -> str:
        entry = self._criterion(criterion.key)
        texts = _in_languages(entry.high_label, criterion.high_label) if entry else {}
        return _reader(texts, criterion.high_label, language)

    def group(self, group: StakeholderGroup, language: str | None = None) -> str:
        return self.group_label(group.key, group.label, language)

    def group_label(self, key: str, label: str, language: str | None = None) -> str:
        """A group's label by its key and stored label (as counted groups carry them)."""
        return _reader(builtin_labels(self.template.groups, key, label), label, language)
