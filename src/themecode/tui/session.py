"""Where a coder is in the sample and what is selected: the coding screen's state, free of Textual.

The session holds only the sample's case ids and the *current* case (its documents, the current
commentary's sentences and word boundaries); everything else is read from the store on demand,
so a 100,000-commentary project costs no more memory than a small one.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass

from themecode.errors import ThemecodeError
from themecode.store import Case, Document, SentenceSpan, Store

_WORD = re.compile(r"\S+")
_SENT_FALLBACK = re.compile(r"[^.!?\n]+(?:[.!?]+|$)")


def position_key(coder: str) -> str:
    """The `meta` key under which a coder's last position is kept."""
    return f"position:{coder}"


@dataclass(frozen=True)
class Position:
    """A resumable place: case, commentary and selected span."""

    case_id: str
    doc_id: str | None = None
    start: int | None = None
    end: int | None = None


def sample_case_ids(store: Store) -> list[str]:
    """The sampled cases' ids in draw (coding) order (only the ids: quick on a large sample)."""
    return [r[0] for r in store.conn.execute("SELECT case_id FROM samples ORDER BY draw_order")]


def _fallback_sentences(doc: Document) -> list[SentenceSpan]:
    """Sentences for a document the importer did not split (never expected, but never fatal)."""
    out: list[SentenceSpan] = []
    for m in _SENT_FALLBACK.finditer(doc.text):
        text = m.group(0)
        lead = len(text) - len(text.lstrip())
        start, end = m.start() + lead, m.start() + len(text.rstrip())
        if end > start:
            out.append(SentenceSpan(doc.id, len(out), start, end, ""))
    if not out and doc.text:
        out.append(SentenceSpan(doc.id, 0, 0, len(doc.text), ""))
    return out


class CodingSession:
    """Navigation over the sample (case → commentary → sentence) and the current selection.

    The selection is a half-open code-point span `[start, end)` of the current commentary; it is
    set from the sentence cursor (anchor..cursor) and can then be refined word by word.
    """

    def __init__(self, store: Store, coder: str) -> None:
        if not coder.strip():
            raise ThemecodeError("A coder name is needed: pass --coder NAME.")
        self.store = store
        self.coder = coder
        self.case_ids: list[str] = sample_case_ids(store)
        if not self.case_ids:
            raise ThemecodeError(
                f"{store.path} has no sample to code yet.",
                hint=f"draw one first with `themecode sample {store.path} --fraction 0.25`.",
            )
        self._index = {cid: i for i, cid in enumerate(self.case_ids)}
        self.case_index = 0
        self.case: Case | None = None
        self.docs: list[Document] = []
        self.doc_index = 0
        self.sentences: list[SentenceSpan] = []
        self.anchor = 0
        self.cursor = 0
        self.start = 0
        self.end = 0
        self._word_starts: list[int] = []
        self._word_ends: list[int] = []

    # ------------------------------------------------------------------ current things
    @property
    def case_id(self) -> str:
        """Id of the current case."""
        return self.case_ids[self.case_index]

    @property
    def doc(self) -> Document | None:
        """The current commentary (None for a case without commentaries)."""
        return self.docs[self.doc_index] if self.docs else None

    @property
    def selected_text(self) -> str:
        """The text of the current selection."""
        doc = self.doc
        return doc.text[self.start : self.end] if doc else ""

    @property
    def whole_selected(self) -> bool:
        """Whether the selection covers the whole commentary."""
        doc = self.doc
        return bool(doc) and self.start == 0 and self.end == len(doc.text)  # type: ignore[arg-type]

    def case_position(self, case_id: str) -> int | None:
        """0-based place of a case in the sample's draw order, or None if not sampled."""
        return self._index.get(case_id)

    # ------------------------------------------------------------------ loading
    def load_case(self, index: int, doc_index: int = 0) -> None:
        """Make the case at `index` of the sample current, at its `doc_index`-th commentary."""
        index = max(0, min(index, len(self.case_ids) - 1))
        self.case_index = index
        self.case = self.store.case(self.case_ids[index])
        self.docs = self.store.case_documents(self.case.id)
        self.load_doc(doc_index)

    def load_doc(self, doc_index: int) -> None:
        """Make a commentary of the current case current, with the cursor on its first sentence."""
        if not self.docs:
            self.doc_index = 0
            self.sentences = []
            self._word_starts, self._word_ends = [], []
            self.anchor = self.cursor = self.start = self.end = 0
            return
        self.doc_index = max(0, min(doc_index, len(self.docs) - 1))
        doc = self.docs[self.doc_index]
        self.sentences = self.store.sentences(doc.id) or _fallback_sentences(doc)
        words = [(m.start(), m.end()) for m in _WORD.finditer(doc.text)]
        self._word_starts = [w[0] for w in words]
        self._word_ends = [w[1] for w in words]
        self.set_cursor(0)

    def restore(self, pos: Position) -> bool:
        """Go to a saved position; False (and no move) if its case is no longer in the sample."""
        index = self.case_position(pos.case_id)
        if index is None:
            return False
        self.load_case(index)
        if pos.doc_id is not None:
            for i, d in enumerate(self.docs):
                if d.id == pos.doc_id:
                    self.load_doc(i)
                    break
        doc = self.doc
        if doc and pos.start is not None and pos.end is not None and 0 <= pos.start < pos.end <= len(
            doc.text
        ):
            self.start, self.end = pos.start, pos.end
            idx = self._sentence_at(pos.start)
            self.anchor, self.cursor = idx, self._sentence_at(max(pos.start, pos.end - 1))
        return True

    def position(self) -> Position:
        """The current place, for saving."""
        doc = self.doc
        return Position(
            self.case_id, doc.id if doc else None, self.start if doc else None, self.end if doc else None
        )

    def save_position(self) -> None:
        """Store the current place in `meta` so the next session resumes here."""
        p = self.position()
        self.store.set_meta(
            position_key(self.coder),
            json.dumps({"case_id": p.case_id, "doc_id": p.doc_id, "start": p.start, "end": p.end}),
        )

    def saved_position(self) -> Position | None:
        """This coder's saved place, if any."""
        raw = self.store.get_meta(position_key(self.coder))
        if not raw:
            return None
        try:
            data = json.loads(raw)
            return Position(str(data["case_id"]), data.get("doc_id"), data.get("start"), data.get("end"))
        except (ValueError, KeyError, TypeError):
            return None

    def _finished(self) -> set[str]:
        return {
            r[0]
            for r in self.store.conn.execute(
                "SELECT unit_id FROM progress WHERE unit_type = 'case' AND coder = ? "
                "AND status IN ('done', 'skipped')",
                (self.coder,),
            )
        }

    def first_open_index(self) -> int:
        """Index of the first sampled case this coder has not marked done or skipped."""
        nxt = self.next_open_index(-1)
        return len(self.case_ids) - 1 if nxt is None else nxt

    def next_open_index(self, after: int) -> int | None:
        """Index of the next case after `after` (then from the start) that this coder has not
        marked done or skipped; None when every case is finished."""
        finished = self._finished()
        n = len(self.case_ids)
        for i in [*range(after + 1, n), *range(0, max(after + 1, 0))]:
            if self.case_ids[i] not in finished:
                return i
        return None

    def refresh_sample(self) -> int:
        """Re-read the sample (it may have been extended meanwhile); returns how many cases were
        added. The current case stays current."""
        ids = sample_case_ids(self.store)
        added = len(ids) - len(self.case_ids)
        if ids != self.case_ids:
            current = self.case_id
            self.case_ids = ids
            self._index = {cid: i for i, cid in enumerate(ids)}
            self.case_index = self._index.get(current, 0)
        return added

    def resume(self) -> None:
        """Open where this coder left off: the saved position, unless that case is finished
        (done or skipped): then the next unfinished case. Else the first unfinished case."""
        pos = self.saved_position()
        if pos is None or not self.restore(pos):
            self.load_case(self.first_open_index())
        elif self.case_id in self._finished():
            nxt = self.next_open_index(self.case_index)
            if nxt is not None:
                self.load_case(nxt)

    # ------------------------------------------------------------------ sentence cursor
    def _sentence_at(self, offset: int) -> int:
        starts = [s.start for s in self.sentences]
        return max(0, bisect.bisect_right(starts, offset) - 1)

    def _select_sentences(self) -> None:
        if not self.sentences:
            doc = self.doc
            self.start, self.end = 0, len(doc.text) if doc else 0
            return
        lo, hi = sorted((self.anchor, self.cursor))
        self.start, self.end = self.sentences[lo].start, self.sentences[hi].end

    def set_cursor(self, idx: int) -> None:
        """Put the cursor on sentence `idx` and select just that sentence."""
        n = len(self.sentences)
        idx = max(0, min(idx, n - 1)) if n else 0
        self.anchor = self.cursor = idx
        self._select_sentences()

    def move(self, delta: int) -> bool:
        """Move the sentence cursor; False when already at the first/last sentence."""
        target = self.cursor + delta
        if not 0 <= target < len(self.sentences):
            return False
        self.set_cursor(target)
        return True

    def extend(self, delta: int) -> bool:
        """Grow or shrink the selection by whole sentences, keeping the anchor sentence."""
        target = self.cursor + delta
        if not 0 <= target < len(self.sentences):
            return False
        self.cursor = target
        self._select_sentences()
        return True

    def select_all(self) -> None:
        """Select the whole commentary."""
        doc = self.doc
        if doc:
            self.start, self.end = 0, len(doc.text)
            self.anchor, self.cursor = 0, max(0, len(self.sentences) - 1)

    def select_span(self, start: int, end: int) -> None:
        """Select an explicit span (e.g. a search hit), clamped to the commentary."""
        doc = self.doc
        if not doc:
            return
        start = max(0, min(start, len(doc.text) - 1))
        end = max(start + 1, min(end, len(doc.text)))
        self.start, self.end = start, end
        self.anchor = self._sentence_at(start)
        self.cursor = self._sentence_at(end - 1)

    def select_sentence_at(self, offset: int) -> None:
        """Select the whole sentence holding `offset` (e.g. a search hit)."""
        self.set_cursor(self._sentence_at(offset))

    def extend_to(self, offset: int) -> None:
        """Extend the selection, from its anchor sentence, to the sentence holding `offset`."""
        if self.sentences:
            self.cursor = self._sentence_at(offset)
            self._select_sentences()

    # ------------------------------------------------------------------ word refinement
    def start_later(self) -> bool:
        """Trim one word off the start of the selection."""
        i = bisect.bisect_right(self._word_starts, self.start)
        if i < len(self._word_starts) and self._word_starts[i] < self.end:
            self.start = self._word_starts[i]
            return True
        return False

    def start_earlier(self) -> bool:
        """Extend the selection one word back at its start."""
        i = bisect.bisect_left(self._word_starts, self.start) - 1
        if i >= 0:
            self.start = self._word_starts[i]
            return True
        return False

    def end_earlier(self) -> bool:
        """Trim one word off the end of the selection."""
        i = bisect.bisect_left(self._word_ends, self.end) - 1
        if i >= 0 and self._word_ends[i] > self.start:
            self.end = self._word_ends[i]
            return True
        return False

    def end_later(self) -> bool:
        """Extend the selection one word forward at its end."""
        i = bisect.bisect_right(self._word_ends, self.end)
        if i < len(self._word_ends):
            self.end = self._word_ends[i]
            return True
        return False

    # ------------------------------------------------------------------ commentary / case moves
    def next_doc(self) -> bool:
        """Go to the next commentary of the case; False at the last one."""
        if self.doc_index + 1 >= len(self.docs):
            return False
        self.load_doc(self.doc_index + 1)
        return True

    def prev_doc(self) -> bool:
        """Go to the previous commentary of the case; False at the first one."""
        if self.doc_index == 0:
            return False
        self.load_doc(self.doc_index - 1)
        return True

    def next_case(self) -> bool:
        """Go to the next case in draw order; False at the end of the sample."""
        if self.case_index + 1 >= len(self.case_ids):
            return False
        self.load_case(self.case_index + 1)
        return True

    def prev_case(self) -> bool:
        """Go to the previous case in draw order; False at the start."""
        if self.case_index == 0:
            return False
        self.load_case(self.case_index - 1)
        return True

    def goto_case(self, case_id: str) -> None:
        """Jump to a sampled case by id, in any letter case when that is unambiguous (raises a
        ThemecodeError naming the problem)."""
        index = self.case_position(case_id.strip())
        if index is None:
            folded = [i for i, c in enumerate(self.case_ids) if c.casefold() == case_id.strip().casefold()]
            index = folded[0] if len(folded) == 1 else None
        if index is None:
            exists = self.store.conn.execute(
                "SELECT 1 FROM cases WHERE id = ?", (case_id.strip(),)
            ).fetchone()
            if exists:
                raise ThemecodeError(
                    f"Case {case_id!r} is in the project but not in the sample.",
                    hint="only sampled cases are coded; extend the sample with `themecode sample`.",
                )
            raise ThemecodeError(f"No case {case_id!r} in this project.")
        self.load_case(index)

    def goto_doc(self, doc_id: str) -> None:
        """Jump to a commentary by id (its case must be in the sample)."""
        doc = self.store.document(doc_id)
        self.goto_case(doc.case_id)
        for i, d in enumerate(self.docs):
            if d.id == doc_id:
                self.load_doc(i)
                return
