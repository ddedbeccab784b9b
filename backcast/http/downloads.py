"""A research export as a download, for the API and the console alike."""

from __future__ import annotations

from fastapi import Request, Response

from backcast.db import Database
from backcast.export.exporter import ExportFile, export_workshop
from backcast.models import Facilitator, Workshop


def export_download(
    request: Request,
    db: Database,
    workshop: Workshop,
    facilitator: Facilitator,
    *,
    format_: str,
    table: str | None,
    names: bool,
    via: str,
    bom: bool = False,
) -> Response:
    exported = export_workshop(
        db,
        workshop,
        format_=format_,
        table=table,
        names=names,
        secret_key=request.app.state.settings.resolved_secret_key,
        # By account number: an export leaves the server and is shared, an address must not go with it.
        exported_by=f"facilitator:{facilitator.id} {via}",
        bom=bom,
    )
    return file_response(exported)


def file_response(exported: ExportFile) -> Response:
    return Response(
        exported.content,
        media_type=exported.media_type,
        headers={"Content-Disposition": f'attachment; filename="{exported.filename}"'},
    )
