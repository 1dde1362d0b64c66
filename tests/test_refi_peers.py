"""REFI exchange with peers: their `.qdpx`/`.qdc` shapes import with nothing lost or every loss
counted, and our exports read back the way their importers read (QualCoder keeps one coding
per code, source, span and the selection's coder; memos from `<Description>`s; a variable is a
case or a file attribute)."""

from __future__ import annotations

import json
import zipfile
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner
from refi_peers import (
    NV_TEXT,
    QC_TEXT,
    QCLI_TEXT,
    TAGUETTE_QDC,
    case_links_like_qualcoder,
    nvivo,
    qc,
    qualcoder,
    read_like_qualcoder,
)

from themecode.cli import main as cli
from themecode.codebook import create_code, rename_code
from themecode.errors import ThemecodeError
from themecode.refi.exporter import PROJECT_NS, export_qdpx
from themecode.refi.importer import import_qdc, import_qdpx
from themecode.store import Store

Q = f"{{{PROJECT_NS}}}"


def _codings(store: Store) -> list[tuple[str, str, str, str | None]]:
    out = []
    for c in store.codings():
        text = store.document(c.document_id).text
        out.append((text[c.start:c.end], store.code(c.code_id).label, c.coder, c.memo))
    return sorted(out, key=str)


def test_qualcoder_project_imports_with_offsets_memos_cases_and_counted_losses(
        tmp_path: Path) -> None:
    store = Store.create(tmp_path / "p.db")
    create_code(store, "planning", "Planning", coder="lead", kind="theme")  # a theme named alike
    res = import_qdpx(store, qualcoder(tmp_path / "qc.qdpx"), coder="lead")
    doc = store.document("interview1.txt")
    assert doc.text == QC_TEXT.replace("\r\n", "\n").strip()
    assert _codings(store) == sorted([
        ("No home visit 😀 was done.", "Doorstep only", "maria", "coding memo by maria"),
        ("No home visit 😀 was done.", "Home visits", "maria", "coding memo by maria"),
        ("No home visit 😀 was done.", "Doorstep only", "tom", None),
        ("Planning was late.", "Planning", "tom", None),
    ], key=str)
    planning = next(c for c in store.codes(kind="code") if c.label == "Planning")
    assert planning.id != "planning" and planning.parent is None  # a code, never the theme
    home = next(c for c in store.codes(kind="code") if c.label == "Home visits")
    assert home.colour == "#FF8000" and home.definition == "Visits at home."
    assert store.code(home.parent).label == "Delivery"
    assert {(m.target_type, m.target_id, m.text) for m in store.memos()} == {
        ("document", "interview1.txt", "Source memo"),
        ("case", "Case A", "Case memo from QualCoder"),
        ("project", "project", "Project memo from QualCoder"),
        ("project", "project", "Week 1 journal\n\nJournal entry text."),
    }
    assert doc.case_id == "Case A"
    assert json.loads(store.conn.execute(
        "SELECT metadata FROM documents WHERE id = 'interview1.txt'").fetchone()[0]) == {
            "region": "North", "words": "12"}
    text = "\n".join(res.warnings)
    assert "1 case link(s) point at no source" in text
    assert "1 non-text source(s)" in text and "1 coding(s) in non-text sources" in text
    assert "1 coding(s) on categories (non-codable codes)" in text
    assert "nested deeper" in text  # Doorstep only sits below Home visits
    assert "1 variable(s) typed other than Text" in text
    # Importing again adds nothing and matches every code (by the GUIDs it remembered).
    again = import_qdpx(store, tmp_path / "qc.qdpx", coder="lead")
    assert again.codes_added == 0 and again.codings_added == 0 and again.memos_added == 0
    # Going back, QualCoder's codes keep the GUIDs it gave them.
    export_qdpx(store, tmp_path / "back.qdpx", actor="lead", redact=False,
                confirmed_unredacted=True)
    with zipfile.ZipFile(tmp_path / "back.qdpx") as zf:
        back = ET.fromstring(zf.read("project.qde"))
    assert {c.get("name"): c.get("guid") for c in back.iter(f"{Q}Code")}["Home visits"] == \
        "0000000b-0000-4000-8000-00000000000b"


def test_qc_project_parent_codes_keep_their_codings(tmp_path: Path) -> None:
    store = Store.create(tmp_path / "p.db")
    res = import_qdpx(store, qc(tmp_path / "qc.qdpx"), coder="lead")
    assert store.document("notes.txt").text == QCLI_TEXT.strip()
    risk_theme = next(c for c in store.codes() if c.kind == "theme" and c.label == "risk")
    risk_code = next(c for c in store.codes(kind="code") if c.label == "risk")
    assert risk_code.parent == risk_theme.id
    assert _codings(store) == sorted([
        ("first line about risk\n", "risk", "chris", None),  # qc codes whole lines
        ("first line about risk\n", "missed", "chris", None),
        ("second line about plans", "plans", "chris", None),
    ], key=str)
    assert res.warnings == [
        "1 parent code(s) with codings of their own became a theme plus a code of the same "
        "name under it"]


def test_nvivo_project_bom_crlf_sets_links_annotations(tmp_path: Path) -> None:
    store = Store.create(tmp_path / "p.db")
    res = import_qdpx(store, nvivo(tmp_path / "nv.qdpx"), coder="lead")
    doc = store.document("Interview 2")
    assert doc.text == NV_TEXT.replace("\r\n", "\n").strip()
    assert _codings(store) == sorted([
        ("Victim safety not planned", "Not planned", "Ana", None),
        ("Victim safety not planned", "Safety", "Ana", None),
    ], key=str)
    # The nameless case carried the source's (empty) value; the annotation became a memo.
    assert json.loads(store.conn.execute(
        "SELECT metadata FROM documents WHERE id = 'Interview 2'").fetchone()[0]) == {"Gender": ""}
    # The case node is case membership, not a code.
    assert doc.case_id == "Ana K" and store.memos("case", "Ana K")[0].text == "Case node memo"
    assert {c.label for c in store.codes()} == {"Safety", "Victims", "Not planned"}
    memo = store.memos("document", "Interview 2")[0].text
    assert memo.startswith("Check this with the SPO") and "'Officer'" in memo
    text = "\n".join(res.warnings)
    assert "1 set(s)" in text and "1 link(s)" in text and "nested deeper" in text


def test_taguette_codebook_with_empty_sets_draws_no_warning(tmp_path: Path) -> None:
    (tmp_path / "t.qdc").write_text(TAGUETTE_QDC, encoding="utf-8")
    store = Store.create(tmp_path / "p.db")
    res = import_qdc(store, tmp_path / "t.qdc", coder="lead")
    assert res.warnings == [] and res.codes_added == 2
    assert {c.label for c in store.codes(kind="code")} == {"interesting", "people.staff"}


def test_import_is_all_or_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import themecode.refi.sources as sources

    store = Store.create(tmp_path / "p.db")

    def boom(*_a: object) -> None:
        raise ThemecodeError("disk full")

    monkeypatch.setattr(sources, "_insert_codings", boom)
    with pytest.raises(ThemecodeError):
        import_qdpx(store, qualcoder(tmp_path / "qc.qdpx"), coder="lead")
    assert store.codes(include_retired=True) == [] and store.memos() == []
    assert store.conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 0


def test_init_from_qdpx_creates_a_project_with_the_foreign_codebook(tmp_path: Path) -> None:
    src = qualcoder(tmp_path / "qc.qdpx")
    out = CliRunner().invoke(cli, ["init", str(tmp_path / "s.db"), "--from", str(src),
                                   "--coder", "lead"])
    assert out.exit_code == 0, out.output
    assert "4 codings" in out.output
    with Store.open(tmp_path / "s.db") as store:
        assert {c.label for c in store.codes()} == {"Delivery", "Home visits", "Doorstep only",
                                                    "Planning"}
        assert len(store.codings()) == 4
    bad = CliRunner().invoke(cli, ["init", str(tmp_path / "t.db"), "--from",
                                   str(tmp_path / "missing.qdpx")])
    assert bad.exit_code != 0 and not (tmp_path / "t.db").exists()


def test_duplicate_labels_refused_and_disambiguated_on_export(tmp_path: Path) -> None:
    store = Store.create(tmp_path / "p.db")
    create_code(store, "t", "Delivery", coder="lead", kind="theme")
    create_code(store, "home_visits", "Home visits", coder="lead", parent="t")
    create_code(store, "contact_level", "Contact level", coder="lead", parent="t")
    with pytest.raises(ThemecodeError, match="already has the label"):
        rename_code(store, "contact_level", "home visits", "lead")
    with store.write():  # an older project may already hold two codes with one label
        store.conn.execute("UPDATE codes SET label = 'Home visits' WHERE id = 'contact_level'")
    export_qdpx(store, tmp_path / "d.qdpx", actor="lead", redact=False, confirmed_unredacted=True)
    with zipfile.ZipFile(tmp_path / "d.qdpx") as zf:
        root = ET.fromstring(zf.read("project.qde"))
    names = [c.get("name") for c in root.iter(f"{Q}Code") if c.get("isCodable") == "true"]
    assert len(set(names)) == 2 and "Home visits (contact_level)" in names


def test_our_export_reads_back_as_qualcoder_reads_it(tmp_path: Path) -> None:
    from export_helpers import build_coded_project

    db, _ = build_coded_project(tmp_path, n_cases=12)
    with Store.open(db) as store:
        a = store.codings(coder="ann")[0]
        store.add_coding(a.document_id, a.start, a.end, a.code_id, "ben")  # double-coded span
        with store.write():
            store.conn.execute("UPDATE codings SET memo = 'ann thinks so' WHERE id = ?", (a.id,))
        store.add_memo("document", a.document_id, "ann", "Commentary memo.")
        case_id = store.document(a.document_id).case_id
        store.add_memo("case", case_id, "ben", "Case memo.")
        store.add_memo("project", "project", "ann", "Project memo.")
        export_qdpx(store, tmp_path / "o.qdpx", actor="lead", redact=False,
                    confirmed_unredacted=True)
        ours = Counter((c.document_id, c.start, c.end, c.code_id, c.coder)
                       for c in store.codings())
        labels = {c.id: c.label for c in store.codes()}
    seen = read_like_qualcoder(tmp_path / "o.qdpx")
    kept = {(labels[k[3]], k[0], k[1], k[2], k[4]) for k in ours}
    assert set(seen["codings"]) == kept  # nothing merged away, every coder right
    assert seen["codings"][(labels[a.code_id], a.document_id, a.start, a.end, "ann")] == \
        "ann thinks so"
    assert seen["codings"][(labels[a.code_id], a.document_id, a.start, a.end, "ben")] == ""
    assert seen["memos"][f"document:{a.document_id}"] == "Commentary memo."
    assert seen["memos"][f"case:{case_id}"] == "Case memo."
    assert "Project memo." in seen["project"]
    assert all(len(kinds) == 1 for kinds in seen["where"].values()), seen["where"]


def test_deep_code_tree_is_flattened_without_recursion(tmp_path: Path) -> None:
    from themecode.errors import InputFileError
    from themecode.refi.guard import MAX_CODE_DEPTH

    def write(depth: int) -> Path:
        inner = "".join(f'<Code guid="{i:08x}-0000-4000-8000-000000000000" name="c{i}" '
                        'isCodable="true">' for i in range(1, depth)) + "</Code>" * (depth - 1)
        path = tmp_path / f"deep{depth}.qdc"
        path.write_text(
            '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="00000000-0000-4000-'
            f'8000-000000000000" name="top" isCodable="false">{inner}</Code></Codes></CodeBook>',
            encoding="utf-8")
        return path

    depth = MAX_CODE_DEPTH  # the deepest tree accepted (issue18's limit) is flattened
    store = Store.create(tmp_path / "p.db")
    res = import_qdc(store, write(depth), coder="lead")
    assert res.codes_added == depth
    assert {c.parent for c in store.codes(kind="code")} == {"top"}
    assert f"{depth - 2} code(s) nested deeper" in "\n".join(res.warnings)
    with pytest.raises(InputFileError, match="nested 101 levels deep"):  # deeper: refused
        import_qdc(store, write(3000), coder="lead")
    assert len(store.codes()) == depth  # nothing of the refused file added


def test_our_export_has_what_qc_and_the_standard_need(tmp_path: Path) -> None:
    from export_helpers import build_coded_project

    db, _ = build_coded_project(tmp_path, n_cases=6)
    with Store.open(db) as store:
        export_qdpx(store, tmp_path / "o.qdpx", actor="lead", redact=False,
                    confirmed_unredacted=True)
        case_of = dict(store.conn.execute("SELECT id, case_id FROM documents"))
    with zipfile.ZipFile(tmp_path / "o.qdpx") as zf:
        root = ET.fromstring(zf.read("project.qde"))
        members = set(zf.namelist())
    users = {u.get("guid") for u in root.iter(f"{Q}User") if u.get("name")}
    sources = {s.get("guid"): s.get("name") for s in root.iter(f"{Q}TextSource")}
    # qc's reader: a plainTextPath file in sources/, a creatingUser on every coding.
    for src in root.iter(f"{Q}TextSource"):
        assert "sources/" + src.get("plainTextPath").removeprefix("internal://") in members
    assert all(c.get("creatingUser") in users for c in root.iter(f"{Q}Coding"))
    # Case membership the standard's way: each commentary in exactly its case, by SourceRef.
    member_of = Counter()
    for case in root.iter(f"{Q}Case"):
        for ref in case.findall(f"{Q}SourceRef"):
            assert case_of[sources[ref.get("targetGUID")]] == case.get("name")
            member_of[ref.get("targetGUID")] += 1
    assert set(member_of) == set(sources) and set(member_of.values()) == {1}


def test_case_codes_give_qualcoder_the_case_membership_and_round_trip(tmp_path: Path) -> None:
    from export_helpers import build_coded_project

    db, _ = build_coded_project(tmp_path, n_cases=6)
    out = tmp_path / "c.qdpx"
    plain = CliRunner().invoke(cli, ["refi", "export", str(db), "--out", str(tmp_path / "p.qdpx"),
                                     "--no-redact", "--yes"])
    assert plain.exit_code == 0, plain.output
    assert case_links_like_qualcoder(tmp_path / "p.qdpx") == {}  # SourceRefs only: not read
    res = CliRunner().invoke(cli, ["refi", "export", str(db), "--out", str(out), "--case-codes",
                                   "--no-redact", "--yes"])
    assert res.exit_code == 0, res.output
    with Store.open(db) as store:
        want: dict[str, set[str]] = {}
        for doc, case in store.conn.execute("SELECT id, case_id FROM documents"):
            want.setdefault(case, set()).add(doc)
        codes = {(c.id, c.label, c.parent) for c in store.codes()}
        n = len(store.codings())
    assert case_links_like_qualcoder(out) == want
    fresh = Store.create(tmp_path / "fresh.db")
    back = import_qdpx(fresh, out, coder="lead")
    assert back.warnings == [] and len(fresh.codings()) == n
    assert {(c.id, c.label, c.parent) for c in fresh.codes()} == codes  # no case codes added
    assert dict(fresh.conn.execute("SELECT id, case_id FROM documents")) == {
        d: c for c, docs in want.items() for d in docs}
