"""The CLI as a user calls it: exit codes, messages, help text with examples."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from themecode.cli import main

CODEBOOK = Path(__file__).resolve().parents[1] / "codebooks" / "public-protection.yaml"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_init_sample_status_as_a_user_would(tmp_path: Path, small_csv: Path) -> None:
    db = tmp_path / "study.db"
    env = {**os.environ, "THEMECODE_CODER": "lead"}
    exe = [sys.executable, "-m", "themecode.cli"]
    p = subprocess.run([*exe, "init", str(db), "--corpus", str(small_csv)], capture_output=True,
                       text=True, env=env, check=False)
    assert p.returncode == 0, p.stderr
    assert "160 commentaries in 40 cases" in p.stdout
    p = subprocess.run([*exe, "sample", str(db), "--fraction", "0.25", "--seed", "2025"],
                       capture_output=True, text=True, env=env, check=False)
    assert p.returncode == 0 and "Sampled 10 of 40 cases" in p.stdout
    p = subprocess.run([*exe, "status", str(db), "--json"], capture_output=True, text=True,
                       env=env, check=False)
    info = json.loads(p.stdout)
    assert info["sample"] == {"cases": 10, "documents": 40}
    assert info["documents"] == 160


def test_errors_are_messages_not_tracebacks(tmp_path: Path, small_csv: Path) -> None:
    code, out = run("status", str(tmp_path / "missing.db"))
    assert code != 0
    db = tmp_path / "s.db"
    assert run("init", str(db), "--corpus", str(small_csv))[0] == 0
    code, out = run("import", str(db), str(small_csv))
    assert code == 2 and "already in the project" in out and "Traceback" not in out
    code, out = run("sample", str(db), "--extend", "3")
    assert code == 1 and "no sample to extend" in out


def test_codebook_commands_both_argument_orders(tmp_path: Path, small_csv: Path) -> None:
    db = tmp_path / "s.db"
    run("init", str(db), "--corpus", str(small_csv))
    code, out = run("codebook", "validate", str(CODEBOOK))
    assert code == 0 and "18 codes" in out
    code, out = run("codebook", str(db), "add", "Interpreter needs", "--theme", "implementation",
                    "--coder", "amy")
    assert code == 0 and "interpreter_needs" in out
    code, out = run("codebook", "show", str(db), "--json")
    codes = {c["id"]: c for c in json.loads(out)}
    assert codes["interpreter_needs"]["origin"] == "inductive"
    assert run("codebook", str(db), "rename", "interpreter_needs", "Language needs")[0] == 0
    assert run("codebook", str(db), "merge", "interpreter_needs", "contact_level")[0] == 0
    assert run("codebook", str(db), "retire", "home_visits")[0] == 0
    out_file = tmp_path / "cb.yaml"
    assert run("codebook", str(db), "export", "--out", str(out_file))[0] == 0
    code, out = run("codebook", "validate", str(out_file))
    assert code == 0 and "17 codes" in out  # 18 + 1 added - merged - retired: codes are not exported


def test_bad_codebook_reports_lines(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("themes:\n  - id: a\n    label: A\n    codes:\n      - id: Bad\n", encoding="utf-8")
    code, out = run("codebook", "validate", str(bad))
    assert code == 2 and "line 5" in out


def test_codings_import_export(tmp_path: Path, small_project: Path) -> None:
    from themecode.store import Store

    with Store.open(small_project) as store:
        doc = store.case(store.sample()[0].case_id).document_ids[0]
    src = tmp_path / "c.jsonl"
    src.write_text(json.dumps({"doc_id": doc, "code": "new_theme_code"}) + "\n", encoding="utf-8")
    code, out = run("codings", "import", str(small_project), str(src), "--coder", "amy")
    assert code == 1 and "unknown code 'new_theme_code'" in out
    code, out = run("codings", str(small_project), "import", str(src), "--coder", "amy",
                    "--create-codes")
    assert code == 0 and "Imported 1 codings" in out
    dst = tmp_path / "out.jsonl"
    assert run("codings", "export", str(small_project), str(dst))[0] == 0
    assert json.loads(dst.read_text())["code"] == "new_theme_code"


@pytest.mark.parametrize(
    "command",
    [["init"], ["import"], ["sample"], ["status"], ["codebook", "validate"], ["codebook", "show"],
     ["codebook", "add"], ["codebook", "merge"], ["codings", "import"], ["codings", "export"],
     ["code"], ["demo"], ["review"], ["review-codes"], ["saturation"]],
)
def test_every_command_has_help_with_an_example(command: list[str]) -> None:
    code, out = run(*command, "--help")
    assert code == 0
    assert "Example" in out and "themecode" in out


def test_saturation_command_verdict_json_and_plot(tmp_path: Path, small_project: Path) -> None:
    from themecode.store import Store

    with Store.open(small_project) as store:
        for row in store.sample()[:6]:
            case = store.case(row.case_id)
            store.add_coding(case.document_ids[0], None, None, "contact_level", "amy")
            store.set_status("case", row.case_id, "amy", "done")
    code, out = run("saturation", str(small_project))
    assert code == 0 and "team (pooled):" in out and "not meaning saturation" not in out
    assert "code saturation relative to this codebook" in out.replace("\n", " ")
    assert "Guest et al. sensitivity grid" in out and "6+3" in out and "Chao2 estimate" in out
    code, out = run("saturation", str(small_project), "--coder", "amy", "--json")
    data = json.loads(out)["coder_result"]["code"]
    assert data["n_units"] == 6 and data["n_codes_observed"] == 1
    assert isinstance(data["chao2"]["ci_low"], int) and data["chao2"]["ci_low"] == 1
    plot = tmp_path / "sat.svg"
    assert run("saturation", str(small_project), "--plot", str(plot))[0] == 0
    assert plot.read_text().lstrip().startswith(("<?xml", "<svg"))


def test_code_command_backs_up_after_opening_and_not_without_a_sample(
    small_project: Path, small_csv: Path, codebook_path: Path, tmp_path: Path, monkeypatch,
) -> None:
    import themecode.tui.app as app
    from themecode.project.create import init_project

    opened: list[tuple[Path, str, bool]] = []
    monkeypatch.setattr(app, "run",
                        lambda path, coder, **kw: opened.append((path, coder, kw.get("backup"))))
    code, out = run("code", str(small_project), "--coder", "amy")
    assert code == 0, out
    assert opened == [(small_project, "amy", True)]  # the app takes it after its first paint
    monkeypatch.undo()
    unsampled = tmp_path / "fresh" / "unsampled.db"
    unsampled.parent.mkdir()
    init_project(unsampled, small_csv, codebook=codebook_path, coder="lead")
    code, out = run("code", str(unsampled), "--coder", "amy")
    assert code != 0 and "has no sample to code yet" in out and "--fraction" in out
    assert not (unsampled.parent / "backups").exists()  # no backup for a session that never opened


def test_review_codes_opens_the_browser_on_a_known_code_only(small_project: Path,
                                                              monkeypatch) -> None:
    import themecode.tui.app as app

    opened: list[tuple[str, str | None]] = []
    monkeypatch.setattr(app, "run", lambda path, coder, **kw: opened.append((coder,
                                                                            kw.get("browse"))))
    code, out = run("review-codes", str(small_project), "--coder", "lead", "--code", "workload")
    assert code == 0, out
    assert opened == [("lead", "workload")]
    code, out = run("review-codes", str(small_project), "--code", "no_such_code")
    assert code != 0 and "Unknown code 'no_such_code'" in out and "Traceback" not in out
    assert len(opened) == 1


def test_readme_documents_every_command() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    ctx = click.Context(main)
    names = main.list_commands(ctx)
    assert {"init", "code", "saturation", "export", "handout", "split"} <= set(names)
    missing = []
    for name in names:
        cmd = main.get_command(ctx, name)
        assert isinstance(cmd, click.Command), name
        if isinstance(cmd, click.Group):
            missing += [f"{name} {sub}" for sub in cmd.commands
                        if f"{name} PROJECT {sub}" not in readme and f"{name} {sub}" not in readme]
        elif f"`{name} " not in readme and f"({name} alias" not in readme and f"alias `{name}`" not in readme:
            missing.append(name)
    assert missing == [], f"README does not document: {missing}"


def test_commands_load_lazily_and_help_lists_every_one() -> None:
    """`themecode code` imports only the coding commands' module; `--help` still lists every
    command with its help line (each module imported then)."""
    from themecode.cli import COMMANDS

    probe = ("import sys; from themecode.cli import main; "
             "main.get_command(None, 'code'); "
             "print(sorted(m for m in sys.modules if m.startswith('themecode.cli.')))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True).stdout
    assert "themecode.cli.coding" in loaded and "themecode.cli.common" in loaded
    for other in ("analysis", "exports", "project_setup", "statistics", "suggestions", "teamwork",
                  "codebook", "audit", "backups"):
        assert f"themecode.cli.{other}'" not in loaded, other
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    listed = [line.split()[0] for line in result.output.split("Commands:")[1].splitlines()
              if line.strip()]
    assert listed == sorted(COMMANDS)
    assert main.get_command(click.Context(main), "no-such-command") is None
    result = CliRunner().invoke(main, ["no-such-command"])
    assert result.exit_code == 2 and "No such command" in result.output
