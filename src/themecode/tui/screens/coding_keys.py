"""The coding screen's key bindings: one `Binding` per action, each with an id for keys.toml.

The actions they name are the `action_*` methods of `CodingScreen` (screens/coding.py).
Letters are not bound here: a letter applies the code with that shortcut (capital: the whole
commentary), unless keys.toml remaps a binding onto it.
"""

from __future__ import annotations

from textual.binding import Binding

__all__ = ["CODING_BINDINGS"]

CODING_BINDINGS: list[Binding] = [
    Binding("question_mark", "help", "Help", id="help"),
    Binding("down", "move(1)", "Next sentence", show=False, id="sentence_next"),
    Binding("up", "move(-1)", "Previous sentence", show=False, id="sentence_prev"),
    Binding("shift+down", "extend(1)", "Extend selection down", show=False, id="extend_down"),
    Binding("shift+up", "extend(-1)", "Extend selection up", show=False, id="extend_up"),
    Binding("ctrl+left", "refine('start_earlier')", "Start one word earlier", show=False,
            id="start_earlier"),
    Binding("ctrl+right", "refine('start_later')", "Start one word later", show=False,
            id="start_later"),
    Binding("shift+left", "refine('end_earlier')", "End one word earlier", show=False,
            id="end_earlier"),
    Binding("shift+right", "refine('end_later')", "End one word later", show=False,
            id="end_later"),
    Binding("ctrl+a", "select_all", "Select whole commentary", show=False, id="select_all"),
    Binding("right", "doc(1)", "Next commentary", show=False, id="next_commentary"),
    Binding("left", "doc(-1)", "Previous commentary", show=False, id="prev_commentary"),
    Binding("right_square_bracket", "case(1)", "Next case", show=False, id="next_case"),
    Binding("left_square_bracket", "case(-1)", "Previous case", show=False, id="prev_case"),
    Binding("enter", "pick_code", "Code…", id="pick_code"),
    Binding("delete,backspace", "uncode", "Remove code", show=False, id="uncode"),
    Binding("plus", "new_code", "New code", id="new_code"),
    Binding("equals_sign", "accept_suggestion", "Accept", id="accept_suggestion",
            tooltip="Apply the highlighted (or top) suggestion to the selection"),
    *[Binding(str(n), f"accept_nth({n})", f"Accept suggestion {n}", show=False, id=f"accept_{n}")
      for n in range(1, 6)],
    Binding("asterisk", "accept_commentary", "Apply commentary suggestions", show=False,
            id="accept_commentary"),
    Binding("ctrl+z", "undo", "Undo", id="undo"),
    Binding("ctrl+y", "redo", "Redo", id="redo"),
    Binding("ctrl+d", "done_commentary", "Commentary done", id="done_commentary"),
    Binding("ctrl+e", "done_case", "Case done", id="done_case"),
    Binding("ctrl+s", "skip_case", "Skip case", show=False, id="skip_case"),
    Binding("ctrl+f", "flag_case", "Flag case", show=False, id="flag_case"),
    Binding("ctrl+n", "memo('document')", "Memo", id="memo_commentary"),
    Binding("ctrl+k", "memo('case')", "Case memo", show=False, id="memo_case"),
    Binding("ctrl+l", "memo('code')", "Code memo", show=False, id="memo_code"),
    Binding("ctrl+g", "goto_case", "Go to case", show=False, id="goto_case"),
    Binding("slash", "search", "Search", id="search"),
    Binding("ctrl+o", "toggle_others", "Show others' codings", show=False, id="toggle_others"),
    Binding("ctrl+t", "saturation", "Saturation", id="saturation"),
    Binding("ctrl+w", "toggle_panels", "Panels", id="toggle_panels"),
    Binding("tab", "focus_next_panel", "Next panel", show=False, id="focus_next"),
    Binding("escape", "focus_text", "Back to text", show=False, id="focus_text"),
]
