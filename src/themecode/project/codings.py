"""The codings exchange format: JSON Lines of `{"doc_id", "start", "end", "code", "coder"?, "memo"?,
"label"?}`.

start/end are code-point offsets (end exclusive); omitted, they mean the whole document. `label`
names a code that `--create-codes` adds (otherwise its label is made from its id, keeping known
acronyms: "ict_problems" → "ICT problems", "mappa_referral" → "MAPPA referral").
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from themecode.corpus.controls import REFUSAL_HINT, refusal
from themecode.corpus.importer import read_jsonl_objects
from themecode.errors import InputFileError, ThemecodeError, UnknownCodeError
from themecode.store import Store, now
from themecode.store.outputs import project_files, safe_output

# Acronyms and names a label made from a code id keeps as written (matched case-insensitively).
KNOWN_TERMS: tuple[str, ...] = (
    "ICT", "IT", "MAPPA", "MARAC", "MASH", "OASys", "RoSH", "RSR", "OVP", "OGRS", "SPO", "PO",
    "PSO", "PoP", "PDU", "YJS", "CRS", "SHPO", "SRO", "HMPPS", "NPS", "DWP", "CPS", "PNC", "IDVA",
    "ViSOR", "CAMHS", "CMHT", "NHS", "GP", "AP", "ETE", "IOM", "DASH", "DA", "DV", "DVPO", "CP",
    "CIN", "LAC", "UPW", "RAR", "DRR", "ATR", "HDC", "ROTL", "OMU", "POM", "COM", "PSR", "OPD",
    "ASB", "UK", "ID", "nDelius", "Delius", "BBR", "TSP", "ASPIRE", "MoJ", "Covid", "SARN", "ARMS",
)
_KNOWN = {t.lower(): t for t in KNOWN_TERMS}


def label_from_id(code_id: str) -> str:
    """A readable label for a code id: words split at _ and -, the first capitalised, known
    acronyms as written ("ict_problems" → "ICT problems", "rosh-review" → "RoSH review")."""
    words = [w for w in code_id.replace("-", "_").split("_") if w]
    out = []
    for i, w in enumerate(words):
        known = _KNOWN.get(w.lower())
        if known is not None:
            out.append(known)
        elif i == 0:
            out.append(w[:1].upper() + w[1:].lower())
        else:
            out.append(w.lower())
    return " ".join(out) or code_id
LINE_HINT = 'each line looks like {"doc_id": "C0001-A", "start": 0, "end": 57, "code": "id"}.'


@dataclass
class CodingsImport:
    """What a codings import did."""

    imported: int = 0
    duplicates: int = 0
    skipped_outside_sample: int = 0
    created_codes: list[str] | None = None
    other_coder_lines: int = 0


def import_codings(
    store: Store,
    path: str | Path,
    *,
    coder: str,
    sample_only: bool = False,
    create_codes: bool = False,
    mark_done: bool = False,
) -> CodingsImport:
    """Validate every line, then add all codings as `coder` in one transaction (all or nothing).

    Unknown codes are an error naming the line unless `create_codes`, which adds them as
    inductive codes in file order. Codings already present (same span, code and coder) are
    skipped, so importing a file twice changes nothing. `mark_done` marks every document and
    case the import covers as done for `coder`.
    """
    from themecode.codebook import create_code

    if not coder.strip():
        raise InputFileError("a coder name is needed", hint="pass --coder NAME.")
    if refusal(coder):
        raise InputFileError(f"the coder name {refusal(coder)}", hint="pass a plain --coder NAME.")
    p = Path(path)
    if not p.is_file():
        raise InputFileError("no such file", path=str(p))
    known = {c.id: c for c in store.codes(include_retired=True)}
    sampled = {r[0] for r in store.conn.execute("SELECT case_id FROM samples")}
    docs: dict[str, tuple[str, int]] = {}
    rows: list[tuple[str, int, int, str, str | None]] = []
    new_codes: list[str] = []
    new_code_lines: dict[str, int] = {}  # where each new code first appears, for messages
    new_labels: dict[str, str] = {}  # labels the file gives new codes
    result = CodingsImport()
    raw = p.read_bytes()  # read once: the audit event hashes exactly the bytes imported
    for number, obj in read_jsonl_objects(
        p, hint='each line must look like {"doc_id": "...", "code": "..."}.', raw=raw
    ):
        doc_id, code = obj.get("doc_id"), obj.get("code")
        if not isinstance(doc_id, str) or not doc_id:
            raise InputFileError('needs "doc_id" (text)', path=str(p), line=number,
                                 hint=LINE_HINT)
        if not isinstance(code, str) or not code:
            raise InputFileError('needs "code" (a code id)', path=str(p), line=number,
                                 hint=LINE_HINT)
        for key in ("doc_id", "code", "memo", "coder", "label"):
            value = obj.get(key)
            if isinstance(value, str) and refusal(value):
                raise InputFileError(f'"{key}" {refusal(value)}', path=str(p), line=number,
                                     hint=REFUSAL_HINT)
        if doc_id not in docs:
            row = store.conn.execute(
                "SELECT case_id, length(text) FROM documents WHERE id = ?", (doc_id,)
            ).fetchone()
            if row is None:
                raise InputFileError(f"unknown document {doc_id!r}", path=str(p), line=number,
                                     hint="import the corpus first; doc_id must match its ids.")
            docs[doc_id] = (row[0], row[1])
        case_id, length = docs[doc_id]
        start, end = obj.get("start", 0), obj.get("end", length)
        if start is None:
            start = 0
        if end is None:
            end = length
        if (not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool)
                or isinstance(end, bool)):
            raise InputFileError('"start" and "end" must be whole numbers', path=str(p),
                                 line=number, hint="offsets are code points from 0, e.g. "
                                 '"start": 0, "end": 57; leave both out for the whole text.')
        if not 0 <= start < end <= length:
            raise InputFileError(
                f"span {start}-{end} is outside {doc_id!r} (length {length})",
                path=str(p), line=number, hint="offsets are code points from 0; end is exclusive.",
            )
        if code not in known and code not in new_codes:
            if not create_codes:
                raise UnknownCodeError(
                    f"{p}, line {number}: unknown code {code!r}.",
                    hint="add it to the codebook first, or pass --create-codes.",
                )
            new_codes.append(code)
            new_code_lines[code] = number
        if code in known and (known[code].retired or known[code].kind != "code"):
            raise InputFileError(f"code {code!r} is retired or a theme", path=str(p), line=number,
                                 hint="only live codes can be applied; list them with "
                                 "`themecode codebook PROJECT show`.")
        label = obj.get("label")
        if label is not None and code in new_code_lines:
            if not isinstance(label, str) or not label.strip():
                raise InputFileError('"label" must be non-empty text', path=str(p), line=number)
            if new_labels.setdefault(code, label.strip()) != label.strip():
                raise InputFileError(
                    f"code {code!r} was labelled {new_labels[code]!r} earlier in the file and "
                    f"{label.strip()!r} here",
                    path=str(p), line=number, hint="give a new code one label throughout.")
        if obj.get("coder") not in (None, coder):
            result.other_coder_lines += 1
        if sample_only and case_id not in sampled:
            result.skipped_outside_sample += 1
            continue
        memo = obj.get("memo")
        rows.append((doc_id, start, end, code, memo if isinstance(memo, str) else None))
    with store.write():
        for code in new_codes:
            try:
                create_code(store, code, new_labels.get(code) or label_from_id(code), coder=coder,
                            definition="Created by a codings import.", origin="inductive")
            except ThemecodeError as exc:  # a bad id or a clashing label: say where it came from
                raise InputFileError(
                    f"code {code!r} cannot be added to the codebook: {exc.message}",
                    path=str(p), line=new_code_lines[code], hint=exc.hint,
                ) from exc
        # stamped after the codes it creates: a code created "after" its own codings would look
        # added mid-stream (provisional) to the saturation figures
        at = now()
        live = {
            (r[0], r[1], r[2], r[3])
            for r in store.conn.execute(
                'SELECT document_id, start, "end", code_id FROM codings WHERE coder = ? AND deleted = 0',
                (coder,),
            )
        }
        fresh = []
        for doc_id, start, end, code, memo in rows:
            key = (doc_id, start, end, code)
            if key in live:
                result.duplicates += 1
                continue
            live.add(key)
            fresh.append((doc_id, start, end, code, coder, at, memo))
        store.conn.executemany(
            'INSERT INTO codings(document_id, start, "end", code_id, coder, created_at, memo) '
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            fresh,
        )
        result.imported = len(fresh)
        if mark_done:
            cases = {docs[d][0] for d, *_ in rows}
            if sample_only:
                cases |= sampled
            units: list[tuple[str, str]] = []
            for case_id in sorted(cases):
                units += [("document", doc_id) for (doc_id,) in store.conn.execute(
                    "SELECT id FROM documents WHERE case_id = ?", (case_id,)
                ).fetchall()]
                units.append(("case", case_id))
            store.mark_done_bulk(units, coder)
        store.log_event(coder, "codings_import", str(p),
                        {"imported": result.imported, "duplicates": result.duplicates,
                         "created_codes": new_codes, "mark_done": mark_done,
                         "sha256": hashlib.sha256(raw).hexdigest()})
    result.created_codes = new_codes
    return result


def export_codings(
    store: Store, path: str | Path, *, coder: str | None = None, redact: bool = True,
    confirmed_unredacted: bool = False, actor: str = "",
) -> int:
    """Write the live human codings as JSON Lines (sorted); returns how many were written.

    Memos are redacted unless `redact=False` is confirmed (they are free text and may name
    people). The file is written through `safe_output` (0600, atomic, never onto the project)
    and logged as an `export` event (and `export_unredacted`) before it appears.
    """
    if not redact and not confirmed_unredacted:
        raise ThemecodeError(
            "An unredacted codings export needs confirmation: memos may hold personal details.",
            hint="answer the prompt, or pass --yes together with --no-redact.")
    rows = store.conn.execute(
        'SELECT document_id, start, "end", code_id, coder, memo FROM codings WHERE deleted = 0'
        + (" AND coder = ?" if coder else "")
        + " ORDER BY document_id, start, \"end\", code_id, coder",
        (coder,) if coder else (),
    ).fetchall()
    redactor = None
    if redact and any(r[5] for r in rows):
        from themecode.export.redaction import make_redactor

        redactor = make_redactor(store)
    payload = {"format": "jsonl", "path": str(path), "coder": coder, "redacted": redact,
               "n_codings": len(rows)}

    def log_export() -> None:
        with store.write():
            if not redact:
                store.log_event(actor, "export_unredacted", str(path), payload)
            store.log_event(actor, "codings_export", str(path), payload)

    with safe_output(path, protect=project_files(store.path), before_publish=log_export) as tmp, \
            open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        for doc_id, start, end, code, who, memo in rows:
            obj = {"doc_id": doc_id, "start": start, "end": end, "code": code, "coder": who}
            if memo:
                obj["memo"] = redactor.redact(memo).text if redactor is not None else memo
            fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
    return len(rows)
