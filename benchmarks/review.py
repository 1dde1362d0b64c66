"""Time the code browser's queries on a 100,000-commentary project.

Builds (once; reused with --db) the same project as `benchmarks/export.py` (25,000 cases x 4
stages, the generator's gold codings on every commentary: the worst case, since a real project
codes a 25% sample), then opens the code with the most extracts (about 38,000 codings of
`positive_practice`) the way the code browser does: the ordered coding ids matching the filter
(`review.extracts.extract_ids`), then one page of 50 extracts with context (`load_extracts`).
Each query runs --repeat times; the table gives the median and the slowest run (wall clock) and
the median CPU time, with the load
average so runs on a busy machine can be read. Target: opening a code <= 0.3 s.
Also times the themes screen's figures (`review.themes.theme_overview`), which run in a worker,
and (headless, Textual's test driver) the whole browser screen: opened over the coding screen on
that code, and switched to it inside an open browser, wall and CPU of this process.

Run:  .venv/bin/python benchmarks/review.py [--db /tmp/review-bench.db] [--repeat 5]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from themecode.review.extracts import ExtractFilter, extract_ids, load_extracts
from themecode.review.themes import theme_overview
from themecode.store import Store

HERE = Path(__file__).resolve().parent


def _export_bench() -> Any:  # noqa: ANN401 - a module loaded by path
    spec = importlib.util.spec_from_file_location("themecode_export_bench", HERE / "export.py")
    if spec is None or spec.loader is None:
        raise SystemExit("benchmarks/export.py not found")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float, float, Any]:
    """(median wall seconds, slowest wall seconds, median CPU seconds, last result) over
    `repeat` runs; CPU time shows the cost when other programs share the cores."""
    times, cpu, result = [], [], None
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return statistics.median(times), max(times), statistics.median(cpu), result


async def _screen_times(db: Path, code: str, repeat: int) -> dict[str, float]:
    """Median wall and CPU seconds to open the browser screen on `code`, and to switch to it
    inside an open browser (the first opening of the app is not counted)."""
    from themecode.tui.app import ThemecodeApp
    from themecode.tui.screens.browser import CodeBrowserScreen
    from themecode.tui.screens.review_nav import BrowserState

    store = Store.open(db)
    coder = store.conn.execute("SELECT coder FROM codings LIMIT 1").fetchone()[0]
    other = store.conn.execute("SELECT id FROM codes WHERE kind = 'code' AND id != ? LIMIT 1",
                               (code,)).fetchone()[0]
    app = ThemecodeApp(store, coder, background=False)
    out: dict[str, list[float]] = {"open_wall": [], "open_cpu": [], "switch_wall": [],
                                   "switch_cpu": []}
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for _ in range(repeat):
            t, c = time.perf_counter(), time.process_time()
            app.push_screen(CodeBrowserScreen(store, coder, BrowserState(target=code)))
            await pilot.pause()
            out["open_wall"].append(time.perf_counter() - t)
            out["open_cpu"].append(time.process_time() - c)
            browser = app.screen
            assert isinstance(browser, CodeBrowserScreen) and browser.page
            browser.set_state(target=other)
            await pilot.pause()
            t, c = time.perf_counter(), time.process_time()
            browser.set_state(target=code)
            await pilot.pause()
            out["switch_wall"].append(time.perf_counter() - t)
            out["switch_cpu"].append(time.process_time() - c)
            app.pop_screen()
            await pilot.pause()
    store.close()
    return {k: round(statistics.median(v), 3) for k, v in out.items()}


def main() -> None:
    """Build or reuse the project, time the browser's queries, print a table and JSON."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=25_000)
    ap.add_argument("--db", type=Path, help="project file to build or reuse")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    db = args.db or Path(tmp.name) / "bench.db"
    if not db.exists():
        t = time.perf_counter()
        counts = _export_bench().build(db, args.cases, 1.0)
        print(f"built {db} in {time.perf_counter() - t:.1f} s: {counts}", file=sys.stderr)
    store = Store.open(db)
    code, n = store.conn.execute(
        "SELECT code_id, count(*) FROM codings WHERE deleted = 0 GROUP BY code_id "
        "ORDER BY 2 DESC LIMIT 1").fetchone()
    rosh = "high/very high"
    cases = {
        "case order": ExtractFilter((code,)),
        "by length": ExtractFilter((code,), sort="length"),
        "coder filter": ExtractFilter((code,), coders=("gold",)),
        f"rosh = {rosh}": ExtractFilter((code,), metadata=(("rosh", rosh),)),
        "text 'police'": ExtractFilter((code,), text="police"),
    }
    rows = []
    for name, flt in cases.items():
        med, worst, cpu, ids = timed(lambda flt=flt: extract_ids(store, flt), args.repeat)
        pmed, pworst, _, _ = timed(lambda ids=ids: load_extracts(store, ids[len(ids) // 2:][:50]),
                                args.repeat)
        rows.append({"query": name, "extracts": len(ids), "ids_median_s": round(med, 3),
                     "ids_max_s": round(worst, 3), "ids_cpu_s": round(cpu, 3), "page_median_s": round(pmed, 4),
                     "page_max_s": round(pworst, 4), "open_median_s": round(med + pmed, 3)})
    tmed, tworst, _, _ = timed(lambda: theme_overview(store), max(1, args.repeat // 2))
    screen = asyncio.run(_screen_times(db, code, args.repeat))
    load = os.getloadavg()
    print(f"code {code!r}: {n} live extracts (gold coder, every commentary coded); "
          f"load average {load[0]:.1f}/{load[1]:.1f}")
    print(f"{'query':<24}{'extracts':>9}{'ids med':>9}{'ids max':>9}{'ids cpu':>9}"
          f"{'page med':>10}{'open med':>10}")
    for r in rows:
        print(f"{r['query']:<24}{r['extracts']:>9}{r['ids_median_s']:>9.3f}{r['ids_max_s']:>9.3f}"
              f"{r['ids_cpu_s']:>9.3f}{r['page_median_s']:>10.4f}{r['open_median_s']:>10.3f}")
    print(f"theme overview (themes screen, in a worker): median {tmed:.2f} s, max {tworst:.2f} s")
    print(f"browser screen on {code!r}: opened over the coding screen {screen['open_wall']:.3f} s "
          f"wall / {screen['open_cpu']:.3f} s CPU; switched to inside an open browser "
          f"{screen['switch_wall']:.3f} s wall / {screen['switch_cpu']:.3f} s CPU (medians)")
    print(json.dumps({"code": code, "extracts": n, "rows": rows,
                      "theme_overview_median_s": round(tmed, 2), "screen": screen,
                      "loadavg": load[:2]}))
    store.close()


if __name__ == "__main__":
    main()
