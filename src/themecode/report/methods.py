"""The methods paragraph a report's annex needs, with the project's own figures and citations.

Every number comes from the functions behind the CLI figures (`saturation.data.analyse_project`,
`agreement.data.agreement_from_store`, the sample table, the stored autocode result), so the
paragraph and `themecode saturation --json` / `themecode agreement --json` cannot disagree (a
test checks). `methods()` returns the figures and the text; `write_methods` writes Markdown or
DOCX.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from themecode.errors import ThemecodeError
from themecode.store import Store

REFERENCES = {
    "chao1987": "Chao, A. (1987). Estimating the population size for capture–recapture data with "
                "unequal catchability. Biometrics 43, 783–791.",
    "chaojost2012": "Chao, A. & Jost, L. (2012). Coverage-based rarefaction and extrapolation. "
                    "Ecology 93, 2533–2547.",
    "chao2014": "Chao, A. et al. (2014). Rarefaction and extrapolation with Hill numbers. "
                "Ecological Monographs 84, 45–67.",
    "guest2020": "Guest, G., Namey, E. & Chen, M. (2020). A simple method to assess and report "
                 "thematic saturation in qualitative research. PLoS ONE 15(5), e0232076.",
    "francis2010": "Francis, J. J. et al. (2010). What is an adequate sample size? "
                   "Operationalising data saturation for theory-based interview studies. "
                   "Psychology & Health 25, 1229–1245.",
    "cohen1960": "Cohen, J. (1960). A coefficient of agreement for nominal scales. Educational "
                 "and Psychological Measurement 20, 37–46.",
    "gwet2008": "Gwet, K. L. (2008). Computing inter-rater reliability and its variance in the "
                "presence of high agreement. British Journal of Mathematical and Statistical "
                "Psychology 61, 29–48.",
    "krippendorff2004": "Krippendorff, K. (2004). Content Analysis: An Introduction to Its "
                        "Methodology (2nd ed.). Sage.",
    "fleiss1971": "Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters. "
                  "Psychological Bulletin 76, 378–382.",
    "rogan1978": "Rogan, W. J. & Gladen, B. (1978). Estimating prevalence from the results of a "
                 "screening test. American Journal of Epidemiology 107, 71–76.",
}


@dataclass
class Methods:
    """The figures the paragraph quotes (JSON-safe) and the paragraphs themselves."""

    figures: dict[str, Any]
    paragraphs: list[str]
    references: list[str] = field(default_factory=list)

    def markdown(self) -> str:
        """The paragraphs and references as Markdown."""
        refs = "\n".join(f"- {r}" for r in self.references)
        return "## Methods\n\n" + "\n\n".join(self.paragraphs) + "\n\n### References\n\n" + refs + "\n"

    def add_to_docx(self, doc: Any, level: int = 2) -> None:
        """Add a "Methods" heading at `level`, the paragraphs and the references (one level
        down) to `doc`, a python-docx Document (`write_methods` and the DOCX chapter)."""
        doc.add_heading("Methods", level=level)
        for para in self.paragraphs:
            doc.add_paragraph(para)
        doc.add_heading("References", level=level + 1)
        for ref in self.references:
            doc.add_paragraph(ref)


def _n(x: int) -> str:
    return f"{x:,}"


def _iv(iv: tuple[float, float] | list[float] | None) -> str:
    return "" if not iv else f" (95% bootstrap interval {iv[0]:.2f}–{iv[1]:.2f})"


def _sampling(store: Store) -> tuple[dict[str, Any], str]:
    conn = store.conn
    n_cases = conn.execute("SELECT count(*) FROM cases").fetchone()[0]
    n_docs = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    rounds = conn.execute("SELECT round, count(*), min(seed), min(fraction), min(stratify) "
                          "FROM samples GROUP BY round ORDER BY round").fetchall()
    fig: dict[str, Any] = {"cases": n_cases, "commentaries": n_docs, "rounds": len(rounds),
                           "sampled_cases": sum(r[1] for r in rounds)}
    if not rounds:
        return fig, (f"The corpus held {_n(n_docs)} commentaries on {_n(n_cases)} cases; no "
                     "sample has been drawn, so coding order is the order cases were finished.")
    first = rounds[0]
    fig.update(seed=first[2], fraction=first[3], stratify=first[4], first_round_cases=first[1])
    text = (f"The corpus held {_n(n_docs)} commentaries on {_n(n_cases)} cases. A "
            + (f"stratified (by {first[4]}, proportionally) " if first[4] else "simple ")
            + f"random sample of {first[3]:.0%} of cases ({_n(first[1])} cases; seed {first[2]}) "
              "was drawn, and cases were coded in draw order")
    if len(rounds) > 1:
        text += (f"; {len(rounds) - 1} further round(s) added {_n(sum(r[1] for r in rounds[1:]))} "
                 f"cases at random from the rest, giving {_n(fig['sampled_cases'])} sampled cases")
    return fig, text + "."


def _coders(store: Store, coded: set[str]) -> tuple[dict[str, Any], str]:
    from themecode.sample.levels import consensus_coders

    conn = store.conn
    consensus = consensus_coders(conn)
    per_case: dict[str, set[str]] = {}
    for coder, case_id in conn.execute(
        "SELECT DISTINCT c.coder, d.case_id FROM codings c JOIN documents d ON d.id = c.document_id "
        "WHERE c.deleted = 0"):
        if coder not in consensus and case_id in coded:
            per_case.setdefault(case_id, set()).add(coder)
    coders = sorted({c for cs in per_case.values() for c in cs})
    double = sum(1 for cs in per_case.values() if len(cs) >= 2)
    share = double / len(coded) if coded else 0.0
    fig = {"coders": coders, "consensus_coders": sorted(consensus), "double_coded_cases": double,
           "double_coded_share": share}
    text = (f"Each commentary was read in full and coded with spans of text against the project "
            f"codebook; {len(coders)} coder(s) took part ({', '.join(coders) or 'none yet'}) and "
            f"{_n(double)} of the {_n(len(coded))} coded sampled cases ({share:.0%}) were coded "
            f"independently by two or more of them"
            + (f"; disagreements were resolved into a consensus coder ({', '.join(sorted(consensus))})"
               if consensus else "") + ".")
    return fig, text


def _saturation(store: Store, coder: str | None) -> tuple[dict[str, Any], str]:
    from themecode.saturation.data import analyse_project
    from themecode.saturation.verdict import INTERVAL_LABEL, scope_phrase

    res = analyse_project(store, coder=coder)["code"]
    c, g, fr, ch = res.config, res.guest, res.francis, res.chao2
    fig = {"unit": c.unit, "n_units": res.n_units, "codes_seen": len(res.codes),
           "saturated_at": res.saturated_at, "status": res.status,
           "guest": {"label": g.label, "threshold": g.threshold, "stop_at": g.stop_at},
           "francis": {"label": fr.label, "stop_at": fr.stop_at},
           "chao2": {"form": ch.form, "estimate": ch.estimate, "f0": ch.f0, "ci_low": ch.ci_low,
                     "ci_high": ch.ci_high},
           "sample_coverage": res.coverage, "prevalence_floor": res.prevalence_floor,
           "never_applied": len(res.never_applied), "confirm_run": c.confirm_run}
    if res.n_units == 0:
        return fig, "No case has been coded yet, so saturation has not been assessed."
    unit, units = c.unit, ("commentaries" if c.unit == "commentary" else c.unit + "s")

    def fired(name: str, at: int | None) -> str:
        if at is None:
            return f"{name} did not fire"
        after = sum(res.new_per_unit[at:])
        return f"{name} fired at {unit} {at}, after which {after} further code(s) appeared"

    point = (f"themecode's rule first held at {unit} {res.saturated_at} of {res.n_units}"
             if res.saturated_at else f"themecode's rule had not held by {unit} {res.n_units}")
    text = (
        f"We assessed {scope_phrase('code')}, at the level of the {unit}, in coding order. We report "
        f"the published stopping rules — Guest, Namey and Chen's (2020) base {c.guest_base}, run "
        f"{c.guest_run}, new-information threshold ≤ {c.guest_threshold:.0%}, and Francis et al.'s "
        f"(2010) {c.francis_initial}+{c.francis_run} rule — as context: {fired(f'Guest {g.label}', g.stop_at if g.reached else None)}; "
        f"{fired(f'Francis {fr.label}', fr.stop_at)}. themecode's rule requires both to have fired, "
        f"Chao2 to estimate fewer than one unseen code, Q1/T ≤ {c.max_new_per_unit} new codes per "
        f"{unit}, and at least {c.confirm_run} {units} since the last new code (a 95% upper bound of "
        f"{c.max_run_bound:.0%} on the new-code rate); {point}. After {_n(res.n_units)} {units}, "
        f"{len(res.codes)} codes had been applied; Chao2 ({ch.form} form; Chao 1987) estimated "
        f"{ch.estimate:.1f} codes in all ({ch.f0:.1f} unseen; {INTERVAL_LABEL}: {ch.ci_low}–"
        f"{ch.ci_high}; in our simulations of this design it covered the true number of codes "
        f"in only 71–73% of samples at the point the rule first held, and 77–92% at fixed sample "
        f"sizes, so it is not a 95% interval at the stop). Estimated sample coverage (Chao & Jost 2012) was "
        f"{(res.coverage or 0):.2%}; a code present in fewer than {(res.prevalence_floor or 0):.1%} "
        f"of {units} could be missed with probability 5% in a sample of this size."
        + (f" {len(res.never_applied)} code(s) of the codebook were never applied." if res.never_applied else "")
    )
    return fig, text


def _agreement(store: Store, coders: list[str] | None, seed: int) -> tuple[dict[str, Any], str]:
    from themecode.agreement.data import agreement_from_store
    from themecode.sample.levels import consensus_coders, known_coders

    who = coders or [c for c in known_coders(store.conn) if c not in consensus_coders(store.conn)]
    if len(who) < 2:
        return {"coders": who}, "Agreement between coders was not assessed (fewer than two coders)."
    res = agreement_from_store(store, who, "commentary", bootstrap=1000, seed=seed)
    p = res.pooled
    fig = {"coders": who, "unit": "commentary", "n_units": res.n_units,
           "left_out": res.left_out.get("units", 0),
           "percent_agreement": p.percent_agreement.value, "kappa": p.kappa.value,
           "fleiss_kappa": p.fleiss_kappa.value, "ac1": p.ac1.value, "alpha": p.alpha.value,
           "intervals": {k: (None if v is None else list(v)) for k, v in p.intervals.items()},
           "mean_kappa": res.mean_kappa.value}
    if not res.n_units:
        return fig, f"Agreement could not be assessed: no commentary was coded by all of {', '.join(who)}."
    kappa = ("Cohen's kappa (Cohen 1960)" if len(who) == 2 else "Fleiss' kappa (Fleiss 1971)")
    kv = p.kappa if len(who) == 2 else p.fleiss_kappa
    iv = p.intervals.get("kappa" if len(who) == 2 else "fleiss_kappa")
    fmt = lambda s: "undefined" if s.value is None else f"{s.value:.2f}"  # noqa: E731
    text = (
        f"Agreement between {', '.join(who)} was measured per commentary on the {_n(res.n_units)} "
        f"commentaries all of them coded, each code a present/absent decision, pooled over every "
        f"(commentary, code) decision for the codes anyone applied: {(p.percent_agreement.value or 0):.1%} "
        f"agreement, {kappa} {fmt(kv)}{_iv(iv)}, Gwet's AC1 (Gwet 2008) {fmt(p.ac1)}{_iv(p.intervals.get('ac1'))} "
        f"and Krippendorff's alpha (Krippendorff 2004) {fmt(p.alpha)}{_iv(p.intervals.get('alpha'))}; "
        f"intervals are percentile bootstrap intervals over commentaries (1,000 resamples)."
    )
    if fig["left_out"]:
        text += (f" {_n(fig['left_out'])} commentaries coded by some but not all of them were left "
                 "out of the comparison.")
    return fig, text


def _autocode(store: Store) -> tuple[dict[str, Any], str]:
    raw = store.get_meta("prevalence")
    if not raw:
        return {"used": False}, ""
    data = json.loads(raw)
    prev = data.get("prevalence", {})
    adjusted = sum(1 for p in prev.values() if p.get("chosen") == "adjusted")
    from themecode.suggest.autocode import DEMO_COVERAGE

    refits = int(data.get("refits") or 0)
    fig = {"used": True, "model_id": data.get("model_id"), "codes": len(prev),
           "adjusted_codes": adjusted, "n_cases": data.get("n_cases"), "refits": refits}
    spread = (f" that also carries how much the classifier's flags move over {refits} bootstrap "
              "refits of the model on resampled coded cases" if refits else
              " (without the spread of the flags over refits of the model)")
    text = (f"Commentaries outside the coded sample were machine-coded (model {data.get('model_id')}) "
            "to estimate each code's prevalence across all cases: the human-coded cases count "
            "exactly, and the rest are estimated by adjusted classify-and-count (Rogan & Gladen "
            "1978) with error rates from grouped cross-validation and a parametric bootstrap "
            f"interval{spread} (on the synthetic demo corpus such intervals covered {DEMO_COVERAGE}); "
            f"the adjusted estimate was used for {adjusted} of {len(prev)} codes, where "
            "its interval was narrower than the sample-only estimate's, and the sample alone for "
            "the rest.")
    return fig, text


def methods(store: Store, *, coder: str | None = None, coders: list[str] | None = None,
            seed: int = 0) -> Methods:
    """The methods paragraphs for this project; `coder` restricts saturation and prevalence to
    one coder (default pooled), `coders` picks who is compared for agreement (default all but
    consensus coders)."""
    from themecode.sample.estimates import METHOD
    from themecode.sample.levels import case_codes, coder_scope

    coded = set(case_codes(store.conn, coder))
    s_fig, s_text = _sampling(store)
    c_fig, c_text = _coders(store, coded)
    sat_fig, sat_text = _saturation(store, coder)
    a_fig, a_text = _agreement(store, coders, seed)
    auto_fig, auto_text = _autocode(store)
    scope = coder_scope(store.conn, coder)
    prev_text = (f"Prevalence figures count {scope}. Their 95% intervals allow for the sample "
                 f"being a sizeable share of a finite set of cases: {METHOD}.")
    paragraphs = [" ".join([s_text, c_text]), sat_text, a_text, prev_text]
    refs = ["chao1987", "chaojost2012", "chao2014", "guest2020", "francis2010", "cohen1960",
            "fleiss1971", "gwet2008", "krippendorff2004"]
    if auto_text:
        paragraphs.append(auto_text)
        refs.append("rogan1978")
    figures = {"sampling": s_fig, "coding": c_fig, "saturation": sat_fig, "agreement": a_fig,
               "autocode": auto_fig, "whose_codings": scope}
    return Methods(figures, paragraphs, [REFERENCES[r] for r in refs])


def write_methods(m: Methods, path: str | Path, fmt: str = "md") -> Path:
    """Write the paragraph as Markdown (`md`) or Word (`docx`)."""
    path = Path(path)
    if not path.parent.exists():
        raise ThemecodeError(f"The folder {path.parent} does not exist; create it first.")
    if fmt == "docx":
        from docx import Document

        doc = Document()
        m.add_to_docx(doc, level=2)
        doc.save(str(path))
    elif fmt == "md":
        path.write_text(m.markdown(), encoding="utf-8")
    else:
        raise ThemecodeError(f"unknown format {fmt!r}", hint="use --format md or --format docx")
    return path
