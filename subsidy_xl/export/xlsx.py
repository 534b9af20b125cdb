"""Small new workbooks built from SheetContent (openpyxl is fine: the files are new and ours).

Exports print these, not the user's workbook: they hold exactly the sheets to
print, computed for the requested quarter, laid out by tables/layout.py (the same
widths, heights, breaks and page as a refreshed workbook), so the manifest's page
counts are the layout's.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Sequence

from ..tables.layout import Layout, page_count
from ..tables.sheet import SheetContent
from ..template import styled_workbook, write_content


@dataclass
class Printable:
    content: SheetContent
    title: str  # sheet name in the new workbook
    title_rows: int | None = None  # rows repeated on every printed page (default: the content's header_row)
    widths: Sequence[float] = field(default_factory=tuple)  # fixed widths; default: measured from the content

    def __post_init__(self) -> None:
        if self.title_rows and not self.content.header_row:
            self.content.header_row = self.title_rows
        if self.widths and not self.content.columns:
            from ..tables.layout import ColumnSpec
            self.content.columns = [ColumnSpec(min_width=w) for w in self.widths]

    @cached_property
    def layout(self) -> Layout:
        return self.content.layout()

    @property
    def pages(self) -> int:
        return page_count(self.layout)


def write_workbook(path: Path, sheets: Sequence[Printable]) -> Path:
    wb = styled_workbook()
    for sheet in sheets:
        ws = wb.create_sheet(sheet.title)
        write_content(ws, sheet.content, sheet.layout)
        if sheet.content.header_row:
            ws.freeze_panes = f"A{sheet.content.header_row + 1}"
    wb.save(path)
    return path
