"""The report's agreement section: one table per unit (commentary, case) with every code sorted by
theme and label, Cohen's kappa (two coders) or Fleiss' kappa (three or more) flagged when low,
Krippendorff's alpha, Gwet's AC1, positive and negative specific agreement, and percentile
bootstrap 95% intervals; the kappa paradox explained, units left out of the comparison named."""

from __future__ import annotations

from themecode.errors import ThemecodeError
from themecode.report.html import esc, table
from themecode.report.layout import LOW_KAPPA, is_low, no_minus_zero
from themecode.sample.levels import consensus_coders, known_coders
from themecode.store import Store

REPORT_BOOTSTRAP = 500


def _cell(cell: str) -> str:
    """A statistic with its interval under it ("0.954" over "(0.93–0.97)"), so that the table
    of nine columns fits an A4 page."""
    estimate, _, interval = no_minus_zero(cell).partition(" ")
    return esc(estimate) + (f"<br><span class='iv'>{esc(interval)}</span>" if interval else "")


def _kappa_cell(cell: str) -> tuple[str, bool]:
    """A kappa cell ("0.123 (0.05–0.20)") with its estimate flagged when below `LOW_KAPPA`."""
    estimate, _, interval = no_minus_zero(cell).partition(" ")
    if not is_low(estimate):
        return _cell(cell), False
    return (f"<span class='flag'>{esc(estimate)} low</span>"
            + (f"<br><span class='iv'>{esc(interval)}</span>" if interval else "")), True


def section_agreement(store: Store, coders: list[str] | None) -> str:
    """Agreement per code (by theme, then label) and pooled, by commentary and by case."""
    from themecode.agreement.data import agreement_from_store
    from themecode.agreement.table import COLUMN_TITLES, left_out_line, table_rows

    consensus = consensus_coders(store.conn)
    who = coders or [c for c in known_coders(store.conn) if c not in consensus]
    if len(who) < 2:
        return ("<p class='muted'>Agreement needs at least two coders who coded the same "
                f"commentaries; this project has {len(who)}.</p>")
    kappa = "kappa" if len(who) == 2 else "fleiss"
    cols = ["code", "units", "present", "agreement", kappa, "alpha", "ac1", "pos", "neg"]
    titles = [COLUMN_TITLES[c] for c in cols]
    titles[0] = "code (by theme)"
    all_codes = store.codes(include_retired=True)
    label = {c.id: c.label for c in all_codes}
    theme_rank = {c.id: i for i, c in enumerate(c for c in all_codes if c.kind == "theme")}
    parent = {c.id: c.parent for c in all_codes}
    parts = [f"<p class='muted'>Coders compared: {esc(', '.join(who))}"
             + (" (consensus coders left out)" if consensus else "")
             + f". In brackets: percentile bootstrap 95% intervals over units ({REPORT_BOOTSTRAP} "
             "resamples).</p>"]
    for unit in ("commentary", "case"):
        try:
            res = agreement_from_store(store, who, unit, bootstrap=REPORT_BOOTSTRAP)
        except ThemecodeError as exc:
            parts.append(f"<p class='muted'>{esc(str(exc))}</p>")
            continue
        if not res.n_units:
            parts.append(f"<p class='muted'>No {unit} has been coded by all of "
                         f"{esc(', '.join(who))}.</p>")
            continue
        all_rows = table_rows(res)
        per_code = sorted(all_rows[:-2], key=lambda r: (
            theme_rank.get(parent.get(r["code"]) or "", len(theme_rank)),
            label.get(r["code"], r["code"]).lower()))
        rows, n_low = [], 0
        for k, r in enumerate([*per_code, *all_rows[-2:]]):
            cells = []
            for c in cols:
                if c == "code":
                    cells.append(esc(label.get(r["code"], r["code"])))
                elif c == kappa:
                    cell, low = _kappa_cell(r[c])
                    n_low += low and k < len(per_code)
                    cells.append(cell)
                elif c == "present":  # "ben=189 gold=205", one coder a line
                    cells.append("<br>".join(esc(p) for p in r[c].split()))
                else:
                    cells.append(_cell(r[c]))
            rows.append(cells)
        parts.append(f"<h3>By {unit}: {res.n_units} units coded by all of "
                     f"{esc(', '.join(who))}</h3><div class='scroll'>"
                     + table(titles, rows) + "</div>")
        name = "Cohen's" if kappa == "kappa" else "Fleiss'"
        parts.append(
            f"<p class='muted'>{n_low} code(s) have {name} κ below {LOW_KAPPA} (flagged <span "
            "class='flag'>low</span>): review their definitions or discuss examples. A code that "
            "is rare (or nearly always applied) can have a low κ even when the coders agree on "
            "almost every unit, because agreement by chance is then high (the kappa paradox): "
            "read κ beside the percent agreement, Gwet's AC1 and the positive and negative "
            "specific agreement, which stay informative for rare codes, and how often each coder "
            "applied the code.</p>")
        note = left_out_line(res)
        if note:
            parts.append(f"<p class='muted'>{esc(note)}</p>")
        parts.append(f"<p class='muted'>{len(res.disagreements)} disagreements to review "
                     "(`themecode agreement --json` lists them).</p>")
    return "".join(parts)
