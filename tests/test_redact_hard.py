"""Redaction on hard cases (tests/redact_hard.py): names in capitals and with particles, English-word
first names at a sentence start, NHS numbers, lower-case postcodes, flats and buildings; and sector
words that must stay (named schemes, CamelCase systems, labels before a colon, acronyms)."""

from __future__ import annotations

import pytest
from redact_hard import figures, generate_hard

from themecode.redact.engine import Redactor


@pytest.fixture(scope="module", params=["fast", "spacy"])
def engine(request: pytest.FixtureRequest) -> Redactor:
    return Redactor(engine=request.param)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The PO met JOHN SMITH at home.", "The PO met [NAME] at home."),
        ("SIOBHAN OKONKWO is managed under MAPPA.", "[NAME] is managed under MAPPA."),
        ("The victim, KWAME ASHCOMBE-FAIRBAIRN, was seen.", "The victim, [NAME], was seen."),
        ("His ex-partner CERYS DE LA CRUZ was told.", "His ex-partner [NAME] was told."),
        ("Contact with Declan DUNMORE was recorded.", "Contact with [NAME] was recorded."),
        ("Mrs NWACHUKWU was recorded on OASys.", "Mrs [NAME] was recorded on OASys."),
        ("A neighbour, Frank von Essen, called.", "A neighbour, [NAME], called."),
        ("The SPO met Oksana ter Haar today.", "The SPO met [NAME] today."),
        ("The PO met Anwar al-Hassan today.", "The PO met [NAME] today."),
        ("Hope said that the order was breached.", "[NAME] said that the order was breached."),
        ("Will rang the office on Monday.", "[NAME] rang the office on Monday."),
        ("Faith's partner was not contacted.", "[NAME]'s partner was not contacted."),
        ("Daisy Patel was referred to Kaizen.", "[NAME] was referred to Kaizen."),
        ("Cliff Pemberton was referred to Resolve.", "[NAME] was referred to Resolve."),
        ("NHS number 943 476 5919 was given.", "NHS number [NHS NUMBER] was given."),
        ("NHS number 9434765919 was given.", "NHS number [NHS NUMBER] was given."),
        ("NHS number 943-476-5919 was given.", "NHS number [NHS NUMBER] was given."),
        ("He lives at me14 2ab now.", "He lives at [POSTCODE] now."),
        ("He lives at Sa2 7fj now.", "He lives at [POSTCODE] now."),
        ("He lives at m141qu now.", "He lives at [POSTCODE] now."),
        ("She moved to Flat 3, Rowan House last week.", "She moved to [PLACE] last week."),
        ("Visits to Flat 12B Kingfisher Court stopped.", "Visits to [PLACE] stopped."),
        ("He was bailed to Room 4 Hawthorn Lodge.", "He was bailed to [PLACE]."),
        ("He lives at Flat 7 on his own.", "He lives at [PLACE] on his own."),
        ("She lives in Mercer Tower, Orchard Way.", "She lives in [PLACE], [PLACE]."),
        # English-word first names in no list, known by the sentence around them
        ("Meadow reported that she was scared.", "[NAME] reported that she was scared."),
        ("Juniper attended the office on Monday.", "[NAME] attended the office on Monday."),
        ("Sparrow missed two appointments.", "[NAME] missed two appointments."),
        ("Haven was arrested in May.", "[NAME] was arrested in May."),
        ("Trinity has two children.", "[NAME] has two children."),
        ("Echo did not attend Kaizen.", "[NAME] did not attend Kaizen."),
        ("Liberty failed to attend.", "[NAME] failed to attend."),
        ("Gift and her partner were seen.", "[NAME] and her partner were seen."),
        ("Bliss said the order was breached.", "[NAME] said the order was breached."),
        ("Giles refused to see the PO.", "[NAME] refused to see the PO."),
        ("Constance confirmed that he had left.", "[NAME] confirmed that he had left."),
        # met mid-sentence first (as a name or a place), then opening a sentence
        ("The PO phoned Fox. Fox had not been told.", "The PO phoned [NAME]. [NAME] had not been told."),
        ("A letter went to Moss. Moss is due in court.",
         "A letter went to [PLACE]. [PLACE] is due in court."),
    ],
)
def test_hard_identifiers(engine: Redactor, text: str, expected: str) -> None:
    assert engine.redact(text).text == expected


@pytest.mark.parametrize(
    "text",
    [
        "A disclosure under Clare's Law and Sarah’s Law was not considered.",
        "Records on LiquidLogic, SystmOne, CareFirst, ContrOCC, SharePoint and NDelius differ.",
        "Summary: the plan was weak. Emoji: none. Bidi: none. Concerns: the RoSH was low.",
        "THE PLAN WAS NOT REVIEWED BY THE SPO AND MAPPA WAS NOT TOLD.",
        "The DRR, ATR and RAR days, the CAMHS and NSPCC referrals and the MARAC were late.",
        "The Crown Court, Youth Court and Magistrates' Court; a Non-Molestation Order.",
        "The Women's Aid, Barnardo's, Samaritans and St Giles Trust workers met on Friday.",
        "He was seen on Mondays in May and June; the PoP's ETE and IOM plans were agreed.",
        "Hope is limited and the Plan was late; Will power alone is not a plan.",
        "It was the m6 3rd junction; the 1st and 2nd visits were missed.",
        "He completed Unit 3 of the programme and attended Building Better Relationships.",
        # ordinary words opening a sentence as an English-word first name would
        "Staff reported that the order had been breached. Nothing reported since May.",
        "Appointment missed on Monday. Meeting attended by the police on Friday.",
        "Assessment did not consider the RoSH. Planning failed to address the SHPO.",
        "Will be reviewed in June. Hope remains that a Kaizen place will be offered.",
        "Parents reported concerns. Neighbours said the order had been breached.",
        "Review agreed with the police. Contact was poor and nDelius was not updated.",
        "Engagement was good. Recall was considered. Supervision did not include the order.",
        "Justice outcomes were shared. Grace periods were not given. Progress has been slow.",
        "One missed appointment was not challenged. Reviewing did not take place.",
        "Service refused to help. Trust declined to fund it.",
        "Planning did not address the PoP. Bidi: none. He met the PoP. Emoji: none.",
    ],
)
def test_sector_words_are_kept(engine: Redactor, text: str) -> None:
    red = engine.redact(text)
    assert red.spans == (), [(s.kind, s.original) for s in red.spans]


def test_hard_set_figures(engine: Redactor) -> None:
    """At least 98% of planted identifiers redacted; every sector word kept."""
    docs = generate_hard(120, seed=2026)
    f = figures(engine, docs)
    total, hit = f["total"], f["hit"]
    assert set(total) == {"NAME", "NHS_NUMBER", "POSTCODE", "PLACE"}
    assert sum(total.values()) >= 400
    overall = sum(hit.values()) / sum(total.values())
    print(f"\n[{engine.engine}] hard set: {sum(hit.values())}/{sum(total.values())} = {overall:.1%}")
    for k in sorted(total):
        print(f"  {k:10s} {hit[k]:4d}/{total[k]:4d}")
        assert hit[k] / total[k] >= 0.95, (k, f["missed"][:5])
    assert overall >= 0.98, f["missed"][:10]
    assert f["n_ordinary"] >= 1000
    assert f["over"] == [], f["over"][:10]


def test_engines_agree_on_hard_set() -> None:
    fast, spacy = Redactor(), Redactor(engine="spacy")
    docs = generate_hard(60, seed=7)
    differ = [d.text for d in docs if fast.find(d.text) != spacy.find(d.text)]
    assert differ == [], differ[:2]


def test_held_out_pools(engine: Redactor) -> None:
    """Names and buildings never seen while writing the rules: English-word first names at a
    sentence start are known from the sentence around them; the misses are one name, "Justice",
    which the rules take for the last word of the kept "Ministry of Justice" (left as measured,
    not tuned away); no sector word touched."""
    f = figures(engine, generate_hard(100, seed=404, held_out=True))
    total, hit = sum(f["total"].values()), sum(f["hit"].values())
    print(f"\n[{engine.engine}] held-out pools: {hit}/{total} = {hit / total:.1%}")
    assert hit / total >= 0.96, f["missed"][:10]
    assert all(m.startswith("NAME") for m in f["missed"])
    assert f["over"] == []


def test_held_out_sentences(engine: Redactor) -> None:
    """Held-out names inside held-out sentences (verbs and ordinary sentence starts the rules
    were not written from): most names still redacted, no sector word touched; the misses are
    English-word first names before a verb the rules do not know ("Lark turned up late")."""
    f = figures(engine, generate_hard(100, seed=404, held_out=True, held_out_sentences=True))
    total, hit = sum(f["total"].values()), sum(f["hit"].values())
    print(f"\n[{engine.engine}] held-out sentences: {hit}/{total} = {hit / total:.1%}")
    assert hit / total >= 0.92, f["missed"][:10]
    assert all(m.startswith("NAME") for m in f["missed"])
    assert f["over"] == []
