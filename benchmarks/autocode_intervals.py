"""Width and coverage of autocode's adjusted-prevalence interval over fresh simulated corpora.

Each corpus: 1,748 cases with a given prevalence, 437 human-coded, a classifier with given true
and false positive rates on the rest (its error rates "measured" on the human cases, as the
cross-validation would). Prints, per setting, the standard deviation of the estimate's error,
the width a 95% interval needs (2 x 1.96 x sd), the mean width of the interval and its coverage.

Run:  .venv/bin/python benchmarks/autocode_intervals.py [--trials 1000] [--seed 7]
"""

from __future__ import annotations

import argparse

import numpy as np

from themecode.suggest.autocode import adjusted_prevalence

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


def main() -> None:
    """Print one line per setting."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    for tpr, fpr, prev in SETTINGS:
        r = run(tpr, fpr, prev, args.trials, rng)
        print(f"TPR {tpr} FPR {fpr} prevalence {prev}: width {r['width']:.4f} / needed "
              f"{r['needed']:.4f} = {r['width'] / r['needed']:.2f}x, coverage {r['coverage']:.3f} "
              f"({args.trials} corpora)")


if __name__ == "__main__":
    main()
