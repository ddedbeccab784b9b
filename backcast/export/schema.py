"""The export tables and their columns: names, types, constraints and the codebook's words.

One definition serves the CSV header, the XLSX sheets and README, the Frictionless Table Schemas
and the codebook in docs/results.md (a test checks that it lists every column). Descriptions are
msgids, so the codebook also carries them in German.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from backcast.enums import Assign, Direction, ItemKind, Language, NamesMode, Phase
from backcast.i18n import N_

Type = Literal["integer", "number", "string", "boolean", "datetime"]


@dataclass(frozen=True)
class Column:
    name: str
    type: Type
    description: str
    required: bool = False
    minimum: int | None = None
    maximum: int | None = None
    enum: tuple[str, ...] | None = None

    def frictionless(self) -> dict[str, Any]:
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.minimum is not None:
            constraints["minimum"] = self.minimum
        if self.maximum is not None:
            constraints["maximum"] = self.maximum
        if self.enum is not None:
            constraints["enum"] = list(self.enum)
        described: dict[str, Any] = {"name": self.name, "type": self.type}
        if self.type == "datetime":
            described["format"] = "default"  # ISO 8601, here always UTC with a Z
        described["description"] = self.description
        if constraints:
            described["constraints"] = constraints
        return described


@dataclass(frozen=True)
class TableSpec:
    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    # column -> (table, column) it refers to
    foreign_keys: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def header(self) -> list[str]:
        return [column.name for column in self.columns]


def _kinds() -> tuple[str, ...]:
    return tuple(kind.value for kind in ItemKind)


ITEM_ID = Column("item_id", "integer", N_("Id of the item (contribution), unique in this server."), True, 1)
PARTICIPANT = Column(
    "participant",
    "string",
    N_("Pseudonym of the participant: stable within this workshop, not linkable to other workshops."),
    True,
)
GROUP = Column(
    "group", "string", N_("Key of the participant's stakeholder group; empty when none was chosen.")
)
CRITERION = Column("criterion", "string", N_("Key of the criterion."), True)
IN_RESULTS = Column(
    "in_results",
    "boolean",
    N_("Whether this row counts in the results: false for items hidden, withdrawn or merged away."),
    True,
)
SCOPE = Column(
    "group",
    "string",
    N_("Whose figures these are: empty for all participants, else a stakeholder group's key."),
)
SHOWN = Column(
    "shown",
    "boolean",
    N_("False when a group's figures are hidden because fewer than 3 of its participants answered."),
    True,
)

TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec(
            "workshop",
            N_("The workshop: one row."),
            (
                Column("code", "string", N_("Join code of the workshop."), True),
                Column("title", "string", N_("Title of the workshop."), True),
                Column("question", "string", N_("The guiding question.")),
                Column("present_year", "integer", N_("The present year the backcast starts from."), True),
                Column("vision_year", "integer", N_("The target year of the vision."), True),
                Column("language", "string", N_("Language of the workshop."), True, enum=tuple(Language)),
                Column("phase", "string", N_("Phase at the time of the export."), True, enum=tuple(Phase)),
                Column(
                    "names",
                    "string",
                    N_("Whether participants could give a name: optional, required or off."),
                    True,
                    enum=tuple(NamesMode),
                ),
                Column("dot_budget", "integer", N_("Dots each participant could spread."), True, 0),
                Column(
                    "rated_kinds",
                    "string",
                    N_("Kinds of items up for rating, separated by spaces."),
                    True,
                ),
                Column(
                    "consent_text", "string", N_("The consent participants were asked for; empty if none.")
                ),
                Column("consent_version", "integer", N_("Version of the consent text."), True, 0),
                Column("created_at", "datetime", N_("When the workshop was created (UTC)."), True),
            ),
            primary_key=("code",),
        ),
        TableSpec(
            "criteria",
            N_("The rating criteria, in the order participants saw them."),
            (
                CRITERION,
                Column("label", "string", N_("The criterion as participants saw it."), True),
                Column("low_label", "string", N_("Label of the low end of the scale.")),
                Column("high_label", "string", N_("Label of the high end of the scale.")),
                Column("scale_min", "integer", N_("Lowest value of the scale."), True),
                Column("scale_max", "integer", N_("Highest value of the scale."), True),
                Column("weight", "number", N_("Weight of the criterion in the weighted score."), True, 0),
                Column(
                    "direction",
                    "string",
                    N_("higher: a high value is better; lower: a low value is better (as for cost)."),
                    True,
                    enum=tuple(Direction),
                ),
                Column("position", "integer", N_("Order of the criterion, from 0 for the first."), True),
            ),
            primary_key=("criterion",),
        ),
        TableSpec(
            "groups",
            N_("The workshop's stakeholder groups."),
            (
                Column("group", "string", N_("Key of the stakeholder group."), True),
                Column("label", "string", N_("The group as participants saw it."), True),
                Column("position", "integer", N_("Order of the group, from 0 for the first."), True),
                Column(
                    "participants",
                    "integer",
                    N_("Participants in this export who chose this group."),
                    True,
                    0,
                ),
            ),
            primary_key=("group",),
        ),
        TableSpec(
            "participants",
            N_("Everyone who joined and may be in research data, under a pseudonym (see consent)."),
            (
                PARTICIPANT,
                Column(
                    "name",
                    "string",
                    N_(
                        "Display name: empty unless the export was made with names=1 "
                        "and the workshop asked for names."
                    ),
                ),
                GROUP,
                Column("joined_at", "datetime", N_("When the participant joined (UTC)."), True),
                Column(
                    "consent_version",
                    "integer",
                    N_("Version of the consent text agreed to; empty when none was asked."),
                ),
                Column(
                    "consented_at", "datetime", N_("When consent was given (UTC); empty when none was asked.")
                ),
            ),
            primary_key=("participant",),
            foreign_keys={"group": ("groups", "group")},
        ),
        TableSpec(
            "items",
            N_("Every contribution: vision statements, milestones, needs and measures."),
            (
                ITEM_ID,
                Column("kind", "string", N_("vision, milestone, need or measure."), True, enum=_kinds()),
                Column("text", "string", N_("The text of the item."), True),
                Column("year", "integer", N_("Year of a milestone, or the year an item is placed in.")),
                Column(
                    "author",
                    "string",
                    N_("Pseudonym of the participant who wrote it; empty when the facilitator did."),
                ),
                Column("by_facilitator", "boolean", N_("Written by a facilitator."), True),
                Column("hidden", "boolean", N_("Hidden by the facilitator."), True),
                Column("withdrawn", "boolean", N_("Withdrawn by its author."), True),
                Column("merged_into", "integer", N_("Id of the item this one was merged into.")),
                Column("adopted", "boolean", N_("Adopted as the workshop's vision."), True),
                Column("in_results", "boolean", N_("Up for rating and counted in the results."), True),
                Column("created_at", "datetime", N_("When the item was added (UTC)."), True),
                Column("updated_at", "datetime", N_("When the item last changed (UTC)."), True),
                Column(
                    "table",
                    "integer",
                    N_("Id of the breakout table it was added at; empty for the plenary's."),
                    minimum=1,
                ),
            ),
            primary_key=("item_id",),
            foreign_keys={"author": ("participants", "participant"), "table": ("tables", "table_id")},
        ),
        TableSpec(
            "tables",
            N_("Breakout tables: small groups working in parallel, one row per table of each breakout."),
            (
                Column("table_id", "integer", N_("Id of the table, unique in this server."), True, 1),
                Column(
                    "breakout",
                    "integer",
                    N_("Which breakout of the workshop, from 1 for the first."),
                    True,
                    1,
                ),
                Column("number", "integer", N_("Number of the table in its breakout, from 1."), True, 1),
                Column("name", "string", N_("Name of the table."), True),
                Column("scope_item_id", "integer", N_("Id of the milestone or need the table worked on.")),
                Column(
                    "scope_text", "string", N_("What the table worked on, in words (a sector, a district).")
                ),
                Column(
                    "assign",
                    "string",
                    N_(
                        "How people were seated: balanced spreads each stakeholder group evenly, random "
                        "shuffles with the seed, choice let each person pick."
                    ),
                    True,
                    enum=tuple(Assign),
                ),
                Column("seed", "integer", N_("Seed of a random seating, to replay it.")),
                Column("started_at", "datetime", N_("When the breakout started (UTC)."), True),
                Column("ended_at", "datetime", N_("When the breakout ended (UTC); empty while it goes on.")),
            ),
            primary_key=("table_id",),
            foreign_keys={"scope_item_id": ("items", "item_id")},
        ),
        TableSpec(
            "seating",
            N_("Who sat at which table, and when: moving someone ends one row and starts another."),
            (
                Column("table_id", "integer", N_("Id of the table."), True, 1),
                PARTICIPANT,
                Column(
                    "how",
                    "string",
                    N_(
                        "balanced, random or choice as the breakout seated them; "
                        "moved when the facilitator did."
                    ),
                    True,
                    enum=(*tuple(Assign), "moved"),
                ),
                Column("seated_at", "datetime", N_("When they took the seat (UTC)."), True),
                Column("left_at", "datetime", N_("When they left it (UTC); empty while they sit there.")),
            ),
            foreign_keys={"table_id": ("tables", "table_id"), "participant": ("participants", "participant")},
        ),
        TableSpec(
            "links",
            N_("Dependencies: a need serves a milestone, a measure meets a need."),
            (
                Column("from_id", "integer", N_("Id of the item that depends (need or measure)."), True),
                Column("from_kind", "string", N_("Kind of that item."), True, enum=_kinds()),
                Column("to_id", "integer", N_("Id of the item it serves (milestone or need)."), True),
                Column("to_kind", "string", N_("Kind of that item."), True, enum=_kinds()),
            ),
            primary_key=("from_id", "to_id"),
            foreign_keys={"from_id": ("items", "item_id"), "to_id": ("items", "item_id")},
        ),
        TableSpec(
            "ratings",
            N_("Every rating: one row per participant, item and criterion rated."),
            (
                ITEM_ID,
                Column("item_kind", "string", N_("Kind of the item."), True, enum=_kinds()),
                Column("item_text", "string", N_("Text of the item."), True),
                CRITERION,
                Column(
                    "value", "integer", N_("The value given on the criterion's scale; empty for can't judge.")
                ),
                Column("cant_judge", "boolean", N_('The participant answered "can\'t judge".'), True),
                PARTICIPANT,
                GROUP,
                Column(
                    "rated_at", "datetime", N_("When the item was first rated on this criterion (UTC)."), True
                ),
                Column("updated_at", "datetime", N_("When the value last changed (UTC)."), True),
                IN_RESULTS,
            ),
            primary_key=("item_id", "criterion", "participant"),
            foreign_keys={
                "item_id": ("items", "item_id"),
                "criterion": ("criteria", "criterion"),
                "participant": ("participants", "participant"),
            },
        ),
        TableSpec(
            "dots",
            N_("Dot votes: one row per participant and item they gave dots to."),
            (
                ITEM_ID,
                PARTICIPANT,
                GROUP,
                Column("count", "integer", N_("Dots given to the item."), True, 0),
                Column("updated_at", "datetime", N_("When the count last changed (UTC)."), True),
                IN_RESULTS,
            ),
            primary_key=("item_id", "participant"),
            foreign_keys={"item_id": ("items", "item_id"), "participant": ("participants", "participant")},
        ),
        TableSpec(
            "results",
            N_("Per item: weighted score, dots and rank, for everyone and for each group."),
            (
                ITEM_ID,
                Column("item_text", "string", N_("Text of the item."), True),
                SCOPE,
                SHOWN,
                Column(
                    "rank",
                    "integer",
                    N_("Rank by score, then dots, then raters; ties share a rank."),
                    minimum=1,
                ),
                Column(
                    "score", "number", N_("Weighted score from 0 (worst) to 1 (best); empty without ratings.")
                ),
                Column("score_criteria", "string", N_("Criteria the score averages, separated by spaces.")),
                Column("dots", "integer", N_("Dots given to the item."), minimum=0),
                Column(
                    "raters", "integer", N_("Participants who gave the item at least one value."), minimum=0
                ),
            ),
            foreign_keys={"item_id": ("items", "item_id")},
        ),
        TableSpec(
            "results_criteria",
            N_("Per item and criterion: the statistics, for everyone and for each group."),
            (
                ITEM_ID,
                SCOPE,
                CRITERION,
                SHOWN,
                Column("n", "integer", N_("Values given (can't judge not included)."), minimum=0),
                Column("n_cant_judge", "integer", N_('Answers "can\'t judge".'), minimum=0),
                Column("cant_judge_share", "number", N_('Share of answers that were "can\'t judge".')),
                Column("mean", "number", N_("Arithmetic mean of the values.")),
                Column("median", "number", N_("Median of the values.")),
                Column("sd", "number", N_("Sample standard deviation (n - 1); empty when n < 2.")),
                Column("q1", "number", N_("First quartile (Hyndman-Fan type 7).")),
                Column("q3", "number", N_("Third quartile (Hyndman-Fan type 7).")),
                Column("iqr", "number", N_("Interquartile range, q3 - q1.")),
                Column("min", "integer", N_("Lowest value given.")),
                Column("max", "integer", N_("Highest value given.")),
                Column(
                    "consensus",
                    "boolean",
                    N_("IQR at most a quarter of the scale's range (1 on 1-5) with n of 3 or more."),
                ),
            ),
            foreign_keys={"item_id": ("items", "item_id"), "criterion": ("criteria", "criterion")},
        ),
        TableSpec(
            "results_counts",
            N_("Per item and criterion: how often each value of the scale was given."),
            (
                ITEM_ID,
                SCOPE,
                CRITERION,
                Column("value", "integer", N_("A value of the scale."), True),
                Column("count", "integer", N_("How often it was given."), True, 0),
            ),
            foreign_keys={"item_id": ("items", "item_id"), "criterion": ("criteria", "criterion")},
        ),
        TableSpec(
            "agenda",
            N_("The action agenda: the measures the workshop decided to pursue."),
            (
                Column(
                    "position",
                    "integer",
                    N_(
                        "Order on the agenda, from 0 for the first; the console, screen and report "
                        "number it from 1 (position + 1)."
                    ),
                    True,
                ),
                ITEM_ID,
                Column("item_text", "string", N_("Text of the item."), True),
                Column("owner", "string", N_("Who takes the measure forward.")),
                Column("start_year", "integer", N_("Year the measure starts.")),
                Column("note", "string", N_("The facilitator's note.")),
            ),
            primary_key=("item_id",),
            foreign_keys={"item_id": ("items", "item_id")},
        ),
    )
}

DEFAULT_TABLE = "ratings"
