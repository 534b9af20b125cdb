"""What a use case produces and how it runs: the plan of a change to a workbook, the change-log row, and
the pause of the cyclic collector during bulk work.

Below every feature and every adapter: the use cases (refresh.py, performance/usecases.py,
streets/usecases.py) build ``WritePlan``s; the file adapter (io/update.py) and the live adapter
(excel/adapter.py) apply them.
"""
from __future__ import annotations

import datetime as _dt
import gc
import getpass
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable

from . import __version__
from .tables.sheet import SheetContent

Progress = Callable[[str], None]
Patch = dict[int, dict[int, tuple[object, str | None]]]  # Excel row -> 0-based col -> (value, style name)


def quiet(_msg: str) -> None:
    """The progress callback that says nothing."""


@contextmanager
def bulk_work():
    """Pause Python's cyclic garbage collector while a use case reads a workbook and builds its rows.

    A 100,000-row roster becomes millions of small objects (cells, records, sheet rows) that hold no
    reference cycles, so the collector finds nothing to free in them; yet as they accumulate it walks all
    of them again and again, which took a third of the time of a refresh at that size. Reference counting
    still frees everything as usual; the previous setting is restored on the way out, and the collector
    then runs on its own schedule.

    What is still alive then (the records and people a use case returns) is handed to the collector's
    oldest generation, as if it had lived through the young collections it missed (gc.freeze moves every
    object to the permanent generation, gc.unfreeze moves them on into the oldest one): otherwise the first
    young collection after the pause walks all of it at once.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


@dataclass
class WritePlan:
    sheets: list[SheetContent] = field(default_factory=list)
    patches: dict[str, Patch] = field(default_factory=dict)  # sheet -> cells the tool owns in a user sheet
    table_rows: dict[str, int] = field(default_factory=dict)  # table -> Excel row it must reach (rows appended)
    # sheet -> (Excel row, count): empty rows inserted there before the patches (new people above a total row)
    inserted_rows: dict[str, tuple[int, int]] = field(default_factory=dict)


def changelog_entry(action: str, scope: str, result: str) -> list[object]:
    now = _dt.datetime.now().replace(microsecond=0)
    try:
        user = getpass.getuser()
    except Exception:  # no login name (service accounts): the log still gets its row
        user = ""
    return [now.strftime("%Y-%m-%d %H:%M:%S"), action, scope, result, user, __version__]
