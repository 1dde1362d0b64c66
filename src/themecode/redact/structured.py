"""Structured identifiers in commentary text: dates, case references, phone numbers, e-mail
addresses, postcodes, National Insurance numbers and street addresses, found by regexes.

Part of `themecode.redact.engine`; kept apart because these patterns are a different tool (compiled
regexes checked by small validators) from the word-level name and place rules.
"""

from __future__ import annotations

import re

from themecode.redact import lists as L

# Each pattern starts with a character class and checks the word boundary with a look-behind
# *after* the first character: a leading \b would stop Python's regex engine from skipping ahead
# to candidate characters, which made these patterns 5-6 times slower.

_MONTH = (
    r"(?:(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December)\b|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b\.?)"
)
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_ORD = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:(?:19|20)\d{2}|'\d{2})"

_DATE_RE = re.compile(
    rf"""
    (?<![\w/])(?=[\dJFMASONDTW])
    (?: (?:{_WEEKDAY},?\s+)?{_ORD}(?:\s+of)?\s+{_MONTH}(?:,?\s+{_YEAR}\b)?  # 3rd (of) March 2022
      | (?:{_WEEKDAY},?\s+)?{_MONTH}\s+{_ORD}\b(?:,?\s+{_YEAR}\b)?       # March 3rd, 2022
      | {_MONTH},?\s+(?:19|20)\d{{2}}\b                                 # March 2022
      | \d{{1,2}}[/.\-]\d{{1,2}}[/.\-](?:\d{{4}}|\d{{2}})\b             # 12/03/2022, 12.03.22
      | (?:19|20)\d{{2}}-\d{{2}}-\d{{2}}\b                              # 2022-03-12
      | (?:0?[1-9]|1[0-2])/(?:19|20)\d{{2}}\b                           # 03/2022
    )
    """,
    re.VERBOSE,
)
_NUMERIC_DATE = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")

_EMAIL_LOCAL = re.compile(r"[\w.%+'-]+$")
_EMAIL_DOMAIN = re.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_PHONE_RE = re.compile(
    r"(?:\+(?<![\w+/]\+)44[\s-]?(?:\(0\)[\s-]?)?|\((?<![\w+/]\()0|0(?<![\w+/]0))"
    r"\d{2,4}\)?(?:[\s-]?\d{2,4}){1,3}(?![\w/])"
)
_PNC_RE = re.compile(r"\d(?<!\w\d)(?:\d|\d{3})/\d{1,7}[A-Z]\b")  # 19/123456X, 2019/0123456X
_CAPWORD = r"[A-Z][a-z'’]+(?:-[A-Z][a-z]+)?"
_STREET = "|".join(L.STREET_SUFFIXES)
_STRICT_STREET = (
    "Road|Street|Avenue|Lane|Close|Drive|Crescent|Gardens|Terrace|Grove|Mews|Square|Way"
)
# Buildings: "Flat 3, Rowan House", "Room 12 Hawthorn Lodge", "Apartment 4 The Maltings"; a
# building word alone after a name ("Rowan House", "Mercer Tower"), but not "Crown Court".
_FLAT_RE = re.compile(
    rf"(?:(?<![\w])[Ff]lat|FLAT|Apartment|Apt\.?|Studio)"
    rf"\s+\d{{1,4}}[A-Za-z]?\b(?:,?\s+(?:The\s+)?(?:{_CAPWORD}\s+){{0,3}}{_CAPWORD})?"
    rf"|(?:Room|Unit|Block)\s+\d{{1,4}}[A-Za-z]?,?\s+(?:The\s+)?(?:{_CAPWORD}\s+){{0,3}}{_CAPWORD}"
)
_BUILDING_RE = re.compile(
    r"[A-Z](?<!\w[A-Z])[a-z'’]+(?:\s+[A-Z][a-z'’]+)?\s+"
    r"(?:House|Lodge|Heights|Tower|Towers|Mansions|Apartments|Cottages|Chambers|Wharf)\b"
)
_BUILDING_KEEP = frozenset({"Probation House", "Approved Premises", "Court House", "Town Hall"})
# NHS numbers: ten digits, as 3-3-4 groups (spaced or hyphened) or unbroken.
_NHS_RE = re.compile(r"\d(?<![\w/+.-]\d)\d{2}([ -]?)\d{3}\1\d{4}(?![\w/-])")
# Postcodes in lower or mixed case ("me14 2ab", "Sa2 7fj", "m141qu"); a lower-case ordinal
# ("m6 3rd") is not one.
# The scan starts at the outward code's digit (a scan from every letter cost 20 µs a text); the
# one or two letters before it are checked by `_postcode_start`.
_LOWER_POSTCODE_RE = re.compile(
    r"\d(?<![\d][\d])[A-Za-z\d]? ?\d[ABD-HJLNP-UW-Zabd-hjlnp-uw-z]{2}(?![\w-])"
)
_ORDINAL_END = re.compile(r"\d(?:st|nd|rd|th)$")
_NUMBERED_ADDRESS_RE = re.compile(  # 12 Elm Tree Close, 4a Mill Lane
    rf"\d(?<!\w\d)\d{{0,3}}[A-Za-z]?,?\s+(?:{_CAPWORD}\s+){{1,3}}(?:{_STREET})\b"
)
_STREET_RE = re.compile(  # Station Road, Brookfield Avenue
    rf"[A-Z](?<!\w[A-Z])[a-z'’]+(?:-[A-Z][a-z]+)?\s+(?:{_CAPWORD}\s+)?(?:{_STRICT_STREET})\b"
)
_LINKED_PLACE_RE = re.compile(  # Clacton-on-Sea, Burton upon Trent
    r"[A-Z](?<!\w[A-Z])[a-z]+(?:-(?:on|upon|under|super|le|in|by|next)-(?:the-)?[A-Z][a-z]+"
    r"|\ upon\ [A-Z][a-z]+)"
)
_DIGIT = re.compile(r"\d")

# Identifiers that start with a capital letter, in one scan (one scan instead of three halved the
# cost); at any position at most one of them can match. National Insurance numbers: any two
# letters (real ones never start with D, F, I, Q, U or V, but examples and test data use "QQ",
# and a mistyped number is still someone's). Postcodes: ME14 2AB, SW1A 1AA. Case references:
# CRN-like X482913 and prison numbers A1234BC.
_LETTER_IDS_RE = re.compile(
    r"[A-Z](?<!\w[A-Z])(?:"
    r"(?P<NI_NUMBER>[A-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b)"
    r"|(?P<POSTCODE>(?:[A-Z]?\d[A-Z\d]?|IR) ?\d[ABD-HJLNP-UW-Z]{2}\b)"
    r"|(?P<CASE_REF>(?:\d{6}|\d{4}[A-Z]{2})\b))"
)

_FLAT_WORDS = ("Flat", "flat ", "FLAT", "Apart", "Apt", "Studio", "Room", "Unit", "Block")
_BUILDING_WORDS = ("House", "Lodge", "Heights", "Tower", "Mansions", "Apartments", "Cottages",
                   "Chambers", "Wharf")

# (kind, pattern, needs a digit in the text, strings of which the text must contain one).
# Guards are kept only where they are cheaper than the scan they save.
_STRUCTURED: tuple[tuple[str, re.Pattern[str], bool, tuple[str, ...] | None], ...] = (
    ("", _LETTER_IDS_RE, True, None),  # kind from the named group
    ("CASE_REF", _PNC_RE, True, ("/",)),
    ("DATE", _DATE_RE, True, None),
    ("PHONE", _PHONE_RE, True, None),
    ("PLACE", _NUMBERED_ADDRESS_RE, True, None),
    ("PLACE", _STREET_RE, False, None),
    ("PLACE", _LINKED_PLACE_RE, False, None),
    ("PLACE", _FLAT_RE, True, _FLAT_WORDS),
    ("PLACE", _BUILDING_RE, False, _BUILDING_WORDS),
    ("NHS_NUMBER", _NHS_RE, True, None),
    ("POSTCODE", _LOWER_POSTCODE_RE, True, None),
)


def _valid_phone(digits: str, international: bool) -> bool:
    """UK numbers have 10 or 11 digits with the leading 0 (9 or 10 after +44)."""
    n = len(digits)
    return 9 <= n <= 10 if international else 10 <= n <= 11


def _phone_span(m: re.Match[str]) -> tuple[int, int] | None:
    """The longest prefix of a phone-like match (whole digit groups) with a valid digit count."""
    text = m.group(0)
    international = text.startswith("+44")
    groups = list(re.finditer(r"\d+", text))
    if international:
        groups = groups[1:]  # the 44
        if groups and groups[0].group(0) == "0" and text[groups[0].start() - 1] == "(":
            groups = groups[1:]  # the (0) of +44 (0)...
    for k in range(len(groups), 0, -1):
        digits = "".join(g.group(0) for g in groups[:k])
        if _valid_phone(digits, international):
            return m.start(), m.start() + groups[k - 1].end()
    return None


def _valid_numeric_date(s: str) -> bool:
    """12/03/2022-style dates must have a plausible day and month (either order)."""
    m = _NUMERIC_DATE.match(s)
    if not m:
        return True
    a, b = int(m.group(1)), int(m.group(2))
    return 1 <= a <= 31 and 1 <= b <= 31 and (a <= 12 or b <= 12)


def _postcode_start(text: str, digit: int) -> int | None:
    """Where a postcode whose outward digit is at `digit` starts: one or two ASCII letters after
    a non-word character, or None."""
    p = digit
    while p > 0 and digit - p < 2 and text[p - 1].isascii() and text[p - 1].isalpha():
        p -= 1
    if p == digit or (p > 0 and (text[p - 1].isalnum() or text[p - 1] in "_-")):
        return None
    return p


def find_structured(text: str) -> list[tuple[int, int, str]]:
    """Spans (start, end, kind) of structured identifiers and street addresses, possibly overlapping."""
    found: list[tuple[int, int, str]] = []
    has_digit = _DIGIT.search(text) is not None
    at = text.find("@")
    while at > 0:  # anchored on "@": a regex tried at every word character was the slowest step
        local = _EMAIL_LOCAL.search(text, max(0, at - 64), at)
        domain = _EMAIL_DOMAIN.match(text, at + 1)
        if local and domain:
            found.append((local.start(), domain.end(), "EMAIL"))
        at = text.find("@", at + 1)
    for kind, rx, needs_digit, needs in _STRUCTURED:
        if (needs_digit and not has_digit) or (
            needs is not None and not any(n in text for n in needs)
        ):
            continue
        for m in rx.finditer(text):
            if not kind:
                group = m.lastgroup or ""
                found.append((m.start(), m.end(), group))
                continue
            if kind == "PHONE":
                span = _phone_span(m)
                if span:
                    found.append((span[0], span[1], kind))
                continue
            if kind == "DATE" and not _valid_numeric_date(m.group(0)):
                continue
            if rx is _BUILDING_RE and m.group(0) in _BUILDING_KEEP:
                continue
            if rx is _LOWER_POSTCODE_RE:
                start = _postcode_start(text, m.start())
                if start is None:
                    continue
                code = text[start : m.end()]
                if code.isupper() or (
                    _ORDINAL_END.search(code) is not None
                    and text[max(0, start - 4) : start].lower() == "the "
                ):
                    continue  # upper case: found by the scan above; "the m6 3rd junction"
                found.append((start, m.end(), kind))
                continue
            found.append((m.start(), m.end(), kind))
    return found
