"""The 绩效目标表 read from a sheet grid: header items, then indicator rows with
their levels filled down (tables write a level on the first row of its block
only, or merge the cells, which leaves the value in the first row alone)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from ..cells import a1
from .layout import EXECUTED_LABEL, HEADER_ITEMS, INDICATOR_HEADERS, INDICATOR_KEYS, SUMMARY_TITLE
from .standards import canonical_level, is_level1, norm, parent_of

Grid = Sequence[Sequence[object]]

_HEADER_SEARCH_ROWS = 40
_BY_HEADER = {norm(h): k for h, k in zip(INDICATOR_HEADERS, INDICATOR_KEYS)}
_CONTENT_KEYS = ("name", "nature", "target", "unit", "rule", "actual")


@dataclass
class IndicatorRow:
    row: int  # Excel row
    cells: dict[str, object]  # column key -> value as typed
    cols: dict[str, int]  # column key -> 0-based column
    level1: str  # as written on this row or filled down ("" when none)
    level2: str
    level1_row: int  # Excel row the level was written on (0 when never written)
    level2_row: int

    def get(self, key: str) -> object:
        return self.cells.get(key)

    def text(self, key: str) -> str:
        value = self.cells.get(key)
        return "" if value is None else str(value).strip()

    def cell(self, key: str) -> str:
        col = self.cols.get(key)
        return a1(self.row, col) if col is not None else f"第{self.row}行"

    @property
    def name(self) -> str:
        return self.text("name")

    @property
    def group1(self) -> str | None:
        """The 一级 level the row belongs to: as written, else inferred from a 二级 name."""
        c1, c2 = canonical_level(self.level1), canonical_level(self.level2)
        if is_level1(c1):
            return c1
        return parent_of(c2) or parent_of(c1)

    @property
    def group2(self) -> str | None:
        """The 二级 level: as written, else a 二级 name typed into the 一级 column."""
        written2, written1 = canonical_level(self.level2), canonical_level(self.level1)
        if written2:
            return written2
        if written1 and not is_level1(written1):
            return written1
        return None

    @property
    def label(self) -> str:
        """How messages name the row: 第11行“发放生活补贴人数”."""
        return f"第{self.row}行“{self.name}”" if self.name else f"第{self.row}行"


@dataclass
class PerformanceTable:
    header: dict[str, object] = field(default_factory=dict)  # item label -> value
    header_cells: dict[str, str] = field(default_factory=dict)  # item label -> A1 of its value cell
    header_row: int = 0  # Excel row of the indicator header; 0 when not found
    cols: dict[str, int] = field(default_factory=dict)
    rows: list[IndicatorRow] = field(default_factory=list)
    summary_row: int = 0  # Excel row of the self-evaluation title; 0 when absent
    executed: object = None  # the 全年执行数 staff typed into the summary block
    last_row: int = 0  # last Excel row holding anything below the indicator header

    def header_text(self, label: str) -> str:
        value = self.header.get(label)
        return "" if value is None else str(value).strip()

    def col_cell(self, key: str, row: int | None = None) -> str:
        """A1 of a column in ``row`` (the header row by default)."""
        return a1(row or self.header_row, self.cols.get(key, INDICATOR_KEYS.index(key)))


def read_table(grid: Grid | None) -> PerformanceTable:
    table = PerformanceTable()
    if not grid:
        return table
    header_idx, cols = find_header(grid)
    table.cols = cols
    table.header_row = header_idx + 1 if header_idx is not None else 0
    _read_header_items(grid, table, header_idx if header_idx is not None else len(grid))
    if header_idx is not None:
        _read_rows(grid, table, header_idx)
    return table


def find_header(grid: Grid) -> tuple[int | None, dict[str, int]]:
    for r in range(min(_HEADER_SEARCH_ROWS, len(grid))):
        found = {}
        for c, v in enumerate(grid[r]):
            key = _BY_HEADER.get(norm(v))
            if key and key not in found:
                found[key] = c
        if "name" in found and "target" in found:
            return r, found
    return None, {}


def _read_header_items(grid: Grid, table: PerformanceTable, end: int) -> None:
    """Each item label in column A (a label such as 年度绩效目标(2026年) counts), value to its right."""
    labels = [(norm(label), label) for label in HEADER_ITEMS]
    for r in range(end):
        row = grid[r]
        first = norm(row[0]) if row else ""
        for key, label in labels:
            if first.startswith(key) and label not in table.header:
                c = next((c for c in range(1, len(row)) if _filled(row[c])), 1)
                table.header[label] = row[c] if c < len(row) else None
                table.header_cells[label] = a1(r + 1, c)


def _read_rows(grid: Grid, table: PerformanceTable, header_idx: int) -> None:
    cols = table.cols
    level = {"level1": ("", 0), "level2": ("", 0)}
    for r in range(header_idx + 1, len(grid)):
        row = grid[r]
        if row and norm(row[0]) == SUMMARY_TITLE:
            table.summary_row = r + 1
            break
        cells = {k: (row[c] if c < len(row) else None) for k, c in cols.items()}
        if not any(_filled(v) for v in cells.values()):
            continue
        table.last_row = r + 1
        if _filled(cells.get("level1")):
            # A new 一级 block starts its 二级 afresh: a blank 二级 there is a gap, not the one above.
            level["level1"] = (str(cells["level1"]).strip(), r + 1)
            level["level2"] = ("", 0)
        if _filled(cells.get("level2")):
            level["level2"] = (str(cells["level2"]).strip(), r + 1)
        if not any(_filled(cells.get(k)) for k in _CONTENT_KEYS):
            continue  # a row that only names levels for the rows below
        table.rows.append(IndicatorRow(r + 1, cells, cols, level["level1"][0], level["level2"][0],
                                       level["level1"][1], level["level2"][1]))
    if table.summary_row:
        for r in range(table.summary_row - 1, len(grid)):
            row = grid[r]
            if any(_filled(v) for v in row):
                table.last_row = r + 1
            if row and norm(row[0]) == norm(EXECUTED_LABEL):
                table.executed = row[1] if len(row) > 1 else None


def _filled(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())
