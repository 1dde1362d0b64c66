"""A growing coding history refits without failing, and blind coders' training leaves others out.

The replay codes the demo's sampled commentaries one at a time with their gold codings, in draw
order, and refits after each one as the coding screen does (`fit_and_save` after a commentary is
marked done). A code reaching its minimum examples between two quick refits used to crash the
refit (issue 13, defect 1).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from by_path import root_conftest
from suggest_helpers import DEMO_GOLD

from themecode.project.create import init_project
from themecode.sample.draw import draw_sample
from themecode.store import Store
from themecode.suggest.suggester import fit_and_save, load_suggester, training_set

_conf = root_conftest()  # not `from conftest`: tests/tui/conftest.py shares the name
CODEBOOK = _conf.CODEBOOK
demo_head = _conf.demo_head


def _gold_by_document() -> dict[str, list[tuple[int, int, str]]]:
    out: dict[str, list[tuple[int, int, str]]] = {}
    with DEMO_GOLD.open(encoding="utf-8") as fh:
        for line in fh:
            g = json.loads(line)
            out.setdefault(g["doc_id"], []).append((g["start"], g["end"], g["code"]))
    return out


def _code(store: Store, doc_id: str, coder: str, gold: dict[str, list[tuple[int, int, str]]],
          live: set[str]) -> None:
    """Apply a document's gold codings (codebook codes only) as `coder`."""
    for start, end, code in gold.get(doc_id, []):
        if code in live:
            store.add_coding(doc_id, start, end, code, coder)


@pytest.fixture(scope="module")
def sampled_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 100-case demo-head project with its 25% sample drawn and nothing coded."""
    d = tmp_path_factory.mktemp("replay")
    db = d / "replay.db"
    init_project(db, demo_head(d / "head.csv", 100), codebook=CODEBOOK, coder="lead")
    with Store.open(db) as store:
        draw_sample(store, 0.25, 2025, coder="lead")
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return db


def test_refit_after_every_commentary_never_fails(sampled_project: Path, tmp_path: Path) -> None:
    db = tmp_path / "replay.db"
    db.write_bytes(sampled_project.read_bytes())
    gold = _gold_by_document()
    failures: list[str] = []
    full_after_new_code = 0
    with Store.open(db) as store:
        live = {c.id for c in store.codes(kind="code")}
        docs = [d.id for s in store.sample() for d in store.case_documents(s.case_id)][:60]
        last_codes: list[str] = []
        for n, doc_id in enumerate(docs, 1):
            _code(store, doc_id, "gold", gold, live)
            store.set_status("document", doc_id, "gold", "done")
            try:
                sugg = fit_and_save(store)
            except Exception as exc:  # noqa: BLE001 - the test counts every kind of failure
                failures.append(f"commentary {n} ({doc_id}): {type(exc).__name__}: {exc}")
                continue
            codes = sugg.model_codes if sugg.model is not None else []
            if last_codes and codes != last_codes and sugg.meta.get("recalibrated"):
                full_after_new_code += 1
            last_codes = codes
            assert sugg.suggest("No domestic abuse call-out check was requested from the police.")
    assert failures == []
    # The replay did reach the case that used to crash: new learnt codes between quick refits.
    assert full_after_new_code >= 3
    assert len(last_codes) >= 8


def test_blind_training_set_leaves_out_other_coders_of_the_share(sampled_project: Path,
                                                                 tmp_path: Path) -> None:
    db = tmp_path / "blind.db"
    db.write_bytes(sampled_project.read_bytes())
    gold = _gold_by_document()
    with Store.open(db) as store:
        live = {c.id for c in store.codes(kind="code")}
        docs = [d.id for s in store.sample() for d in store.case_documents(s.case_id)][:40]
        share, other = docs[:20], docs[20:]
        for doc_id in docs:  # the first coder codes everything
            _code(store, doc_id, "ann", gold, live)
        # The second coder has coded two commentaries of their own share so far.
        for doc_id in share[:2]:
            _code(store, doc_id, "bob", gold, live)
        everyone = training_set(store)
        blind = training_set(store, blind_for=("bob", share))
        assert set(everyone.doc_ids) == set(docs)
        # Bob's share is learnt only from Bob's own codings; Ann's codings elsewhere still teach.
        assert set(blind.doc_ids) == set(other) | set(share[:2])
        bob_rows = np.isin(blind.doc_of, [blind.doc_ids.index(d) for d in share[:2]])
        n_bob = store.conn.execute(
            "SELECT count(*) FROM codings WHERE coder = 'bob'").fetchone()[0]
        n_ann_other = store.conn.execute(
            f"SELECT count(*) FROM codings WHERE coder = 'ann' AND document_id IN "
            f"({','.join('?' * len(other))})", other).fetchone()[0]
        assert blind.n_codings == n_ann_other + n_bob < everyone.n_codings
        assert blind.y[bob_rows].any()
        # The blind model is stored for Bob's view only: the unblind view does not load it,
        # and Bob's view does not load a model trained on everyone's codings.
        sugg = fit_and_save(store, blind_for=("bob", share))
        assert sugg.meta["n_documents"] == len(blind.doc_ids)
        assert load_suggester(store, refit=False).model is None
        assert load_suggester(store, refit=False, blind_for=("bob", share)).model is not None
        fit_and_save(store)
        again = load_suggester(store, refit=False, blind_for=("bob", share))
        assert again.meta["n_documents"] == len(blind.doc_ids)
        assert load_suggester(store, refit=False).meta["n_documents"] == len(docs)


def test_blind_fit_is_the_saved_blind_fit_without_saving(sampled_project: Path,
                                                          tmp_path: Path) -> None:
    """`fit_blind` (the coding screen's) and `fit_and_save(blind_for=coder)` are one path: the
    same training view and documents; only the second writes a model, whose calibration a later
    blind fit then reuses."""
    from themecode.suggest.suggester import fit_blind

    db = tmp_path / "blind-one.db"
    db.write_bytes(sampled_project.read_bytes())
    gold = _gold_by_document()
    with Store.open(db) as store:
        live = {c.id for c in store.codes(kind="code")}
        sampled = {d.id for s in store.sample() for d in store.case_documents(s.case_id)}
        outside = [r[0] for r in store.conn.execute("SELECT id FROM documents ORDER BY id")
                   if r[0] not in sampled][:40]
        for doc_id in sorted(sampled)[:10] + outside:  # ann codes some of the sample and more
            _code(store, doc_id, "ann", gold, live)
        models = "SELECT count(*) FROM models"
        before = store.conn.execute(models).fetchone()[0]
        unsaved = fit_blind(store, "bob")
        assert unsaved.model is not None and unsaved.meta["recalibrated"] is True
        assert store.conn.execute(models).fetchone()[0] == before
        assert unsaved.meta["view"] == {"blind_coder": "bob", "share": "sample"}
        assert unsaved.meta["n_documents"] == len(outside)  # ann's sample codings left out
        saved = fit_and_save(store, blind_for="bob")
        assert store.conn.execute(models).fetchone()[0] == before + 1
        assert saved.meta["view"] == unsaved.meta["view"]
        assert saved.meta["n_documents"] == unsaved.meta["n_documents"]
        assert saved.model.codes == unsaved.model.codes
        # With nothing in memory, the blind fit now starts from the stored blind model.
        assert fit_blind(store, "bob").meta["recalibrated"] is False


def _keyword_sentences(codes: list) -> list[tuple[str, str]]:
    """(code id, sentence) for every keyword phrase of every code, in a neutral frame."""
    return [(c.id, f"In this case the {kw} came up only once.")
            for c in codes for kw in c.keywords if kw.strip()]


def test_a_code_whose_keywords_a_sentence_names_is_in_the_top_three_at_every_size(
        sampled_project: Path, tmp_path: Path) -> None:
    db = tmp_path / "kw.db"
    db.write_bytes(sampled_project.read_bytes())
    gold = _gold_by_document()
    with Store.open(db) as store:
        codes = store.codes(kind="code")
        live = {c.id for c in codes}
        cases = [s.case_id for s in store.sample()]
        suggesters = [load_suggester(store, refit=False)]  # rules only: nothing coded
        coded_cases = 0
        for n in (5, 10, 25):
            for case_id in cases[coded_cases:n]:
                for d in store.case_documents(case_id):
                    _code(store, d.id, "gold", gold, live)
            coded_cases = n
            suggesters.append(fit_and_save(store, recalibrate=True))
        sentences = _keyword_sentences(codes) + [
            ("domestic_abuse_checks", "Despite police call-outs involving an ex-partner, no "
                                      "domestic abuse checks were undertaken."),
            ("home_visits", "Nobody visited the address he gave, and no home visits were made."),
        ]
        rules = suggesters[0].rules
        _, hits = rules.analyse([s for _, s in sentences])
        index = {c: i for i, c in enumerate(rules.code_ids)}
        named = 0
        for (code, text), row in zip(sentences, hits, strict=True):
            hit_codes = {rules.code_ids[j] for j in np.flatnonzero(row)}
            if code not in hit_codes:
                # only a code its exclude note names may veto the phrase
                assert any(o in hit_codes for o in rules._excluded_by_ids(index[code])), text
                continue
            named += 1
            for sugg in suggesters:
                top3 = [s.code_id for s in sugg.suggest(text, top=3)]
                if len(hit_codes) <= 3:
                    assert code in top3, (text, top3, sugg.info()["n_documents"])
                else:
                    assert set(top3) <= hit_codes, (text, top3)
        assert named >= 150
        assert [len(s.model_codes) for s in suggesters][-1] >= 8
