"""Width and coverage of autocode's prevalence intervals: simulated corpora, or the demo itself.

Simulated (default): each corpus has 1,748 cases with a given prevalence, 437 human-coded, and a
classifier with given true and false positive rates on the rest (its error rates "measured" on
the human cases, as the cross-validation would). Prints, per setting, the width a 95% interval
needs (2 x 1.96 x the sd of the error), the mean width of the interval and its coverage.

Demo (`--demo`): the demo corpus with its gold codings is the population. Each of `--samples`
fresh samples (seeds 1, 2, ...) draws the tool's 25% of cases, imports the gold codings of the
sampled cases only, fits the suggester as `themecode suggest` does and runs `autocode`; every
code's estimate and interval is compared with its true case-level prevalence in the gold codings
of all 1,748 cases. "Needed" width is 2 x the empirical 95% quantile of |error| over the samples
(per code); pooled, the scale factor that would give 95% coverage over all (code, sample) pairs.

Run:  .venv/bin/python benchmarks/autocode_intervals.py [--trials 1000] [--seed 7]
      .venv/bin/python benchmarks/autocode_intervals.py --demo [--samples 30] [--cache FILE]
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from themecode.suggest.autocode import MIN_SEPARATION, adjusted_prevalence

SETTINGS = ((0.9, 0.05, 0.3), (0.8, 0.1, 0.1), (0.95, 0.02, 0.05), (0.7, 0.1, 0.2))


def run(tpr: float, fpr: float, prev: float, trials: int, rng: np.random.Generator) -> dict[str, float]:
    """One setting over `trials` fresh corpora."""
    errs, widths, cover = [], [], []
    for _ in range(trials):
        truth = rng.random(1748) < prev
        human, machine = truth[:437], truth[437:]
        flags = np.where(machine, rng.random(machine.size) < tpr, rng.random(machine.size) < fpr)
        hflags = np.where(human, rng.random(human.size) < tpr, rng.random(human.size) < fpr)
        conf = {"tp": int((hflags & human).sum()), "fn": int((~hflags & human).sum()),
                "fp": int((hflags & ~human).sum()), "tn": int((~hflags & ~human).sum())}
        est, lo, hi, *_ = adjusted_prevalence(int(human.sum()), 437, int(flags.sum()), machine.size,
                                              conf, draws=1000, rng=rng)
        errs.append(est - truth.mean())
        widths.append(hi - lo)
        cover.append(lo <= truth.mean() <= hi)
    sd = float(np.std(errs))
    return {"tpr": tpr, "fpr": fpr, "prevalence": prev, "sd": sd, "needed": 2 * 1.96 * sd,
            "width": float(np.mean(widths)), "coverage": float(np.mean(cover))}


def simulated(args: argparse.Namespace) -> None:
    """Print one line per simulated setting."""
    rng = np.random.default_rng(args.seed)
    for tpr, fpr, prev in SETTINGS:
        r = run(tpr, fpr, prev, args.trials, rng)
        print(f"TPR {tpr} FPR {fpr} prevalence {prev}: width {r['width']:.4f} / needed "
              f"{r['needed']:.4f} = {r['width'] / r['needed']:.2f}x, coverage {r['coverage']:.3f} "
              f"({args.trials} corpora)")


# --- the demo's real classifier -------------------------------------------------------------

def gold_truth() -> dict[str, int]:
    """Each gold code's number of demo cases (a case has a code if any commentary has it), and
    the number of cases under "__cases__"."""
    import csv

    from themecode.project.resources import data_path

    with data_path("demo", "commentaries.csv").open(encoding="utf-8", newline="") as fh:
        case_of = {r["id"]: r["case_id"] for r in csv.DictReader(fh)}
    cases: dict[str, set[str]] = defaultdict(set)
    with data_path("demo", "gold-codings.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            g = json.loads(line)
            cases[g["code"]].add(case_of[g["doc_id"]])
    return {c: len(s) for c, s in cases.items()} | {"__cases__": len(set(case_of.values()))}


def base_project(directory: Path) -> Path:
    """The demo corpus and codebook, no sample, no codings (built once per run)."""
    from themecode.project.create import init_project
    from themecode.project.resources import data_path, default_codebook
    from themecode.store import Store

    db = directory / "base.db"
    init_project(db, data_path("demo", "commentaries.csv"), codebook=default_codebook(),
                 coder="bench")
    with Store.open(db) as store:
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return db


def demo_sample(base: Path, directory: Path, seed: int, fraction: float, refits: int
                ) -> dict[str, Any]:
    """One fresh sample: draw, import its gold codings, fit, autocode; the prevalence rows."""
    from themecode.project.codings import import_codings
    from themecode.project.resources import data_path
    from themecode.sample.draw import draw_sample
    from themecode.store import Store
    from themecode.suggest.autocode import autocode
    from themecode.suggest.suggester import fit_and_save

    db = directory / f"sample-{seed}.db"
    shutil.copy(base, db)
    started = time.perf_counter()
    with Store.open(db) as store:
        draw_sample(store, fraction, seed, coder="bench")
        import_codings(store, data_path("demo", "gold-codings.jsonl"), coder="gold",
                       sample_only=True, create_codes=True, mark_done=True)
        sg = fit_and_save(store)
        result = autocode(store, suggester=sg, seed=seed, refits=refits)
        confusion = {c: sg.model.oof.get(c, {}).get("case") for c in sg.model_codes}
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    rows = {c: {**vars(p), "confusion": confusion.get(c)} for c, p in result.prevalence.items()}
    return {"seed": seed, "refits": refits, "seconds": round(time.perf_counter() - started, 2),
            "codes": rows}


def binomial_q(p: dict[str, Any], rng: np.random.Generator, draws: int = 4000
               ) -> tuple[float, float, float]:
    """The interval before commit f6dc7cb, for comparison: the flagged share redrawn from a
    Jeffreys Beta of the observed flags, TPR and FPR from theirs, no training spread."""
    c, m, hp, hn = p["confusion"], p["machine_cases"], p["human_positive"], p["human_cases"]
    est, *_ = adjusted_prevalence(hp, hn, p["machine_flagged"], m, c, draws=2, rng=rng)
    tpr = rng.beta(c["tp"] + 0.5, c["fn"] + 0.5, draws)
    fpr = rng.beta(c["fp"] + 0.5, c["tn"] + 0.5, draws)
    q = rng.beta(p["machine_flagged"] + 0.5, m - p["machine_flagged"] + 0.5, draws)
    ok = tpr - fpr > MIN_SEPARATION
    share = np.clip(np.where(ok, (q - fpr) / np.where(ok, tpr - fpr, 1.0),
                             rng.beta(hp + 0.5, hn - hp + 0.5, draws)), 0.0, 1.0)
    lo, hi = np.quantile((hp + m * share) / (hn + m), [0.025, 0.975])
    return est, float(min(lo, est)), float(max(hi, est))


def summarise(samples: list[dict[str, Any]], truth: dict[str, int], *, old: bool = False
              ) -> dict[str, Any]:
    """Coverage, width against the width needed, and errors, per code and pooled; with `old`
    the adjusted intervals are recomputed as before commit f6dc7cb (`binomial_q`)."""
    n = truth["__cases__"]
    per: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for s in samples:
        for code, p in s["codes"].items():
            t = truth.get(code, 0) / n
            d = per[code]
            d["truth"].append(t)
            # the adjusted estimate and interval, whether or not it was chosen
            if p["confusion"] and old:
                est, lo, hi = binomial_q(p, np.random.default_rng(s["seed"]))
            elif p["confusion"]:
                est, lo, hi, *_ = adjusted_prevalence(
                    p["human_positive"], p["human_cases"], p["machine_flagged"], p["machine_cases"],
                    p["confusion"], rng=np.random.default_rng(s["seed"]),
                    q_spread=p.get("refit_sd") or 0.0)
            else:
                est, lo, hi = p["estimate"], p["low"], p["high"]
            for name, (e, lo_, hi_) in {"adjusted": (est, lo, hi),
                                        "sample": (p["sample_estimate"], p["sample_low"],
                                                   p["sample_high"]),
                                        "chosen": (p["estimate"], p["low"], p["high"])}.items():
                d[f"{name}_err"].append(e - t)
                d[f"{name}_width"].append(hi_ - lo_)
                d[f"{name}_half"].append(max(t - e, 0) / max(hi_ - e, 1e-9)
                                         + max(e - t, 0) / max(e - lo_, 1e-9))
                d[f"{name}_cover"].append(float(lo_ <= t <= hi_))
            d["chose_adjusted"].append(float(p["chosen"] == "adjusted"))
    out: dict[str, Any] = {"codes": {}, "pooled": {}}
    for code, d in sorted(per.items()):
        row: dict[str, float] = {"truth": float(np.mean(d["truth"])),
                                 "chose_adjusted": float(np.mean(d["chose_adjusted"]))}
        for name in ("adjusted", "sample", "chosen"):
            err = np.asarray(d[f"{name}_err"])
            needed = 2 * float(np.quantile(np.abs(err), 0.95))
            row[f"{name}_coverage"] = float(np.mean(d[f"{name}_cover"]))
            row[f"{name}_width"] = float(np.mean(d[f"{name}_width"]))
            row[f"{name}_needed"] = needed
            row[f"{name}_mae"] = float(np.mean(np.abs(err)))
            row[f"{name}_bias"] = float(np.mean(err))
        out["codes"][code] = row
    for name in ("adjusted", "sample", "chosen"):
        cover = np.concatenate([per[c][f"{name}_cover"] for c in per])
        half = np.concatenate([per[c][f"{name}_half"] for c in per])
        ratios = [out["codes"][c][f"{name}_width"] / out["codes"][c][f"{name}_needed"]
                  for c in per if out["codes"][c][f"{name}_needed"] > 0]
        out["pooled"][name] = {
            "coverage": float(np.mean(cover)),
            # the factor by which all intervals are wider than the ones that would just reach
            # 95% pooled coverage (each interval scaled about its estimate)
            "width_over_needed": float(1 / np.quantile(half, 0.95)) if np.quantile(half, 0.95) else
            float("inf"),
            "median_code_width_ratio": float(np.median(ratios)) if ratios else float("nan"),
            "mae": float(np.mean([out["codes"][c][f"{name}_mae"] for c in per])),
            "codes_below_90": sum(out["codes"][c][f"{name}_coverage"] < 0.9 for c in per),
        }
    return out


def print_summary(out: dict[str, Any], samples: list[dict[str, Any]], command: str) -> None:
    """The per-code table and the pooled lines."""
    print(f"{len(samples)} fresh samples of the demo (seeds {samples[0]['seed']}-"
          f"{samples[-1]['seed']}, autocode refits {samples[0].get('refits', 0)}); truth: gold "
          f"codings of all cases; {np.mean([s['seconds'] for s in samples]):.1f} s per sample "
          "(draw, import, fit, autocode)")
    print(f"{'code':28s} {'truth':>6s} | {'adjusted: cov width/need MAE':>29s} | "
          f"{'sample: cov width/need MAE':>27s} | {'chosen: cov  MAE':>16s} adj%")
    def ratio(r: dict[str, float], name: str) -> str:
        need = r[f"{name}_needed"]
        return f"{r[f'{name}_width'] / need:5.2f}" if need > 0 else "  inf"

    for code, r in out["codes"].items():
        print(f"{code:28s} {r['truth']:6.1%} | {r['adjusted_coverage']:6.0%} "
              f"{ratio(r, 'adjusted')}x "
              f"{r['adjusted_mae']:6.2%}     | {r['sample_coverage']:6.0%} {ratio(r, 'sample')}x "
              f"{r['sample_mae']:6.2%}    | {r['chosen_coverage']:5.0%} {r['chosen_mae']:6.2%} "
              f"{r['chose_adjusted']:4.0%}")
    for name, p in out["pooled"].items():
        print(f"pooled {name:8s}: coverage {p['coverage']:.1%}, "
              f"width {p['width_over_needed']:.2f}x "
              f"the needed (median per code {p['median_code_width_ratio']:.2f}x), mean |error| "
              f"{p['mae']:.2%} points, codes under 90% coverage: {p['codes_below_90']}")
    print(f"command: {command}")


def demo(args: argparse.Namespace) -> None:
    """Run (or reload from --cache) the fresh demo samples and print the comparison."""
    cache = Path(args.cache) if args.cache else None
    samples: list[dict[str, Any]] = []
    if cache and cache.exists():
        samples = [s for line in cache.read_text(encoding="utf-8").splitlines()
                   if (s := json.loads(line)).get("refits", 0) == args.refits]
    done = {s["seed"] for s in samples}
    seeds = [args.first_seed + i for i in range(args.samples)]
    todo = [s for s in seeds if s not in done]
    if todo:
        with tempfile.TemporaryDirectory() as tmp:
            base = base_project(Path(tmp))
            for seed in todo:
                s = demo_sample(base, Path(tmp), seed, args.fraction, args.refits)
                samples.append(s)
                print(f"sample seed {seed}: {s['seconds']:.1f} s", file=sys.stderr, flush=True)
                if cache:
                    with cache.open("a", encoding="utf-8") as fh:
                        fh.write(json.dumps(s) + "\n")
    samples = sorted((s for s in samples if s["seed"] in set(seeds)), key=lambda s: s["seed"])
    out = summarise(samples, gold_truth(), old=args.binomial_q)
    print_summary(out, samples, "python " + " ".join(shlex.quote(a) for a in sys.argv))
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1), encoding="utf-8")


def main() -> None:
    """Simulated settings, or the demo's classifier with --demo."""
    from themecode.project.demo import DEMO_FRACTION

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=1000, help="simulated corpora per setting")
    ap.add_argument("--seed", type=int, default=7, help="seed of the simulation")
    ap.add_argument("--demo", action="store_true", help="fresh samples of the demo corpus")
    ap.add_argument("--samples", type=int, default=30, help="demo samples (seeds first-seed...)")
    ap.add_argument("--first-seed", type=int, default=1)
    ap.add_argument("--fraction", type=float, default=DEMO_FRACTION)
    ap.add_argument("--refits", type=int, default=20,
                    help="autocode's bootstrap refits for the training spread (0: without it)")
    ap.add_argument("--binomial-q", action="store_true",
                    help="recompute the adjusted intervals as before commit f6dc7cb (the flagged "
                         "share redrawn as a binomial), for comparison")
    ap.add_argument("--cache", help="JSON Lines file keeping each sample's result (reused)")
    ap.add_argument("--json", help="write the summary here")
    args = ap.parse_args()
    (demo if args.demo else simulated)(args)


if __name__ == "__main__":
    main()
