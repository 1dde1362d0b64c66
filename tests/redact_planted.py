"""A seeded generator of demo-like commentaries with planted personal details, for redaction tests.

Every planted identifier and every ordinary capitalised word ("West Kent", "MAPPA", "Monday") is
recorded with its code-point span, so tests can measure recall and over-redaction. Used by
tests/test_redact.py and benchmarks/redaction.py.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

# Names deliberately NOT in themecode's built-in lists, to exercise the capitalised-word heuristic.
UNLISTED_FIRST = [
    "Tobias", "Marguerite", "Oksana", "Dariusz", "Precious", "Kwame", "Siobhan", "Lachlan",
    "Ffion", "Bogdan", "Temperance", "Ravinder", "Ingrid", "Anwar", "Cerys", "Florin",
]
UNLISTED_SURNAMES = [
    "Okonkwo", "Brackwell", "Tennyson", "Pemberton", "Wozniak", "Haverford", "Ashcombe",
    "Ellingham", "Markovic", "Oyelaran", "Fairbairn", "Kilbride", "Quennell", "Dunmore",
    "Petrescu", "Thistlewood", "Abernethy", "Nakamura", "Castellano", "Lindqvist",
]
LISTED_FIRST = ["John", "Sarah", "Liam", "Emma", "Daniel", "Claire", "Ryan", "Chloe", "Kyle"]
LISTED_SURNAMES = ["Smith", "Jones", "Patel", "Khan", "Davies", "Evans", "Hughes", "Begum"]
TITLES = ["Mr", "Mrs", "Ms", "Miss", "Dr"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
TOWNS = ["Maidstone", "Gravesend", "Chatham", "Colchester", "Kettering", "Rotherham",
         "Carlisle", "Taunton", "Weymouth", "Llanelli"]
STREETS = ["Elm Tree Close", "Station Road", "Mill Lane", "Victoria Street", "Orchard Way",
           "Brookfield Avenue", "Church Crescent"]
PDUS = ["West Kent", "Gwent", "Derby City", "Sheffield", "Wigan", "Cumbria", "Dorset",
        "Essex North", "West Sussex", "Kirklees", "Tameside", "Somerset"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
SECTOR = ["MAPPA", "OASys", "Probation Service", "Police", "Building Better Relationships",
          "RoSH", "SPO", "Children's Services", "Approved Premises", "Sexual Harm Prevention Order",
          "Court", "nDelius", "Kaizen", "Thinking Skills Programme"]


@dataclass
class Planted:
    """A generated commentary: its text, planted identifiers and planted ordinary words."""

    text: str
    identifiers: list[tuple[int, int, str]] = field(default_factory=list)  # start, end, kind
    ordinary: list[tuple[int, int, str]] = field(default_factory=list)  # start, end, word


class _Builder:
    """Appends pieces to a text, recording the spans of marked pieces."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.doc = Planted("")

    def add(self, s: str, kind: str | None = None, ordinary: bool = False) -> None:
        if kind:
            self.doc.identifiers.append((self.pos, self.pos + len(s), kind))
        if ordinary:
            self.doc.ordinary.append((self.pos, self.pos + len(s), s))
        self.parts.append(s)
        self.pos += len(s)

    def build(self) -> Planted:
        self.doc.text = "".join(self.parts)
        return self.doc


def _name(rng: random.Random) -> str:
    first = rng.choice(UNLISTED_FIRST if rng.random() < 0.5 else LISTED_FIRST)
    sur = rng.choice(UNLISTED_SURNAMES if rng.random() < 0.6 else LISTED_SURNAMES)
    return rng.choice([first, sur, f"{first} {sur}", f"{first} {sur}"])


def _surname(rng: random.Random) -> str:
    return rng.choice(UNLISTED_SURNAMES if rng.random() < 0.6 else LISTED_SURNAMES)


def _date(rng: random.Random) -> str:
    d, m, y = rng.randint(1, 28), rng.randint(1, 12), rng.randint(2019, 2023)
    month = MONTHS[m - 1]
    sfx = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd"}.get(d, "th")
    return rng.choice([
        f"{d:02d}/{m:02d}/{y}", f"{d}.{m}.{y % 100:02d}", f"{d} {month} {y}", f"{d}{sfx} {month}",
        f"{month} {y}", f"{d}{sfx} of {month} {y}", f"{month} {d}, {y}", f"{y}-{m:02d}-{d:02d}",
    ])


def _phone(rng: random.Random) -> str:
    n = "".join(str(rng.randint(0, 9)) for _ in range(6))
    return rng.choice([
        f"07700 {n}", f"07{rng.randint(100, 999)}{n}", f"+44 7700 {n}", f"01632 {n}",
        f"0161 {n[:3]} {n[3:]}4", f"+44 (0)1632 {n}", f"(01632) {n}", f"020 7946 {n[:4]}",
    ])


def _postcode(rng: random.Random) -> str:
    area = rng.choice(["ME", "CT", "TN", "B", "M", "LS", "NP", "SA", "BS", "DT"])
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return f"{area}{rng.randint(1, 20)} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"


def _ni(rng: random.Random) -> str:
    d = [rng.randint(0, 9) for _ in range(6)]
    sep = rng.choice([" ", ""])
    return sep.join([rng.choice(["AB", "JK", "NP", "ST", "WX"]), f"{d[0]}{d[1]}", f"{d[2]}{d[3]}",
                     f"{d[4]}{d[5]}", rng.choice("ABCD")])


def _case_ref(rng: random.Random) -> str:
    return rng.choice([
        f"{rng.choice('XDEFGH')}{rng.randint(100000, 999999)}",
        f"{rng.choice('AB')}{rng.randint(1000, 9999)}{rng.choice(['CD', 'XY', 'EF'])}",
        f"20{rng.randint(10, 23)}/{rng.randint(1000000, 9999999)}{rng.choice('ABXZ')}",
    ])


def _email(rng: random.Random) -> str:
    user = rng.choice(["j.smith", "k.okonkwo", "sarah.p", "brackwell77", "t_ash"])
    return f"{user}@{rng.choice(['example.org', 'mail.example.co.uk', 'justice.example.gov.uk'])}"


def generate(n_docs: int, seed: int = 1) -> list[Planted]:
    """`n_docs` commentaries, each mixing sector prose with several planted identifiers."""
    rng = random.Random(seed)
    docs: list[Planted] = []
    for _ in range(n_docs):
        b = _Builder()
        pdu = rng.choice(PDUS)
        b.add("In ")
        b.add(pdu, ordinary=True)
        b.add(" the ")
        b.add(rng.choice(["PoP", "person on probation"]))
        b.add(" was assessed as high ")
        b.add("RoSH", ordinary=True)
        b.add(" and managed under ")
        b.add("MAPPA", ordinary=True)
        b.add(" level 2. ")
        for _k in range(rng.randint(3, 5)):
            choice = rng.randrange(12)
            if choice == 0:
                b.add(f"{rng.choice(TITLES)} ")
                b.add(_surname(rng), "NAME")
                b.add(" was seen at home on ")
                b.add(rng.choice(WEEKDAYS), ordinary=True)
                b.add(" and the visit was recorded on ")
                b.add("nDelius", ordinary=True)
                b.add(". ")
            elif choice == 1:
                b.add("The victim, ")
                b.add(_name(rng), "NAME")
                b.add(", was not contacted by the ")
                b.add("Police", ordinary=True)
                b.add(" before ")
                b.add(_date(rng), "DATE")
                b.add(". ")
            elif choice == 2:
                b.add("His partner ")
                b.add(_name(rng), "NAME")
                b.add(" can be reached on ")
                b.add(_phone(rng), "PHONE")
                b.add(" or ")
                b.add(_email(rng), "EMAIL")
                b.add(". ")
            elif choice == 3:
                b.add("He moved to ")
                b.add(f"{rng.randint(1, 140)} {rng.choice(STREETS)}", "PLACE")
                b.add(", ")
                b.add(rng.choice(TOWNS), "PLACE")
                b.add(" ")
                b.add(_postcode(rng), "POSTCODE")
                b.add(" without telling the ")
                b.add("SPO", ordinary=True)
                b.add(". ")
            elif choice == 4:
                b.add("The case record ")
                b.add(_case_ref(rng), "CASE_REF")
                b.add(" and NI number ")
                b.add(_ni(rng), "NI_NUMBER")
                b.add(" were checked. ")
            elif choice == 5:
                b.add(_name(rng), "NAME")
                b.add(" was not referred to ")
                b.add("Building Better Relationships", ordinary=True)
                b.add(" despite the ")
                b.add("OASys", ordinary=True)
                b.add(" risk summary. ")
            elif choice == 6:
                b.add("On ")
                b.add(rng.choice(WEEKDAYS), ordinary=True)
                b.add(" the ")
                b.add("Probation Service", ordinary=True)
                b.add(" spoke with ")
                b.add(_name(rng), "NAME")
                b.add(" from ")
                b.add("Children's Services", ordinary=True)
                b.add(". ")
            elif choice == 7:
                b.add("The ")
                b.add("SPO", ordinary=True)
                b.add(", ")
                b.add(_name(rng), "NAME")
                b.add(", agreed the plan on ")
                b.add(_date(rng), "DATE")
                b.add(" at the ")
                b.add(pdu, ordinary=True)
                b.add(" office. ")
            elif choice == 8:
                b.add("Contingency planning was weak; the ")
                b.add("Sexual Harm Prevention Order", ordinary=True)
                b.add(" was not shared with ")
                b.add(_name(rng), "NAME")
                b.add(" in ")
                b.add(rng.choice(TOWNS), "PLACE")
                b.add(". ")
            elif choice == 9:
                b.add("Home visits were planned for ")
                b.add(rng.choice(WEEKDAYS), ordinary=True)
                b.add("s but did not happen, and the ")
                b.add("Court", ordinary=True)
                b.add(" was told on ")
                b.add(_date(rng), "DATE")
                b.add(". ")
            elif choice == 10:
                b.add("She disclosed that ")
                b.add(_name(rng), "NAME")
                b.add(" had threatened her; this was not shared with ")
                b.add("MAPPA", ordinary=True)
                b.add(". ")
            else:
                b.add("In May the practitioner may have missed the ")
                b.add("Approved Premises", ordinary=True)
                b.add(" referral; ")
                b.add(_name(rng), "NAME")
                b.add("'s ")
                b.add("Kaizen", ordinary=True)
                b.add(" place was lost. ")
        docs.append(b.build())
    return docs


def covered(spans: object, s: int, e: int) -> bool:
    """Every character of [s, e) is inside some redacted span (spans sorted, not overlapping)."""
    pos = s
    for sp in spans:  # type: ignore[attr-defined]
        if sp.end <= pos:
            continue
        if sp.start > pos:
            return False
        pos = sp.end
        if pos >= e:
            return True
    return pos >= e
