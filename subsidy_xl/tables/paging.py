"""Where printed pages of an owned sheet end.

Exports set these breaks themselves instead of leaving them to the printer: the
page count is then known in advance (and checked), and a total never lands on a
page apart from its signatures. ``ROWS_PER_PAGE`` stays well below what an A4
landscape page holds at full size, so no printer adds breaks of its own.
"""
from __future__ import annotations

from .sheet import SheetContent

ROWS_PER_PAGE = 20  # body rows under the repeated title rows


def row_breaks(sheet: SheetContent, title_rows: int, per_page: int = ROWS_PER_PAGE) -> list[int]:
    """Excel rows after which a page ends: at most ``per_page`` rows below the ``title_rows`` repeated
    on every page, and no ``keep_together`` range split unless it is longer than a page."""
    last = sheet.last_row
    block_end = {first: end for first, end in sheet.keep_together}
    breaks: list[int] = []
    used, r = 0, title_rows + 1
    while r <= last:
        size = block_end.get(r, r) - r + 1
        if used and used + size > per_page:
            breaks.append(r - 1)
            used = 0
        used += size
        r += size
    return breaks


def page_count(sheet: SheetContent, title_rows: int, per_page: int = ROWS_PER_PAGE) -> int:
    return len(row_breaks(sheet, title_rows, per_page)) + 1
