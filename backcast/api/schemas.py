"""Request and response bodies of the JSON API. Strict types: "5" is not 5."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
)

from backcast.defaults import CriterionSpec, GroupSpec
from backcast.enums import (
    ActorStatus,
    AgendaStatus,
    Assign,
    ConsensusKind,
    Direction,
    ItemKind,
    Language,
    NamesMode,
    NeedType,
    Phase,
    ReasonMode,
    ReasonTrigger,
    Role,
    StudyRole,
    Tag,
)
from backcast.models import limits as L
from backcast.models.limits import (
    DOT_BUDGET_MAX,
    DOTS_PER_ITEM_MAX,
    EMAIL_MAX,
    KEY_MAX,
    MAX_LINKS,
    YEAR_MAX,
    YEAR_MIN,
)
from backcast.services.validate import MAX_ID

# The schema states every rule the services hold a request to on its own, and these models enforce
# it: a request the schema allows is taken, or refused only for the workshop's state (409). Rules
# between fields that JSON Schema cannot state are in the models' descriptions.


def _whole(value: object) -> object:
    """JSON Schema counts 2041.0 as an integer, and so does the API; "2041" and true stay refused."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# Bounds first, so that the schema states them; 2041.0 becomes 2041 before they are checked.
WHOLE = BeforeValidator(_whole)
Year = Annotated[StrictInt, Field(ge=YEAR_MIN, le=YEAR_MAX), WHOLE]
DotBudget = Annotated[StrictInt, Field(ge=0, le=DOT_BUDGET_MAX), WHOLE]
ItemId = Annotated[StrictInt, Field(ge=1, le=MAX_ID), WHOLE]
ScaleValue = Annotated[StrictInt, Field(ge=L.SCALE_MIN, le=L.SCALE_MAX), WHOLE]
Value = ScaleValue | None

# What the services refuse in text: control characters (tab, and in longer texts line breaks,
# excepted; space at either end is trimmed first); a required text also needs one character that is
# not space, a direction control or a non-character (which are removed). The schema states it; the
# services check it, so that the answer names the field and says what is wrong in the reader's
# language.
_CONTROL_LINE = r"\x00-\x08\x0a-\x1f\x7f"
_CONTROL_TEXT = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
_UNSEEN = r"\s\u202a-\u202e\u2066-\u2069\ufdd0-\ufdef\ufffe\uffff"


def text_pattern(*, required: bool, line: bool) -> str:
    control = _CONTROL_LINE if line else _CONTROL_TEXT
    core = f"[^{control}]*[^{control}{_UNSEEN}][^{control}]*" if required else f"[^{control}]*"
    return rf"^\s*{core}\s*$"


def _text(max_length: int, *, required: bool, line: bool) -> Any:
    return Field(
        min_length=1 if required else 0,
        max_length=max_length,
        json_schema_extra={"pattern": text_pattern(required=required, line=line)},
    )


Title = Annotated[StrictStr, _text(L.TITLE_MAX, required=True, line=True)]
Question = Annotated[StrictStr, _text(L.QUESTION_MAX, required=False, line=False)]
ItemText = Annotated[StrictStr, _text(L.ITEM_TEXT_MAX, required=True, line=False)]
Name = Annotated[StrictStr, _text(L.NAME_MAX, required=False, line=True)]
Label = Annotated[StrictStr, _text(L.LABEL_MAX, required=True, line=True)]
EndLabel = Annotated[StrictStr, _text(L.LABEL_MAX, required=False, line=True)]
ConsentText = Annotated[StrictStr, _text(L.CONSENT_MAX, required=False, line=False)]
PrivacyText = Annotated[StrictStr, _text(L.PRIVACY_MAX, required=False, line=False)]
Key = Annotated[StrictStr, Field(min_length=1, max_length=L.KEY_MAX, pattern=r"^[a-z][a-z0-9_]*$")]
StudyMeta = Annotated[StrictStr, _text(L.REGION_MAX, required=False, line=True)]
Venue = Annotated[StrictStr, _text(L.TITLE_MAX, required=False, line=True)]
Description = Annotated[StrictStr, _text(L.DESCRIPTION_MAX, required=False, line=False)]


def omitted(**kwargs: Any) -> Any:
    """A field that may be left out but not sent as null: left out, it stays as it is."""
    return Field(None, **kwargs)


def patch_schema(examples: list[dict[str, Any]]) -> Any:
    """The model's schema with its examples, and without the `default: null` of the fields that
    may be left out but take no null (`omitted`)."""

    def extra(schema: dict[str, Any]) -> None:
        schema["examples"] = examples
        for field in schema.get("properties", {}).values():
            if "default" in field and field["default"] is None and "anyOf" not in field:
                del field["default"]

    return extra


class Body(BaseModel):
    # Python's expressions, as the services' checks use them (and as the fuzzer reads the schema).
    model_config = ConfigDict(extra="forbid", regex_engine="python-re")


class CriterionIn(Body):
    """A rating criterion; `scale_max` must be above `scale_min`, and each criterion of a workshop
    needs its own `key`."""

    key: Key
    label: Label
    low_label: EndLabel = ""
    high_label: EndLabel = ""
    scale_min: ScaleValue = 1
    scale_max: ScaleValue = 5
    weight: Annotated[StrictFloat, Field(ge=0, le=100)] | Annotated[StrictInt, Field(ge=0, le=100)] = 1.0
    direction: Direction = Direction.higher

    def spec(self) -> CriterionSpec:
        return CriterionSpec(**self.model_dump())


class GroupIn(Body):
    """A stakeholder group; each group of a workshop needs its own `key`."""

    key: Key
    label: Label

    def spec(self) -> GroupSpec:
        return GroupSpec(**self.model_dump())


# What participants are asked per phase and language: {"vision": {"de": "...", "en": "..."}}.
Prompts = dict[Phase, dict[Language, Question]]
Criteria = Annotated[list[CriterionIn], Field(min_length=1, max_length=12)]
Groups = Annotated[list[GroupIn], Field(max_length=30)]
MilestoneYears = Annotated[list[Year], Field(max_length=L.MILESTONE_YEARS_MAX)]
RatedKinds = Annotated[list[ItemKind], Field(min_length=1)]
SPAN = (
    " The vision year comes after the present year, and each milestone year between them; what is "
    "not given is the {source}'s. Years that do not fit together are refused with 409."
)


Share = Annotated[StrictFloat | StrictInt, Field(ge=0, le=1)]
Threshold = Annotated[StrictFloat | StrictInt, Field(gt=0, le=1)]
TopK = Annotated[StrictInt, Field(ge=1, le=L.SCALE_MAX), WHOLE]
Rounds = Annotated[StrictInt, Field(ge=1, le=L.ROUNDS_MAX), WHOLE]


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

    title: Title
    template: StrictStr | None = Field(
        None,
        description="A built-in template's key (generic, regional-circular-economy, abcd, "
        "quist-vergragt) or one of your own; what is not given (or null) comes from it.",
    )
    question: Question | None = None
    present_year: Year | None = Field(None, description="This year when not given.")
    vision_year: Year | None = None
    milestone_years: MilestoneYears | None = None
    language: Language = Language.de
    dot_budget: DotBudget | None = None
    names: NamesMode | None = None
    rated_kinds: RatedKinds | None = None
    consent_text: ConsentText | None = None
    privacy_text: PrivacyText | None = Field(
        None, description="The data-protection notice (GDPR Art. 13) participants can read."
    )
    criteria: Criteria | None = None
    groups: Groups | None = None
    prompts: Prompts | None = None
    study: StrictInt | None = Field(
        None,
        ge=1,
        le=2**31 - 1,
        description="A study you are a facilitator of: the workshop takes its codebook (no `template` then); "
        "criteria or groups given must fit it.",
    )
    region: StudyMeta = ""
    sector: StudyMeta = ""
    held_on: date | None = Field(None, description="The day the workshop is held.")
    venue: Venue = ""


class WorkshopPatch(Body):
    """The set-up to change; what is left out stays. `criteria` and `groups`, when given, are the
    whole new list, matched by key: a rated criterion keeps its key and scale, a chosen group stays.
    A change that collected data stands against is refused with 409."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra=patch_schema([{"title": "Kreislauf Nordwest 2045", "dot_budget": 7}]),
    )

    title: Title = omitted()
    question: Question | None = Field(None, description="null or empty: none.")
    present_year: Year = omitted()
    vision_year: Year = omitted()
    milestone_years: MilestoneYears = omitted()
    language: Language = omitted()
    dot_budget: DotBudget = omitted()
    names: NamesMode = omitted()
    rated_kinds: RatedKinds = omitted()
    consent_text: ConsentText | None = Field(None, description="null or empty: none.")
    privacy_text: PrivacyText | None = Field(
        None,
        description="The data-protection notice (GDPR Art. 13) participants can read; null or empty: none.",
    )
    criteria: Criteria = omitted()
    groups: Groups = omitted()
    prompts: Prompts = omitted()
    region: StudyMeta = omitted(description="Study metadata (in a study only).")
    sector: StudyMeta = omitted(description="Study metadata (in a study only).")
    held_on: date | None = Field(
        None, description="Study metadata (in a study only): the day it is held; null: none."
    )
    venue: Venue = omitted(description="Study metadata (in a study only).")
    consensus_rule: ConsensusKind = omitted(
        description="The consensus rule, fixed once round 1 has ratings (409 after): `iqr`, the IQR at most "
        "`consensus_iqr_share` of the scale's range; or `agreement`, at least `consensus_threshold` of the "
        "answers in the top or bottom `consensus_top_k` categories."
    )
    consensus_iqr_share: Share = omitted(
        description="With `iqr`: a share of the scale's range (0.25: IQR <= 1 on 1-5)."
    )
    consensus_top_k: TopK = omitted(description="With `agreement`: how many categories at either end count.")
    consensus_threshold: Threshold = omitted(description="With `agreement`: the share of answers needed.")
    planned_rounds: Rounds = omitted(description="How many rating rounds are planned (more may be opened).")
    reason_trigger: ReasonTrigger = omitted(
        description="From round 2: `outside` asks a reason for an answer outside the previous round's IQR, "
        "`changed` for any changed answer."
    )
    reason_mode: ReasonMode = omitted(
        description="Whether that reason is asked for (`off`) and must be given."
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
    current_round: int
    round_closes_at: datetime | None
    consensus_rule: ConsensusKind
    consensus_iqr_share: float
    consensus_top_k: int
    consensus_threshold: float
    planned_rounds: int
    reason_trigger: ReasonTrigger
    reason_mode: ReasonMode


class PhaseIn(Body):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"phase": "vision"}]})
    phase: Phase


class InputIn(Body):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"open": False}]})
    open: StrictBool


class RoundIn(Body):
    """A new rating round; `closes_at`, if given, is when it stops taking ratings (in the future,
    with a time zone)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{}, {"closes_at": "2026-12-10T18:00:00Z"}]}
    )
    closes_at: AwareDatetime | None = None


class RoundClosingIn(Body):
    """When the current round stops taking ratings: a moment in the past closes it at once, null
    keeps it open without a date."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"closes_at": "2026-12-10T18:00:00Z"}]}
    )
    closes_at: AwareDatetime | None


class RoundOut(BaseModel):
    round: int
    closes_at: datetime | None


class ResultsIn(Body):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"visible": True}]})
    visible: StrictBool


class OwnerIn(Body):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"email": "bo@example.org"}]})
    email: StrictStr = Field(
        min_length=3,
        max_length=EMAIL_MAX,
        json_schema_extra={"pattern": r"^\s*[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\s*$"},
        description="The address of a facilitator's account (409 when no account has it).",
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
    name: Name | None = Field(None, description="Needed where the workshop asks for names (else 409).")
    group: StrictStr | None = Field(
        None, description="A group key of the workshop (else 409); null or empty for none."
    )
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
    group: StrictStr | None = Field(
        None, description="A group key of the workshop (another is refused with 409); null or empty for none."
    )


class OwnGroupOut(BaseModel):
    participant_id: int
    group: str | None


class JoinOut(BaseModel):
    participant_id: int
    token: str
    workshop: str
    consented: bool = Field(description="Whether the participant agreed to the workshop's consent text.")


Links = Annotated[list[ItemId], Field(max_length=MAX_LINKS)]
# A milestone needs its year; visions and milestones link to nothing.
ITEM_RULES: list[JsonValue] = [
    {
        "if": {"properties": {"kind": {"const": ItemKind.milestone.value}}},
        "then": {"required": ["year"], "properties": {"year": {"type": "integer"}}},
    },
    {
        "if": {"properties": {"kind": {"enum": [ItemKind.vision.value, ItemKind.milestone.value]}}},
        "then": {"properties": {"links": {"maxItems": 0}}},
    },
]


class ItemCreate(Body):
    """A contribution. A milestone needs a `year`; a vision and a milestone take no `links`. A year
    outside the workshop's span, and a link to what is not a standing item of the kind it links to
    (a need's milestones, a measure's needs) in this workshop, are refused with 409."""

    model_config = ConfigDict(
        extra="forbid",
        regex_engine="python-re",
        json_schema_extra={
            "examples": [{"kind": "measure", "text": "Regionale Materialbörse aufbauen", "links": [12]}],
            "allOf": ITEM_RULES,
        },
    )
    kind: ItemKind
    text: ItemText
    year: Year | None = None
    links: Links = Field(default_factory=list)
    need_type: NeedType | None = Field(
        None,
        description="For a need: `need` (the default), `barrier` or `opportunity`; 409 for another kind.",
    )
    tags: list[Tag] = Field(
        default_factory=list,
        max_length=len(Tag),
        description="For a barrier or opportunity: the fields it belongs to; 409 for anything else.",
    )
    table: ItemId | None = Field(
        None,
        description="During a breakout, the id of the table the participant sits at, to be sure the "
        "contribution lands there: another table is refused with 409. Left out, it goes to their table.",
    )


class ItemPatch(Body):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra=patch_schema([{"text": "Materialbörse für KMU", "hidden": False}])
    )
    text: ItemText = omitted()
    year: Year | None = Field(None, description="null clears it, except a milestone's (409).")
    hidden: StrictBool | None = None
    adopted: StrictBool | None = Field(None, description="Only a vision statement (else 409).")
    merged_into: ItemId | None = Field(
        None,
        description="Another standing item of the same kind and workshop (else 409), until rating opens.",
    )
    links: Links | None = Field(
        None,
        description="The whole new list of what the item links to: a need's milestones, a measure's needs "
        "(409 for another kind of item, or a link to what is not such an item of the workshop).",
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
    table: int | None = Field(
        description="The id of the breakout table it was added at; null in the plenary."
    )
    created_at: datetime
    need_type: NeedType | None = Field(None, description="For a need: need, barrier or opportunity.")
    tags: list[Tag] = Field(default_factory=list, description="A barrier's or opportunity's fields.")


class DotsIn(Body):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"count": 2}]})
    count: Annotated[StrictInt, Field(ge=0, le=DOTS_PER_ITEM_MAX), WHOLE]


class DotsOut(BaseModel):
    item_id: int
    count: int
    dots_left: int


class RatingsOut(BaseModel):
    item_id: int
    values: dict[str, int | None]


# Criterion keys, each with a value on its scale or null for "can't judge"; an unknown key, or a
# value off that criterion's own scale, is refused with 409.
RatingsIn = Annotated[
    dict[Key, Value],
    # Keys that do not match the pattern are refused, not merely left unchecked.
    Field(min_length=1, max_length=12, json_schema_extra={"additionalProperties": False}),
]

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
    """A theme needs a label in at least one language (the schema's `anyOf` says so)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"label_de": "Logistik", "label_en": "Logistics"}],
            "anyOf": [
                {
                    "required": [name],
                    "properties": {name: {"pattern": text_pattern(required=True, line=True)}},
                }
                for name in ("label_de", "label_en")
            ],
        },
    )
    key: Annotated[StrictStr, Field(max_length=KEY_MAX, pattern=r"^([a-z][a-z0-9_]*)?$")] = Field(
        "", description="Made from the label when left out."
    )
    label_de: EndLabel = ""
    label_en: EndLabel = ""


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

    title: Title
    description: Description = ""
    template: StrictStr | None = Field(
        None, description="The template the codebook comes from (the generic one when neither is given)."
    )
    from_workshop: StrictStr | None = Field(
        None, description="The code of a workshop you run whose set-up becomes the codebook."
    )


class StudyPatch(Body):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"title": "Nordwest 2045"}]})
    title: Title = omitted()
    description: Description = omitted()


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
                {"title": "Oldenburg", "region": "Oldenburg", "carry_from": "K7XQ2M"},
            ],
            # One of the two, never both; only a new workshop starts from carried results.
            "oneOf": [
                {"required": ["code"], "properties": {"carry_from": False, "carry_items": False}},
                {"required": ["title"]},
            ],
            "dependentRequired": {"carry_items": ["carry_from"]},
        },
    )
    code: StrictStr = omitted(max_length=20, description="A workshop you run, to attach.")
    title: Title = omitted(description="The title of a new workshop in the study.")
    language: Language = Language.de
    present_year: Year | None = None
    vision_year: Year | None = None
    region: StudyMeta = ""
    sector: StudyMeta = ""
    held_on: date | None = None
    venue: Venue = ""
    carry_from: StrictStr = omitted(
        max_length=20,
        description="The code of another workshop of this study that you can read: the new workshop "
        "starts from its vision statements and milestones (with the adopted synthesis), marked as "
        "carried over with their origin, and takes its years unless given.",
    )
    carry_items: list[ItemId] = omitted(
        min_length=1,
        max_length=500,
        description="Only these vision statements and milestones of `carry_from` (all when left out).",
    )


class MemberIn(Body):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"email": "bo@example.org", "role": "researcher"}]}
    )
    email: StrictStr = Field(
        min_length=3,
        max_length=EMAIL_MAX,
        json_schema_extra={"pattern": r"^\s*[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\s*$"},
        description="The address of an account (409 when no account has it).",
    )
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
    themes: list[ItemId] = Field(
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


# --- the agenda and its follow-up ------------------------------------------------------------

Note = Annotated[StrictStr, _text(L.NOTE_MAX, required=False, line=False)]


class AgendaStatusIn(Body):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"status": "started", "changed_on": "2027-05-12", "note": "First meeting held"}]
        },
    )
    status: AgendaStatus
    changed_on: date | None = Field(
        None,
        description="The day of the change (ISO date), today when left out; a day before the "
        "workshop (the day it was held, or else created) is refused with 409.",
    )
    note: Note = ""


class AgendaHistoryOut(BaseModel):
    id: int
    previous_status: AgendaStatus
    status: AgendaStatus
    changed_on: date
    note: str
    recorded_at: datetime


class AgendaEntryOut(BaseModel):
    id: int
    item_id: int
    text: str
    owner: str
    start_year: int | None
    note: str
    position: int
    status: AgendaStatus
    history: list[AgendaHistoryOut]


# --- actors and their roles ------------------------------------------------------------------

ActorName = Annotated[StrictStr, _text(L.ACTOR_NAME_MAX, required=True, line=True)]


class ActorIn(Body):
    """A facilitator adds a confirmed actor: `group`, a stakeholder group's key (named after the
    group unless `name` is given), or `name` alone. A participant's token proposes `name`."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"name": "Handwerkskammer Bremen"}, {"group": "sme"}],
            "anyOf": [{"required": ["name"]}, {"required": ["group"]}],
        },
    )
    name: ActorName = omitted(description="Required unless `group` is given.")
    group: Key = omitted(
        description="A stakeholder group of the workshop (409 when not); a participant's proposal "
        "names no group (409)."
    )


class ActorPatch(Body):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"name": "Handwerkskammer Bremen", "confirmed": True}, {"merged_into": 3}]
        },
    )
    name: ActorName = omitted()
    confirmed: Literal[True] = omitted(description="Confirms a proposed actor.")
    merged_into: ItemId = omitted(description="Another actor of this workshop to merge this one into.")


class RoleOut(BaseModel):
    item: int
    role: Role


class ActorOut(BaseModel):
    id: int
    name: str
    group: str | None
    status: ActorStatus
    roles: list[RoleOut]


class ActorRoleIn(Body):
    actor: ItemId
    role: Role


class RolesIn(Body):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"roles": [{"actor": 1, "role": "leads"}, {"actor": 2, "role": "could_block"}]}]
        },
    )
    roles: list[ActorRoleIn] = Field(
        max_length=200,
        description="The item's roles as a whole; an actor named twice keeps the last role. An actor "
        "of another workshop, or one merged away, is refused with 409.",
    )


class RolesOut(BaseModel):
    item: int
    roles: list[ActorRoleIn]


# --- a study's comparison (`GET /studies/{id}/results`) ------------------------------------------


class SpreadOut(BaseModel):
    n: int = Field(description="Values given (not counting can't judge).")
    n_cant_judge: int
    mean: float | None
    median: float | None
    q1: float | None = Field(description="Hyndman-Fan type 7, as pandas and R compute them.")
    q3: float | None
    iqr: float | None


class CriterionSpreadOut(SpreadOut):
    key: str


class GroupCountOut(BaseModel):
    key: str | None = Field(description="The group's key; null for participants without a group.")
    participants: int


class TopMeasureOut(BaseModel):
    item_id: int
    text: str
    rank: int | None
    score: float | None = Field(description="Weighted score on 0–1, as in the workshop's results.")
    dots: int | None
    raters: int
    criteria: dict[str, SpreadOut | None]


class StudyWorkshopResultsOut(BaseModel):
    code: str
    title: str
    region: str
    sector: str
    held_on: str | None
    language: str
    participants: int = Field(description="Participants who agreed to research use.")
    groups: list[GroupCountOut]
    contributions: dict[str, int] = Field(description="Visible contributions by kind.")
    measures: int = Field(description="Measures up for rating.")
    dots: int
    top_measures: list[TopMeasureOut] = Field(description="The five best-ranked measures.")
    criteria: list[CriterionSpreadOut] = Field(
        description="Every value given on the criterion over the workshop's rated measures."
    )
    ranked_themes: int
    top_cut: int | None = Field(
        description="A ranked theme is in the top third when its rank is at most this."
    )


class ThemeCellOut(BaseModel):
    workshop: str = Field(description="The workshop's code.")
    items: int = Field(description="Visible contributions whose settled coding has the theme.")
    measures: int = Field(description="Of them, measures with a score.")
    mean_score: float | None = Field(description="Mean weighted score (0–1) of those measures.")
    dots: int
    dot_share: float | None = Field(description="Share (0–1) of the workshop's dots; null without dots.")
    rank: int | None = Field(description="Among the workshop's ranked themes; null when not ranked.")
    top: bool


class ThemeResultsOut(BaseModel):
    id: int
    key: str
    label_de: str
    label_en: str
    verdict: str | None = Field(description='"robust", "specific" (region-specific) or null.')
    cells: list[ThemeCellOut]


class ThemeRuleOut(BaseModel):
    text: str
    min_measures: int
    min_ranked_themes: int
    top_share: float
    counted: str


class StudyResultsOut(BaseModel):
    rule: ThemeRuleOut
    classified: bool = Field(description="At least two workshops rank their themes, so verdicts are given.")
    coded_items: int
    workshops: list[StudyWorkshopResultsOut]
    themes: list[ThemeResultsOut]


# --- breakout tables -----------------------------------------------------------------------------

TableName = Annotated[StrictStr, _text(L.TABLE_NAME_MAX, required=True, line=True)]
TableScopeText = Annotated[StrictStr, _text(L.TABLE_SCOPE_MAX, required=False, line=True)]
TableNumber = Annotated[StrictInt, Field(ge=1, le=L.TABLES_MAX), WHOLE]


class TableIn(Body):
    name: TableName = Field(description="Each table of a breakout needs its own name (else 409).")
    scope: ItemId | TableScopeText | None = Field(
        None,
        description="What the table works on: the id of a milestone or need of this workshop (409 for "
        "another workshop's item or another kind), or a short text such as a sector.",
    )


class TablesIn(Body):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "tables": [{"name": "Table 1", "scope": "Construction"}, {"name": "Table 2"}],
                    "assign": "balanced",
                }
            ]
        },
    )
    tables: list[TableIn] = Field(min_length=L.TABLES_MIN, max_length=L.TABLES_MAX)
    assign: Assign = Field(
        description="`balanced` spreads each stakeholder group evenly over the tables, `random` "
        "shuffles with a seed kept in the log, `choice` lets each phone pick its table."
    )


class SeatIn(Body):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"table": 2}]})
    table: TableNumber = Field(description="The number of a table of the breakout that is on (else 409).")


class TableOut(BaseModel):
    id: int
    number: int
    name: str
    scope_item_id: int | None
    scope_text: str
    participants: list[int] = Field(description="The ids of those sitting at the table now.")


class TablesOut(BaseModel):
    breakout: int | None = Field(description="The number of the breakout that is on; null in the plenary.")
    assign: Assign | None
    seed: int | None = Field(description="The seed of a random seating.")
    tables: list[TableOut]
    unseated: list[int] = Field(description="Participants without a seat (with `choice`, those yet to pick).")
