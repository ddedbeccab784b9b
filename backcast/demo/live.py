"""A rehearsal: simulated participants join the demo workshop over time and follow whatever phase
the facilitator sets in the console, at a human pace, until the time is up or Ctrl-C.

They act through the services, like phones do. The workshop is read once a second by one watcher;
each participant is a task that thinks for a while, then joins, contributes, rates or spends a dot.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from backcast import i18n
from backcast.db import Database, NoPublisher
from backcast.demo import content
from backcast.demo.content import Contribution, Measure
from backcast.demo.opinions import appeal, dot_plan, rating_values
from backcast.enums import LINK_TARGET, PHASE_KIND, ItemKind, Phase
from backcast.i18n import N_
from backcast.live.factory import make_broker
from backcast.models import Criterion, Item, Participant, Workshop
from backcast.services import items, participants, ratings, workshops
from backcast.services.errors import NotFound, ServiceError
from backcast.settings import Settings

POLL_SECONDS = 1.0
ARRIVALS = 60.0  # seconds at speed 1 in which most participants arrive; the rest within three times that
# How many contributions of each kind a person makes: (choices, weights).
QUOTAS: dict[ItemKind, tuple[tuple[int, ...], tuple[float, ...]]] = {
    ItemKind.vision: ((0, 1), (0.6, 0.4)),
    ItemKind.milestone: ((0, 1, 2), (0.45, 0.45, 0.1)),
    ItemKind.need: ((0, 1, 2), (0.3, 0.5, 0.2)),
    ItemKind.measure: ((0, 1, 2), (0.3, 0.5, 0.2)),
}
# Seconds at speed 1, (shortest, longest): reading a new phase, writing a contribution, rating one
# measure, placing one dot.
READING = (3.0, 10.0)
WRITING = (8.0, 40.0)
RATING = (3.0, 12.0)
VOTING = (2.0, 8.0)

T = TypeVar("T")


@dataclass
class Tally:
    joined: int = 0
    added: int = 0
    ratings: int = 0
    dots: int = 0
    refused: int = 0  # the phase moved on between looking and acting, as happens on real phones

    def line(self) -> str:
        # A list of counts, each with its own plural ("1 rating", "2 ratings"), joined by commas.
        return ", ".join(
            [
                i18n.ngettext("%(num)d joined", "%(num)d joined", self.joined),
                i18n.ngettext("%(num)d contribution", "%(num)d contributions", self.added),
                i18n.ngettext("%(num)d rating", "%(num)d ratings", self.ratings),
                i18n.ngettext("%(num)d dot placed", "%(num)d dots placed", self.dots),
            ]
        )


@dataclass
class Room:
    """What the participants see: the workshop and its standing items, as the watcher last read them."""

    workshop: Workshop
    criteria: list[Criterion]
    items: list[Item] = field(default_factory=list)
    pools: dict[ItemKind, list[Contribution]] = field(default_factory=dict)

    def of_kind(self, kind: str) -> list[Item]:
        return [item for item in self.items if item.kind == kind]

    def up_for_rating(self) -> list[Item]:
        return [item for item in self.items if items.up_for_rating(self.workshop, item)]


class Rehearsal:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        code: str,
        *,
        participants: int,
        seconds: float,
        speed: float = 1.0,
        seed: int = 2045,
        say: Callable[[str], None] = print,
    ) -> None:
        self.db, self.settings, self.code = db, settings, code
        self.count, self.seconds, self.speed = participants, seconds, speed
        self.rng = random.Random(seed)
        self.say = say
        self.tally = Tally()
        self.deleted = False
        self.started = time.monotonic()
        self.by_text = {
            contribution.text: contribution
            for contribution in [*content.VISIONS, *content.MILESTONES, *content.NEEDS, content.DUPLICATE]
        }
        self.by_text.update({measure.contribution.text: measure.contribution for measure in content.MEASURES})
        self.measures: dict[str, Measure] = {m.contribution.text: m for m in content.MEASURES}
        self.key_text = {contribution.key: text for text, contribution in self.by_text.items()}

    # --- running ---------------------------------------------------------------------------------

    async def run(self) -> None:
        """Until the time is up; cancelling it (Ctrl-C) stops every participant where they are."""
        broker = make_broker(self.settings, self.db)
        await broker.start()
        # Published through the configured broker, so a server sharing it hears of each change.
        self.db.publisher = broker
        try:
            room = await self._room()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._everyone(room), self.seconds)
        except NotFound:
            self.deleted = True  # the facilitator deleted the workshop: nobody is left to act
        finally:
            self.db.publisher = NoPublisher()
            await broker.stop()

    async def _everyone(self, room: Room) -> None:
        tasks = [asyncio.create_task(self._watch(room), name="watcher")]
        for index in range(self.count):
            person = Simulated(self, room, index, random.Random(self.rng.getrandbits(64)))
            tasks.append(asyncio.create_task(person.run(), name=f"participant-{index}"))
        try:
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _room(self) -> Room:
        workshop, criteria, _, _ = await self.call(workshops.workshop_details, self.db, self.code)
        pools = {
            ItemKind.vision: list(content.VISIONS),
            ItemKind.milestone: list(content.MILESTONES),
            ItemKind.need: list(content.NEEDS),
            ItemKind.measure: [m.contribution for m in content.MEASURES] + [content.DUPLICATE],
        }
        for pool in pools.values():
            self.rng.shuffle(pool)
        return Room(workshop, criteria, pools=pools)

    async def _watch(self, room: Room) -> None:
        seen_seq, seen_phase = -1, room.workshop.phase
        while True:
            workshop = await self.call(workshops.workshop_by_code, self.db, self.code)
            if workshop.last_seq != seen_seq:
                standing, _ = await self.call(items.items_with_links, self.db, workshop, include_hidden=False)
                room.workshop, room.items, seen_seq = workshop, standing, workshop.last_seq
            if workshop.phase != seen_phase:
                seen_phase = workshop.phase
                line = i18n.gettext(
                    N_("phase %(phase)s: %(tally)s"), phase=workshop.phase, tally=self.tally.line()
                )
                self.say(f"[{self.clock()}] {line}")
            await asyncio.sleep(self.poll)

    @property
    def poll(self) -> float:
        return max(POLL_SECONDS / self.speed, 0.05)

    def clock(self) -> str:
        elapsed = int(time.monotonic() - self.started)
        return f"{elapsed // 60:02d}:{elapsed % 60:02d}"

    async def call(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await asyncio.to_thread(function, *args, **kwargs)


class Simulated:
    """One simulated participant."""

    def __init__(self, rehearsal: Rehearsal, room: Room, index: int, rng: random.Random) -> None:
        self.rehearsal, self.room, self.rng = rehearsal, room, rng
        if index < len(content.PEOPLE):
            self.person = content.PEOPLE[index]
        else:
            self.person = content.Person(None, rng.choice(content.GROUPS).key)
        # Most arrive in the first minute, some trickle in later.
        first = rng.random() < 0.8
        self.arrival = rng.uniform(0, ARRIVALS) if first else rng.uniform(ARRIVALS, 3 * ARRIVALS)
        self.quota = {kind: rng.choices(*QUOTAS[kind])[0] for kind in QUOTAS}
        if index == 0:  # someone always starts, so every input phase gets something
            self.quota = {kind: max(count, 1) for kind, count in self.quota.items()}
        self.added = dict.fromkeys(QUOTAS, 0)
        self.participant: Participant | None = None
        self.given: dict[int, dict[str, int | None]] = {}
        self.voted = False
        self.phase_seen: str | None = None

    async def run(self) -> None:
        await self.pause(self.arrival, self.arrival)
        joined = await self.act(
            participants.join_workshop,
            self.rehearsal.db,
            self.rehearsal.code,
            name=self.person.name,
            group=self.person.group,
        )
        if joined is None:
            return
        self.participant = joined.participant
        self.rehearsal.tally.joined += 1
        while True:
            if not await self.step():
                await asyncio.sleep(self.rehearsal.poll)

    @property
    def me(self) -> Participant:
        assert self.participant is not None, "acts only once joined"
        return self.participant

    async def step(self) -> bool:
        """One thing this person does now; False when there is nothing to do."""
        workshop = self.room.workshop
        if not workshop.input_open:
            return False
        if workshop.phase != self.phase_seen:
            self.phase_seen = workshop.phase
            await self.pause(*READING)
            return True
        kind = PHASE_KIND.get(Phase(workshop.phase))
        if kind is not None:
            return await self.contribute(kind)
        if workshop.phase == Phase.rating:
            return await self.rate()
        if workshop.phase == Phase.prioritisation:
            return await self.vote()
        return False

    def still(self, phase: str) -> bool:
        return self.room.workshop.phase == phase and self.room.workshop.input_open

    async def contribute(self, kind: ItemKind) -> bool:
        pool = self.room.pools[kind]
        if self.added[kind] >= self.quota[kind] or not pool:
            return False
        phase = self.room.workshop.phase
        await self.pause(*WRITING)
        if not self.still(phase) or not pool:
            return True
        contribution = pool.pop()
        self.added[kind] += 1
        item = await self.act(
            items.add_item,
            self.rehearsal.db,
            self.me,
            self.rehearsal.code,
            kind=kind,
            text=contribution.text,
            year=contribution.year,
            links=self.links(kind, contribution),
        )
        if item is not None:
            self.rehearsal.tally.added += 1
        return True

    def links(self, kind: ItemKind, contribution: Contribution) -> list[int]:
        """The parents the content names, where they stand; else one or two that do."""
        target = LINK_TARGET.get(kind)
        if target is None:
            return []
        standing = self.room.of_kind(target)
        wanted = {self.rehearsal.key_text.get(key) for key in contribution.links}
        chosen = [item for item in standing if item.text in wanted]
        if not chosen and standing:
            chosen = self.rng.sample(standing, min(len(standing), self.rng.choice((1, 1, 2))))
        return [item.id for item in chosen if item.id is not None]

    async def rate(self) -> bool:
        pending = [item for item in self.room.up_for_rating() if item.id not in self.given]
        if not pending:
            return False
        item = self.rng.choice(pending)
        assert item.id is not None
        await self.pause(*RATING)
        if not self.still(Phase.rating):
            return True
        values = self.opinion(item)
        self.given[item.id] = values
        if await self.act(ratings.rate_item, self.rehearsal.db, self.me, item.id, values) is not None:
            self.rehearsal.tally.ratings += 1
        return True

    def opinion(self, item: Item) -> dict[str, int | None]:
        measure = self.rehearsal.measures.get(item.text)
        return rating_values(self.rng, measure, self.person.group, self.room.criteria)

    async def vote(self) -> bool:
        if self.voted:
            return False
        self.voted = True
        standing = self.room.up_for_rating()
        criteria = self.room.criteria
        appeals = {
            item.id: appeal(self.given.get(item.id) or self.opinion(item), criteria)
            for item in standing
            if item.id is not None
        }
        for item_id, count in dot_plan(self.rng, appeals, self.room.workshop.dot_budget).items():
            for placed in range(1, count + 1):
                await self.pause(*VOTING)
                if not self.still(Phase.prioritisation):
                    return True
                done = await self.act(ratings.set_dots, self.rehearsal.db, self.me, item_id, placed)
                if done is None:
                    return True
                self.rehearsal.tally.dots += 1
        return True

    async def pause(self, shortest: float, longest: float) -> None:
        await asyncio.sleep(self.rng.uniform(shortest, longest) / self.rehearsal.speed)

    async def act(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        """The service's answer, or None when it refused (the phase closed meanwhile, say)."""
        try:
            return await self.rehearsal.call(function, *args, **kwargs)
        except ServiceError:
            self.rehearsal.tally.refused += 1
            return None
