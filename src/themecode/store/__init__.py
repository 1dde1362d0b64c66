"""The project database: `Store` (open, migrate, read, write), its user actions with events and
undo, the plain records it holds and the schema migrations. Imports nothing of themecode but
`errors`; every other package may import it.

`from themecode.store import Store, Code, now` is the public face; the modules are `database`
(Store), `actions` (user actions as events), `records` (dataclasses), `migrations`, `versions`
(codebook versions) and `outputs` (writing any output beside the project safely: never onto the
project, its WAL or backups, atomically, owner-only).
"""

from themecode.store.database import APP_ID, Store
from themecode.store.records import (
    STAGE_ORDER,
    UNDOABLE,
    Case,
    Code,
    Coding,
    Document,
    Event,
    Memo,
    SampleRow,
    SentenceSpan,
    now,
)

__all__ = [
    "APP_ID", "STAGE_ORDER", "UNDOABLE", "Case", "Code", "Coding", "Document", "Event", "Memo",
    "SampleRow", "SentenceSpan", "Store", "now",
]
