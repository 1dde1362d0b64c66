"""Generate themecode's synthetic demo corpus: inspection cases, commentaries, gold codings.

Real inspection commentaries are confidential, so the demo ships an invented corpus whose case mix
follows the published figures of the 2022-23 public protection bulletin (see
../shared/domain.md) and whose text is written from a bank of hand-written sentence patterns with
slot fillers. Every sentence is invented. The output is deterministic: the same arguments give the
same bytes on every machine and Python run.

Usage::

    python corpus/generate.py [--cases N] [--seed S] [--out DIR]

Importable by path too (benchmarks load it with importlib): see `generate()` and `write()`.
"""

from __future__ import annotations

import argparse
import csv
import functools
import json
import math
import random
import re
import unicodedata
from pathlib import Path
from typing import NamedTuple

BASE_CASES = 1748
STAGES = ("assessment", "planning", "implementation", "reviewing")
STAGE_LETTER = {"assessment": "A", "planning": "P", "implementation": "I", "reviewing": "R"}
COLUMNS = (
    "id", "case_id", "stage", "judgement", "text", "pdu", "region", "rosh",
    "likelihood_of_reoffending", "case_type", "age_group", "sex", "ethnicity",
    "previous_sanctions",
)

# Annex B counts (cases with the value known; the rest are unknown and written as empty cells).
MARGINALS: dict[str, dict[str, int]] = {
    "age_group": {"18-24": 265, "25-29": 286, "30-39": 617, "40-59": 520, "60+": 50},
    "sex": {"male": 1474, "female": 224},
    "ethnicity": {"white": 1317, "ethnic minority": 313},
    "likelihood_of_reoffending": {"low": 987, "medium": 405, "high/very high": 280},
    "rosh": {"low": 346, "medium": 1013, "high/very high": 275},
    "case_type": {"community": 970, "post-custody": 577},
    "previous_sanctions": {"none": 283, "1": 176, "2-5": 382, "6-10": 268, "11-20": 294, "21+": 326},
}

# Positive judgement rates by stage: all cases, then by RoSH level.
JUDGEMENT_RATES: dict[str, dict[str, float]] = {
    "assessment": {"all": 0.325, "low": 0.286, "medium": 0.306, "high/very high": 0.549},
    "planning": {"all": 0.411, "low": 0.405, "medium": 0.393, "high/very high": 0.633},
    "implementation": {"all": 0.352, "low": 0.442, "medium": 0.303, "high/very high": 0.478},
    "reviewing": {"all": 0.409, "low": 0.465, "medium": 0.373, "high/very high": 0.482},
}

# The 26 PDUs with their probation region and a relative share of the inspected cases.
PDUS: tuple[tuple[str, str, int], ...] = (
    ("Gwent", "Wales", 70),
    ("Swansea and Neath Port Talbot", "Wales", 66),
    ("West Kent", "Kent, Surrey and Sussex", 68),
    ("West Sussex", "Kent, Surrey and Sussex", 71),
    ("Essex North", "East of England", 67),
    ("Northamptonshire", "East Midlands", 70),
    ("Birmingham North, East and Solihull", "West Midlands", 74),
    ("Staffordshire and Stoke", "West Midlands", 72),
    ("Warwickshire", "West Midlands", 62),
    ("Hammersmith, Fulham, Kensington, Chelsea and Westminster", "London", 69),
    ("Ealing and Hillingdon", "London", 68),
    ("South Tyneside and Gateshead", "North East", 64),
    ("Derby City", "East Midlands", 63),
    ("Leicester, Leicestershire and Rutland", "East Midlands", 73),
    ("Kirklees", "Yorkshire and the Humber", 66),
    ("Sheffield", "Yorkshire and the Humber", 71),
    ("Hull and East Riding of Yorkshire", "Yorkshire and the Humber", 67),
    ("North and North-East Lancashire", "North West", 65),
    ("Tameside", "Greater Manchester", 63),
    ("Wigan", "Greater Manchester", 64),
    ("Blackburn and Darwen", "North West", 62),
    ("Cumbria", "North West", 68),
    ("Portsmouth and the Isle of Wight", "South Central", 67),
    ("Somerset", "South West", 66),
    ("Dorset", "South West", 68),
    ("Bristol and South Gloucestershire", "South West", 72),
)

# Themes with a bulletin figure: share of eligible cases with a shortfall, the stage whose
# commentary carries it, and the share of cases for which the theme is relevant at all.
FLAG_THEMES: dict[str, tuple[float, str, float]] = {
    "domestic_abuse_checks": (0.39, "assessment", 0.70),
    "child_safeguarding": (0.33, "assessment", 0.55),
    "contingency_planning": (0.56, "planning", 1.0),
    "contact_level": (0.41, "implementation", 1.0),
    "multi_agency": (0.49, "implementation", 1.0),
}


class Case:
    """One inspected case: metadata, the four judgements and the themes its text must carry.

    A plain class rather than a dataclass so that the module also works when loaded by path with
    importlib without being registered in sys.modules (dataclasses need that for annotations).
    """

    def __init__(self, case_id: str, meta: dict[str, str], quality: float) -> None:
        self.case_id = case_id
        self.meta = meta
        self.quality = quality
        self.judgements: dict[str, str] = {}
        self.themes: dict[str, str] = {}
        self.inductive: dict[str, list[str]] = {}
        self.oversight_sufficient = False
        self.ended = False
        self.first = ""
        self.surname = ""
        self.other_name = ""
        self.facts: dict[str, str] = {}


# --------------------------------------------------------------------------------------------
# Phrase bank: every sentence pattern below was written for this corpus; none is copied from
# inspection reports. Slots in braces are filled per commentary (see Filler.slot).
# --------------------------------------------------------------------------------------------

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
ROSH_WORDS = {"low": "low", "medium": "medium", "high/very high": "high"}
MALE_NAMES = ("Kieran", "Darren", "Liam", "Jamie", "Craig", "Dean", "Wayne", "Ryan", "Connor",
              "Aaron", "Tyrone", "Imran", "Tomasz", "Jordan", "Shane", "Callum", "Rhys", "Gareth",
              "Marcus", "Owen", "Nathan", "Lewis", "Bradley", "Adeel", "Stuart", "Kyle")
FEMALE_NAMES = ("Jade", "Kerry", "Leanne", "Chelsea", "Stacey", "Shannon", "Amy", "Gemma",
                "Natalie", "Rebecca", "Aisha", "Chloe", "Tanya", "Bethan", "Danielle", "Kayleigh",
                "Sadia", "Lauren", "Nicola", "Paige")
SURNAMES = ("Hollis", "Brennan", "Whitlock", "Okafor", "Pritchard", "Dunmore", "Carrick",
            "Fenwick", "Ashworth", "Lomax", "Kowalski", "Rahman", "Beddoes", "Thornley", "Garside",
            "Mellor", "Quigley", "Harrop", "Sandhu", "Tranter", "Voss", "Aldridge", "Ferris",
            "Nuttall", "Oduya", "Pender", "Stroud", "Yeoman")
TOWNS = ("Barnsley", "Kendal", "Workington", "Bognor Regis", "Crawley", "Maidstone", "Tonbridge",
         "Colchester", "Clacton-on-Sea", "Kettering", "Corby", "Nuneaton", "Rugby", "Tamworth",
         "Burton upon Trent", "Dewsbury", "Huddersfield", "Rochdale", "Accrington", "Burnley",
         "Yeovil", "Taunton", "Weymouth", "Poole", "Newport", "Pontypool", "Llanelli", "Jarrow",
         "Hebburn", "Goole", "Beverley", "Loughborough", "Hinckley", "Ryde", "Cowes", "Keynsham",
         "Yate", "Whitehaven", "Leigh", "Hyde", "Darwen", "Uxbridge", "Southall")
POSTCODE_AREAS = ("LS", "BD", "HD", "S", "DN", "M", "WN", "OL", "BB", "LA", "CA", "NE", "DE",
                  "LE", "NN", "CV", "ST", "B", "NP", "SA", "ME", "TN", "BN", "CO", "PO", "BS",
                  "TA", "BH", "DT", "HU", "UB", "W")
VAGUE_WHEN = ("at one point", "later in the order", "some weeks later", "in the spring",
              "over the summer", "towards the end of the year", "on a Friday afternoon",
              "one Monday", "shortly before the inspection", "around Christmas",
              "midway through the period inspected", "soon afterwards", "the following month",
              "during the second month", "on a Tuesday evening")
VAGUE_PLACE = ("the area", "a neighbouring town", "another part of the county", "the city centre",
               "a village nearby", "a different borough", "the coast", "supported housing nearby",
               "a flat across town", "the next town")
PARTNERS_M = ("partner", "girlfriend", "new partner", "former partner", "ex-partner", "wife",
              "partner of two years", "estranged wife", "on-off partner")
PARTNERS_F = ("partner", "boyfriend", "new partner", "former partner", "ex-partner", "husband",
              "on-off partner")
CHILDREN = ("two young children", "a baby daughter", "a stepson of eight", "three children under ten",
            "a teenage daughter", "a newborn son", "two stepchildren", "a toddler",
            "children of primary school age", "a son of six")
OFFENCES = ("assault occasioning actual bodily harm", "common assault", "stalking", "harassment",
            "arson", "robbery", "possession of indecent images", "breach of a restraining order",
            "affray", "controlling and coercive behaviour", "threats to kill", "wounding",
            "criminal damage", "possession of a bladed article", "battery", "burglary",
            "assault of an emergency worker", "sexual assault", "malicious communications",
            "non-fatal strangulation", "grievous bodily harm", "dangerous driving", "possession with intent to supply",
            "false imprisonment", "voyeurism", "racially aggravated harassment", "theft from a shop",
            "exposure", "kidnap", "fraud", "possession of a firearm", "disclosing private sexual images")

MISSPELLINGS = {
    "received": "recieved", "separate": "seperate", "occurred": "occured", "address": "adress",
    "assessment": "assesment", "necessary": "neccessary", "appropriate": "appropiate",
    "relationship": "relationhsip", "safeguarding": "safegaurding", "definitely": "definately",
    "management": "managment", "information": "infomation", "children": "chidlren",
    "contingency": "contingancy", "appointment": "appointmnet", "practitioner": "practioner",
    "referral": "referal", "liaison": "liasion", "completed": "competed", "reviewed": "reveiwed",
}
PRAISE = re.compile(r"good practice|good to see|positive|commend|strength|excellent|impressive|stood out")
CONNECTORS = ("In addition, ", "Also, ", "Separately, ", "In this case, ", "At the time, ", "Notably, ",
              "For context, ", "According to the record, ")
LOWERABLE = frozenset({"The", "There", "A", "An", "No", "He", "She", "His", "Her", "It", "This", "Nothing",
                       "Nobody", "Several", "Some", "Most", "Two", "Many", "Police", "Children's"})
HEDGES = ("It appeared that ", "Inspectors found that ", "As far as inspectors could tell, ",
          "On the evidence available, ", "It seemed that ", "From the records, ")
NEG_TAILS = (", which was a concern", ", and this was a significant gap", ", which left the risk unmanaged",
             " in this case", ", which should have been picked up", ", and this mattered",
             ", given {his} history of {offence2}", " during the {period} inspected",
             ", which was a missed opportunity", " at any point in the period inspected", ", and nobody noticed for {dur}",
             ", a recurring theme in this case")
POS_TAILS = (", which was good to see", " throughout the period inspected", ", and this was recorded clearly",
             " in this case", ", and this made a real difference", " over the {period} inspected",
             ", and {he} responded well", ", which inspectors commended")
FACT_TAILS = (", according to the file", ", as the record showed", ", according to {po}", ", the record showed",
              ", according to nDelius", ", as far as the file showed")

# Word-level variation applied to templates before slots are filled (first option = original).
SYNONYMS: dict[str, tuple[str, ...]] = {
    " even though ": (" even though ", " although ", " despite the fact that "),
    " despite ": (" despite ", " in spite of "),
    " was requested": (" was requested", " was sought"),
    " carried out": (" carried out", " completed", " undertaken"),
    " did not consider ": (" did not consider ", " failed to consider "),
    " did not explore ": (" did not explore ", " failed to explore "),
    " did not address ": (" did not address ", " failed to address "),
    " did not ask ": (" did not ask ", " failed to ask "),
    " did not identify ": (" did not identify ", " failed to identify "),
    " did not establish ": (" did not establish ", " failed to establish "),
    " did not probe ": (" did not probe ", " failed to probe "),
    " did not reflect ": (" did not reflect ", " failed to reflect "),
    " no evidence that ": (" no evidence that ", " nothing to show that ", " no record that "),
    " should have been ": (" should have been ", " ought to have been "),
    "There was no ": ("There was no ", "Inspectors found no ", "There was no "),
    "There were no ": ("There were no ", "Inspectors found no ", "There were no "),
    " which was good practice": (" which was good practice", " which was an example of good practice", " which was good to see"),
    " was a strength": (" was a strength", " was a real strength", " stood out"),
    " thorough": (" thorough", " comprehensive", " detailed"),
    " with the police ": (" with the police ", " with police "),
    " police information": (" police information", " police intelligence"),
    " missed appointments": (" missed appointments", " absences", " failures to attend"),
    " several ": (" several ", " a number of ", " a few "),
    " at the start of the ": (" at the start of the ", " at the beginning of the ", " early in the "),
    " quickly": (" quickly", " swiftly", " promptly"),
    " promptly": (" promptly", " without delay", " quickly"),
    " not picked up": (" not picked up", " not noticed", " missed"),
    " regular ": (" regular ", " frequent "),
    " concerns ": (" concerns ", " worries "),
    " significant ": (" significant ", " serious ", " notable "),
    " excellent ": (" excellent ", " very good ", " outstanding "),
    " impressive": (" impressive", " notable", " striking"),
    " was completed ": (" was completed ", " was done "),
    " was not ": (" was not ",) * 6 + (" wasn't ",),
    " had not ": (" had not ",) * 6 + (" hadn't ",),
    " recorded ": (" recorded ", " noted "),
    " identified": (" identified", " recognised"),
    " analysis of ": (" analysis of ", " consideration of ", " exploration of "),
    " liaison": (" liaison", " liaison", " communication"),
    " appropriate": (" appropriate", " suitable"),
    " gave no ": (" gave no ", " offered no ", " provided no "),
    " in person": (" in person", " face to face"),
    " at all": (" at all", " whatsoever"),
    " contingency plan": (" contingency plan", " contingency plan", " fallback plan", " back-up plan"),
    " contingency arrangements": (" contingency arrangements", " fallback arrangements",
                                  " arrangements for a deterioration"),
    " caseload": (" caseload", " caseload", " workload", " list of cases"),
    " one-to-one work": (" one-to-one work", " individual work", " structured individual sessions"),
    " family members": (" family members", " relatives"),
    " management oversight": (" management oversight", " managerial oversight", " oversight by managers"),
    " own account": (" own account", " own version of events"),
    " referral": (" referral", " referral", " onward referral"),
    " programme": (" programme", " programme", " course"),
    " which was positive": (" which was positive", " which was encouraging", " and this was positive"),
    " the main concerns": (" the main concerns", " the key risks", " the most important risks"),
    " robust": (" robust", " strong", " sound"),
    " purposeful": (" purposeful", " meaningful", " focused"),
    " brief ": (" brief ", " short ", " cursory "),
    " never spoke": (" never spoke", " had no contact"),
    " went nowhere": (" went nowhere", " were not acted on", " led to nothing"),
    " nobody ": (" nobody ", " no one "),
    "Nobody ": ("Nobody ", "No one "),
    " a formality": (" a formality", " a paper exercise", " a tick-box exercise"),
    " the quality of the work": (" the quality of the work", " the quality of practice", " the work"),
    " timely": (" timely", " prompt", " on time"),
    " well informed by": (" well informed by", " informed by", " shaped by"),
    " clearly ": (" clearly ", " plainly ", " explicitly "),
    " carefully ": (" carefully ", " thoughtfully ", " properly "),
    " notably ": (" notably ", " particularly ", " especially "),
    " generic": (" generic", " general", " standardised"),
    " missing altogether": (" missing altogether", " absent", " entirely missing"),
    " not considered": (" not considered", " not taken into account", " overlooked"),
    " appointments": (" appointments", " appointments", " sessions"),
    " face-to-face": (" face-to-face", " in person"),
    " during the first months": (" during the first months", " in the early months", " for the first few months"),
    " at the centre of": (" at the centre of", " at the heart of"),
    " every few months": (" every few months", " roughly every quarter", " at intervals"),
    " the most serious risk": (" the most serious risk", " the greatest risk", " the highest risk"),
    " was evident": (" was evident", " was clear", " could be seen"),
    " strong": (" strong", " good", " effective"),
    " detailed": (" detailed", " thorough", " full"),
    " was not verified": (" was not verified", " was never checked", " went unchecked"),
    " was noted": (" was noted", " was recorded", " was logged"),
    " weekly": (" weekly", " weekly", " once a week"),
    " the risk of harm": (" the risk of harm", " the risk of serious harm", " the risks"),
    " to others": (" to others", " to other people"),
}
SYNONYM_RE = re.compile("|".join(re.escape(k) for k in sorted(SYNONYMS, key=len, reverse=True)))

SLOTS: dict[str, tuple[str, ...]] = {
    "po": ("the PO", "the probation officer", "the practitioner", "the officer", "the case manager",
           "the responsible officer", "the probation practitioner", "the allocated officer", "the PO",
           "the PSO", "the probation officer"),
    "spo": ("the SPO", "the senior probation officer", "the line manager", "the manager", "the SPO",
            "the team's SPO"),
    "oasys": ("OASys", "the OASys assessment", "the assessment", "the OASys", "the risk assessment",
              "the OASys"),
    "rsum": ("the risk summary", "the RoSH summary", "the OASys risk summary",
             "the risk of serious harm summary", "the ROSH analysis", "the summary of risk"),
    "rosh": ("RoSH", "risk of serious harm", "ROSH", "RoSH"),
    "da": ("domestic abuse", "DA", "domestic abuse", "domestic violence"),
    "dacheck": ("domestic abuse call-out check", "DA check", "police call-out check",
                "domestic abuse enquiry", "DA callout check", "check with the domestic abuse unit",
                "police DA check"),
    "police_unit": ("the police", "the police domestic abuse unit", "the public protection unit",
                    "the local police", "the PPU", "the police DA unit", "police"),
    "csc": ("children's services", "children's social care", "social care",
            "the local authority children's services", "CSC", "the children's safeguarding team",
            "children's services"),
    "agency": ("the police", "housing", "the community mental health team", "the drug and alcohol service",
               "children's services", "the local authority", "the approved premises staff",
               "the prison offender manager", "the GP", "adult social care", "the substance misuse service",
               "the housing provider", "the police offender manager", "the hostel", "the IDVA service",
               "the women's centre", "the community drug team", "the integrated offender management team",
               "the local authority housing team", "the liaison and diversion team", "the job centre",
               "the Home Office"),
    "offence": OFFENCES,
    "dur": ("two weeks", "three weeks", "a month", "six weeks", "two months", "three months",
            "four months", "five months", "half a year", "eight months", "nearly a year", "ten weeks"),
    "freq": ("monthly", "fortnightly", "every three weeks", "once a month", "every six weeks",
             "monthly by telephone"),
    "goodfreq": ("weekly", "twice weekly", "weekly", "every week", "at least weekly"),
    "event": ("a new relationship", "an arrest for a further assault", "a move to a new address",
              "a positive drug test", "a police call-out to the home", "a breach of licence",
              "the loss of accommodation", "the birth of a baby", "a disclosure of suicidal thoughts",
              "a new caution for harassment", "a return to heavy drinking", "the end of the relationship",
              "new intelligence from the police", "an eviction notice", "the death of a parent",
              "a move into a partner's home", "a domestic incident reported by a neighbour", "a hospital admission",
              "the loss of {his} job", "a court date for a new offence"),
    "prog": ("Building Better Relationships", "BBR", "the Thinking Skills Programme", "TSP", "Horizon",
             "the Kaizen programme", "an accredited programme", "the BBR programme", "iHorizon"),
    "crs": ("CRS", "commissioned rehabilitative services", "the CRS provider", "CRS services"),
    "relative": ("mother", "father", "sister", "brother", "grandmother", "aunt", "stepfather",
                 "uncle", "adult daughter", "cousin", "stepmother", "grandfather", "adult son", "half-brother",
                 "foster mother", "older sister"),
    "big": ("sixty", "seventy", "fifty-five", "sixty-five", "eighty"),
    "job": ("labourer", "delivery driver", "chef", "warehouse operative", "scaffolder",
            "care worker", "cleaner", "mechanic", "plasterer", "taxi driver", "security guard", "roofer",
            "kitchen porter", "forklift driver", "hairdresser", "barber", "painter and decorator",
            "groundworker", "call centre adviser", "farm labourer", "tyre fitter", "bar worker"),
    "months_n": ("six", "nine", "twelve", "eighteen", "twenty-four", "thirty-six", "fifteen"),
    "n_small": ("two", "three", "four", "several", "five"),
    "offence_place": ("outside a pub", "in a takeaway", "at a party", "in the street", "at a petrol station",
                      "on a bus", "at a family gathering", "in a car park", "outside a nightclub", "at a football match"),
    "n_times": ("once", "twice", "several times", "three times"),
    "minor_reason": ("a noise complaint", "a welfare check", "a dispute with neighbours", "a report of a break-in",
                     "a missing person report", "a parking dispute"),
    "conv_word": ("convictions", "arrests", "offences", "cautions", "charges"),
    "victim_place": ("the victim's home", "the victim's workplace", "the street where the victim lived",
                     "the victim's address", "the school the victim's children attended", "the victim's parents' home"),
    "source": ("the police summary", "the CPS papers", "the victim statement", "the police record",
               "what {his} {relative} said", "the court papers", "the pre-sentence report"),
    "req_list": ("a rehabilitation activity requirement and unpaid work", "a RAR of {n_days} days",
                 "an alcohol treatment requirement", "a curfew and unpaid work", "a mental health treatment requirement",
                 "an accredited programme requirement", "a drug rehabilitation requirement", "{n_days} RAR days and a curfew"),
    "n_days": ("15", "20", "25", "30", "40", "60"),
    "flagged": ("classed", "flagged", "recorded", "marked"),
    "several": ("Several", "Most", "Some", "Two", "Many"),
    "victim_kind": ("strangers", "acquaintances", "shop workers", "neighbours", "people {he} met while drinking",
                    "former partners", "family members"),
    "years_ago": ("some years earlier", "two years before", "during a previous relationship", "before the current order",
                  "several years ago"),
    "traits": ("jealous and possessive", "controlling", "volatile when drinking", "threatening and unpredictable",
               "manipulative", "charming at first and then controlling"),
    "benefit": ("claiming universal credit", "looking for work", "waiting for a benefits decision",
                "doing occasional cash-in-hand work", "relying on family for money"),
    "followup": ("on the same day", "within a day", "the same afternoon", "by phone and letter", "straight away",
                 "with a visit where needed"),
    "warning": ("a return to drinking", "contact with the victim", "missed appointments", "loss of accommodation",
                "renewed contact with old associates", "signs of jealousy in a new relationship"),
    "sw_role": ("social worker", "allocated social worker", "family support worker", "child protection social worker"),
    "course": ("plumbing", "catering", "English", "maths", "forklift", "construction", "hairdressing", "bricklaying"),
    "period": ("six months", "seven months", "eight months", "nine months", "twelve months", "ten months"),
    "others": ("other people", "others", "the public", "potential victims", "those at risk",
               "other people", "the people at risk"),
    "diagnosis": ("ADHD", "depression", "anxiety and depression", "PTSD", "dyslexia", "a personality disorder",
                  "bipolar disorder", "autism"),
    "job_hours": ("full time", "part time", "night shifts", "irregular shifts", "cash-in-hand jobs"),
    "csc_plain": ("children's services", "children's social care", "social services"),
    "nth": ("first", "second", "third"),
    "adv": ("", "", " from the outset", " throughout", " early on", " at the first review",
            " in the first weeks", " without prompting", " in good time", " as expected",
            " within {dur}", " in the first {period}",
            " at the three-way meeting", " during the period inspected"),
    "weekday": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"),
    "substance": ("alcohol", "cocaine", "cannabis", "crack cocaine", "heroin", "spice", "ketamine",
                  "amphetamine", "pregabalin", "benzodiazepines"),
    "mappa": ("MAPPA", "MAPPA level 2", "the MAPPA meeting", "multi-agency public protection arrangements",
              "level 2 MAPPA"),
    "marac": ("MARAC", "the MARAC", "a multi-agency risk assessment conference", "the local MARAC"),
}

BANK: dict[str, dict[str, tuple[str, ...]]] = {
    "risk_identification": {
        "neg": (
            "{rsum} did not reflect the {offence} in {his} history, so the {rosh} level understated the danger {he} posed.",
            "{oasys} recorded the index offence but gave no analysis of why {he} had become violent or who was most at risk.",
            "Previous convictions for {offence} were listed but not analysed, and the pattern of escalation was missed.",
            "There was little analysis of {his} use of {substance} as a trigger for violence, even though it featured in most of {his} offences.",
            "The assessment leaned heavily on the index offence and said nothing about the earlier incidents recorded on nDelius.",
            "Key risk factors, including {his} attitudes towards women and access to weapons, were not identified.",
            "{oasys} was completed {dur} late, and when it arrived the analysis of risk to others was thin.",
            "It was not clear from {rsum} who {he} posed a risk to, or in what circumstances.",
            "The analysis of {rosh} had been copied from a previous assessment and did not account for the current offence.",
            "Important information in the pre-sentence report about {offence2} was not carried into the risk analysis.",
            "The risk assessment was superficial; it described what had happened without asking why.",
            "RSR and OVP scores had been calculated, but the narrative did not explain the risk they pointed to.",
            "Inspectors judged that the {rosh} level should have been higher, given the seriousness of the {offence}.",
            "{oasys} underestimated the risk to staff, despite a history of threatening behaviour towards professionals.",
            "Domestic abuse was named as a risk factor, but the analysis did not explore how it had escalated over time.",
            "The assessment did not pull together the warning signs that were already on file.",
            "Risk was treated as historic, even though the most recent incident was only {dur} old.",
            "The analysis focused on {his} needs rather than on the harm {he} could cause to others.",
        ),
        "met": (
            "{oasys} was completed on time and identified the main risks to others.",
            "{rsum} set out the nature of the risk, who was at risk and when it was likely to be greatest.",
            "The {rosh} level of {caserosh} was appropriate and supported by the evidence.",
            "The assessment drew on {his} previous convictions and the pre-sentence report to describe the risk.",
            "Risk factors linked to {substance} and conflict in relationships were identified.",
            "The analysis considered {his} pattern of offending and the circumstances in which violence had occurred.",
            "The risk assessment was proportionate to the offence and recognised the risk to {his} {partner}.",
            "Domestic abuse was identified as the main concern and the assessment explained how it linked to {his} drinking.",
        ),
        "pos": (
            "{rsum} was detailed and well evidenced, setting out clearly how {his} risk had escalated over time.",
            "This was a thorough analysis of risk of harm which made good use of previous convictions.",
            "{po} produced an excellent risk analysis that linked {his} offending to {his} jealousy in relationships.",
            "{oasys} was of a high standard, with a sharp focus on the circumstances in which {he} was most dangerous.",
            "The quality of the risk assessment stood out, explaining the {rosh} level with real clarity.",
            "The analysis of {his} offending behaviour was insightful and clearly informed the {rosh} classification.",
            "An impressive risk summary drew together {his} history, the index offence and the views of other agencies.",
        ),
        "cav": (
            "The risk summary could have said more about {his} use of {substance}, but the key risks were identified.",
            "Some older convictions were not analysed, though this did not change the overall {rosh} level.",
        ),
    },
    "domestic_abuse_checks": {
        "neg": (
            "No {dacheck} was requested from {police_unit}, even though {he} had a history of {da} against previous partners.",
            "{da} call-out information was not requested at the start of the {order}.",
            "A request to {police_unit} for {da} information was made, but the response was never chased and was not on file.",
            "The {dacheck} came back {dur} after the assessment and was not used to update it.",
            "There was no evidence that {police_unit} had been asked about call-outs to the address.",
            "Despite {his} new relationship, no check was made with the police about domestic incidents.",
            "The {dacheck} was requested late, so the initial assessment was completed without it.",
            "{po} had not sought police information about {da}, which was a significant gap given the nature of the index offence.",
            "Police call-out history was not obtained, and the assessment missed {n_small} recent incidents at the home.",
            "Although the {dacheck} had been returned with several call-outs, none of them were referred to in {oasys}.",
            "It was unclear whether {da} checks had ever been carried out, as nothing was recorded on nDelius.",
            "The DA check was requested for the wrong address and was not repeated when {he} moved.",
            "There were no {da} checks at all, despite the victim of the index offence being a former partner.",
            "No updated police call-out check was made when {he} disclosed that {he} was seeing someone new.",
            "The response from {police_unit} listed call-outs involving {his} {partner}, but nobody read it.",
            "Checks on {his} {da} history were left outstanding for the whole of the period inspected.",
        ),
        "met": (
            "A {dacheck} was requested from {police_unit} at the start of the {order} and the result was recorded.",
            "{da} call-out information was obtained from {police_unit} before {oasys} was completed.",
            "The police confirmed there were no call-outs to the address, and this was noted in {oasys}.",
            "DA checks had been completed and showed no recent incidents.",
            "Police information on {da} was requested promptly and came back within {dur}.",
            "The {dacheck} showed one historic call-out, which was recorded in the assessment.",
        ),
        "pos": (
            "{po} persisted in chasing {police_unit} for call-out information, which revealed incidents {he} had not disclosed.",
            "The results of the {da} checks were used well, with each call-out analysed in {rsum}.",
            "Commendably, a further call-out check was requested as soon as {he} started a new relationship.",
            "The domestic abuse checks were thorough and their results clearly shaped the plan.",
            "Good use was made of the police {da} information, which was set against {his} account of the relationship.",
        ),
        "cav": (
            "The {dacheck} was requested later than it should have been, although the result was used once it came back.",
            "The only gap was that police {da} information had not been refreshed after {he} moved address.",
            "Call-out information was not sought at the very start, but this was put right before the first review.",
            "While the DA check was late, it did not change the overall picture of risk.",
        ),
    },
    "child_safeguarding": {
        "neg": (
            "There were children in the household, yet no enquiry was made with {csc}.",
            "No safeguarding check was requested, although {he} had regular contact with {child}.",
            "{po} did not establish whether the children were known to {csc}.",
            "An enquiry with {csc} should have been made when {he} moved in with a partner who had {child}.",
            "Safeguarding information was requested but not followed up when it failed to arrive.",
            "The assessment did not consider the risk to {child} living at the address.",
            "{csc} had an open child protection plan for the family, but probation did not know about it for {dur}.",
            "Nothing was done to find out whether the children {he} saw at weekends were safe.",
            "The safeguarding enquiry was only sent {dur} into the {order}, by which time {he} was living with the children.",
            "No contact was made with the allocated social worker, even though the children were subject to a child in need plan.",
            "The question of {his} contact with children was left unexplored in the assessment.",
            "Given the nature of the offence, a check with {csc} was essential, but none was made.",
            "The response from social care raised concerns about neglect, yet this was not reflected in the assessment.",
            "Safeguarding checks had not been completed, so it was not known whether {csc} were involved with the family.",
            "{he} was expecting a baby with {his} {partner}, and no referral to {csc} was considered.",
        ),
        "met": (
            "A safeguarding enquiry was sent to {csc} and the response recorded.",
            "{csc} confirmed the children were not known to them.",
            "Checks with {csc} were completed before {oasys} was countersigned.",
            "The family had an allocated social worker and probation was aware of the child protection plan.",
            "Safeguarding checks were completed at court and updated at {start}.",
        ),
        "pos": (
            "The safeguarding enquiry was thorough and its findings were analysed well.",
            "It was positive to see the child protection concerns set out clearly in the assessment.",
            "{po} quickly recognised that {child} could be at risk and made a referral to {csc}, which was good practice.",
            "Safeguarding information from {csc} was used well to judge the risk to the children.",
        ),
        "cav": (
            "The safeguarding check was sent later than it should have been, though it found nothing of concern.",
            "{csc} were not contacted at the outset, but this had been put right by the time of the review.",
            "An enquiry with {csc} was still outstanding, but the children's safety had otherwise been considered.",
        ),
    },
    "professional_curiosity": {
        "neg": (
            "{po} accepted {his} explanations without question, even when they contradicted the police summary.",
            "There was a lack of professional curiosity about who {he} was living with.",
            "{po} did not explore why {he} kept missing appointments on the same day each week.",
            "When {he} mentioned a new {partner}, this was not explored further.",
            "Inconsistencies in {his} account of the offence were not challenged.",
            "More curiosity was needed about {his} finances, given signs that {he} might be dealing drugs.",
            "{po} did not probe {his} remarks about feeling angry with {his} ex-partner.",
            "Signs of possible {substance} use were noted but not questioned.",
            "There was little critical evaluation of what {his} family said about {him}.",
            "{po} did not ask the obvious questions about {his} use of social media, despite the nature of the offence.",
            "{po} seemed to take what {he} said at face value and did not test it.",
            "The officer could have been far more inquisitive about the injuries {his} {partner} was seen with.",
            "Nobody asked why {he} needed a second mobile phone.",
            "Professional curiosity was lacking when {he} turned up to appointments with a child in the car.",
        ),
        "met": (
            "{po} challenged {his} minimisation of the offence in supervision sessions.",
            "Questions were asked about who else was living at the address.",
            "{po} followed up inconsistencies between {his} account and {source}{adv}.",
            "{po} asked about {his} new relationship and recorded the answers.",
        ),
        "pos": (
            "{po} showed good professional curiosity, asking about {his} new relationship and checking what {he} said.",
            "The practitioner was curious about the changes in {his} presentation and asked the right questions.",
            "{po} noticed that {his} account of the evening kept changing and explored this tactfully.",
            "Appropriate challenge and curiosity were evident throughout the recorded sessions.",
            "It was good to see {po} question {his} claim that {he} no longer drank.",
        ),
    },
    "self_disclosure": {
        "neg": (
            "The assessment relied entirely on {his} own account of the offence.",
            "{his} claim that the relationship had ended was recorded as fact and never verified.",
            "Information about {his} living arrangements came only from {him} and was not checked with {agency}.",
            "{po} took {him} at {his} word that there were no children in the household.",
            "Self-reported abstinence from {substance} was accepted without any testing or corroboration.",
            "The only source of information about {his} relationships was what {he} chose to disclose.",
            "Nothing {he} said about {his} employment was triangulated with other sources.",
            "{his} account that {he} had no contact with the victim was not verified.",
            "The assessment recorded what {he} said about {his} mental health without seeking confirmation from the GP.",
            "Uncorroborated self-report formed the basis of {rsum}.",
            "{po} relied on what {he} reported rather than obtaining the court papers and police summary.",
            "{his} version of events was the only one considered.",
            "Much of the assessment was a record of what {he} had said, with no other sources.",
        ),
        "met": (
            "{po} did not rely on {his} account alone and checked it against police records.",
            "What {he} said about the relationship was verified with the police and {csc}.",
            "{his} disclosures were checked against {source}{adv}.",
        ),
        "pos": (
            "{po} triangulated {his} disclosures with other agencies, which was good practice.",
            "{his} self-report was tested carefully against {source}, and the gaps were recorded well.",
        ),
    },
    "victim_focus": {
        "neg": (
            "The assessment did not consider the safety of {his} {partner}, who remained a potential victim.",
            "There was no analysis of the risk to the victim of the index offence.",
            "Potential victims, including any future partners, were not identified.",
            "The restraining order was noted, but there was no plan to check that it was being kept to.",
            "No thought was given to the risk {he} posed to staff at the hostel.",
            "The victim lived close to {his} new address, but this was not picked up.",
            "Victim safety did not feature in the planning.",
            "There was no exclusion zone, despite the victim asking for one.",
            "The focus of the work was on {him} rather than on those at risk from {him}.",
            "{his} ex-partner had reported threats twice, yet she was not considered a potential victim.",
            "The needs of the victim were not considered when the reporting arrangements were set.",
            "Risks to {child} as potential victims were not addressed.",
            "Neighbours who had been threatened during the offence were not recognised as being at risk.",
        ),
        "met": (
            "The victim of the index offence was identified, and the exclusion zone was monitored.",
            "Risks to {his} ex-partner and her children were clearly analysed.",
            "Potential victims, including any new partner, were identified.",
            "The restraining order was recorded and {he} was reminded of its terms.",
        ),
        "pos": (
            "Victim safety was kept at the centre of the plan, which was positive.",
            "{po} made good use of the exclusion zone and checked with the police that it was being kept to.",
            "The needs of the victim were considered carefully when deciding where {he} would live.",
            "The plan was notably strong on protecting {his} former partner.",
        ),
    },
    "contingency_planning": {
        "neg": (
            "The contingency plan was generic and did not identify any warning signs specific to {him}.",
            "There was no contingency planning for what would happen if {he} started using {substance} again.",
            "The contingency section simply stated that enforcement would be considered if risk increased.",
            "Contingency arrangements did not say what {po} should do if {he} resumed contact with {his} {partner}.",
            "Trigger points were not identified, so it was unclear when action should be taken.",
            "The plan lacked effective contingency measures for someone assessed as {caserosh} {rosh}.",
            "No escalation steps were recorded should {his} accommodation break down.",
            "The contingencies referred to circumstances that no longer applied.",
            "There was no plan for what to do if {he} failed to attend.",
            "Early warning signs, such as losing work or a return to drug use, were not set out.",
            "Contingency arrangements were missing altogether.",
            "The contingencies that were recorded were vague, saying only that {he} would be monitored.",
            "It was unclear who would act, and how quickly, if the risk to {his} {partner} increased.",
            "The plan did not anticipate how risk might rise around the end of the relationship.",
            "What would happen if {he} breached the non-contact condition was never written down.",
        ),
        "met": (
            "Contingency arrangements were set out, including what would prompt a home visit or enforcement.",
            "The plan identified early warning signs and the actions that would follow.",
            "Triggers such as a return to drinking were listed with clear steps for {po}.",
            "The contingency plan named the agencies to be contacted if risk rose.",
        ),
        "pos": (
            "The contingency planning was a strength, with specific triggers and a clear response to each.",
            "Contingencies were detailed and tailored to {him}, which was commendable.",
            "There were strong contingency measures, including agreed escalation routes with {police_unit}.",
            "An excellent contingency plan set out what would happen if {he} resumed contact with the victim.",
        ),
        "cav": (
            "The contingency arrangements could have been more specific, but the main triggers were covered.",
            "Contingencies were brief, though they did identify the most important warning sign.",
            "Although the contingency plan was generic in places, the rest of the plan was strong.",
            "One trigger was missing from the contingency plan, but it was otherwise workable.",
        ),
    },
    "risk_management_plan": {
        "neg": (
            "The risk management plan did not address {his} {substance} use, which was the most critical risk factor.",
            "The sentence plan focused on employment and accommodation and said little about risk of harm.",
            "The plan listed licence conditions without explaining how they would be monitored.",
            "Restrictive measures were not considered, despite the victim living nearby.",
            "There were no objectives relating to {his} use of violence.",
            "The plan did not link to the child protection plan held by {csc}.",
            "The sentence plan was generic and could have applied to anyone.",
            "Planning was not completed until {dur} after the start of the {order}.",
            "The RMP did not reflect the actions agreed at {mappa}.",
            "No curfew or exclusion zone was sought despite the pattern of offending in the victim's area.",
            "The plan lacked any restrictive element to manage {his} contact with children.",
            "Objectives in the plan were about compliance rather than reducing risk to others.",
            "The plan did not prioritise the most serious risk, which was to {his} {partner}.",
        ),
        "met": (
            "The sentence plan addressed the main risks to others.",
            "The risk management plan set out both constructive and restrictive measures.",
            "Licence conditions, including a curfew and a non-contact condition, were reflected in the plan.",
            "The plan linked appropriately to the MAPPA plan.",
            "The RMP was completed within timescales and covered the main concerns.",
        ),
        "pos": (
            "The risk management plan was thorough, combining restrictive conditions with work on {his} thinking.",
            "Planning was a strength: it prioritised the risk to {his} {partner} and set out clear actions.",
            "An excellent plan was produced, with objectives that {he} had clearly helped to shape.",
            "The RMP was robust and well sequenced, addressing the most serious risk first.",
        ),
    },
    "interventions": {
        "neg": (
            "{pop} was suitable for {prog}, but no referral was made.",
            "The referral to {prog} was made {dur} late, and {he} was still on the waiting list.",
            "No structured work had been delivered to address {his} use of violence.",
            "{crs} had not been used, although a referral for emotional management would have helped.",
            "One-to-one work was planned but never started.",
            "The plan said {he} would complete toolkit sessions on healthy relationships, but none had taken place.",
            "Interventions were not available locally for people convicted of {offence}.",
            "There was no intervention to address {his} attitudes to women.",
            "Sessions focused on practical problems rather than the behaviour that led to the offence.",
            "{prog} had been proposed at court, but the referral was not progressed.",
            "{pop} was removed from {prog} after missed sessions and no alternative was offered.",
            "The waiting list for accredited programmes meant {he} had done no offence-focused work at all.",
        ),
        "met": (
            "{pop} had been referred to {prog} and was due to start the next group.",
            "A referral to {crs} was made for support with emotional management.",
            "{po} delivered structured sessions on consequential thinking.",
            "{pop} had completed {prog} and the reports were on file.",
        ),
        "pos": (
            "{po} delivered creative one-to-one work on relationships while {he} waited for {prog}, which was good practice.",
            "Structured interventions were well chosen and sequenced, with {prog} starting promptly.",
            "The use of toolkits in supervision was impressive and clearly focused on risk of harm.",
        ),
    },
    "contact_level": {
        "neg": (
            "Reporting was reduced to {freq} within {dur}, which was too little given the level of risk.",
            "Contact was mainly by telephone, and {he} was not seen in person for {dur}.",
            "Missed appointments were not followed up and no enforcement action was taken.",
            "The level of contact was not sufficient to manage the risk of harm.",
            "{pop} was seen only {freq}, despite being assessed as {caserosh} {rosh}.",
            "There were long gaps in contact, including a period of {dur} with no recorded appointments.",
            "When {he} failed to report, {po} waited {dur} before trying to make contact.",
            "Appointments were short and did not focus on risk.",
            "Contact was reduced without any recorded rationale.",
            "The frequency of reporting did not change after the police call-out, which was a missed opportunity.",
            "Face-to-face contact stopped for several weeks after {he} moved out of the area.",
            "Absences were accepted without evidence, so {he} was rarely seen.",
            "Too few appointments took place to keep track of {his} relationship and whereabouts.",
            "Reporting was set at {freq} from {start}, which was not enough for someone so recently sentenced.",
            "Supervision sessions were brief check-ins rather than purposeful contact.",
        ),
        "met": (
            "{pop} reported {goodfreq} and attendance was good.",
            "Contact was face-to-face and {goodfreq} during the first months.",
            "The level of contact was increased after {event}.",
            "Missed appointments were followed up {followup}.",
            "Reporting stayed {goodfreq} while the risk was at its highest.",
        ),
        "pos": (
            "{po} increased contact promptly when concerns arose, which was good practice.",
            "Contact was well judged, with appointments focused on the risks to others.",
            "The frequency and quality of contact were consistently good, and {he} was seen in person throughout.",
            "Purposeful {goodfreq} sessions meant that changes in {his} behaviour were noticed quickly.",
        ),
        "cav": (
            "There was a short gap in contact during {his} move, but it was quickly restored.",
            "Reporting dropped to {freq} earlier than inspectors would expect, though this did not appear to raise the risk.",
            "One missed appointment was not chased, but otherwise contact was sufficient.",
            "Contact was occasionally by telephone when a face-to-face appointment would have been better.",
        ),
    },
    "home_visits": {
        "neg": (
            "No home visit was carried out, although {he} was living with {his} {partner} and {child}.",
            "A home visit would have helped to establish who else lived at the address, but none took place.",
            "Home visits were planned but repeatedly cancelled.",
            "There had been no visit to the address since {he} moved.",
            "Given the domestic abuse concerns, a visit to the home should have been arranged.",
            "The plan to carry out a joint visit with the police was never acted on.",
            "Doorstep visits were not used to check compliance with the curfew.",
            "No visit took place, even after the police were called to the property.",
            "Inspectors could find no record of a home visit in the {dur} before the inspection.",
            "The address had never been verified by a visit.",
            "{po} relied on office appointments and never saw the home.",
            "An unannounced visit would have been appropriate once {he} disclosed the new relationship.",
        ),
        "met": (
            "A home visit was completed soon after {start}.",
            "Home visits took place every few months.",
            "A joint home visit with the police was carried out.",
            "The address was visited and found to be suitable.",
        ),
        "pos": (
            "An unannounced home visit was well timed and showed that {his} account was not accurate.",
            "Regular home visits gave {po} a clear picture of the household, which was good practice.",
            "Good use was made of home visits to see how {he} and {his} {partner} got on.",
        ),
    },
    "multi_agency": {
        "neg": (
            "Information was not shared with {agency} when {his} circumstances changed.",
            "{agency} were working with {him}, but there was no evidence of liaison.",
            "The case should have been referred to {marac} after the latest incident, but it was not.",
            "There was no communication with the police about the ongoing investigation.",
            "MAPPA arrangements were not considered, although {he} met the criteria for category 2.",
            "The approved premises were not told about the concerns raised by {csc}.",
            "Joint working with the mental health team amounted to a single email.",
            "{po} did not attend the child protection conference and sent no report.",
            "Different agencies held different parts of the picture, and probation did not bring them together.",
            "There was no contact with the substance misuse service despite a drug rehabilitation requirement.",
            "Information from {agency} about {his} behaviour was not followed up.",
            "Coordination with {agency} broke down and was never re-established.",
            "Police intelligence about {his} associates was received but not shared with the housing provider.",
            "Probation was not represented at the strategy meeting, so its information was not considered.",
            "The involvement of other agencies was not coordinated, and each worked in isolation.",
        ),
        "met": (
            "{po} liaised regularly with {agency}.",
            "Information was shared with the police and {csc}.",
            "The case was discussed at {mappa} meetings.",
            "There was regular contact with the {sw_role}.",
            "Updates from {agency} were recorded on nDelius.",
        ),
        "pos": (
            "There was excellent joint working with {agency}, with information shared quickly in both directions.",
            "Liaison with the police offender manager was strong and well recorded.",
            "Good use was made of {mappa} to agree actions between agencies.",
            "{po} arranged a professionals meeting that brought {agency} and the police together, which was good practice.",
        ),
        "cav": (
            "Liaison with {agency} could have been more regular, though key information was shared.",
            "Communication with the police was slow at times, but this had no clear impact on risk.",
            "Probation did not attend one professionals meeting, but the minutes were obtained and read.",
        ),
    },
    "key_individuals": {
        "neg": (
            "{his} {relative}, with whom {he} lived, was never spoken to.",
            "{po} did not contact {his} {partner} to understand the relationship.",
            "Family members who could have offered insight into {his} behaviour were not engaged.",
            "The views of {his} {relative} were not sought, although they were {his} main support.",
            "No attempt was made to involve {his} family in the plan.",
            "The role of {his} {relative} as a protective factor was assumed rather than tested.",
            "{po} did not speak to {his} {partner} about how {he} was at home.",
            "Significant others were not considered at all.",
            "Nobody in {his} support network had been contacted.",
            "The influence of {his} brother, who was also known to the police, was not considered.",
            "{his} {partner} was named as a support but was never spoken to.",
            "There was no contact with {his} parents even though they provided {his} accommodation.",
        ),
        "met": (
            "{po} spoke to {his} {relative} about how {he} was managing.",
            "{his} {partner} took part in a three-way meeting.",
            "The views of {his} family were recorded.",
        ),
        "pos": (
            "{po} involved {his} {relative} well, which gave a fuller picture of {his} behaviour at home.",
            "Engaging {his} family in supervision was a strength of this case.",
            "{po} built a good working relationship with {his} {relative}, who became a useful source of information.",
        ),
    },
    "formal_review": {
        "neg": (
            "After {event}, there was no review of the risk assessment.",
            "The plan was not reviewed when {he} moved to a new address.",
            "A review was due after {event} but was not completed until {dur} later.",
            "The review did not take account of information from the police.",
            "The assessment had not been updated for over a year.",
            "There was no formal review following the recall.",
            "{event} should have prompted a review, but the assessment still described {him} as settled.",
            "The review was a cut-and-paste of the original assessment.",
            "The review failed to record the new relationship or the risk it posed.",
            "Reviewing was not informed by the other agencies involved.",
            "Changes in {his} circumstances were noted on nDelius but never reflected in a review of {oasys}.",
            "No reassessment of {rosh} took place despite the escalation in {his} behaviour.",
            "A review was started but left incomplete for {dur}.",
            "{pop} was not involved in reviewing {his} own plan.",
        ),
        "met": (
            "The assessment was reviewed promptly after {event}.",
            "A review was completed at the expected point and took account of the police information.",
            "The plan was updated after {event}.",
            "{pop} contributed to the review and {his} views were recorded.",
        ),
        "pos": (
            "The review was thorough and explained clearly how {event} had changed the risk.",
            "Reviewing was timely and well informed by other agencies, which was good practice.",
            "Regular reviews kept the plan relevant throughout, which was a strength.",
            "The review after {event} was a model of its kind, with a revised plan agreed within days.",
        ),
        "cav": (
            "The review after {event} was a little late, but it was thorough when completed.",
            "One change of address was not followed by a review, although it made little difference to the risk.",
        ),
    },
    "termination_review": {
        "neg": (
            "The {order} ended without a termination review.",
            "The termination review was brief and did not record the risk {he} still posed to {his} {partner}.",
            "No end-of-sentence review was completed, leaving nothing for any future practitioner.",
            "The termination assessment simply repeated the earlier risk summary.",
            "The case was closed with no final review of risk.",
            "The termination review was completed {dur} after the {order} had ended.",
            "The final review did not mention the unresolved safeguarding concerns.",
            "There was no record of the risk {he} presented at the point of closure.",
        ),
        "met": (
            "A termination review was completed and recorded the remaining risks.",
            "The final review set out the risk {he} still posed to {his} {partner}.",
        ),
        "pos": (
            "The termination review was thorough and will be useful if {he} returns to probation.",
            "An excellent closing summary recorded the risks that remained at the end of the {order}.",
        ),
    },
    "management_oversight": {
        "neg": (
            "{spo} countersigned {oasys} without noting the missing checks.",
            "There was no evidence of management oversight in this case.",
            "Management oversight was not effective, as the gaps in the plan were not picked up.",
            "The case was not discussed in supervision despite the concerns raised.",
            "{spo} had looked at the case but gave no direction about the outstanding work.",
            "Oversight by {spo} was recorded as a tick box with no comment.",
            "An audit of the case had identified the gaps, but they were never followed up.",
            "Reflective supervision was not evident, even though the case was complex.",
            "{spo} was not made aware of the escalating concerns.",
            "The lack of oversight meant that drift went unchecked for {dur}.",
            "Countersigning was a formality and did not add anything to the quality of the work.",
            "No manager reviewed the decision to close the safeguarding concerns.",
        ),
        "met": (
            "{spo} reviewed the case and recorded their decisions.",
            "The case was discussed in supervision with {spo}.",
            "{spo} countersigned the assessment and asked for the plan to be updated.",
        ),
        "pos": (
            "Management oversight was effective: {spo} spotted the missing checks and made sure they were done.",
            "{spo} provided reflective supervision that helped {po} think through the risks.",
            "Oversight was well recorded and made a real difference to the quality of the work.",
            "A supportive senior probation officer was closely involved, which was positive.",
        ),
    },
    "workload": {
        "neg": (
            "{po} had a caseload of over {big} and said there had been no time to chase the checks.",
            "Staff shortages meant the case was held by a duty officer for {dur}.",
            "The practitioner explained that high workloads had led to the delays.",
            "Vacancies in the team had left a backlog of assessments.",
            "Sickness absence in the team meant nobody was monitoring the case.",
            "{po} was newly qualified and carried a heavy caseload with limited support.",
            "Pressure on the team was evident, with several cases unallocated at the time.",
            "Agency staff had covered the case, and workload pressures meant little was done.",
            "The officer told inspectors they were struggling to keep on top of their cases.",
            "Time pressure meant that the assessment was completed in a rush.",
            "Capacity in the team had been stretched since three officers left.",
            "The team was short-staffed throughout the period inspected.",
        ),
        "met": (
            "{po} had a manageable caseload and had been able to give the case the time it needed.",
        ),
        "pos": (
            "Despite a high caseload, {po} kept on top of the work in this case, which was commendable.",
        ),
    },
}

# Implicit phrasings: the code's meaning without its usual keywords (added to the neg/met banks).
IMPLICIT: dict[str, dict[str, tuple[str, ...]]] = {
    "contingency_planning": {
        "neg": (
            "Nothing was written down about what to do if things started to go wrong.",
            "There was no sense of what would signal that {he} was becoming dangerous again, or what would follow.",
            "If {he} had started drinking heavily again, nobody would have known what steps to take.",
            "The plan assumed everything would go smoothly and prepared for nothing else.",
            "What {po} would do if the victim reported fresh threats was left unsaid.",
            "The plan described the good scenario only; a relapse or a new relationship was not prepared for.",
            "Had {he} lost {his} accommodation, there was no agreed next step.",
            "The plan gave no steer on when to involve the police or bring {him} back to court.",
        ),
        "met": (
            "The plan said plainly what {po} would do if {he} began using {substance} again.",
            "Warning signs such as {warning} were spelled out, each with an agreed response.",
        ),
    },
    "management_oversight": {
        "neg": (
            "Nobody more senior looked at the case in the {dur} before the inspection.",
            "The decision to close the case early was never signed off.",
            "Inspectors saw no sign that anyone had checked the quality of the work.",
            "{po} had asked for advice about the case but received none.",
            "Gaps that a second pair of eyes would have spotted went unchallenged.",
            "The assessment was signed off on the day it was submitted, with the gaps still in it.",
            "Decisions about the level of contact were made by {po} alone and never checked.",
        ),
        "pos": (
            "{po} had regular, recorded discussions about the case with {spo}, which sharpened the focus on risk.",
        ),
    },
    "home_visits": {
        "neg": (
            "Nobody from probation had been to the house.",
            "{po} never saw where {he} was living, so the claim that {he} lived alone was untested.",
            "Going to the property would have shown whether {his} {partner} had moved back in.",
            "The officer had not set foot in the flat, despite the concerns about who was staying there.",
        ),
        "met": (
            "{po} went to the address{adv} and met the other people living there.",
        ),
    },
    "formal_review": {
        "neg": (
            "Six months on, the assessment still described {him} as settled and in work.",
            "Nothing was updated after the arrest, so the record no longer matched reality.",
            "The risk level stayed the same on paper even as the concerns mounted.",
            "The assessment and plan were left untouched after {event}.",
            "Nobody went back to the assessment when {his} circumstances changed.",
        ),
        "met": (
            "The assessment was brought up to date within days of {event}.",
        ),
    },
    "workload": {
        "neg": (
            "{po} was holding far more cases than the team's agreed limit.",
            "The team was running at about half its usual strength.",
            "{po} said there simply were not enough hours in the week.",
            "Several colleagues had left, and the remaining officers absorbed their cases.",
        ),
    },
    "self_disclosure": {
        "neg": (
            "What {he} said was written down as fact.",
            "No one checked whether {his} story about the breakdown of the relationship was true.",
            "Everything known about {his} home life came from {him}.",
            "{his} word was the only evidence for the claim that {he} had stopped drinking.",
        ),
    },
    "key_individuals": {
        "neg": (
            "The people closest to {him} were never asked what they had seen.",
            "The household was treated as if only {he} lived there.",
            "{his} {relative} could have given a different picture, but was never approached.",
        ),
    },
    "professional_curiosity": {
        "neg": (
            "{po} did not wonder why {he} always came to appointments with the same friend.",
            "Obvious questions about where {his} money came from went unasked.",
            "The sudden change in {his} mood was noted and left there.",
            "Red flags in the contact log were recorded without comment.",
        ),
    },
    "contact_level": {
        "neg": (
            "{pop} went {dur} without being seen.",
            "Weeks passed between appointments, far too long given the concerns.",
            "The gap between sessions grew steadily with no reason given.",
            "{pop} was rarely seen, and when {he} was, the sessions were brief.",
        ),
    },
    "victim_focus": {
        "neg": (
            "The woman {he} had assaulted was barely mentioned after the first week.",
            "Who might be hurt next was never considered.",
            "{his} former partner's safety did not appear anywhere in the work.",
        ),
    },
    "interventions": {
        "neg": (
            "{pop} had done no work at all on the behaviour that led to the offence.",
            "Sessions drifted into practical matters and never touched the violence.",
            "The group {he} needed had a waiting list of {dur}, and nothing was offered in the meantime.",
            "Work on {his} attitudes and thinking had not begun by the time of the inspection.",
            "The court had asked for work on {his} temper, and none had been delivered.",
        ),
    },
    "risk_management_plan": {
        "neg": (
            "The objectives were about getting {him} into work and said nothing about keeping others safe.",
            "The plan did not say how {his} contact with the victim would be prevented.",
            "Measures to restrict {him} were not considered, although the risk called for them.",
        ),
    },
    "risk_identification": {
        "neg": (
            "The danger {he} posed to a new partner was not recognised.",
            "The escalation from threats to violence over {dur} was not spotted.",
            "Why {he} offended, and when {he} was most likely to do so again, was not explained.",
            "The level of risk was set too low for someone with {his} record.",
        ),
    },
    "domestic_abuse_checks": {
        "neg": (
            "Nobody asked the police whether they had been called to the home.",
            "Whether officers had attended incidents between the couple was never established.",
            "The police were not contacted about {his} history with previous partners.",
        ),
    },
    "child_safeguarding": {
        "neg": (
            "Whether the children were already known to social workers was never established.",
            "Nobody asked the local authority whether there were concerns about the children.",
            "The local authority were not contacted, even though {he} was living with a young family.",
        ),
    },
    "multi_agency": {
        "neg": (
            "Each agency was working on its own, and nobody joined up what they knew.",
            "What the hostel staff knew never reached {po}.",
            "The mental health team and probation never spoke.",
            "Concerns raised by the housing officer went nowhere.",
        ),
    },
    "termination_review": {
        "neg": (
            "When the {order} ended, nothing was written about the risk {he} still posed.",
            "The file was closed without a word about what risk remained.",
        ),
    },
}
for _code, _tones in IMPLICIT.items():
    for _tone, _extra in _tones.items():
        BANK[_code][_tone] = BANK[_code][_tone] + _extra

# Two-code sentences. "neg" lists the codes whose part records a shortfall.
DUALS: tuple[dict, ...] = (
    {"tone": "neg", "codes": ("domestic_abuse_checks", "child_safeguarding"), "neg": ("domestic_abuse_checks", "child_safeguarding"),
     "parts": (("No {dacheck} was requested", ("domestic_abuse_checks",)), (", and ", None),
               ("no enquiry was made with {csc} about the children.", ("child_safeguarding",)))},
    {"tone": "neg", "codes": ("domestic_abuse_checks", "child_safeguarding"), "neg": ("domestic_abuse_checks", "child_safeguarding"),
     "parts": (("Neither police call-out information nor safeguarding checks had been sought before the assessment was completed.",
                ("domestic_abuse_checks", "child_safeguarding")),)},
    {"tone": "neg", "codes": ("domestic_abuse_checks", "child_safeguarding"), "neg": ("domestic_abuse_checks", "child_safeguarding"),
     "parts": (("Both the {da} and the safeguarding enquiries were still outstanding {dur} after {start}.",
                ("domestic_abuse_checks", "child_safeguarding")),)},
    {"tone": "neg", "codes": ("risk_identification", "self_disclosure"), "neg": ("risk_identification", "self_disclosure"),
     "parts": (("{rsum} was thin", ("risk_identification",)), (" because ", None),
               ("it rested almost entirely on what {he} had told {po}.", ("self_disclosure",)))},
    {"tone": "neg", "codes": ("risk_identification", "self_disclosure"), "neg": ("self_disclosure",),
     "parts": (("{oasys} was completed on time", ("risk_identification",)), (", but ", None),
               ("it relied on {his} own account of the offence.", ("self_disclosure",)))},
    {"tone": "neg", "codes": ("contingency_planning", "risk_management_plan"), "neg": ("contingency_planning", "risk_management_plan"),
     "parts": (("The plan did not address the most critical risks", ("risk_management_plan",)), (", and ", None),
               ("the contingency section was blank.", ("contingency_planning",)))},
    {"tone": "neg", "codes": ("contingency_planning", "risk_management_plan"), "neg": ("contingency_planning",),
     "parts": (("The risk management plan was reasonable", ("risk_management_plan",)), (", but ", None),
               ("it had no contingencies for a return to {substance} use.", ("contingency_planning",)))},
    {"tone": "neg", "codes": ("contact_level", "home_visits"), "neg": ("contact_level", "home_visits"),
     "parts": (("Contact was infrequent and mostly by phone", ("contact_level",)), (", and ", None),
               ("no home visit was ever made.", ("home_visits",)))},
    {"tone": "neg", "codes": ("contact_level", "home_visits"), "neg": ("contact_level", "home_visits"),
     "parts": (("With reporting only {freq} and no visits to the home, {po} had little idea how {he} was living.",
                ("contact_level", "home_visits")),)},
    {"tone": "neg", "codes": ("multi_agency", "formal_review"), "neg": ("multi_agency", "formal_review"),
     "parts": (("Information from {agency} about {event} was not passed on", ("multi_agency",)), (", so ", None),
               ("no review took place.", ("formal_review",)))},
    {"tone": "neg", "codes": ("management_oversight", "workload"), "neg": ("management_oversight", "workload"),
     "parts": (("{spo} was covering two teams and had not been able to oversee the case.",
                ("management_oversight", "workload")),)},
    {"tone": "neg", "codes": ("management_oversight", "workload"), "neg": ("management_oversight", "workload"),
     "parts": (("Vacancies in the team were high", ("workload",)), (", and ", None),
               ("oversight by {spo} was limited to countersigning.", ("management_oversight",)))},
    {"tone": "neg", "codes": ("professional_curiosity", "key_individuals"), "neg": ("professional_curiosity", "key_individuals"),
     "parts": (("{po} did not ask about {his} {relative}'s role in {his} life or speak to them.",
                ("professional_curiosity", "key_individuals")),)},
    {"tone": "neg", "codes": ("interventions", "risk_management_plan"), "neg": ("interventions", "risk_management_plan"),
     "parts": (("The plan named {prog} as the main intervention", ("risk_management_plan",)), (", yet ", None),
               ("no referral had been made.", ("interventions",)))},
    {"tone": "neg", "codes": ("victim_focus", "risk_management_plan"), "neg": ("victim_focus", "risk_management_plan"),
     "parts": (("The plan contained no measures to protect {his} {partner}, who was the most likely victim.",
                ("victim_focus", "risk_management_plan")),)},
    {"tone": "neg", "codes": ("victim_focus", "home_visits"), "neg": ("victim_focus", "home_visits"),
     "parts": (("A home visit would have shown that the victim was still living at the address, but none was carried out.",
                ("home_visits", "victim_focus")),)},
    {"tone": "neg", "codes": ("professional_curiosity", "self_disclosure"), "neg": ("professional_curiosity", "self_disclosure"),
     "parts": (("{his} account was accepted without challenge and never checked with anyone else.",
                ("professional_curiosity", "self_disclosure")),)},
    {"tone": "neg", "codes": ("formal_review", "self_disclosure"), "neg": ("formal_review", "self_disclosure"),
     "parts": (("The review was based on {his} self-report, with no input from the police or other agencies.",
                ("formal_review", "self_disclosure")),)},
    {"tone": "neg", "codes": ("formal_review", "termination_review"), "neg": ("formal_review", "termination_review"),
     "parts": (("There was no review after {event}", ("formal_review",)), (", and ", None),
               ("the {order} ended without a termination review.", ("termination_review",)))},
    {"tone": "neg", "codes": ("contact_level", "management_oversight"), "neg": ("contact_level", "management_oversight"),
     "parts": (("Reporting was cut to {freq} without any management decision being recorded.",
                ("contact_level", "management_oversight")),)},
    {"tone": "met", "codes": ("domestic_abuse_checks", "formal_review"), "neg": (),
     "parts": (("Updated {da} information from {police_unit} informed the review.", ("domestic_abuse_checks", "formal_review")),)},
    {"tone": "pos", "codes": ("child_safeguarding", "multi_agency"), "neg": (),
     "parts": (("{po} worked closely with the social worker and shared information promptly, which helped to keep the children safe.",
                ("child_safeguarding", "multi_agency", "positive_practice")),)},
    {"tone": "pos", "codes": ("domestic_abuse_checks", "professional_curiosity"), "neg": (),
     "parts": (("Police call-out information was used well to challenge {his} account of the relationship.",
                ("domestic_abuse_checks", "professional_curiosity", "positive_practice")),)},
    {"tone": "pos", "codes": ("home_visits", "professional_curiosity"), "neg": (),
     "parts": (("An unannounced visit to the address, prompted by {po}'s doubts about {his} story, was good practice.",
                ("home_visits", "professional_curiosity", "positive_practice")),)},
    {"tone": "pos", "codes": ("contingency_planning", "multi_agency"), "neg": (),
     "parts": (("The contingency plan had been agreed with {agency}", ("contingency_planning", "positive_practice")),
               (", and ", None), ("both agencies knew exactly what to do if risk rose.", ("multi_agency", "positive_practice")))},
    {"tone": "met", "codes": ("risk_management_plan", "victim_focus"), "neg": (),
     "parts": (("The plan included an exclusion zone around {victim_place}.", ("risk_management_plan", "victim_focus")),)},
    {"tone": "met", "codes": ("multi_agency", "formal_review"), "neg": (),
     "parts": (("The review drew on fresh updates from {agency}.", ("multi_agency", "formal_review")),)},
)

# Codes a "no" commentary may carry as extra shortfalls, by stage (flag themes are separate).
STAGE_POOLS: dict[str, dict[str, float]] = {
    "assessment": {"risk_identification": 5.0, "professional_curiosity": 2.5, "self_disclosure": 2.5,
                   "victim_focus": 2.0, "management_oversight": 0.4},
    "planning": {"risk_management_plan": 5.0, "interventions": 3.0, "victim_focus": 1.5,
                 "management_oversight": 0.3},
    "implementation": {"home_visits": 3.0, "key_individuals": 2.5, "interventions": 1.5,
                       "victim_focus": 1.2, "professional_curiosity": 1.5},
    "reviewing": {"formal_review": 6.0, "termination_review": 1.6, "key_individuals": 1.2,
                  "professional_curiosity": 0.8, "self_disclosure": 0.7},
}

# Inductive codes: not in the codebook; what open coding of the sample should discover.
# `share` is the share of cases carrying the code (exact count, at least one case).
INDUCTIVE: tuple[dict, ...] = (
    {"id": "reallocation", "label": "Reallocation between practitioners", "theme": "cross_cutting",
     "definition": "The case moved between practitioners, and the changes affected continuity or the quality of risk work.",
     "share": 0.12, "stages": ("implementation", "reviewing", "implementation", "planning"), "case_type": None},
    {"id": "remote_contact_covid", "label": "Remote contact during the pandemic", "theme": "implementation",
     "definition": "Supervision by telephone or video because of COVID-19 restrictions or the exceptional delivery model, and its effect on seeing and assessing the person.",
     "share": 0.08, "stages": ("implementation", "implementation", "reviewing"), "case_type": None},
    {"id": "ict_problems", "label": "ICT and case record problems", "theme": "cross_cutting",
     "definition": "Failures or limits of IT systems (nDelius, OASys, laptops, migration) that lost information or delayed work.",
     "share": 0.065, "stages": ("assessment", "implementation", "reviewing", "planning"), "case_type": None},
    {"id": "accommodation_on_release", "label": "Accommodation on release", "theme": "planning",
     "definition": "Whether suitable accommodation was secured for release from custody, and how its absence affected risk.",
     "share": 0.06, "stages": ("planning", "implementation"), "case_type": ("post-custody",)},
    {"id": "mental_health_pathway", "label": "Mental health pathway", "theme": "implementation",
     "definition": "Referrals to and work with mental health services, treatment requirements or the offender personality disorder pathway.",
     "share": 0.055, "stages": ("planning", "implementation", "assessment"), "case_type": None},
    {"id": "substance_testing", "label": "Substance misuse testing", "theme": "implementation",
     "definition": "Drug or alcohol testing and monitoring (licence testing conditions, alcohol tags, treatment requirements) and how results were used.",
     "share": 0.04, "stages": ("implementation", "reviewing"), "case_type": None},
    {"id": "victim_liaison", "label": "Victim liaison", "theme": "implementation",
     "definition": "Contact between the practitioner and the victim liaison officer or victim contact scheme about the victim's views, conditions and release.",
     "share": 0.025, "stages": ("planning", "implementation"), "case_type": None},
    {"id": "prison_information", "label": "Information from prison", "theme": "assessment",
     "definition": "Use of information from custody (behaviour, security intelligence, prison offender manager handover) in assessing and planning.",
     "share": 0.018, "stages": ("assessment", "planning"), "case_type": ("post-custody",)},
    {"id": "interpreter_needs", "label": "Interpreter and language needs", "theme": "implementation",
     "definition": "Whether language needs were met with interpreters or translated material so that supervision could address risk.",
     "share": 0.008, "stages": ("assessment", "implementation"), "case_type": None},
    {"id": "gang_exploitation", "label": "Gangs and exploitation", "theme": "assessment",
     "definition": "Gang affiliation, county lines or criminal exploitation of the person, and referrals such as the National Referral Mechanism.",
     "share": 0.006, "stages": ("assessment", "implementation"), "case_type": None},
    {"id": "immigration_status", "label": "Immigration status", "theme": "planning",
     "definition": "Uncertain immigration status or deportation proceedings affecting release and risk planning.",
     "share": 0.0023, "stages": ("planning",), "case_type": None},
    {"id": "armed_forces_veteran", "label": "Armed forces veteran", "theme": "assessment",
     "definition": "The person's service in the armed forces, related trauma and whether veterans' services were considered.",
     "share": 0.0017, "stages": ("assessment", "implementation"), "case_type": None},
)

# Entries are a template or (template, extra codebook codes).
INDUCTIVE_BANK: dict[str, tuple] = {
    "reallocation": (
        "The case had been reallocated {n_small} times since {start}.",
        "Frequent changes of practitioner meant that nobody had a full picture of the risks.",
        "The case passed between three officers in {dur}, and each started again from scratch.",
        "After the case was reallocated, the new officer did not read the history.",
        "{pop} had seen four different officers, which made it hard to build a relationship.",
        ("The case was reallocated twice because of vacancies in the team.", ("workload",)),
        "A handover note was written when the case moved to a new PO, which helped continuity.",
        "When the original officer left, the case sat unallocated for {dur}.",
        ("Nobody reviewed the case when it was transferred to a new officer.", ("formal_review",)),
    ),
    "remote_contact_covid": (
        "During the pandemic, contact was by telephone only.",
        ("COVID-19 restrictions meant that {he} was not seen in person for {dur}.", ("contact_level",)),
        "Remote supervision under the exceptional delivery model limited what {po} could observe.",
        ("Video calls replaced home visits during lockdown.", ("home_visits",)),
        "Doorstep contact was used while restrictions were in place.",
        "Lockdown meant that most appointments were by phone, and {his} presentation was hard to judge.",
        "Covid restrictions delayed the start of group work.",
    ),
    "ict_problems": (
        "The case record on nDelius was incomplete because of a system outage.",
        "{po} could not access {oasys} for {dur} because of IT problems.",
        "Documents from court were lost when records were migrated to the new system.",
        "A laptop failure meant that contact notes were written up {dur} late.",
        "Problems with the IT system meant the review could not be saved and had to be redone.",
        "Attachments on nDelius could not be opened, so the police information was effectively lost.",
    ),
    "accommodation_on_release": (
        "{pop} was released without an address and spent the first {dur} sofa surfing.",
        "No accommodation was secured before release, which made the plan unworkable.",
        "Approved premises were not available, so {he} was placed in a hotel on release.",
        ("The lack of stable housing on release led {him} back to the home of {his} ex-partner.", ("victim_focus",)),
        "A place in supported housing was arranged well before release.",
        "Release planning was dominated by the search for an address.",
        "{pop} walked out of the prison gate with nowhere to sleep that night.",
        "The first weeks out of custody were spent moving between friends' sofas.",
        "A bed in a hostel was only found on the day {he} came out.",
    ),
    "mental_health_pathway": (
        "{pop} had been referred to the mental health treatment requirement team.",
        ("The community mental health team had discharged {him} without probation being told.", ("multi_agency",)),
        "Concerns about {his} mental health were not followed up with the GP.",
        "A referral to the personality disorder pathway was made after a case consultation with a psychologist.",
        "The offender personality disorder pathway consultation helped {po} plan sessions.",
        "{his} mental health deteriorated, but no referral to specialist services was considered.",
    ),
    "substance_testing": (
        "Drug testing was required, but no tests were recorded.",
        "Alcohol monitoring through a tag confirmed that {he} had stayed sober.",
        "Positive tests for {substance} were not acted on.",
        "{po} arranged regular drug tests, which gave an objective picture of {his} use.",
        "Testing under the drug rehabilitation requirement lapsed after the first month.",
    ),
    "victim_liaison": (
        "The victim liaison officer was not told about the release date.",
        ("The VLO passed on the victim's concerns, and these shaped the exclusion zone.", ("risk_management_plan",)),
        "Contact with the victim liaison unit was good, and the victim's views were recorded.",
        "There was no contact with the victim contact scheme, although the victim had opted in.",
        "The victim liaison officer's request for an additional licence condition was not answered.",
    ),
    "prison_information": (
        "Information from the prison about {his} behaviour in custody was not obtained.",
        "Security intelligence from the prison pointed to continued contact with the victim, but it was not used.",
        "The prison offender manager's handover was detailed and helpful.",
        "Adjudications in custody for violence were not taken into account.",
    ),
    "interpreter_needs": (
        "An interpreter was needed for supervision but was rarely booked.",
        "{pop} spoke limited English, and appointments without an interpreter achieved little.",
        "Telephone interpreting was used for the induction, which worked well.",
    ),
    "gang_exploitation": (
        "There were signs that {he} was being exploited by a county lines network.",
        "Links to a local gang were mentioned by the police but not explored.",
        "{po} made a referral under the National Referral Mechanism after concerns about exploitation.",
    ),
    "immigration_status": (
        "Uncertainty about {his} immigration status complicated the planning.",
        "Nobody had contacted immigration enforcement about possible deportation.",
    ),
    "armed_forces_veteran": (
        "{pop} had served in the army, and veterans' support services were not considered.",
        "{his} service in the armed forces and the trauma linked to it were noted but not explored.",
    ),
}

# Neutral sentences: background facts and judgement summaries, no code (near misses included).
BACKGROUND: dict[str, list[str]] = {
    "community": [
        "{pop} was made subject to a community order of {months_n} months for {offence}.",
        "The order included {req_list}.",
        "{pop} received a suspended sentence order for {offence}.",
        "The court imposed an order of {months_n} months with a requirement to attend {prog}.",
        "At the time of the inspection, the order had {n_small} months left to run.",
    ],
    "post-custody": [
        "{pop} had been released on licence {on_date} after a custodial sentence for {offence}.",
        "The licence had {n_small} months left to run at the time of the inspection.",
        "{pop} served half of a sentence of {months_n} months before release.",
        "{pop} was recalled once before and re-released later in the year.",
        "Release was to approved premises in {town}.",
    ],
    "any": [
        "{his} previous convictions included {offence} and {offence2}.",
        "{pop} lived with {his} {relative} in {town}.",
        "{pop} was working as a {job} at the time.",
        "The case was held in the {pdu} PDU.",
        "{pop} was assessed as presenting a {caserosh} risk of serious harm.",
        "{pop} was managed under MAPPA at level 1 as a category 2 offender.",
        "There had been no further {conv_word} since {start}.",
        "{pop} had a long history of {substance} use.",
        "{pop} had two children from a previous relationship who lived with their mother.",
        "The Probation Service had supervised {him} on {n_small} previous orders.",
        "{pop} was unemployed and {benefit}.",
        "The case was transferred in from another region {dur} before the inspection.",
        "A police investigation into {offence2} was still open at the time of the inspection.",
        "{pop} had been in a relationship with {his} {partner} for {dur}.",
        "Inspectors interviewed {po} as part of the inspection.",
        "{pop} reported to the office in {town} on {weekday}s.",
        "The offence took place after an argument {offence_place}.",
        "{pop} was {age_desc} and had been known to the police since {his} teens.",
        "{pop} was {age_desc} at the start of the {order}.",
        "{pop} had recently started a {course} course at college.",
        "{pop} had moved to {town} to be nearer {his} {relative}.",
        "The police had attended the address {n_times} for {minor_reason}.",
        "{csc_plain} had closed their involvement with the family {dur} before sentence.",
        "{pop} described the offence as out of character.",
    ],
    "da": [
        "The index offence was {offence} against {his} {partner}.",
        "The index offence was a domestic abuse-related assault on {his} {partner}.",
        "{pop} was subject to a restraining order protecting {his} former partner.",
        "The case was {flagged} as domestic abuse-related on nDelius.",
        "The offence happened at the home {he} shared with {his} {partner}.",
        "{his} {partner} had ended the relationship shortly before sentence.",
    ],
    "nonda": [
        "The victim was a stranger.",
        "The victim was a neighbour with whom there had been a long-running dispute.",
        "The victim was a shop worker who had challenged {him}.",
        "The offence was committed against an acquaintance during a drinking session.",
        "There was no known history of domestic abuse.",
    ],
}

# Near misses: the vocabulary of the codes in sentences that carry no code.
NEAR_MISSES: tuple[str, ...] = (
    "{pop} had contact with {his} children at weekends, supervised by {his} {relative}.",
    "Police were called to the address {on_date} after a dispute with a neighbour, and nobody was arrested.",
    "{pop} lived at home with {his} parents in {town}.",
    "A home detention curfew applied for the first {dur} after release.",
    "{his} {partner} was pregnant at the time of the inspection.",
    "The plan was for {him} to move in with {his} {relative} in due course.",
    "The MARAC had heard a case involving a previous partner {years_ago}.",
    "Children's services had been involved with {his} own family when {he} was a child.",
    "{pop} was seen by a duty officer at {his} first appointment.",
    "{pop} had completed {prog} on a previous order.",
    "The {order} was due to end {dur} after the inspection.",
    "{pop} had spent {n_small} months on remand before sentence.",
    "The victim had moved out of {town}.",
    "{pop} had been referred to the employment, training and education provider for help finding work as a {job}.",
    "{pop} said {he} wanted to rebuild contact with {his} children.",
    "The police had no outstanding investigations at the time of sentence.",
    "{pop} had been a victim of domestic abuse as a child.",
    "The address had been approved by the prison {dur} before release.",
    "{pop} had previously been managed at MAPPA level 2 on an earlier sentence.",
    "The case was allocated to {po} because of the nature of the {offence}.",
    "{pop} told {po} that {his} {relative} was unwell.",
    "There were no children living at the address.",
    "The period under review included {n_small} changes of address.",
    "Supervision sessions took place at the {pdu} office on {weekday}s.",
    "{pop} had no contact with the victim, who had since moved to {town}.",
    "The offence was recorded as a domestic incident by {police_unit}.",
    "{pop} was of previous good character apart from one caution for {offence2}.",
    "{pop} had a diagnosis of {diagnosis}.",
    "The assessment noted {his} debts and unstable housing.",
    "Most of {his} offending took place when {he} had been using {substance}.",
    "{pop} attended a {weekday} appointment straight from work as a {job}.",
    "{his} {relative} drove {him} to appointments because {he} had lost {his} licence.",
    "The police summary described {offence2} committed {dur} before the index offence.",
    "{several} of {his} previous victims were {victim_kind}.",
    "{pop} was on bail for {offence2} when the index offence took place.",
    "{pop} had been in care as a teenager.",
    "{pop} moved between friends' addresses in {town} for the first {dur}.",
    "The court had adjourned for a pre-sentence report, which proposed {prog}.",
    "The victim's statement described {him} as {traits}.",
    "{pop} was working {job_hours} at the time of the inspection.",
    "{pop} had been sober for {dur} by the time of the inspection.",
    "{pop} was the main carer for {his} {relative}.",
    "There were gaps in the record while {po} was on leave.",
    "The case was one of {n_small} transferred into the team that month.",
    "{pop} had a history of self-harm, mostly when drinking.",
    "{pop} described {his} {relative} as {his} main support.",
    "The index offence happened {dur} after {his} last release from custody.",
    "{pop} was not known to {csc_plain}.",
    "Nothing in the record suggested any contact with the victim since {start}.",
    "{pop} had been banned from the town centre by a previous order.",
    "{pop} spent most evenings at the gym and said it helped {him} manage {his} temper.",
    "{pop} had gambling debts of several thousand pounds.",
    "{his} tenancy was at risk because of rent arrears.",
    "{pop} had fallen out with {his} landlord over repairs.",
    "{pop} played five-a-side football on Sunday mornings.",
    "{pop} attended a church group with {his} {relative}.",
    "{pop} was learning to drive and hoped to get work as a courier.",
    "{pop} had a dog and would not consider hostels that refused pets.",
    "{pop} was estranged from most of {his} family.",
    "{pop} had left school at fifteen without qualifications.",
    "{pop} had served in a young offender institution as a teenager.",
    "{pop} had recently been diagnosed with diabetes.",
    "{pop} described {his} childhood as chaotic and violent.",
    "{pop} shared a flat with a friend from work.",
    "{pop} was on a methadone script from the community drug team.",
    "{pop} said {he} had stopped going to the pub after sentence.",
    "{pop} had moved back to the area after several years in {town}.",
    "{pop} was a keen angler and spent weekends at the reservoir.",
    "{pop} had been sleeping in {his} car for part of the period.",
    "{pop} worked nights, so appointments were arranged for late mornings.",
    "{pop} volunteered at a food bank two days a week.",
    "{pop} had a chronic back injury and could not do heavy work.",
    "{his} {relative} had recently died, and {he} spoke about it often.",
    "{pop} was paying compensation to the victim at a few pounds a week.",
    "{pop} had been referred to a debt advice charity.",
    "{pop} was on a waiting list for counselling through the GP.",
    "{pop} had no mobile phone for the first weeks, which made contact arrangements awkward.",
    "{pop} was bilingual and had grown up partly abroad.",
    "{pop} had been a carer for a disabled sibling since childhood.",
    "Inspectors reviewed the case file and spoke to {po}.",
    "{pop} went to live with {his} {relative} on release, as had been agreed in custody.",
    "The housing officer had known {him} for years.",
    "{pop} visited {his} {relative} most weekends.",
    "The police had charged {him} with {offence2} before the order began.",
    "Reporting instructions were given at court.",
    "The home address was a flat rented from a housing association.",
    "{pop} had a partner at the time of the offence, but they had since separated.",
    "The review of {his} benefit claim took {dur}.",
    "{his} {relative} had been visited by police about an unrelated matter.",
    "The manager of the hostel described {him} as polite and settled.",
    "{pop} was keen to engage and asked for extra appointments.",
    "The victim had been offered support by a local charity.",
    "{po} had worked in the team for {n_small} years and knew local services well.",
    "The SPO allocated the case to {po} at {start}.",
    "The team had {n_small} new officers who had qualified that year.",
    "{pop} said {he} felt safer now that {he} was away from old friends.",
    "{pop} missed one appointment because of a hospital visit, and provided evidence.",
    "{pop} told {po} that {he} had been stopped by police on the way to the appointment.",
    "The plan for {his} birthday weekend was discussed in supervision.",
    "Children were not part of {his} life at the time of the inspection.",
    "The case was reviewed by the inspectors on the second day of fieldwork.",
)
AGE_WORDS = {
    "18-24": "in {his} early twenties", "25-29": "in {his} late twenties", "30-39": "in {his} thirties",
    "40-59": "in {his} forties", "60+": "in {his} sixties", "": "an adult",
}
STAGE_BACKGROUND: dict[str, list[str]] = {
    "assessment": [
        "A pre-sentence report had been prepared on the day of sentence.",
        "The assessment was completed {dur} after {start}.",
        "{oasys} was the first full assessment of {him} since {his} last order.",
        "The assessment had been started by a colleague at court and finished by {po}.",
        "The pre-sentence report proposed {prog}.",
    ],
    "planning": [
        "A sentence plan was in place within {dur} of {start}.",
        "The plan was drawn up with {him} at the {nth} appointment.",
        "Planning took place alongside work on {his} housing and benefits.",
        "The plan had {n_small} objectives.",
    ],
    "implementation": [
        "{pop} attended most appointments over the {dur} inspected.",
        "Sessions took place at the {pdu} office.",
        "{pop} completed the unpaid work hours within {dur}.",
        "{pop} found work as a {job} part-way through the period inspected.",
        "The period inspected covered the first {months_n} months of the {order}.",
    ],
    "reviewing": [
        "The period inspected covered the first {months_n} months of the {order}.",
        "A review had been started {dur} before the inspection.",
        "{pop} was still under supervision at the time of the inspection.",
        "There had been {n_small} changes in {his} circumstances during the period inspected.",
    ],
}
STAGE_WORK = {
    "assessment": ("the assessment", "the assessment of risk", "work at the assessment stage",
                   "the initial assessment", "the work to assess risk"),
    "planning": ("planning", "the plan", "the planning", "the work on planning", "the sentence plan"),
    "implementation": ("the work delivered", "delivery", "implementation", "the supervision delivered",
                       "the work done with {him}"),
    "reviewing": ("reviewing", "the reviewing", "the work to review the case", "reviewing of the case"),
}
SUMMARIES: dict[str, list[str]] = {
    "no": [
        "Overall, {sw} did not do enough to keep {others} safe.",
        "Taken together, {sw} fell short of what was needed to protect {others}.",
        "For these reasons {sw} was judged insufficient.",
        "Inspectors could not be confident that {sw} kept {others} safe.",
        "This meant that {sw} did not support the safety of {others}.",
        "In summary, {sw} was not sufficient in this case.",
        "{sw} was therefore judged not to be good enough.",
        "The combined effect was that {sw} left {others} exposed to avoidable risk.",
        "Despite some positive features, {sw} was insufficient overall.",
        "On balance, {sw} did not meet the standard expected.",
    ],
    "yes": [
        "Overall, {sw} was sufficient to keep {others} safe.",
        "Taken together, {sw} supported the safety of {others}.",
        "For these reasons {sw} was judged sufficient.",
        "Inspectors were satisfied that {sw} kept {others} safe.",
        "In summary, {sw} was good enough in this case.",
        "{sw} was therefore judged sufficient, despite minor gaps.",
        "On balance, {sw} met the standard expected.",
        "This was a sound piece of work that protected {others}.",
    ],
}

# Sentences that always plant invented personal details (used in about one commentary in eight).
DETAIL_SENTENCES: tuple[str, ...] = (
    "{name} was sentenced at the Crown Court on {date}.",
    "The case reference on nDelius was {crn}.",
    "{name} told {po} on {date} that {he} had moved to {place}.",
    "{his} partner, {other}, was the victim of the index offence.",
    "A phone number for the victim, {phone}, had been written into the contact log.",
    "{his} email address, {email}, was used for appointment reminders.",
    "The new address in {place}, {postcode}, had not been checked.",
    "{his} National Insurance number, {ni}, was on the front sheet of the file.",
    "The case, {crn}, was transferred from another PDU on {date}.",
    "{name} was released on {date} to an address in {place}.",
    "{name} had been living with {other} since {month}.",
    "{other} rang the office on {date} to say that {name} had been drinking again.",
    "The letter to {name} at {postcode} was returned unopened.",
    "{name} gave {phone} as a contact number, but it was never answered.",
    "{name} was arrested in {place} on {date}.",
    "The police reference for the call-out involving {name} was linked to CRN {crn}.",
    "{name}'s benefit claim was held up because {his} National Insurance number, {ni}, had been recorded wrongly.",
    "{name} first reported in {month} at the office in {place}.",
)


# --------------------------------------------------------------------------------------------
# Allocation of exact counts
# --------------------------------------------------------------------------------------------


def _largest_remainder(weights: list[float], total: int) -> list[int]:
    """Split `total` into integers proportional to `weights` (largest remainder, stable ties)."""
    s = sum(weights)
    if s <= 0 or total <= 0:
        return [0] * len(weights)
    raw = [w * total / s for w in weights]
    floors = [math.floor(r) for r in raw]
    left = total - sum(floors)
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return floors


def _scaled_counts(counts: dict[str, int], n: int) -> dict[str, int]:
    """Scale Annex B counts from 1,748 cases to `n`, keeping the known total proportional."""
    known = round(sum(counts.values()) * n / BASE_CASES)
    parts = _largest_remainder([float(c) for c in counts.values()], known)
    return dict(zip(counts, parts, strict=True))


def _weighted_pick(rng: random.Random, items: list[int], weights: list[float], k: int) -> set[int]:
    """Pick `k` of `items` without replacement, with probability rising with weight."""
    if k <= 0:
        return set()
    keyed = []
    for item, w in zip(items, weights, strict=True):
        u = rng.random()
        keyed.append((math.log(u if u > 0 else 1e-300) / max(w, 1e-9), item))
    keyed.sort(reverse=True)
    return {item for _, item in keyed[:k]}


def _plan_cases(n: int, rng: random.Random) -> list[Case]:
    """Draw case metadata, judgements, theme flags and inductive codes with exact counts."""
    width = max(4, len(str(n)))
    cases = [
        Case(case_id=f"C{i + 1:0{width}d}", meta={}, quality=rng.gauss(0.0, 1.0))
        for i in range(n)
    ]
    # Metadata marginals: exact (scaled) counts, shuffled independently.
    for var, counts in MARGINALS.items():
        scaled = _scaled_counts(counts, n)
        values = [v for v, c in scaled.items() for _ in range(c)]
        values += [""] * (n - len(values))
        rng.shuffle(values)
        for case, value in zip(cases, values, strict=True):
            case.meta[var] = value
    sizes = _largest_remainder([float(w) for _, _, w in PDUS], n)
    pdus = [i for i, size in enumerate(sizes) for _ in range(size)]
    rng.shuffle(pdus)
    for case, idx in zip(cases, pdus, strict=True):
        case.meta["pdu"], case.meta["region"] = PDUS[idx][0], PDUS[idx][1]

    # Judgements per (stage, RoSH) cell; older people and first-time offenders fare better.
    for stage in STAGES:
        rates = JUDGEMENT_RATES[stage]
        total_yes = round(rates["all"] * n)
        cells: dict[str, list[int]] = {"low": [], "medium": [], "high/very high": [], "": []}
        for i, case in enumerate(cases):
            cells[case.meta["rosh"]].append(i)
        yes_by_cell = {lvl: round(rates[lvl] * len(cells[lvl])) for lvl in ("low", "medium", "high/very high")}
        yes_by_cell[""] = min(len(cells[""]), max(0, total_yes - sum(yes_by_cell.values())))
        for lvl, members in cells.items():
            weights = [_judgement_weight(cases[i]) for i in members]
            chosen = _weighted_pick(rng, members, weights, yes_by_cell[lvl])
            for i in members:
                cases[i].judgements[stage] = "yes" if i in chosen else "no"

    # Themes with a bulletin figure: exact shares, landing mostly on "no" judgements.
    for code, (rate, stage, relevant_share) in FLAG_THEMES.items():
        idx = list(range(n))
        relevant = _weighted_pick(rng, idx, [1.0] * n, round(relevant_share * n))
        eligible = sorted(relevant)
        k = round(rate * len(eligible))
        weights = [12.0 if cases[i].judgements[stage] == "no" else 1.0 for i in eligible]
        short = _weighted_pick(rng, eligible, weights, k)
        for i, case in enumerate(cases):
            case.themes[code] = "shortfall" if i in short else ("met" if i in relevant else "n/a")

    # Management oversight: sufficient in about a third of cases, far more often where the
    # work kept people safe (the bulletin: over three times as likely to be effective).
    w = [1.0 + 6.5 * (c.judgements["implementation"] == "yes") + 1.5 * (c.judgements["planning"] == "yes") for c in cases]
    good = _weighted_pick(rng, list(range(n)), w, round(0.33 * n))
    for i, case in enumerate(cases):
        case.oversight_sufficient = i in good
        case.ended = rng.random() < 0.3

    # Inductive codes with a long tail of exact case counts.
    for case in cases:
        case.inductive = {s: [] for s in STAGES}
    for code in INDUCTIVE:
        count = max(1, round(code["share"] * n))
        eligible = [
            i for i, c in enumerate(cases)
            if code["case_type"] is None or c.meta["case_type"] in code["case_type"]
        ]
        chosen = _weighted_pick(rng, eligible, [1.0] * len(eligible), min(count, len(eligible)))
        for i in sorted(chosen):
            stage = rng.choice(code["stages"])
            cases[i].inductive[stage].append(code["id"])

    # Invented names, fixed per case so that repeated mentions agree.
    for case in cases:
        female = case.meta["sex"] == "female"
        case.first = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
        case.surname = rng.choice(SURNAMES)
        case.other_name = rng.choice(MALE_NAMES if female else FEMALE_NAMES)
        case.facts = {
            "offence": rng.choice(OFFENCES),
            "substance": rng.choice(SLOTS["substance"]),
            "partner": rng.choice(PARTNERS_F if female else PARTNERS_M),
            "relative": rng.choice(SLOTS["relative"]),
            "job": rng.choice(SLOTS["job"]),
            "child": rng.choice(CHILDREN),
        }
    return cases


def _judgement_weight(case: Case) -> float:
    """Relative chance of a positive judgement: latent case quality, age 60+, no sanctions."""
    w = math.exp(0.8 * case.quality)
    if case.meta["age_group"] == "60+":
        w *= 3.5
    if case.meta["previous_sanctions"] == "none":
        w *= 2.5
    return w


# --------------------------------------------------------------------------------------------
# Sentence building
# --------------------------------------------------------------------------------------------

SLOT_RE = re.compile(r"\{(\w+)\}")


class Piece(NamedTuple):
    """A built sentence: its text, coded spans and planted personal details (local offsets)."""

    text: str
    spans: list[tuple[int, int, tuple[str, ...]]]
    details: list[tuple[int, int, str, str]]


class Filler:
    """Resolves template slots for one commentary (pronouns, roles, fillers, personal details)."""

    def __init__(self, rng: random.Random, case: Case, stage: str, with_details: bool) -> None:
        self.rng = rng
        self.case = case
        self.stage = stage
        self.with_details = with_details
        sex = case.meta["sex"]
        self.female = sex == "female" or (sex == "" and rng.random() < 0.12)
        self.detail_rate = 0.45 if with_details else 0.0
        self.pop_mentions = 0

    def _pro(self, male: str, female: str) -> str:
        """The word that fits the person's sex (unknown sex is mostly written as male)."""
        return female if self.female else male

    def slot(self, name: str) -> list[tuple[str, str | None]]:
        """Return the pieces a slot expands to: (text, detail kind or None)."""
        rng, case = self.rng, self.case
        if name == "he":
            return [(self._pro("he", "she"), None)]
        if name == "his":
            return [(self._pro("his", "her"), None)]
        if name == "him":
            return [(self._pro("him", "her"), None)]
        if name == "himself":
            return [(self._pro("himself", "herself"), None)]
        if name in ("pop", "popo"):
            if rng.random() < self.detail_rate:
                return [(self._name(), "NAME")]
            pron = self._pro("he", "she") if name == "pop" else self._pro("him", "her")
            person = self._pro("the man", "the woman")
            self.pop_mentions += 1
            if self.pop_mentions > 1 and rng.random() < 0.8:
                return [(pron, None)]
            return [(rng.choices([pron, "the PoP", "the person on probation", person, "the individual"], [4, 2, 2, 0.6, 0.4])[0], None)]
        if name == "on_date":
            if rng.random() < self.detail_rate:
                text, prefix = self._date()
                return [(prefix, None), (text, "DATE")]
            return [(rng.choice(VAGUE_WHEN), None)]
        if name == "town":
            if rng.random() < self.detail_rate:
                return [(rng.choice(TOWNS), "PLACE")]
            return [(rng.choice(VAGUE_PLACE), None)]
        if name == "name":
            return [(self._name(), "NAME")]
        if name == "other":
            return [(case.other_name, "NAME")]
        if name == "date":
            return [(self._date(full=True)[0], "DATE")]
        if name == "month":
            return [(f"{rng.choice(MONTHS)} {rng.choice([2020, 2021, 2022, 2022, 2023])}", "DATE")]
        if name == "place":
            return [(rng.choice(TOWNS), "PLACE")]
        if name == "crn":
            return [(rng.choice("ABCDEFGHJKLMNPRSTVWXYZ") + f"{rng.randrange(100000, 1000000)}", "CASE REF")]
        if name == "phone":
            prefix = rng.choice(["07700 900", "01632 960", "07700900"])
            return [(f"{prefix}{rng.randrange(0, 1000):03d}", "PHONE")]
        if name == "email":
            sep = rng.choice([".", "_", ""])
            dom = rng.choice(["example.com", "example.org", "example.net"])
            return [(f"{case.first.lower()}{sep}{case.surname.lower()}{rng.randrange(1, 99)}@{dom}", "EMAIL")]
        if name == "postcode":
            area = rng.choice(POSTCODE_AREAS)
            letters = "ABDEFGHJLNPQRSTUWXYZ"
            code = f"{area}{rng.randrange(1, 30)} {rng.randrange(1, 10)}{rng.choice(letters)}{rng.choice(letters)}"
            return [(code, "POSTCODE")]
        if name == "ni":
            digits = [rng.randrange(10, 100) for _ in range(3)]
            suffix = rng.choice("ABCD")
            if rng.random() < 0.5:
                return [(f"QQ {digits[0]} {digits[1]} {digits[2]} {suffix}", "NI")]
            return [(f"QQ{digits[0]}{digits[1]}{digits[2]}{suffix}", "NI")]
        if name == "start":
            if case.meta["case_type"] == "post-custody":
                return [(rng.choice(["release", "release", "the start of the licence", "allocation"]), None)]
            return [(rng.choice(["sentence", "the start of the order", "allocation", "the first appointment"]), None)]
        if name == "sw":
            return [(rng.choice(STAGE_WORK[self.stage]), None)]
        if name == "pdu":
            return [(case.meta["pdu"], None)]
        if name == "order":
            ct = case.meta["case_type"]
            if ct == "post-custody":
                return [("licence", None)]
            if ct == "community":
                return [(rng.choice(["order", "order", "community order", "sentence"]), None)]
            return [(rng.choice(["order", "sentence"]), None)]
        if name == "caserosh":
            level = case.meta["rosh"] or "medium"
            return [(ROSH_WORDS[level], None)]
        if name in case.facts and rng.random() < 0.8:
            return [(case.facts[name], None)]
        if name == "partner":
            return [(rng.choice(PARTNERS_F if self.female else PARTNERS_M), None)]
        if name == "child":
            return [(rng.choice(CHILDREN), None)]
        if name == "offence2":
            other = [o for o in OFFENCES if o != case.facts.get("offence")]
            return [(rng.choice(other), None)]
        if name == "age_desc":
            return [(AGE_WORDS[case.meta["age_group"]].replace("{his}", self._pro("his", "her")), None)]
        values = SLOTS.get(name)
        if values is None:
            raise KeyError(f"corpus/generate.py: template uses unknown slot {{{name}}}")
        return [(rng.choice(values), None)]

    def _name(self) -> str:
        """The person's invented name in one of three forms: title + surname, first, full."""
        case, rng = self.case, self.rng
        r = rng.random()
        if r < 0.45:
            return f"{self._pro('Mr', rng.choice(['Ms', 'Miss', 'Mrs']))} {case.surname}"
        if r < 0.9:
            return case.first
        return f"{case.first} {case.surname}"

    def _date(self, full: bool = False) -> tuple[str, str]:
        """An invented date in one of three formats, with the preposition it needs."""
        rng = self.rng
        year = rng.choice([2020, 2021, 2021, 2022, 2022, 2022, 2023])
        month = rng.randrange(1, 13)
        day = rng.randrange(1, 29)
        kind = rng.random() * (0.75 if full else 1.0)
        if kind < 0.35:
            return f"{day:02d}/{month:02d}/{year}", "on "
        if kind < 0.75:
            return f"{day} {MONTHS[month - 1]} {year}", "on "
        return f"{MONTHS[month - 1]} {year}", "in "

    def fill(self, template: str, out_details: list[tuple[int, int, str, str]], base: int = 0, depth: int = 0) -> str:
        """Expand every slot in `template`; record planted details with offsets from `base`."""
        out: list[str] = []
        length = 0
        pos = 0
        for m in SLOT_RE.finditer(template):
            lit = template[pos:m.start()]
            out.append(lit)
            length += len(lit)
            for text, kind in self.slot(m.group(1)):
                if kind is not None:
                    out_details.append((base + length, base + length + len(text), kind, text))
                elif "{" in text and depth < 3:
                    text = self.fill(text, out_details, base + length, depth + 1)
                out.append(text)
                length += len(text)
            pos = m.end()
        out.append(template[pos:])
        return "".join(out)


def _typo(rng: random.Random, text: str) -> str:
    """Introduce one plausible typing slip into a longer lower-case word of `text`."""
    words = [m for m in re.finditer(r"\b[a-z]{6,}\b", text)]
    if not words:
        return text
    m = rng.choice(words)
    w = m.group(0)
    if w in MISSPELLINGS and rng.random() < 0.7:
        new = MISSPELLINGS[w]
    else:
        i = rng.randrange(1, len(w) - 2)
        op = rng.random()
        if op < 0.4:
            new = w[:i] + w[i + 1] + w[i] + w[i + 2:]
        elif op < 0.7:
            new = w[:i] + w[i + 1:]
        else:
            new = w[:i] + w[i] + w[i:]
    return text[: m.start()] + new + text[m.end():]


@functools.lru_cache(maxsize=4096)
def _synonym_sites(tpl: str) -> tuple[tuple[int, int, str], ...]:
    """Where a template has phrases with synonyms (cached: templates are a fixed set)."""
    return tuple((m.start(), m.end(), m.group(0)) for m in SYNONYM_RE.finditer(tpl))


def _vary(tpl: str, rng: random.Random) -> str:
    """Swap each synonym site for an alternative half of the time."""
    sites = _synonym_sites(tpl)
    if not sites:
        return tpl
    out: list[str] = []
    pos = 0
    for start, end, key in sites:
        out.append(tpl[pos:start])
        out.append(key if rng.random() < 0.5 else rng.choice(SYNONYMS[key]))
        pos = end
    out.append(tpl[pos:])
    return "".join(out)


def _build(filler: Filler, parts: list[tuple[str, tuple[str, ...] | None]], typo: bool, tone: str | None) -> Piece:
    """Fill a sentence made of (template, codes) parts; coded parts become gold spans."""
    rng = filler.rng
    texts: list[str] = []
    details: list[tuple[int, int, str, str]] = []
    for tpl, _codes in parts:
        local: list[tuple[int, int, str, str]] = []
        tpl = _vary(tpl, rng)
        text = filler.fill(tpl, local)
        if typo and not local and rng.random() < 0.5:
            text = _typo(rng, text)
            typo = False
        texts.append(text)
        details.append(local)  # type: ignore[arg-type]
    # Sentence-level variety: hedges in front, evaluative tails at the end.
    # Only the last part may get a tail and only the first a prefix, so spans stay whole.
    r = rng.random()
    word = texts[0].split(" ", 1)[0]
    prefixes = {"neg": HEDGES, None: CONNECTORS, "met": CONNECTORS, "pos": CONNECTORS, "ind": CONNECTORS}.get(tone)
    tails = {"neg": NEG_TAILS, "pos": POS_TAILS, None: FACT_TAILS}.get(tone)
    if prefixes and r < 0.24 and word in LOWERABLE and not details[0]:
        texts[0] = rng.choice(prefixes) + texts[0][0].lower() + texts[0][1:]
    elif (tails and r > 0.64 and texts[-1].endswith(".")
          and not (tone == "pos" and PRAISE.search(texts[-1]))):
        texts[-1] = texts[-1][:-1] + filler.fill(rng.choice(tails), []) + "."
    first = texts[0]
    if first and first[0].islower() and not first.startswith("nDelius"):
        texts[0] = first[0].upper() + first[1:]
    full = ""
    spans: list[tuple[int, int, tuple[str, ...]]] = []
    all_details: list[tuple[int, int, str, str]] = []
    for (tpl, codes), text, local in zip(parts, texts, details, strict=True):
        start = len(full)
        full += text
        # A hedge prefix changes the first part's length; re-locate details by their text.
        for s, e, kind, dtext in local:  # type: ignore[misc]
            off = text.find(dtext, max(0, s - 40)) if text[s:e] != dtext else s
            all_details.append((start + off, start + off + len(dtext), kind, dtext))
        if codes:
            a, b = start, start + len(text)
            while a < b and (full[a].isspace() or full[a] in ",;"):
                a += 1
            while b > a and full[b - 1].isspace():
                b -= 1
            spans.append((a, b, tuple(codes)))
        del tpl
    return Piece(full, spans, all_details)


# --------------------------------------------------------------------------------------------
# Commentary composition
# --------------------------------------------------------------------------------------------

LENGTH_WEIGHTS = (4, 11, 18, 22, 18, 13, 8, 6)  # 1..8 sentences, median 4
# How often a shortfall already recorded at an earlier stage is mentioned again later.
ECHO_RATE = {"domestic_abuse_checks": 0.15, "child_safeguarding": 0.15, "contingency_planning": 0.2,
             "contact_level": 0.2, "multi_agency": 0.3}
CODEBOOK_CODES = (
    "risk_identification", "domestic_abuse_checks", "child_safeguarding", "professional_curiosity",
    "self_disclosure", "victim_focus", "contingency_planning", "risk_management_plan",
    "interventions", "contact_level", "home_visits", "multi_agency", "key_individuals",
    "formal_review", "termination_review", "management_oversight", "workload", "positive_practice",
)
ALL_CODES = frozenset(CODEBOOK_CODES)


TIMED = re.compile(r"\b(after|before|during|within|throughout|when|until|since|soon|promptly|same day|"
                   r"at the start|at the end|from the outset|first|every|regular|each|kept|stayed)\b")
_DUALS_BY_CODE: dict[tuple[str, str], list[dict]] = {}
for _d in DUALS:
    for _c in _d["codes"]:
        _DUALS_BY_CODE.setdefault((_d["tone"], _c), []).append(_d)


def _avoid_pattern(case: Case) -> re.Pattern[str]:
    """Words a case's text must not use because they would contradict its facts."""
    return _avoid_for(
        case.themes["domestic_abuse_checks"] == "n/a",
        case.themes["child_safeguarding"] == "n/a",
        case.meta["case_type"] == "post-custody",
        case.ended,
    )


@functools.lru_cache(maxsize=32)
def _avoid_for(no_da: bool, no_child: bool, custody: bool, ended: bool) -> re.Pattern[str]:
    """The compiled avoid-pattern for one combination of case facts (cached: 16 at most)."""
    avoid = []
    if no_da:
        avoid.append(r"omestic|\{da\}|\{dacheck\}|call-out|callout|restraining order|\{partner\} was")
    if no_child:
        avoid.append(r"\{child\}|children in the household|child protection|the children|baby|child in need")
    else:
        avoid.append(r"no children living|not known to \{csc_plain\}|Children were not part")
    if not custody:
        avoid.append(r"\brelease|licence|prison|custody|recall")
    if ended:
        avoid.append(r"left to run|still under supervision")
    else:
        avoid.append(r"\{order\} had ended|\{order\} ended without")
    return re.compile("|".join(avoid))


def _pick(rng: random.Random, options: tuple[str, ...] | list[str], avoid: re.Pattern[str] | None) -> str:
    """Choose a template, preferring ones that fit the case's facts."""
    for _ in range(6):
        tpl = rng.choice(options)
        if avoid is None or not avoid.search(tpl):
            return tpl
    return tpl


def _bank_parts(code: str, tone: str, rng: random.Random, allowed_extra: set[str] | frozenset[str],
                avoid: re.Pattern[str] | None = None) -> list[tuple[str, tuple[str, ...] | None]]:
    """Choose a sentence for `code` in `tone` (neg/met/pos/cav), sometimes a two-code variant."""
    duals = [
        d for d in _DUALS_BY_CODE.get((tone, code), ())
        if (tone != "neg" or code in d["neg"]) and (tone != "neg" or code in d["neg"])
        and set(d["codes"]) - {code} <= allowed_extra
        and not (avoid and any(avoid.search(t) for t, _c in d["parts"]))
    ]
    if duals and rng.random() < 0.12:
        d = rng.choice(duals)
        return list(d["parts"])
    tpl = _pick(rng, BANK[code][tone], avoid)
    plain = re.sub(r"\{(he|his|him|pop|popo|po)\}", "", tpl)
    if tone == "met" and "{" not in plain and tpl.endswith(".") and not TIMED.search(tpl) and rng.random() < 0.75:
        tpl = tpl[:-1] + "{adv}."
    codes: tuple[str, ...] = (code, "positive_practice") if tone == "pos" else (code,)
    return [(tpl, codes)]


def _commentary(rng: random.Random, case: Case, stage: str, with_details: bool) -> tuple[str, list, list]:
    """Write one commentary for `case` at `stage`: text, gold spans and planted details."""
    filler = Filler(rng, case, stage, with_details)
    judgement = case.judgements[stage]
    items: list[tuple[list[tuple[str, tuple[str, ...] | None]], str | None]] = []
    pool = {c: w for c, w in STAGE_POOLS[stage].items() if c != "termination_review" or case.ended}
    avoid = _avoid_pattern(case)
    needed_short: list[str] = []
    needed_other: list[tuple[str, str]] = []

    # Flagged themes: written at their own stage, echoed now and then at later stages (a
    # shortfall only where that stage was judged "no"), and mentioned as met work anywhere.
    stage_no = STAGES.index(stage)
    for code, (_rate, theme_stage, _rel) in FLAG_THEMES.items():
        status = case.themes[code]
        if theme_stage == stage:
            if status == "shortfall":
                needed_short.append(code) if judgement == "no" else needed_other.append((code, "cav"))
            elif status == "met" and rng.random() < (0.25 if code == "contingency_planning" else 0.4):
                tone = "pos" if judgement == "yes" and rng.random() < 0.45 else "met"
                needed_other.append((code, tone))
        elif status == "shortfall" and stage_no > STAGES.index(theme_stage):
            if judgement == "no" and rng.random() < ECHO_RATE[code]:
                needed_short.append(code)
        elif status == "met" and rng.random() < 0.07:
            needed_other.append((code, "met" if judgement == "no" or rng.random() < 0.6 else "pos"))

    if judgement == "no" and not needed_short:
        needed_short.append(_weighted_choice(rng, pool))

    # Cross-cutting: oversight and workload.
    if judgement == "no" and not case.oversight_sufficient and rng.random() < 0.2:
        needed_short.append("management_oversight")
    if judgement == "yes" and case.oversight_sufficient and rng.random() < 0.16:
        needed_other.append(("management_oversight", rng.choice(["pos", "pos", "met"])))
    if judgement == "no" and rng.random() < 0.09:
        needed_short.append("workload")
    if judgement == "yes" and not needed_other and not case.inductive[stage]:
        code = _weighted_choice(rng, pool)
        if code is not None:
            needed_other.append((code, rng.choice(["met", "met", "pos"])))

    inductive = case.inductive[stage]
    target = rng.choices(range(1, 9), LENGTH_WEIGHTS)[0]
    reserved = 1 if with_details else 0
    while len(needed_short) + len(needed_other) + len(inductive) + reserved > 8 and needed_other:
        needed_other.pop()
    while len(needed_short) + len(inductive) + reserved > 8 and len(needed_short) > 1:
        needed_short.pop()
    content_count = len(needed_short) + len(needed_other) + len(inductive)
    target = min(8, max(target, content_count + reserved)) - reserved

    # Compound sentences for pairs of required shortfalls.
    remaining = list(dict.fromkeys(needed_short))
    while len(remaining) >= 2 and rng.random() < 0.35:
        pairs = [d for d in DUALS if d["tone"] == "neg" and len(d["codes"]) == 2
                 and d["codes"][0] in remaining and d["codes"][1] in remaining]
        if not pairs:
            break
        d = rng.choice(pairs)
        items.append((list(d["parts"]), "neg"))
        remaining = [c for c in remaining if c not in d["codes"]]
        target -= 1
    flagged = set(FLAG_THEMES)
    safe_extra = set(pool) | {"positive_practice", "management_oversight", "workload"}
    safe_extra -= flagged
    for code in remaining:
        items.append((_bank_parts(code, "neg", rng, safe_extra - {code}, avoid), "neg"))
    for code, tone in needed_other:
        items.append((_bank_parts(code, tone, rng, ALL_CODES, avoid), tone))
    for code in inductive:
        items.append((_inductive_parts(code, rng), "ind"))

    # Fill up to the target length with further observations and neutral background.
    extra_slots = max(0, target - len(items))
    used = {c for parts, _ in items for _t, cs in parts for c in (cs or ())}
    opener: list[tuple[list, str | None]] = []
    background = (
        BACKGROUND[case.meta["case_type"] or "community"] + BACKGROUND["any"]
        + BACKGROUND["da" if case.themes["domestic_abuse_checks"] != "n/a" else "nonda"]
    )
    closer: list[tuple[list, str | None]] = []
    for _ in range(extra_slots):
        r = rng.random()
        if r < 0.3 and len(opener) < 2:
            opener.append(([(_pick(rng, background, avoid), None)], None))
        elif r < 0.44 and not closer:
            closer.append(([(rng.choice(SUMMARIES[judgement]), None)], "summary"))
        elif r < 0.62:
            items.append(([(_pick(rng, NEAR_MISSES + tuple(STAGE_BACKGROUND[stage]), avoid), None)], None))
        else:
            code = _weighted_choice(rng, pool, exclude=used | flagged)
            if code is None:
                items.append(([(_pick(rng, NEAR_MISSES, avoid), None)], None))
                continue
            used.add(code)
            if judgement == "no":
                tone = rng.choices(["neg", "met", "pos"], [0.62, 0.3, 0.08])[0]
            else:
                tone = rng.choices(["met", "pos", "neg"], [0.55, 0.4, 0.05])[0]
                if tone == "neg":
                    tone = "cav" if BANK[code].get("cav") else "met"
            allowed = safe_extra - {code} if tone == "neg" else ALL_CODES
            items.append((_bank_parts(code, tone, rng, allowed, avoid), tone))

    if with_details:
        items.insert(rng.randrange(len(items) + 1), ([(_pick(rng, DETAIL_SENTENCES, avoid), None)], "detail"))
    rng.shuffle(items)
    ordered = opener + items + closer

    typo_index = rng.randrange(len(ordered)) if rng.random() < 0.05 else -1
    text = ""
    spans: list[tuple[int, int, tuple[str, ...]]] = []
    details: list[tuple[int, int, str, str]] = []
    written: set[str] = set()
    for i, (parts, tone) in enumerate(ordered):
        piece = _build(filler, parts, typo=i == typo_index, tone=tone)
        if piece.text in written and not piece.spans and text:
            continue  # a neutral sentence drawn twice: leave the repeat out
        written.add(piece.text)
        if text:
            text += "\n\n" if (len(ordered) >= 4 and rng.random() < 0.07) else " "
        off = len(text)
        text += piece.text
        spans.extend((off + a, off + b, cs) for a, b, cs in piece.spans)
        details.extend((off + a, off + b, k, t) for a, b, k, t in piece.details)
    text = unicodedata.normalize("NFC", text)
    return text, spans, details


def _weighted_choice(rng: random.Random, pool: dict[str, float], exclude: set[str] | None = None) -> str | None:
    """Pick a code from a stage pool by weight, skipping `exclude`."""
    names = [c for c in pool if not exclude or c not in exclude]
    if not names:
        return None
    return rng.choices(names, [pool[c] for c in names])[0]


def _inductive_parts(code: str, rng: random.Random) -> list[tuple[str, tuple[str, ...] | None]]:
    """A sentence for an inductive (non-codebook) code, sometimes carrying a codebook code too."""
    entry = rng.choice(INDUCTIVE_BANK[code])
    if isinstance(entry, tuple):
        tpl, extra = entry
        return [(tpl, (code, *extra))]
    return [(entry, (code,))]


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def plan(n_cases: int = BASE_CASES, seed: int = 2025) -> list[Case]:
    """The case plan behind the corpus: metadata, judgements and theme flags (no text)."""
    return _plan_cases(n_cases, random.Random(f"themecode-demo-plan:{seed}"))


def generate(n_cases: int = BASE_CASES, seed: int = 2025) -> tuple[list[dict], list[dict], list[dict]]:
    """Generate (commentary rows, gold codings, planted personal details) for `n_cases` cases."""
    if n_cases < 1:
        raise ValueError(f"n_cases must be at least 1, got {n_cases}")
    cases = plan(n_cases, seed)
    rng = random.Random(f"themecode-demo-text:{seed}")
    rows: list[dict] = []
    gold: list[dict] = []
    personal: list[dict] = []
    seen: set[str] = set()
    for case in cases:
        for stage in STAGES:
            doc_id = f"{case.case_id}-{STAGE_LETTER[stage]}"
            with_details = rng.random() < 0.125
            for _attempt in range(50):
                text, spans, details = _commentary(rng, case, stage, with_details)
                if text not in seen:
                    break
            else:  # pragma: no cover - would need an absurdly small phrase bank
                raise RuntimeError(f"could not write a unique commentary for {doc_id}")
            seen.add(text)
            rows.append({
                "id": doc_id,
                "case_id": case.case_id,
                "stage": stage,
                "judgement": case.judgements[stage],
                "text": text,
                "pdu": case.meta["pdu"],
                "region": case.meta["region"],
                "rosh": case.meta["rosh"],
                "likelihood_of_reoffending": case.meta["likelihood_of_reoffending"],
                "case_type": case.meta["case_type"],
                "age_group": case.meta["age_group"],
                "sex": case.meta["sex"],
                "ethnicity": case.meta["ethnicity"],
                "previous_sanctions": case.meta["previous_sanctions"],
            })
            doc_gold = [
                {"doc_id": doc_id, "start": a, "end": b, "code": c, "coder": "gold"}
                for a, b, codes in spans for c in dict.fromkeys(codes)
            ]
            doc_gold.sort(key=lambda g: (g["start"], g["code"], g["end"]))
            gold.extend(doc_gold)
            for a, b, kind, dtext in sorted(details):
                personal.append({"doc_id": doc_id, "start": a, "end": b, "kind": kind, "text": dtext})
    gold.sort(key=lambda g: (g["doc_id"], g["start"], g["code"], g["end"]))
    personal.sort(key=lambda p: (p["doc_id"], p["start"], p["end"]))
    return rows, gold, personal


def case_themes(cases: list[Case]) -> list[dict]:
    """Per-case truth behind the text: theme status (shortfall/met/n/a) and oversight."""
    return [
        {
            "case_id": c.case_id,
            "themes": {k: c.themes[k] for k in FLAG_THEMES},
            "oversight_sufficient": c.oversight_sufficient,
        }
        for c in cases
    ]


def _write_jsonl(path: Path, records: list[dict]) -> None:
    """One JSON object per line, UTF-8, `\\n` line ends, keys in insertion order."""
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")


def write(out_dir: Path, n_cases: int = BASE_CASES, seed: int = 2025) -> None:
    """Generate the corpus and write commentaries.csv, gold-codings.jsonl and the side files."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows, gold, personal = generate(n_cases, seed)
    with (out_dir / "commentaries.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([row[c] for c in COLUMNS])
    _write_jsonl(out_dir / "gold-codings.jsonl", gold)
    _write_jsonl(out_dir / "personal-details.jsonl", personal)
    _write_jsonl(out_dir / "case-themes.jsonl", case_themes(plan(n_cases, seed)))
    inductive = [
        {"id": c["id"], "label": c["label"], "definition": c["definition"], "theme": c["theme"]}
        for c in INDUCTIVE
    ]
    (out_dir / "inductive-codes.json").write_text(
        json.dumps(inductive, ensure_ascii=False, indent=2) + "\n", encoding="utf-8", newline="\n"
    )


def main(argv: list[str] | None = None) -> int:
    """Command line: write the corpus to --out (default corpus/demo)."""
    parser = argparse.ArgumentParser(description="Generate the synthetic themecode demo corpus.")
    parser.add_argument("--cases", type=int, default=BASE_CASES, help="number of cases (4 commentaries each)")
    parser.add_argument("--seed", type=int, default=2025, help="random seed (default 2025)")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "demo", help="output directory")
    args = parser.parse_args(argv)
    if args.cases < 1:
        parser.error("--cases must be at least 1")
    write(args.out, args.cases, args.seed)
    print(f"wrote {args.cases * 4} commentaries for {args.cases} cases to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
