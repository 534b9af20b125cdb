"""Small new workbooks built from SheetContent (openpyxl is fine: the files are new and ours).

Exports print these, not the user's workbook: they hold exactly the sheets to
print, computed for the requested quarter, with page breaks the package's
manifest can count on.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from ..tables.paging import page_count, row_breaks
from ..tables.sheet import SheetContent
from ..template import print_setup, styled_workbook, write_content


@dataclass
class Printable:
    content: SheetContent
    title: str  # sheet name in the new workbook
    title_rows: int  # rows repeated on every printed page
    widths: Sequence[float] = field(default_factory=tuple)

    @property
    def pages(self) -> int:
        return page_count(self.content, self.title_rows)


def write_workbook(path: Path, sheets: Sequence[Printable]) -> Path:
    wb = styled_workbook()
    for sheet in sheets:
        ws = wb.create_sheet(sheet.title)
        write_content(ws, sheet.content, sheet.widths)
        ws.freeze_panes = f"A{sheet.title_rows + 1}"
        print_setup(ws, sheet.title_rows, row_breaks(sheet.content, sheet.title_rows))
    wb.save(path)
    return path
