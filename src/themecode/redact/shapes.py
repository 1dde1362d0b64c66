"""Name shapes the word rules alone miss: names written in capitals, surname particles and
CamelCase system names, for both token engines of `themecode.redact.engine`.

* `shadow_capitals` gives a copy of the text, of the same length, in which capitals that read as a
  name ("JOHN SMITH", "Mrs OKONKWO", "Siobhan SZYMANSKI") are written in title case, so that the
  token pass judges them as it judges "John Smith"; sector acronyms (MAPPA, CAMHS, ...) and
  runs of them stay as they are. Offsets are unchanged, so spans found on the copy apply to the
  original text.
* `extend_particles` widens a found name over lower-case surname particles on either side:
  "Oksana ter Haar", "Frank von Essen", "Anwar al-Hassan".
* `camel_case_system` tells CamelCase product names ("LiquidLogic", "SystmOne") from names with
  an inner capital ("McAllister", "DeShawn").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from themecode.redact import lists as L

_UP = "A-ZÀ-ÖØ-Þ"
_CAPS_WORD = re.compile(rf"[{_UP}](?<![\w'’][{_UP}])[{_UP}'’]*[{_UP}](?![\w'’])")
_VOWELS = frozenset("AEIOUYÀÁÂÄÉÈÊËÍÏÓÔÖÚÜ")
_TITLE_JUST_BEFORE = re.compile(
    r"(?<!\w)(?:" + "|".join(re.escape(t) for t in sorted(L.TITLES, key=len, reverse=True))
    + r")\.?[ \t]+$"
)
_TITLE_CASE_WORD = re.compile(rf"[{_UP}][a-zß-öø-ÿ]+")
_CAMEL = re.compile(rf"^[{_UP}]?[a-zß-öø-ÿ]+[{_UP}]")
_NAME_INNER_CAPITAL = re.compile(r"^(?:Mc|Mac|Fitz|De|Di|Da|Du|La|Le|Van|Von|St)[A-Z][a-z]")
_PARTICLE_SET = frozenset(L.NAME_PARTICLES)
_PARTICLES = "|".join(sorted(L.NAME_PARTICLES, key=len, reverse=True))
_PARTICLES_AFTER = re.compile(
    rf"(?:[ \t]+(?:{_PARTICLES})\b)+(?:[ \t]+|-)[{_UP}][\w'’]*(?:-[{_UP}][\w'’]*)?"
    rf"|[ \t]+(?:al|el)-[{_UP}][\w'’]*"
)
_PARTICLES_BEFORE = re.compile(
    rf"[{_UP}][a-zß-öø-ÿ'’]+(?:[ \t]+(?:{_PARTICLES}))+[ \t]+$"
)


def camel_case_system(word: str) -> bool:
    """True for a CamelCase product name ("LiquidLogic", "CareFirst"), not a name ("McAllister")."""
    return _CAMEL.match(word) is not None and _NAME_INNER_CAPITAL.match(word) is None


def _title(word: str) -> str:
    """JOHN -> John, O'BRIEN -> O'Brien (same length)."""
    out = [word[0]]
    for i in range(1, len(word)):
        out.append(word[i] if word[i - 1] in "'’" else word[i].lower())
    return "".join(out)


def shadow_capitals(
    text: str, keep_upper: frozenset[str], is_name: Callable[[str], bool],
    is_english: Callable[[str], bool],
) -> str:
    """`text` with name-like words in capitals written in title case (same length).

    A run of two or more capitalised words that are not acronyms is a name shape ("JOHN SMITH",
    "ASHCOMBE-FAIRBAIRN", "PIETER VAN DER BERG"); one word alone is when a title comes before it,
    a capitalised word stands beside it ("Siobhan SZYMANSKI"), it is a listed name, or it is a
    long word in no English vocabulary with the vowels of a word ("OKONKWO").
    """
    words = [m for m in _CAPS_WORD.finditer(text)]
    if not words:
        return text
    particle = [m.group(0).lower() in _PARTICLE_SET for m in words]
    ok = [
        (particle[i] or m.group(0) not in keep_upper) and any(c in _VOWELS for c in m.group(0))
        for i, m in enumerate(words)
    ]
    runs: list[list[int]] = []
    for i, m in enumerate(words):
        if not ok[i]:
            continue
        if runs and runs[-1][-1] == i - 1 and text[words[i - 1].end() : m.start()] in (" ", "-"):
            runs[-1].append(i)
        else:
            runs.append([i])
    chars = list(text)
    changed = False
    for run in runs:
        if all(particle[i] for i in run):
            continue
        if len(run) == 1:
            m = words[run[0]]
            w, s, e = m.group(0), m.start(), m.end()
            t = _title(w)
            beside = (
                _TITLE_CASE_WORD.fullmatch(_word_before(text, s)) is not None
                or _TITLE_CASE_WORD.match(text, e + 1) is not None and text[e : e + 1] == " "
            )
            vowels = sum(c in _VOWELS for c in w)
            alone_name = (
                (len(w) >= 3 and is_name(t))
                or (len(w) >= 5 and not is_english(t) and vowels / len(w) >= 0.25)
            )
            if not (
                _TITLE_JUST_BEFORE.search(text, max(0, s - 12), s) is not None
                or (beside and len(w) >= 3)
                or alone_name
            ):
                continue
        for i in run:
            m = words[i]
            chars[m.start() : m.end()] = _title(m.group(0))
            changed = True
    return "".join(chars) if changed else text


def _word_before(text: str, s: int) -> str:
    """The word just before offset `s` when a single space separates them, else ""."""
    if s < 2 or text[s - 1] != " ":
        return ""
    q = s - 1
    while q > 0 and (text[q - 1].isalpha() or text[q - 1] in "'’"):
        q -= 1
    return text[q : s - 1]


def extend_particles(
    text: str, cands: Iterable[tuple[int, int, str, int]]
) -> list[tuple[int, int, str, int]]:
    """NAME candidates widened over surname particles: "ter Haar" after a name, "Frank von"
    before one, "al-Hassan" after one."""
    out = []
    for s, e, kind, prio in cands:
        if kind == "NAME":
            after = _PARTICLES_AFTER.match(text, e)
            if after is not None:
                e = after.end()
            before = _PARTICLES_BEFORE.search(text, max(0, s - 40), s)
            if before is not None:
                s = before.start()
        out.append((s, e, kind, prio))
    return out
