"""The data an export carries: options, extracts, per-code sections with prevalence, results.

Built by `themecode.export.extracts.collect_extracts`; read by every writer (`export.text`,
`export.tables`, `export.docx`).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from themecode.store import Code


@dataclass(frozen=True)
class ExportOptions:
    """What to export: filters (AND across kinds), machine codings, context size and metadata.

    `where` pairs are ANDed across columns and ORed within one column; `context` is how many
    neighbouring sentences to show on each side of the sentences a span touches.
    """

    codes: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    where: tuple[tuple[str, str], ...] = ()
    coder: str | None = None
    include_machine: bool = False
    context: int = 1
    metadata_columns: tuple[str, ...] | None = None

    def describe(self) -> dict[str, Any]:
        """The options as JSON-safe data, for the event log and the export header."""
        d = asdict(self)
        d["where"] = [f"{k}={v}" for k, v in self.where]
        return d


@dataclass(slots=True)
class Extract:
    """One coded span with its context and attributes; texts are redacted when the export is."""

    code_id: str
    theme_id: str | None
    document_id: str
    case_id: str
    stage: str | None
    coder: str
    source: str  # "human" or "machine"
    start: int
    end: int
    text: str
    before: str
    after: str
    metadata: dict[str, Any]
    judgement: str = ""
    score: float | None = None
    coding_id: int | None = None
    memo: str | None = None
    coders: tuple[str, ...] = ()
    full_chars: int = 0  # the coded span's length when `text` is shortened (0: it is whole)

    @property
    def note(self) -> str:
        """What a reader must know about this extract: "" or that it was shortened."""
        if not self.full_chars:
            return ""
        return (f"Shortened: the coded span has {self.full_chars:,} characters; the middle is "
                f"left out here (commentary {self.document_id}, characters "
                f"{self.start:,}–{self.end:,}).")

    def __post_init__(self) -> None:
        if not self.coders:
            self.coders = (self.coder,)

    def add_coder(self, coder: str, memo: str | None) -> None:
        """Another coder gave this span the same code: list them (`coder` reads "ann, bob")
        and keep both memos."""
        if coder not in self.coders:
            self.coders = (*self.coders, coder)
            self.coder = ", ".join(self.coders)
        if memo and memo != self.memo:
            self.memo = f"{self.memo} / {memo}" if self.memo else memo

    @property
    def context(self) -> str:
        """The span with its surrounding sentences, as one string."""
        return f"{self.before}{self.text}{self.after}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form."""
        return {
            "code": self.code_id, "theme": self.theme_id, "document_id": self.document_id,
            "case_id": self.case_id, "stage": self.stage, "judgement": self.judgement,
            "coder": self.coder, "coders": list(self.coders), "source": self.source,
            "score": self.score,
            "start": self.start, "end": self.end, "text": self.text,
            "context_before": self.before, "context_after": self.after,
            "metadata": self.metadata, "memo": self.memo, "note": self.note,
        }


# Longer coded spans are shown shortened (a whole 200 KB commentary coded once made a 61-page
# quote); context beyond this many characters on either side is left out.
MAX_EXTRACT_CHARS = 1_500
MAX_CONTEXT_CHARS = 500


def shorten_middle(text: str, limit: int = MAX_EXTRACT_CHARS) -> str:
    """`text` cut to about `limit` characters: its start and end, joined by " […] ", cut at
    spaces and never inside a placeholder such as "[CASE REF]"."""
    head = _cut_words(text[: int(limit * 0.75)], keep_start=True)
    tail = _cut_words(text[-int(limit * 0.2) :], keep_start=False)
    return f"{head} […] {tail}"


def shorten_context(before: str, after: str, limit: int = MAX_CONTEXT_CHARS) -> tuple[str, str]:
    """Context cut to `limit` characters each side (nearest the extract kept), marked with …."""
    if len(before) > limit:
        before = "… " + _cut_words(before[-limit:], keep_start=False) + " "
    if len(after) > limit:
        after = " " + _cut_words(after[:limit], keep_start=True) + " …"
    return before, after


def _cut_words(piece: str, *, keep_start: bool) -> str:
    """A piece cut back to whole words and whole placeholders at its open end."""
    if keep_start:
        cut = piece.rsplit(None, 1)[0] if " " in piece.strip() else piece
        if cut.rfind("[") > cut.rfind("]"):
            cut = cut[: cut.rfind("[")]
        return cut.rstrip()
    parts = piece.split(None, 1)
    cut = parts[1] if len(parts) > 1 else piece
    if cut.find("]") != -1 and (cut.find("[") == -1 or cut.find("]") < cut.find("[")):
        cut = cut[cut.find("]") + 1 :]
    return cut.lstrip()


@dataclass
class CodeSection:
    """A code with its prevalence and extracts."""

    code: Code
    n_documents: int
    n_cases: int
    n_machine_documents: int = 0
    corpus_estimate: dict[str, Any] | None = None
    extracts: list[Extract] = field(default_factory=list)

    def prevalence_line(self, data: ExportData) -> str:
        """'12 of 40 coded cases (30%; 60 sampled), 15 of their 160 commentaries (9%)', plus any
        corpus estimate stored by autocode."""
        of_sample = f"; {data.n_sampled_cases:,} sampled" if data.sampled else ""
        parts = [
            f"{self.n_cases:,} of {data.n_cases:,} coded cases "
            f"({_pct(self.n_cases, data.n_cases)}{of_sample})",
            f"{self.n_documents:,} of their {data.n_documents:,} commentaries "
            f"({_pct(self.n_documents, data.n_documents)})",
        ]
        line = ", ".join(parts)
        if self.n_machine_documents:
            line += f"; machine-coded in {self.n_machine_documents} commentaries"
        est = _estimate_text(self.corpus_estimate)
        if est:
            line += f"; estimated for the whole corpus: {est}"
        return line


@dataclass
class ThemeSection:
    """A theme (or the group of codes without a theme) and its code sections."""

    theme: Code | None
    codes: list[CodeSection]

    @property
    def id(self) -> str | None:
        """The theme id (None for ungrouped codes)."""
        return self.theme.id if self.theme else None

    @property
    def label(self) -> str:
        """The theme label."""
        return self.theme.label if self.theme else "Codes without a theme"


@dataclass
class ExportData:
    """Everything an export writes; `redacted` says whether texts went through the redactor."""

    project: str
    generated_at: str
    options: ExportOptions
    redacted: bool
    sampled: bool
    n_cases: int  # coded cases (in the sample, if drawn) passing the filters: the denominator
    n_documents: int
    metadata_columns: list[str]
    themes: list[ThemeSection]
    redactions: list[dict[str, Any]] = field(default_factory=list)
    units: list[tuple[str, str, str | None]] = field(default_factory=list)
    n_sampled_cases: int = 0

    def sections(self) -> list[CodeSection]:
        """Every code section in codebook order."""
        return [c for t in self.themes for c in t.codes]

    def extracts(self) -> list[Extract]:
        """Every extract in codebook then document order."""
        return [e for c in self.sections() for e in c.extracts]

    def to_dict(self) -> dict[str, Any]:
        """The structured JSON export."""
        return {
            **self.header_dict(),
            "themes": [
                {
                    **self.theme_dict(t),
                    "codes": [
                        {**self.code_dict(c), "extracts": [e.to_dict() for e in c.extracts]}
                        for c in t.codes
                    ],
                }
                for t in self.themes
            ],
        }

    # The JSON export's parts, for `to_dict` and the streaming writer (`export.text.write_json`):
    # each is its object without the list that comes last in it.
    def header_dict(self) -> dict[str, Any]:
        """The JSON export's keys before "themes"."""
        return {
            "project": self.project,
            "generated_at": self.generated_at,
            "filters": self.options.describe(),
            "redacted": self.redacted,
            "denominators": {"sampled": self.sampled, "sampled_cases": self.n_sampled_cases,
                             "coded_cases": self.n_cases,
                             "commentaries": self.n_documents},
        }

    @staticmethod
    def theme_dict(t: ThemeSection) -> dict[str, Any]:
        """A theme's keys before "codes"."""
        return {"id": t.id, "label": t.label, "definition": t.theme.definition if t.theme else ""}

    def code_dict(self, c: CodeSection) -> dict[str, Any]:
        """A code's keys before "extracts"."""
        return {
            "id": c.code.id, "label": c.code.label,
            "definition": c.code.definition, "inclusion": c.code.inclusion,
            "exclusion": c.code.exclusion,
            "prevalence": {
                "cases": c.n_cases, "commentaries": c.n_documents,
                "of_cases": self.n_cases, "of_commentaries": self.n_documents,
                "machine_commentaries": c.n_machine_documents,
                "corpus_estimate": c.corpus_estimate,
            },
        }


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote."""

    paths: tuple[Path, ...]
    n_extracts: int
    n_codes: int
    redacted: bool
    n_redactions: int
    side_report: Path | None
    warnings: tuple[str, ...] = ()


def _pct(n: int, d: int) -> str:
    return f"{100 * n / d:.0f}%" if d else "n/a"


def _estimate_text(est: dict[str, Any] | None) -> str:
    """A corpus estimate stored by autocode, as a short phrase (whatever fields it carries)."""
    if not est:
        return ""
    if isinstance(est.get("estimate"), (int, float)):  # themecode.suggest.autocode's Prevalence
        text = f"{100 * est['estimate']:.0f}% of all cases"
        if isinstance(est.get("low"), (int, float)) and isinstance(est.get("high"), (int, float)):
            text += f" (95% interval {100 * est['low']:.0f}–{100 * est['high']:.0f}%)"
        return text
    bits = []
    for key in ("documents", "commentaries", "cases"):
        if isinstance(est.get(key), (int, float)):
            bits.append(f"{est[key]:,.0f} {'commentaries' if key != 'cases' else 'cases'}")
    for key in ("share", "fraction", "prevalence", "rate"):
        if isinstance(est.get(key), (int, float)):
            bits.append(f"{100 * est[key]:.0f}%")
            break
    if "value" in est and isinstance(est["value"], (int, float)):
        bits.append(f"{est['value']:.3g}")
    return ", ".join(bits) or json.dumps(est, sort_keys=True)


# Cell safety shared by the table writers and the redaction side report: text that starts with a
# formula trigger gets a `'` so a spreadsheet never runs it (CSV/formula injection).
INJECTION_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_TRIGGERS = frozenset(INJECTION_PREFIXES)


def neutralise(value: Any) -> Any:
    """A cell value safe for spreadsheets: text starting with a formula trigger gets a `'` prefix."""
    if isinstance(value, str) and value[:1] in _TRIGGERS:
        return "'" + value
    return value
