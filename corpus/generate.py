"""Generate themecode's synthetic demo corpus: inspection cases, commentaries, gold codings.

Real inspection commentaries are confidential, so the demo ships an invented corpus whose case mix
follows the published figures of the 2022-23 public protection bulletin (see
../shared/domain.md) and whose text is written from a bank of hand-written sentence patterns with
slot fillers (phrases.json beside this file). Every sentence is invented. The output is
deterministic: the same arguments give the same bytes on every machine and Python run.

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
from typing import Any, NamedTuple

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
# Phrase bank: every sentence pattern was written for this corpus; none is copied from
# inspection reports. The patterns live in phrases.json beside this file (notes on each section
# there); slots in braces are filled per commentary (see Filler.slot). Lists keep their file
# order, which random.choice depends on, and are read back as tuples (the code tells a
# (template, codes) entry from a plain template by its type).
# --------------------------------------------------------------------------------------------


def _frozen(value: Any) -> Any:
    """JSON arrays as tuples, recursively (sentence parts are (template, codes) pairs)."""
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, dict):
        return {k: _frozen(v) for k, v in value.items()}
    return value


PHRASES_PATH = Path(__file__).parent / "phrases.json"
_PHRASES: dict[str, Any] = _frozen(json.loads(PHRASES_PATH.read_text(encoding="utf-8")))
MONTHS: tuple[str, ...] = _PHRASES["months"]
ROSH_WORDS: dict[str, str] = _PHRASES["rosh_words"]
MALE_NAMES: tuple[str, ...] = _PHRASES["male_names"]
FEMALE_NAMES: tuple[str, ...] = _PHRASES["female_names"]
SURNAMES: tuple[str, ...] = _PHRASES["surnames"]
TOWNS: tuple[str, ...] = _PHRASES["towns"]
POSTCODE_AREAS: tuple[str, ...] = _PHRASES["postcode_areas"]
VAGUE_WHEN: tuple[str, ...] = _PHRASES["vague_when"]
VAGUE_PLACE: tuple[str, ...] = _PHRASES["vague_place"]
PARTNERS_M: tuple[str, ...] = _PHRASES["partners_m"]
PARTNERS_F: tuple[str, ...] = _PHRASES["partners_f"]
CHILDREN: tuple[str, ...] = _PHRASES["children"]
OFFENCES: tuple[str, ...] = _PHRASES["offences"]
MISSPELLINGS: dict[str, str] = _PHRASES["misspellings"]
CONNECTORS: tuple[str, ...] = _PHRASES["connectors"]
LOWERABLE = frozenset(_PHRASES["lowerable"])
HEDGES: tuple[str, ...] = _PHRASES["hedges"]
NEG_TAILS: tuple[str, ...] = _PHRASES["neg_tails"]
POS_TAILS: tuple[str, ...] = _PHRASES["pos_tails"]
FACT_TAILS: tuple[str, ...] = _PHRASES["fact_tails"]
SYNONYMS: dict[str, tuple[str, ...]] = _PHRASES["synonyms"]
SLOTS: dict[str, tuple[str, ...]] = {**_PHRASES["slots"], "offence": OFFENCES}
BANK: dict[str, dict[str, tuple[str, ...]]] = _PHRASES["bank"]
IMPLICIT: dict[str, dict[str, tuple[str, ...]]] = _PHRASES["implicit"]
DUALS: tuple[dict, ...] = _PHRASES["duals"]
INDUCTIVE: tuple[dict, ...] = _PHRASES["inductive"]
INDUCTIVE_BANK: dict[str, tuple] = _PHRASES["inductive_bank"]
BACKGROUND: dict[str, tuple[str, ...]] = _PHRASES["background"]
NEAR_MISSES: tuple[str, ...] = _PHRASES["near_misses"]
AGE_WORDS: dict[str, str] = _PHRASES["age_words"]
STAGE_BACKGROUND: dict[str, tuple[str, ...]] = _PHRASES["stage_background"]
STAGE_WORK: dict[str, tuple[str, ...]] = _PHRASES["stage_work"]
SUMMARIES: dict[str, tuple[str, ...]] = _PHRASES["summaries"]
DETAIL_SENTENCES: tuple[str, ...] = _PHRASES["detail_sentences"]
for _code, _tones in IMPLICIT.items():
    for _tone, _extra in _tones.items():
        BANK[_code][_tone] = BANK[_code][_tone] + _extra

PRAISE = re.compile(r"good practice|good to see|positive|commend|strength|excellent|impressive|stood out")
SYNONYM_RE = re.compile("|".join(re.escape(k) for k in sorted(SYNONYMS, key=len, reverse=True)))

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
