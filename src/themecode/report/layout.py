"""Presentation pieces of the lead's report: print and contents styles, whose codings each
section counts, a plain-English saturation summary, the contents list with anchors, and how
agreement cells read."""

from __future__ import annotations

import math
import re
from typing import Any

from themecode.report.html import esc as escape

CSS = """
.flag{font-weight:600;color:#8a2c0d}.whose{font-size:.88rem;color:var(--muted);
border-left:3px solid var(--line);padding:.1rem .7rem;margin:.4rem 0 .8rem}
.plain{font-size:1rem;margin:.6rem 0}.scroll{overflow-x:auto;max-width:100%}
.scroll td.l{min-width:15rem}
nav.toc{background:var(--bg);border:1px solid var(--line);border-radius:8px;padding:.6rem 1.2rem}
nav.toc h2{border:0;font-size:1.05rem;margin:.2rem 0}nav.toc ol{margin:.2rem 0;padding-left:1.4rem}
nav.toc ol ol{font-size:.85rem}nav.toc a{margin:0}
tr.group td{background:#fbfcfd;font-weight:600}tr.n td{font-style:italic}
table.part caption{text-align:left;font-weight:600;padding:.2rem 0;caption-side:top}
table.part td.l{min-width:13rem}.iv{font-size:.8em;color:var(--muted)}
@page{size:A4;margin:16mm 14mm}
@media print{body{font-size:11pt}header{background:none;color:#000;padding:0 0 .5rem;
border-bottom:2px solid #000}header p{color:#333}main{max-width:none;padding:0}
nav.toc{break-after:page}h2,h3{break-after:avoid}table,.plot,.verdict{break-inside:avoid}
table.part,.scroll table{break-inside:auto}table.part{break-before:page;line-height:1.25}
table.part td{padding:.1rem .3rem}
.scroll{overflow:visible}a{color:inherit;text-decoration:none}
table{font-size:8pt}th,td{padding:.15rem .3rem}.scroll td.l,table.part td.l{min-width:7.5rem}}
table.wrap td{white-space:normal}
"""

# Whose codings each section's figures count (the report pools every coder's human codings).
WHOSE = {
    "sample": "Counts per coder; a sampled case is coded when any coder has coded it.",
    "saturation": "Pooled: a unit is coded when any coder finished it, and it carries the union "
                  "of the codes its coders applied, in sample draw order.",
    "frequencies": "Pooled: a case carries a code when any coder applied it to one of its "
                   "commentaries (human codings of sampled cases; machine codings never count).",
    "prevalence": "Pooled: a case carries a code when any coder applied it; a sampled case "
                  "counts as coded when a coder marked it done (or, for a coder who never marks "
                  "cases done, when it carries one of their codings).",
    "cooccurrence": "Pooled, as the code frequencies: coded sampled cases, any coder's codings.",
    "agreement": "Each coder's own codings, compared on the units every listed coder coded.",
    "suggester": "The model's cross-validation on all human codings, and coders' decisions on "
                 "suggestions.",
}
LOW_KAPPA = 0.4

_H3 = re.compile(r"<h3>(.*?)</h3>", re.S)
_TAGS = re.compile(r"<[^>]+>")


def contents_and_body(sections: list[tuple[str, str, str]],
                      whose: dict[str, str] | None = None) -> tuple[str, str]:
    """(the contents list, the sections' HTML): numbered section headings, an anchor on every
    h3 and a line saying whose codings the section counts (`WHOSE`, overridden by `whose`)."""
    esc = escape
    whose_of = {**WHOSE, **(whose or {})}
    toc, body = [], []
    for number, (sid, title, content) in enumerate(sections, start=1):
        subs: list[str] = []

        def anchor(m: re.Match[str], sid: str = sid, subs: list[str] = subs) -> str:
            subs.append(m.group(1))
            return f"<h3 id='{sid}-{len(subs)}'>{m.group(1)}</h3>"

        content = _H3.sub(anchor, content)
        sub = "".join(f"<li><a href='#{sid}-{i}'>{_TAGS.sub('', h)}</a></li>"
                      for i, h in enumerate(subs, start=1))
        toc.append(f"<li><a href='#{sid}'>{esc(title)}</a>"
                   + (f"<ol>{sub}</ol>" if sub else "") + "</li>")
        whose_line = whose_of.get(sid)
        body.append(f"<section id='{sid}'><h2>{number}. {esc(title)}</h2>"
                    + (f"<p class='whose'>Whose codings: {esc(whose_line, quote=False)}</p>"
                       if whose_line else "")
                    + f"{content}</section>")
    return "<h2>Contents</h2><ol>" + "".join(toc) + "</ol>", "".join(body)


def plain_saturation(res: Any) -> str:
    """The saturation figures of one level in a few plain sentences."""
    unit = res.config.unit
    noun = "codes" if res.level == "code" else "themes"
    t, k, m = res.n_units, len(res.codes), res.since_last_new
    units = unit + ("s" if t != 1 else "")
    if not t:
        return f"No {unit}s have been coded yet, so nothing can be said about saturation."
    parts = [f"{t} {units} have been coded and {k} {noun} seen."]
    if m >= t:
        parts.append(f"Every {noun[:-1]} appeared in the first {unit}.")
    elif m == 0:
        parts.append(f"The last {unit} coded brought a new {noun[:-1]}.")
    else:
        parts.append(f"The last new {noun[:-1]} appeared {m} {unit}{'s' if m != 1 else ''} ago.")
    ch = res.chao2
    if ch.estimate is not None and not math.isnan(ch.estimate):
        unseen = max(0.0, ch.estimate - k)
        rest = (f"so about {unseen:.0f} may not have been seen yet" if unseen >= 0.5
                else f"so probably none is left unseen (rare {noun} can still be)")
        parts.append(f"The Chao2 estimate puts the total at about {ch.estimate:.0f} {noun} "
                     f"(95% interval {ch.ci_low}–{ch.ci_high}), {rest}.")
    verdict = {"saturated": f"In short: the {noun} look saturated.",
               "not_saturated": "In short: not saturated yet; keep coding.",
               "rules_met_unconfirmed": "In short: the stopping rules are met but not confirmed "
                                        "by the estimate; code a few more to check.",
               }.get(res.status, "")
    return " ".join([*parts, verdict]).strip()


def no_minus_zero(cell: str) -> str:
    """'-0.000' (a tiny negative rounded) reads as 0.000."""
    return cell[1:] if cell.startswith("-") and not cell.strip("-0.") else cell


def is_low(cell: str) -> bool:
    """Is a formatted κ below the flag line? (an em dash is not)."""
    try:
        return float(cell) < LOW_KAPPA
    except ValueError:
        return False
