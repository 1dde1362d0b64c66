"""The agreement table as rows of text: one row per code, then the pooled figure and the means.

Kept apart from the coefficients so they stay one idea; used by `themecode agreement`, the TUI
and the lead's report.
"""

from __future__ import annotations

from themecode.agreement.result import AgreementResult, CodeAgreement, Statistic


def _fmt(stat: Statistic, percent: bool = False,
         interval: tuple[float, float] | None = None) -> str:
    """A statistic for a table cell: 3 decimals (or a percentage) with its 95% interval when
    there is one, or an em dash when undefined."""
    if stat.value is None:
        return "—"
    text = f"{stat.value * 100:.1f}%" if percent else f"{stat.value:.3f}"
    if interval is not None:
        lo, hi = interval
        text += f" ({lo * 100:.0f}–{hi * 100:.0f}%)" if percent else f" ({lo:.2f}–{hi:.2f})"
    return text


TABLE_COLUMNS: tuple[str, ...] = (
    "code",
    "units",
    "present",
    "all",
    "none",
    "agreement",
    "kappa",
    "fleiss",
    "ac1",
    "alpha",
    "pos",
    "neg",
)

COLUMN_TITLES: dict[str, str] = {
    "code": "code", "units": "units", "present": "applied", "all": "all", "none": "none",
    "agreement": "% agreement", "kappa": "Cohen's kappa", "fleiss": "Fleiss' kappa", "ac1": "Gwet's AC1",
    "alpha": "Krippendorff's alpha", "pos": "positive agr.", "neg": "negative agr.",
}


SHORT_TITLES: dict[str, str] = {
    "code": "code", "units": "units", "present": "applied", "all": "all", "none": "none",
    "agreement": "agree", "kappa": "kappa", "fleiss": "Fleiss", "ac1": "AC1", "alpha": "alpha",
    "pos": "pos", "neg": "neg",
}
LEGEND = ("agree: % of units with the same decision; kappa: Cohen's (two coders); Fleiss: Fleiss' "
          "kappa; AC1: Gwet's AC1; alpha: Krippendorff's (nominal); pos/neg: positive/negative "
          "specific agreement; in brackets: bootstrap 95% intervals.")


def table_rows(result: AgreementResult) -> list[dict[str, str]]:
    """Rows (one per code, then pooled and mean) with `TABLE_COLUMNS` keys, ready for a rich Table.

    "present" lists each coder's count as `name=n`; "all"/"none" are the units where every coder /
    no coder applied the code; coefficients carry their bootstrap 95% interval in brackets when
    one was computed. Undefined statistics show as an em dash.
    """

    def row(c: CodeAgreement, label: str | None = None) -> dict[str, str]:
        iv = c.intervals
        return {
            "code": label or c.code,
            "units": str(c.n_units),
            "present": " ".join(f"{k}={v}" for k, v in c.present.items()),
            "all": str(c.all_present),
            "none": str(c.none_present),
            "agreement": _fmt(c.percent_agreement, percent=True),
            "kappa": _fmt(c.kappa, interval=iv.get("kappa")),
            "fleiss": _fmt(c.fleiss_kappa, interval=iv.get("fleiss_kappa")),
            "ac1": _fmt(c.ac1, interval=iv.get("ac1")),
            "alpha": _fmt(c.alpha, interval=iv.get("alpha")),
            "pos": _fmt(c.positive_agreement, percent=True, interval=iv.get("positive_agreement")),
            "neg": _fmt(c.negative_agreement, percent=True, interval=iv.get("negative_agreement")),
        }

    rows = [row(c) for c in result.per_code]
    rows.append(row(result.pooled, "overall (pooled)"))
    mean = dict.fromkeys(TABLE_COLUMNS, "")
    mean.update({"code": "overall (mean of codes)", "units": str(result.n_units),
                 "kappa": _fmt(result.mean_kappa), "alpha": _fmt(result.mean_alpha)})
    rows.append(mean)
    return rows


def left_out_line(result: AgreementResult) -> str | None:
    """The sentence saying which units dropped out of the comparison and why, or None."""
    lo = result.left_out
    if not lo or not lo.get("units"):
        return None
    unit = result.unit_type
    units = {"commentary": "commentaries"}.get(unit, unit + "s")
    text = (f"{lo['units']} {unit} unit(s) coded by some but not all of {', '.join(result.coders)} "
            f"were left out of the comparison")
    silent = lo.get("coders_without_done_marks") or []
    if silent and lo.get("uncoded") == "drop":
        text += (f"; {', '.join(silent)} ha{'s' if len(silent) == 1 else 've'} no done-marks, so a "
                 f"{unit} where they applied no code counts as not coded by them (use "
                 f"--uncoded count to count the {units} of every case they coded as coded with no code)")
    elif silent:
        text += (f"; for {', '.join(silent)} (no done-marks) all {units} of a case they coded "
                 "counts as coded (--uncoded count)")
    return text + "."
