"""A workshop's results and its research exports, for its facilitators."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from backcast.analysis.document import workshop_results
from backcast.api.deps import current_facilitator
from backcast.api.problems import problems
from backcast.db import Database
from backcast.export.exporter import FORMATS
from backcast.export.schema import TABLES
from backcast.http.deps import get_db
from backcast.http.downloads import export_download
from backcast.models import Facilitator
from backcast.models.limits import ROUNDS_MAX
from backcast.services import rounds, workshops

router = APIRouter(tags=["results"], responses=problems(401, 403, 404))


@router.get("/workshops/{code}/results")
def results(
    code: str,
    round: Annotated[
        int | None,
        Query(
            ge=1,
            le=ROUNDS_MAX,
            description="The rating round (default the latest); a round the workshop has not had is 404.",
        ),
    ] = None,
    facilitator: Facilitator = Depends(current_facilitator),
    db: Database = Depends(get_db),
) -> dict[str, Any]:
    """Per item and criterion: n, can't judge, mean, median, SD, quartiles, IQR, min, max, counts per
    scale value and consensus; per item: weighted score, dots and rank; the same by stakeholder group
    where at least 3 of its participants answered. Of one rating round: the latest unless `round`
    asks for another. Methods: docs/results.md."""
    workshop = workshops.viewable_workshop(db, facilitator, code)
    chosen = None if round is None else rounds.require_round(workshop, round)
    return workshop_results(db, workshop, chosen)


@router.get(
    "/workshops/{code}/export",
    response_class=Response,
    responses={
        200: {"content": {media: {} for media, _ in FORMATS.values()}},
        **problems(409, s409="Names asked for where the workshop asked participants for none."),
    },
)
def export(
    code: str,
    request: Request,
    format: Annotated[
        str, Query(description="csv, xlsx, json or datapackage", json_schema_extra={"enum": list(FORMATS)})
    ] = "csv",
    table: Annotated[
        str | None,
        Query(
            description="With format=csv: which table (default ratings); with another format, refused (422).",
            json_schema_extra={"enum": list(TABLES)},
        ),
    ] = None,
    names: Annotated[bool, Query(description="Include display names where the workshop allows it")] = False,
    facilitator: Facilitator = Depends(current_facilitator),
    db: Database = Depends(get_db),
) -> Response:
    """The workshop's data for research; codebook in docs/results.md."""
    workshop = workshops.viewable_workshop(db, facilitator, code)
    # Display names stay with those who run the workshop; a study's researchers get pseudonyms.
    names = names and workshops.may_run(db, facilitator, workshop)
    return export_download(
        request, db, workshop, facilitator, format_=format, table=table, names=names, via="through the API"
    )
