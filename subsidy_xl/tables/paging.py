"""Where printed pages of an owned sheet end: the breaks tables/layout.py computes.

Exports set these breaks themselves instead of leaving them to the printer: the
page count is then known in advance (and checked), a street's rows and subtotal
print on one page where they fit, and a total never lands on a page apart from
its signatures. Pages are measured with the sheet's own column widths and row
heights at the scale fit-to-width prints at (layout.page_breaks).
"""
from __future__ import annotations

from .layout import page_count as _layout_pages
from .sheet import SheetContent


def row_breaks(sheet: SheetContent) -> list[int]:
    """Excel rows after which a page ends."""
    return list(sheet.layout().page.breaks)


def page_count(sheet: SheetContent) -> int:
    return _layout_pages(sheet.layout())
