"""Offsets stay right for emoji, combining characters, right-to-left text and CRLF line endings.

Offsets are code points into the imported, `\\n`-normalised NFC text. The same commentaries are
imported from CSV, XLSX and JSONL; spans are coded by searching the stored text; the codings
are exported (JSON Lines and REFI-QDA), re-imported into another project, and every span must
still cover exactly the same characters.
"""

from __future__ import annotations

import csv
import json
import unicodedata
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from openpyxl import Workbook

from themecode.codebook import install_codebook, load_codebook
from themecode.corpus.importer import import_corpus, normalise_text
from themecode.project.codings import export_codings, import_codings
from themecode.store import Store

CODEBOOK = Path(__file__).resolve().parent.parent / "codebooks" / "public-protection.yaml"

RAW = {
    "D1": "Family 👩\u200d👩\u200d👧 seen at home; risk rose 🚨 after the call-out.\r\n"
          "The PoP said she felt safe 🙂.",
    "D2": "Cafe\u0301 manager and the Zoe\u0308 case (decomposed accents).\r\n\r\n"
          "Combining without a precomposed form: q\u0303 and x\u0301\u0327 stay separate code points.",
    "D3": "Interpreter note in Arabic: \u0627\u0644\u0639\u0631\u0628\u064a\u0629 then "
          "Hebrew \u05e9\u05dc\u05d5\u05dd.\rOld Mac line ending above. 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 maths.",
    "D4": "\r\n  Leading and trailing white space and CRLF lines.\r\nSecond 😀 line.\r\n  ",
}
# What to code in each document: substrings of the normalised text.
TARGETS = {
    "D1": [("👩\u200d👩\u200d👧", "home_visits"), ("🚨 after the call-out", "da_checks"),
           ("felt safe 🙂", "self_report")],
    "D2": [("Café", "spo_oversight"), ("Zoë case", "da_checks"),
           # NFC puts the cedilla (class 202) before the acute (230): the stored order
           ("q\u0303 and x\u0327\u0301", "home_visits")],
    "D3": [("\u0627\u0644\u0639\u0631\u0628\u064a\u0629", "da_checks"),
           ("Old Mac line", "self_report"), ("𝔘𝔫𝔦𝔠𝔬𝔡𝔢 maths.", "spo_oversight")],
    "D4": [("Leading", "home_visits"), ("Second 😀 line.", "da_checks")],
}


def _rows() -> list[dict[str, str]]:
    return [{"id": k, "case_id": f"C{k}", "stage": "assessment", "text": v} for k, v in RAW.items()]


def write_corpus(path: Path) -> Path:
    """The raw commentaries (CRLF and all) as CSV, XLSX or JSONL, by the file's suffix."""
    rows = _rows()
    if path.suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
    elif path.suffix == ".xlsx":
        wb = Workbook()
        ws = wb.active
        ws.append(list(rows[0]))
        for r in rows:
            ws.append(list(r.values()))
        wb.save(path)
    else:
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _codes(store: Store) -> dict[str, str]:
    """Map the short names above to real codes of the bundled codebook."""
    ids = [c.id for c in store.codes(kind="code")]
    return {name: ids[i] for i, name in
            enumerate(["home_visits", "da_checks", "self_report", "spo_oversight"])}


def new_project(tmp_path: Path, name: str, corpus: Path | None) -> Store:
    """A project with the bundled codebook and, if given, the corpus imported."""
    store = Store.create(tmp_path / name)
    install_codebook(store, load_codebook(CODEBOOK), "lead")
    if corpus is not None:
        import_corpus(store, corpus, coder="lead")
    return store


def code_targets(store: Store, coder: str = "amy") -> set[tuple[str, int, int, str, str]]:
    """Code every target where it occurs in the stored text; returns (doc, start, end, code, text)."""
    codes = _codes(store)
    out = set()
    for doc_id, targets in TARGETS.items():
        text = store.document(doc_id).text
        for target, name in targets:
            start = text.index(target)
            c = store.add_coding(doc_id, start, start + len(target), codes[name], coder)
            out.add((doc_id, c.start, c.end, c.code_id, text[c.start:c.end]))
    return out


def stored_spans(store: Store) -> set[tuple[str, int, int, str, str]]:
    """Live codings with the text they cover."""
    return {(c.document_id, c.start, c.end, c.code_id, store.document(c.document_id).text[c.start:c.end])
            for c in store.codings()}


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".jsonl"])
def test_import_normalises_once_and_sentences_fit(tmp_path: Path, suffix: str) -> None:
    """Stored text is NFC with `\\n` only; sentence spans slice it within bounds, in order."""
    store = new_project(tmp_path, "p.db", write_corpus(tmp_path / f"c{suffix}"))
    for doc_id, raw in RAW.items():
        doc = store.document(doc_id)
        assert doc.text == normalise_text(raw)
        assert "\r" not in doc.text and unicodedata.is_normalized("NFC", doc.text)
        last = 0
        for s in store.sentences(doc_id):
            assert last <= s.start < s.end <= len(doc.text)
            last = s.end
        for target, _ in TARGETS[doc_id]:
            assert target in doc.text
    # the CRLF became one code point: the second line starts right after the `\n`
    d1 = store.document("D1").text
    assert d1[d1.index("\n") + 1:].startswith("The PoP")
    store.close()


def test_codings_survive_export_and_reimport_from_another_format(tmp_path: Path) -> None:
    """Code (CSV import) → export JSONL → import into a project built from XLSX: same characters."""
    a = new_project(tmp_path, "a.db", write_corpus(tmp_path / "c.csv"))
    coded = code_targets(a)
    assert len(coded) == sum(len(t) for t in TARGETS.values())
    for doc_id, s, e, _, text in coded:
        assert any(text == t for t, _ in TARGETS[doc_id]), (doc_id, s, e, text)
    out = tmp_path / "codings.jsonl"
    assert export_codings(a, out) == len(coded)
    for line in out.read_text(encoding="utf-8").splitlines():
        obj = json.loads(line)
        text = a.document(obj["doc_id"]).text[obj["start"]:obj["end"]]
        assert any(text == t for t, _ in TARGETS[obj["doc_id"]])
    b = new_project(tmp_path, "b.db", write_corpus(tmp_path / "c.xlsx"))
    res = import_codings(b, out, coder="amy")
    assert res.imported == len(coded)
    assert stored_spans(b) == coded
    # and a second round trip through JSONL changes nothing
    out2 = tmp_path / "codings2.jsonl"
    export_codings(b, out2)
    assert out2.read_bytes() == out.read_bytes()
    a.close()
    b.close()


def test_codings_survive_a_refi_qdpx_round_trip(tmp_path: Path) -> None:
    """REFI-QDA: selection offsets slice the exported source text; re-import gives the same spans."""
    import themecode.refi.exporter as refi
    from themecode.refi.importer import import_qdpx

    a = new_project(tmp_path, "a.db", write_corpus(tmp_path / "c.jsonl"))
    coded = code_targets(a)
    qdpx = tmp_path / "project.qdpx"
    refi.export_qdpx(a, qdpx, actor="amy", redact=False, confirmed_unredacted=True)
    with zipfile.ZipFile(qdpx) as zf:
        root = ET.fromstring(zf.read("project.qde"))
        seen = set()
        for src in root.iter():
            if not src.tag.endswith("TextSource"):
                continue
            name = src.get("name")
            path = src.get("plainTextPath", "").replace("internal://", "sources/")
            text = zf.read(path).decode("utf-8")
            assert text == a.document(name).text
            for sel in src:
                if sel.tag.endswith("PlainTextSelection"):
                    s, e = int(sel.get("startPosition")), int(sel.get("endPosition"))
                    seen.add((name, s, e, text[s:e]))
    assert seen == {(d, s, e, t) for d, s, e, _, t in coded}
    b = Store.create(tmp_path / "b.db")
    import_qdpx(b, qdpx, coder="lead")
    assert stored_spans(b) == coded
    a.close()
    b.close()
