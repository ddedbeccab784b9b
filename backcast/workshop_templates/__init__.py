"""Workshop templates: a method's phases, prompts, criteria and stakeholder groups, in both languages.

A template is a data file (JSON) checked by the pydantic models below. The built-in ones ship in
this package; facilitators save their own from a workshop, or import a file someone else exported.
Texts are given per language; a workshop takes what its language has and falls back to any other.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Annotated, Any, Final, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from backcast.defaults import CriterionSpec, GroupSpec
from backcast.enums import Direction, ItemKind, Language, NamesMode, Phase
from backcast.models import limits as L
from backcast.services import validate
from backcast.services.errors import Invalid

FORMAT: Final = "backcast-template"
BUILT_IN = ("generic", "regional-circular-economy", "abcd", "quist-vergragt")
TEMPLATE_FILE_MAX = 256 * 1024

Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", min_length=1, max_length=L.KEY_MAX)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]*$", min_length=1, max_length=60)]


def _line(max_length: int) -> object:
    return StringConstraints(strip_whitespace=True, max_length=max_length)


def _typed_rules(*, multiline: bool) -> AfterValidator:
    """The rules of typed text (`validate.text`): an imported file is text someone typed too, so
    direction controls and non-characters go, and control characters such as NUL are refused."""

    def check(value: str) -> str:
        try:
            return validate.text(value, "text", max_length=len(value), required=False, multiline=multiline)
        except Invalid as error:
            raise ValueError(str(error)) from None

    return AfterValidator(check)


_LINE = _typed_rules(multiline=False)
_TEXT = _typed_rules(multiline=True)
Label = dict[Language, Annotated[str, _line(L.LABEL_MAX), _LINE]]
Name = dict[Language, Annotated[str, _line(L.TITLE_MAX), _LINE]]
Paragraph = dict[Language, Annotated[str, _line(L.QUESTION_MAX), _TEXT]]
Consent = dict[Language, Annotated[str, _line(L.CONSENT_MAX), _TEXT]]


def _in_some_language(what: str) -> AfterValidator:
    def check(texts: dict[Language, str]) -> dict[Language, str]:
        if not any(texts.values()):
            raise ValueError(f"needs {what} in at least one language")
        return texts

    return AfterValidator(check)


NamedLabel = Annotated[Label, _in_some_language("a label")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def pick(texts: Mapping[Any, str], language: str) -> str:
    """The text in `language`, else in German or English, else empty. The keys are language codes,
    as `Language` members or as the plain text a workshop stores."""
    for candidate in (language, Language.de, Language.en):
        if texts.get(candidate):
            return texts[candidate]
    return ""


class TemplateCriterion(_Strict):
    key: Key
    label: NamedLabel
    low_label: Label = {}
    high_label: Label = {}
    scale_min: int = Field(1, ge=L.SCALE_MIN, le=L.SCALE_MAX)
    scale_max: int = Field(5, ge=L.SCALE_MIN, le=L.SCALE_MAX)
    weight: float = Field(1.0, ge=0, le=100, allow_inf_nan=False)
    direction: Direction = Direction.higher

    @field_validator("scale_max")
    @classmethod
    def _above_min(cls, value: int, info: ValidationInfo) -> int:
        scale_min = info.data.get("scale_min")
        if scale_min is not None and value <= scale_min:
            raise ValueError("the top of the scale must be above its bottom")
        return value

    def spec(self, language: str) -> CriterionSpec:
        return CriterionSpec(
            key=self.key,
            label=pick(self.label, language),
            low_label=pick(self.low_label, language),
            high_label=pick(self.high_label, language),
            scale_min=self.scale_min,
            scale_max=self.scale_max,
            weight=self.weight,
            direction=self.direction,
        )


class TemplateGroup(_Strict):
    key: Key
    label: NamedLabel

    def spec(self, language: str) -> GroupSpec:
        return GroupSpec(key=self.key, label=pick(self.label, language))


class WorkshopTemplate(_Strict):
    """One method's set-up. `prompts` maps a phase to what participants are asked in it; the
    text may name the years as {vision_year} and {present_year}."""

    format: Literal["backcast-template"] = FORMAT
    version: Literal[1] = 1
    key: Slug
    name: Annotated[Name, _in_some_language("a name")]
    description: Paragraph = {}
    source: Annotated[str, Field(max_length=L.QUESTION_MAX), _TEXT] = ""
    question: Paragraph = {}
    years_ahead: int = Field(20, ge=1, le=L.YEAR_MAX - L.YEAR_MIN)
    milestone_step: int = Field(5, ge=1, le=100)
    dot_budget: int = Field(5, ge=0, le=L.DOT_BUDGET_MAX)
    names: NamesMode = NamesMode.optional
    rated_kinds: list[ItemKind] = Field(default_factory=lambda: [ItemKind.measure], min_length=1)
    consent_text: Consent = {}
    prompts: dict[Phase, Paragraph] = {}
    criteria: list[TemplateCriterion] = Field(min_length=1, max_length=12)
    groups: list[TemplateGroup] = Field(default_factory=list, max_length=30)

    @field_validator("criteria", "groups")
    @classmethod
    def _unique_keys(cls, value: list[TemplateCriterion] | list[TemplateGroup]) -> list:
        keys = [entry.key for entry in value]
        if len(keys) != len(set(keys)):
            raise ValueError("each key may appear only once")
        return value

    def title(self, language: str) -> str:
        return pick(self.name, language)

    def criteria_in(self, language: str) -> list[CriterionSpec]:
        return [criterion.spec(language) for criterion in self.criteria]

    def groups_in(self, language: str) -> list[GroupSpec]:
        return [group.spec(language) for group in self.groups]

    def to_json(self) -> str:
        return self.model_dump_json(indent=2, exclude_defaults=False) + "\n"


class TemplateError(ValueError):
    """A template file that cannot be used; `problems` are (where, what) pairs to show."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{where}: {what}" for where, what in problems))
        self.problems = problems


def parse(data: bytes | str) -> WorkshopTemplate:
    """A template from a file's content, or a TemplateError naming every problem."""
    if len(data) > TEMPLATE_FILE_MAX:
        raise TemplateError([("file", f"larger than {TEMPLATE_FILE_MAX // 1024} KB")])
    try:
        raw = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise TemplateError([("file", f"not JSON ({error})")]) from None
    except ValueError:  # a number of thousands of digits, which Python refuses to read
        raise TemplateError([("file", "holds a number too long to read")]) from None
    except RecursionError:  # lists or objects nested thousands deep
        raise TemplateError([("file", "nested too deeply")]) from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise TemplateError([("format", f'not a template file: "format" must be "{FORMAT}"')])
    try:
        return WorkshopTemplate.model_validate(raw)
    except ValidationError as error:
        problems = [
            (".".join(str(part) for part in problem["loc"]) or "file", problem["msg"])
            for problem in error.errors(include_url=False)
        ]
        raise TemplateError(problems) from None


@cache
def built_in(key: str) -> WorkshopTemplate:
    if key not in BUILT_IN:
        raise KeyError(key)
    data = resources.files(__package__).joinpath(f"{key}.json").read_bytes()
    return parse(data)


def built_ins() -> list[WorkshopTemplate]:
    return [built_in(key) for key in BUILT_IN]


DEFAULT = "generic"


# Model texts a facilitator can start from: a consent to research use and a data-protection
# notice (GDPR Art. 13), with [placeholders] for what only the organiser knows.
MODEL_TEXTS = ("consent", "privacy")


@cache
def model_text(kind: str, language: str) -> str:
    """The model text of this kind in this language (German for a language without one)."""
    if kind not in MODEL_TEXTS:
        raise KeyError(kind)
    if language not in tuple(Language):
        language = Language.de.value
    folder = resources.files(__package__).joinpath("model_texts")
    return folder.joinpath(f"{kind}.{language}.txt").read_text(encoding="utf-8").strip()
