"""What the demo workshop is about, in German: a regional circular economy for small and medium
firms in north-west Germany. Data only; `seed` and `live` play it through the services.

Items carry keys so that links and ratings can name them; the keys never reach the database.
A measure's `profile` is how the room tends to see it, per criterion as (mean, spread): a small
spread gives consensus, a large one disagreement. `leanings` shift one group's view.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from backcast import workshop_templates

TITLE = "Kreislaufwirtschaft im Nordwesten 2045"
QUESTION = (
    "Wie sieht eine Region aus, in der kleine und mittlere Unternehmen 2045 ihre Materialien im Kreis "
    "führen – und was müssen Betriebe, Kammern, Verwaltung und Forschung ab heute dafür tun?"
)
PRESENT_YEAR = 2026
VISION_YEAR = 2045
MILESTONE_YEARS = [2028, 2030, 2035, 2040]
DOT_BUDGET = 5

# The set-up comes from the "regional circular economy" workshop template, in German.
TEMPLATE = workshop_templates.built_in("regional-circular-economy")
CRITERIA = TEMPLATE.criteria_in("de")
GROUPS = TEMPLATE.groups_in("de")


@dataclass(frozen=True)
class Person:
    name: str | None  # None: joined without a name
    group: str | None  # None: chose no group


# 25 people as they sign in; a few keep their name to themselves or skip the group.
PEOPLE = [
    Person("Anke", "sme"),
    Person("Jens", "sme"),
    Person(None, "sme"),
    Person("Frauke", "sme"),
    Person("Hauke", "sme"),
    Person("Birte", "sme"),
    Person(None, "sme"),
    Person("Okko", "sme"),
    Person("Thorsten", "large_company"),
    Person("Meike", "large_company"),
    Person(None, "large_company"),
    Person("Heike", "association"),
    Person("Gerd", "association"),
    Person("Sönke", "association"),
    Person(None, "association"),
    Person("Wiebke", "public_administration"),
    Person("Enno", "public_administration"),
    Person("Ulrike", "public_administration"),
    Person(None, "public_administration"),
    Person("Dr. Kristin", "research"),
    Person("Malte", "research"),
    Person("Lina", "research"),
    Person("Imke", "civil_society"),
    Person(None, "civil_society"),
    Person("Ole", None),
]
# These arrive once the vision phase has begun; the one before last leaves before the rating.
LATE = {22, 23, 24}
LEAVES_EARLY = {23}


@dataclass(frozen=True)
class Contribution:
    key: str
    text: str
    author: int | None  # index into PEOPLE; None: the facilitator wrote it
    year: int | None = None
    links: tuple[str, ...] = ()
    kind_of_need: str = ""  # resources, skills, partners, infrastructure, rules, data, barriers


VISIONS = [
    Contribution(
        "v_region",
        "2045 ist der Nordwesten Modellregion für zirkuläres Wirtschaften: Materialien, Bauteile und "
        "Produkte bleiben so lange wie möglich in regionalen Kreisläufen.",
        11,
    ),
    Contribution(
        "v_flows",
        "Jeder Betrieb kennt seine Stoffströme und weiß, wer in der Region seine Reststoffe als Rohstoff "
        "braucht.",
        0,
    ),
    Contribution(
        "v_repair",
        "Reparieren, Wiederaufbereiten und Teilen sind für Handwerk und Mittelstand ein eigenes "
        "Geschäftsfeld, mit dem gut verdient wird.",
        4,
    ),
    Contribution(
        "v_ports",
        "Die Häfen an Weser und Ems sind Drehscheiben für Sekundärrohstoffe, nicht nur für Neuware.",
        8,
    ),
    Contribution(
        "v_procurement",
        "Öffentliche Auftraggeber kaufen zirkulär ein: Recyclinganteil, Reparierbarkeit und Rücknahme "
        "sind Standard in jeder Ausschreibung.",
        15,
    ),
    Contribution(
        "v_cascade",
        "Landwirtschaft, Lebensmittelbetriebe und Industrie nutzen Nebenprodukte gemeinsam: Biomasse, "
        "Wärme und Wasser werden mehrfach genutzt, bevor etwas entsorgt wird.",
        20,
    ),
    Contribution(
        "v_skills",
        "Junge Fachkräfte kommen in die Region, weil man hier zirkuläre Technik lernt, baut und repariert.",
        22,
    ),
]

# The facilitator's synthesis of the statements, adopted as the vision the later phases refer to.
SYNTHESIS = Contribution(
    "v_synthesis",
    "2045 wirtschaftet der Nordwesten in Kreisläufen: Betriebe jeder Größe führen Materialien, Bauteile "
    "und Energie in regionalen Netzwerken zurück, Reparatur und Wiederaufbereitung sind ein starker "
    "Wirtschaftszweig, und Verwaltung, Kammern und Forschung machen zirkuläre Lösungen für kleine und "
    "mittlere Unternehmen zum einfachsten Weg.",
    None,
)

MILESTONES = [
    Contribution(
        "m_office",
        "Eine regionale Anlaufstelle Kreislaufwirtschaft berät KMU kostenlos und vermittelt Kontakte.",
        12,
        2028,
    ),
    Contribution(
        "m_exchange",
        "Mindestens 500 Betriebe tauschen Reststoffe und Nebenprodukte über eine gemeinsame regionale "
        "Plattform.",
        1,
        2030,
    ),
    Contribution(
        "m_procurement",
        "Alle Kommunen der Region haben zirkuläre Kriterien in ihrer Beschaffung verankert.",
        16,
        2030,
    ),
    Contribution(
        "m_repair",
        "Ein Netz aus Reparatur- und Wiederaufbereitungsbetrieben deckt die ganze Region ab.",
        5,
        2035,
    ),
    Contribution(
        "m_symbiosis",
        "Drei Gewerbegebiete arbeiten als Symbiose-Parks mit geteilten Stoff-, Wärme- und Wasserströmen.",
        9,
        2035,
    ),
    Contribution(
        "m_education",
        "Kreislaufwirtschaft ist fester Teil jeder Ausbildung und jedes Studiums in der Region.",
        21,
        2035,
    ),
    Contribution(
        "m_building",
        "Mehr als die Hälfte der Baustoffe im regionalen Hochbau stammt aus Rückbau und Recycling.",
        13,
        2040,
    ),
]

NEEDS = [
    Contribution(
        "n_register",
        "Ein Überblick, welche Reststoffe in welcher Menge und Qualität in der Region anfallen.",
        19,
        links=("m_exchange", "m_symbiosis"),
        kind_of_need="data",
    ),
    Contribution(
        "n_know_how",
        "Fachwissen zur Kreislaufwirtschaft in den Betrieben: meist fehlt jemand, der sich darum kümmert.",
        2,
        links=("m_office", "m_education"),
        kind_of_need="skills",
    ),
    Contribution(
        "n_waste_law",
        "Rechtssicherheit beim Ende der Abfalleigenschaft, damit Reststoffe als Produkt gehandelt werden "
        "dürfen.",
        13,
        links=("m_exchange", "m_building"),
        kind_of_need="rules",
    ),
    Contribution(
        "n_buyers",
        "Verlässliche Abnehmer für Recyclingmaterial, auch für kleine Mengen.",
        6,
        links=("m_exchange", "m_building"),
        kind_of_need="partners",
    ),
    Contribution(
        "n_depots",
        "Sammel- und Aufbereitungsstellen für Bauteile und Baustoffe in erreichbarer Nähe.",
        10,
        links=("m_building", "m_repair"),
        kind_of_need="infrastructure",
    ),
    Contribution(
        "n_finance",
        "Geld für Umstellungen, die sich erst nach Jahren rechnen.",
        3,
        links=("m_repair", "m_symbiosis"),
        kind_of_need="resources",
    ),
    Contribution(
        "n_prices",
        "Neuware ist oft billiger als Recyclingmaterial, weil Umweltkosten nicht eingepreist sind.",
        8,
        links=("m_building", "m_exchange"),
        kind_of_need="barriers",
    ),
    Contribution(
        "n_tender_law",
        "Vergaberegeln, die Lebenszykluskosten statt nur den Anschaffungspreis zählen.",
        17,
        links=("m_procurement",),
        kind_of_need="rules",
    ),
    Contribution(
        "n_tender_skills",
        "Vergabestellen, die wissen, wie man zirkulär ausschreibt.",
        18,
        links=("m_procurement",),
        kind_of_need="skills",
    ),
    Contribution(
        "n_cross_sector",
        "Zusammenarbeit über Branchengrenzen: Landwirtschaft, Lebensmittel, Chemie und Bau an einem Tisch.",
        14,
        links=("m_symbiosis", "m_office"),
        kind_of_need="partners",
    ),
    Contribution(
        "n_sites",
        "Flächen und Leitungen für gemeinsame Wärme- und Wassernutzung in Gewerbegebieten.",
        15,
        links=("m_symbiosis",),
        kind_of_need="infrastructure",
    ),
    Contribution(
        "n_workers",
        "Fachkräfte im Handwerk, vor allem für Reparatur und Wartung; heute fehlen sie überall.",
        7,
        links=("m_repair", "m_education"),
        kind_of_need="barriers",
    ),
    Contribution(
        "n_passports",
        "Angaben darüber, was in einem Produkt steckt, etwa durch digitale Produktpässe.",
        21,
        links=("m_repair", "m_building"),
        kind_of_need="data",
    ),
    Contribution(
        "n_time",
        "Zeit: Geschäftsführungen kleiner Betriebe haben neben dem Tagesgeschäft kaum Luft für Neues.",
        0,
        links=("m_office",),
        kind_of_need="resources",
    ),
    # Off the topic; the facilitator hides it.
    Contribution("n_bus", "Eine bessere Busverbindung zum Tagungshaus.", 24, kind_of_need="infrastructure"),
]
HIDDEN = {"n_bus"}


@dataclass(frozen=True)
class Measure:
    contribution: Contribution
    # criterion key -> (mean, spread) on the 1-5 scale
    profile: dict[str, tuple[float, float]]
    # group key -> criterion key -> shift of that group's view
    leanings: dict[str, dict[str, float]] = field(default_factory=dict)
    # how often people say "can't judge", per criterion (on top of a small base rate)
    unsure: dict[str, float] = field(default_factory=dict)


def _measure(
    key: str,
    text: str,
    author: int | None,
    needs: tuple[str, ...],
    profile: dict[str, tuple[float, float]],
    leanings: dict[str, dict[str, float]] | None = None,
    unsure: dict[str, float] | None = None,
) -> Measure:
    return Measure(Contribution(key, text, author, links=needs), profile, leanings or {}, unsure or {})


R, F, C, T = "resource_effect", "sme_feasibility", "cost", "time_to_effect"

MEASURES = [
    _measure(
        "k_exchange",
        "Regionale Online-Börse für Reststoffe und Nebenprodukte aufbauen, betrieben von den Kammern.",
        11,
        ("n_register", "n_buyers"),
        {R: (4.1, 0.55), F: (4.0, 0.6), C: (2.4, 0.6), T: (2.3, 0.6)},
    ),
    _measure(
        "k_pilots",
        "Kreislauf-Lotsen: geförderte Beratung, die Betriebe vor Ort besucht und ihre Stoffströme durchgeht.",
        12,
        ("n_know_how", "n_time"),
        {R: (3.7, 0.6), F: (4.5, 0.45), C: (2.2, 0.55), T: (1.8, 0.55)},
    ),
    _measure(
        "k_procurement",
        "Zirkuläre Kriterien als Pflicht in allen kommunalen Ausschreibungen ab 50.000 Euro.",
        15,
        ("n_tender_law", "n_tender_skills"),
        {R: (3.9, 1.0), F: (3.0, 0.9), C: (2.3, 0.7), T: (2.6, 1.1)},
        # Firms fear paperwork; the administration expects little trouble.
        leanings={"sme": {F: -1.6}, "public_administration": {F: 1.3}, "association": {F: -0.6}},
    ),
    _measure(
        "k_building_centre",
        "Bauteilbörse und Rückbauzentrum für den Nordwesten gründen.",
        13,
        ("n_depots", "n_buyers", "n_prices"),
        {R: (4.4, 0.55), F: (2.9, 1.0), C: (4.2, 0.6), T: (3.6, 0.9)},
    ),
    _measure(
        "k_repair_bonus",
        "Reparaturbonus für Haushalte und Betriebe: die Hälfte der Reparaturkosten, bis 200 Euro.",
        23,
        ("n_workers", "n_prices"),
        {R: (3.0, 1.0), F: (4.2, 0.6), C: (3.0, 1.0), T: (1.9, 0.6)},
        # Who pays decides how dear it looks.
        leanings={"public_administration": {C: 1.5}, "civil_society": {C: -1.0}, "sme": {C: -0.8}},
    ),
    _measure(
        "k_symbiosis_manager",
        "Symbiose-Management für drei Pilot-Gewerbegebiete finanzieren.",
        9,
        ("n_cross_sector", "n_sites"),
        {R: (4.2, 0.6), F: (3.5, 0.9), C: (3.1, 0.6), T: (3.0, 0.9)},
    ),
    _measure(
        "k_vocational",
        "Kreislaufwirtschaft in Ausbildungsordnungen, Berufsschulen und Meisterkurse aufnehmen.",
        21,
        ("n_workers", "n_know_how"),
        {R: (3.3, 0.9), F: (3.8, 0.7), C: (2.0, 0.55), T: (4.4, 0.5)},
    ),
    _measure(
        "k_investment_fund",
        "Förderprogramm für Investitionen in Wiederaufbereitung, mit einem Antrag auf zwei Seiten für KMU.",
        3,
        ("n_finance",),
        {R: (3.8, 0.7), F: (3.9, 0.9), C: (4.0, 0.6), T: (2.9, 0.7)},
        leanings={"sme": {F: 0.6}, "research": {F: -0.7}},
    ),
    _measure(
        "k_register",
        "Reststoff-Kataster für die Region, gemeinsam erhoben von Hochschulen und Landkreisen.",
        19,
        ("n_register", "n_passports"),
        {R: (3.1, 0.7), F: (3.6, 0.7), C: (2.9, 0.7), T: (3.2, 0.8)},
        unsure={C: 0.15},
    ),
    _measure(
        "k_legal_help",
        "Rechtsberatung und Musterverträge der Kammern zum Ende der Abfalleigenschaft.",
        14,
        ("n_waste_law",),
        {R: (2.8, 0.9), F: (4.2, 0.55), C: (1.8, 0.55), T: (2.1, 0.6)},
        unsure={R: 0.12},
    ),
    _measure(
        "k_returnable",
        "Mehrweg-Pfandsystem für Transportverpackungen zwischen den Betrieben der Region.",
        7,
        ("n_prices", "n_buyers"),
        {R: (3.7, 1.0), F: (2.9, 1.0), C: (3.2, 1.0), T: (2.7, 0.8)},
        # Large firms already run such loops; small ones see the logistics.
        leanings={"large_company": {F: 1.5, C: -0.8}, "sme": {F: -1.2, C: 0.8}},
    ),
    _measure(
        "k_product_passport",
        "Digitale Produktpässe zuerst in zwei Branchen erproben: Möbel und Landtechnik.",
        20,
        ("n_passports",),
        {R: (3.2, 1.3), F: (2.3, 1.1), C: (3.6, 1.1), T: (3.9, 1.0)},
        leanings={"research": {R: 1.0}, "sme": {R: -0.8, F: -0.6}},
        unsure={R: 0.12, C: 0.25, T: 0.2},
    ),
    _measure(
        "k_tender_training",
        "Schulungsreihe „Zirkulär beschaffen“ für die Vergabestellen der Kommunen.",
        17,
        ("n_tender_skills",),
        {R: (2.9, 0.6), F: (4.6, 0.45), C: (1.6, 0.5), T: (2.0, 0.55)},
    ),
    _measure(
        "k_round_table",
        "Runder Tisch Kreislaufwirtschaft Nordwest mit festen Terminen und einer kleinen Geschäftsstelle.",
        12,
        ("n_cross_sector", "n_time"),
        {R: (2.1, 0.6), F: (4.4, 0.5), C: (1.9, 0.5), T: (2.8, 0.9)},
    ),
    _measure(
        "k_repair_halls",
        "Leerstehende Hallen zu Reparatur- und Sharing-Zentren machen, getragen von Handwerk und Vereinen.",
        22,
        ("n_depots", "n_workers"),
        {R: (3.4, 0.9), F: (3.2, 0.8), C: (3.0, 0.7), T: (2.5, 0.7)},
        leanings={"civil_society": {R: 1.0, F: 0.8}, "large_company": {R: -0.8}},
    ),
]

# Proposed twice; the facilitator merges the second into the first before the rating.
DUPLICATE = Contribution(
    "k_exchange_again",
    "Online-Plattform, über die Firmen ihre Reste an andere Firmen abgeben können.",
    5,
    links=("n_register",),
)
DUPLICATE_OF = "k_exchange"


# The facilitator's agenda: what the group decided to start, in the order of the ranking.
@dataclass(frozen=True)
class AgendaPlan:
    measure: str
    owner: str
    start_year: int
    note: str


AGENDA = [
    AgendaPlan(
        "k_pilots",
        "Industrie- und Handelskammer mit Handwerkskammer und Wirtschaftsförderung",
        2026,
        "Förderantrag beim Land bis Ende des Quartals; zwei Lotsen zum Start, sechs bis 2028.",
    ),
    AgendaPlan(
        "k_exchange",
        "Arbeitskreis Umwelt der Industrie- und Handelskammer",
        2027,
        "Erst prüfen, ob sich eine bestehende Börse anschließen lässt, statt eine neue zu bauen.",
    ),
    AgendaPlan(
        "k_tender_training",
        "Zentrale Vergabestelle des Landkreises, mit den Nachbarkreisen",
        2026,
        "Erste Schulung im Herbst; Unterlagen werden mit den anderen Landkreisen geteilt.",
    ),
    AgendaPlan(
        "k_symbiosis_manager",
        "Wirtschaftsförderungen der drei Pilotstandorte",
        2027,
        "Standorte auswählen: Kriterien sind Wärmeüberschuss, Branchenmix und Flächenreserven.",
    ),
    AgendaPlan(
        "k_procurement",
        "Städte- und Gemeindebund mit dem Runden Tisch",
        2028,
        "Strittig: erst die Schulungen, dann eine Pflicht mit Übergangsfrist und Hilfe für kleine Bieter.",
    ),
]


# Needs the room called barriers or opportunities, with their tags; the rest are needs proper.
NEED_TYPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "n_prices": ("barrier", ("economic", "political")),
    "n_workers": ("barrier", ("social", "economic")),
    "n_passports": ("opportunity", ("technological", "legal")),
}

# Who must act: proposed on the phones in the measures phase (person, name), the second a
# duplicate the facilitator merges into the first; then the facilitator's own additions.
ACTOR_PROPOSALS = [
    (3, "Handwerkskammer Oldenburg"),
    (11, "HWK Oldenburg"),
    (7, "Industrie- und Handelskammer Oldenburg"),
    (17, "Zentrale Vergabestelle des Landkreises"),
]
ACTOR_GROUPS = ["sme"]
ACTOR_NAMES = ["Wirtschaftsförderung", "Land Niedersachsen"]

# The roles the room agreed for the agenda's measures: measure → [(actor name, role)].
ROLES: dict[str, list[tuple[str, str]]] = {
    "k_pilots": [
        ("Industrie- und Handelskammer Oldenburg", "leads"),
        ("Handwerkskammer Oldenburg", "contributes"),
        ("Wirtschaftsförderung", "contributes"),
        ("Land Niedersachsen", "must_agree"),
    ],
    "k_exchange": [
        ("Industrie- und Handelskammer Oldenburg", "leads"),
        ("group:sme", "contributes"),
    ],
    "k_tender_training": [
        ("Zentrale Vergabestelle des Landkreises", "leads"),
        ("Land Niedersachsen", "could_block"),
    ],
    "k_symbiosis_manager": [("Wirtschaftsförderung", "leads"), ("group:sme", "must_agree")],
    "k_repair_halls": [("Handwerkskammer Oldenburg", "leads")],
}

# The follow-up, months after the workshop: (measure, days after the workshop, status, note).
FOLLOW_UP = [
    ("k_pilots", 45, "started", "Förderantrag gestellt; die ersten zwei Lotsen sind eingestellt."),
    ("k_tender_training", 60, "started", "Erste Schulung mit 14 Teilnehmenden aus drei Landkreisen."),
    ("k_tender_training", 150, "done", "Unterlagen an die Nachbarkreise verschickt."),
    ("k_exchange", 90, "dropped", "Angeschlossen an die bestehende Börse des Landes statt einer eigenen."),
]
