"""`themecode export --format docx --methods`: the chapter starts with the methods paragraph that
`themecode methods` prints, for the same coder scope; without the option it has none."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

from themecode.cli import main


@pytest.fixture(scope="module")
def project(gold_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the gold project (an export logs an event in it)."""
    db = tmp_path_factory.mktemp("methods") / "study.db"
    shutil.copy(gold_db, db)
    return db


def run(*args: object) -> str:
    res = CliRunner().invoke(main, [str(a) for a in args])
    assert res.exit_code == 0, res.output
    return res.output


def printed_methods(db: Path, *coder: str) -> tuple[list[str], list[str]]:
    """The paragraphs and references `themecode methods --format md` prints."""
    md = run("methods", db, "--format", "md", *coder)
    body, _, refs = md.partition("### References")
    paragraphs = [p.strip() for p in body.split("## Methods", 1)[1].split("\n\n") if p.strip()]
    return paragraphs, [r[2:].strip() for r in refs.strip().splitlines()]


def texts(path: Path) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in Document(str(path)).paragraphs]


def test_chapter_has_no_methods_paragraph_by_default(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "chapter.docx"
    run("export", project, "--format", "docx", "--out", out)
    paras = texts(out)
    assert ("Heading 1", "Methods") not in paras
    assert not any("Chao2" in t or "Cohen, J. (1960)" in t for _, t in paras)
    assert any(style == "Heading 1" for style, _ in paras)  # the themes are there


@pytest.mark.parametrize("coder", [(), ("--coder", "gold")])
def test_methods_option_puts_the_printed_paragraph_at_the_top(
    project: Path, tmp_path: Path, coder: tuple[str, ...],
) -> None:
    out = tmp_path / "chapter.docx"
    run("export", project, "--format", "docx", "--out", out, "--methods", *coder)
    paras = texts(out)
    paragraphs, references = printed_methods(project, *coder)
    assert len(paragraphs) >= 4 and len(references) >= 9
    start = paras.index(("Heading 1", "Methods"))
    first_theme = next(i for i, (style, _) in enumerate(paras) if style == "Heading 1")
    assert start == first_theme  # before every theme
    n = len(paragraphs)
    assert [t for _, t in paras[start + 1: start + 1 + n]] == paragraphs  # same words and figures
    assert paras[start + 1 + n] == ("Heading 2", "References")
    assert [t for _, t in paras[start + 2 + n: start + 2 + n + len(references)]] == references
    if coder:  # the export's coder scope is the paragraph's
        assert paragraphs != printed_methods(project)[0]
        assert any("Prevalence figures count codings of coder gold only" in p for p in paragraphs)


def test_methods_option_is_for_the_docx_chapter_only(project: Path, tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["export", str(project), "--format", "csv", "--out",
                                    str(tmp_path / "x.csv"), "--methods"])
    assert res.exit_code != 0
    assert "only into the DOCX chapter" in res.output
    assert not (tmp_path / "x.csv").exists()
