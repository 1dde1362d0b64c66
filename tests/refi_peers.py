"""`.qdpx` files shaped the way peers write them, learnt from their exporters' code:
QualCoder (`refi.py` RefiExport: categories as non-codable codes, sub-codes, coder and memo on
the `<PlainTextSelection>`, case memo and variables on named `<Case>`s with `<SourceRef>`s,
journals as `<Note plainTextPath>`, project memo as `<Description>`, source text files written
with the platform's line ends), qc (`refi_qda/writer.py`: every code codable and nested, line
selections named `line:N`, source files copied as they are, final newline included), NVivo
(`Sources/` folder, BOM, CRLF, nodes nested three deep, sets, links, annotations as notes),
and Taguette's `.qdc` (flat codes, an empty `<Sets/>`)."""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

Q = "{urn:QDA-XML:project:1.0}"
G = "{:08x}-0000-4000-8000-{:012x}"


def gid(n: int) -> str:
    """A distinct valid GUID per number."""
    return G.format(n, n)


def qdpx(path: Path, qde: str, files: dict[str, bytes]) -> Path:
    """Zip `project.qde` and source files into `path`."""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", qde)
        for name, data in files.items():
            zf.writestr(name, data)
    return path


# QualCoder on Windows: its `\n` text is written with CRLF and ends in a newline, while the
# positions count the `\n` text's code points (a CRLF is one); an astral character is one.
QC_TEXT = "Risk was not assessed.\r\nNo home visit 😀 was done.\r\nPlanning was late.\r\n"


def qualcoder(path: Path) -> Path:
    """A QualCoder-shaped project: see the module docstring."""
    t = QC_TEXT
    lf = t.replace("\r\n", "\n")
    s1, e1 = lf.index("No home"), lf.index("done.") + 5
    s2, e2 = lf.index("Planning"), lf.index("late.") + 5
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="qc study" origin="QualCoder 3.6"
 creatingUserGUID="{gid(90)}" creationDateTime="2024-05-01T10:00:00Z">
<Users><User guid="{gid(1)}" name="maria" /><User guid="{gid(2)}" name="tom" /></Users>
<CodeBook><Codes>
<Code guid="{gid(10)}" name="Delivery" isCodable="false"><Description>Category memo</Description>
 <Code guid="{gid(11)}" name="Home visits" isCodable="true" color="#FF8000"><Description>Visits at home.</Description>
  <Code guid="{gid(12)}" name="Doorstep only" isCodable="true" color="#00FF00"><Description /></Code>
 </Code>
</Code>
<Code guid="{gid(13)}" name="Planning" isCodable="true" color="#123456"><Description>Plans.</Description></Code>
</Codes></CodeBook>
<Variables>
<Variable guid="{gid(20)}" name="region" typeOfVariable="Text"><Description /></Variable>
<Variable guid="{gid(21)}" name="words" typeOfVariable="Float"><Description /></Variable>
</Variables>
<Cases>
<Case guid="{gid(30)}" name="Case A"><Description>Case memo from QualCoder</Description>
<VariableValue><VariableRef targetGUID="{gid(20)}" /><TextValue>North</TextValue></VariableValue>
<SourceRef targetGUID="{gid(40)}"/>
<SourceRef targetGUID="{gid(99)}"/>
</Case>
</Cases>
<Sources>
<TextSource guid="{gid(40)}" name="interview1.txt" plainTextPath="internal://{gid(40)}.txt"
 creatingUser="{gid(1)}" creationDateTime="2024-05-01T10:00:00Z">
<Description>Source memo</Description>
<PlainTextSelection guid="{gid(41)}" name="No home visit" startPosition="{s1}" endPosition="{e1}"
 creatingUser="{gid(1)}" creationDateTime="2024-05-02T10:00:00Z">
<Description>coding memo by maria</Description>
<Coding guid="{gid(42)}" creatingUser="{gid(1)}"><CodeRef targetGUID="{gid(12)}"/></Coding>
<Coding guid="{gid(43)}" creatingUser="{gid(1)}"><CodeRef targetGUID="{gid(11)}"/></Coding>
</PlainTextSelection>
<PlainTextSelection guid="{gid(44)}" name="No home visit" startPosition="{s1}" endPosition="{e1}"
 creatingUser="{gid(2)}" creationDateTime="2024-05-02T10:00:00Z">
<Description />
<Coding guid="{gid(45)}" creatingUser="{gid(2)}"><CodeRef targetGUID="{gid(12)}"/></Coding>
</PlainTextSelection>
<PlainTextSelection guid="{gid(46)}" name="Planning" startPosition="{s2}" endPosition="{e2}"
 creatingUser="{gid(2)}" creationDateTime="2024-05-02T10:00:00Z">
<Coding guid="{gid(47)}" creatingUser="{gid(2)}"><CodeRef targetGUID="{gid(13)}"/></Coding>
<Coding guid="{gid(48)}" creatingUser="{gid(2)}"><CodeRef targetGUID="{gid(10)}"/></Coding>
</PlainTextSelection>
<VariableValue><VariableRef targetGUID="{gid(21)}" /><FloatValue>12</FloatValue></VariableValue>
</TextSource>
<PictureSource guid="{gid(50)}" name="photo.png" path="internal://{gid(50)}.png">
<PictureSelection guid="{gid(51)}" firstX="1" firstY="1" secondX="5" secondY="5">
<Coding guid="{gid(52)}"><CodeRef targetGUID="{gid(13)}"/></Coding></PictureSelection>
</PictureSource>
</Sources>
<Notes>
<Note guid="{gid(60)}" creatingUser="{gid(1)}" creationDateTime="2024-05-03T10:00:00Z"
 name="Week 1 journal" plainTextPath="internal://{gid(60)}.txt"><Description /></Note>
</Notes>
<Description>Project memo from QualCoder</Description>
</Project>
"""
    return qdpx(path, qde, {f"sources/{gid(40)}.txt": t.encode("utf-8"),
                            f"sources/{gid(50)}.png": b"\x89PNG",
                            f"sources/{gid(60)}.txt": b"Journal entry text.\n"})


QCLI_TEXT = "first line about risk\nsecond line about plans\n"


def qc(path: Path) -> Path:
    """A qc-shaped project: every code codable, nested; line selections; a final newline."""
    lines = QCLI_TEXT.splitlines(keepends=True)
    pos, spans = 0, []
    for ln in lines:
        spans.append((pos, pos + len(ln)))
        pos += len(ln)
    qde = f"""<Project xmlns="urn:QDA-XML:project:1.0" origin="qc 1.5" name="qc project">
<Users><User name="chris" guid="{gid(1)}" /></Users>
<CodeBook><Codes>
<Code name="risk" guid="{gid(10)}" isCodable="true">
 <Code name="missed" guid="{gid(11)}" isCodable="true" /></Code>
<Code name="plans" guid="{gid(12)}" isCodable="true" />
</Codes></CodeBook>
<Sources><TextSource plainTextPath="internal://{gid(40)}.txt" guid="{gid(40)}" name="notes.txt">
<PlainTextSelection guid="{gid(41)}" name="line:0" startPosition="{spans[0][0]}" endPosition="{spans[0][1]}">
<Coding guid="{gid(42)}" creatingUser="{gid(1)}"><CodeRef targetGUID="{gid(10)}" /></Coding>
<Coding guid="{gid(43)}" creatingUser="{gid(1)}"><CodeRef targetGUID="{gid(11)}" /></Coding>
</PlainTextSelection>
<PlainTextSelection guid="{gid(44)}" name="line:1" startPosition="{spans[1][0]}" endPosition="{spans[1][1]}">
<Coding guid="{gid(45)}" creatingUser="{gid(1)}"><CodeRef targetGUID="{gid(12)}" /></Coding>
</PlainTextSelection>
</TextSource></Sources></Project>"""
    return qdpx(path, qde, {f"sources/{gid(40)}.txt": QCLI_TEXT.encode("utf-8")})


NV_TEXT = "Officer assessed risk.\r\nVictim safety not planned.\r\n"


def nvivo(path: Path) -> Path:
    """An NVivo-shaped project: `Sources/`, a BOM, CRLF, deep nodes, a set, a link, an
    annotation note, a case without a name holding a source's values, and a case node (a
    case that is also a code, coding its source)."""
    t = NV_TEXT
    s, e = t.index("Victim"), t.index("planned") + 7
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="nv" origin="NVivo 14">
<Users><User guid="{gid(1)}" name="Ana" /></Users>
<CodeBook><Codes>
<Code guid="{gid(10)}" name="Safety" isCodable="true">
 <Code guid="{gid(11)}" name="Victims" isCodable="true">
  <Code guid="{gid(12)}" name="Not planned" isCodable="true" /></Code></Code>
<Code guid="{gid(32)}" name="Cases" isCodable="false">
 <Code guid="{gid(31)}" name="Ana K" isCodable="true" /></Code>
</Codes></CodeBook>
<Variables><Variable guid="{gid(20)}" name="Gender" typeOfVariable="Text" /></Variables>
<Cases>
<Case guid="{gid(30)}"><VariableValue><VariableRef targetGUID="{gid(20)}" /><TextValue /></VariableValue>
<SourceRef targetGUID="{gid(40)}" /></Case>
<Case guid="{gid(31)}" name="Ana K"><Description>Case node memo</Description></Case>
</Cases>
<Sources><TextSource guid="{gid(40)}" name="Interview 2" plainTextPath="internal://{gid(40)}.txt">
<PlainTextSelection guid="{gid(41)}" startPosition="{s}" endPosition="{e}" creatingUser="{gid(1)}">
<Coding guid="{gid(42)}" creatingUser="{gid(1)}"><CodeRef targetGUID="{gid(12)}" /></Coding>
<Coding guid="{gid(43)}" creatingUser="{gid(1)}"><CodeRef targetGUID="{gid(10)}" /></Coding>
</PlainTextSelection>
<PlainTextSelection guid="{gid(44)}" startPosition="0" endPosition="{len(t)}">
<Coding guid="{gid(45)}" creatingUser="{gid(1)}"><CodeRef targetGUID="{gid(31)}" /></Coding>
</PlainTextSelection>
<NoteRef targetGUID="{gid(60)}" />
</TextSource></Sources>
<Notes><Note guid="{gid(60)}" creatingUser="{gid(1)}">
<PlainTextContent>Check this with the SPO</PlainTextContent>
<PlainTextSelection guid="{gid(61)}" startPosition="0" endPosition="7" /></Note></Notes>
<Links><Link guid="{gid(70)}" originGUID="{gid(41)}" targetGUID="{gid(60)}" /></Links>
<Sets><Set guid="{gid(80)}" name="Women"><MemberSource targetGUID="{gid(40)}" /></Set></Sets>
</Project>"""
    return qdpx(path, qde, {f"Sources/{gid(40)}.txt": b"\xef\xbb\xbf" + t.encode("utf-8")})


TAGUETTE_QDC = f"""<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="Taguette 1.4.1"><Codes>
<Code guid="{gid(1).upper()}" name="interesting" isCodable="true"></Code>
<Code guid="{gid(2).upper()}" name="people.staff" isCodable="true"></Code>
</Codes><Sets></Sets></CodeBook>"""


def read_like_qualcoder(path: Path) -> dict[str, object]:
    """What QualCoder's `RefiImport` keeps of a `.qdpx`: codings keyed by (code name, source,
    span, the selection's creatingUser), with the selection's Description as memo; memos of
    sources, cases and the project from their Descriptions; each variable typed as case or
    file attribute by where its values are."""
    with zipfile.ZipFile(path) as zf:
        root = ET.fromstring(zf.read("project.qde"))
    users = {u.get("guid"): u.get("name") for u in root.iter(f"{Q}User")}
    codes = {c.get("guid"): c.get("name") for c in root.iter(f"{Q}Code")}
    codings: dict[tuple[str, str, int, int, str], str] = {}
    memos: dict[str, str] = {}
    for src in root.iter(f"{Q}TextSource"):
        if src.find(f"{Q}Description") is not None:
            memos[f"document:{src.get('name')}"] = src.find(f"{Q}Description").text
        for sel in src.findall(f"{Q}PlainTextSelection"):
            d = sel.find(f"{Q}Description")
            for cod in sel.findall(f"{Q}Coding"):
                key = (codes[cod.find(f"{Q}CodeRef").get("targetGUID")], src.get("name"),
                       int(sel.get("startPosition")), int(sel.get("endPosition")),
                       users[sel.get("creatingUser")])
                codings.setdefault(key, d.text if d is not None else "")
    for case in root.iter(f"{Q}Case"):
        if case.find(f"{Q}Description") is not None:
            memos[f"case:{case.get('name')}"] = case.find(f"{Q}Description").text
    variables = {v.get("guid"): v.get("name") for v in root.iter(f"{Q}Variable")}
    where: dict[str, set[str]] = {}
    for kind, tag in (("case", "Case"), ("file", "TextSource")):
        for el in root.iter(f"{Q}{tag}"):
            for vv in el.findall(f"{Q}VariableValue"):
                name = variables[vv.find(f"{Q}VariableRef").get("targetGUID")]
                where.setdefault(name, set()).add(kind)
    return {"codings": codings, "memos": memos, "where": where,
            "project": root.find(f"{Q}Description").text,
            "descriptions": [d.text or "" for d in root.iter(f"{Q}Description")]}


def case_links_like_qualcoder(path: Path) -> dict[str, set[str]]:
    """{case name: source names} as QualCoder's importer links them: only through codes that
    share a named case's GUID (its `clean_up_case_codes_and_case_text`); a `<SourceRef>` in a
    named case is not read."""
    with zipfile.ZipFile(path) as zf:
        root = ET.fromstring(zf.read("project.qde"))
    cases = {c.get("guid"): c.get("name") for c in root.iter(f"{Q}Case") if c.get("name")}
    codes = {c.get("guid") for c in root.iter(f"{Q}Code")}
    out: dict[str, set[str]] = {}
    for src in root.iter(f"{Q}TextSource"):
        for ref in src.iter(f"{Q}CodeRef"):
            g = ref.get("targetGUID")
            if g in cases and g in codes:
                out.setdefault(cases[g], set()).add(src.get("name"))
    return out
