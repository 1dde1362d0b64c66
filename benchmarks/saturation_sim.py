"""Simulate coding a 25% random sample and check themecode's saturation figures against the truth.

Scenarios: synthetic code universes (known prevalences, with and without a rare tail) and the
demo corpus's gold codings (case = unit; a case carries the union of its commentaries' codes).
Each trial draws a fresh random sample (its draw order is the coding order) and reports:

* Chao2 bias against the number of codes present in the whole population, and how often the
  95% interval covers that number: the interval themecode reports (whole codes, rounded
  outward) and Chao's unrounded log-normal limits;
* calibration of Q1/T against the mean number of new codes in an unsampled case;
* for each stopping rule, how often it fired within the sample, where, and how often it fired
  falsely: while fewer than 90% of the codes present in >= 1% of cases had been found.

Run:  .venv/bin/python benchmarks/saturation_sim.py [--trials 1000] [--seed 1] [--json-only]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from themecode.saturation.analysis import SaturationConfig, Unit, analyse, chao2
from themecode.saturation.verdict import saturation_point

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "corpus" / "demo"
N_CASES = 1748
FRACTION = 0.25
FIXED_T = (60, 155, 437)  # interval coverage after this many units (prefixes of the sample)
COMMON = 0.01  # "codes present in >= 1% of cases"
FOUND = 0.90  # a rule fired falsely when it had found fewer than 90% of those


def synthetic_population(rng: np.random.Generator, n: int, k: int, low: float, high: float) -> np.ndarray:
    """n x k incidence with prevalences log-uniform on [low, high], codes independent."""
    p = np.exp(rng.uniform(np.log(low), np.log(high), k))
    return rng.random((n, k)) < p


def demo_population() -> tuple[np.ndarray, list[str]] | None:
    """Case x code incidence of the demo gold codings (union over a case's commentaries)."""
    comm, gold = DEMO / "commentaries.csv", DEMO / "gold-codings.jsonl"
    if not (comm.exists() and gold.exists()):
        return None
    with comm.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    id_col = next(c for c in ("id", "document_id", "commentary_id", "doc_id") if c in rows[0])
    case_col = next(c for c in ("case_id", "case") if c in rows[0])
    doc_case = {r[id_col]: r[case_col] for r in rows}
    cases = sorted(set(doc_case.values()))
    codes_of: dict[str, set[str]] = {c: set() for c in cases}
    with gold.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            rec = json.loads(line)
            doc = rec.get("doc_id") or rec.get("document_id") or rec.get("id")
            case = rec.get("case_id") or doc_case.get(doc)
            found = rec.get("codes") or ([rec["code"]] if "code" in rec else [])
            if "spans" in rec:
                found = list(found) + [s["code"] if isinstance(s, dict) else s for s in rec["spans"]]
            for code in found:
                codes_of.setdefault(case, set()).add(code["code"] if isinstance(code, dict) else code)
    all_codes = sorted({c for cs in codes_of.values() for c in cs})
    index = {c: i for i, c in enumerate(all_codes)}
    matrix = np.zeros((len(codes_of), len(all_codes)), dtype=bool)
    for r, cs in enumerate(codes_of.values()):
        for c in cs:
            matrix[r, index[c]] = True
    return matrix, all_codes


def verdict_stop(sample: np.ndarray, res: Any, config: SaturationConfig) -> int | None:
    """First unit count at which themecode's verdict would say "saturated" (`saturation_point`)."""
    return saturation_point(sample, config)


def covers(sample: np.ndarray, t: int, truth: int) -> dict[str, bool]:
    """Whether the reported interval (and Chao's unrounded one) after the first t units covers
    the true number of codes."""
    ch = chao2(sample[:t].sum(axis=0), t)
    return {"whole": ch.ci_low <= truth <= ch.ci_high,
            "lognormal": ch.ci_low_lognormal <= truth <= ch.ci_high_lognormal,
            "below": truth < ch.ci_low, "above": truth > ch.ci_high}


def chao2_only_stop(sample: np.ndarray, res: Any) -> int | None:
    """For comparison: the rules plus Chao2 f0 < 1 alone, without the Q1/T condition."""
    if not (res.guest.reached and res.francis.stop_at):
        return None
    counts = np.cumsum(sample, axis=0)
    for t in range(max(res.guest.stop_at, res.francis.stop_at), sample.shape[0] + 1):
        if chao2(counts[t - 1], t).f0 < 1:
            return t
    return None


def trial(population: np.ndarray, rng: np.random.Generator, config: SaturationConfig) -> dict[str, Any]:
    """One random 25% sample coded in draw order; the figures and the truth they should match."""
    n = population.shape[0]
    order = rng.permutation(n)
    t = round(FRACTION * n)
    sample, rest = population[order[:t]], population[order[t:]]
    units = [Unit(str(i), frozenset(map(str, np.flatnonzero(row)))) for i, row in zip(order[:t], sample, strict=True)]
    res = analyse(units, config)
    prevalence = population.mean(axis=0)
    present = prevalence > 0
    common = prevalence >= COMMON
    seen = sample.any(axis=0)
    new_next = float((rest & ~seen).sum(axis=1).mean()) if rest.shape[0] else 0.0
    first = np.where(seen, np.argmax(sample, axis=0) + 1, t + 1)  # unit count at first sighting

    def stop_record(stop: int | None) -> dict[str, Any]:
        if stop is None:
            return {"fired": False}
        frac = float((first[common] <= stop).mean()) if common.any() else 1.0
        return {"fired": True, "at": stop, "found_common": frac, "false": frac < FOUND}

    rules = {
        f"Guest {config.guest_base}+{config.guest_run} ≤{config.guest_threshold:.0%}": res.guest.stop_at,
        f"Guest {config.guest_base}+{config.guest_run} =0%": next(
            g.stop_at for g in res.guest_grid
            if (g.base, g.run, g.threshold) == (config.guest_base, config.guest_run, 0.0)
        ),
        "Guest 6+3 =0%": next(g.stop_at for g in res.guest_grid if (g.base, g.run, g.threshold) == (6, 3, 0.0)),
        f"Francis {config.francis_initial}+{config.francis_run}": res.francis.stop_at,
        "rules + Chao2 f0<1": chao2_only_stop(sample, res),
        "themecode 'saturated'": verdict_stop(sample, res, config),
    }
    ch = res.chao2
    truth = int(present.sum())
    stop = rules["themecode 'saturated'"]
    return {
        "at_t": {str(k): covers(sample, k, truth) for k in FIXED_T if k <= t},
        "at_stop": None if stop is None else covers(sample, stop, truth),
        "true": int(present.sum()),
        "true_common": int(common.sum()),
        "s_obs": ch.s_obs,
        "chao2": ch.estimate,
        "covered": ch.ci_low <= present.sum() <= ch.ci_high,
        "true_below_ci": present.sum() < ch.ci_low,
        "true_above_ci": present.sum() > ch.ci_high,
        "covered_lognormal": ch.ci_low_lognormal <= present.sum() <= ch.ci_high_lognormal,
        "true_below_lognormal": present.sum() < ch.ci_low_lognormal,
        "all_found": ch.s_obs == present.sum(),
        "q1": ch.q1,
        "q2": ch.q2,
        "ci_width": ch.ci_high - ch.ci_low,
        "q1_t": res.expected_new_next or 0.0,
        "new_next": new_next,
        "coverage_est": res.coverage,
        "coverage_true": float(prevalence[seen].sum() / prevalence.sum()) if prevalence.sum() else 1.0,
        "rules": {name: stop_record(stop) for name, stop in rules.items()},
    }


def summarise(name: str, trials: list[dict[str, Any]], n: int) -> dict[str, Any]:
    """Aggregate one scenario's trials into the table row."""
    arr = lambda key: np.array([tr[key] for tr in trials], dtype=float)  # noqa: E731
    true, est = arr("true"), arr("chao2")
    rules = {}
    for rule in trials[0]["rules"]:
        recs = [tr["rules"][rule] for tr in trials]
        fired = [r for r in recs if r["fired"]]
        rules[rule] = {
            "fired": len(fired) / len(recs),
            "median_at": float(np.median([r["at"] for r in fired])) if fired else None,
            "false_rate": sum(r["false"] for r in fired) / len(recs),
            "false_given_fired": (sum(r["false"] for r in fired) / len(fired)) if fired else None,
        }
    at_t = {k: float(np.mean([tr["at_t"][k]["whole"] for tr in trials]))
            for k in trials[0]["at_t"]}
    stops = [tr["at_stop"] for tr in trials if tr["at_stop"] is not None]
    return {
        "scenario": name,
        "trials": len(trials),
        "ci_coverage_at_t": at_t,
        "ci_coverage_at_stop": float(np.mean([s["whole"] for s in stops])) if stops else None,
        "true_above_at_stop": float(np.mean([s["above"] for s in stops])) if stops else None,
        "stops": len(stops),
        "population": n,
        "sample": round(FRACTION * n),
        "true_codes": float(true.mean()),
        "s_obs": float(arr("s_obs").mean()),
        "chao2": float(est.mean()),
        "bias": float((est - true).mean()),
        "rel_bias": float(((est - true) / true).mean()),
        "sobs_bias": float((arr("s_obs") - true).mean()),
        "ci_coverage": float(arr("covered").mean()),
        "true_below_ci": float(arr("true_below_ci").mean()),
        "true_above_ci": float(arr("true_above_ci").mean()),
        "ci_coverage_lognormal": float(arr("covered_lognormal").mean()),
        "true_below_lognormal": float(arr("true_below_lognormal").mean()),
        "all_found": float(arr("all_found").mean()),
        "q1_median": float(np.median(arr("q1"))),
        "q2_median": float(np.median(arr("q2"))),
        "ci_width_median": float(np.median(arr("ci_width"))),
        "q1_t_mean": float(arr("q1_t").mean()),
        "new_next_mean": float(arr("new_next").mean()),
        "coverage_est_mean": float(arr("coverage_est").mean()),
        "coverage_true_mean": float(arr("coverage_true").mean()),
        "rules": rules,
    }


def run(trials: int, seed: int) -> list[dict[str, Any]]:
    """Every scenario, `trials` samples each."""
    rng = np.random.default_rng(seed)
    config = SaturationConfig()
    rows = []
    scenarios = [
        ("synthetic 40 codes, 0.1%–60% (rare tail)", dict(k=40, low=0.001, high=0.6)),
        ("synthetic 40 codes, 2%–60% (no rare tail)", dict(k=40, low=0.02, high=0.6)),
    ]
    for name, spec in scenarios:
        out = [trial(synthetic_population(rng, N_CASES, **spec), rng, config) for _ in range(trials)]
        rows.append(summarise(name, out, N_CASES))
    demo = demo_population()
    if demo is not None:
        matrix, codes = demo
        out = [trial(matrix, rng, config) for _ in range(trials)]
        rows.append(summarise(f"demo gold codings ({len(codes)} codes)", out, matrix.shape[0]))
    else:
        print(f"(demo corpus not found under {DEMO}; skipped)", file=sys.stderr)
    return rows


def pct(x: float | None) -> str:
    """A proportion as a whole-number percentage, '–' when undefined."""
    return "–" if x is None else f"{100 * x:.0f}%"


def pct_se(x: float, n: int) -> str:
    """A coverage proportion to one decimal with its binomial standard error over n trials."""
    return f"{100 * x:.1f}% ± {100 * (x * (1 - x) / n) ** 0.5:.1f}"


def tables(rows: list[dict[str, Any]]) -> str:
    """The two markdown tables: estimates, then stopping rules."""
    out = [
        "| scenario | cases / sample | true codes | S_obs | Chao2 mean | bias | median Q1 / Q2 | 95% CI coverage, whole codes (true below / above) | Chao's unrounded limits (true below) | all codes found | median CI width | Q1/T mean | new codes per next case | coverage est. / true |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        out.append(
            f"| {r['scenario']} | {r['population']} / {r['sample']} | {r['true_codes']:.1f} | {r['s_obs']:.1f} | "
            f"{r['chao2']:.1f} | {r['bias']:+.2f} ({100 * r['rel_bias']:+.1f}%) | {r['q1_median']:.0f} / {r['q2_median']:.0f} | "
            f"{pct_se(r['ci_coverage'], r['trials'])} ({pct(r['true_below_ci'])} / {pct(r['true_above_ci'])}) | "
            f"{pct_se(r['ci_coverage_lognormal'], r['trials'])} ({pct(r['true_below_lognormal'])}) | "
            f"{pct(r['all_found'])} | "
            f"{r['ci_width_median']:.1f} | {r['q1_t_mean']:.4f} | {r['new_next_mean']:.4f} | "
            f"{r['coverage_est_mean']:.4f} / {r['coverage_true_mean']:.4f} |"
        )
    out += ["", "| scenario | " + " | ".join(f"coverage at T = {k}" for k in FIXED_T)
            + " | coverage when the verdict first fires (true above) | trials that fired |",
            "|---|" + "---|" * (len(FIXED_T) + 2)]
    for r in rows:
        cells = [pct_se(r["ci_coverage_at_t"][str(k)], r["trials"]) if str(k) in r["ci_coverage_at_t"]
                 else "–" for k in FIXED_T]
        at_stop = ("–" if r["ci_coverage_at_stop"] is None else
                   f"{pct_se(r['ci_coverage_at_stop'], r['stops'])} ({pct(r['true_above_at_stop'])})")
        out.append(f"| {r['scenario']} | " + " | ".join(cells) + f" | {at_stop} | {r['stops']} |")
    out += ["", "| scenario | rule | fired | median stop (cases) | false saturation (of all trials) | false, given fired |",
            "|---|---|---|---|---|---|"]
    for r in rows:
        for rule, s in r["rules"].items():
            at = "–" if s["median_at"] is None else f"{s['median_at']:.0f}"
            out.append(f"| {r['scenario']} | {rule} | {pct(s['fired'])} | {at} | {pct(s['false_rate'])} | {pct(s['false_given_fired'])} |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    """Parse options, run, print the tables and one JSON line."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=1000, help="random samples per scenario (default 1000)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--json-only", action="store_true", help="print only the JSON line")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    rows = run(args.trials, args.seed)
    elapsed = time.perf_counter() - t0
    if not args.json_only:
        print(tables(rows))
        print(f"\n{args.trials} trials per scenario, seed {args.seed}, {elapsed:.1f} s")
    print(json.dumps({"benchmark": "saturation_sim", "trials": args.trials, "seed": args.seed,
                      "seconds": round(elapsed, 1), "rows": rows}))


if __name__ == "__main__":
    main()
