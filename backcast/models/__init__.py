"""SQLModel tables. Rules that protect the data live here as constraints, not only in Python."""

from backcast.models.account import AccountEvent, ApiToken, Facilitator, FacilitatorSession, RateHit
from backcast.models.agenda import AgendaEntry
from backcast.models.base import metadata, utcnow
from backcast.models.event import EventRecord
from backcast.models.item import Item, Link
from backcast.models.participant import Participant
from backcast.models.rating import Dots, Rating
from backcast.models.study import Study, StudyCodedItem, StudyCoding, StudyEvent, StudyMember, StudyTheme
from backcast.models.table import Seating, Table
from backcast.models.template import SavedTemplate
from backcast.models.workshop import Criterion, StakeholderGroup, Workshop, WorkshopOwner

__all__ = [
    "AccountEvent",
    "AgendaEntry",
    "ApiToken",
    "Criterion",
    "Dots",
    "EventRecord",
    "Facilitator",
    "FacilitatorSession",
    "Item",
    "Link",
    "Participant",
    "RateHit",
    "Rating",
    "SavedTemplate",
    "Seating",
    "StakeholderGroup",
    "Study",
    "StudyCodedItem",
    "StudyCoding",
    "StudyEvent",
    "StudyMember",
    "StudyTheme",
    "Table",
    "Workshop",
    "WorkshopOwner",
    "metadata",
    "utcnow",
]
