"""Suggestions computed ahead of the coder: every sentence of the commentary on screen, of its
neighbours and of the next case's first commentary, kept per suggester.

Moving the sentence cursor then shows the new sentence's suggestions right after the key's own
frame, with no debounce and no model run; only a selection never computed ahead (several
sentences, a word trimmed) waits for the worker. `LookAhead` holds the cache; `look_ahead`
runs in a thread worker (its own `Store`) and posts one `AheadReady` per commentary. Calls into
the suggester are serialised by `LookAhead.lock`, so the look-ahead and an on-demand request never
run spaCy or the model at the same time.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any

from rich.text import Text
from textual.message import Message

from themecode.store import Store
from themecode.tui.screens.coding_messages import AheadReady, Key

DOC_TOP = 8  # commentary-level suggestions asked for (those above threshold are offered)
MIN_SCORE_SHOWN = 0.01  # suggestions scoring less are not listed


def suggester_module() -> Any:
    """`themecode.suggest.suggester`, imported without pandas when pandas is not loaded yet.

    scikit-learn imports pandas, if installed, only to support data frames, which the coding
    app never passes it: hiding pandas while scikit-learn loads saves ~30 MB of the app's memory.
    Later imports of pandas (none in the app today) work as usual.
    """
    import importlib

    hide = "pandas" not in sys.modules
    if hide:
        sys.modules["pandas"] = None  # type: ignore[assignment] - `import pandas` raises ImportError
    try:
        return importlib.import_module("themecode.suggest.suggester")
    finally:
        if hide and sys.modules.get("pandas", 0) is None:
            del sys.modules["pandas"]


def shown(sugg: Any, text: str, lock: threading.Lock, stage: str | None = None) -> list[Any]:
    """The top five suggestions worth listing for `text` of a commentary at `stage` (0.00 rows
    say nothing)."""
    with lock:
        return [x for x in sugg.suggest(text, top=5, stage=stage) if x.score >= MIN_SCORE_SHOWN]


def whole(sugg: Any, text: str, lock: threading.Lock, stage: str | None = None) -> list[Any]:
    """The commentary-level suggestions for a whole commentary's text, ordered for its
    `stage` as `suggest` orders them."""
    with lock:
        return list(sugg.suggest(text, top=DOC_TOP, stage=stage))


def heading(info: dict[str, Any], refit_error: str, doc_items: list[Any],
            label: Callable[[str], str]) -> Text:
    """The suggestions panel's heading: where they come from (the suggester's `info`), and the
    commentary's own above-threshold codes (`doc_items`), named by `label`."""
    head = Text()
    head.append("Suggestions", "bold")
    head.append("  1–5 apply, = the top one\n", "dim")
    if refit_error:
        head.append("refit failed: kept the last suggester (status line)", "#bf616a")
    elif info.get("status") is not None:  # what it is and its record (suggest.status)
        head.append(f"{info['status'].short()}; {info['learns_from']}",
                    "dim" if info.get("model_codes") else "#ebcb8b")
    elif info.get("model_id") or info.get("model_codes"):
        head.append(f"model of {info.get('n_documents', 0)} commentaries; {info['learns_from']}",
                    "dim")
    else:
        head.append("keyword rules only (no model yet)", "#ebcb8b")
    above = [s for s in doc_items if s.above_threshold]
    if above:
        head.append("\n* whole commentary: ", "dim")
        head.append(", ".join(label(s.code_id) for s in above), "dim")
    return head


class LookAhead:
    """The cache of suggestions computed ahead, for one suggester at a time."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.cache: dict[Key, list[Any]] = {}
        self.done: set[str] = set()  # commentaries whose sentences are all in the cache
        self.asked: tuple[str, ...] = ()  # the commentaries the last look-ahead was asked for
        self.first_of: dict[str, str] = {}  # case id -> its first commentary, once computed

    def reset(self) -> None:
        """A new suggester: nothing computed by the old one is shown."""
        self.cache.clear()
        self.done.clear()
        self.asked = ()
        self.first_of.clear()

    def todo(self, docs: Sequence[str], next_case: str | None) -> tuple[list[str], str | None]:
        """Of the commentaries `docs` around the coder and the first of `next_case`, those not
        computed nor asked for yet; entries for commentaries no longer around are dropped (memory
        stays bounded)."""
        first = self.first_of.get(next_case) if next_case else None
        keep = {*docs, *([first] if first else [])}
        for key in [k for k in self.cache if k[0] not in keep]:
            del self.cache[key]
        self.done &= keep
        self.first_of = {next_case: first} if next_case and first else {}
        case = next_case if next_case and first not in self.done else None
        todo = [d for d in docs if d not in self.done] + ([f"case:{case}"] if case else [])
        if tuple(todo) == self.asked:
            return [], None
        self.asked = tuple(todo)
        return [d for d in todo if not d.startswith("case:")], case

    def add(self, message: AheadReady) -> None:
        """Keep a look-ahead worker's results for one commentary."""
        self.cache.update(message.entries)
        self.done.add(message.doc_id)
        if message.case_id is not None:
            self.first_of[message.case_id] = message.doc_id


def look_ahead(store_path: Any, sugg: Any, lock: threading.Lock, wanted: Sequence[str],
               next_case: str | None, post: Callable[[Message], None]) -> None:
    """Compute every sentence's and the whole commentary's suggestions for the commentaries
    `wanted` (in order) and the first commentary of case `next_case` (worker thread)."""
    with Store.open(store_path) as own:
        doc_ids: list[tuple[str, str | None]] = [(d, None) for d in wanted]
        if next_case is not None:
            doc_ids += [(d.id, next_case) for d in own.case_documents(next_case)[:1]]
        for doc_id, case_id in doc_ids:
            doc = own.document(doc_id)
            entries: dict[Key, list[Any]] = {}
            for s in own.sentences(doc_id):
                entries[(doc_id, s.start, s.end)] = shown(sugg, doc.text[s.start:s.end], lock,
                                                          doc.stage)
            doc_items = whole(sugg, doc.text, lock, doc.stage)
            # the whole commentary selected (ctrl+a): the same ranking, cut to five
            entries[(doc_id, 0, len(doc.text))] = [x for x in doc_items[:5]
                                                   if x.score >= MIN_SCORE_SHOWN]
            post(AheadReady(sugg, doc_id, entries, doc_items, case_id))
