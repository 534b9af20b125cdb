"""SheetContent: the rows an owned sheet is rewritten with, independent of how
they are written (headless package writer or live xlwings range writes)."""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import repeat
from typing import Sequence

from ..cells import a1

# (0-based column, value, style key of schema.STYLES or None)
Cell = tuple[int, object, str | None]


@dataclass
class SheetContent:
    name: str
    rows: list[tuple[int, list[Cell]]] = field(default_factory=list)  # (Excel row, cells)
    merges: list[str] = field(default_factory=list)
    width: int = 0  # number of columns used
    keep_together: list[tuple[int, int]] = field(default_factory=list)  # (first, last) Excel rows printed on one page

    @property
    def next_row(self) -> int:
        return self.rows[-1][0] + 1 if self.rows else 1

    def add(self, values: Sequence[object], style: str | None = None, styles: Sequence[str | None] | None = None,
            start_col: int = 0, row: int | None = None) -> int:
        """Append a row of values; ``styles`` per cell, else one ``style`` for all. Returns its Excel row."""
        r = row or self.next_row
        if styles and len(styles) < len(values):
            raise IndexError(f"第{r}行有{len(values)}个值，却只有{len(styles)}个样式")
        end = start_col + len(values)
        self.rows.append((r, list(zip(range(start_col, end), values, styles or repeat(style)))))
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

    def skip(self, n: int = 1) -> None:
        """Leave ``n`` empty rows."""
        self.rows.append((self.next_row + n - 1, []))

    def values(self) -> dict[tuple[int, int], object]:
        """(row, col) -> value, for tests and the live adapter."""
        return {(r, c): v for r, cells in self.rows for c, v, _s in cells}

    def as_grid(self) -> list[list[object]]:
        """Rows from 1 to the last, as a rectangular list (empty cells None)."""
        if not self.rows:
            return []
        last = self.rows[-1][0]
        grid = [[None] * self.width for _ in range(last)]
        for r, cells in self.rows:
            for c, v, _s in cells:
                grid[r - 1][c] = v
        return grid

