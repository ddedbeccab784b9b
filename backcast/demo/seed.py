"""A finished demo workshop, played through the services as a real one would run: people join,
contribute phase by phase, rate, spend their dots, and the facilitator moderates, reveals the
results and writes the agenda. Every step leaves its event."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from backcast.analysis.data import load_workshop
from backcast.analysis.results import compute_results
from backcast.db import Database
from backcast.demo import DEMO_EMAIL, content
from backcast.demo.content import Contribution
from backcast.demo.opinions import appeal, dot_plan, rating_values
from backcast.enums import ItemKind, Phase
from backcast.models import Facilitator, Item, Participant, Workshop
from backcast.services import accounts, actors, agenda, items, participants, ratings, workshops

SEED = 2045


@dataclass
class DemoAccount:
    facilitator: Facilitator
    password: str | None  # set only when the account was made just now


@dataclass
class DemoWorkshop:
    workshop: Workshop
    facilitator: Facilitator
    participants: list[Participant]
    tokens: list[str]  # each participant's, in the same order; the phone knows them by these
    items: dict[str, Item]  # by content key


def demo_account(db: Database, email: str = DEMO_EMAIL, password: str | None = None) -> DemoAccount:
    """The facilitator account the demo belongs to: the existing one, or a new one with `password`
    or a generated one."""
    existing = accounts.facilitator_by_email(db, email)
    if existing is not None:
        return DemoAccount(existing, None)
    password = password or secrets.token_urlsafe(12)
    return DemoAccount(accounts.add_facilitator(db, email, password, via="demo"), password)


def create_demo_workshop(db: Database, facilitator: Facilitator, *, title: str = content.TITLE) -> Workshop:
    """The demo's set-up, in the lobby."""
    return workshops.create_workshop(
        db,
        facilitator,
        title=title,
        question=content.QUESTION,
        present_year=content.PRESENT_YEAR,
        vision_year=content.VISION_YEAR,
        milestone_years=content.MILESTONE_YEARS,
        language="de",
        dot_budget=content.DOT_BUDGET,
        template=content.TEMPLATE,
    )


class _Run:
    def __init__(self, db: Database, facilitator: Facilitator, seed: int) -> None:
        self.db = db
        self.facilitator = facilitator
        self.rng = random.Random(seed)
        self.workshop = create_demo_workshop(db, facilitator)
        self.code = self.workshop.code
        self.people: dict[int, Participant] = {}
        self.tokens: dict[int, str] = {}
        self.items: dict[str, Item] = {}

    def join(self, index: int) -> None:
        person = content.PEOPLE[index]
        joined = participants.join_workshop(self.db, self.code, name=person.name, group=person.group)
        self.people[index], self.tokens[index] = joined.participant, joined.token

    def phase(self, phase: Phase) -> None:
        workshops.set_phase(self.db, self.facilitator, self.code, phase)

    def contribute(self, kind: ItemKind, contributions: list[Contribution]) -> None:
        # Ideas come in no particular order; links only ever name items of an earlier phase.
        for contribution in self.rng.sample(contributions, len(contributions)):
            self.add(kind, contribution)

    def add(self, kind: ItemKind, contribution: Contribution) -> Item:
        actor = self.facilitator if contribution.author is None else self.people[contribution.author]
        item = items.add_item(
            self.db,
            actor,
            self.code,
            kind=kind,
            text=contribution.text,
            year=contribution.year,
            links=[self.id(key) for key in contribution.links],
            need_type=content.NEED_TYPES.get(contribution.key, ("need", ()))[0]
            if kind == ItemKind.need
            else None,
            tags=content.NEED_TYPES.get(contribution.key, ("need", ()))[1],
        )
        self.items[contribution.key] = item
        return item

    def id(self, key: str) -> int:
        item_id = self.items[key].id
        assert item_id is not None
        return item_id

    def moderate(self, key: str, **change: Any) -> None:
        items.moderate_item(self.db, self.facilitator, self.id(key), **change)

    def rate(self) -> dict[int, dict[int, dict[str, int | None]]]:
        """Everyone still there rates the measures in their own order, taking turns as on the day;
        a few skip one or two, and a few change their mind about one afterwards."""
        raters = [index for index in self.people if index not in content.LEAVES_EARLY]
        queues = {index: self.rng.sample(content.MEASURES, len(content.MEASURES)) for index in raters}
        given: dict[int, dict[int, dict[str, int | None]]] = {index: {} for index in raters}
        while queues:
            index = self.rng.choice(sorted(queues))
            measure = queues[index].pop()
            if not queues[index]:
                del queues[index]
            if self.rng.random() < 0.05:
                continue  # stepped out for coffee
            group = content.PEOPLE[index].group
            values = rating_values(self.rng, measure, group, content.CRITERIA)
            item_id = self.id(measure.contribution.key)
            ratings.rate_item(self.db, self.people[index], item_id, values)
            given[index][item_id] = values
        for index in self.rng.sample(raters, 3):
            item_id = self.rng.choice(sorted(given[index]))
            key = self.rng.choice([criterion.key for criterion in content.CRITERIA])
            second = dict(given[index][item_id])
            previous = second[key]
            second[key] = 3 if previous is None else min(max(previous + self.rng.choice((-1, 1)), 1), 5)
            ratings.rate_item(self.db, self.people[index], item_id, {key: second[key]})
            given[index][item_id] = second
        return given

    def vote(self, given: dict[int, dict[int, dict[str, int | None]]]) -> None:
        voters = [index for index in given if given[index]]
        abstains = self.rng.choice(voters)  # one person leaves their dots unspent
        for index in self.rng.sample(voters, len(voters)):
            if index == abstains:
                continue
            appeals = {item_id: appeal(values, content.CRITERIA) for item_id, values in given[index].items()}
            for item_id, count in dot_plan(self.rng, appeals, content.DOT_BUDGET).items():
                ratings.set_dots(self.db, self.people[index], item_id, count)

    def propose_actors(self) -> None:
        for index, name in content.ACTOR_PROPOSALS:
            actors.propose_actor(self.db, self.people[index], self.code, name)

    def settle_actors(self) -> None:
        """The facilitator merges the duplicate, confirms the rest, adds groups and names, and
        gives the agenda's measures their roles."""
        rows = {row.actor.name: row.actor for row in actors.actors_for(self.db, self.facilitator, self.code)}
        first, duplicate = (rows[name] for _, name in content.ACTOR_PROPOSALS[:2])
        actors.merge_actor(self.db, self.facilitator, self.code, duplicate.id, first.id)
        for _, name in content.ACTOR_PROPOSALS[:1] + content.ACTOR_PROPOSALS[2:]:
            actors.edit_actor(self.db, self.facilitator, self.code, rows[name].id, confirmed=True)
        for group in content.ACTOR_GROUPS:
            rows[f"group:{group}"] = actors.add_actor(self.db, self.facilitator, self.code, group=group)
        for name in content.ACTOR_NAMES:
            rows[name] = actors.add_actor(self.db, self.facilitator, self.code, name=name)
        for measure, roles in content.ROLES.items():
            chosen = [(rows[name].id, role) for name, role in roles]
            actors.set_roles(self.db, self.facilitator, self.id(measure), chosen)

    def follow_up(self) -> None:
        workshop = workshops.workshop_by_code(self.db, self.code)
        followed = agenda.agenda_for(self.db, self.facilitator, self.code)
        entries = {row.entry.item_id: row.entry.id for row in followed}
        for measure, days, status, note in content.FOLLOW_UP:
            day = agenda.workshop_day(workshop) + timedelta(days=days)
            entry = entries[self.id(measure)]
            agenda.set_agenda_status(
                self.db, self.facilitator, self.code, entry, status=status, changed_on=day, note=note
            )

    def write_agenda(self) -> None:
        results = compute_results(load_workshop(self.db, workshops.workshop_by_code(self.db, self.code)))
        rank = {result.item.id: result.overall.rank for result in results.items}
        planned = sorted(content.AGENDA, key=lambda plan: (rank[self.id(plan.measure)] or 0, plan.measure))
        for plan in planned:
            agenda.add_to_agenda(
                self.db,
                self.facilitator,
                self.code,
                self.id(plan.measure),
                owner=plan.owner,
                start_year=plan.start_year,
                note=plan.note,
            )


def seed_demo(db: Database, facilitator: Facilitator, *, seed: int = SEED) -> DemoWorkshop:
    """A finished workshop with its results shown: the whole backward tree, ratings, dots, agenda."""
    run = _Run(db, facilitator, seed)
    for index in range(len(content.PEOPLE)):
        if index not in content.LATE:
            run.join(index)

    run.phase(Phase.vision)
    for index in sorted(content.LATE):
        run.join(index)
    run.contribute(ItemKind.vision, content.VISIONS)
    run.add(ItemKind.vision, content.SYNTHESIS)
    run.moderate(content.SYNTHESIS.key, adopted=True)

    run.phase(Phase.milestones)
    run.contribute(ItemKind.milestone, content.MILESTONES)

    run.phase(Phase.needs)
    run.contribute(ItemKind.need, content.NEEDS)
    for key in sorted(content.HIDDEN):
        run.moderate(key, hidden=True)

    run.phase(Phase.measures)
    run.contribute(ItemKind.measure, [measure.contribution for measure in content.MEASURES])
    run.propose_actors()
    run.add(ItemKind.measure, content.DUPLICATE)
    run.moderate(content.DUPLICATE.key, merged_into=run.id(content.DUPLICATE_OF))

    run.phase(Phase.rating)
    given = run.rate()
    run.phase(Phase.prioritisation)
    run.vote(given)

    run.phase(Phase.results)
    workshops.set_results_visible(db, facilitator, run.code, True)
    run.write_agenda()
    run.settle_actors()
    run.follow_up()

    order = sorted(run.people)
    return DemoWorkshop(
        workshop=workshops.workshop_by_code(db, run.code),
        facilitator=facilitator,
        participants=[run.people[index] for index in order],
        tokens=[run.tokens[index] for index in order],
        items=run.items,
    )
