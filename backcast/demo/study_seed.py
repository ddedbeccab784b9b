"""The demo study (`backcast demo --study`): three regional workshops of the north-west in one
study, each played through the services as a real one would run (25 people join, contribute,
rate and spend their dots; the results are shown), the later two starting from Bremen's vision
and milestones carried over; then two researchers code the measures with the study's themes and
settle where they agree, leaving the rest for the agreement page. Seeded: every run is the same."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass

from sqlmodel import select

from backcast.db import Database
from backcast.demo import study_content as sc
from backcast.demo.content import Contribution
from backcast.demo.opinions import appeal, dot_plan, rating_values
from backcast.demo.study_content import Region
from backcast.enums import ItemKind, Phase, StudyRole
from backcast.models import Facilitator, Item, Participant, Study, Workshop
from backcast.services import accounts, coding, items, participants, ratings, studies, workshops
from backcast.services.carrying import CarryRequest
from backcast.services.study_access import StudyDetails
from backcast.workshop_templates import built_in

DOT_BUDGET = 5


@dataclass
class DemoStudy:
    study: Study
    facilitator: Facilitator
    coders: list[Facilitator]
    workshops: list[Workshop]
    items: dict[str, dict[str, Item]]  # by region, then content key


def _coder(db: Database, email: str) -> Facilitator:
    found = accounts.facilitator_by_email(db, email)
    return found or accounts.add_facilitator(db, email, secrets.token_urlsafe(12), via="demo")


class _Region:
    def __init__(
        self,
        db: Database,
        facilitator: Facilitator,
        study: Study,
        region: Region,
        done: dict[str, dict[str, Item]],
        codes: dict[str, str],
    ) -> None:
        self.db, self.facilitator, self.region = db, facilitator, region
        self.rng = random.Random(region.seed)
        self.items: dict[str, Item] = {}
        self.people: list[Participant] = []
        carry = None
        if region.carry_from:
            source = done[region.carry_from]
            carry = CarryRequest(
                source=codes[region.carry_from], items=[source[key].id for key in region.carry]
            )
        self.workshop = studies.create_workshop_in_study(
            db,
            facilitator,
            study.id,
            title=region.title,
            language="de",
            details=StudyDetails(
                region=region.region, sector="KMU", held_on=region.held_on, venue=region.venue
            ),
            carry=carry,
            present_year=None if carry else 2026,
            vision_year=None if carry else 2045,
            dot_budget=DOT_BUDGET,
        )
        self.code = self.workshop.code
        if carry is not None:
            # The carried items answer to the keys they had in the source region.
            by_origin = {item.id: key for key, item in done[region.carry_from].items()}
            with db.read() as session:
                for item in session.exec(select(Item).where(Item.workshop_id == self.workshop.id)):
                    self.items[by_origin[item.carried_from_item]] = item

    def phase(self, phase: Phase) -> None:
        workshops.set_phase(self.db, self.facilitator, self.code, phase)

    def add(self, kind: ItemKind, contribution: Contribution) -> None:
        actor = self.facilitator if contribution.author is None else self.people[contribution.author]
        self.items[contribution.key] = items.add_item(
            self.db,
            actor,
            self.code,
            kind=kind,
            text=contribution.text,
            year=contribution.year,
            links=[self.id(key) for key in contribution.links],
        )

    def id(self, key: str) -> int:
        item_id = self.items[key].id
        assert item_id is not None
        return item_id

    def contribute(self, kind: ItemKind, contributions: list[Contribution]) -> None:
        for contribution in self.rng.sample(contributions, len(contributions)):
            self.add(kind, contribution)

    def run(self) -> None:
        region = self.region
        for index, group in enumerate(region.groups):
            name = sc.NAMES[(index * 7 + region.seed) % len(sc.NAMES)] if index % 5 else None
            self.people.append(
                participants.join_workshop(self.db, self.code, name=name, group=group).participant
            )
        self.phase(Phase.vision)
        self.contribute(ItemKind.vision, region.visions)
        if region.synthesis is not None:
            self.add(ItemKind.vision, region.synthesis)
            items.moderate_item(self.db, self.facilitator, self.id(region.synthesis.key), adopted=True)
        self.phase(Phase.milestones)
        self.contribute(ItemKind.milestone, region.milestones)
        self.phase(Phase.needs)
        self.contribute(ItemKind.need, region.needs)
        self.phase(Phase.measures)
        self.contribute(ItemKind.measure, [coded.measure.contribution for coded in region.measures])
        self.phase(Phase.rating)
        criteria = built_in(sc.TEMPLATE).criteria_in("de")
        given: dict[int, dict[int, dict[str, int | None]]] = {}
        for index in self.rng.sample(range(len(self.people)), len(self.people)):
            group = region.groups[index]
            for coded in self.rng.sample(region.measures, len(region.measures)):
                if self.rng.random() < 0.04:
                    continue  # skipped one
                values = rating_values(self.rng, coded.measure, group, criteria)
                item_id = self.id(coded.measure.contribution.key)
                ratings.rate_item(self.db, self.people[index], item_id, values)
                given.setdefault(index, {})[item_id] = values
        self.phase(Phase.prioritisation)
        for index in sorted(given):
            appeals = {item_id: appeal(values, criteria) for item_id, values in given[index].items()}
            for item_id, count in dot_plan(self.rng, appeals, DOT_BUDGET).items():
                ratings.set_dots(self.db, self.people[index], item_id, count)
        self.phase(Phase.results)
        workshops.set_results_visible(self.db, self.facilitator, self.code, True)


def seed_study(db: Database, facilitator: Facilitator) -> DemoStudy:
    """The study with its three finished workshops, coded in part by two researchers."""
    study = studies.create_study(
        db,
        facilitator,
        title=sc.STUDY_TITLE,
        description=sc.STUDY_DESCRIPTION,
        template_key=sc.TEMPLATE,
        themes=[studies.ThemeSpec(label_de=de, label_en=en, key=key) for key, de, en in sc.THEMES],
    )
    assert study.id is not None
    coders = [_coder(db, email) for email in sc.CODERS]
    for coder in coders:
        studies.add_member(db, facilitator, study.id, coder.email, StudyRole.researcher)

    done: dict[str, dict[str, Item]] = {}
    codes: dict[str, str] = {}
    shops: list[Workshop] = []
    for region in sc.REGIONS:
        run = _Region(db, facilitator, study, region, done, codes)
        codes[region.key] = run.code
        run.run()
        done[region.key] = run.items
        shops.append(workshops.workshop_by_code(db, run.code))

    theme_ids = {theme.key: theme.id for theme in studies.study_view(db, facilitator, study.id).themes}
    first, second = coders
    rng = random.Random(2045)
    for region in sc.REGIONS:
        for coded in region.measures:
            item_id = done[region.key][coded.measure.contribution.key].id
            coding.code_item(db, first, study.id, item_id, [theme_ids[key] for key in coded.themes])
            if rng.random() < region.second_share:
                themes = coded.second if coded.second is not None else coded.themes
                coding.code_item(db, second, study.id, item_id, [theme_ids[key] for key in themes])
    # Where both agree, the first researcher settles in one go; one difference is settled by hand,
    # the others wait on the agreement page.
    coding.settle_agreed(db, first, study.id, first.id, second.id)
    exchange = done["bremen"]["k_exchange"].id
    coding.settle_item(db, first, study.id, exchange, [theme_ids["data"], theme_ids["logistics"]])
    return DemoStudy(study, facilitator, coders, shops, done)
