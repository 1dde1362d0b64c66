"""The report's suggester section: stored model evaluation (out-of-fold precision, recall, F1
per code) and how often coders accepted suggestions."""

from __future__ import annotations

import json
import math
from collections import Counter
from typing import Any

from themecode.report.html import esc
from themecode.store import Store


def suggester_quality(store: Store) -> dict[str, Any] | None:
    """Stored evaluation metrics of the latest model and suggestion outcomes, if there are any."""
    out: dict[str, Any] = {}
    row = store.conn.execute(
        "SELECT id, created_at, kind, n_documents, n_codings, metrics FROM models "
        "ORDER BY id DESC LIMIT 1"
    ).fetchone()
    if row is not None:
        metrics = json.loads(row[5] or "{}")
        if metrics:
            out["model"] = {"id": row[0], "created_at": row[1], "kind": row[2],
                            "n_documents": row[3], "n_codings": row[4], "metrics": metrics}
    outcomes = dict(store.conn.execute(
        "SELECT outcome, count(*) FROM suggestion_log GROUP BY outcome").fetchall())
    decided = sum(v for k, v in outcomes.items() if k != "shown")
    if decided:
        out["outcomes"] = outcomes
        out["acceptance"] = outcomes.get("accepted", 0) / decided
    return out or None


def oof_quality(oof: dict[str, Any], level: str = "document") -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Per-code and micro precision/recall/F1 from out-of-fold confusion counts at one level."""
    rows = []
    tot = Counter()
    for code, levels in sorted(oof.items()):
        c = levels.get(level) if isinstance(levels, dict) else None
        if not isinstance(c, dict):
            continue
        tp, fp, fn = int(c.get("tp", 0)), int(c.get("fp", 0)), int(c.get("fn", 0))
        tot.update({"tp": tp, "fp": fp, "fn": fn})
        rows.append({"code": code, "tp": tp, "fp": fp, "fn": fn, **_prf(tp, fp, fn)})
    return rows, {"tp": tot["tp"], "fp": tot["fp"], "fn": tot["fn"],
                  **_prf(tot["tp"], tot["fp"], tot["fn"])}


def _prf(tp: int, fp: int, fn: int) -> dict[str, float | None]:
    p = tp / (tp + fp) if tp + fp else None
    r = tp / (tp + fn) if tp + fn else None
    f = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None
    return {"precision": p, "recall": r, "f1": f}


def section_suggester(store: Store, table: Any) -> str:
    """The section's HTML; `table` renders a table (the report's own table function)."""
    q = suggester_quality(store)
    if q is None:
        return ("<p class='muted'>Not evaluated yet: no stored model evaluation and no "
                "accepted or rejected suggestions. A model's cross-validated quality is stored "
                "when <code>themecode autocode PROJECT</code> or <code>themecode suggest PROJECT "
                "--input FILE</code> fits one, and decisions are logged as coders accept or "
                "reject suggestions in the coding screen; <code>themecode evaluate PROJECT</code> "
                "prints a fuller evaluation.</p>")
    out = []
    if "model" in q:
        m = q["model"]
        out.append(f"<p>Model {m['id']} ({esc(m['kind'])}, fitted {esc(m['created_at'][:16])} on "
                   f"{m['n_documents']} commentaries, {m['n_codings']} codings).</p>")
        oof = m["metrics"].get("oof") if isinstance(m["metrics"], dict) else None
        if isinstance(oof, dict) and oof:
            rows, micro = oof_quality(oof, "document")
            label = {c.id: c.label for c in store.codes(include_retired=True)}
            order = {c.id: i for i, c in enumerate(store.codes(include_retired=True))}
            rows.sort(key=lambda r: (order.get(r["code"], len(order)), r["code"]))
            cells = [[esc(label.get(r["code"], r["code"])), str(r["tp"]), str(r["fp"]),
                      str(r["fn"]), _fmt(r["precision"]), _fmt(r["recall"]), _fmt(r["f1"])]
                     for r in rows]
            cells.append(["<b>all codes (micro)</b>", str(micro["tp"]), str(micro["fp"]),
                          str(micro["fn"]), _fmt(micro["precision"]), _fmt(micro["recall"]),
                          f"<b>{_fmt(micro['f1'])}</b>"])
            out.append("<p class='muted'>Out-of-fold predictions per commentary (grouped by "
                       "case, so a case is never in both training and test folds), from the "
                       "model's own cross-validation when it was fitted.</p>"
                       + table(["code", "TP", "FP", "FN", "precision", "recall", "F1"], cells))
        else:
            flat = [[esc(str(k)), esc(_fmt(v))] for k, v in _flatten(m["metrics"]).items()]
            out.append(table(["metric", "value"], flat[:40]))
    if "outcomes" in q:
        o = q["outcomes"]
        out.append(f"<p>Suggestions decided by coders: {q['acceptance']:.0%} accepted "
                   f"({', '.join(f'{k}: {v}' for k, v in sorted(o.items()))}).</p>")
    return "".join(out)


def _flatten(d: Any, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(d, dict):
        for k, v in d.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    else:
        out[prefix] = d
    return out


def _fmt(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return "–" if math.isnan(v) else f"{v:.3f}"
    return str(v)
