"""A draft report chapter as DOCX: a heading per theme, prevalence, and the best extracts as quotes.

How extracts are chosen (`choose_quotes`), per code, as an author would:
1. Agreement: when the project has several coders, only extracts of commentaries to which at
   least two coders gave the code are candidates (all extracts when there are none such).
2. Typicality and fit: each candidate's coded span is compared (TF-IDF cosine, word uni+bigrams)
   with the centroid of all the code's spans (what most coders coded) and with the code's label,
   definition and inclusion note (what the code names); the two are averaged. When the
   suggester (`themecode.suggest.suggester`) can be loaded, its score for the code is averaged in.
3. Length: spans between 60 and 350 characters read best as quotes; shorter ones have their
   score halved, longer ones divided by their length over 350 (so long ones come last).
4. Variety: one candidate per span and per wording, and a wording quoted for one code is not
   quoted again for another. Quotes are picked greedily by score, first
   requiring a new PDU and a new case, then a new case, then anything left, and never a quote
   worded like one already chosen (TF-IDF cosine > 0.6): fewer quotes rather than repeats.
Machine codings are quoted only when a code has no human extracts, and are labelled. A code with
more than 2,000 distinct extracts is scored on a fixed pseudo-random 2,000 of them (by a hash of
document id and offset), so a draft from a 100,000-commentary project stays quick. Attributions
name the PDU, RoSH level and stage, never a coder (`publication_attribution`).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from themecode.errors import ThemecodeError
from themecode.review.themes import review_status

if TYPE_CHECKING:
    from themecode.export.model import CodeSection, ExportData, Extract
    from themecode.report.methods import Methods

QUOTES_PER_CODE = 3
MAX_CANDIDATES = 2000  # codes with more distinct extracts are scored on a fixed sample
NEAR_DUPLICATE = 0.6  # TF-IDF cosine above which two quotes say the same thing
MIN_CHARS, MAX_CHARS = 60, 350

Scorer = Callable[[str, Sequence[str]], list[float]]


def _tfidf(texts: Sequence[str]) -> Any:
    """Row-normalised TF-IDF vectors (word uni+bigrams, English stop words out), or None."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    try:
        return TfidfVectorizer(ngram_range=(1, 2), stop_words="english",
                               sublinear_tf=True).fit_transform(texts)
    except ValueError:  # every text was stop words only
        return None


def typicality(texts: Sequence[str], matrix: Any = None) -> list[float]:
    """Cosine similarity of each text to the centroid of all."""
    if not texts:
        return []
    if len(texts) == 1:
        return [1.0]
    import numpy as np

    matrix = _tfidf(texts) if matrix is None else matrix
    if matrix is None:
        return [0.0] * len(texts)
    centroid = np.asarray(matrix.mean(axis=0))
    norm = float(np.linalg.norm(centroid)) or 1.0
    return [float(v) for v in (matrix @ centroid.T).ravel() / norm]


def _suggester_scorer(data_store: object | None) -> Scorer | None:
    """The suggester's score for a code on a text, when `themecode.suggest.suggester` is usable."""
    if data_store is None:
        return None
    try:
        from themecode.suggest.suggester import load_suggester
    except ImportError:
        return None
    try:  # never fit here: an export must not write a model; use one only if already fitted
        suggester = load_suggester(data_store, refit=False)
    except ThemecodeError:
        return None
    if getattr(suggester, "model", None) is None:
        return None

    def score(code_id: str, texts: Sequence[str]) -> list[float]:
        out = []
        for text in texts:
            hits = {s.code_id: s.score for s in suggester.suggest(text, top=50)}
            out.append(float(hits.get(code_id, 0.0)))
        return out

    return score


def _normal(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def agreed(section: CodeSection) -> list[Extract]:
    """Human extracts of commentaries to which two or more coders gave this code."""
    coders_of: dict[str, set[str]] = {}
    for e in section.extracts:
        if e.source == "human":
            coders_of.setdefault(e.document_id, set()).update(e.coders)
    return [e for e in section.extracts
            if e.source == "human" and len(coders_of.get(e.document_id, ())) >= 2]


def choose_quotes(
    section: CodeSection,
    per_code: int = QUOTES_PER_CODE,
    scorer: Scorer | None = None,
    *,
    several_coders: bool = False,
    used: set[str] | None = None,
) -> list[Extract]:
    """The `per_code` best extracts of a code (see the module docstring for the rule); wordings
    in `used` (normalised, quoted for another code of the chapter) are not quoted again, and
    those chosen are added to it."""
    human = [e for e in section.extracts if e.source == "human"]
    if several_coders:
        human = agreed(section) or human
    human = human or list(section.extracts)
    pool: list[Extract] = []
    seen_spans: set[tuple[str, int, int]] = set()
    seen_texts: set[str] = set(used or ())
    for e in human:  # one candidate per span and per wording (coders often agree on a span)
        key, norm = (e.document_id, e.start, e.end), _normal(e.text)
        if key in seen_spans or norm in seen_texts or not norm:
            continue
        seen_spans.add(key)
        seen_texts.add(norm)
        pool.append(e)
    if not pool:
        return []
    if len(pool) > MAX_CANDIDATES:  # a deterministic spread-out sample keeps big exports fast
        pool = sorted(pool, key=lambda e: zlib.crc32(f"{e.document_id}:{e.start}".encode()))
        pool = pool[:MAX_CANDIDATES]
    code = section.code
    named = " ".join(filter(None, (code.label, code.definition, code.inclusion)))
    matrix = _tfidf([e.text for e in pool] + [named]) if named.strip() else None
    if matrix is not None:
        fit = [float(v) for v in (matrix[:-1] @ matrix[-1].T).toarray().ravel()]
        matrix = matrix[:-1]
        scores = [(t + f) / 2 for t, f in zip(typicality([e.text for e in pool], matrix), fit,
                                               strict=True)]
    else:
        matrix = _tfidf([e.text for e in pool]) if len(pool) > 1 else None
        scores = typicality([e.text for e in pool], matrix)
    if scorer is not None:
        top = sorted(range(len(pool)), key=lambda i: -scores[i])[:25]
        extra = scorer(section.code.id, [pool[i].text for i in top])
        for i, s in zip(top, extra, strict=True):
            scores[i] = (scores[i] + s) / 2
    for i, e in enumerate(pool):
        n = len(e.text)
        if n < MIN_CHARS:
            scores[i] /= 2
        elif n > MAX_CHARS:
            scores[i] /= n / MAX_CHARS
    order = sorted(range(len(pool)), key=lambda i: (-scores[i], pool[i].case_id, pool[i].start))
    chosen: list[int] = []

    def similar(i: int) -> bool:
        if matrix is None or not chosen:
            return False
        sims = (matrix[chosen] @ matrix[i].T).toarray().ravel()
        return bool(sims.max() > NEAR_DUPLICATE)

    for rule in ("new pdu and case", "new case", "any"):
        for i in order:
            if len(chosen) >= per_code:
                break
            if i in chosen or similar(i):
                continue
            e = pool[i]
            if rule != "any" and e.case_id in {pool[j].case_id for j in chosen}:
                continue
            if rule == "new pdu and case" and str(e.metadata.get("pdu", "")) in {
                str(pool[j].metadata.get("pdu", "")) for j in chosen
            }:
                continue
            chosen.append(i)
    if used is not None:
        used.update(_normal(pool[i].text) for i in chosen)
    return [pool[i] for i in chosen]


def publication_attribution(e: Extract, *, case_ids: bool = False) -> str:
    """'Gwent PDU · RoSH high · assessment' (plus the case id if asked): no coder names."""
    bits = []
    pdu = e.metadata.get("pdu")
    if pdu not in (None, ""):
        bits.append(f"{pdu} PDU")
    rosh = e.metadata.get("rosh")
    if rosh not in (None, ""):
        bits.append(f"RoSH {rosh}")
    if e.stage:
        bits.append(str(e.stage))
    if case_ids:
        bits.append(f"case {e.case_id}")
    if e.source == "machine":
        bits.append("machine-coded")
    return " · ".join(bits) or "a sampled case"


def write_docx(
    data: ExportData, out: Path, *, per_code: int = QUOTES_PER_CODE, store: object | None = None,
    case_ids: bool = False, methods: Methods | None = None,
) -> None:
    """Write the draft chapter (python-docx; opens in Word and LibreOffice): A4, British English,
    a header, page numbers and real document properties (`export.docx_layout`); `methods` (from
    `report.methods.methods`) adds the methods paragraph and its references after the intro."""
    from docx import Document
    from docx.shared import Pt, RGBColor

    from themecode.export.docx_layout import set_up

    scorer = _suggester_scorer(store)
    coders = {c for e in data.extracts() if e.source == "human" for c in e.coders}
    several = len(coders) >= 2
    used: set[str] = set()  # one wording is quoted once in the chapter
    doc = Document()
    set_up(doc, title=f"Themes - {data.project}", subject="Draft report chapter: themes and quotes",
           header=f"{data.project} · draft chapter · "
                  + ("redacted" if data.redacted else "NOT REDACTED"),
           created=data.generated_at,
           comments="Generated by themecode; quotes are redacted." if data.redacted
           else "Generated by themecode; NOT REDACTED: contains personal details.")
    doc.add_heading("Themes", level=0)
    intro = doc.add_paragraph()
    whose = ("codings of every coder, pooled" if not data.options.coder
             else f"codings of {data.options.coder} only")
    intro.add_run(
        f"Draft generated by themecode from {data.project} on {data.generated_at[:10]}. "
        f"Prevalence counts are of the {data.n_cases:,} coded cases"
        f"{f' (of {data.n_sampled_cases:,} sampled)' if data.sampled else ''} and their "
        f"{data.n_documents:,} commentaries ({whose}). Quotes are typical coded extracts of each "
        "code that read as examples of it, short, and varied across PDUs and cases"
        + ("; with several coders, they come from commentaries that at least two coders gave "
           "the code, where there are any. " if several else ". ")
    )
    red = intro.add_run(
        "Personal details have been replaced by typed placeholders; check the redaction report "
        "before publishing." if data.redacted
        else "NOT REDACTED: this draft contains personal details."
    )
    red.bold = not data.redacted
    if methods is not None:
        methods.add_to_docx(doc, level=1)
    for theme in data.themes:
        doc.add_heading(theme.label, level=1)
        if theme.theme and theme.theme.definition:
            doc.add_paragraph(theme.theme.definition)
        if theme.theme:  # the theme as developed in the themes screen
            doc.add_paragraph().add_run(review_status(theme.theme)).italic = True
        table = doc.add_table(rows=1, cols=3)
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, ("Code", "Cases", "Commentaries"), strict=True):
            cell.text = text
            cell.paragraphs[0].runs[0].bold = True
        for section in theme.codes:
            row = table.add_row().cells
            row[0].text = section.code.label
            row[1].text = f"{section.n_cases} ({_pct(section.n_cases, data.n_cases)})"
            row[2].text = f"{section.n_documents} ({_pct(section.n_documents, data.n_documents)})"
        for section in theme.codes:
            doc.add_heading(section.code.label, level=2)
            if section.code.definition:
                doc.add_paragraph().add_run(section.code.definition).italic = True
            prev = doc.add_paragraph().add_run(section.prevalence_line(data))
            prev.font.size = Pt(10)
            prev.font.color.rgb = RGBColor(0x0B, 0x53, 0x94)
            quotes = choose_quotes(section, per_code, scorer, several_coders=several, used=used)
            if not quotes:
                doc.add_paragraph("No extracts yet.")
            for e in quotes:
                quote = doc.add_paragraph(style="Quote")
                quote.add_run(f"“{e.text.strip()}”")
                who = doc.add_paragraph()
                run = who.add_run(f"— {publication_attribution(e, case_ids=case_ids)}")
                run.font.size = Pt(9)
                if e.note:
                    note = who.add_run(f" ({e.note})")
                    note.italic = True
                    note.font.size = Pt(9)
    doc.save(str(out))


def _pct(n: int, d: int) -> str:
    return f"{100 * n / d:.0f}%" if d else "n/a"
