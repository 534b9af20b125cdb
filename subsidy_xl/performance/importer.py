"""Import a 项目绩效目标表 from a .xlsx or .docx laid out like the seed's table
(as staff receive it from the finance system or a colleague) into the sheet.

The source is read as grids (one per Word table or worksheet; merged cells
give their value once, in the first cell). In a grid: the goals are found by
their labels (中长期绩效目标…, 年度绩效目标…) with the text in the next cell; the
indicator rows by a header row (三级指标, 指标值…), or, when the table has none
as in the seed, by position: the last nine columns in the seed's order.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from ..cells import parse_a1
from . import PerformanceError
from .layout import HEADER_ITEMS, INDICATOR_KEYS
from .model import PerformanceTable, find_header
from .standards import norm

Grid = Sequence[Sequence[object]]
SEED_COLUMNS = INDICATOR_KEYS[:9]  # 一级指标 … 指标值设定依据及数据来源
Patch = dict[int, dict[int, tuple[object, str | None]]]


@dataclass
class ImportedTable:
    header: dict[str, object] = field(default_factory=dict)  # HEADER_ITEMS label -> value
    rows: list[dict[str, object]] = field(default_factory=list)  # column key -> value


def read_source(path: Path) -> ImportedTable:
    suffix = path.suffix.lower()
    if suffix == ".docx":
        grids = _docx_grids(path)
    elif suffix in (".xlsx", ".xlsm"):
        grids = _xlsx_grids(path)
    else:
        raise PerformanceError(f"不支持的文件类型“{suffix}”：请提供 .xlsx 或 .docx 文件")
    for grid in grids:
        imported = parse_grid(grid)
        if imported.rows:
            return imported
    raise PerformanceError(f"在“{path.name}”中找不到项目绩效目标表（应有一级指标、二级指标、三级指标、指标性质、指标值等列）")


def parse_grid(grid: Grid) -> ImportedTable:
    imported = ImportedTable()
    last_goal = -1
    for r, row in enumerate(grid):
        for i, cell in enumerate(row):
            label = next((h for h in HEADER_ITEMS if norm(cell).startswith(norm(h))), None)
            if label and label not in imported.header:
                value = next((v for v in row[i + 1:] if _filled(v) and norm(v) != norm(cell)), None)
                imported.header[label] = value
                last_goal = r
                break
    header_idx, cols = find_header(grid)
    if header_idx is not None:
        first, mapping = header_idx + 1, cols
    else:
        width = max((len(r) for r in grid), default=0)
        if width < len(SEED_COLUMNS):
            return imported
        first = last_goal + 1
        mapping = {k: width - len(SEED_COLUMNS) + i for i, k in enumerate(SEED_COLUMNS)}
    for row in grid[first:]:
        values = {k: _value(row[c]) if c < len(row) else None for k, c in mapping.items()}
        if any(_filled(v) for v in values.values()):
            imported.rows.append(values)
    return imported


def import_patch(table: PerformanceTable, imported: ImportedTable) -> Patch:
    """The target sheet's header values and indicator rows replaced by the imported ones.

    Rows below the imported ones, down to the old table's end (and an old
    self-evaluation summary, which would no longer match), are cleared.
    """
    patch: Patch = {}
    for label, value in imported.header.items():
        if label in table.header_cells and value is not None:
            r, c = parse_a1(table.header_cells[label])
            patch.setdefault(r, {})[c] = (value, None)
    start = table.header_row + 1
    for i, values in enumerate(imported.rows):
        patch[start + i] = {c: (values.get(k), "note") for k, c in table.cols.items()}
    for r in range(start + len(imported.rows), table.last_row + 1):
        patch[r] = {c: (None, None) for c in range(max(table.cols.values()) + 1)}
    return patch


def _value(v: object) -> object:
    if isinstance(v, str):
        return v.strip() or None
    return v


def _filled(v: object) -> bool:
    return v is not None and not (isinstance(v, str) and not v.strip())


def _xlsx_grids(path: Path) -> list[Grid]:
    """Through the workbook reader: its safety checks, and plain values (184, not 184.0; "" is None).

    A file it cannot read raises its UnreadableWorkbook, a user error with a Chinese message.
    """
    from ..io.reader import read_book

    book = read_book(path)
    return [book.grid(name) or [] for name in book.sheet_names]


def _docx_grids(path: Path) -> list[Grid]:
    try:
        import docx
        from docx.table import _Cell
    except ImportError:
        raise PerformanceError("读取 .docx 文件需要安装 python-docx：pip install python-docx") from None
    if not path.is_file():
        raise PerformanceError(f"找不到文件“{path}”")
    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx: PackageNotFoundError, BadZipFile, KeyError, XML errors …
        raise PerformanceError(f"无法读取“{path.name}”：文件已损坏或不是 Word（.docx）文档。"
                               "请在 Word/WPS 中打开并另存为 .docx 后再试") from exc
    grids = []
    for table in document.tables:
        grid = []
        for tr in table._tbl.tr_lst:
            row: list[object] = [None] * tr.grid_before
            for tc in tr.tc_lst:
                # A vertically merged cell repeats nothing: its value is in the first row, as in Excel.
                row.append(None if tc.vMerge == "continue" else _Cell(tc, table).text)
                row.extend([None] * (tc.grid_span - 1))
            grid.append(row)
        grids.append(grid)
    return grids
