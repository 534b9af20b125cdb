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

from ..tables.layout import ColumnSpec, Layout, page_count
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
            self.content.columns = [ColumnSpec(min_width=w) for w in self.widths]

    @cached_property
    def parts(self) -> list[tuple[str, SheetContent, Layout]]:
        """(sheet name, content, layout) of each printed part: a block below the signed form (the people not
        paid, with their own header) becomes a sheet of its own, so its pages repeat its header, not the
        payment table's."""
        c = self.content
        if not (c.print_end and c.print_end < c.last_row):
            return [(self.title, c, c.layout())]
        head = SheetContent(c.name, width=c.width, columns=list(c.columns), page=c.page, header_row=c.header_row,
                            footer=c.footer, groups=list(c.groups), keep_together=[k for k in c.keep_together
                                                                                  if k[1] <= c.print_end])
        head.lines = [line for line in c.lines if line[0] <= c.print_end]
        head.merges = [m for m in c.merges if int("".join(filter(str.isdigit, m.split(":")[0]))) <= c.print_end]
        start = next((r for r in c.new_page_before if r > c.print_end), c.print_end + 1)
        head_layout = head.layout()
        tail = c.split_at(start)
        tail.header_row = 2  # the block's title and its header
        # The payment table's widths: the blocks below place their values under its columns (reasons span
        # several of them), as on the workbook's sheet.
        tail.columns = [ColumnSpec(width=w) for w in head_layout.widths]
        rest = f"{self.title}（未发放）"
        return [(self.title, head, head_layout), (rest, tail, tail.layout())]

    @property
    def layout(self) -> Layout:
        return self.parts[0][2]

    @property
    def pages(self) -> int:
        return sum(page_count(layout) for _t, _c, layout in self.parts)


def write_workbook(path: Path, sheets: Sequence[Printable]) -> Path:
    wb = styled_workbook()
    for sheet in sheets:
        for title, content, layout in sheet.parts:
            ws = wb.create_sheet(title)
            write_content(ws, content, layout)
            if content.header_row:
                ws.freeze_panes = f"A{content.header_row + 1}"
    wb.save(path)
    return path
