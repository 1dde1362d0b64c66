"""The coding screen's suggester: refits that never crash, failures that keep the last working
suggester, and blind coders whose suggestions never learn from another coder's codings."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from test_tui_app import make_app, screen_of

from themecode.store import Store
from themecode.suggest.suggester import fit_and_save, fit_blind

REPO = Path(__file__).resolve().parents[2]
GOLD = REPO / "corpus" / "demo" / "gold-codings.jsonl"
pytestmark = pytest.mark.anyio


@pytest.fixture
def uncoded_demo(make_project: Callable[..., Path]) -> Path:
    """The first 40 demo cases, a 25% sample (10 cases, 40 commentaries), nothing coded."""
    return make_project(n_cases=40)


async def wait_until(pilot: object, app: object, cond: Callable[[], bool]) -> None:
    """Let timers, workers and their messages run until `cond()` holds (at most ~30 s); unlike
    waiting for every worker, a worker replaced by a newer one (exclusive groups) is no error."""
    for _ in range(300):
        if cond():
            return
        await pilot.pause(0.1)  # type: ignore[attr-defined]
    raise AssertionError("condition not reached")


def gold_by_doc() -> dict[str, list[dict[str, object]]]:
    """The demo's gold codings grouped by commentary."""
    out: dict[str, list[dict[str, object]]] = {}
    for line in GOLD.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        out.setdefault(row["doc_id"], []).append(row)
    return out


def code(store: Store, code_id: str, coder: str) -> None:
    """Add a gold code the codebook lacks as an inductive code, as a coder would with +."""
    from themecode.codebook import create_code

    if code_id not in {c.id for c in store.codes(include_retired=True)}:
        create_code(store, code_id, code_id.replace("_", " ").capitalize(), coder=coder,
                    origin="inductive")


def test_replay_refits_after_every_commentary_without_failure(uncoded_demo: Path) -> None:
    """Code the sample commentary by commentary (gold as the coder), refitting after each one
    as the coding screen does (quick refits reusing calibration, recalibration as codes reach
    their minimum): every refit must succeed."""
    db = uncoded_demo
    gold = gold_by_doc()
    failures: list[str] = []
    fitted = 0
    previous = None
    with Store.open(db) as store:
        docs = [d.id for row in store.sample() for d in store.case_documents(row.case_id)]
        assert len(docs) == 40
        for n, doc_id in enumerate(docs, 1):
            for g in gold.get(doc_id, []):
                code(store, str(g["code"]), "amy")
                store.add_coding(doc_id, int(g["start"]), int(g["end"]), str(g["code"]), "amy")
            store.set_status("document", doc_id, "amy", "done")
            for label in ("shared", "blind"):
                try:
                    sugg = (fit_and_save(store) if label == "shared"
                            else fit_blind(store, "amy", previous=previous))
                except ValueError as exc:  # the crash of issue 13
                    failures.append(f"{label} refit after commentary {n}: {exc}")
                    continue
                if label == "blind":
                    previous = sugg
                fitted += sugg.model is not None
    assert failures == []
    assert fitted > 20  # the model did get fitted (not rules only) for most of the replay


async def test_failed_refit_keeps_the_suggester_and_says_the_whole_error(
    tiny_project: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    import themecode.suggest.suggester as suggester

    def broken(store: Store, **kw: object) -> None:
        raise ValueError("a rule blend needs the training sentences' rule_scores, a long message "
                         "that must be shown whole")

    app, store = make_app(tiny_project, background=True, at="K1")
    async with app.run_test(size=(120, 40)) as pilot:
        scr = screen_of(app)
        await wait_until(pilot, app, lambda: scr.suggestion_key is not None)
        before = scr.work.suggester
        assert before is not None
        monkeypatch.setattr(suggester, "fit_and_save", broken)
        scr.work.retrain()
        await wait_until(pilot, app, lambda: bool(scr.work.refit_error))
        assert scr.work.suggester is before  # the rules still suggest
        assert "must be shown whole" in scr.last_message
        assert "still suggesting with the codebook rules" in scr.last_message
        await pilot.press("down")
        await wait_until(pilot, app, lambda: scr.suggestion_key is not None
                         and scr.suggestion_key[1] > 0)
        assert scr.suggestions  # suggestions keep coming after the failure
    store.close()


async def test_blind_coder_suggestions_do_not_learn_from_another_coder(uncoded_demo: Path) -> None:
    """ann codes the sample with gold; bob, coding blind, must not get ann's decisions back as
    model suggestions on those commentaries, and the panel says what the suggester learns from."""
    db = uncoded_demo
    gold = gold_by_doc()
    with Store.open(db) as store:
        docs = [d.id for row in store.sample() for d in store.case_documents(row.case_id)]
        for doc_id in docs:
            for g in gold.get(doc_id, []):
                code(store, str(g["code"]), "ann")
                store.add_coding(doc_id, int(g["start"]), int(g["end"]), str(g["code"]), "ann")
            store.set_status("document", doc_id, "ann", "done")
        shared = fit_and_save(store)  # what a non-blind session stores: learnt from ann
        assert shared.model is not None
        blind = fit_blind(store, "bob")
        assert blind.model is None and blind.meta["n_codings"] == 0  # nothing of bob's yet
    app, store = make_app(db, coder="bob", background=True)
    async with app.run_test(size=(160, 48)) as pilot:
        scr = screen_of(app)
        await wait_until(pilot, app, lambda: scr.suggestion_key is not None)
        assert scr.work.suggester.model is None  # not the stored model fitted on ann's codings
        assert all(s.source == "rules" for s in scr.suggestions)
        title = str(scr.query_one("#sugg-title").render())
        assert "keyword rules only" in title
        # no stored model for bob: the screen refits at once, from nothing of ann's
        await wait_until(pilot, app, lambda: not any(w.group == "retrain" for w in app.workers))
        assert scr.work.suggester.model is None
        assert scr.work.suggester_info["learns_from"] == "your codings only (blind)"
    store.close()
    app2, store2 = make_app(db, coder="bob", background=True, show_others=True)
    async with app2.run_test(size=(160, 48)) as pilot:
        scr2 = screen_of(app2)
        await wait_until(pilot, app2, lambda: scr2.suggestion_key is not None)
        assert scr2.work.suggester.model is not None  # open coding: the shared model is fine
        assert scr2.work.suggester_info["learns_from"] == "every coder's codings"
    store2.close()


async def test_next_sentence_suggestions_come_from_the_look_ahead(uncoded_demo: Path) -> None:
    """Once the suggestions of the commentary around the coder are computed ahead, the next
    sentence's are on screen in the frame after the key's (no worker run), equal to asking the
    suggester then, and logged as shown like any others; the next commentary and the next
    case's first commentary are computed too."""
    app, store = make_app(uncoded_demo, background=True)
    async with app.run_test(size=(120, 40)) as pilot:
        scr = screen_of(app)
        s = scr.session
        nxt_case = s.case_ids[s.case_index + 1]
        first_of_next = store.case_documents(nxt_case)[0].id
        around = {s.doc.id, s.docs[s.doc_index + 1].id, first_of_next}
        await wait_until(pilot, app, lambda: around <= scr.work.ahead.done)
        assert len(s.sentences) >= 2
        await pilot.press("down")
        await pilot.pause(0.1)
        key = (s.doc.id, s.start, s.end)
        assert scr.suggestion_key == key
        assert scr.suggestions is scr.work.ahead.cache[key]  # from the cache, not a worker run
        asked = [(x.code_id, x.score) for x in scr.work.suggester.suggest(s.selected_text, top=5)
                 if x.score >= 0.01]
        assert [(x.code_id, x.score) for x in scr.suggestions] == asked and asked
        await wait_until(pilot, app, lambda: bool(scr.work.suggestion_log))
        logged = store.conn.execute(
            'SELECT code_id FROM suggestion_log WHERE coder = ? AND document_id = ? AND start = ? '
            'AND "end" = ? ORDER BY rank', ("ann", *key)).fetchall()
        assert [r[0] for r in logged] == [c for c, _ in asked]
        await pilot.press("2")  # accepting from the cache records the outcome against the log
        await pilot.pause()
        outcome = store.conn.execute("SELECT outcome FROM suggestion_log WHERE id = ?",
                                     (scr.work.suggestion_log[1],)).fetchone()[0]
        assert outcome == "accepted"
    store.close()
