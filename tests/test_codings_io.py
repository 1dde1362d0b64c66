"""The codings exchange format: validated, all-or-nothing, idempotent imports and exact exports."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from themecode.errors import InputFileError, UnknownCodeError
from themecode.project.codings import export_codings, import_codings
from themecode.store import Store


def _lines(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _docs(db: Path) -> tuple[list[str], list[str]]:
    with Store.open(db) as store:
        sampled = {r.case_id for r in store.sample()}
        rows = store.conn.execute("SELECT id, case_id FROM documents ORDER BY id").fetchall()
    return [d for d, c in rows if c in sampled], [d for d, c in rows if c not in sampled]


def test_import_export_round_trip(small_project: Path, tmp_path: Path) -> None:
    inside, outside = _docs(small_project)
    rows = [
        {"doc_id": inside[0], "start": 0, "end": 10, "code": "contact_level"},
        {"doc_id": inside[1], "code": "home_visits", "memo": "whole doc"},
        {"doc_id": outside[0], "start": 2, "end": 6, "code": "ict_problems"},
    ]
    src = _lines(tmp_path / "in.jsonl", rows)
    with Store.open(small_project) as store:
        res = import_codings(store, src, coder="gold", sample_only=True, create_codes=True)
        assert (res.imported, res.skipped_outside_sample) == (2, 1)
        assert res.created_codes == ["ict_problems"]
        event = store.events(action="codings_import")[-1]
        assert event.payload["sha256"] == hashlib.sha256(src.read_bytes()).hexdigest()
        assert store.code("ict_problems").origin == "inductive"
        again = import_codings(store, src, coder="gold", sample_only=True, create_codes=True)
        assert (again.imported, again.duplicates) == (0, 2)
        n = export_codings(store, tmp_path / "out.jsonl")
        whole = len(store.document(inside[1]).text)
    out = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert n == 2
    assert {"doc_id": inside[1], "start": 0, "end": whole, "code": "home_visits",
            "coder": "gold", "memo": "whole doc"} in out


@pytest.mark.parametrize(
    ("row", "error", "match"),
    [
        ({"doc_id": "nope", "code": "contact_level"}, InputFileError, "unknown document"),
        ({"doc_id": "DOC", "start": 0, "end": 99999, "code": "contact_level"}, InputFileError, "outside"),
        ({"doc_id": "DOC", "start": "a", "end": 3, "code": "contact_level"}, InputFileError, "whole numbers"),
        ({"doc_id": "DOC", "code": "made_up"}, UnknownCodeError, "line 2: unknown code 'made_up'"),
        ({"doc_id": "DOC", "code": "planning"}, InputFileError, "theme"),
    ],
)
def test_bad_lines_name_the_line_and_change_nothing(
    small_project: Path, tmp_path: Path, row: dict, error: type, match: str
) -> None:
    inside, _ = _docs(small_project)
    row = {k: (inside[0] if v == "DOC" else v) for k, v in row.items()}
    src = _lines(tmp_path / "bad.jsonl", [{"doc_id": inside[0], "code": "contact_level"}, row])
    with Store.open(small_project) as store:
        before = list(store.conn.iterdump())
        with pytest.raises(error, match=match):
            import_codings(store, src, coder="amy")
        assert list(store.conn.iterdump()) == before


def test_mark_done_marks_the_sample(small_project: Path, tmp_path: Path) -> None:
    inside, _ = _docs(small_project)
    src = _lines(tmp_path / "in.jsonl", [{"doc_id": inside[0], "code": "contact_level"}])
    with Store.open(small_project) as store:
        import_codings(store, src, coder="gold", sample_only=True, mark_done=True)
        done = store.conn.execute(
            "SELECT count(*) FROM progress WHERE coder = 'gold' AND unit_type = 'case' AND status = 'done'"
        ).fetchone()[0]
        assert done == len(store.sample())


def test_created_codes_keep_acronyms_or_take_the_file_label(small_project: Path, tmp_path: Path) -> None:
    from themecode.project.codings import label_from_id

    assert label_from_id("ict_problems") == "ICT problems"
    assert label_from_id("mappa_level_2_referral") == "MAPPA level 2 referral"
    assert label_from_id("rosh-review") == "RoSH review"
    assert label_from_id("spo_oversight_oasys") == "SPO oversight OASys"
    assert label_from_id("home_visits") == "Home visits"
    inside, _outside = _docs(small_project)
    src = _lines(tmp_path / "in.jsonl", [
        {"doc_id": inside[0], "start": 0, "end": 5, "code": "ndelius_gaps"},
        {"doc_id": inside[0], "start": 0, "end": 5, "code": "camhs_wait",
         "label": "Waiting for CAMHS"},
        {"doc_id": inside[1], "code": "camhs_wait", "label": "Waiting for CAMHS"},
    ])
    with Store.open(small_project) as store:
        import_codings(store, src, coder="gold2", create_codes=True)
        assert store.code("ndelius_gaps").label == "nDelius gaps"
        assert store.code("camhs_wait").label == "Waiting for CAMHS"
    clash = _lines(tmp_path / "clash.jsonl", [
        {"doc_id": inside[0], "code": "dwp_checks", "label": "DWP checks"},
        {"doc_id": inside[1], "code": "dwp_checks", "label": "Benefit checks"},
    ])
    with Store.open(small_project) as store, pytest.raises(InputFileError, match="line 2"):
        import_codings(store, clash, coder="gold2", create_codes=True)
