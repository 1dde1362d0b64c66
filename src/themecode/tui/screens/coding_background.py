"""Background work of the coding screen: the suggester and saturation figures.

Slow things (loading and fitting the suggester, computing saturation) run in Textual thread
workers that open their own `Store` and post a message to the screen; the screen's handlers call
the `*_ready` methods here, on the UI thread, which update the panels. `BackgroundWork` gets the
store, coder, session, the screen (as a `CodingView`, also the worker runner and message target)
and whether to run at all in its constructor.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer

from themecode.errors import ThemecodeError
from themecode.store import Store
from themecode.tui import queries
from themecode.tui.screens.coding_ahead import (
    LookAhead,
    heading,
    look_ahead,
    shown,
    suggester_module,
    whole,
)
from themecode.tui.screens.coding_messages import (
    AheadReady,
    BackgroundMessage,
    SampleCounted,
    SaturationReady,
    SuggesterFailed,
    SuggesterReady,
    SuggesterUnavailable,
    SuggestionsLogged,
    SuggestionsReady,
)
from themecode.tui.screens.coding_view import CodingView, one_line

if TYPE_CHECKING:
    from themecode.tui.session import CodingSession

SATURATION_WINDOW = 10  # "new codes in the last N cases"
SUGGEST_DELAY = 0.03  # seconds of a still selection before asking (a held key asks once)
NEXT_FRAME = 0.01  # seconds: cached suggestions are shown once the key's own frame is out
LOG_DELAY = 0.05  # seconds after suggestions from the cache are shown before they are logged
STALE_DELAY = 0.25  # seconds before the panel says its suggestions are for another selection
RETRAIN_DELAY = 4.0  # seconds after the last commentary or case marked done before refitting


class BackgroundWork:
    """Suggestions (shown, logged, accepted, refitted) and live saturation for the coding screen.

    `screen` runs the thread workers and receives their messages; `view` is the same screen seen
    through `CodingView`. With `enabled=False` nothing runs (quick tests, `background=False`).
    """

    def __init__(
        self, store: Store, coder: str, session: CodingSession, view: CodingView, screen: Screen[Any],
        *, enabled: bool = True,
    ) -> None:
        self.store = store
        self.coder = coder
        self.session = session
        self.view = view
        self.screen = screen
        self.enabled = enabled
        self.suggester: Any = None
        self.suggester_info: dict[str, Any] = {}
        self.suggestions: list[Any] = []
        self.suggestion_log: list[int] = []
        self.suggestion_key: tuple[str, int, int] | None = None
        self.saturation: dict[str, Any] | None = None
        self.last_saturation_message = "Saturation: computing…"
        self._logged: set[tuple[str, int, int]] = set()
        self._doc_suggestions: dict[str, list[Any]] = {}
        self._frozen_after_first_suggestions = False
        self._retrain_timer: Timer | None = None
        self._suggest_timer: Timer | None = None
        self._stale_timer: Timer | None = None
        self.ahead = LookAhead()  # suggestions computed ahead for the sentences around the coder
        self.blind = True  # the coder sees only their own codings (the screen keeps this in step)
        self.refit_error = ""  # the last refit's error, until a refit succeeds

    def _run(self, work: Callable[[], None], group: str) -> None:
        """Run `work` in a Textual thread worker (one per group at a time: a newer one replaces it)."""
        self.screen.run_worker(work, name=group, group=group, thread=True, exclusive=True,
                               exit_on_error=False)

    def post(self, message: Message) -> None:
        """Send a message to the screen (safe from a worker thread)."""
        self.screen.post_message(message)

    def receive(self, message: BackgroundMessage) -> None:
        """A worker's message, handed over by the screen on the UI thread."""
        handler = {
            SuggesterReady: self.suggester_ready, SuggesterUnavailable: self.suggester_unavailable,
            SuggesterFailed: self.suggester_failed, SuggestionsReady: self.suggestions_ready,
            SaturationReady: self.saturation_ready, AheadReady: self.ahead_ready,
            SuggestionsLogged: self.suggestions_logged,
        }[type(message)]
        handler(message)  # type: ignore[operator]

    def start(self) -> None:
        """Load the suggester and compute saturation (after the first paint), or say they are off."""
        if self.enabled:
            self.load_suggester()
            self.compute_saturation()
        else:
            self.view.show_no_suggestions("Suggestions: off")
            self.view.saturation_indicator.show_message("Saturation: off")

    def count_sample(self) -> None:
        """Count the sample's commentaries and its cases' metadata fields in a worker (slow on a
        large project, so after the first paint; runs even with `enabled=False`)."""
        self._run(self._count_sample, "count-sample")

    def _count_sample(self) -> None:
        with Store.open(self.store.path) as own:
            self.post(SampleCounted(queries.sample_doc_total(own), queries.case_metadata_keys(own)))

    def set_blind(self, blind: bool) -> None:
        """The coder switched between blind and open coding: reload what suggestions learn from."""
        self.blind = blind
        if self.enabled and self.suggester is not None:
            self.load_suggester()

    def case_done(self) -> None:
        """A case was marked done: recompute saturation now, refit the suggester soon."""
        if self.enabled:
            self.compute_saturation()
            self.schedule_retrain()

    # ------------------------------------------------------------------ suggestions
    def load_suggester(self) -> None:
        """Load the suggester in a worker (quick: the stored model, or rules only)."""
        self._run(self._load_suggester, "suggester-load")

    def _load_suggester(self) -> None:
        try:
            mod = suggester_module()
            Suggester, load_suggester, suggester_status = (  # noqa: N806 - the module's names
                mod.Suggester, mod.load_suggester, mod.suggester_status)
        except ImportError:
            self.post(SuggesterUnavailable("Suggestions: none yet"))
            return
        try:
            with self.store.reopen() as own:
                sugg = load_suggester(own, refit=False)  # quick: the stored model, or rules only
                restricted = self.blind and queries.others_coded_sample(own, self.coder)
                if restricted:  # the stored model learnt from other coders' codings of the sample
                    sugg = Suggester(sugg.codes, sugg.rules, None, {"blind_for": self.coder})
                info = self._info(sugg, restricted)
                info["status"] = suggester_status(own, info, coder=self.coder)
        except Exception as exc:  # noqa: BLE001 - any failure of the optional suggester is shown, not fatal
            self.post(SuggesterUnavailable(f"Suggestions: unavailable ({type(exc).__name__}: {exc})"))
            return
        self.post(SuggesterReady(sugg, info, refit=info.get("model_id") is None))

    @staticmethod
    def _info(sugg: Any, restricted: bool) -> dict[str, Any]:
        info = dict(sugg.info())
        info["learns_from"] = "your codings only (blind)" if restricted else "every coder's codings"
        return info

    def suggester_ready(self, message: SuggesterReady) -> None:
        """Use the new suggester and ask it about the current selection."""
        gc.freeze()  # the suggester's libraries just loaded: keep them out of later collections
        self._doc_suggestions.clear()
        self.ahead.reset()
        if message.info.get("model_id") != self.suggester_info.get("model_id"):
            self._logged.clear()  # a new model: what it shows is logged afresh
        self.suggester = message.suggester
        self.suggester_info = message.info
        self.refit_error = ""
        self.request_suggestions()
        if message.refit:
            self.retrain()

    def suggester_unavailable(self, message: SuggesterUnavailable) -> None:
        """Say plainly that there are no suggestions."""
        self.suggester = None
        self.view.show_no_suggestions(message.reason)

    def selection_moved(self) -> None:
        """Ask for suggestions once the selection has stayed put for a moment."""
        if self._suggest_timer is not None:
            self._suggest_timer.stop()
        if self.suggester is None:
            return
        if self._stale_timer is not None:
            self._stale_timer.stop()
        doc = self.session.doc
        key = (doc.id, self.session.start, self.session.end) if doc is not None else None
        if key is not None and key in self.ahead.cache:  # computed ahead: in the next frame,
            # so the key's own frame (the cursor) is not held up by repainting the panel
            self.screen.set_timer(NEXT_FRAME, lambda: self.show_cached(key))
            return
        # Said only if the new suggestions are slow to come: repainting the panel twice per
        # key (stale, then fresh) would slow every key's own frame.
        self._stale_timer = self.screen.set_timer(STALE_DELAY, self._mark_stale)
        self._suggest_timer = self.screen.set_timer(SUGGEST_DELAY, self.request_suggestions)

    def _mark_stale(self) -> None:
        doc = self.session.doc
        if doc is not None and self.suggestion_key != (doc.id, self.session.start, self.session.end):
            self.view.mark_suggestions_stale()

    def show_cached(self, key: tuple[str, int, int]) -> None:
        """Show suggestions computed ahead, if the selection is still `key`; log them (once per
        selection and model) in a worker."""
        doc = self.session.doc
        if doc is None or key != (doc.id, self.session.start, self.session.end):
            return
        items = self.ahead.cache[key]
        if key not in self._logged and items:
            self._logged.add(key)
            model_id = self.suggester_info.get("model_id")
            # logged from a worker started once this frame is out (its thread would compete
            # with the frame for the interpreter)
            self.screen.set_timer(LOG_DELAY, lambda: self.screen.run_worker(
                lambda: self._log(key, items, model_id), group="suggest-log", thread=True,
                exit_on_error=False))
        self.suggestions_ready(SuggestionsReady(key, items, None, []))

    def _log(self, key: tuple[str, int, int], items: list[Any], model_id: int | None) -> None:
        from themecode.suggest.suggester import log_suggestions

        with Store.open(self.store.path) as own:
            ids = list(log_suggestions(own, self.coder, key[0], key[1], key[2], items, model_id))
        self.post(SuggestionsLogged(key, ids))

    def suggestions_logged(self, message: SuggestionsLogged) -> None:
        """Log ids of suggestions shown from the cache (an acceptance is recorded against them)."""
        if message.key == self.suggestion_key:
            self.suggestion_log = message.log_ids

    def look_around(self) -> None:
        """Compute ahead the suggestions of the commentary on screen, its neighbours and the
        next case's first commentary (in a worker, once per commentary and suggester)."""
        s = self.session
        if self.suggester is None or s.doc is None:
            return
        near = [s.doc_index, s.doc_index + 1, s.doc_index - 1]
        wanted = [s.docs[i].id for i in near if 0 <= i < len(s.docs)]
        nxt = s.case_ids[s.case_index + 1] if s.case_index + 1 < len(s.case_ids) else None
        docs, case = self.ahead.todo(wanted, nxt)
        if not docs and case is None:
            return
        sugg, lock, path = self.suggester, self.ahead.lock, self.store.path
        self._run(lambda: self._look_ahead(path, sugg, lock, docs, case), "suggest-ahead")

    def _look_ahead(self, path: Any, sugg: Any, lock: Any, docs: list[str], case: str | None) -> None:
        try:
            look_ahead(path, sugg, lock, docs, case, self.post)
        except Exception as exc:  # noqa: BLE001 - computing ahead is optional: asked on demand then
            self.screen.log.error("suggestions ahead failed", exc_info=exc)

    def ahead_ready(self, message: AheadReady) -> None:
        """Keep suggestions computed ahead (from the current suggester only); show them if the
        coder is waiting on one of those selections."""
        if message.suggester is not self.suggester:
            return
        self.ahead.add(message)
        self._doc_suggestions[message.doc_id] = message.doc_items
        doc = self.session.doc
        key = (doc.id, self.session.start, self.session.end) if doc is not None else None
        if key in message.entries and key != self.suggestion_key:
            self.show_cached(key)  # type: ignore[arg-type]

    def request_suggestions(self) -> None:
        """Ask the suggester about the current selection (in a worker)."""
        doc = self.session.doc
        if self.suggester is None or doc is None:
            return
        key = (doc.id, self.session.start, self.session.end)
        if key in self.ahead.cache:
            self.show_cached(key)
            return
        log = key not in self._logged
        self._logged.add(key)
        cached = self._doc_suggestions.get(doc.id)  # the commentary's own: once per model
        sugg, text, doc_text = self.suggester, self.session.selected_text, doc.text
        lock, stage = self.ahead.lock, doc.stage
        self._run(lambda: self._suggest(sugg, key, text, doc_text, log, cached, lock, stage),
                  "suggest")

    def _suggest(
        self, sugg: Any, key: tuple[str, int, int], text: str, doc_text: str, log: bool,
        doc_items: list[Any] | None, lock: Any, stage: str | None = None,
    ) -> None:
        try:
            # 0.00 rows say nothing: not listed (nor logged)
            items = shown(sugg, text, lock, stage)
            log_ids: list[int] = []
            if log and items:
                from themecode.suggest.suggester import log_suggestions

                with Store.open(self.store.path) as own:
                    log_ids = list(log_suggestions(
                        own, self.coder, key[0], key[1], key[2], items,
                        self.suggester_info.get("model_id"),
                    ))
            # The selection's suggestions go on screen first; the whole commentary's (more
            # sentences, once per commentary and model) follow in a second message.
            self.post(SuggestionsReady(key, items, doc_items, log_ids))
            if doc_items is None:
                doc_items = whole(sugg, doc_text, lock, stage)
                self.post(SuggestionsReady(key, items, doc_items, []))
        except Exception as exc:  # noqa: BLE001 - the optional suggester failing must not stop coding
            self.screen.log.error("suggestions failed", exc_info=exc)
            self.post(SuggesterFailed("suggestions", f"{type(exc).__name__}: {exc}"))

    def suggestions_ready(self, message: SuggestionsReady) -> None:
        """Show suggestions if they are still about the current selection."""
        doc = self.session.doc
        if not self._frozen_after_first_suggestions:
            gc.freeze()  # the first suggestions loaded spaCy's tables: freeze them too
            self._frozen_after_first_suggestions = True
        if message.doc_items is not None:
            self._doc_suggestions[message.key[0]] = message.doc_items
        if doc is None or message.key != (doc.id, self.session.start, self.session.end):
            return
        if message.log_ids or self.suggestion_key != message.key:
            self.suggestion_log = message.log_ids
        self.suggestion_key = message.key
        self.suggestions = message.items
        self.look_around()
        if not message.items:
            self.view.show_no_suggestions("Suggestions: none for this selection")
            return
        doc_items = self._doc_suggestions.get(message.key[0], [])  # [] until computed
        info = self.suggester_info
        rules_only = not (info.get("model_id") or info.get("model_codes"))  # the heading says so
        self.view.show_suggestions(heading(self.suggester_info, self.refit_error, doc_items,
                                            self._label), [
            (s.code_id, float(s.score), "" if rules_only else s.source, bool(s.above_threshold))
            for s in message.items])

    def _label(self, code_id: str) -> str:
        code = self.view.codes.get(code_id)
        return code.label if code else code_id

    def accept_suggestion(self, index: int | None, *, exact: bool = False) -> None:
        """Apply suggestion `index` (None: the top one) to the selection and log the acceptance.

        With `exact` (the 1–5 keys) a number beyond the list is said, not replaced by the top one.
        """
        doc = self.session.doc
        if not self.suggestions or doc is None or self.suggestion_key != (
            doc.id, self.session.start, self.session.end
        ):
            self.view.say("No suggestion for this selection yet.", error=True)
            return
        if exact and (index is None or index >= len(self.suggestions)):
            n = len(self.suggestions)
            self.view.say(f"There {'is' if n == 1 else 'are'} only {n} suggestion{'s' * (n != 1)} "
                          "for this selection.", error=True)
            return
        i = index if index is not None and index < len(self.suggestions) else 0
        sugg = self.suggestions[i]
        if not self.view.apply_code(sugg.code_id, extra={"suggestion_source": sugg.source,
                                                     "suggestion_score": float(sugg.score)}):
            return
        if i < len(self.suggestion_log):
            try:
                from themecode.suggest.suggester import log_outcome

                log_outcome(self.store, [self.suggestion_log[i]], "accepted")
            except (ImportError, ThemecodeError) as exc:
                self.view.say(f"Coded, but the acceptance was not logged: {exc}", error=True)

    def accept_commentary(self) -> None:
        """Apply every commentary-level suggestion above its code's threshold to the whole
        commentary (codes already on it are left alone)."""
        doc = self.session.doc
        items = self._doc_suggestions.get(doc.id) if doc is not None else None
        if doc is None or items is None:
            self.view.say("No commentary suggestions yet: wait for the suggestions panel.", error=True)
            return
        have = {c.code_id for c in self.store.codings(doc.id, self.coder)}
        todo = [s for s in items if s.above_threshold and s.code_id not in have]
        if not todo:
            self.view.say("No commentary-level suggestion above its threshold that is not applied.",
                          error=True)
            return
        try:  # one action: one transaction, one event, one undo step
            added = self.store.code_whole(doc.id, [s.code_id for s in todo], self.coder, extra={
                "level": "commentary", "suggestions": [
                    {"code_id": s.code_id, "source": s.source, "score": float(s.score)}
                    for s in todo]})
        except ThemecodeError as exc:
            self.view.say(one_line(exc), error=True)
            return
        self.view.refresh_text()
        self.view.refresh_codebook(after_paint=True)
        labels = ", ".join(self._label(c.code_id) for c in added)
        self.view.say(f"Coded the whole commentary {doc.id} as {labels} "
                      f"({len(added)} suggestion{'s' * (len(added) != 1)}; ctrl+z undoes "
                      f"{'them all' if len(added) > 1 else 'it'}).")

    def schedule_retrain(self) -> None:
        """Refit the suggester a few seconds after the last commentary marked done."""
        if not self.enabled:
            return
        if self._retrain_timer is not None:
            self._retrain_timer.stop()
        self._retrain_timer = self.screen.set_timer(RETRAIN_DELAY, self.retrain)

    def retrain(self) -> None:
        """Fit a new model from all coding so far, in a worker (its own Store; slow)."""
        previous = self.suggester
        self._run(lambda: self._retrain(previous), "retrain")

    def _retrain(self, previous: Any) -> None:
        try:
            mod = suggester_module()
            fit_and_save, fit_blind, suggester_status = (
                mod.fit_and_save, mod.fit_blind, mod.suggester_status)
        except ImportError:
            return
        try:
            with self.store.reopen() as own:
                restricted = self.blind and queries.others_coded_sample(own, self.coder)
                if restricted:  # learn only from what this coder may see
                    sugg = fit_blind(own, self.coder, previous=previous)
                else:
                    sugg = fit_and_save(own)
                info = self._info(sugg, restricted)
                info["status"] = suggester_status(own, info, coder=self.coder)
        except ThemecodeError:
            return  # too little coding to fit yet: keep the current (rules) suggester
        except Exception as exc:  # noqa: BLE001 - report in full, keep the last working suggester
            self.screen.log.error("suggester refit failed", exc_info=exc)
            self.post(SuggesterFailed("refit", f"{type(exc).__name__}: {exc}"))
            return
        self.post(SuggesterReady(sugg, info))

    def suggester_failed(self, message: SuggesterFailed) -> None:
        """Keep the last working suggester (or the rules) and say the whole error."""
        if message.what == "refit":
            self.refit_error = message.error
            kept = (f"model #{self.suggester_info['model_id']}" if self.suggester_info.get("model_id")
                    else "the codebook rules")
            self.view.say(f"The suggester could not be refitted ({message.error}); still suggesting "
                          f"with {kept}. Your coding is saved as usual.", error=True)
        else:
            self.view.say(f"No suggestions for this selection ({message.error}); coding goes on "
                          "as usual.", error=True)
            self.view.show_no_suggestions("Suggestions: failed for this selection (status line)")

    # ------------------------------------------------------------------ saturation
    def compute_saturation(self) -> None:
        """Recompute this coder's saturation figures (case units) in a worker."""
        self._run(self._compute_saturation, "saturation")

    def _compute_saturation(self) -> None:
        try:
            from themecode.saturation.analysis import SaturationConfig, analyse
            from themecode.saturation.data import drawn_size, load_units, population_size
        except ImportError:
            self.post(SaturationReady(None, "Saturation: not available yet"))
            return
        try:
            with Store.open(self.store.path) as own:
                done = queries.progress(own, self.coder, 0, 0).cases_done
            if done == 0:
                self.post(SaturationReady(None, "Saturation: shown once you mark a case done"))
                return
            units, meta = load_units(self.store.path, coder=self.coder, unit="case")
            if not units:
                self.post(SaturationReady(None, "Saturation: no cases done yet"))
                return
            result = analyse(units, SaturationConfig(), code_meta=meta, project=str(self.store.path),
                             population=population_size(self.store.path, "case"),
                             drawn=drawn_size(self.store.path, "case"))
            data = result.to_dict()
            # what the saturation screen shows, worded once in the domain (as the CLI shows it)
            data["summary_rows"] = [list(row) for row in result.summary_rows()]
            data["sensitivity"] = result.sensitivity_table()
            self.post(SaturationReady(data))
        except ThemecodeError as exc:
            self.post(SaturationReady(None, f"Saturation: {exc.message}"))
        except Exception as exc:  # noqa: BLE001 - report, keep coding
            self.post(SaturationReady(None, f"Saturation: unavailable ({exc})"))

    def saturation_ready(self, message: SaturationReady) -> None:
        """Update the live indicator."""
        gc.freeze()  # numpy and the saturation code just loaded: keep them out of collections
        ind = self.view.saturation_indicator
        self.saturation = message.data
        if message.data is None:
            self.last_saturation_message = message.message
            ind.show_message(message.message)
        else:
            ind.show_result(message.data, SATURATION_WINDOW)
