"""Tests for themecode.agreement.coefficients: hand-worked values, reference implementations, the unit rules."""

from __future__ import annotations

import json
import random

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from themecode.agreement.coefficients import (
    AgreementError,
    CoderCodings,
    cohen_kappa_binary,
    compute_agreement,
    krippendorff_alpha_nominal,
)
from themecode.agreement.table import TABLE_COLUMNS, table_rows


def coder(name: str, units, codes: dict) -> CoderCodings:
    """Shorthand: a coder with `units` coded and `codes` {unit: {code, ...}}."""
    return CoderCodings(name, frozenset(units), {u: frozenset(c) for u, c in codes.items()})


# Hand-worked two-coder table, units 1..10 coded by both.
#
# code x: A applies on 1-5, B on 1-4 and 6.
#   both = 4 (1-4), A only = 1 (5), B only = 1 (6), neither = 4 (7-10)
#   po = 8/10 = 0.8; pA = pB = 0.5; pe = .5*.5 + .5*.5 = 0.5; kappa = (0.8-0.5)/(1-0.5) = 0.6
#   alpha: coincidences o00 = 8 (units 7-10, two ordered pairs each), o11 = 8, o01 = o10 = 2;
#   n0 = n1 = 10, n = 20; Do (off-diagonal) = 4; De = (20^2 - 10^2 - 10^2)/(20-1) = 200/19;
#   alpha = 1 - 4 / (200/19) = 1 - 76/200 = 0.62
# code y: A applies on unit 1 only, B never.
#   po = 9/10; pA = 0.1, pB = 0; pe = 0.1*0 + 0.9*1 = 0.9; kappa = (0.9-0.9)/0.1 = 0
#   alpha: o01 = o10 = 1, o00 = 18; n0 = 19, n1 = 1, n = 20; De = (400-361-1)/19 = 2; Do = 2;
#   alpha = 1 - 2/2 = 0
# pooled over x and y (20 decisions): both 4, A only 2, B only 1, neither 13
#   po = 17/20 = 0.85; pA = 6/20 = 0.3; pB = 5/20 = 0.25; pe = .3*.25 + .7*.75 = 0.6
#   kappa = (0.85-0.6)/0.4 = 0.625
#   alpha: o11 = 8, o01 = o10 = 3, o00 = 26; n1 = 11, n0 = 29, n = 40;
#   De = (1600 - 121 - 841)/39 = 638/39; Do = 6; alpha = 1 - 6*39/638 = 1 - 234/638
# mean kappa = (0.6 + 0)/2 = 0.3
HAND_A = coder("A", range(1, 11), {1: "xy", 2: "x", 3: "x", 4: "x", 5: "x"})
HAND_B = coder("B", range(1, 11), {1: "x", 2: "x", 3: "x", 4: "x", 6: "x"})


def test_hand_worked_two_coders() -> None:
    res = compute_agreement([HAND_A, HAND_B])
    x, y = res.code("x"), res.code("y")
    assert (x.n_units, x.present, x.all_present, x.none_present) == (10, {"A": 5, "B": 5}, 4, 4)
    assert x.percent_agreement.value == pytest.approx(0.8)
    assert x.kappa.value == pytest.approx(0.6)
    assert x.alpha.value == pytest.approx(0.62)
    assert y.present == {"A": 1, "B": 0}
    assert y.percent_agreement.value == pytest.approx(0.9)
    assert y.kappa.value == pytest.approx(0.0)
    assert y.alpha.value == pytest.approx(0.0)
    assert res.pooled_codes == ("x", "y")
    assert res.pooled.n_units == 20
    assert (res.pooled.all_present, res.pooled.none_present) == (4, 13)
    assert res.pooled.percent_agreement.value == pytest.approx(0.85)
    assert res.pooled.kappa.value == pytest.approx(0.625)
    assert res.pooled.alpha.value == pytest.approx(1 - 234 / 638)
    assert res.mean_kappa.value == pytest.approx(0.3)
    assert res.n_codes_in_mean_kappa == 2


def test_hand_worked_disagreements() -> None:
    res = compute_agreement([HAND_A, HAND_B])
    got = [(d.unit, d.code, d.applied, d.not_applied) for d in res.disagreements]
    assert got == [(1, "y", ("A",), ("B",)), (5, "x", ("A",), ("B",)), (6, "x", ("B",), ("A",))]
    assert res.code("x").n_disagreements == 2


def test_kappa_undefined_when_expected_agreement_is_one() -> None:
    # "never" is passed explicitly but no-one used it; "always" is on every unit for both coders.
    a = coder("A", [1, 2, 3], {1: {"always", "x"}, 2: {"always"}, 3: {"always"}})
    b = coder("B", [1, 2, 3], {1: {"always"}, 2: {"always", "x"}, 3: {"always"}})
    res = compute_agreement([a, b], codes=["always", "never", "x"])
    never, always = res.code("never"), res.code("always")
    assert never.kappa.value is None and "no unit" in never.kappa.reason
    assert always.kappa.value is None and "every unit" in always.kappa.reason
    assert never.alpha.value is None and never.alpha.reason
    assert never.percent_agreement.value == 1.0
    # the unused code is left out of the pool; "always" (used) stays in it
    assert res.pooled_codes == ("always", "x")
    assert res.pooled.n_units == 6
    # mean kappa only over the defined kappa ("x": po=1/3, pe=5/9, kappa=-0.5)
    assert res.code("x").kappa.value == pytest.approx(-0.5)
    assert res.n_codes_in_mean_kappa == 1
    assert res.mean_kappa.value == pytest.approx(-0.5)


def test_uncoded_units_do_not_count() -> None:
    # A also coded units 11-30 (with no codes, and one with x); B never saw them.
    extra = {u: set() for u in range(11, 31)}
    extra[12] = {"x"}
    a = coder("A", range(1, 31), {**{u: set(c) for u, c in HAND_A.codes.items()}, **extra})
    b = coder("B", list(range(1, 11)), dict(HAND_B.codes))
    res = compute_agreement([a, b])
    assert res.n_units == 10
    assert res.units_coded == {"A": 30, "B": 10}
    assert res.code("x").kappa.value == pytest.approx(0.6)
    assert res.code("x").present == {"A": 5, "B": 5}
    # codes on a unit the coder has not marked coded are ignored too
    b2 = CoderCodings("B", b.coded_units, {**b.codes, 20: frozenset({"x"})})
    assert compute_agreement([a, b2]).code("x").kappa.value == pytest.approx(0.6)


def test_krippendorff_published_example_with_missing_values() -> None:
    # Krippendorff (2011), "Computing Krippendorff's alpha-reliability", 4 coders x 12 units with
    # missing values; the published nominal alpha is 0.743.
    n = None
    data = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, n, n, n],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, n, 3],
        [n, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, n],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, n],
    ]
    got = krippendorff_alpha_nominal(data).value
    assert got == pytest.approx(0.743, abs=5e-4)
    ref = krippendorff.alpha(
        reliability_data=np.array(data, dtype=float), level_of_measurement="nominal"
    )
    assert got == pytest.approx(ref)


def test_alpha_matches_krippendorff_package_on_random_missing_data() -> None:
    rng = random.Random(7)
    for _ in range(60):
        n_coders, n_units, n_vals = rng.randint(2, 5), rng.randint(3, 40), rng.randint(2, 4)
        miss = rng.random() * 0.4
        data = [
            [None if rng.random() < miss else rng.randrange(n_vals) for _ in range(n_units)]
            for _ in range(n_coders)
        ]
        arr = np.array([[np.nan if v is None else v for v in r] for r in data], dtype=float)
        mine = krippendorff_alpha_nominal(data)
        try:
            ref = krippendorff.alpha(reliability_data=arr, level_of_measurement="nominal")
        except (ValueError, ZeroDivisionError):
            assert mine.value is None
            continue
        if np.isnan(ref):
            assert mine.value is None
        else:
            assert mine.value == pytest.approx(ref, abs=1e-9)


def test_alpha_undefined_cases() -> None:
    assert krippendorff_alpha_nominal([[1, 1, 1], [1, 1, 1]]).value is None
    assert "one value" in krippendorff_alpha_nominal([[1, 1], [1, 1]]).reason
    assert krippendorff_alpha_nominal([[1, None], [None, 2]]).value is None


def test_kappa_matches_sklearn_on_random_data() -> None:
    rng = np.random.default_rng(11)
    checked = 0
    for _ in range(200):
        n = int(rng.integers(2, 60))
        a = rng.random(n) < rng.random()
        b = np.where(rng.random(n) < 0.7, a, rng.random(n) < 0.5)
        mine = cohen_kappa_binary(a, b)
        if mine.value is None:
            assert len(set(a) | set(b)) == 1
            continue
        assert mine.value == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)
        checked += 1
    assert checked > 150


def test_compute_agreement_matches_references_per_code_and_pooled() -> None:
    rng = random.Random(3)
    codes = ["c1", "c2", "c3", "c4", "c5"]
    units = list(range(80))
    base = {u: {c for c in codes if rng.random() < 0.3} for u in units}

    def noisy(name: str, coded: list[int]) -> CoderCodings:
        out = {}
        for u in coded:
            s = set(base[u])
            for c in codes:
                if rng.random() < 0.15:
                    s ^= {c}
            out[u] = s
        return coder(name, coded, out)

    a = noisy("A", units)
    b = noisy("B", [u for u in units if u % 7])  # B skipped some units
    res = compute_agreement([a, b], codes=codes)
    common = sorted(set(a.coded_units) & set(b.coded_units))
    assert res.units == tuple(common)
    pooled_a, pooled_b = [], []
    for c in codes:
        va = [c in a.applied(u) for u in common]
        vb = [c in b.applied(u) for u in common]
        pooled_a += va
        pooled_b += vb
        entry = res.code(c)
        assert entry.kappa.value == pytest.approx(cohen_kappa_score(va, vb))
        ref = krippendorff.alpha(
            reliability_data=np.array([va, vb], dtype=float), level_of_measurement="nominal"
        )
        assert entry.alpha.value == pytest.approx(ref)
        assert entry.percent_agreement.value == pytest.approx(np.mean(np.equal(va, vb)))
    assert res.pooled.kappa.value == pytest.approx(cohen_kappa_score(pooled_a, pooled_b))
    ref = krippendorff.alpha(
        reliability_data=np.array([pooled_a, pooled_b], dtype=float), level_of_measurement="nominal"
    )
    assert res.pooled.alpha.value == pytest.approx(ref)
    kappas = [res.code(c).kappa.value for c in codes]
    assert res.mean_kappa.value == pytest.approx(np.mean(kappas))


def test_three_coders_alpha_and_no_kappa() -> None:
    rng = random.Random(5)
    units = range(30)
    cs = [
        coder(n, units, {u: {"x"} for u in units if rng.random() < 0.4}) for n in ("A", "B", "C")
    ]
    res = compute_agreement(cs)
    x = res.code("x")
    assert x.kappa.value is None and "exactly two" in x.kappa.reason
    assert res.mean_kappa.value is None
    data = [[int("x" in c.applied(u)) for u in units] for c in cs]
    assert x.alpha.value == pytest.approx(
        krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    )
    all_agree = sum(1 for j in range(30) if len({row[j] for row in data}) == 1)
    assert x.percent_agreement.value == pytest.approx(all_agree / 30)
    for d in res.disagreements:
        assert set(d.applied) | set(d.not_applied) == {"A", "B", "C"}
        assert d.applied and d.not_applied


def test_errors_for_people() -> None:
    with pytest.raises(AgreementError, match="at least two coders"):
        compute_agreement([HAND_A])
    with pytest.raises(AgreementError, match="twice"):
        compute_agreement([HAND_A, HAND_A])


def test_no_common_units() -> None:
    res = compute_agreement([coder("A", [1], {1: "x"}), coder("B", [2], {2: "x"})])
    assert res.n_units == 0
    assert res.per_code == ()
    assert res.pooled.kappa.value is None


def test_to_dict_is_json_and_table_rows() -> None:
    a = coder("A", [(1, 0), (1, 1)], {(1, 0): {"x"}})
    b = coder("B", [(1, 0), (1, 1)], {(1, 1): {"x"}})
    res = compute_agreement([a, b], unit_type="sentence")
    d = json.loads(json.dumps(res.to_dict()))
    assert d["unit_type"] == "sentence"
    assert d["disagreements"][0]["unit"] == [1, 0]
    assert d["per_code"][0]["kappa"]["value"] == pytest.approx(-1.0)
    rows = table_rows(compute_agreement([HAND_A, HAND_B]))
    assert all(tuple(r) == TABLE_COLUMNS for r in rows)
    assert rows[0]["code"] == "x" and rows[0]["kappa"] == "0.600"
    assert rows[0]["agreement"] == "80.0%"
    assert rows[-2]["code"] == "overall (pooled)" and rows[-2]["kappa"] == "0.625"
    assert rows[-1]["kappa"] == "0.300"


# --------------------------------------------------------------------------- from the project DB


def _doc(text_parts: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """Join sentences with one space; return the text and each sentence's (start, end)."""
    spans, pos = [], 0
    for part in text_parts:
        spans.append((pos, pos + len(part)))
        pos += len(part) + 1
    return " ".join(text_parts), spans


@pytest.fixture()
def project(tmp_path):
    """A real project file: cases C1 (D1, D2) and C2 (D3); alice, bob and carol coding."""
    from themecode.store import Store, now

    store = Store.create(tmp_path / "study.db")
    docs = {
        "D1": ("C1", ["First sentence here.", "Second one here.", "Third one."]),
        "D2": ("C1", ["Only sentence in two."]),
        "D3": ("C2", ["Case two text.", "More text."]),
    }
    with store.write():
        for case in ("C1", "C2"):
            store.db["cases"].insert({"id": case, "created_at": now()})
        for doc_id, (case, parts) in docs.items():
            text, spans = _doc(parts)
            store.db["documents"].insert(
                {"id": doc_id, "case_id": case, "text": text, "content_hash": doc_id,
                 "created_at": now()}
            )
            for i, (s, e) in enumerate(spans):
                store.db["sentences"].insert({"document_id": doc_id, "idx": i, "start": s,
                                              "end": e})
        for code in ("k1", "k2", "old"):
            store.db["codes"].insert({"id": code, "label": code, "created_at": now()})
    # alice: D1 and D2 done (so case C1 is done), case C2 done.
    store.add_coding("D1", 0, 25, "k1", "alice")  # overlaps sentences 0 and 1
    store.add_coding("D2", None, None, "k2", "alice")
    store.add_coding("D3", 15, 25, "k1", "alice")  # sentence 1 of D3
    gone = store.add_coding("D3", 0, 5, "k2", "alice")
    store.remove_codings([gone.id], "alice")  # deleted: never counts
    store.set_status("document", "D1", "alice", "done")
    store.set_status("document", "D2", "alice", "done")
    store.set_status("case", "C2", "alice", "done")
    # bob: D1 done, D2 left open (its coding does not count), case C2 done with no code.
    store.add_coding("D1", 0, 5, "k1", "bob")  # sentence 0
    store.add_coding("D1", 40, 45, "old", "bob")  # sentence 2; "old" is later merged into k1
    store.add_coding("D2", None, None, "k2", "bob")
    store.set_status("document", "D1", "bob", "done")
    store.set_status("case", "C2", "bob", "done")
    # carol: no progress rows at all; a coding in D2 makes D2 (and case C1) coded for her.
    store.add_coding("D2", 0, 4, "k2", "carol")
    with store.write():
        store.conn.execute("UPDATE codes SET retired = 1, merged_into = 'k1' WHERE id = 'old'")
    yield store
    store.close()


def test_store_commentary_unit(project) -> None:
    from themecode.agreement.data import agreement_from_store

    res = agreement_from_store(project, ["alice", "bob"], "commentary")
    assert res.units == ("D1", "D3")  # D2 not done by bob; D3 via bob's case C2 done
    k1 = res.code("k1")
    assert k1.present == {"alice": 2, "bob": 1}  # bob's merged "old" counts as k1 on D1
    assert (k1.all_present, k1.none_present) == (1, 0)
    assert [(d.unit, d.code, d.applied) for d in res.disagreements] == [("D3", "k1", ("alice",))]
    assert res.code("k1").percent_agreement.value == pytest.approx(0.5)
    assert "k2" not in {c.code for c in res.per_code}  # alice's deleted k2 on D3 never counts


def test_store_sentence_unit(project) -> None:
    from themecode.agreement.data import agreement_from_store

    res = agreement_from_store(project.conn, ["alice", "bob"], "sentence")
    assert res.units == (("D1", 0), ("D1", 1), ("D1", 2), ("D3", 0), ("D3", 1))
    got = [(d.unit, d.code, d.applied) for d in res.disagreements]
    assert got == [
        (("D1", 1), "k1", ("alice",)),
        (("D1", 2), "k1", ("bob",)),
        (("D3", 1), "k1", ("alice",)),
    ]
    k1 = res.code("k1")
    assert (k1.all_present, k1.none_present, k1.n_units) == (1, 1, 5)
    # 2x2: both 1, alice only 2, bob only 1, neither 1 -> po = 2/5, pA = 3/5, pB = 2/5,
    # pe = .6*.4 + .4*.6 = .48, kappa = (.4 - .48)/.52
    assert k1.kappa.value == pytest.approx((0.4 - 0.48) / 0.52)


def test_store_case_unit_and_fallback(project) -> None:
    from themecode.agreement.data import agreement_from_store

    res = agreement_from_store(project, ["alice", "bob"], "case")
    assert res.units == ("C2",)  # bob never finished C1
    assert [(d.unit, d.code, d.applied) for d in res.disagreements] == [("C2", "k1", ("alice",))]
    # carol has no progress rows: a coding in D2 makes D2 / C1 coded for her
    res = agreement_from_store(project, ["alice", "carol"], "case")
    assert res.units == ("C1",)
    assert res.code("k2").all_present == 1
    assert res.code("k1").present == {"alice": 1, "carol": 0}
    res = agreement_from_store(project, ["alice", "carol"], "commentary", include_unused_codes=True)
    assert res.units == ("D2",)
    assert [c.code for c in res.per_code] == ["k1", "k2"]  # retired "old" is not listed
    assert res.code("k1").kappa.value is None
    json.dumps(res.to_dict())


def test_store_errors(project) -> None:
    from themecode.agreement.data import agreement_from_store

    with pytest.raises(AgreementError, match="'dave'"):
        agreement_from_store(project, ["alice", "dave"], "case")
    with pytest.raises(AgreementError, match="unknown unit"):
        agreement_from_store(project, ["alice", "bob"], "paragraph")  # type: ignore[arg-type]


def test_pairable_alpha_uses_missing_values_like_krippendorff() -> None:
    # C has coded only the even units; A and B everything. Percent agreement and kappa-free
    # statistics stay on the common (even) units, alpha "pairable" uses every unit, C missing.
    rng = random.Random(17)
    units = list(range(40))
    codes = ["x", "y"]

    def make(name: str, coded: list[int]) -> CoderCodings:
        return coder(name, coded, {u: {k for k in codes if rng.random() < 0.4} for u in coded})

    cs = [make("A", units), make("B", units), make("C", units[::2])]
    common = compute_agreement(cs)
    pair = compute_agreement(cs, alpha_units="pairable")
    assert common.units == pair.units == tuple(units[::2])
    assert pair.n_alpha_units == 40 and common.n_alpha_units == 20
    nan = float("nan")
    pooled_rows: list[list[float]] = [[], [], []]
    for k in codes:
        data = [
            [float(k in c.applied(u)) if u in c.coded_units else nan for u in units] for c in cs
        ]
        for row, vals in zip(pooled_rows, data, strict=True):
            row += vals
        ref = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
        assert pair.code(k).alpha.value == pytest.approx(ref)
        assert pair.code(k).percent_agreement == common.code(k).percent_agreement
    ref = krippendorff.alpha(reliability_data=pooled_rows, level_of_measurement="nominal")
    assert pair.pooled.alpha.value == pytest.approx(ref)
    assert pair.to_dict()["alpha_units"] == "pairable"
    with pytest.raises(AgreementError, match="alpha_units"):
        compute_agreement(cs, alpha_units="all")
