"""The tables of a study's export: each workshop table stacked with a leading `workshop` column,
the workshops with the metadata they are compared by, the study's themes and its codings.

Made from the workshop tables of `schema.py`, so that a column means the same in both exports
and the codebook describes it once.
"""

from __future__ import annotations

from dataclasses import replace

from backcast.export.schema import TABLES, Column, TableSpec
from backcast.i18n import N_

WORKSHOP = Column(
    "workshop", "string", N_("Join code of the workshop the row belongs to (see the workshops table)."), True
)
CODED_ITEM = Column("item_id", "integer", N_("Id of the coded item (contribution)."), True, 1)
THEME = Column("theme", "string", N_("Key of the theme, unique in the study."), True)


def stacked(spec: TableSpec) -> TableSpec:
    """A workshop table holding the rows of every workshop of the study: keys hold per workshop."""
    return replace(
        spec,
        columns=(WORKSHOP, *spec.columns),
        foreign_keys={"workshop": ("workshops", "workshop"), **spec.foreign_keys},
        scope="workshop",
    )


_ONE_WORKSHOP = TABLES["workshop"]
assert _ONE_WORKSHOP.columns[0].name == "code"

STUDY_ONLY: tuple[TableSpec, ...] = (
    TableSpec(
        "themes",
        N_("The study's themes, which contributions are coded with, in the codebook's order."),
        (
            THEME,
            Column("theme_id", "integer", N_("Id of the theme, as the API gives it."), True, 1),
            Column("label_en", "string", N_("The theme's label in English; empty if none was given.")),
            Column("label_de", "string", N_("The theme's label in German; empty if none was given.")),
            Column("position", "integer", N_("Order of the theme, from 0 for the first."), True, 0),
        ),
        primary_key=("theme",),
    ),
    TableSpec(
        "codings",
        N_(
            "Every coding: one row per coder, item and theme given; a coding with no theme (none fits) "
            "has one row with the theme empty. The settled coding is the one the study's results use."
        ),
        (
            WORKSHOP,
            CODED_ITEM,
            Column(
                "theme",
                "string",
                N_("Key of the theme given to the item; empty when the coder found that none fits."),
            ),
            Column(
                "coder",
                "string",
                N_(
                    "Pseudonym of the study member who coded (for a settled coding: who settled it); "
                    "stable within this study, not linkable to other studies."
                ),
                True,
            ),
            Column("coded_at", "datetime", N_("When the item was coded so (UTC)."), True),
            Column(
                "settled",
                "boolean",
                N_("True for the study's settled coding of the item, false for one coder's own."),
                True,
            ),
        ),
        foreign_keys={
            "workshop": ("workshops", "workshop"),
            "item_id": ("items", "item_id"),
            "theme": ("themes", "theme"),
        },
        scope="workshop",
    ),
    # theme_results (theme × workshop figures as on the study's comparison page) belongs here,
    # after codings, with its rows made in `study.study_tables`.
)

STUDY_TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec(
            "workshops",
            N_("The study's workshops, one row each, with the metadata they are compared by."),
            (
                WORKSHOP,
                *_ONE_WORKSHOP.columns[1:],
                Column("region", "string", N_("Region the workshop was held for; empty if not given.")),
                Column("sector", "string", N_("Sector the workshop was held for; empty if not given.")),
                Column("held_on", "date", N_("Date the workshop was held; empty if not given.")),
                Column("venue", "string", N_("Where the workshop was held; empty if not given.")),
            ),
            primary_key=("workshop",),
        ),
        *(stacked(spec) for name, spec in TABLES.items() if name != "workshop"),
        *STUDY_ONLY,
    )
}

DEFAULT_STUDY_TABLE = "ratings"
