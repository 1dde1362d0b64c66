"""The committed demo corpus matches the bulletin's figures, is well formed and is reproducible."""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path
from types import ModuleType

import pytest
import yaml
from by_path import load_by_path

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "corpus" / "demo"
N = 1748
STAGES = ("assessment", "planning", "implementation", "reviewing")

ANNEX_B = {
    "age_group": {"18-24": 265, "25-29": 286, "30-39": 617, "40-59": 520, "60+": 50},
    "sex": {"male": 1474, "female": 224},
    "ethnicity": {"white": 1317, "ethnic minority": 313},
    "likelihood_of_reoffending": {"low": 987, "medium": 405, "high/very high": 280},
    "rosh": {"low": 346, "medium": 1013, "high/very high": 275},
    "case_type": {"community": 970, "post-custody": 577},
    "previous_sanctions": {"none": 283, "1": 176, "2-5": 382, "6-10": 268, "11-20": 294, "21+": 326},
}
POSITIVE_RATES = {
    "assessment": {"all": 0.325, "low": 0.286, "medium": 0.306, "high/very high": 0.549},
    "planning": {"all": 0.411, "low": 0.405, "medium": 0.393, "high/very high": 0.633},
    "implementation": {"all": 0.352, "low": 0.442, "medium": 0.303, "high/very high": 0.478},
    "reviewing": {"all": 0.409, "low": 0.465, "medium": 0.373, "high/very high": 0.482},
}
THEME_RATES = {
    "domestic_abuse_checks": 0.39,
    "child_safeguarding": 0.33,
    "contingency_planning": 0.56,
    "contact_level": 0.41,
    "multi_agency": 0.49,
}
THEME_STAGE = {
    "domestic_abuse_checks": "assessment",
    "child_safeguarding": "assessment",
    "contingency_planning": "planning",
    "contact_level": "implementation",
    "multi_agency": "implementation",
}
PDUS = {
    "Gwent", "Swansea and Neath Port Talbot", "West Kent", "West Sussex", "Essex North",
    "Northamptonshire", "Birmingham North, East and Solihull", "Staffordshire and Stoke",
    "Warwickshire", "Hammersmith, Fulham, Kensington, Chelsea and Westminster",
    "Ealing and Hillingdon", "South Tyneside and Gateshead", "Derby City",
    "Leicester, Leicestershire and Rutland", "Kirklees", "Sheffield",
    "Hull and East Riding of Yorkshire", "North and North-East Lancashire", "Tameside", "Wigan",
    "Blackburn and Darwen", "Cumbria", "Portsmouth and the Isle of Wight", "Somerset", "Dorset",
    "Bristol and South Gloucestershire",
}
COLUMNS = [
    "id", "case_id", "stage", "judgement", "text", "pdu", "region", "rosh",
    "likelihood_of_reoffending", "case_type", "age_group", "sex", "ethnicity",
    "previous_sanctions",
]
DETAIL_KINDS = {"NAME", "DATE", "PLACE", "CASE REF", "PHONE", "EMAIL", "POSTCODE", "NI"}


def _load_generator() -> ModuleType:
    return load_by_path("themecode_demo_generate", REPO / "corpus" / "generate.py")


def _jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


@pytest.fixture(scope="module")
def gen() -> ModuleType:
    return _load_generator()


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    with (DEMO / "commentaries.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def cases(rows: list[dict]) -> dict[str, dict]:
    return {r["case_id"]: r for r in rows}


@pytest.fixture(scope="module")
def gold() -> list[dict]:
    return _jsonl(DEMO / "gold-codings.jsonl")


@pytest.fixture(scope="module")
def personal() -> list[dict]:
    return _jsonl(DEMO / "personal-details.jsonl")


@pytest.fixture(scope="module")
def codebook_ids() -> set[str]:
    book = yaml.safe_load((REPO / "codebooks" / "public-protection.yaml").read_text(encoding="utf-8"))
    return {c["id"] for theme in book["themes"] for c in theme["codes"]}


@pytest.fixture(scope="module")
def inductive() -> list[dict]:
    return json.loads((DEMO / "inductive-codes.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def code_cases(gold: list[dict]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for g in gold:
        out[g["code"]].add(g["doc_id"].rsplit("-", 1)[0])
    return out


def test_shape_ids_and_value_spellings(rows: list[dict], cases: dict[str, dict]) -> None:
    header = (DEMO / "commentaries.csv").read_text(encoding="utf-8").split("\n", 1)[0]
    assert header.split(",") == COLUMNS
    assert len(rows) == 4 * N and len(cases) == N
    letters = {"assessment": "A", "planning": "P", "implementation": "I", "reviewing": "R"}
    for r in rows:
        assert re.fullmatch(r"C\d{4}", r["case_id"])
        assert r["id"] == f"{r['case_id']}-{letters[r['stage']]}"
        assert r["judgement"] in {"yes", "no"}
    assert len({r["id"] for r in rows}) == len(rows)
    for var, counts in ANNEX_B.items():
        assert {r[var] for r in rows} <= set(counts) | {""}, var


def test_marginals_within_one_point_of_annex_b(cases: dict[str, dict]) -> None:
    for var, counts in ANNEX_B.items():
        got = Counter(c[var] for c in cases.values())
        for value, expected in counts.items():
            assert abs(got[value] - expected) / N <= 0.01, (var, value, got[value], expected)
        assert got[""] == N - sum(got[v] for v in counts), var


def test_all_26_pdus_with_a_consistent_region(cases: dict[str, dict]) -> None:
    assert {c["pdu"] for c in cases.values()} == PDUS
    region_of: dict[str, set[str]] = defaultdict(set)
    for c in cases.values():
        region_of[c["pdu"]].add(c["region"])
    assert all(len(r) == 1 for r in region_of.values())
    regions = {c["region"] for c in cases.values()}
    assert "Wales" in regions and 11 <= len(regions) <= 12
    per_pdu = Counter(c["pdu"] for c in cases.values())
    assert min(per_pdu.values()) >= 40 and max(per_pdu.values()) <= 100


def test_judgement_rates_by_stage_and_rosh(rows: list[dict]) -> None:
    for stage, rates in POSITIVE_RATES.items():
        stage_rows = [r for r in rows if r["stage"] == stage]
        for level, expected in rates.items():
            sub = stage_rows if level == "all" else [r for r in stage_rows if r["rosh"] == level]
            got = sum(r["judgement"] == "yes" for r in sub) / len(sub)
            assert abs(got - expected) <= 0.03, (stage, level, got, expected)


def test_older_people_and_first_offenders_fare_markedly_better(rows: list[dict]) -> None:
    overall = sum(r["judgement"] == "yes" for r in rows) / len(rows)
    for var, value in (("age_group", "60+"), ("previous_sanctions", "none")):
        sub = [r for r in rows if r[var] == value]
        rate = sum(r["judgement"] == "yes" for r in sub) / len(sub)
        assert rate >= overall + 0.10, (var, value, rate, overall)


def test_theme_rates_match_the_bulletin_and_are_written_into_the_text(
    rows: list[dict], gold: list[dict]
) -> None:
    themes = _jsonl(DEMO / "case-themes.jsonl")
    assert len(themes) == N
    by_doc: dict[str, set[str]] = defaultdict(set)
    for g in gold:
        by_doc[g["doc_id"]].add(g["code"])
    judgement = {r["id"]: r["judgement"] for r in rows}
    letters = {"assessment": "A", "planning": "P", "implementation": "I", "reviewing": "R"}
    for code, expected in THEME_RATES.items():
        relevant = [t for t in themes if t["themes"][code] != "n/a"]
        shortfall = [t for t in relevant if t["themes"][code] == "shortfall"]
        assert abs(len(shortfall) / len(relevant) - expected) <= 0.02, code
        on_no = 0
        for t in shortfall:
            doc = f"{t['case_id']}-{letters[THEME_STAGE[code]]}"
            assert code in by_doc[doc], (code, doc)  # every planted shortfall is in the text
            on_no += judgement[doc] == "no"
        assert on_no / len(shortfall) >= 0.85, code  # shortfalls sit mostly on "no" judgements


def test_content_agrees_with_judgement(rows: list[dict], gold: list[dict], codebook_ids: set[str]) -> None:
    by_doc: dict[str, set[str]] = defaultdict(set)
    for g in gold:
        by_doc[g["doc_id"]].add(g["code"])
    topical = codebook_ids - {"positive_practice"}
    for r in rows:
        if r["judgement"] == "no":
            assert by_doc[r["id"]] & topical, r["id"]
    pos_yes = sum("positive_practice" in by_doc[r["id"]] for r in rows if r["judgement"] == "yes")
    pos_no = sum("positive_practice" in by_doc[r["id"]] for r in rows if r["judgement"] == "no")
    n_yes = sum(r["judgement"] == "yes" for r in rows)
    assert pos_yes / n_yes > 3 * pos_no / (len(rows) - n_yes)


def test_codes_and_long_tail(
    gold: list[dict], codebook_ids: set[str], inductive: list[dict], code_cases: dict[str, set[str]], gen: ModuleType
) -> None:
    assert set(gen.CODEBOOK_CODES) == codebook_ids
    ind_ids = {c["id"] for c in inductive}
    assert len(ind_ids) >= 10 and not ind_ids & codebook_ids
    for c in inductive:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", c["id"]) and c["label"] and c["definition"] and c["theme"]
    assert {g["code"] for g in gold} == codebook_ids | ind_ids
    shares = {code: len(code_cases[code]) / N for code in ind_ids}
    assert sum(s > 0.05 for s in shares.values()) >= 2
    assert sum(s < 0.01 for s in shares.values()) >= 2
    assert sum(0 < s < 0.003 for s in shares.values()) >= 2


def test_enough_sentence_patterns_per_common_code(gen: ModuleType, code_cases: dict[str, set[str]]) -> None:
    for code in gen.CODEBOOK_CODES:
        if code == "positive_practice" or len(code_cases[code]) / N < 0.05:
            continue
        patterns = sum(len(v) for v in gen.BANK[code].values())
        patterns += sum(code in d["codes"] for d in gen.DUALS)
        assert patterns >= 12, code


def test_commentaries_are_unique_and_normalised(rows: list[dict]) -> None:
    texts = [r["text"] for r in rows]
    assert len(set(texts)) == len(texts)
    for t in texts:
        assert t == unicodedata.normalize("NFC", t)
        assert t == t.strip() and "\r" not in t and "  " not in t and "\n\n\n" not in t
        assert t[-1] in ".!?"
        assert "e.g." not in t and "Mr." not in t and "Ms." not in t


def test_sentence_counts_with_the_shared_sentencizer(rows: list[dict], gold: list[dict]) -> None:
    from themecode.corpus.nlp import split_sentences

    texts = [r["text"] for r in rows]
    counts = []
    bounds: dict[str, list[tuple[int, int]]] = {}
    for r, sents in zip(rows, split_sentences(texts), strict=True):
        counts.append(len(sents))
        bounds[r["id"]] = [(s.start, s.end) for s in sents]
    assert min(counts) >= 1 and max(counts) <= 8
    assert sorted(counts)[len(counts) // 2] == 4
    for r, n in zip(rows, counts, strict=True):  # the sentencizer splits exactly where intended
        assert n == len(re.findall(r"[.!?](?=\s|$)", r["text"])), r["id"]
    for g in gold:  # every gold span lies inside one sentence
        assert any(a <= g["start"] and g["end"] <= b for a, b in bounds[g["doc_id"]]), g


def test_gold_spans_are_valid_and_sorted(rows: list[dict], gold: list[dict]) -> None:
    text = {r["id"]: r["text"] for r in rows}
    for g in gold:
        assert set(g) == {"doc_id", "start", "end", "code", "coder"} and g["coder"] == "gold"
        t = text[g["doc_id"]]
        assert 0 <= g["start"] < g["end"] <= len(t)
        span = t[g["start"]:g["end"]]
        assert span == span.strip() and not span.startswith((",", ";"))
    keys = [(g["doc_id"], g["start"], g["code"]) for g in gold]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)


def test_personal_details_are_planted_where_listed(rows: list[dict], personal: list[dict]) -> None:
    text = {r["id"]: r["text"] for r in rows}
    for p in personal:
        assert p["kind"] in DETAIL_KINDS
        assert text[p["doc_id"]][p["start"]:p["end"]] == p["text"]
        assert p["text"] not in PDUS and p["text"] not in {"MAPPA", "Probation Service"}
    share = len({p["doc_id"] for p in personal}) / len(rows)
    assert 0.10 <= share <= 0.15
    kinds = Counter(p["kind"] for p in personal)
    assert set(kinds) == DETAIL_KINDS
    for p in personal:
        if p["kind"] == "CASE REF":
            assert re.fullmatch(r"[A-Z]\d{6}", p["text"])
    # no stray CRN-like reference, e-mail or phone number outside the planted list
    listed = {(p["doc_id"], p["start"]) for p in personal}
    for r in rows:
        for m in re.finditer(r"\b[A-Z]\d{6}\b|\S+@\S+|\b07700 ?900\d{3}\b", r["text"]):
            assert (r["id"], m.start()) in listed, (r["id"], m.group(0))


def _serialise(gen: ModuleType, n: int, seed: int) -> tuple[str, str, str]:
    rows, gold, personal = gen.generate(n, seed)
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for r in rows:
        w.writerow([r[c] for c in COLUMNS])
    return (
        buf.getvalue(),
        "".join(json.dumps(g, ensure_ascii=False) + "\n" for g in gold),
        "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in personal),
    )


def test_generation_is_deterministic_and_scales(gen: ModuleType) -> None:
    a = _serialise(gen, 120, 7)
    b = _serialise(gen, 120, 7)
    assert a == b
    assert _serialise(gen, 120, 8)[0] != a[0]
    rows, _gold, _personal = gen.generate(500, 7)
    assert len(rows) == 2000
    sexes = Counter(r["sex"] for r in rows if r["stage"] == "assessment")
    assert abs(sexes["male"] / 500 - 1474 / N) <= 0.01


def test_committed_files_equal_a_fresh_generation(gen: ModuleType, tmp_path: Path) -> None:
    gen.write(tmp_path, N, 2025)
    for name in ("commentaries.csv", "gold-codings.jsonl", "personal-details.jsonl",
                 "case-themes.jsonl", "inductive-codes.json"):
        assert (tmp_path / name).read_bytes() == (DEMO / name).read_bytes(), name


def test_management_oversight_makes_effective_work_three_times_as_likely(rows: list[dict]) -> None:
    themes = {t["case_id"]: t["oversight_sufficient"] for t in _jsonl(DEMO / "case-themes.jsonl")}
    impl = {r["case_id"]: r["judgement"] == "yes" for r in rows if r["stage"] == "implementation"}
    rate = {}
    for flag in (True, False):
        ids = [c for c, f in themes.items() if f is flag]
        rate[flag] = sum(impl[c] for c in ids) / len(ids)
    assert rate[True] >= 3 * rate[False]


def test_gold_follows_the_codebook_rules(rows: list[dict], gold: list[dict]) -> None:
    text = {r["id"]: r["text"] for r in rows}
    police = re.compile(r"police|call-?out|check|enquir|PPU|protection unit|domestic abuse unit|officers", re.I)
    for g in gold:
        span = text[g["doc_id"]][g["start"]:g["end"]]
        if g["code"] == "domestic_abuse_checks":  # the code is about police information
            assert police.search(span), span
        if g["code"] == "victim_focus":  # victim liaison is coded inductively, not here
            assert "liaison" not in span.lower() and "VLO" not in span, span
    by_span: dict[tuple[str, int, int], set[str]] = defaultdict(set)
    for g in gold:
        by_span[(g["doc_id"], g["start"], g["end"])].add(g["code"])
    for codes in by_span.values():  # praise is always applied together with its topic
        assert codes != {"positive_practice"}
