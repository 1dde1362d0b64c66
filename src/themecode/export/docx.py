"""A draft report chapter as DOCX: a heading per theme, prevalence, and the best extracts as quotes.

How extracts are chosen (`choose_quotes`), per code:
1. Typicality: each human extract's coded span is compared (TF-IDF cosine, word uni+bigrams) with
   the centroid of all the code's spans; spans near the centroid say what most coders coded.
   When the suggester (`themecode.suggest.suggester`) can be loaded, its score for the code is averaged in.
2. Readability: spans under 40 or over 600 characters have their score halved.
3. Variety: one candidate per span and per wording (two coders on one span, or two commentaries
   with the same sentence, give one candidate). Quotes are then picked greedily by score, first
   requiring a new PDU, a new case and wording unlike the chosen quotes (TF-IDF cosine <= 0.6),
   then a new case and unlike wording, then anything left, until `per_code` are chosen.
Machine codings are quoted only when a code has no human extracts, and are labelled. A code with
more than 2,000 distinct extracts is scored on a fixed pseudo-random 2,000 of them (by a hash of
document id and offset), so a draft from a 100,000-commentary project stays quick.
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

QUOTES_PER_CODE = 3
MAX_CANDIDATES = 2000  # codes with more distinct extracts are scored on a fixed sample
NEAR_DUPLICATE = 0.6  # TF-IDF cosine above which two quotes say the same thing
MIN_CHARS, MAX_CHARS = 40, 600

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


def choose_quotes(
    section: CodeSection,
    per_code: int = QUOTES_PER_CODE,
    scorer: Scorer | None = None,
) -> list[Extract]:
    """The `per_code` best extracts of a code (see the module docstring for the rule)."""
    human = [e for e in section.extracts if e.source == "human"] or list(section.extracts)
    pool: list[Extract] = []
    seen_spans: set[tuple[str, int, int]] = set()
    seen_texts: set[str] = set()
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
    matrix = _tfidf([e.text for e in pool]) if len(pool) > 1 else None
    scores = typicality([e.text for e in pool], matrix)
    if scorer is not None:
        top = sorted(range(len(pool)), key=lambda i: -scores[i])[:25]
        extra = scorer(section.code.id, [pool[i].text for i in top])
        for i, s in zip(top, extra, strict=True):
            scores[i] = (scores[i] + s) / 2
    for i, e in enumerate(pool):
        if not MIN_CHARS <= len(e.text) <= MAX_CHARS:
            scores[i] /= 2
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
            if i in chosen:
                continue
            e = pool[i]
            if rule != "any" and e.case_id in {pool[j].case_id for j in chosen}:
                continue
            if rule == "new pdu and case" and str(e.metadata.get("pdu", "")) in {
                str(pool[j].metadata.get("pdu", "")) for j in chosen
            }:
                continue
            if rule != "any" and similar(i):
                continue
            chosen.append(i)
    return [pool[i] for i in chosen]


def write_docx(
    data: ExportData, out: Path, *, per_code: int = QUOTES_PER_CODE, store: object | None = None
) -> None:
    """Write the draft chapter (python-docx; opens in Word and LibreOffice)."""
    from docx import Document
    from docx.shared import Pt, RGBColor

    from themecode.export.text import attribution

    scorer = _suggester_scorer(store)
    doc = Document()
    doc.core_properties.title = f"Themes - {data.project}"
    doc.add_heading("Themes", level=0)
    intro = doc.add_paragraph()
    intro.add_run(
        f"Draft generated by themecode from {data.project} on {data.generated_at[:10]}. "
        f"Prevalence counts are of the {data.n_cases:,} coded cases"
        f"{f' (of {data.n_sampled_cases:,} sampled)' if data.sampled else ''} and their "
        f"{data.n_documents:,} commentaries. Quotes are the most typical coded extracts of each "
        "code, varied across PDUs and cases. "
    )
    red = intro.add_run(
        "Personal details have been replaced by typed placeholders; check the redaction report "
        "before publishing." if data.redacted
        else "NOT REDACTED: this draft contains personal details."
    )
    red.bold = not data.redacted
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
            quotes = choose_quotes(section, per_code, scorer)
            if not quotes:
                doc.add_paragraph("No extracts yet.")
            for e in quotes:
                quote = doc.add_paragraph(style="Quote")
                quote.add_run(f"“{e.text.strip()}”")
                who = doc.add_paragraph()
                run = who.add_run(f"— {attribution(e, [c for c in ('pdu', 'rosh') if c in e.metadata])}")
                run.font.size = Pt(9)
    doc.save(str(out))


def _pct(n: int, d: int) -> str:
    return f"{100 * n / d:.0f}%" if d else "n/a"
