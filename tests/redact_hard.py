"""A seeded generator of commentaries built around the kinds of personal detail that are hard to
redact, and of sector words that are easy to over-redact.

Leaking kinds, each with many variants: names written in capitals (double-barrelled, with
particles, surname-only in capitals), first names that are also English words at the start of a
sentence (listed ones, and unlisted ones known only from the sentence around them: a verb only a
person is the subject of, or the same name met elsewhere in the commentary), the first name of a
full name at the start of a sentence, NHS numbers (spaced, hyphened,
unspaced), lower-case and mixed-case postcodes, flat, room and building addresses. Over-redacted
kinds: schemes named after a person ("Clare's Law"), case-management systems written in CamelCase,
a sentence-start word followed by a colon ("Summary:"), ordinary words opening a sentence as a
name would ("Will be reviewed", "Staff reported that", "Appointment missed on"), and the
probation vocabulary (MAPPA,
OASys, RoSH, nDelius, programmes, orders, courts, days and months, agencies).

The name pools here were written for this set and are not the redactor's lists: many names are
in no list themecode has. Used by tests/test_redact_hard.py and benchmarks/redaction.py.
"""

from __future__ import annotations

import random

from redact_planted import Planted, _Builder, covered

# first names that are also English words (a sentence-start "Hope said" is a person)
WORD_FIRST = [
    "Hope", "Faith", "Grace", "Joy", "Summer", "Rose", "Dawn", "Crystal", "Ivy", "Daisy",
    "Will", "Rob", "Frank", "Sue", "Pat", "Bill", "Guy", "Grant", "Victor", "Skye", "Autumn",
    "Heather", "Iris", "Jasmine", "Poppy", "Ruby", "Amber", "Holly", "Robin", "Jay", "Mercy",
    "Honor", "Melody", "Cliff", "Chase", "Hunter", "Destiny", "Patience", "Sunny", "Misty",
]
PLAIN_FIRST = [
    "Tobias", "Siobhan", "Kwame", "Oksana", "Dariusz", "Lachlan", "Ffion", "Bogdan", "Ravinder",
    "Anwar", "Cerys", "Marguerite", "Thandiwe", "Nkechi", "Aleksander", "Gwenllian", "Precious",
    "Dmitri", "Rhiannon", "Jolanta", "Zainab", "Callum", "Sarah", "Liam", "Chloe", "Declan",
]
SURNAMES = [
    "Okonkwo", "Brackwell", "Pemberton", "Wozniak", "Haverford", "Ashcombe", "Ellingham",
    "Markovic", "Oyelaran", "Fairbairn", "Kilbride", "Quennell", "Dunmore", "Petrescu",
    "Thistlewood", "Abernethy", "Nakamura", "Lindqvist", "Smith", "Patel", "Jones", "Begum",
    "O'Halloran", "McAllister", "MacKenzie", "Nwachukwu", "Szymanski", "Bhattacharya",
]
PARTICLE_SURNAMES = [
    "van der Berg", "de la Cruz", "da Silva", "de Souza", "van Dijk", "bin Rashid", "al-Hassan",
    "von Essen", "di Marco", "le Roux", "ter Haar", "dos Santos",
]
BARRELLED = [
    ("Ashcombe", "Fairbairn"), ("Smith", "Okonkwo"), ("Pemberton", "Lindqvist"),
    ("Jones", "Abernethy"), ("Haverford", "Quennell"), ("Dunmore", "Patel"),
]
STREETS = ["Mill Lane", "Station Road", "Orchard Way", "Kestrel Drive", "Church Street"]
BUILDINGS = [
    "Rowan House", "Kingfisher Court", "Hawthorn Lodge", "Beacon Heights", "Mercer Tower",
    "Alder Mansions", "The Maltings", "Tannery Wharf", "Linden Point", "Foxglove Apartments",
    "Cobalt Chambers", "Saxon Court", "Harbour View House", "Ivy Cottages",
]
FLAT_WORDS = ["Flat", "Flat", "Apartment", "Room", "flat", "Unit"]
POSTCODE_AREAS = ["me", "ct", "tn", "b", "m", "ls", "np", "sa", "bs", "dt", "sw1a", "ec1v", "w1"]
INWARD = "abdefghjlnpqrstuwxyz"

# vocabulary that must never be redacted, each kept whole
SYSTEMS = ["nDelius", "NDelius", "OASys", "ViSOR", "LiquidLogic", "SystmOne", "CareFirst",
           "ContrOCC", "SharePoint", "ePOMS", "CaseLink", "Delius", "EMIS", "Mosaic"]
SCHEMES = ["Clare's Law", "Sarah's Law", "Helen's Law", "Clare’s Law", "Finn's Law"]
PROGRAMMES = ["Building Better Relationships", "Thinking Skills Programme", "Kaizen", "Horizon",
              "iHorizon", "Resolve", "Becoming New Me", "New Me Strengths",
              "Healthy Relationships", "Drink Impaired Drivers"]
ORDERS = ["Sexual Harm Prevention Order", "Restraining Order", "Non-Molestation Order",
          "Domestic Violence Protection Order", "Community Order", "Suspended Sentence Order",
          "Stalking Protection Order", "Criminal Behaviour Order"]
COURTS = ["Crown Court", "Magistrates' Court", "Family Court", "Youth Court", "Parole Board"]
AGENCIES = ["Children's Services", "Police", "CAMHS", "Social Services", "Jobcentre Plus",
            "Women's Aid", "Refuge", "Nacro", "St Giles Trust", "Turning Point", "MARAC", "MASH",
            "Approved Premises", "Youth Justice Service", "NSPCC", "Samaritans", "DWP",
            "Citizens Advice", "Change Grow Live", "IOM", "Barnardo's"]
ACRONYMS = ["MAPPA", "OASys", "RoSH", "RSR", "OVP", "SPO", "PoP", "SHPO", "CRS", "YJS", "DASH",
            "MARAC", "CAMHS", "ETE", "IOM", "PNC", "HMPPS"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "March", "April", "May", "June", "August", "October", "December"]
LABELS = ["Summary", "Strengths", "Rationale", "Concerns", "Actions", "Update", "Outcome",
          "Emoji", "Bidi", "Comment", "Contingency", "Victims", "Note"]


# first names that are also English words and in NO list of themecode's: recognised only from
# the sentence around them (a verb only a person is the subject of, a recurrence mid-sentence)
WORD_FIRST_UNLISTED = [
    "Bliss", "Honey", "Meadow", "Sparrow", "Forest", "Liberty", "Trinity", "Haven", "Fox",
    "Birch", "Juniper", "Marigold", "Primrose", "Echo", "Comfort", "Blessing", "Gift", "Verity",
    "Raven", "Dove", "Sorrel", "Heath", "Glen", "Moss", "Angel", "Coral", "Giles", "Noel",
    "Cherry", "Hero", "Fern", "Bramble", "Stone", "Memory", "Constance", "Saffron",
]
# what follows such a name at a sentence start: {ORDER}, {AGENCY}, {PROGRAMME}, {DAY}, {MONTH},
# {ACRONYM} and {COURT} are filled with sector words that must be kept
PERSON_TAILS = [
    " reported that the {ORDER} had been breached. ",
    " attended the {AGENCY} office on {DAY}. ",
    " missed two appointments in {MONTH}. ",
    " was arrested after the {ORDER} was breached. ",
    " has two children and the {AGENCY} is involved. ",
    " did not attend the {PROGRAMME} sessions. ",
    " failed to attend on {DAY}. ",
    " was worried about the {ORDER}. ",
    " and her partner were seen on {DAY}. ",
    " told the {ACRONYM} meeting about the {ORDER}. ",
    " was recalled in {MONTH} and the {ACRONYM} was updated. ",
    " refused to see the PO on {DAY}. ",
    " confirmed that she had moved out before {MONTH}. ",
    " would not engage with {PROGRAMME}. ",
]
# sentence starts that look like those but are ordinary words (kept): (word, tail)
ORDINARY_STARTS = [
    ("Staff", " reported that the {ORDER} had been breached. "),
    ("Nothing", " reported since {MONTH} was followed up. "),
    ("Appointment", " missed on {DAY} and not followed up. "),
    ("Contact", " was poor and the {ACRONYM} was not updated. "),
    ("Assessment", " did not consider the {ACRONYM}. "),
    ("Planning", " failed to address the {ORDER}. "),
    ("Will", " be reviewed in {MONTH} by the {ACRONYM}. "),
    ("Hope", " remains that the {PROGRAMME} place will be offered. "),
    ("Review", " agreed with the {AGENCY} on {DAY}. "),
    ("Meeting", " attended by the {AGENCY} on {DAY}. "),
    ("Parents", " reported concerns to the {AGENCY}. "),
    ("Neighbours", " said the {ORDER} had been breached. "),
    ("Progress", " has been slow on {PROGRAMME}. "),
    ("Attendance", " has been poor since {MONTH}. "),
    ("Engagement", " was good and the {ACRONYM} was reviewed. "),
    ("Recall", " was considered by the {ACRONYM} in {MONTH}. "),
    ("Justice", " outcomes were shared with the {AGENCY}. "),
    ("Grace", " periods were not given under the {ORDER}. "),
    ("Supervision", " did not include the {ORDER}. "),
    ("Reviewing", " did not take place after the {ORDER}. "),
]


def _caps(name: str) -> str:
    return name.upper()


def _full_name(rng: random.Random) -> str:
    """A full name of one of the hard shapes (mixed or capitals, barrelled, with particles)."""
    first = rng.choice(PLAIN_FIRST + WORD_FIRST)
    shape = rng.randrange(6)
    if shape == 0:
        return f"{first} {rng.choice(SURNAMES)}"
    if shape == 1:
        a, b = rng.choice(BARRELLED)
        return f"{first} {a}-{b}"
    if shape == 2:
        return f"{first} {rng.choice(PARTICLE_SURNAMES)}"
    if shape == 3:
        return f"{first} {_caps(rng.choice(SURNAMES))}"
    if shape == 4:
        return _caps(f"{first} {rng.choice(SURNAMES)}")
    a, b = rng.choice(BARRELLED)
    return _caps(f"{first} {rng.choice([f'{a}-{b}', rng.choice(PARTICLE_SURNAMES)])}")


def _nhs(rng: random.Random) -> str:
    d = "".join(str(rng.randint(0, 9)) for _ in range(9))
    d = str(rng.randint(1, 9)) + d
    return rng.choice([f"{d[:3]} {d[3:6]} {d[6:]}", d, f"{d[:3]}-{d[3:6]}-{d[6:]}"])


def _postcode(rng: random.Random) -> str:
    area = rng.choice(POSTCODE_AREAS)
    out = area if area[-1].isdigit() or len(area) > 2 else f"{area}{rng.randint(1, 20)}"
    inward = f"{rng.randint(0, 9)}{rng.choice(INWARD)}{rng.choice(INWARD)}"
    pc = f"{out} {inward}"
    return rng.choice([pc, pc, pc.capitalize(), pc.replace(" ", "") if len(out) > 2 else pc])


def _flat(rng: random.Random) -> str:
    num = f"{rng.randint(1, 48)}{rng.choice(['', '', 'a', 'B'])}"
    return f"{rng.choice(FLAT_WORDS)} {num}{rng.choice([', ', ' '])}{rng.choice(BUILDINGS)}"


# Sentences written before the sentence-context rules for English-word first names and never
# used to choose them: what follows a held-out name, and ordinary words opening a sentence.
HELD_OUT_SENTENCES = {
    "PERSON_TAILS": [
        " admitted the breach of the {ORDER}. ",
        " explained that the {ORDER} had lapsed. ",
        " turned up late on {DAY}. ",
        " was remanded after the {ORDER} was breached. ",
        " has a son and the {AGENCY} is involved. ",
        " refused to engage with {PROGRAMME}. ",
        " stated that the {ORDER} was unfair. ",
        " agreed to the {PROGRAMME} referral. ",
        " was tearful when the {ORDER} was discussed. ",
        " wrote to the {COURT} on {DAY}. ",
        " mentioned the {ORDER} to the PO. ",
        " believed the {ORDER} had ended. ",
        " was released on licence in {MONTH}. ",
        " and his partner were seen together on {DAY}. ",
    ],
    "ORDINARY_STARTS": [
        ("Contact", " was reduced after the {ORDER}. "),
        ("Planning", " did not address the {ACRONYM}. "),
        ("Progress", " reported in {MONTH} was slow. "),
        ("Nothing", " was said about the {ORDER}. "),
        ("Grace", " periods for the {ORDER} were not used. "),
        ("Hope", " of change was noted in {MONTH}. "),
        ("Justice", " outcomes were shared with the {AGENCY}. "),
        ("Intelligence", " reported by the {AGENCY} was not used. "),
        ("Liaison", " with the {AGENCY} was missed on {DAY}. "),
        ("Everyone", " agreed that the {ORDER} should stay. "),
        ("Compliance", " was checked on {DAY}. "),
        ("Risk", " was discussed with the {AGENCY}. "),
    ],
}

# Pools never looked at while the rules were written: the held-out measure of how the rules
# generalise (English-word first names here are in no list of themecode's).
HELD_OUT = {
    "WORD_FIRST_UNLISTED": ["Lark", "Wren", "Clover", "Blossom", "Ember", "Sable", "Journey",
                            "Story", "True", "Rain", "Serenity", "Unity", "Justice", "Sonny",
                            "Buck"],
    "WORD_FIRST": ["Faith", "Lark", "Wren", "Clover", "Blossom", "Ember", "Sable", "Journey",
                   "Story", "True", "Rain", "Serenity", "Unity", "Justice", "Sonny", "Buck"],
    "PLAIN_FIRST": ["Eilidh", "Tadhg", "Oluwaseun", "Yevgenia", "Bartosz", "Hamish", "Aoife",
                    "Kofi", "Svetlana", "Ngozi", "Rhodri", "Ioana"],
    "SURNAMES": ["Featherstonehaugh", "Oduya", "Kowalczyk", "Tremayne", "Ashdown", "Villiers",
                 "Mbeki", "Quigley", "Ravensworth", "Nkemelu", "Pryce", "Ortega"],
    "PARTICLE_SURNAMES": ["van Rossum", "de Groot", "du Plessis", "al-Farsi", "della Rovere",
                          "von Trapp"],
    "BARRELLED": [("Tremayne", "Oduya"), ("Villiers", "Pryce"), ("Ashdown", "Mbeki")],
    "BUILDINGS": ["Larch House", "Heron Court", "Millbrook Lodge", "Skyline Heights",
                  "Wellington Tower", "Cedar Mansions", "The Foundry", "Copper Wharf"],
}


def generate_hard(
    n_docs: int, seed: int = 16, *, held_out: bool = False, held_out_sentences: bool = False
) -> list[Planted]:
    """`n_docs` commentaries, each with four to seven hard sentences (`held_out`: names and
    buildings from the held-out pools; `held_out_sentences`: also the held-out sentences)."""
    swap = {**(HELD_OUT if held_out else {}), **(HELD_OUT_SENTENCES if held_out_sentences else {})}
    saved = {k: globals()[k] for k in swap}
    if swap:
        globals().update(swap)
    try:
        rng = random.Random(seed)
        docs: list[Planted] = []
        for _ in range(n_docs):
            b = _Builder()
            for _k in range(rng.randint(4, 7)):
                _sentence(b, rng)
            docs.append(b.build())
    finally:
        globals().update(saved)
    return docs


def _sentence(b: _Builder, rng: random.Random) -> None:
    kind = rng.randrange(17)
    if kind == 0:  # English-word first name at a sentence start
        b.add(rng.choice(WORD_FIRST), "NAME")
        b.add(rng.choice([" said", " told the PO", " disclosed", " reported", " claimed",
                          " has said", " did not attend and said", "'s partner said",
                          " rang the office and said", " was worried"]))
        b.add(" that the ")
        b.add(rng.choice(ORDERS), ordinary=True)
        b.add(" had been breached. ")
    elif kind == 1:  # first name of a full name at a sentence start
        first = rng.choice(WORD_FIRST + PLAIN_FIRST)
        b.add(f"{first} {rng.choice(SURNAMES + [s.title() for s in SURNAMES[:4]])}", "NAME")
        b.add(" was referred to ")
        b.add(rng.choice(PROGRAMMES), ordinary=True)
        b.add(" on a ")
        b.add(rng.choice(DAYS), ordinary=True)
        b.add(". ")
    elif kind == 2:  # hard full names mid-sentence
        b.add(rng.choice(["The victim, ", "His ex-partner ", "A neighbour, ", "The PO spoke to "]))
        b.add(_full_name(rng), "NAME")
        b.add(rng.choice([", was not contacted by the ", " and then the ", ", before the "]))
        b.add(rng.choice(AGENCIES), ordinary=True)
        b.add(" were told. ")
    elif kind == 3:  # a full name in capitals opening a sentence
        b.add(_caps(f"{rng.choice(PLAIN_FIRST + WORD_FIRST)} {rng.choice(SURNAMES)}"), "NAME")
        b.add(" is managed under ")
        b.add("MAPPA", ordinary=True)
        b.add(" level 2 and the ")
        b.add(rng.choice(SYSTEMS), ordinary=True)
        b.add(" record was updated. ")
    elif kind == 4:  # NHS numbers
        b.add("Her GP confirmed the NHS number ")
        b.add(_nhs(rng), "NHS_NUMBER")
        b.add(rng.choice([" and the ", "; the "]))
        b.add(rng.choice(AGENCIES), ordinary=True)
        b.add(" referral went ahead. ")
    elif kind == 5:  # lower-case postcodes
        b.add("He now lives at ")
        b.add(_postcode(rng), "POSTCODE")
        b.add(" and reports on ")
        b.add(rng.choice(DAYS), ordinary=True)
        b.add(". ")
    elif kind == 6:  # flat and building addresses
        b.add(rng.choice(["She moved to ", "Home visits to ", "He was bailed to ", "The PoP lives at "]))
        b.add(_flat(rng), "PLACE")
        if rng.random() < 0.4:
            b.add(", ")
            b.add(rng.choice(STREETS), "PLACE")
        b.add(rng.choice([" were not done", " in the spring", " after release", " with family"]))
        b.add(". ")
    elif kind == 7:  # schemes named after a person
        b.add("A disclosure under ")
        b.add(rng.choice(SCHEMES), ordinary=True)
        b.add(" was ", )
        b.add("not considered by the ")
        b.add(rng.choice(["SPO", "PO", "Police"]), ordinary=True)
        b.add(". ")
    elif kind == 8:  # CamelCase systems
        b.add(rng.choice(["Records on ", "Entries in ", "Checks of "]))
        b.add(rng.choice(SYSTEMS), ordinary=True)
        b.add(" and ")
        b.add(rng.choice(SYSTEMS), ordinary=True)
        b.add(" did not match. ")
    elif kind == 9:  # a label at a sentence start
        b.add(rng.choice(LABELS), ordinary=True)
        b.add(": the ")
        b.add(rng.choice(ACRONYMS), ordinary=True)
        b.add(" review was due in ")
        b.add(rng.choice(MONTHS), ordinary=True)
        b.add(". ")
    elif kind == 10:  # courts and orders
        b.add("The ")
        b.add(rng.choice(COURTS), ordinary=True)
        b.add(" imposed a ")
        b.add(rng.choice(ORDERS), ordinary=True)
        b.add(" and the ")
        b.add(rng.choice(ACRONYMS), ordinary=True)
        b.add(" was reviewed. ")
    elif kind == 11:  # surname in capitals after a title, or first name + capitals
        if rng.random() < 0.5:
            b.add(rng.choice(["Mr ", "Mrs ", "Ms ", "Dr "]))
            b.add(_caps(rng.choice(SURNAMES)), "NAME")
        else:
            b.add("Contact with ")
            b.add(f"{rng.choice(PLAIN_FIRST)} {_caps(rng.choice(SURNAMES))}", "NAME")
        b.add(" was recorded on ")
        b.add(rng.choice(SYSTEMS), ordinary=True)
        b.add(". ")
    elif kind == 12:  # particles and barrelled names in ordinary case
        b.add("The ")
        b.add(rng.choice(["SPO", "PO", "PSO"]), ordinary=True)
        b.add(" met ")
        first = rng.choice(PLAIN_FIRST)
        a, c = rng.choice(BARRELLED)
        if rng.random() < 0.3:
            b.add(rng.choice(["Mrs ", "Mr ", "Dr "]))  # the title is kept: only the name counts
            b.add(f"{a}-{c}", "NAME")
        else:
            b.add(rng.choice([f"{first} {rng.choice(PARTICLE_SURNAMES)}", f"{first} {a}-{c}"]),
                  "NAME")
        b.add(" at the ")
        b.add(rng.choice(AGENCIES), ordinary=True)
        b.add(" office. ")
    elif kind == 14:  # an unlisted English-word first name, known only by the sentence around it
        b.add(rng.choice(WORD_FIRST_UNLISTED), "NAME")
        _fill(b, rng, rng.choice(PERSON_TAILS))
    elif kind == 15:  # the same name met mid-sentence first, then opening a sentence
        name = rng.choice(WORD_FIRST_UNLISTED)
        b.add(rng.choice(["The PO phoned ", "A letter went to ", "The SPO discussed the plan with "]))
        b.add(name, "NAME")
        _fill(b, rng, " on {DAY}. ")
        b.add(name, "NAME")
        _fill(b, rng, rng.choice([" had not been told about the {ORDER}. ",
                                  " is due at the {COURT} in {MONTH}. "]))
    elif kind == 16:  # ordinary words opening a sentence like a name would
        word, tail = rng.choice(ORDINARY_STARTS)
        b.add(word, ordinary=True)
        _fill(b, rng, tail)
    else:  # vocabulary-heavy sentence
        b.add("In ")
        b.add(rng.choice(MONTHS), ordinary=True)
        b.add(" the ")
        b.add(rng.choice(ACRONYMS), ordinary=True)
        b.add(" and ")
        b.add(rng.choice(ACRONYMS), ordinary=True)
        b.add(" checks with ")
        b.add(rng.choice(AGENCIES), ordinary=True)
        b.add(" were done under the ")
        b.add(rng.choice(PROGRAMMES), ordinary=True)
        b.add(" plan. ")


_SLOTS = {"ORDER": "ORDERS", "AGENCY": "AGENCIES", "PROGRAMME": "PROGRAMMES", "DAY": "DAYS",
          "MONTH": "MONTHS", "ACRONYM": "ACRONYMS", "COURT": "COURTS"}


def _fill(b: _Builder, rng: random.Random, tail: str) -> None:
    """Add `tail`, each {SLOT} replaced by a sector word of that kind marked as ordinary."""
    for i, part in enumerate(tail.replace("}", "{").split("{")):
        if i % 2:
            b.add(rng.choice(globals()[_SLOTS[part]]), ordinary=True)
        elif part:
            b.add(part)


def figures(redactor: object, docs: list[Planted]) -> dict:
    """Identifiers covered and ordinary words touched, per kind, for a redactor."""
    from collections import Counter

    total: Counter[str] = Counter()
    hit: Counter[str] = Counter()
    missed: list[str] = []
    over: list[str] = []
    n_ordinary = 0
    for d in docs:
        spans = redactor.redact(d.text).spans  # type: ignore[attr-defined]
        for s, e, k in d.identifiers:
            total[k] += 1
            is_covered = covered(spans, s, e)
            hit[k] += is_covered
            if not is_covered:
                missed.append(f"{k}: {d.text[s:e]!r} in {d.text[max(0, s - 30):e + 20]!r}")
        for s, e, w in d.ordinary:
            n_ordinary += 1
            if any(sp.start < e and sp.end > s for sp in spans):
                over.append(w)
    return {"total": total, "hit": hit, "missed": missed, "over": over, "n_ordinary": n_ordinary}
