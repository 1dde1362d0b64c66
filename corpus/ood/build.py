"""Turn the hand-written `annotated.txt` into `commentaries.csv` and `gold-codings.jsonl`.

This is a formatter, not a generator: every sentence and every gold code is written by hand in
`annotated.txt`; this script only joins sentences into commentaries, computes code-point offsets
of each coded sentence, checks the codes against the codebook and checks that every gold span
is exactly a sentence of the shared spaCy pipeline. Run: `.venv/bin/python corpus/ood/build.py`.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
HEADER = re.compile(r"^=== (\S+) \| (\S+) \| (\w+) \| (yes|no) \| (\w+) \| ([\w-]+)$")
LINE = re.compile(r"^\[([\w, ]*)\] (.+)$")


def codebook_ids() -> set[str]:
    """Code ids of the public-protection codebook and of the demo's inductive codes."""
    book = yaml.safe_load((ROOT / "codebooks" / "public-protection.yaml").read_text())
    ids = {c["id"] for t in book["themes"] for c in t["codes"]}
    inductive = ROOT / "corpus" / "demo" / "inductive-codes.json"
    if inductive.exists():
        ids |= {c["id"] for c in json.loads(inductive.read_text(encoding="utf-8"))}
    return ids


def parse(path: Path) -> list[dict]:
    """Commentaries as dicts with metadata and a list of paragraphs of (codes, sentence)."""
    docs: list[dict] = []
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.rstrip()
        if line.startswith("#"):
            continue
        if m := HEADER.match(line):
            docs.append({"id": m[1], "case_id": m[2], "stage": m[3], "judgement": m[4],
                         "rosh": m[5], "case_type": m[6], "paras": [[]]})
        elif not line:
            if docs and docs[-1]["paras"][-1]:
                docs[-1]["paras"].append([])
        elif m := LINE.match(line):
            codes = [c.strip() for c in m[1].split(",") if c.strip()]
            docs[-1]["paras"][-1].append((codes, m[2].strip(), n))
        else:
            sys.exit(f"{path}:{n}: cannot parse {line!r}")
    for d in docs:
        d["paras"] = [p for p in d["paras"] if p]
    return docs


def main() -> None:
    """Write the CSV and JSONL and verify offsets, codes and sentence boundaries."""
    sys.path.insert(0, str(ROOT / "src"))
    from themecode.corpus.nlp import split_sentences

    known = codebook_ids()
    docs = parse(HERE / "annotated.txt")
    rows, gold = [], []
    for d in docs:
        text, spans = "", []
        for p, para in enumerate(d["paras"]):
            if p:
                text += "\n\n"
            for s, (codes, sentence, n) in enumerate(para):
                if s:
                    text += " "
                start = len(text)
                text += sentence
                for code in codes:
                    if code not in known:
                        sys.exit(f"annotated.txt:{n}: unknown code {code!r}")
                    spans.append({"doc_id": d["id"], "start": start, "end": len(text),
                                  "code": code, "coder": "gold"})
        rows.append({"id": d["id"], "case_id": d["case_id"], "stage": d["stage"],
                     "judgement": d["judgement"], "text": text, "rosh": d["rosh"],
                     "case_type": d["case_type"]})
        for sp in spans:
            assert text[sp["start"]:sp["end"]].strip() == text[sp["start"]:sp["end"]]
        gold.extend(spans)
    # Every gold span must be one sentence of the shared pipeline.
    for row, sents in zip(rows, split_sentences(r["text"] for r in rows), strict=True):
        bounds = {(s.start, s.end) for s in sents}
        for sp in (g for g in gold if g["doc_id"] == row["id"]):
            if (sp["start"], sp["end"]) not in bounds:
                sys.exit(f"{row['id']}: gold span {sp['start']}-{sp['end']} is not a sentence")
    with (HERE / "commentaries.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with (HERE / "gold-codings.jsonl").open("w", encoding="utf-8") as fh:
        for g in gold:
            fh.write(json.dumps(g) + "\n")
    print(f"{len(rows)} commentaries, {len({r['case_id'] for r in rows})} cases, "
          f"{len(gold)} gold codings, {len({g['code'] for g in gold})} codes used")


if __name__ == "__main__":
    main()
