"""SheetContent: the rows an owned sheet is rewritten with, independent of how
they are written (headless package writer or live xlwings range writes)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from ..cells import Cell, Line, a1, line_styles
from .layout import ColumnSpec, Layout, PageLayout, footer_text, lay_out


def line_cells(line: Line) -> list[Cell]:
    """The (column, value, style) cells of one line."""
    _row, first, values, styles = line
    return list(zip(range(first, first + len(values)), values, line_styles(styles, len(values))))


@dataclass
class SheetContent:
    name: str
    lines: list[Line] = field(default_factory=list)  # ascending Excel rows
    merges: list[str] = field(default_factory=list)
    width: int = 0  # number of columns used
    keep_together: list[tuple[int, int]] = field(default_factory=list)  # (first, last) Excel rows printed on one page
    # Print layout (tables/layout.py): per-column specs, the page, and what breaks pages.
    columns: list["ColumnSpec | None"] = field(default_factory=list)
    page: "PageLayout | None" = None
    header_row: int = 0  # last of the rows repeated on every printed page (0: none)
    groups: list[tuple[int, int]] = field(default_factory=list)  # (first, last): a group and its subtotal
    new_page_before: list[int] = field(default_factory=list)  # rows that start a printed page
    print_end: int = 0  # last printed row (0: the last row); rows below print from exports only
    footer: str | None = None  # page footer (layout.footer_text); None: the page's own

    @property
    def last_row(self) -> int:
        """The last Excel row used (0 when empty)."""
        return self.lines[-1][0] if self.lines else 0

    @property
    def next_row(self) -> int:
        return self.last_row + 1

    @property
    def rows(self) -> list[tuple[int, list[Cell]]]:
        """(Excel row, cells) for every line: the cell-by-cell view (one tuple per cell, built on each call).

        The live adapter styles a whole sheet from it (excel/styles.py); code that needs only values or
        runs of lines reads ``lines``, as ``values()`` and ``as_grid()`` do."""
        return [(line[0], line_cells(line)) for line in self.lines]

    def add(self, values: Sequence[object], style: str | None = None, styles: Sequence[str | None] | None = None,
            start_col: int = 0, row: int | None = None) -> int:
        """Append a row of values; ``styles`` per cell, else one ``style`` for all. Returns its Excel row."""
        r = row or self.next_row
        if styles and len(styles) < len(values):
            raise IndexError(f"第{r}行有{len(values)}个值，却只有{len(styles)}个样式")
        self.lines.append((r, start_col, values, styles or style))
        end = start_col + len(values)
        if end > self.width:
            self.width = end
        return r

    def merged_row(self, text: object, style: str, width: int | None = None, row: int | None = None) -> int:
        """A row whose single value spans ``width`` columns (titles, 大写, signatures)."""
        width = width or self.width or 1
        r = self.add([text] + [None] * (width - 1), style=style, row=row)
        if width > 1:
            self.merges.append(f"{a1(r, 0)}:{a1(r, width - 1)}")
        return r

    def keep(self, first: int, last: int) -> None:
        """Ask printers not to break a page between these rows (a total and its signatures)."""
        self.keep_together.append((first, last))

    def group(self, first: int, last: int) -> None:
        """Rows that belong together (a street and its subtotal): a page breaks before them rather than
        inside them, where they fit on a page."""
        self.groups.append((first, last))

    def stamp(self, unit: str) -> "SheetContent":
        """Give every printed page the footer with the 填报单位 and page X of N."""
        self.footer = footer_text(unit, self.name)
        return self

    def layout(self) -> Layout:
        """Column widths, row heights and the page (breaks included), computed from the cells."""
        return lay_out(self)

    def split_at(self, row: int, name: str | None = None) -> "SheetContent":
        """Rows from ``row`` down as a sheet of their own, starting at row 1 (an export prints a block with
        its own header and page titles this way)."""
        shift = row - 1
        part = SheetContent(name or self.name, width=self.width, columns=list(self.columns), page=self.page,
                            footer=self.footer)
        part.lines = [(r - shift, first, values, styles) for r, first, values, styles in self.lines if r >= row]
        for ref in self.merges:
            a, _, b = ref.partition(":")
            from ..cells import parse_a1
            (r0, c0), (r1, c1) = parse_a1(a), parse_a1(b or a)
            if r0 >= row:
                part.merges.append(f"{a1(r0 - shift, c0)}:{a1(r1 - shift, c1)}")
        part.keep_together = [(f - shift, l - shift) for f, l in self.keep_together if f >= row]
        part.groups = [(f - shift, l - shift) for f, l in self.groups if f >= row]
        return part

    def skip(self, n: int = 1) -> None:
        """Leave ``n`` empty rows."""
        self.lines.append((self.next_row + n - 1, 0, (), None))

    def row_values(self, row: int) -> list[object]:
        """The values of one Excel row from column A ([] for a row not written)."""
        for r, first, values, _styles in self.lines:
            if r == row:
                return [None] * first + list(values)
        return []

    def values(self) -> dict[tuple[int, int], object]:
        """(row, col) -> value, for tests and the live adapter."""
        return {(r, first + j): v for r, first, values, _styles in self.lines for j, v in enumerate(values)}

    def as_grid(self) -> list[list[object]]:
        """Rows from 1 to the last, as a rectangular list (empty cells None)."""
        if not self.lines:
            return []
        grid = [[None] * self.width for _ in range(self.last_row)]
        for r, first, values, _styles in self.lines:
            grid[r - 1][first:first + len(values)] = values
        return grid
