"""Workshop templates: the built-in ones, and those a facilitator saved or imported."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session, col, select

from backcast import workshop_templates
from backcast.db import Database
from backcast.events import TemplateDeleted, TemplateSaved
from backcast.i18n import N_, N_plural
from backcast.models import Facilitator, SavedTemplate, utcnow
from backcast.models import limits as L
from backcast.services import validate, workshops
from backcast.services.errors import Invalid, NotFound
from backcast.services.eventlog import record_account
from backcast.services.text import slug_ascii
from backcast.workshop_templates import TemplateError, WorkshopTemplate


@dataclass(frozen=True)
class TemplateChoice:
    key: str
    template: WorkshopTemplate
    built_in: bool


def _saved(session: Session, facilitator: Facilitator) -> list[SavedTemplate]:
    query = (
        select(SavedTemplate)
        .where(SavedTemplate.facilitator_id == facilitator.id)
        .order_by(col(SavedTemplate.name), col(SavedTemplate.id))
    )
    return list(session.exec(query))


def templates_for(db: Database, facilitator: Facilitator) -> list[TemplateChoice]:
    """The built-in templates first, then the facilitator's own, by name."""
    with db.read() as session:
        own = _saved(session, facilitator)
    return [TemplateChoice(t.key, t, True) for t in workshop_templates.built_ins()] + [
        TemplateChoice(row.key, WorkshopTemplate.model_validate(row.body), False) for row in own
    ]


def find_template(db: Database, facilitator: Facilitator, key: object) -> WorkshopTemplate:
    if isinstance(key, str) and key in workshop_templates.BUILT_IN:
        return workshop_templates.built_in(key)
    if not isinstance(key, str) or not validate.storable(key):
        raise NotFound(N_("There is no template with this name."), field="template")
    with db.read() as session:
        row = session.exec(
            select(SavedTemplate).where(
                SavedTemplate.facilitator_id == facilitator.id, SavedTemplate.key == key
            )
        ).first()
    if row is None:
        raise NotFound(N_("There is no template with this name."), field="template")
    return WorkshopTemplate.model_validate(row.body)


def slug(name: str) -> str:
    """A template key from a name: "Kreislauf Nordwest 2045" → "kreislauf-nordwest-2045"."""
    key = re.sub(r"[^a-z0-9]+", "-", slug_ascii(name)).strip("-")
    if not key or not key[0].isalpha():
        key = f"t-{key}".rstrip("-")
    return key[: L.TEMPLATE_KEY_MAX].rstrip("-")


def save_template(
    db: Database, facilitator: Facilitator, template: WorkshopTemplate, *, via: str
) -> WorkshopTemplate:
    """Keeps `template` among the facilitator's own. The same key as one of theirs replaces it; a
    built-in's key gets a suffix, since built-ins cannot be replaced."""
    key = template.key
    if key in workshop_templates.BUILT_IN:
        key = f"{key}-own"[: L.TEMPLATE_KEY_MAX]
        template = template.model_copy(update={"key": key})
    name = validate.text(template.title(""), "name", max_length=L.TITLE_MAX, multiline=False)
    assert facilitator.id is not None
    with db.write() as tx:
        row = tx.session.exec(
            select(SavedTemplate)
            .where(SavedTemplate.facilitator_id == facilitator.id, SavedTemplate.key == key)
            .with_for_update()
        ).first()
        replaced = row is not None
        body = template.model_dump(mode="json")
        if row is None:
            row = SavedTemplate(facilitator_id=facilitator.id, key=key, name=name, body=body)
        else:
            row.name, row.body, row.updated_at = name, body, utcnow()
        tx.session.add(row)
        record_account(tx, TemplateSaved(facilitator_id=facilitator.id, key=key, via=via, replaced=replaced))
    return template


def save_workshop_as_template(
    db: Database, facilitator: Facilitator, code: str, name: str
) -> WorkshopTemplate:
    name = validate.text(name, "name", max_length=L.TITLE_MAX, multiline=False)
    template = workshops.setup_template(db, facilitator, code, slug(name), name)
    return save_template(db, facilitator, template, via="workshop")


def import_template(db: Database, facilitator: Facilitator, data: bytes) -> WorkshopTemplate:
    """A template file someone exported, checked; TemplateError lists what is wrong with it."""
    if not data:
        raise Invalid(N_("Choose a template file to import."), field="file")
    try:
        template = workshop_templates.parse(data)
    except TemplateError as error:
        where, what = error.problems[0]
        more = len(error.problems) - 1
        raise Invalid(
            N_plural(
                "This is not a usable template file: %(where)s: %(problem)s (%(more)d more problem)",
                "This is not a usable template file: %(where)s: %(problem)s (%(more)d more problems)",
                count="more",
            )
            if more
            else N_("This is not a usable template file: %(where)s: %(problem)s"),
            field="file",
            where=where,
            problem=what,
            more=more,
        ) from None
    return save_template(db, facilitator, template, via="import")


def delete_template(db: Database, facilitator: Facilitator, key: str) -> None:
    assert facilitator.id is not None
    with db.write() as tx:
        row = tx.session.exec(
            select(SavedTemplate).where(
                SavedTemplate.facilitator_id == facilitator.id, SavedTemplate.key == key
            )
        ).first()
        if row is None:
            raise NotFound(N_("There is no template with this name."), field="template")
        tx.session.delete(row)
        record_account(tx, TemplateDeleted(facilitator_id=facilitator.id, key=key))
