"""The page set-up of the DOCX chapter: A4 with 25 mm margins, British English proofing, a header
naming the project, a footer with "Page N of M", and document properties that say what the file is
(title, subject, author, dates) instead of python-docx's template values."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

LANGUAGE = "en-GB"


def set_up(doc: Any, *, title: str, subject: str, header: str, created: str,
           comments: str = "") -> None:
    """Page size, language, header, footer and properties of `doc` (a python-docx Document)."""
    from docx.shared import Mm

    for section in doc.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(25)
        section.top_margin = section.bottom_margin = Mm(25)
        section.header_distance = section.footer_distance = Mm(12)
        _header(section, header)
        _footer(section)
    _language(doc)
    _properties(doc, title=title, subject=subject, created=created, comments=comments)


def _language(doc: Any) -> None:
    """Proofing language of the document defaults and every style: British English."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    r_default = defaults.find(qn("w:rPrDefault"))
    if r_default is None:
        r_default = OxmlElement("w:rPrDefault")
        defaults.insert(0, r_default)
    rpr = r_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        r_default.append(rpr)
    for holder in [rpr, *(s.find(qn("w:rPr")) for s in styles.findall(qn("w:style")))]:
        if holder is None:
            continue
        lang = holder.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            holder.append(lang)
        lang.set(qn("w:val"), LANGUAGE)
        lang.set(qn("w:eastAsia"), LANGUAGE)


def _field(paragraph: Any, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) in `paragraph`, shown as 1 until the viewer updates it."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = paragraph.add_run()
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None),
                       ("text", "1"), ("end", None)):
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {text} "
        elif kind == "text":
            el = OxmlElement("w:t")
            el.text = text
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        run._r.append(el)


def _header(section: Any, text: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    p = section.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = p.add_run(text)
    run.font.size = Pt(9)
    run.font.color.rgb = RGBColor(0x57, 0x60, 0x6A)


def _footer(section: Any) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run("Page ")
    _field(p, "PAGE")
    p.add_run(" of ")
    _field(p, "NUMPAGES")


def _properties(doc: Any, *, title: str, subject: str, created: str, comments: str) -> None:
    props = doc.core_properties
    try:
        when = datetime.fromisoformat(created.replace("Z", "+00:00"))
    except ValueError:
        when = datetime.now(UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    props.title = title
    props.subject = subject
    props.author = "themecode"
    props.last_modified_by = "themecode"
    props.created = props.modified = when
    props.revision = 1
    props.language = LANGUAGE
    props.keywords = "probation; thematic analysis; themecode"
    props.comments = comments
    props.category = "Draft report chapter"
