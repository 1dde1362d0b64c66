"""Readable themed-extract documents: Markdown, self-contained HTML, and structured JSON."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from themecode.export.model import CodeSection, ExportData, Extract

_MD_SPECIAL = re.compile(r"([\\`*_<>\[\]#|])")
_PLACEHOLDER = re.compile(r"\\\[([A-Z][A-Z ]*)\\\]")


def md_escape(text: str) -> str:
    """Escape Markdown syntax so commentary text renders as written (placeholders stay `[NAME]`)."""
    escaped = _MD_SPECIAL.sub(r"\\\1", text).replace("\n", " ")
    return _PLACEHOLDER.sub(r"[\1]", escaped)


def attribution(e: Extract, columns: list[str] | None = None) -> str:
    """'case C001 · assessment · judgement: no · pdu: Gwent · coder: ann' for one extract."""
    bits = [f"case {e.case_id}"]
    if e.stage:
        bits.append(e.stage)
    if e.judgement:
        bits.append(f"judgement: {e.judgement}")
    for col in columns if columns is not None else list(e.metadata):
        val = e.metadata.get(col)
        if col in ("judgement", "stage") or val in (None, ""):
            continue
        bits.append(f"{col}: {val}")
    if e.source == "machine":
        score = f", score {e.score:.2f}" if e.score is not None else ""
        bits.append(f"MACHINE-CODED ({e.coder}{score})")
    else:
        bits.append(f"coder: {e.coder}")
    return " · ".join(bits)


def _header_lines(data: ExportData) -> list[str]:
    filters = data.options.describe()
    active = {k: v for k, v in filters.items() if v not in ((), [], None, False)
              and k not in ("context", "metadata_columns")}
    lines = [
        f"Project: {data.project} · generated {data.generated_at}",
        "Redaction: " + ("on (personal details replaced by typed placeholders)" if data.redacted
                         else "OFF - this file contains personal details"),
        f"Denominators: {data.n_cases:,} coded cases"
        f"{f' (of {data.n_sampled_cases:,} sampled)' if data.sampled else ''}, "
        f"their {data.n_documents:,} commentaries",
    ]
    if active:
        lines.append("Filters: " + "; ".join(
            f"{k} = {', '.join(map(str, v)) if isinstance(v, (list, tuple)) else v}"
            for k, v in active.items()))
    if data.options.include_machine:
        lines.append("Machine codings are included and labelled MACHINE-CODED.")
    return lines


def render_markdown(data: ExportData) -> str:
    """The themed extracts as Markdown: theme headings, code definitions, prevalence, quotes."""
    out = ["# Themed extracts", ""]
    out += [f"- {md_escape(line)}" for line in _header_lines(data)]
    out.append("")
    for theme in data.themes:
        out += [f"## {md_escape(theme.label)}", ""]
        if theme.theme and theme.theme.definition:
            out += [md_escape(theme.theme.definition), ""]
        for section in theme.codes:
            out += _md_code(section, data)
    return "\n".join(out).rstrip() + "\n"


def _md_code(section: CodeSection, data: ExportData) -> list[str]:
    code = section.code
    out = [f"### {md_escape(code.label)} (`{code.id}`)", ""]
    if code.definition:
        out += [f"*Definition:* {md_escape(code.definition)}", ""]
    out += [f"*Prevalence:* {md_escape(section.prevalence_line(data))}", ""]
    if not section.extracts:
        out += ["No extracts.", ""]
    for e in section.extracts:
        quote = f"{md_escape(e.before)}**{md_escape(e.text)}**{md_escape(e.after)}"
        out += [f"> {quote}", ">", f"> — {md_escape(attribution(e, data.metadata_columns))}"]
        if e.note:
            out += [">", f"> *{md_escape(e.note)}*"]
        out.append("")
    return out


def write_markdown(data: ExportData, out: Path) -> None:
    """Write the Markdown export."""
    out.write_text(render_markdown(data), encoding="utf-8")


_CSS = """
body{font:16px/1.55 Georgia,'Times New Roman',serif;max-width:54rem;margin:2rem auto;
padding:0 1rem;color:#1f2328;background:#fff}
h1,h2,h3{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;line-height:1.25}
h2{border-bottom:2px solid #d0d7de;padding-bottom:.3rem;margin-top:2.5rem}
.meta{font:13px/1.5 system-ui,sans-serif;color:#57606a;background:#f6f8fa;padding:.6rem 1rem;
border-radius:6px}.warn{color:#9a2617;font-weight:600}
.def{font-style:italic}.prev{font:14px system-ui,sans-serif;color:#0b5394}
blockquote{margin:1rem 0;padding:.4rem 1rem;border-left:4px solid #8fa9c9;background:#fafbfc}
blockquote mark{background:#fff3b0;padding:0 .1em}
blockquote footer{font:13px system-ui,sans-serif;color:#57606a;margin-top:.3rem}
.note{font-style:italic;color:#8a5a00}
.machine{border-left-color:#c98f2e}.machine footer{color:#8a5a00}
code{font-size:.85em;color:#57606a}
nav.toc{font:14px/1.5 system-ui,sans-serif;background:#f6f8fa;border:1px solid #d0d7de;
border-radius:6px;padding:.4rem 1rem;margin:1rem 0}nav.toc h2{border:0;margin:.3rem 0;
font-size:1rem}nav.toc ol{margin:.1rem 0;padding-left:1.3rem}nav.toc ol ol{font-size:13px}
nav.toc .n{color:#57606a}
@page{size:A4;margin:18mm 16mm}
@media print{body{max-width:none;margin:0;font-size:11pt}nav.toc{break-after:page}
h2,h3{break-after:avoid}blockquote{break-inside:avoid}a{color:inherit;text-decoration:none}}
"""


def render_html(data: ExportData) -> str:
    """The themed extracts as one self-contained HTML page (inline CSS, no external resources)."""
    esc = html.escape
    parts = [
        "<!DOCTYPE html><html lang='en-GB'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>Themed extracts - {esc(data.project)}</title><style>{_CSS}</style></head><body>",
        "<h1>Themed extracts</h1><div class='meta'>",
    ]
    for line in _header_lines(data):
        cls = " class='warn'" if "OFF" in line else ""
        parts.append(f"<div{cls}>{esc(line)}</div>")
    parts.append("</div>")
    # contents: every theme and code, linked to its anchor
    toc = ["<nav class='toc' aria-label='Contents'><h2>Contents</h2><ol>"]
    for t_i, theme in enumerate(data.themes):
        toc.append(f"<li><a href='#theme-{t_i}'>{esc(theme.label)}</a><ol>")
        toc += [f"<li><a href='#code-{esc(sec.code.id)}'>{esc(sec.code.label)}</a> "
                f"<span class='n'>({len(sec.extracts):,})</span></li>" for sec in theme.codes]
        toc.append("</ol></li>")
    parts.append("".join(toc) + "</ol></nav>")
    for t_i, theme in enumerate(data.themes):
        parts.append(f"<h2 id='theme-{t_i}'>{esc(theme.label)}</h2>")
        if theme.theme and theme.theme.definition:
            parts.append(f"<p>{esc(theme.theme.definition)}</p>")
        for section in theme.codes:
            code = section.code
            parts.append(f"<h3 id='code-{esc(code.id)}'>{esc(code.label)} "
                         f"<code>{esc(code.id)}</code></h3>")
            if code.definition:
                parts.append(f"<p class='def'>{esc(code.definition)}</p>")
            parts.append(f"<p class='prev'>{esc(section.prevalence_line(data))}</p>")
            if not section.extracts:
                parts.append("<p>No extracts.</p>")
            for e in section.extracts:
                cls = " class='machine'" if e.source == "machine" else ""
                parts.append(
                    f"<blockquote{cls}><p>{esc(e.before)}<mark>{esc(e.text)}</mark>"
                    f"{esc(e.after)}</p><footer>— {esc(attribution(e, data.metadata_columns))}"
                    + (f"<br><span class='note'>{esc(e.note)}</span>" if e.note else "")
                    + "</footer></blockquote>"
                )
    parts.append("</body></html>\n")
    return "\n".join(parts)


def write_html(data: ExportData, out: Path) -> None:
    """Write the HTML export."""
    out.write_text(render_html(data), encoding="utf-8")


def write_json(data: ExportData, out: Path) -> None:
    """Write the structured JSON export (themes → codes → prevalence and extracts), streamed.

    The file holds exactly `json.dumps(data.to_dict(), ensure_ascii=False, default=str)` and a
    line break, written code by code without building that dict or string: what extracts
    share (their code, commentary, coder, metadata) is encoded once.
    """
    enc = _JsonExtracts()
    dumps = enc.dumps

    def opened(obj: dict[str, Any]) -> str:  # an object without its closing brace
        return dumps(obj)[:-1]

    with out.open("w", encoding="utf-8") as fh:
        fh.write(opened(data.header_dict()) + ', "themes": [')
        for i, theme in enumerate(data.themes):
            fh.write((", " if i else "") + opened(data.theme_dict(theme)) + ', "codes": [')
            for j, section in enumerate(theme.codes):
                fh.write((", " if j else "") + opened(data.code_dict(section)) + ', "extracts": [')
                enc.write(fh, section.extracts)
                fh.write("]}")
            fh.write("]}")
        fh.write("]}\n")


class _JsonExtracts:
    """Writes extracts as json.dumps(ensure_ascii=False) writes `Extract.to_dict`, encoding what
    they share (code, commentary, coder, metadata) once."""

    def __init__(self) -> None:
        self._codes: dict[tuple[str, str | None], str] = {}
        self._docs: dict[tuple[str, str, str | None, str], str] = {}
        self._coders: dict[tuple[tuple[str, ...], str], str] = {}
        self._metas: dict[int, tuple[Any, str]] = {}

    @staticmethod
    def dumps(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, default=str)

    def _value(self, value: Any) -> str:
        cls = value.__class__
        if cls is str:
            return _json_str(value)
        return "null" if value is None else str(value) if cls is int else self.dumps(value)

    def write(self, fh: TextIO, extracts: list[Extract]) -> None:
        """The extracts joined by ", ", written in chunks."""
        enc, text = self._value, _json_str
        codes, docs, coders, metas = self._codes, self._docs, self._coders, self._metas
        buf: list[str] = []
        sep = ""
        for e in extracts:
            code = codes.get((e.code_id, e.theme_id))
            if code is None:
                code = codes[(e.code_id, e.theme_id)] = (
                    f'{{"code": {enc(e.code_id)}, "theme": {enc(e.theme_id)}, ')
            key = (e.document_id, e.case_id, e.stage, e.judgement)
            doc = docs.get(key)
            if doc is None:
                doc = docs[key] = (
                    f'"document_id": {enc(e.document_id)}, "case_id": {enc(e.case_id)}, '
                    f'"stage": {enc(e.stage)}, "judgement": {enc(e.judgement)}, '
                )
            who = coders.get((e.coders, e.source))
            if who is None:
                who = coders[(e.coders, e.source)] = (
                    f'"coder": {enc(e.coder)}, "coders": {self.dumps(list(e.coders))}, '
                    f'"source": {enc(e.source)}, ')
            meta = metas.get(id(e.metadata))
            if meta is None:  # the dict is kept in the cache, so its id is not reused meanwhile
                meta = metas[id(e.metadata)] = (e.metadata, self.dumps(e.metadata))
            start, end, score, memo = e.start, e.end, e.score, e.memo
            buf.append(
                f'{code}{doc}{who}"score": {"null" if score is None else enc(score)}, '
                f'"start": {start if start.__class__ is int else enc(start)}, '
                f'"end": {end if end.__class__ is int else enc(end)}, '
                f'"text": {text(e.text)}, "context_before": {text(e.before)}, '
                f'"context_after": {text(e.after)}, "metadata": {meta[1]}, '
                f'"memo": {"null" if memo is None else enc(memo)}, "note": {text(e.note)}}}'
            )
            if len(buf) >= 2000:
                fh.write(sep + ", ".join(buf))
                buf.clear()
                sep = ", "
        if buf:
            fh.write(sep + ", ".join(buf))


# What json.dumps(ensure_ascii=False) encodes strings with (the C encoder when there is one).
_json_str: Callable[[str], str] = json.encoder.encode_basestring
