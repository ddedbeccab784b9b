"""Request and response bodies of the JSON API. Strict types: "5" is not 5."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr

from backcast.defaults import CriterionSpec, GroupSpec
from backcast.enums import Direction, ItemKind, Language, NamesMode, Phase, StudyRole
from backcast.models.limits import (
    DESCRIPTION_MAX,
    DOT_BUDGET_MAX,
    DOTS_PER_ITEM_MAX,
    EMAIL_MAX,
    KEY_MAX,
    LABEL_MAX,
    MAX_LINKS,
    REGION_MAX,
    TITLE_MAX,
    YEAR_MAX,
    YEAR_MIN,
)

Value = StrictInt | None
# The bounds the services hold to, in the schema too, so that a request the schema allows is one
# the server can take (or refuses only for the workshop's state).
Year = Annotated[StrictInt, Field(ge=YEAR_MIN, le=YEAR_MAX)]
DotBudget = Annotated[StrictInt, Field(ge=0, le=DOT_BUDGET_MAX)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CriterionIn(Body):
    key: StrictStr
    label: StrictStr
    low_label: StrictStr = ""
    high_label: StrictStr = ""
    scale_min: StrictInt = 1
    scale_max: StrictInt = 5
    weight: StrictFloat | StrictInt = 1.0
    direction: Direction = Direction.higher

    def spec(self) -> CriterionSpec:
        return CriterionSpec(**self.model_dump())


class GroupIn(Body):
    key: StrictStr
    label: StrictStr

    def spec(self) -> GroupSpec:
        return GroupSpec(**self.model_dump())


# What participants are asked per phase and language: {"vision": {"de": "...", "en": "..."}}.
Prompts = dict[Phase, dict[Language, StrictStr]]


class WorkshopCreate(Body):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "Kreislaufwirtschaft Weser-Ems 2045",
                    "question": "Wie arbeiten kleine Betriebe der Region 2045 im Kreislauf?",
                    "present_year": 2026,
                    "vision_year": 2045,
                    "language": "de",
                }
            ]
        },
    )

    title: StrictStr
    template: StrictStr | None = Field(
        None,
        description="A built-in template's key (generic, regional-circular-economy, abcd, "
        "quist-vergragt) or one of your own; what is not given comes from it.",
    )
    question: StrictStr | None = None
    present_year: Year | None = None
    vision_year: Year | None = None
    milestone_years: list[Year] | None = None
    language: Language = Language.de
    dot_budget: DotBudget | None = None
    names: NamesMode | None = None
    rated_kinds: Annotated[list[ItemKind], Field(min_length=1)] | None = None
    consent_text: StrictStr | None = None
    privacy_text: StrictStr | None = Field(
        None, description="The data-protection notice (GDPR Art. 13) participants can read."
    )
    criteria: list[CriterionIn] | None = None
    groups: list[GroupIn] | None = None
    prompts: Prompts | None = None
    study: StrictInt | None = Field(
        None,
        ge=1,
        le=2**31 - 1,
        description="A study you are a facilitator of: the workshop takes its codebook (no `template` then); "
        "criteria or groups given must fit it.",
    )
    region: StrictStr = Field("", max_length=REGION_MAX)
    sector: StrictStr = Field("", max_length=REGION_MAX)
    held_on: date | None = Field(None, description="The day the workshop is held.")
    venue: StrictStr = Field("", max_length=TITLE_MAX)


class WorkshopPatch(Body):
    """The set-up to change; what is left out stays. `criteria` and `groups`, when given, are the
    whole new list, matched by key: a rated criterion keeps its key and scale, a chosen group stays."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"title": "Kreislauf Nordwest 2045", "dot_budget": 7}]},
    )

    title: StrictStr | None = None
    question: StrictStr | None = None
    present_year: Year | None = None
    vision_year: Year | None = None
    milestone_years: list[Year] | None = None
    language: Language | None = None
    dot_budget: DotBudget | None = None
    names: NamesMode | None = None
    rated_kinds: Annotated[list[ItemKind], Field(min_length=1)] | None = None
    consent_text: StrictStr | None = None
    privacy_text: StrictStr | None = Field(
        None, description="The data-protection notice (GDPR Art. 13) participants can read."
    )
    criteria: list[CriterionIn] | None = None
    groups: list[GroupIn] | None = None
    prompts: Prompts | None = None
    region: StrictStr | None = Field(
        None, max_length=REGION_MAX, description="Study metadata (in a study only)."
    )
    sector: StrictStr | None = Field(
        None, max_length=REGION_MAX, description="Study metadata (in a study only)."
    )
    held_on: date | None = Field(None, description="Study metadata (in a study only): the day it is held.")
    venue: StrictStr | None = Field(
        None, max_length=TITLE_MAX, description="Study metadata (in a study only)."
    )


class CriterionOut(BaseModel):
    key: str
    label: str
    low_label: str
    high_label: str
    scale_min: int
    scale_max: int
    weight: float
    direction: Direction


class GroupOut(BaseModel):
    key: str
    label: str


class WorkshopOut(BaseModel):
    id: int
    code: str
    join_url: str
    title: str
    question: str
    present_year: int
    vision_year: int
    milestone_years: list[int]
    phase: Phase
    language: Language
    input_open: bool
    results_visible: bool
    dot_budget: int
    names: NamesMode
    rated_kinds: list[ItemKind]
    consent_text: str
    consent_version: int
    privacy_text: str
    template: str
    prompts: dict[str, dict[str, str]]
    criteria: list[CriterionOut]
    groups: list[GroupOut]
    participants: int
    last_seq: int
    created_at: datetime
    study_id: int | None
    region: str
    sector: str
    held_on: date | None
    venue: str


class PhaseIn(Body):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"phase": "vision"}]})
    phase: Phase


class InputIn(Body):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"open": False}]})
    open: StrictBool


class ResultsIn(Body):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"visible": True}]})
    visible: StrictBool


class OwnerIn(Body):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"email": "bo@example.org"}]})
    email: StrictStr = Field(
        min_length=3, max_length=EMAIL_MAX, description="The address of a facilitator's account."
    )


class OwnerOut(BaseModel):
    id: int
    email: str
    added_at: datetime


class JoinIn(Body):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"code": "K7XQ2M", "name": "Anna", "group": "sme"}]}
    )
    code: StrictStr
    name: StrictStr | None = None
    group: StrictStr | None = None
    consent: StrictBool = Field(
        default=False,
        description=(
            "Agreement to the workshop's consent text (research use). Optional: without it the "
            "participant takes part fully, and research exports leave them out."
        ),
    )


class OwnGroupIn(Body):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"group": "sme"}, {"group": None}]}
    )
    group: StrictStr | None = Field(None, description="A group key of the workshop; null or empty for none.")


class OwnGroupOut(BaseModel):
    participant_id: int
    group: str | None


class JoinOut(BaseModel):
    participant_id: int
    token: str
    workshop: str
    consented: bool = Field(description="Whether the participant agreed to the workshop's consent text.")


class ItemCreate(Body):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"kind": "measure", "text": "Regionale Materialbörse aufbauen", "links": [12]}]
        },
    )
    kind: ItemKind
    text: StrictStr
    year: StrictInt | None = None
    links: Annotated[list[StrictInt], Field(max_length=MAX_LINKS)] = Field(default_factory=list)


class ItemPatch(Body):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"text": "Materialbörse für KMU", "hidden": False}]}
    )
    text: StrictStr | None = None
    year: StrictInt | None = None
    hidden: StrictBool | None = None
    adopted: StrictBool | None = None
    merged_into: StrictInt | None = None
    links: Annotated[list[StrictInt], Field(max_length=MAX_LINKS)] | None = Field(
        None,
        description="The whole new list of what the item links to: a need's milestones, a measure's needs.",
    )


class ItemOut(BaseModel):
    id: int
    kind: ItemKind
    text: str
    year: int | None
    author_id: int | None = Field(
        description="The participant who wrote it, for the workshop's facilitators; always null for "
        "participants, who learn only their own items (`mine`)."
    )
    mine: bool = Field(description="The calling participant wrote it; false for facilitators.")
    by_facilitator: bool
    hidden: bool
    withdrawn: bool
    merged_into: int | None
    links: list[int]
    created_at: datetime


class DotsIn(Body):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"count": 2}]})
    count: Annotated[StrictInt, Field(ge=0, le=DOTS_PER_ITEM_MAX)]


class DotsOut(BaseModel):
    item_id: int
    count: int
    dots_left: int


class RatingsOut(BaseModel):
    item_id: int
    values: dict[str, int | None]


RatingsIn = dict[StrictStr, Value]

Status = Literal["ok"]


class FieldProblem(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem document: how the API answers every refusal. `code` is stable for
    programs, `detail` is for people (German or English by `Accept-Language`), `field` names the
    input at fault where there is one, and `errors` lists each problem of a body that does not fit
    the schema."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "urn:backcast:problem:over-budget",
                    "title": "Conflict",
                    "status": 409,
                    "detail": "You have 4 of 7 dots left.",
                    "code": "over-budget",
                    "instance": "/api/v1/items/3/dots",
                    "field": "count",
                }
            ]
        }
    )

    type: str
    title: str
    status: int
    detail: str
    code: str
    instance: str | None = None
    field: str | None = None
    errors: list[FieldProblem] | None = None


# --- studies --------------------------------------------------------------------------------


class ThemeIn(Body):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"label_de": "Logistik", "label_en": "Logistics"}]}
    )
    key: StrictStr = Field("", max_length=KEY_MAX, description="Made from the label when left out.")
    label_de: StrictStr = Field("", max_length=LABEL_MAX)
    label_en: StrictStr = Field("", max_length=LABEL_MAX)


class StudyCreate(Body):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "Kreislaufwirtschaft im Nordwesten",
                    "description": "Bremen, Oldenburg und Wiesbaden im Vergleich",
                    "template": "regional-circular-economy",
                }
            ]
        },
    )

    title: StrictStr = Field(min_length=1, max_length=TITLE_MAX)
    description: StrictStr = Field("", max_length=DESCRIPTION_MAX)
    template: StrictStr | None = Field(
        None, description="The template the codebook comes from (the generic one when neither is given)."
    )
    from_workshop: StrictStr | None = Field(
        None, description="The code of a workshop you run whose set-up becomes the codebook."
    )
    themes: list[ThemeIn] = Field(default_factory=list, max_length=200)


class StudyPatch(Body):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"title": "Nordwest 2045"}]})
    title: StrictStr | None = Field(None, min_length=1, max_length=TITLE_MAX)
    description: StrictStr | None = Field(None, max_length=DESCRIPTION_MAX)


class StudyWorkshopIn(Body):
    """Either `code`, to attach an existing workshop you run, or `title` (and the rest), to create
    a workshop in the study; with the study metadata either way."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "Bremen",
                    "language": "de",
                    "region": "Bremen",
                    "sector": "food",
                    "held_on": "2027-03-04",
                },
                {"code": "K7XQ2M", "region": "Oldenburg"},
            ]
        },
    )
    code: StrictStr | None = Field(None, max_length=20)
    title: StrictStr | None = Field(None, max_length=TITLE_MAX)
    language: Language = Language.de
    present_year: Year | None = None
    vision_year: Year | None = None
    region: StrictStr = Field("", max_length=REGION_MAX)
    sector: StrictStr = Field("", max_length=REGION_MAX)
    held_on: date | None = None
    venue: StrictStr = Field("", max_length=TITLE_MAX)


class MemberIn(Body):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"email": "bo@example.org", "role": "researcher"}]}
    )
    email: StrictStr = Field(min_length=3, max_length=EMAIL_MAX, description="The address of an account.")
    role: StudyRole


class MemberOut(BaseModel):
    id: int
    email: str
    role: StudyRole
    added_at: datetime


class ThemeOut(BaseModel):
    id: int
    key: str
    label_de: str
    label_en: str


class StudyWorkshopOut(BaseModel):
    id: int
    code: str
    title: str
    language: Language
    phase: Phase
    region: str
    sector: str
    held_on: date | None
    venue: str


class CodebookCriterionOut(BaseModel):
    key: str
    label: dict[str, str]
    low_label: dict[str, str]
    high_label: dict[str, str]
    scale_min: int
    scale_max: int
    weight: float
    direction: Direction


class CodebookGroupOut(BaseModel):
    key: str
    label: dict[str, str]


class StudyOut(BaseModel):
    id: int
    title: str
    description: str
    role: StudyRole = Field(description="Your role in the study.")
    criteria: list[CodebookCriterionOut]
    groups: list[CodebookGroupOut]
    themes: list[ThemeOut]
    workshops: list[StudyWorkshopOut]
    members: list[MemberOut]
    created_at: datetime


class StudyListed(BaseModel):
    id: int
    title: str
    role: StudyRole
    workshops: int


class ItemThemesIn(Body):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"themes": [1, 3]}]})
    themes: list[Annotated[StrictInt, Field(ge=1, le=2**31 - 1)]] = Field(
        max_length=200, description="The ids of the study's themes this contribution has; [] for none."
    )


class ItemThemesOut(BaseModel):
    item: int
    study: int
    themes: list[int] = Field(description="Your coding of the contribution: the ids of its themes.")


class KappaOut(BaseModel):
    n: int = Field(
        description="Decisions compared: items both coded (per theme), or items × themes (pooled)."
    )
    both: int
    only_a: int
    only_b: int
    neither: int
    observed: float | None = Field(description="Observed agreement p_o.")
    expected: float | None = Field(description="Agreement expected by chance p_e.")
    kappa: float | None = Field(description="Cohen's kappa; null where p_e is 1 (undefined).")


class ThemeAgreementOut(BaseModel):
    theme: ThemeOut
    agreement: KappaOut


class CoderOut(BaseModel):
    id: int
    email: str


class AgreementOut(BaseModel):
    coder_a: CoderOut | None
    coder_b: CoderOut | None
    items: int = Field(description="Items both coders coded: the n of every per-theme kappa.")
    themes: list[ThemeAgreementOut]
    mean_kappa: float | None = Field(
        description="Overall: the mean of the per-theme kappas that are defined (themes_in_mean of them)."
    )
    themes_in_mean: int
    pooled: KappaOut = Field(description="Overall, pooled: every item × theme decision as one observation.")
    differing: list[int] = Field(description="Items both coded whose themes differ: those to settle.")
    rule: str
