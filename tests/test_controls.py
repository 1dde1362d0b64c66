"""The control-character policy end to end, Rich markup in names, and XLSX sheet choice.

A project made before the policy may hold ESC sequences, bidi overrides or vertical tabs in its
texts, memos, labels and names (put there here with SQL, as an old import would have): every
export format, REFI-QDA, the report, the coding UI's rendering and the CLI must still work and
show them as visible symbols, never pass them to whoever opens or `cat`s the output.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from by_path import root_conftest
from click.testing import CliRunner

from themecode.cli import main
from themecode.corpus.controls import first_refused, line_breaks, refusal, visible
from themecode.corpus.importer import normalise_text, read_rows
from themecode.store import Store

_conf = root_conftest()
HOSTILE = "Seen\x1b]2;pwned\x07 at home.\x1b[2J Plan \u202eevil\u202c ok\x0bnext line\x9b."
RAW = ("\x1b", "\x07", "\u202e", "\x9b", "\x0b")


def run(*args: object) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.output


def test_visible_keeps_length_and_hides_nothing_else() -> None:
    assert len(visible(HOSTILE)) == len(HOSTILE)
    assert not any(c in visible(HOSTILE) for c in RAW)
    assert visible("plain\ttext\nwith é and عربي") == "plain\ttext\nwith é and عربي"
    assert visible("a\x1bb") == "a\u241bb"
    assert line_breaks("a\x0bb\x0cc\x85d") == "a\nb\nc\nd"
    assert normalise_text("one\x0btwo") == "one\ntwo"
    assert first_refused("ok\u202ex") == (2, "right-to-left override (U+202E)")
    assert refusal("tab\tand\nbreaks") is None
    assert "surrogate" in (refusal("x\ud800") or "")


@pytest.fixture(scope="module")
def old_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project whose text, memo, label, coder name and metadata hold control characters."""
    d = tmp_path_factory.mktemp("controls")
    db = d / "old.db"
    run("init", db, "--corpus", _conf.write_small_corpus(d / "c.csv", 3), "--codebook",
        _conf.CODEBOOK, "--coder", "lead")
    run("sample", db, "--fraction", "1", "--seed", "1")
    with Store.open(db) as store, store.write():
        store.conn.execute("UPDATE documents SET text = ?, metadata = ? WHERE id = 'C0001-A'",
                           (HOSTILE, json.dumps({"pdu": "Gw\x1b[31ment"})))
        store.conn.execute("UPDATE codes SET label = ? WHERE id = 'domestic_abuse_checks'",
                           ("DA \x1b[5mchecks [/]",))
        for coder, memo in (("amy\x1b[8m", "memo \u202eevil \x07"), ("[/]ben", None)):
            store.conn.execute(
                'INSERT INTO codings(document_id, start, "end", code_id, coder, created_at, '
                "memo) VALUES ('C0001-A', 0, 20, 'domestic_abuse_checks', ?, 'now', ?)",
                (coder, memo))
    return db


@pytest.mark.parametrize("fmt", ["md", "csv", "xlsx", "docx", "html", "json"])
def test_an_old_project_still_exports_with_controls_made_visible(old_project: Path,
                                                                 fmt: str) -> None:
    out = old_project.parent / f"x-{fmt}.{fmt}"
    run("export", old_project, "--format", fmt, "--out", out, "--no-redact", "--yes",
        "--include-machine")
    data = out.read_bytes()
    if fmt in ("xlsx", "docx"):
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            data = b"".join(zf.read(n) for n in zf.namelist() if n.endswith(".xml"))
    text = data.decode("utf-8", "replace")
    assert "Seen" in text and "\u241b" in text  # the ESC shown as a symbol
    assert not any(c in text for c in RAW), fmt


def test_an_old_project_still_exports_to_refi_and_the_report(old_project: Path) -> None:
    d = old_project.parent
    run("refi", "export", old_project, "--out", d / "old.qdpx", "--no-redact", "--yes")
    with zipfile.ZipFile(d / "old.qdpx") as zf:
        blob = "".join(zf.read(n).decode("utf-8") for n in zf.namelist())
    assert "Seen" in blob and not any(c in blob for c in RAW)
    run("report", old_project, "--out", d / "old.html")
    page = (d / "old.html").read_text(encoding="utf-8")
    assert not any(c in page for c in RAW)


def test_the_coding_ui_renders_controls_visibly() -> None:
    from themecode.store import Coding
    from themecode.tui.widgets.commentary import render_commentary

    coding = Coding(1, "D", 0, 4, "x", "amy", "now", None)  # type: ignore[call-arg]
    text = render_commentary(HOSTILE, [coding], {}, "amy", (5, 10))
    assert not any(c in text.plain for c in RAW)
    assert text.plain.startswith("Seen")


@pytest.mark.parametrize("command", [
    ("status", "{p}"), ("codebook", "show", "{p}"), ("saturation", "{p}"),
    ("agreement", "{p}", "--coders", "[/]ben,amy\x1b[8m"),
], ids=["status", "codebook-show", "saturation", "agreement"])
def test_markup_and_controls_in_names_print_as_typed(old_project: Path,
                                                     command: tuple[str, ...]) -> None:
    output = run(*[a.format(p=old_project) for a in command])
    assert "\x1b" not in output
    if command[0] != "saturation":
        assert "[/]" in output  # shown literally, not parsed as markup


def test_a_label_with_markup_added_on_the_command_line_never_breaks_the_cli(
        tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    run("init", db, "--corpus", _conf.write_small_corpus(tmp_path / "c.csv", 2), "--codebook",
        _conf.CODEBOOK, "--coder", "[bold]lead[/]")
    run("codebook", "add", db, "Odd [/] [red]label", "--theme", "assessment")
    shown = run("codebook", "show", db)
    assert "Odd [/] [red]label" in shown
    run("status", db)


def _book(hidden_first: bool) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    hidden = wb.active
    hidden.title = "old"
    hidden.append(["id", "text"])
    hidden.append(["H1", "An old draft that nobody sees."])
    shown = wb.create_sheet("current")
    shown.append(["id", "case_id", "text"])
    shown.append(["V1", "K1", "The commentary people see."])
    if hidden_first:
        hidden.sheet_state = "hidden"
    wb.active = 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("hidden_first", [True, False])
def test_xlsx_is_read_from_the_sheet_shown_on_opening(tmp_path: Path, hidden_first: bool) -> None:
    path = tmp_path / "book.xlsx"
    path.write_bytes(_book(hidden_first))
    rows = read_rows(path).rows
    assert [r.values["id"] for r in rows] == ["V1"]


def test_panels_show_controls_in_labels_visibly() -> None:
    from rich.text import Text

    from themecode.tui.widgets.commentary import visible_text

    t = Text()
    t.append("Code ", "bold")
    t.append("DA \x1b[5mchecks", "red")
    shown = visible_text(t)
    assert "\x1b" not in shown.plain and len(shown.plain) == len(t.plain)
    assert [(s.start, s.end, str(s.style)) for s in shown.spans] == [
        (s.start, s.end, str(s.style)) for s in t.spans]
    assert visible_text(Text("plain")).plain == "plain"
