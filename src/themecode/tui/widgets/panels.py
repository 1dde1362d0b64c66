"""Side panels of the coding screen: case, commentaries, codes applied, codebook, suggestions.

Every panel is given plain data by the screen (attributes down) and renders `rich.text.Text`
built from it, so user text is never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import OptionList, Sparkline
from textual.widgets.option_list import Option

from themecode.store import Case, Code, Coding, Document
from themecode.tui.queries import Progress
from themecode.tui.widgets.commentary import TextPanel, code_colour, short_label, visible_text

# Case metadata shown first, in this order, when present; the rest follow alphabetically.
META_ORDER = ("pdu", "region", "rosh", "case_type", "age_group", "sex", "ethnicity", "likelihood",
              "ogrs", "previous_sanctions")
META_LABELS = {"pdu": "PDU", "rosh": "RoSH", "case_type": "Case type", "age_group": "Age",
               "ogrs": "Reoffending", "likelihood": "Reoffending"}
SUGGESTION_ROWS = 5  # rows of the suggestions list (the screen asks for the top 5)
CODINGS_SHOWN = 6  # lines of the fixed-height "codes on this commentary" box
STATUS_MARK = {"done": "✓", "skipped": "↷", "flagged": "⚑", "open": " "}
DOC_META_SKIP = {"case_id", "stage", "id", "text"}


class RowList(OptionList):
    """An OptionList whose one-line rows can be replaced one at a time.

    `OptionList.replace_option_prompt_at_index` drops every row's rendering and repaints the
    whole list (a codebook of 25 codes: ~10 ms on each coding key); `set_row` re-renders and
    repaints only the row that changed. Rows must stay one line high (no-wrap `Text`).
    """

    def set_row(self, index: int, prompt: Text) -> None:
        """Give row `index` a new one-line prompt, repainting that row only."""
        option = self.get_option_at_index(index)
        option._set_prompt(prompt)  # noqa: SLF001 - what replace_option_prompt_at_index does
        cache = self._option_render_cache
        for key in [k for k in cache.keys() if k[0] is option]:  # noqa: SIM118 - an LRUCache
            cache.discard(key)
        line = self._line_cache.index_to_line.get(index)
        if line is None:  # not laid out yet: the first paint renders it
            self.refresh()
        else:
            self.refresh_lines(line)


def meta_label(key: str) -> str:
    """A metadata column's label as the corpus spells it ("PDU" stays "PDU"), known keys named."""
    if key in META_LABELS:
        return META_LABELS[key]
    text = key.replace("_", " ").strip() or key
    return text[0].upper() + text[1:]


def _fmt(value: Any) -> str:
    return "" if value is None else str(value).strip()


def case_heading(case: Case, position: int, total: int, status: str, gap: str) -> Text:
    """"Case ID  n/N  ✓ done": the case's id, place in the sample and status, `gap` between."""
    t = Text()
    t.append("Case ", "bold")
    t.append(case.id, "bold #e5e9f0")
    t.append(f"{gap}{position}/{total}", "dim")
    if status != "open":
        t.append(f"{gap}{STATUS_MARK.get(status, '')} {status}", "#ebcb8b")
    return t


def meta_items(meta: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, value) of the non-empty metadata fields, the usual ones first (keys in any case)."""
    order = {k: i for i, k in enumerate(META_ORDER)}
    keys = sorted(meta, key=lambda k: (order.get(k.lower(), len(order)), k.lower()))
    return [(meta_label(k), _fmt(meta[k])) for k in keys if _fmt(meta[k])]


def judgement_of(doc: Document) -> str:
    """A commentary's judgement, whatever the case of its column name ("judgement", "Judgement")."""
    for k, v in doc.metadata.items():
        if k.lower() == "judgement":
            return _fmt(v)
    return ""


class CasePanel(TextPanel):
    """The current case: id, place in the sample, status and metadata."""

    def show(self, case: Case, position: int, total: int, status: str) -> None:
        """Render a case header."""
        t = case_heading(case, position, total, status, "   ")
        for label, value in meta_items(case.metadata):
            t.append("\n")
            t.append(f"{label}: ", "dim")
            t.append(value)
        self.set_text(t)


class DocList(TextPanel):
    """The commentaries of the current case with stage, judgement and my status."""

    def show(self, docs: Sequence[Document], current: int, statuses: Mapping[str, str]) -> None:
        """Render the list, marking the current commentary."""
        t = Text()
        if not docs:
            t.append("This case has no commentaries.", "dim")
        for i, d in enumerate(docs):
            if i:
                t.append("\n")
            here = i == current
            t.append("▸ " if here else "  ", "bold #88c0d0")
            t.append(STATUS_MARK.get(statuses.get(d.id, "open"), " "), "#a3be8c")
            t.append(" ")
            t.append((d.stage or "commentary").capitalize(), "bold" if here else "")
            judgement = judgement_of(d)
            if judgement:
                t.append(f"  {judgement}", "dim")
        self.set_text(t)


class ProgressPanel(TextPanel):
    """Progress through the sample, by this coder."""

    def show(self, p: Progress, coder: str) -> None:
        """Render progress counts and a bar."""
        t = Text()
        t.append(f"{coder}", "bold")
        t.append("  progress\n", "dim")
        frac = p.cases_done / p.cases_total if p.cases_total else 0.0
        width = 24
        full = round(frac * width)
        t.append("█" * full, "#a3be8c")
        t.append("░" * (width - full), "#4c566a")
        t.append(f"\nCases         {p.cases_done:>5} / {p.cases_total}")
        t.append(f"\nCommentaries  {p.docs_done:>5} / {p.docs_total if p.docs_total >= 0 else '…'}")
        self.set_text(t)


class SaturationIndicator(Vertical):
    """A live line on saturation: new codes in the last cases, with a sparkline."""

    def compose(self) -> ComposeResult:
        """A text line and a sparkline."""
        yield TextPanel(Text("Saturation: computing…", "dim"), id="sat-text")
        yield Sparkline([], id="sat-spark")

    def show_result(self, data: dict[str, Any], window: int) -> None:
        """Render from a saturation result's `to_dict()`."""
        new = list(data.get("new_per_unit", []))
        recent = new[-window:]
        t = Text()
        t.append("Saturation", "bold")
        t.append("  (ctrl+t: details)\n", "dim")
        n_new, n_cases = sum(recent), len(recent)
        t.append(f"{n_new} new code{'s' * (n_new != 1)} in the last "
                 f"{'case' if n_cases == 1 else f'{n_cases} cases'}\n")
        status = str(data.get("status", "")).replace("_", " ")
        n_codes, n_units = data.get("n_codes_observed", 0), data.get("n_units", 0)
        t.append(f"{n_codes} code{'s' * (n_codes != 1)} in {n_units} case{'s' * (n_units != 1)}",
                 "dim")
        if status:
            t.append(f" · {status}", "#ebcb8b")
        self.query_one("#sat-text", TextPanel).set_text(t)
        spark = self.query_one("#sat-spark", Sparkline)
        spark.data = [float(x) for x in new[-40:]] or [0.0]
        spark.set_class(bool(new), "-visible")

    def show_message(self, message: str) -> None:
        """Render a plain message (e.g. not available)."""
        self.query_one("#sat-text", TextPanel).set_text(Text(message, "dim"))
        spark = self.query_one("#sat-spark", Sparkline)
        spark.data = []
        spark.remove_class("-visible")


class CodingsList(TextPanel):
    """The codes applied to the current commentary, each with the start of its span."""

    def show(
        self, text: str, codings: Sequence[Coding], codes: Mapping[str, Code], coder: str,
        show_others: bool, memos: Sequence[tuple[str, str]] = (),
    ) -> None:
        """Render my memos (what, first line) then one line per coding."""
        t = Text(no_wrap=True, overflow="ellipsis")
        t.append("Codes on this commentary", "bold")
        if not show_others:
            t.append("  (mine)", "dim")
        for what, memo in memos:
            t.append(f"\n ✎ {what}: ", "#ebcb8b")
            t.append(memo.strip().splitlines()[0] if memo.strip() else "", "italic")
        if not codings:
            t.append("\n  none yet", "dim")
        shown = list(codings)
        room = max(1, CODINGS_SHOWN - len(memos))
        if len(shown) > room:
            shown = shown[: room - 1]
        for c in shown:
            code = codes.get(c.code_id)
            t.append("\n ■ ", code_colour(code, c.code_id))
            t.append(short_label(code, c.code_id))
            if c.coder != coder:
                t.append(f" · {c.coder}", "italic dim")
            span = text[c.start : c.end].replace("\n", " ")
            whole = c.start == 0 and c.end == len(text)
            quote = "whole commentary" if whole else (span if len(span) <= 48 else span[:47] + "…")
            t.append(f"  {quote}", "dim")
        if len(shown) < len(codings):
            t.append(f"\n   … and {len(codings) - len(shown)} more", "dim")
        self.set_text(t)


class CodebookPanel(Vertical):
    """The codebook with counts, and the definition and rules of the highlighted code."""

    def compose(self) -> ComposeResult:
        """An option list of codes and a detail box."""
        yield RowList(id="codebook-list", markup=False)
        yield TextPanel(id="code-detail")

    def show_codes(
        self, codes: Sequence[Code], counts: Mapping[str, int], keep: str | None, *,
        headings: bool = True, memo_codes: Collection[str] = (),
    ) -> None:
        """Fill the list (themes as headings unless short of rows), keeping the highlight on `keep`;
        codes in `memo_codes` carry a memo marker (✎)."""
        ol = self.query_one("#codebook-list", RowList)
        options: list[Option] = []
        by_parent: dict[str | None, list[Code]] = {}
        for c in codes:
            if c.kind == "code":
                by_parent.setdefault(c.parent, []).append(c)
        themes = [c for c in codes if c.kind == "theme"]
        groups = [(t.label, by_parent.get(t.id, [])) for t in themes]
        orphans = [c for p, cs in by_parent.items() if p not in {t.id for t in themes} for c in cs]
        if orphans:
            groups.append(("Other codes", orphans))
        for title, members in groups:
            if not members:
                continue
            if headings:
                options.append(Option(Text(title.upper(), "bold dim"), disabled=True))
            for c in members:
                t = Text(no_wrap=True, overflow="ellipsis")
                t.append(f"{c.shortcut or ' '} ", "bold #88c0d0")
                t.append("■ ", code_colour(c, c.id))
                if c.origin == "inductive":
                    t.append("* ", "#ebcb8b")
                t.append(c.label)
                if counts.get(c.id):
                    t.append(f" {counts[c.id]}", "dim")
                if c.id in memo_codes:
                    t.append(" ✎", "#ebcb8b")
                options.append(Option(visible_text(t), id=c.id))
        ids = [o.id for o in options]
        if ids == [o.id for o in ol.options]:
            for i, o in enumerate(options):  # same codes, new counts: repaint changed rows only
                if o.id is not None and o.prompt != ol.get_option_at_index(i).prompt:
                    ol.set_row(i, o.prompt)  # type: ignore[arg-type]
        else:
            ol.clear_options()
            ol.add_options(options)
        if keep is not None:
            self.highlight(keep)
        if ol.highlighted is None:
            first = next((i for i, o in enumerate(options) if not o.disabled), None)
            if first is not None:
                ol.highlighted = first

    def highlight(self, code_id: str) -> None:
        """Move the highlight to a code."""
        ol = self.query_one("#codebook-list", RowList)
        try:
            ol.highlighted = ol.get_option_index(code_id)
        except Exception:  # noqa: BLE001 - OptionDoesNotExist: a retired code is simply not listed
            return

    @property
    def highlighted_code(self) -> str | None:
        """Id of the highlighted code, if any."""
        ol = self.query_one("#codebook-list", RowList)
        if ol.highlighted is None:
            return None
        return ol.get_option_at_index(ol.highlighted).id

    def show_detail(self, code: Code | None, memos: int) -> None:
        """Render a code's definition, include/exclude rules and example."""
        t = Text()
        if code is None:
            t.append("Highlight a code to read its definition.", "dim")
        else:
            t.append("■ ", code_colour(code, code.id))
            t.append(code.label, "bold")
            t.append(f"  {code.id}", "dim")
            if code.origin == "inductive":
                t.append(f"\ninductive, added by {code.created_by or '?'}", "#ebcb8b")
            for name, value in (("Definition", code.definition), ("Include", code.inclusion),
                                ("Exclude", code.exclusion), ("Example", code.example)):
                if value:
                    t.append(f"\n{name}: ", "bold dim")
                    t.append(value)
            if memos:  # (counts are in the list above: a coding then repaints one row only)
                t.append(f"\n{memos} memo{'s' if memos != 1 else ''}", "dim")
        self.query_one("#code-detail", TextPanel).set_text(t)


class SuggestionsPanel(Vertical):
    """Ranked code suggestions for the selection, clearly labelled by where they come from."""

    def compose(self) -> ComposeResult:
        """A heading and a list."""
        yield TextPanel(Text("Suggestions: loading…", "dim"), id="sugg-title")
        yield RowList(id="sugg-list", markup=False)

    def show_none(self, message: str = "Suggestions: none yet") -> None:
        """Show that there is nothing to suggest (never anything misleading)."""
        self.query_one("#sugg-title", TextPanel).set_text(Text(message, "dim"))
        self._fill([])

    def mark_stale(self) -> None:
        """Say the rows below are for an earlier selection while new ones are computed."""
        self.query_one("#sugg-title", TextPanel).set_text(
            Text("Suggestions: updating for the new selection…", "dim")
        )

    def _fill(self, options: list[Option]) -> None:
        """Put options in the fixed rows (blank rows disabled): same size, so no relayout."""
        ol = self.query_one("#sugg-list", RowList)
        if ol.option_count != SUGGESTION_ROWS:
            ol.clear_options()
            ol.add_options(
                [Option(Text(""), id=f"s{i}", disabled=True) for i in range(SUGGESTION_ROWS)]
            )
        for i in range(SUGGESTION_ROWS):
            prompt = options[i].prompt if i < len(options) else Text("")
            if ol.get_option_at_index(i).prompt != prompt:
                ol.set_row(i, prompt)  # type: ignore[arg-type]
            disabled = i >= len(options)
            if ol.get_option_at_index(i).disabled != disabled:  # each call repaints the list
                (ol.disable_option_at_index if disabled else ol.enable_option_at_index)(i)

    def show_suggestions(
        self, heading: Text, items: Sequence[tuple[str, float, str, bool]], codes: Mapping[str, Code]
    ) -> None:
        """Render numbered (code_id, score, source, above threshold) rows, best first; rows below
        their code's threshold are greyed. An empty source is not shown (the heading already
        says where every row comes from, e.g. "keyword rules only"): the label keeps the room."""
        self.query_one("#sugg-title", TextPanel).set_text(heading)
        ol = self.query_one("#sugg-list", RowList)
        options = []
        for i, (code_id, score, source, above) in enumerate(items[:SUGGESTION_ROWS]):
            code = codes.get(code_id)
            t = Text(no_wrap=True, overflow="ellipsis", style="" if above else "dim")
            t.append(f"{i + 1} ", "bold #88c0d0")
            t.append(f"{score:.2f}"[1:] if score < 1 else "1.0", "bold" if above else "")
            t.append(" ■ ", code_colour(code, code_id))
            t.append(code.label if code else code_id)
            if source:
                t.append(f" ({source})", "#ebcb8b" if source == "rules" else "dim")
            options.append(Option(visible_text(t), id=f"s{i}"))
        self._fill(options)
        if options:
            ol.highlighted = 0

    @property
    def highlighted_index(self) -> int | None:
        """Index of the highlighted suggestion."""
        return self.query_one("#sugg-list", OptionList).highlighted
