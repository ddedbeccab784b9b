"""What the demo study is about, in German: the regional circular economy workshop held in three
towns of the north-west (Bremen, Oldenburg, Osnabrück), 25 people each. Data only; `study_seed`
plays it through the services.

The regions differ as such regions do: Bremen thinks in ports, logistics and public procurement;
Oldenburg in farming, food and the nutrient cycle; Osnabrück in manufacturing, plastics and
building. Some measures come up in every region (a residue exchange, advice on site, a repair
bonus) and are seen differently in each. Oldenburg and Osnabrück start from Bremen's vision and
milestones, carried over, and adapt them. Each measure names the themes two researchers code it
with (`themes`, and `second` where the second researcher sees it otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from backcast.demo.content import Contribution, Measure

STUDY_TITLE = "Kreislaufwirtschaft im Nordwesten – drei Regionen im Vergleich"
STUDY_DESCRIPTION = (
    "Dieselbe Backcasting-Werkstatt in Bremen, Oldenburg und Osnabrück: Wie führen kleine und mittlere "
    "Unternehmen 2045 ihre Materialien im Kreis, und was unterscheidet die Regionen auf dem Weg dahin?"
)
TEMPLATE = "regional-circular-economy"

# key, German label, English label
THEMES = [
    ("reuse", "Reparatur und Wiederverwendung", "Repair and reuse"),
    ("logistics", "Logistik und Häfen", "Logistics and ports"),
    ("building", "Bauen und Flächen", "Building and land"),
    ("procurement", "Öffentliche Beschaffung", "Public procurement"),
    ("advice", "Beratung und Qualifizierung", "Advice and skills"),
    ("data", "Daten und Plattformen", "Data and platforms"),
    ("food", "Landwirtschaft und Ernährung", "Farming and food"),
    ("funding", "Finanzierung", "Funding"),
]

# The two researchers who code the measures (accounts on the demo server; `.invalid` gets no mail).
CODERS = ("hanna.meyer@uni-oldenburg.invalid", "jonas.becker@hs-osnabrueck.invalid")

R, F, C, T = "resource_effect", "sme_feasibility", "cost", "time_to_effect"
GROUP_KEYS = ("sme", "large_company", "association", "public_administration", "research", "civil_society")


@dataclass(frozen=True)
class CodedMeasure:
    measure: Measure
    themes: tuple[str, ...]  # the first researcher's coding
    second: tuple[str, ...] | None = None  # the second's, where it differs


def _m(
    key: str,
    text: str,
    author: int,
    needs: tuple[str, ...],
    profile: dict[str, tuple[float, float]],
    themes: tuple[str, ...],
    second: tuple[str, ...] | None = None,
    leanings: dict[str, dict[str, float]] | None = None,
) -> CodedMeasure:
    return CodedMeasure(
        Measure(Contribution(key, text, author, links=needs), profile, leanings or {}), themes, second
    )


@dataclass(frozen=True)
class Region:
    key: str
    title: str
    region: str
    held_on: date
    venue: str
    # The stakeholder group of each of the 25 people, in the order they join (None: chose none).
    groups: tuple[str | None, ...]
    visions: list[Contribution]
    synthesis: Contribution | None
    milestones: list[Contribution]
    needs: list[Contribution]
    measures: list[CodedMeasure]
    # Carried over from an earlier region: its key, and the keys of its items to take.
    carry_from: str = ""
    carry: tuple[str, ...] = ()
    # The second researcher codes this share of the region's measures (the first codes them all).
    second_share: float = 1.0
    seed: int = 0
    extra: dict[str, str] = field(default_factory=dict)


def _groups(counts: dict[str | None, int]) -> tuple[str | None, ...]:
    """25 people, the groups interleaved as people arrive."""
    pools = {group: count for group, count in counts.items()}
    order: list[str | None] = []
    while any(pools.values()):
        for group in list(pools):
            if pools[group]:
                order.append(group)
                pools[group] -= 1
    assert len(order) == 25
    return tuple(order)


# --- measures several regions share: the same text, seen differently ---------------------------

EXCHANGE = "Regionale Online-Börse für Reststoffe und Nebenprodukte aufbauen, betrieben von den Kammern."
PILOTS = "Kreislauf-Lotsen: geförderte Beratung, die Betriebe vor Ort besucht und ihre Stoffströme durchgeht."
REPAIR_BONUS = "Reparaturbonus für Privathaushalte und Betriebe, finanziert von Land und Kommunen."
PROCUREMENT = "Zirkuläre Kriterien als Pflicht in allen kommunalen Ausschreibungen ab 50.000 Euro."

BREMEN = Region(
    key="bremen",
    title="Kreislaufwirtschaft Bremen 2045",
    region="Bremen",
    held_on=date(2026, 3, 12),
    venue="Haus der Wissenschaft",
    groups=_groups(
        {
            "sme": 6,
            "large_company": 6,
            "association": 3,
            "public_administration": 5,
            "research": 3,
            "civil_society": 2,
        }
    ),
    visions=[
        Contribution("v_port", "Der Hafen ist Drehscheibe für Sekundärrohstoffe, nicht nur für Neuware.", 1),
        Contribution(
            "v_city", "Bremer Betriebe reparieren, teilen und bereiten auf; das ist ein Standortvorteil.", 0
        ),
        Contribution(
            "v_public", "Die Stadt kauft nur noch ein, was sich reparieren und zurückgeben lässt.", 4
        ),
    ],
    synthesis=Contribution(
        "v_synthesis",
        "2045 ist Bremen Drehscheibe der Kreislaufwirtschaft im Nordwesten: Hafen, Industrie und Handwerk "
        "führen Materialien zurück, und die öffentliche Hand kauft zirkulär ein.",
        None,
    ),
    milestones=[
        Contribution("m_office", "Eine Anlaufstelle Kreislaufwirtschaft berät KMU kostenlos.", 3, 2028),
        Contribution("m_hub", "Im Hafen gibt es einen Umschlagplatz für Sekundärrohstoffe.", 1, 2035),
        Contribution("m_half", "Die Hälfte der Betriebe tauscht Reststoffe regional.", 6, 2040),
    ],
    needs=[
        Contribution("n_register", "Wissen, welche Reststoffe wo anfallen", 2, links=("m_half",)),
        Contribution("n_space", "Flächen im Hafen für Lager und Sortierung", 7, links=("m_hub",)),
        Contribution("n_advice", "Beratung, die in die Betriebe kommt", 9, links=("m_office",)),
        Contribution("n_tender", "Vergabestellen, die zirkulär ausschreiben können", 4, links=("m_office",)),
    ],
    measures=[
        _m(
            "k_exchange",
            EXCHANGE,
            2,
            ("n_register",),
            {R: (4.0, 0.6), F: (3.8, 0.6), C: (2.4, 0.6), T: (2.4, 0.6)},
            ("data",),
            ("data", "logistics"),
        ),
        _m(
            "k_pilots",
            PILOTS,
            9,
            ("n_advice",),
            {R: (3.5, 0.6), F: (4.2, 0.5), C: (2.3, 0.6), T: (2.0, 0.6)},
            ("advice",),
        ),
        _m(
            "k_procurement",
            PROCUREMENT,
            4,
            ("n_tender",),
            {R: (4.2, 0.6), F: (3.6, 0.7), C: (2.2, 0.6), T: (2.3, 0.7)},
            ("procurement",),
            leanings={"sme": {F: -0.6}},
        ),
        _m(
            "k_repair",
            REPAIR_BONUS,
            0,
            ("n_advice",),
            {R: (3.2, 0.8), F: (3.9, 0.6), C: (3.0, 0.7), T: (1.9, 0.6)},
            ("reuse", "funding"),
            ("reuse",),
        ),
        _m(
            "k_port_hub",
            "Umschlagplatz für Sekundärrohstoffe im Neustädter Hafen einrichten, mit Sortierung.",
            1,
            ("n_space",),
            {R: (4.5, 0.5), F: (3.1, 0.8), C: (4.0, 0.6), T: (3.6, 0.7)},
            ("logistics",),
            ("logistics", "building"),
        ),
        _m(
            "k_reverse",
            "Rücktransporte: Lieferfahrten nehmen Verpackungen und Altteile auf dem Rückweg mit.",
            8,
            ("n_register",),
            {R: (3.8, 0.6), F: (4.0, 0.6), C: (2.0, 0.5), T: (1.8, 0.5)},
            ("logistics", "reuse"),
        ),
        _m(
            "k_fund",
            "Kreislauf-Fonds der Sparkasse und der Förderbank für Umbauten in KMU.",
            5,
            ("n_advice",),
            {R: (3.6, 0.7), F: (3.7, 0.7), C: (3.3, 0.7), T: (2.9, 0.7)},
            ("funding",),
        ),
        _m(
            "k_parts",
            "Bauteilbörse für Rückbau in der Überseestadt, mit Lager im Hafen.",
            6,
            ("n_space",),
            {R: (3.9, 0.7), F: (3.3, 0.8), C: (3.2, 0.7), T: (3.0, 0.8)},
            ("building", "reuse"),
            ("building",),
        ),
    ],
    seed=2045,
)

OLDENBURG = Region(
    key="oldenburg",
    title="Kreislaufwirtschaft Oldenburger Land 2045",
    region="Oldenburg",
    held_on=date(2026, 4, 23),
    venue="Kulturzentrum PFL",
    groups=_groups(
        {
            "sme": 7,
            "large_company": 2,
            "association": 5,
            "public_administration": 3,
            "research": 4,
            "civil_society": 3,
            None: 1,
        }
    ),
    visions=[
        Contribution(
            "v_nutrients",
            "Nährstoffe aus Tierhaltung und Biogas bleiben im Land und ersetzen Mineraldünger.",
            3,
        ),
        Contribution(
            "v_food", "Lebensmittelbetriebe nutzen Nebenprodukte gemeinsam, nichts Essbares wird entsorgt.", 8
        ),
    ],
    synthesis=None,  # Bremen's, carried over
    milestones=[
        Contribution("m_digestate", "Gärreste werden zu handelbarem Dünger aufbereitet.", 10, 2030),
    ],
    needs=[
        Contribution("n_register", "Wissen, welche Reststoffe wo anfallen", 2, links=("m_half",)),
        Contribution("n_plant", "Aufbereitungsanlagen nahe an den Höfen", 10, links=("m_digestate",)),
        Contribution("n_advice", "Beratung, die in die Betriebe kommt", 6, links=("m_office",)),
        Contribution(
            "n_trust", "Vertrauen zwischen Landwirtschaft und Lebensmittelindustrie", 14, links=("m_half",)
        ),
    ],
    measures=[
        _m(
            "k_exchange",
            EXCHANGE,
            2,
            ("n_register",),
            {R: (3.6, 0.7), F: (3.3, 0.8), C: (2.6, 0.6), T: (2.7, 0.7)},
            ("data",),
        ),
        _m(
            "k_pilots",
            PILOTS,
            6,
            ("n_advice",),
            {R: (3.8, 0.6), F: (4.5, 0.4), C: (2.1, 0.5), T: (1.8, 0.5)},
            ("advice",),
            ("advice", "food"),
        ),
        _m(
            "k_repair",
            REPAIR_BONUS,
            12,
            ("n_advice",),
            {R: (2.8, 0.8), F: (3.4, 0.8), C: (3.1, 0.7), T: (2.2, 0.7)},
            ("reuse", "funding"),
        ),
        _m(
            "k_digestate",
            "Gemeinsame Gärrest-Aufbereitung der Biogasanlagen im Landkreis.",
            10,
            ("n_plant",),
            {R: (4.4, 0.5), F: (3.6, 0.7), C: (3.6, 0.7), T: (3.0, 0.7)},
            ("food",),
            leanings={"civil_society": {R: 0.3}},
        ),
        _m(
            "k_foodnet",
            "Netzwerk der Lebensmittelbetriebe für Nebenprodukte (Molke, Trester, Schalen).",
            8,
            ("n_trust",),
            {R: (4.0, 0.6), F: (4.1, 0.6), C: (2.3, 0.6), T: (2.2, 0.6)},
            ("food", "data"),
            ("food",),
        ),
        _m(
            "k_farm_advice",
            "Hofberatung Kreislauf über die Landwirtschaftskammer.",
            3,
            ("n_advice",),
            {R: (3.5, 0.6), F: (4.3, 0.5), C: (2.2, 0.5), T: (2.1, 0.6)},
            ("advice", "food"),
        ),
        _m(
            "k_packaging",
            "Mehrwegkisten für regionale Lebensmittel im Handel der Region.",
            16,
            ("n_trust",),
            {R: (3.7, 0.7), F: (3.5, 0.8), C: (2.8, 0.7), T: (2.0, 0.6)},
            ("reuse", "food"),
            ("reuse", "logistics"),
        ),
        _m(
            "k_land",
            "Flächenpool der Gemeinden für Kreislaufbetriebe im ländlichen Raum.",
            13,
            ("n_plant",),
            {R: (3.1, 0.8), F: (3.0, 0.9), C: (3.4, 0.7), T: (3.4, 0.8)},
            ("building",),
            ("building", "food"),
        ),
    ],
    carry_from="bremen",
    carry=("v_synthesis", "m_office", "m_half"),
    second_share=1.0,
    seed=2046,
)

OSNABRUECK = Region(
    key="osnabrueck",
    title="Kreislaufwirtschaft Osnabrück 2045",
    region="Osnabrück",
    held_on=date(2026, 5, 21),
    venue="Lagerhalle",
    groups=_groups(
        {
            "sme": 9,
            "large_company": 5,
            "association": 3,
            "public_administration": 3,
            "research": 3,
            "civil_society": 1,
            None: 1,
        }
    ),
    visions=[
        Contribution("v_plastics", "Zulieferer verarbeiten Rezyklat aus der Region statt Neuware.", 0),
        Contribution("v_build", "Gebäude sind Materiallager: Rückbau liefert die Bauteile von morgen.", 5),
    ],
    synthesis=None,
    milestones=[
        Contribution("m_recyclate", "Jeder dritte Zulieferer setzt regionales Rezyklat ein.", 1, 2035),
        Contribution("m_cadastre", "Ein Rückbaukataster erfasst die Bauteile der Stadt.", 7, 2030),
    ],
    needs=[
        Contribution("n_quality", "Verlässliche Qualität des Rezyklats", 1, links=("m_recyclate",)),
        Contribution("n_register", "Wissen, welche Reststoffe wo anfallen", 2, links=("m_half",)),
        Contribution("n_advice", "Beratung, die in die Betriebe kommt", 11, links=("m_office",)),
        Contribution(
            "n_norms", "Bauordnung, die wiederverwendete Bauteile zulässt", 7, links=("m_cadastre",)
        ),
    ],
    measures=[
        _m(
            "k_exchange",
            EXCHANGE,
            2,
            ("n_register",),
            {R: (4.2, 0.5), F: (4.1, 0.5), C: (2.2, 0.5), T: (2.2, 0.5)},
            ("data",),
            ("data", "advice"),
        ),
        _m(
            "k_pilots",
            PILOTS,
            11,
            ("n_advice",),
            {R: (3.4, 0.7), F: (4.0, 0.6), C: (2.4, 0.6), T: (2.1, 0.6)},
            ("advice",),
        ),
        _m(
            "k_procurement",
            PROCUREMENT,
            13,
            ("n_norms",),
            {R: (3.4, 0.9), F: (3.0, 0.9), C: (2.6, 0.7), T: (2.9, 0.9)},
            ("procurement",),
            ("procurement", "building"),
        ),
        _m(
            "k_recyclate",
            "Qualitätslabor für Kunststoff-Rezyklat an der Hochschule, offen für Zulieferer.",
            1,
            ("n_quality",),
            {R: (4.3, 0.5), F: (3.9, 0.6), C: (3.2, 0.6), T: (2.8, 0.6)},
            ("advice", "data"),
            ("data",),
        ),
        _m(
            "k_cadastre",
            "Rückbaukataster der Stadt mit Bauteilbörse.",
            7,
            ("n_norms",),
            {R: (4.0, 0.6), F: (3.2, 0.8), C: (3.0, 0.7), T: (3.5, 0.7)},
            ("building", "data"),
        ),
        _m(
            "k_remanufacture",
            "Wiederaufbereitung von Maschinen und Werkzeugen als Dienst für KMU.",
            3,
            ("n_quality",),
            {R: (4.1, 0.6), F: (3.8, 0.6), C: (2.7, 0.6), T: (2.4, 0.6)},
            ("reuse",),
        ),
        _m(
            "k_pool",
            "Einkaufsgemeinschaft der Zulieferer für Rezyklat.",
            9,
            ("n_quality",),
            {R: (3.8, 0.6), F: (4.0, 0.6), C: (2.3, 0.6), T: (2.0, 0.6)},
            ("funding",),
            ("logistics",),
        ),
        _m(
            "k_apprentice",
            "Ausbildungsmodul Kreislaufwirtschaft in Metall- und Kunststoffberufen.",
            15,
            ("n_advice",),
            {R: (3.3, 0.7), F: (4.2, 0.5), C: (2.1, 0.5), T: (3.9, 0.6)},
            ("advice",),
        ),
    ],
    carry_from="bremen",
    carry=("v_synthesis", "m_office", "m_half"),
    second_share=0.5,
    seed=2047,
)

REGIONS = [BREMEN, OLDENBURG, OSNABRUECK]

NAMES = [
    "Anke",
    "Jens",
    "Frauke",
    "Hauke",
    "Birte",
    "Okko",
    "Thorsten",
    "Meike",
    "Heike",
    "Gerd",
    "Sönke",
    "Wiebke",
    "Enno",
    "Ulrike",
    "Kristin",
    "Malte",
    "Lina",
    "Imke",
    "Ole",
    "Tomke",
    "Gesa",
    "Jannes",
    "Antje",
    "Hinrich",
    "Silke",
]
