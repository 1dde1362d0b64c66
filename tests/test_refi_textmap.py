"""A REFI source's text normalised with an exact map of its offsets."""

from __future__ import annotations

from themecode.corpus.importer import normalise_text
from themecode.refi.textmap import map_text


def test_crlf_final_newline_and_astral_character_map_exactly() -> None:
    raw = "\ufeff  Risk 😀 seen.\r\nNo plan.\r\nLate review.\r\n"
    m = map_text(raw)
    assert m is not None and m.text == normalise_text(raw.lstrip("\ufeff"))
    body = raw[1:]  # positions are counted after the BOM
    for word in ("Risk", "😀", "No plan.", "Late review."):
        s = body.index(word)
        span = m.span(s, s + len(word))
        assert span is not None and m.text[span[0]:span[1]] == word
    # A span ending on the final CRLF ends at the end of the stored text.
    s = body.index("Late")
    assert m.span(s, len(body)) == (m.text.index("Late"), len(m.text))
    # White space that normalisation removes cannot be coded on its own.
    assert m.span(len(body) - 2, len(body)) is None and m.span(0, 2) is None


def test_crlf_counted_as_one_and_combining_marks() -> None:
    raw = "Cafe\u0301 visit.\r\nSecond line."
    m = map_text(raw, crlf_counts_one=True)
    assert m is not None and m.text == "Café visit.\nSecond line."
    lf = raw.replace("\r\n", "\n")
    s = lf.index("Second")
    assert m.span(s, s + 6) == (m.text.index("Second"), m.text.index("Second") + 6)
    # The decomposed é (two code points) maps onto one.
    assert m.span(0, 5) == (0, 4)
    assert m.span(0, 99) is None  # outside the text
