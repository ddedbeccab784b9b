"""The typed event catalogue.

Every state change appends one of these to the event log. The log is the audit trail, the
research log and the source of the live stream, so payloads are facts a researcher may read:
ids, keys and text people typed, never tokens, password hashes or display names.
docs/events.md is written from these classes (`make docs`; a test checks it is current): the type,
the docstring and the fields of each.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from backcast.enums import ItemKind, Phase

EVENT_TYPES: dict[str, type[Event]] = {}


class Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    type: ClassVar[str]
    # Changes to accounts belong to no workshop: they go to the account log, never to a stream.
    account: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.type in EVENT_TYPES:
            raise TypeError(f"duplicate event type {cls.type}")
        EVENT_TYPES[cls.type] = cls


def parse_event(type_: str, data: dict[str, Any]) -> Event:
    return EVENT_TYPES[type_].model_validate(data)


# --- workshop set-up ---------------------------------------------------------------------------


class WorkshopCreated(Event):
    """A facilitator created the workshop; carries its initial set-up.

    `template` is the key of the template the workshop started from (empty for workshops created
    before templates existed).
    """

    type = "workshop-created"
    code: str
    title: str
    question: str
    language: str
    present_year: int
    vision_year: int
    milestone_years: list[int]
    dot_budget: int
    names: str
    rated_kinds: list[str]
    criteria: list[str]
    groups: list[str]
    # The template it started from; empty for workshops older than templates.
    template: str = ""


class OwnerAdded(Event):
    """A facilitator became an owner of the workshop: its creator, or a co-owner another owner added."""

    type = "owner-added"
    facilitator_id: int


class OwnerRemoved(Event):
    """A facilitator stopped being an owner of the workshop; the last owner never does."""

    type = "owner-removed"
    facilitator_id: int


# --- running -----------------------------------------------------------------------------------


class RoomLocked(Event):
    """The facilitator locked the room: no new participants may join (those in it go on); or opened it
    again, `locked` false.
    """

    type = "room-locked"
    locked: bool


class PhaseChanged(Event):
    """The facilitator moved the workshop to another phase, forward or back."""

    type = "phase-changed"
    phase: Phase
    previous: Phase
    input_open: bool


class InputOpened(Event):
    """Participants may contribute, rate or vote in the current phase."""

    type = "input-opened"
    phase: Phase


class InputClosed(Event):
    """Input for the current phase is closed; further contributions are refused."""

    type = "input-closed"
    phase: Phase


class ResultsShown(Event):
    """Results were revealed on the screen and phones."""

    type = "results-shown"


class ResultsHidden(Event):
    """Results were hidden from the screen and phones again."""

    type = "results-hidden"


# --- participants ------------------------------------------------------------------------------


class ParticipantJoined(Event):
    """Someone joined from a phone or the API. The display name stays out of the log; `consented` says
    whether they agreed to the workshop's consent text (false when none was asked, or when they took
    part without agreeing).
    """

    type = "participant-joined"
    participant_id: int
    group: str | None
    named: bool
    consented: bool


class ParticipantGroupSet(Event):
    """A participant chose, changed or cleared their stakeholder group after joining, on their phone or
    with `PUT /api/v1/participants/me/group`. Allowed until their first rating or dot, so that no
    answer ever moves from one group's figures to another's. `group` is the group's key, or null for
    none.
    """

    type = "participant-group-set"
    participant_id: int
    group: str | None


class ParticipantDeleted(Event):
    """A participant's data was deleted, by the facilitator or by the participant from their phone
    (then the actor is `erased`): their row, display name, token, consent, group, ratings and dots.
    Their contributions stay as the room's work, without an author (`items_kept` says how many); the
    entries they caused in this log are erased or lose their actor (see `entry-erased`).
    """

    type = "participant-deleted"
    participant_id: int
    items_kept: int


class EntryErased(Event):
    """Not appended: it takes the place of an entry that held a deleted participant's own data (their
    `participant-joined`, `participant-group-set`, `item-rated` and `dots-set`), so that `seq` stays
    gap-free; `was` is the type the entry had. The other entries a deleted participant caused
    (`item-added`, `item-edited`, `item-withdrawn`) keep their content, with `actor` set to `erased`
    and `author_id` to null. This is the one change ever made to past entries, and clients that keep
    a copy of the log should apply the same deletion on seeing `participant-deleted`.
    """

    type = "entry-erased"
    was: str


class ParticipantsAnonymised(Event):
    """Retention (`BACKCAST_RETENTION_DAYS`): nothing had happened in the workshop for `days` days, so
    the display names and tokens of its participants were removed (`participants` says how many were
    changed; they can no longer resume on their phones). Consent records, groups, contributions,
    ratings and dots stay. The actor is `system`.
    """

    type = "participants-anonymised"
    participants: int
    days: int


# --- items -------------------------------------------------------------------------------------


class ItemAdded(Event):
    """A vision statement, milestone, need or measure was contributed; `table_id` is the breakout
    table it was added at (null in the plenary, and in entries older than tables)."""

    type = "item-added"
    item_id: int
    kind: ItemKind
    text: str
    year: int | None
    author_id: int | None
    by_facilitator: bool
    links: list[int]
    table_id: int | None = None


class ItemEdited(Event):
    """An item's text or year was changed, by its author or the facilitator."""

    type = "item-edited"
    item_id: int
    text: str
    year: int | None


class ItemHidden(Event):
    """The facilitator hid an item from the screen and phones (it stays in the data)."""

    type = "item-hidden"
    item_id: int


class ItemUnhidden(Event):
    """The facilitator showed a hidden item again."""

    type = "item-unhidden"
    item_id: int


class ItemLinksSet(Event):
    """The facilitator set what an item links to (a need's milestones, a measure's needs); `links` is
    the whole new list.
    """

    type = "item-links-set"
    item_id: int
    links: list[int]


class ItemMerged(Event):
    """A duplicate was merged into another item; its links moved to the survivor."""

    type = "item-merged"
    item_id: int
    into_id: int


class ItemWithdrawn(Event):
    """The author withdrew their own contribution (it stays in the data, marked withdrawn)."""

    type = "item-withdrawn"
    item_id: int


# --- rating and dots ---------------------------------------------------------------------------


class ItemRated(Event):
    """A participant rated an item; `values` maps criterion keys to a value, or null for "can't judge".
    A later rating of the same item and criterion replaces the earlier one.
    """

    type = "item-rated"
    item_id: int
    participant_id: int
    values: dict[str, int | None]


class DotsSet(Event):
    """A participant set the number of dots they give an item."""

    type = "dots-set"
    item_id: int
    participant_id: int
    count: int


# --- accounts (kept in the account log, not in a workshop's log) -------------------------------


class FacilitatorAdded(Event):
    """A facilitator account was created, from the CLI or the first-run set-up page."""

    type = "facilitator-added"
    account = True
    facilitator_id: int
    via: str


class ApiTokenIssued(Event):
    """An API token was issued to a facilitator (the token itself is never logged)."""

    type = "api-token-issued"
    account = True
    facilitator_id: int
    token_id: int


class ApiTokenRevoked(Event):
    """A facilitator's API token was revoked: it stops working at once. `via` is `cli` or `account`."""

    type = "api-token-revoked"
    account = True
    facilitator_id: int
    token_id: int
    via: str


class PasswordChanged(Event):
    """A facilitator's password was changed; every other session of the account ended with it."""

    type = "password-changed"
    account = True
    facilitator_id: int
    via: str


class SessionsEnded(Event):
    """A facilitator signed out everywhere: every session of the account ended, in every browser."""

    type = "sessions-ended"
    account = True
    facilitator_id: int
    sessions: int


class WorkshopDeleted(Event):
    """A facilitator deleted a workshop and all of its data (kept in the account log)."""

    type = "workshop-deleted"
    account = True
    workshop_id: int
    code: str
    facilitator_id: int


class TemplateSaved(Event):
    """A facilitator saved a workshop's set-up as a template, or imported a template file; `replaced`
    when it took the place of their own template with the same key.

    `via` is `workshop`, `import` or `study` (a study's codebook saved as a template). Kept in the
    account log.
    """

    type = "template-saved"
    account = True
    facilitator_id: int
    key: str
    via: str
    replaced: bool


class TemplateDeleted(Event):
    """A facilitator deleted one of their saved templates."""

    type = "template-deleted"
    account = True
    facilitator_id: int
    key: str


class WorkshopConfigured(Event):
    """The facilitator changed the workshop's set-up. `changed` names what changed; `values` holds the
    new values of the plain fields among them; `criteria` and `groups` the keys after it.

    `changed` lists field names in a fixed order (`title`, `question`, `present_year`,
    `vision_year`, `milestone_years`, `language`, `dot_budget`, `names`, `rated_kinds`,
    `consent_text`, `prompts`, `criteria`, `groups`). A change of the consent text also raises the
    workshop's consent version, so each participant's consent names the text they agreed to. A
    change that would strand collected data is refused and leaves no event (see the set-up page).
    """

    type = "workshop-configured"
    changed: list[str]
    values: dict[str, Any]
    criteria: list[str]
    groups: list[str]


class TimerSet(Event):
    """The facilitator started, paused, extended or cleared the timer shown on screen and phones (a
    phase change clears it too, right after `phase-changed`). `ends_at` is set while it runs;
    `paused_seconds` while it is paused; both null when cleared.
    """

    type = "timer-set"
    action: str
    ends_at: str | None
    paused_seconds: int | None


class ItemAdopted(Event):
    """The facilitator adopted a vision statement as the synthesis later phases refer to (or let it go
    again, `adopted` false).
    """

    type = "item-adopted"
    item_id: int
    adopted: bool


class AgendaEntryAdded(Event):
    """A measure was put on the action agenda."""

    type = "agenda-entry-added"
    entry_id: int
    item_id: int
    owner: str
    start_year: int | None
    note: str
    position: int


class AgendaEntryUpdated(Event):
    """An agenda entry's owner, start year or note changed."""

    type = "agenda-entry-updated"
    entry_id: int
    owner: str
    start_year: int | None
    note: str


class AgendaEntryRemoved(Event):
    """A measure was taken off the agenda (the measure itself stays)."""

    type = "agenda-entry-removed"
    entry_id: int
    item_id: int


class AgendaReordered(Event):
    """The agenda's order changed; `order` lists the entry ids first to last."""

    type = "agenda-reordered"
    order: list[int]


# --- studies (kept in the study's log; a workshop joining or leaving goes to its log too) --------


class StudyCreated(Event):
    """A facilitator created a study and became its first facilitator member. `source` says where
    its codebook came from: `template:<key>` or `workshop:<code>`.

    This and the events below it go to the study's own log (`study_event`: `study_id`, `seq` from 1
    without gaps, `type`, `actor`, time, payload), written the same way as a workshop's. A workshop
    joining or leaving a study (`workshop-attached`, `workshop-detached`) and a change of its study
    metadata (`study-details-set`) are written to both logs, so each workshop's own log says when it
    belonged to which study. `study-deleted` goes to the account log, since the study's log goes
    with the study.
    """

    type = "study-created"
    study_id: int
    title: str
    source: str
    criteria: list[str]
    groups: list[str]
    themes: list[str]


class StudyEdited(Event):
    """A study's title or description changed; `changed` names which."""

    type = "study-edited"
    study_id: int
    changed: list[str]
    title: str


class StudyDeleted(Event):
    """A facilitator deleted a study that held no workshops (kept in the account log)."""

    type = "study-deleted"
    account = True
    study_id: int
    title: str
    facilitator_id: int


class StudyThemeAdded(Event):
    """A theme was added to the study's codebook."""

    type = "study-theme-added"
    study_id: int
    theme_id: int
    key: str


class StudyMemberAdded(Event):
    """An account became a member of the study, or a member's role changed (`previous_role`)."""

    type = "study-member-added"
    study_id: int
    facilitator_id: int
    role: str
    previous_role: str | None


class StudyMemberRemoved(Event):
    """A member left the study; their access to its workshops ended at once. The last
    facilitator member never does."""

    type = "study-member-removed"
    study_id: int
    facilitator_id: int
    role: str


class WorkshopAttached(Event):
    """The workshop became part of a study (created in it, or attached because its criteria and
    groups fit the study's codebook), with the metadata the study compares workshops by."""

    type = "workshop-attached"
    study_id: int
    workshop_id: int
    code: str
    created: bool
    region: str
    sector: str
    held_on: str | None
    venue: str


class WorkshopDetached(Event):
    """The workshop was taken out of its study on purpose; its data stays with the workshop."""

    type = "workshop-detached"
    study_id: int
    workshop_id: int
    code: str


class StudyDetailsSet(Event):
    """The workshop's study metadata (region, sector, date, venue) changed."""

    type = "study-details-set"
    study_id: int
    workshop_id: int
    region: str
    sector: str
    held_on: str | None
    venue: str


class ItemCoded(Event):
    """A study member coded a contribution with these themes (none: no theme fits), replacing
    their earlier coding of it. `settled` marks the coding the study settled on after comparing
    its coders."""

    type = "item-coded"
    study_id: int
    item_id: int
    workshop_id: int
    coder_id: int
    themes: list[int]
    settled: bool


# --- breakout tables ---------------------------------------------------------------------------


class BreakoutStarted(Event):
    """The facilitator set up breakout tables and the room went to them.

    `breakout` counts the workshop's breakouts from 1. `assign` says how people were seated:
    `balanced` spreads each stakeholder group evenly, `random` shuffles with `seed` (kept so the
    seating can be replayed), `choice` lets each phone pick. `seats` maps each participant seated
    at the start to their table's id; late joiners and moves follow as `participant-seated`.
    """

    type = "breakout-started"
    breakout: int
    assign: str
    seed: int | None = None
    tables: list[dict[str, Any]]
    seats: dict[int, int]


class ParticipantSeated(Event):
    """A participant took a seat at a table: a late joiner seated by the breakout's rule, a phone
    choosing its table (`how` is `choice`), or the facilitator moving someone (`moved`).
    `previous_table_id` is the table they left, if any; that seat stays in the history."""

    type = "participant-seated"
    participant_id: int
    table_id: int
    previous_table_id: int | None = None
    how: str


class BreakoutEnded(Event):
    """The facilitator ended the breakout: the room is back in the plenary. The tables and the
    seating stay in the history; contributions keep their table."""

    type = "breakout-ended"
    breakout: int
