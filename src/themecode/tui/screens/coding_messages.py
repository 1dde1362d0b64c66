"""Messages the coding screen's background workers post (`coding_background`,
`coding_ahead`): every one but `SampleCounted` is a `BackgroundMessage`, which the screen hands
to `BackgroundWork.receive` with one handler."""

from __future__ import annotations

from typing import Any

from textual.message import Message

Key = tuple[str, int, int]  # (commentary id, start, end) of a selection


class BackgroundMessage(Message):
    """A result (or failure) of the suggester or saturation workers."""


class SuggesterReady(BackgroundMessage):
    """A suggester was loaded or refitted."""

    def __init__(self, suggester: Any, info: dict[str, Any], *, refit: bool = False) -> None:
        super().__init__()
        self.suggester = suggester
        self.info = info
        self.refit = refit  # no usable stored model: fit one in the background


class SuggesterUnavailable(BackgroundMessage):
    """No suggester can be used (module missing or failing): say so, plainly."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


class SuggesterFailed(BackgroundMessage):
    """Refitting or asking the suggester failed: the last working one is kept, the error shown."""

    def __init__(self, what: str, error: str) -> None:
        super().__init__()
        self.what = what  # "refit" or "suggestions"
        self.error = error  # "ExceptionType: message", whole


class SuggestionsReady(BackgroundMessage):
    """Suggestions computed for a selection (`key` = document, start, end)."""

    def __init__(
        self, key: tuple[str, int, int], items: list[Any], doc_items: list[Any] | None,
        log_ids: list[int],
    ) -> None:
        super().__init__()
        self.key = key
        self.items = items
        self.doc_items = doc_items
        self.log_ids = log_ids


class SaturationReady(BackgroundMessage):
    """Saturation figures recomputed (`data` = SaturationResult.to_dict()) or a reason why not."""

    def __init__(self, data: dict[str, Any] | None, message: str = "") -> None:
        super().__init__()
        self.data = data
        self.message = message


class AheadReady(BackgroundMessage):
    """Suggestions for one commentary's sentences (`entries`) and for the whole of it."""

    def __init__(self, suggester: Any, doc_id: str, entries: dict[Key, list[Any]],
                 doc_items: list[Any], case_id: str | None = None) -> None:
        super().__init__()
        self.suggester = suggester
        self.doc_id = doc_id
        self.case_id = case_id  # set for the next case's first commentary
        self.entries = entries
        self.doc_items = doc_items


class SuggestionsLogged(BackgroundMessage):
    """Suggestions shown from the cache were written to the suggestion log (`log_ids`)."""

    def __init__(self, key: Key, log_ids: list[int]) -> None:
        super().__init__()
        self.key = key
        self.log_ids = log_ids


class SampleCounted(Message):
    """The sample's commentaries and its cases' metadata fields were counted."""

    def __init__(self, docs_total: int, meta_keys: int) -> None:
        super().__init__()
        self.docs_total = docs_total
        self.meta_keys = meta_keys
