"""The codebook file: YAML parsed with line numbers and validated into `Codebook` (themes and
codes with definitions, include/exclude notes, examples, keywords and shortcuts), within limits
(size, nesting, aliases, duplicate keys). Pure: reads text, touches no project.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from themecode.corpus.controls import refusal
from themecode.errors import CodebookError

ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
# keys the coding screen uses itself: a code shortcut on one of them could never be applied
RESERVED_SHORTCUTS = frozenset("?+=/[]")
MAX_CODEBOOK_BYTES = 5_000_000
MAX_YAML_DEPTH = 50


@dataclass
class CodeSpec:
    """A code as written in a codebook file."""

    id: str
    label: str
    definition: str = ""
    include: str = ""
    exclude: str = ""
    example: str = ""
    keywords: list[str] = field(default_factory=list)
    shortcut: str | None = None
    parent: str | None = None
    origin: str = "deductive"
    line: int = 0


@dataclass
class ThemeSpec:
    """A theme (a group of codes) as written in a codebook file."""

    id: str
    label: str
    description: str = ""
    codes: list[CodeSpec] = field(default_factory=list)
    line: int = 0


@dataclass
class Codebook:
    """A whole codebook file."""

    name: str
    version: int | str
    description: str
    themes: list[ThemeSpec]
    path: str = ""

    def all_codes(self) -> list[CodeSpec]:
        """Every code of every theme, in file order."""
        return [c for t in self.themes for c in t.codes]


class _LineDict(dict):  # type: ignore[type-arg]
    """A mapping that remembers the line it and each of its keys started on."""

    line: int = 0
    key_lines: dict[str, int]


class _LineLoader(yaml.SafeLoader):
    """Safe YAML loader whose mappings carry line numbers, refusing what a codebook never needs
    and what can exhaust memory or the stack: aliases (`*name`, the 'billion laughs'), nesting
    deeper than `MAX_YAML_DEPTH`, and a key given twice in one mapping."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in a codebook: write the text out",
                self.peek_event().start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"nested more than {MAX_YAML_DEPTH} levels deep",
                    self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _LineDict:
    seen: set[Any] = set()
    for k, _ in node.value:
        if isinstance(k, yaml.ScalarNode):
            if k.value in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {k.value!r} is given twice in one mapping", k.start_mark)
            seen.add(k.value)
    mapping = _LineDict(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {
        str(k.value): k.start_mark.line + 1 for k, _ in node.value if isinstance(k, yaml.ScalarNode)
    }
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


_OWN_YAML_ERRORS = (yaml.composer.ComposerError, yaml.constructor.ConstructorError)


def _text(value: Any) -> str:
    """A YAML scalar as stripped text ('' for missing)."""
    if value is None:
        return ""
    return " ".join(str(value).split()) if not isinstance(value, list) else ""


def parse_codebook(text: str, path: str = "<codebook>") -> Codebook:
    """Parse and validate codebook YAML; raise `CodebookError` listing every problem with its line."""
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - safe loader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        position = getattr(exc, "position", None)  # a ReaderError (e.g. a NUL) has no mark
        if line is None and isinstance(position, int):
            line = text[:position].count("\n") + 1
        problem = getattr(exc, "problem", None) or str(exc)
        if isinstance(problem, str) and "\n" in problem:
            problem = problem.splitlines()[0]
        raise CodebookError(
            f"not valid YAML: {problem}",
            path=path, line=line,
            hint=("write each text out in full (no & anchors or * aliases), in a flat "
                  "themes → codes layout, each key once." if isinstance(exc, _OWN_YAML_ERRORS)
                  else "check indentation and that text containing ':' is quoted."),
            problems=[f"line {line}: {problem}"],
        ) from exc
    problems: list[str] = []

    def bad(line: int, msg: str) -> None:
        problems.append(f"line {line}: {msg}")

    if not isinstance(data, dict):
        raise CodebookError(
            "a codebook must be a mapping with a `themes:` list",
            path=path, line=1, problems=["line 1: expected a mapping with `themes:`"],
            hint="start from codebooks/public-protection.yaml: `themes:` then a list of "
            "themes, each with `codes:`.",
        )
    top = data if isinstance(data, _LineDict) else _LineDict(data)
    themes_raw = data.get("themes")
    if not isinstance(themes_raw, list) or not themes_raw:
        bad(getattr(top, "key_lines", {}).get("themes", 1), "`themes:` must be a non-empty list")
        themes_raw = []
    themes: list[ThemeSpec] = []
    seen: dict[str, int] = {}

    def check_entry(kind: str, ident: str, entry: _LineDict, line: int) -> str:
        """Report a theme's or code's missing, malformed or duplicate id and missing label;
        remember the id's line; return the label."""
        if not ident:
            bad(line, f"{kind} has no `id`")
        elif not ID_RE.match(ident):
            bad(line, f"{kind} id {ident!r} must be snake_case: a-z, 0-9 and _, starting with a letter")
        elif ident in seen:
            bad(line, f"duplicate id {ident!r} (first used on line {seen[ident]})")
        else:
            seen[ident] = line
        label = _text(entry.get("label"))
        if not label:
            bad(line, f"{kind} {ident or '?'!r} has no `label`")
        elif label.casefold() in labels:
            bad(line, f"{kind} label {label!r} is also used on line {labels[label.casefold()]}")
        else:
            labels[label.casefold()] = line
        for key, value in entry.items():
            problem = refusal(str(key)) or (refusal(value) if isinstance(value, str) else None)
            if problem:
                bad(entry.key_lines.get(str(key), line), f"`{key}` of {ident or '?'!r} {problem}")
        return label

    shortcuts: dict[str, tuple[str, int]] = {}
    labels: dict[str, int] = {}
    for t in themes_raw:
        if not isinstance(t, _LineDict):
            bad(1, f"each theme must be a mapping, got {t!r}")
            continue
        tid = _text(t.get("id"))
        line = t.line
        label = check_entry("theme", tid, t, line)
        theme = ThemeSpec(tid, label, _text(t.get("description")), [], line)
        codes_raw = t.get("codes")
        if not isinstance(codes_raw, list) or not codes_raw:
            bad(t.key_lines.get("codes", line), f"theme {tid!r} needs a non-empty `codes:` list")
            codes_raw = []
        for c in codes_raw:
            if not isinstance(c, _LineDict):
                bad(line, f"each code must be a mapping, got {c!r}")
                continue
            cl = c.line
            cid = _text(c.get("id"))
            clabel = check_entry("code", cid, c, cl)
            shortcut = c.get("shortcut")
            if shortcut is not None:
                shortcut = str(shortcut)
                if len(shortcut) != 1 or shortcut.isspace():
                    bad(c.key_lines.get("shortcut", cl),
                        f"shortcut {shortcut!r} of {cid!r} must be one printable character")
                elif shortcut in RESERVED_SHORTCUTS:
                    bad(c.key_lines.get("shortcut", cl),
                        f"shortcut {shortcut!r} of {cid!r} is a key of the coding screen "
                        f"({' '.join(sorted(RESERVED_SHORTCUTS))}); choose another")
                elif shortcut in shortcuts:
                    other, oline = shortcuts[shortcut]
                    bad(c.key_lines.get("shortcut", cl),
                        f"shortcut {shortcut!r} of {cid!r} clashes with {other!r} (line {oline})")
                else:
                    shortcuts[shortcut] = (cid, cl)
            keywords = c.get("keywords") or []
            if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
                bad(c.key_lines.get("keywords", cl), f"`keywords` of {cid!r} must be a list of text")
                keywords = []
            parent = _text(c.get("parent")) or None
            theme.codes.append(
                CodeSpec(
                    id=cid, label=clabel, definition=_text(c.get("definition")),
                    include=_text(c.get("include")), exclude=_text(c.get("exclude")),
                    example=_text(c.get("example")), keywords=[k.strip() for k in keywords],
                    shortcut=shortcut, parent=parent,
                    origin="inductive" if _text(c.get("origin")) == "inductive" else "deductive",
                    line=cl,
                )
            )
        themes.append(theme)
    by_id = {c.id: c for t in themes for c in t.codes}
    for theme in themes:
        for code in theme.codes:
            if code.parent and code.parent not in seen:
                bad(code.line, f"code {code.id!r} names unknown parent {code.parent!r}")
            chain, up = [code.id], code.parent
            while up in by_id and up not in chain:
                chain.append(up)
                up = by_id[up].parent
            if up in chain:
                bad(code.line, f"code {code.id!r} is its own ancestor through `parent` "
                               f"({' → '.join([*chain, up])})")
    if problems:
        first = problems[0]
        m = re.match(r"line (\d+): (.*)", first)
        raise CodebookError(
            f"{len(problems)} problem(s) in the codebook:\n  " + "\n  ".join(problems),
            path=path, line=int(m.group(1)) if m else None,
            hint="fix each line listed, then run `themecode codebook validate FILE` again.",
            problems=problems,
        )
    return Codebook(
        name=_text(data.get("name")) or Path(path).stem,
        version=data.get("version") or 1,
        description=_text(data.get("description")),
        themes=themes,
        path=path,
    )


def load_codebook(path: str | Path) -> Codebook:
    """Read and validate a codebook YAML file."""
    p = Path(path)
    try:
        if p.stat().st_size > MAX_CODEBOOK_BYTES:
            raise CodebookError(
                f"the file has {p.stat().st_size:,} bytes, more than a codebook may have "
                f"({MAX_CODEBOOK_BYTES:,})", path=str(p),
                hint="check this is the codebook file.", problems=["the file is too large"])
        raw = p.read_bytes()
    except OSError as exc:
        raise CodebookError(f"cannot read the codebook: {exc.strerror}", path=str(p)) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CodebookError(
            "the codebook is not UTF-8 text", path=str(p), line=line,
            hint="save the file as UTF-8.", problems=[f"line {line}: not UTF-8"],
        ) from exc
    return parse_codebook(text, str(p))


def slugify(label: str) -> str:
    """Turn a label into a snake_case code id ('ICT / system problems' → 'ict_system_problems')."""
    ascii_text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")
    if not slug or not slug[0].isalpha():
        slug = "code_" + slug
    return slug[:64].rstrip("_")


