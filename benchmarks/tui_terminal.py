"""Figures of the coding app taken as a person meets it (used by benchmarks/tui.py).

* First paint in a real terminal: the app runs in a tmux pane (`tmux new-session -x 120 -y 40`)
  and the pane is read every 5 ms until the first commentary's case line is on it; the same is
  done for a minimal Textual app (Header, Static, Footer) in the same run, alternating, so the
  ratio is fair to the machine's load. The coding app is started exactly as `themecode code`
  starts it (backup included: it now runs after the first paint).
* Keystrokes per commentary when the suggestions are right: the demo project's first 20 sampled
  cases are coded by script with the gold codings as the oracle. Per sentence the script takes
  each gold code on it with the number key of the suggestion if it is among the top five, else
  its shortcut letter (else Enter and four letters of its label in the picker; an inductive code
  not yet in the codebook costs +, its label and Enter once), moves down with one key, and
  marks the commentary done with ctrl+d. It reports the mean keys per commentary and how many
  codes came from a suggestion.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MINIMAL_APP = (
    "from textual.app import App\n"
    "from textual.widgets import Footer, Header, Static\n"
    "class Minimal(App):\n"
    "    def compose(self):\n"
    "        yield Header()\n"
    "        yield Static('minimal app ready')\n"
    "        yield Footer()\n"
    "Minimal().run()\n"
)


# A private tmux server (its own socket), kept alive by an idle session for the whole run: a
# pane's session ending must not stop the server while the next one starts, and other tmux
# users on the machine are left alone.
TMUX = ["tmux", "-L", f"themecode-bench-{os.getpid()}"]


def _paint_once(command: list[str], marker: str, size: tuple[int, int]) -> float:
    """Seconds from starting `command` in a fresh tmux pane to `marker` appearing on it."""
    name = f"tcbench{time.time_ns() % 10**9}"
    shell = " ".join(f"'{c}'" for c in command)
    t0 = time.perf_counter()
    subprocess.run([*TMUX, "new-session", "-d", "-s", name, "-x", str(size[0]), "-y", str(size[1]),
                    f"cd {REPO} && {shell}"], check=True)
    try:
        while time.perf_counter() - t0 < 60:
            pane = subprocess.run([*TMUX, "capture-pane", "-p", "-t", name], capture_output=True,
                                  text=True).stdout
            if marker in pane:
                return time.perf_counter() - t0
            time.sleep(0.005)
        raise RuntimeError(f"{marker!r} never appeared in the pane")
    finally:
        subprocess.run([*TMUX, "send-keys", "-t", name, "C-q"], capture_output=True)
        time.sleep(0.3)
        subprocess.run([*TMUX, "kill-session", "-t", name], capture_output=True)


def measure_terminal_paint(db: Path, runs: int = 3, size: tuple[int, int] = (120, 40)) -> dict[str, float]:
    """Median first paint of `themecode code` and of a minimal Textual app, in tmux."""
    if shutil.which("tmux") is None:
        return {}
    script = db.parent / "minimal_app.py"
    script.write_text(MINIMAL_APP, encoding="utf-8")
    ours, minimal = [], []
    subprocess.run([*TMUX, "new-session", "-d", "-s", "keeper", "sleep 3600"], check=True)
    try:
        for _ in range(runs):
            ours.append(_paint_once([sys.executable, "-m", "themecode.cli", "code", str(db),
                                     "--coder", "bench-paint"], "Case ", size))
            minimal.append(_paint_once([sys.executable, str(script)], "minimal app ready", size))
    finally:
        subprocess.run([*TMUX, "kill-server"], capture_output=True)
    a, b = statistics.median(ours), statistics.median(minimal)
    return {"terminal_paint_s": a, "terminal_paint_minimal_s": b, "terminal_paint_ratio": a / b}


async def _keystrokes(db: Path, n_cases: int) -> dict[str, float]:
    from themecode.store import Store
    from themecode.tui.app import ThemecodeApp

    gold: dict[str, list[tuple[int, int, str]]] = {}
    for line in (REPO / "corpus" / "demo" / "gold-codings.jsonl").read_text(encoding="utf-8").splitlines():
        g = json.loads(line)
        gold.setdefault(g["doc_id"], []).append((g["start"], g["end"], g["code"]))
    store = Store.open(db)
    shortcuts = {c.id: c.shortcut for c in store.codes(kind="code") if c.shortcut}
    known = {c.id for c in store.codes(include_retired=True)}
    app = ThemecodeApp(store, "bench-keys")
    keys = docs = from_suggestion = codes_applied = 0
    async with app.run_test(size=(120, 40)) as pilot:
        scr = app.screen
        s = scr.session  # type: ignore[attr-defined]

        async def suggestions() -> list[str]:
            want = (s.doc.id, s.start, s.end)
            for _ in range(300):
                if scr.suggestion_key == want:  # type: ignore[attr-defined]
                    return [x.code_id for x in scr.suggestions]  # type: ignore[attr-defined]
                await pilot.pause(0.02)
            return []

        for _ in range(n_cases):
            case_id = s.case_id
            for expected in [d.id for d in s.docs]:
                if s.doc.id != expected:  # ctrl+d moves on by itself; else one key
                    await pilot.press("right")
                    keys += 1
                doc = s.doc
                for i, sent in enumerate(s.sentences):
                    if i:
                        await pilot.press("down")
                        keys += 1
                    wanted = sorted({c for a, b, c in gold.get(doc.id, []) if a < sent.end and b > sent.start})
                    have = {c.code_id for c in store.codings(doc.id, "bench-keys")
                            if c.start <= sent.start and c.end >= sent.end}
                    for code in wanted:
                        if code in have:
                            continue
                        ranked = await suggestions()
                        if code in ranked[:5]:
                            await pilot.press(str(ranked.index(code) + 1))
                            keys += 1
                            from_suggestion += 1
                        elif code in shortcuts:
                            await pilot.press(shortcuts[code])
                            keys += 1
                        else:
                            if code not in known:  # an inductive code: + , its label, Enter
                                from themecode.codebook import create_code

                                create_code(store, code, code.replace("_", " "), coder="bench-keys",
                                            origin="inductive")
                                known.add(code)
                                keys += 2 + len(code)
                            else:
                                keys += 6  # Enter, four letters of the label, Enter (picker)
                            store.add_coding(doc.id, sent.start, sent.end, code, "bench-keys")
                        codes_applied += 1
                        await pilot.pause()
                await pilot.press("ctrl+d")
                keys += 1
                docs += 1
            await pilot.press("ctrl+e")  # every commentary done: the case is marked and left
            keys += 1
            await pilot.pause()
            if s.case_id == case_id:
                await pilot.press("y")
                keys += 1
    store.close()
    return {"keystrokes_per_commentary": keys / max(docs, 1), "commentaries": docs,
            "codes_applied": codes_applied, "codes_from_suggestions": from_suggestion}


def measure_keystrokes(demo_db: Path, work: Path, n_cases: int = 20) -> dict[str, float]:
    """Keys per commentary over the demo's first `n_cases` sampled cases (a fresh copy)."""
    copy = work / "keystrokes.db"
    shutil.copy(demo_db, copy)
    return asyncio.run(_keystrokes(copy, n_cases))
