"""Tests for themecode.redact.engine: each identifier kind, what must be kept, offsets, planted-set figures."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from redact_planted import covered as _covered
from redact_planted import generate

from themecode.redact.engine import (
    PLACEHOLDERS,
    STRUCTURED_KINDS,
    RedactionError,
    Redactor,
    find_structured,
    redaction_report,
)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def redactor() -> Redactor:
    return Redactor()


@pytest.fixture(scope="module")
def spacy_redactor() -> Redactor:
    return Redactor(engine="spacy")


def kinds(red) -> list[tuple[str, str]]:
    return [(s.kind, s.original) for s in red.spans]


@pytest.mark.parametrize(
    ("text", "kind", "original"),
    [
        ("seen on 12/03/2022 at home", "DATE", "12/03/2022"),
        ("seen on 12.03.22 at home", "DATE", "12.03.22"),
        ("seen on 3 March 2022 at home", "DATE", "3 March 2022"),
        ("seen on 3rd March at home", "DATE", "3rd March"),
        ("seen on the 3rd of March 2022.", "DATE", "3rd of March 2022"),
        ("recalled in March 2022 after", "DATE", "March 2022"),
        ("seen on March 3rd, 2022 at home", "DATE", "March 3rd, 2022"),
        ("seen on Monday 4 April 2022 at home", "DATE", "Monday 4 April 2022"),
        ("seen on 2022-03-12 at home", "DATE", "2022-03-12"),
        ("his CRN is X482913 on nDelius", "CASE_REF", "X482913"),
        ("prison number A1234BC noted", "CASE_REF", "A1234BC"),
        ("PNC 2019/0123456X was checked", "CASE_REF", "2019/0123456X"),
        ("call 07700 900123 today", "PHONE", "07700 900123"),
        ("call 07700900123 today", "PHONE", "07700900123"),
        ("call +44 7700 900123 today", "PHONE", "+44 7700 900123"),
        ("call +44 (0)1632 960123 today", "PHONE", "+44 (0)1632 960123"),
        ("call 0161 496 0123 today", "PHONE", "0161 496 0123"),
        ("call (01632) 960123 today", "PHONE", "(01632) 960123"),
        ("mail j.smith@example.org now", "EMAIL", "j.smith@example.org"),
        ("lives at ME14 2AB now", "POSTCODE", "ME14 2AB"),
        ("lives at SW1A 1AA now", "POSTCODE", "SW1A 1AA"),
        ("NI number AB 12 34 56 C given", "NI_NUMBER", "AB 12 34 56 C"),
        ("NI number JK123456D given", "NI_NUMBER", "JK123456D"),
        ("moved to 12 Elm Tree Close last", "PLACE", "12 Elm Tree Close"),
        ("moved to Station Road last", "PLACE", "Station Road"),
    ],
)
def test_structured_identifiers(redactor: Redactor, text: str, kind: str, original: str) -> None:
    red = redactor.redact(text)
    assert (kind, original) in kinds(red)
    assert original not in red.text
    assert PLACEHOLDERS[kind] in red.text


@pytest.mark.parametrize(
    "text",
    [
        "May the PoP be recalled? In May the OASys was reviewed; he may attend.",
        "He reports on Monday and on Fridays; the review was due in June.",
        "MAPPA level 2, category 3; RSR 4.5% and OVP 30/40; in 2019 he had 12 convictions.",
        "Covid-19 affected contact; the SPO reviewed version 1.2.3 of the plan.",
        "The Building Better Relationships programme and the Thinking Skills Programme.",
        "West Kent PDU, Derby City PDU and Hammersmith, Fulham, Kensington, Chelsea and "
        "Westminster PDU all referred to the Probation Service and the Police.",
        "The SPO, the PO and the PSO used OASys, nDelius, RoSH and the Sexual Harm Prevention "
        "Order; Children's Services and Approved Premises were told.",
        "Overall, the risk management plan was weak. Unfortunately no home visit took place.",
    ],
)
def test_ordinary_text_is_not_redacted(redactor: Redactor, text: str) -> None:
    red = redactor.redact(text)
    assert red.spans == (), kinds(red)
    assert red.text == text


def test_titles_keep_the_title_and_hide_the_name(redactor: Redactor) -> None:
    red = redactor.redact("Mr Smith met Dr J. Patel and Mrs O'Brien; Ms Baker-White was late.")
    assert red.text == "Mr [NAME] met Dr [NAME] and Mrs [NAME]; Ms [NAME] was late."


def test_heuristic_names(redactor: Redactor) -> None:
    # unknown capitalised words mid-sentence are names; neighbours join; sentence-start words are
    # names when they are not English words, or when the same word is a name elsewhere.
    red = redactor.redact(
        "The victim, Oksana Petrescu, was not contacted. Petrescu later moved to Gravesend. "
        "Kowalski was recalled and John White's partner was told."
    )
    assert kinds(red) == [
        ("NAME", "Oksana Petrescu"),
        ("NAME", "Petrescu"),
        ("PLACE", "Gravesend"),
        ("NAME", "Kowalski"),
        ("NAME", "John White"),
    ]


@pytest.mark.parametrize("engine", ["fast", "spacy"])
def test_a_kept_phrase_protects_its_head_not_its_last_word(engine: str) -> None:
    # "Ministry" heads "Ministry of Justice"; "Justice" opening a sentence before a verb of
    # doing is a first name, while the phrase itself is kept
    red = Redactor(engine=engine).redact(
        "The Ministry of Justice funds the scheme. Justice missed two appointments. "
        "Ministry staff were told. Department for Work and Pensions letters were sent."
    )
    assert kinds(red) == [("NAME", "Justice")]


def test_project_lists(redactor: Redactor) -> None:
    text = "Zed Quill lives in Little Snoring near Hope Valley; Kaizen was offered."
    custom = Redactor(
        extra_names=["Zed Quill"], extra_places=["Little Snoring", "Hope Valley"], keep=["Quill"]
    )
    assert custom.redact(text).text == "[NAME] lives in [PLACE] near [PLACE]; Kaizen was offered."
    kept = Redactor(keep=["Grimsby Project"])
    assert kept.redact("She attends the Grimsby Project weekly.").spans == ()
    assert redactor.redact("She attends the Grimsby Project weekly.").spans != ()


def test_regex_engine_and_errors() -> None:
    r = Redactor(extra_names=["Zed Quill"], engine="regex")
    red = r.redact("Zed Quill called 07700 900123; Petrescu did not.")
    assert kinds(red) == [("NAME", "Zed Quill"), ("PHONE", "07700 900123")]
    with pytest.raises(RedactionError, match="unknown redaction engine"):
        Redactor(engine="bert")


def test_spans_offsets_and_mapping(redactor: Redactor) -> None:
    text = "On 3 March 2022 Mr Smith called 07700 900123 about Petrescu."
    red = redactor.redact(text)
    for sp in red.spans:
        assert text[sp.start : sp.end] == sp.original
    assert red.text == "On [DATE] Mr [NAME] called [PHONE] about [NAME]."
    # rebuilding from the spans gives the redacted text
    pos, parts = 0, []
    for sp in red.spans:
        parts += [text[pos : sp.start], sp.placeholder]
        pos = sp.end
    assert "".join(parts + [text[pos:]]) == red.text
    assert red.map_offset(0) == 0
    assert red.map_offset(len(text)) == len(red.text)
    s = text.index("Mr")
    assert red.map_offset(s) == red.text.index("Mr")
    inside = text.index("March")  # strictly inside the date
    assert red.map_offset(inside, side="start") == red.text.index("[DATE]")
    assert red.map_offset(inside, side="end") == red.text.index("[DATE]") + len("[DATE]")
    # any original range maps to whole placeholders, never a fragment of a detail
    assert red.slice(text.index("Smith"), text.index("about")) == "[NAME] called [PHONE] "
    assert red.slice(text.index("March"), text.index("March") + 3) == "[DATE]"
    with pytest.raises(ValueError):
        red.map_offset(len(text) + 1)


def test_redaction_report(redactor: Redactor) -> None:
    red = redactor.redact("Seen by Mr Smith on 3 March 2022.")
    rows = redaction_report([("doc-1", red)], context=11)
    assert [(r["doc_id"], r["kind"], r["original"], r["placeholder"]) for r in rows] == [
        ("doc-1", "NAME", "Smith", "[NAME]"),
        ("doc-1", "DATE", "3 March 2022", "[DATE]"),
    ]
    assert rows[0]["context"] == "Seen by Mr ⟦Smith⟧ on 3 March…"  # 11 characters each side
    assert json.dumps(rows)


def test_spacy_engine_leaves_the_shared_pipeline_alone() -> None:
    from themecode.corpus.nlp import get_nlp

    before = list(get_nlp().pipe_names)
    r = Redactor(engine="spacy")
    r.redact("Mr Smith met Petrescu on 3 March 2022.")
    assert get_nlp().pipe_names == before


def test_find_structured_rejects_impossible_dates_and_phone_lengths() -> None:
    assert find_structured("scored 45/67/89 and 13/13/2022") == []
    assert [k for *_x, k in find_structured("call 0770 090 and 01632 960123 4567 8")] == ["PHONE"]


# --------------------------------------------------------------------------- planted set


def planted_figures(r: Redactor, docs) -> dict:
    total, hit = Counter(), Counter()
    n_ordinary = over = 0
    missed: list[str] = []
    for d in docs:
        red = r.redact(d.text)
        for s, e, k in d.identifiers:
            total[k] += 1
            if _covered(red.spans, s, e):
                hit[k] += 1
            else:
                missed.append(f"{k}: {d.text[s:e]!r}")
        for s, e, _w in d.ordinary:
            n_ordinary += 1
            over += any(sp.start < e and sp.end > s for sp in red.spans)
    return {"total": total, "hit": hit, "n_ordinary": n_ordinary, "over": over, "missed": missed}


@pytest.mark.parametrize("engine", ["fast", "spacy"])
def test_planted_identifiers(engine: str, redactor: Redactor, spacy_redactor: Redactor) -> None:
    r = redactor if engine == "fast" else spacy_redactor
    docs = generate(80, seed=20240601)
    f = planted_figures(r, docs)
    total, hit = f["total"], f["hit"]
    assert sum(total.values()) >= 200
    # NHS numbers are planted by the hard set (tests/test_redact_hard.py), not this one
    assert set(total) >= (STRUCTURED_KINDS - {"NHS_NUMBER"}) | {"NAME", "PLACE"}
    print(f"\n[{engine}] planted identifiers: {sum(total.values())}")
    for k in sorted(total):
        print(f"  {k:10s} {hit[k]:4d}/{total[k]:4d} = {hit[k] / total[k]:.1%}")
    rate = f["over"] / f["n_ordinary"]
    print(f"  ordinary capitalised words redacted: {f['over']}/{f['n_ordinary']} = {rate:.2%}")
    print("  missed:", f["missed"][:10])
    for k in STRUCTURED_KINDS:
        assert hit[k] == total[k], (k, f["missed"])
    assert hit["PLACE"] / total["PLACE"] >= 0.95
    assert hit["NAME"] / total["NAME"] >= 0.95
    assert rate <= 0.02


def test_engines_agree_on_planted_set(redactor: Redactor, spacy_redactor: Redactor) -> None:
    docs = generate(60, seed=99)
    differ = [
        d.text for d in docs if kinds(redactor.redact(d.text)) != kinds(spacy_redactor.redact(d.text))
    ]
    assert len(differ) <= len(docs) * 0.02, differ[:3]


# --------------------------------------------------------------------------- the demo corpus

PERSONAL = ROOT / "corpus" / "demo" / "personal-details.jsonl"
TITLE = re.compile(r"(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.? ")
COMMENTARIES = ROOT / "corpus" / "demo" / "commentaries.csv"


@pytest.mark.skipif(
    not (PERSONAL.exists() and COMMENTARIES.exists()),
    reason="corpus/demo/personal-details.jsonl is generated by the demo builder",
)
def test_recall_on_demo_personal_details(redactor: Redactor) -> None:
    with COMMENTARIES.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    id_col = next(c for c in ("doc_id", "document_id", "id") if c in rows[0])
    text_col = next(c for c in ("text", "commentary") if c in rows[0])
    texts = {r[id_col]: r[text_col] for r in rows}
    planted = [json.loads(line) for line in PERSONAL.read_text(encoding="utf-8").splitlines() if line]
    by_doc: dict[str, list[dict]] = {}
    for p in planted:
        by_doc.setdefault(str(p["doc_id"]), []).append(p)
    total, hit = Counter(), Counter()
    missed = []
    for doc_id, items in by_doc.items():
        red = redactor.redact(texts[doc_id])
        for p in items:
            kind = str(p["kind"]).upper().replace(" ", "_")
            kind = {"NI": "NI_NUMBER"}.get(kind, kind)
            total[kind] += 1
            # a title is kept on purpose ("Mr [NAME]"): the name after it must be covered
            title = TITLE.match(texts[doc_id], p["start"], p["end"])
            start = title.end() if title else p["start"]
            if _covered(red.spans, start, p["end"]):
                hit[kind] += 1
            else:
                missed.append((kind, texts[doc_id][p["start"] : p["end"]]))
    print(f"\ndemo personal details: {sum(total.values())} in {len(by_doc)} commentaries")
    for k in sorted(total):
        print(f"  {k:10s} {hit[k]:4d}/{total[k]:4d} = {hit[k] / total[k]:.1%}")
    print("  missed:", missed[:15])
    for k in total:
        if k in STRUCTURED_KINDS:
            assert hit[k] == total[k], (k, [m for m in missed if m[0] == k])
    assert total["NAME"] and hit["NAME"] / total["NAME"] >= 0.95
    n_over = 0
    for doc_id, text in texts.items():
        spans = [(p["start"], p["end"]) for p in by_doc.get(doc_id, [])]
        n_over += sum(
            1
            for sp in redactor.redact(text).spans
            if not any(s < sp.end and sp.start < e for s, e in spans)
        )
    print(f"  redactions outside planted details: {n_over} in {len(texts)} commentaries")
    assert n_over <= len(texts) * 0.01


# --------------------------------------------------------------------------- invariants

FRAGMENTS = st.sampled_from(
    [
        "Mr Smith", "Dr J. Patel", "Petrescu", "on 3 March 2022", "12/03/2022", "X482913",
        "07700 900123", "+44 (0)1632 960123", "a.b@example.org", "ME14 2AB", "QQ 12 34 56 C",
        "12 Elm Tree Close", "Clacton-on-Sea", "West Kent", "MAPPA", "OASys", "Monday", "May",
        "the PoP", ". ", ", ", "\n", " ", "'s", "-", "(", ")", "Smith-Jones", "O'Brien", "Zoë",
    ]
)
TEXTS = st.lists(st.one_of(FRAGMENTS, st.text(max_size=12)), max_size=25).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=TEXTS)
def test_redaction_invariants(redactor: Redactor, text: str) -> None:
    red = redactor.redact(text)
    prev_end = 0
    parts = []
    for sp in red.spans:
        assert prev_end <= sp.start < sp.end <= len(text)
        assert text[sp.start : sp.end] == sp.original
        assert sp.kind in PLACEHOLDERS
        parts += [text[prev_end : sp.start], sp.placeholder]
        prev_end = sp.end
    assert "".join(parts + [text[prev_end:]]) == red.text
    mapped = [red.map_offset(i) for i in range(len(text) + 1)]
    assert mapped == sorted(mapped)
    assert mapped[0] == 0 and mapped[-1] == len(red.text)
    # a span's own range maps exactly onto its placeholder
    for sp in red.spans:
        assert red.slice(sp.start, sp.end) == sp.placeholder


def test_empty_and_blank_text(redactor: Redactor, spacy_redactor: Redactor) -> None:
    for r in (redactor, spacy_redactor):
        for text in ("", " ", "\n\n"):
            red = r.redact(text)
            assert (red.text, red.spans) == (text, ())


@pytest.mark.parametrize("engine", ["fast", "spacy"])
def test_listed_terms_match_with_an_initial_capital(engine: str) -> None:
    r = Redactor(extra_names=["quill"], extra_places=["little snoring"], engine=engine)
    red = r.redact("Quill moved to Little snoring.")
    assert kinds(red) == [("NAME", "Quill"), ("PLACE", "Little snoring")]


@pytest.mark.parametrize("engine", ["fast", "spacy"])
def test_isolated_capitalised_word_is_a_name_but_sector_words_are_not(engine: str) -> None:
    r = Redactor(engine=engine)
    red = r.redact("His partner Florin said that Hope would call; the Panel met Florin, not Mum.")
    assert kinds(red) == [("NAME", "Florin"), ("NAME", "Hope"), ("NAME", "Florin")]
    kept = "He lived with Mum, was on Supervision and went to Panel; the Plan was late."
    assert r.redact(kept).spans == ()
