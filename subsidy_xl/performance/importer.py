"""Import a 项目绩效目标表 from a .xlsx or .docx as offices write them (申报表,
自评表, the tables published with 预算公开) into the sheet.

The source is read as grids (one per Word table or worksheet; merged cells give
their value once, in the first cell). In a grid:

- the indicator header is the first row naming at least three known columns,
  among them the indicator name or value, in any of the spellings of
  performance_standards.json ("spellings"): 三级指标/指标/指标名称, 指标值/年度指标值/
  目标值, 度量单位/计量单位, 权重/分值, 完成值/实际完成值/全年实际值 …. A header
  with a column that is not known, or without a name or value column, is refused
  with a message naming the columns: the importer never places a column by guess.
  The seed's table, which has no header row at all, is read by position only when
  its level and 指标性质 columns hold what they should;
- the items above the table are label | value pairs (项目名称 | …), or labels on
  one row with their values on the next (年度总体目标 | 预期目标 | 实际完成情况);
  a self-evaluation's funding block (年初预算数 | 全年预算数 | 全年执行数 | 分值 |
  执行率 | 得分, with rows 年度资金总额, 其中：本年财政拨款 …) is read as such and its
  rows are never indicators; a table that carries 单位名称 | 项目名称 | 预算数 |
  年度目标 as columns gives them from its first project's row;
- indicator rows run down to the next block (a new label in the leading section
  column, a 注 line, a second project); a value cell such as "≥100公里" is split
  into 指标性质 ≥, 指标值 100 and 度量单位 公里 when those columns are empty, and
  "产出指标(50分)" is the level 产出指标 with 50 points.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Sequence

from ..cells import parse_a1
from . import PerformanceError
from .headers import column_key, funding_column, funding_row, is_section, item_label, money_unit_of_label
from .layout import INDICATOR_KEYS
from .model import PerformanceTable
from .standards import canonical_level, level_points, norm, standards
from .values import parse_nature, read_when, split_value

Grid = Sequence[Sequence[object]]
SEED_COLUMNS = INDICATOR_KEYS[:9]  # 一级指标 … 指标值设定依据及数据来源
Patch = dict[int, dict[int, tuple[object, str | None]]]
PROJECT_KEYS = ("project_unit", "project", "budget", "goal")
_CONTENT = ("name", "nature", "target", "unit", "rule", "basis", "actual", "score", "weight")
_HEADER_SEARCH_ROWS = 60
_MIN_HEADER_KEYS = 3


@dataclass
class Funding:
    """A self-evaluation's funding block: row (total, fiscal, carried, other) -> column (budget, executed …) -> value."""
    values: dict[str, dict[str, object]] = field(default_factory=dict)
    cells: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)  # same keys -> (grid row, col)

    def get(self, row: str, col: str) -> object:
        return self.values.get(row, {}).get(col)


@dataclass
class ImportedTable:
    header: dict[str, object] = field(default_factory=dict)  # item label -> value (amounts with their unit)
    rows: list[dict[str, object]] = field(default_factory=list)  # column key -> value, split and ready for the sheet
    # Where things are in the source grid (0-based), for messages that point at the received file.
    grid_index: int = 0
    header_idx: int = -1  # the indicator header row; -1 when read by position
    cols: dict[str, int] = field(default_factory=dict)
    source_rows: list[int] = field(default_factory=list)
    header_cells: dict[str, tuple[int, int]] = field(default_factory=dict)
    raw_header: dict[str, object] = field(default_factory=dict)  # item label -> the cell as written
    funding: Funding | None = None
    money_unit: str | None = None  # 万元 or 元, as the form says ("资金情况（万元）", "金额单位：元")
    level_points: dict[str, Decimal] = field(default_factory=dict)  # 产出指标 -> 50, from "产出指标(50分)"
    notes: list[str] = field(default_factory=list)  # what the import did that staff should know

    @property
    def has_levels(self) -> bool:
        return "level1" in self.cols or "level2" in self.cols


class UnplacedColumns(PerformanceError):
    """The indicator header has columns the importer cannot place: it refuses rather than guess."""

    def __init__(self, message: str, columns: list[str]):
        super().__init__(message)
        self.columns = columns


def read_source(path: Path) -> ImportedTable:
    return read_grids(path)[1]


def read_grids(path: Path) -> tuple[list[Grid], ImportedTable]:
    """The file's grids and its table (the first grid that holds one)."""
    suffix = path.suffix.lower()
    if suffix == ".docx":
        grids = _docx_grids(path)
    elif suffix in (".xlsx", ".xlsm"):
        grids = _xlsx_grids(path)
    else:
        raise PerformanceError(f"不支持的文件类型“{suffix}”：请提供 .xlsx 或 .docx 文件")
    refusal: UnplacedColumns | None = None
    for i, grid in enumerate(grids):
        try:
            imported = parse_grid(grid)
        except UnplacedColumns as exc:
            refusal = refusal or exc
            continue
        if imported.rows:
            imported.grid_index = i
            return grids, imported
    if refusal is not None:
        raise UnplacedColumns(f"“{path.name}”：{refusal}", refusal.columns)
    raise PerformanceError(f"在“{path.name}”中找不到项目绩效目标表（应有一级指标、二级指标、三级指标、指标性质、指标值等列）")


def parse_grid(grid: Grid) -> ImportedTable:
    imported = ImportedTable()
    header_idx, cols = locate_header(grid)
    if header_idx is None:
        _read_items(grid, len(grid), imported)
        return _by_position(grid, imported)
    imported.header_idx, imported.cols = header_idx, cols
    _read_items(grid, header_idx, imported)
    _read_rows(grid, header_idx, imported)
    return imported


def locate_header(grid: Grid) -> tuple[int | None, dict[str, int]]:
    """The indicator header row and its columns; UnplacedColumns when it has columns that cannot be placed."""
    for r in range(min(_HEADER_SEARCH_ROWS, len(grid))):
        keys: dict[str, int] = {}
        unknown: list[str] = []
        for c, v in enumerate(grid[r]):
            if v is None or not str(v).strip():
                continue
            key = column_key(v)
            if key and key not in keys:
                keys[key] = c
            elif not key and not is_section(v):
                unknown.append(str(v).strip())
        secondary = keys.pop("name_secondary", None)
        if "name" not in keys and secondary is not None:
            keys["name"] = secondary
        if not ({"name", "target"} & set(keys)):
            continue
        if len(keys) < _MIN_HEADER_KEYS and not (len(keys) + len(unknown) >= 4 and all(_header_like(u) for u in unknown)):
            continue  # a header of another layout still counts when its other cells read as column titles
        missing = [title for key, title in (("name", "三级指标（指标名称）"), ("target", "指标值")) if key not in keys]
        if unknown or missing:
            parts = []
            if unknown:
                parts.append("无法对应的列：" + "、".join(f"“{u}”" for u in unknown))
            if missing:
                parts.append("缺少" + "、".join(missing) + "列")
            raise UnplacedColumns(f"第{r + 1}行的指标表头{'；'.join(parts)}。为免把内容放错列，未导入；"
                                  "请把表头改为 一级指标、二级指标、三级指标、指标性质、指标值、度量单位 等列名后再导入",
                                  unknown)
        return r, keys
    return None, {}


def _header_like(text: str) -> bool:
    """A column title: short words, no figures ("绩效指标描述", "评价标准确定依据")."""
    return len(norm(text)) <= 15 and not any(ch.isdigit() for ch in text)


# ---------------------------------------------------------------- items above the table

def _kind(value: object) -> str:
    if value is None or not str(value).strip():
        return "blank"
    if funding_column(value):
        return "funding_col"
    if funding_row(value):
        return "funding_row"
    if item_label(value):
        return "label"
    if is_section(value):
        return "section"
    return "value"


def _read_items(grid: Grid, end: int, imported: ImportedTable) -> None:
    funding_cols: dict[str, int] = {}
    pending: list[tuple[str, int]] = []  # labels whose values are on the next row, by column
    for r in range(end):
        row = grid[r]
        kinds = [_kind(v) for v in row]
        for v in row:
            unit = money_unit_of_label(v) if v is not None else None
            if unit and imported.money_unit is None:
                imported.money_unit = unit
        if pending:
            for label, c in pending:
                if c < len(row) and kinds[c] == "value":
                    _set_item(imported, label, row[c], (r, c))
            pending = []
        if kinds.count("funding_col") >= 2:
            funding_cols = {funding_column(v): c for c, v in enumerate(row) if kinds[c] == "funding_col"}
            imported.funding = imported.funding or Funding()
            continue
        which = next((funding_row(v) for c, v in enumerate(row) if kinds[c] == "funding_row"), None)
        if which and funding_cols:
            values = {k: (row[c] if c < len(row) else None) for k, c in funding_cols.items()}
            imported.funding.values[which] = values
            imported.funding.cells[which] = {k: (r, c) for k, c in funding_cols.items()}
            label = {"total": "年度资金总额", "fiscal": "其中：财政拨款"}.get(which)
            amount = values.get("budget") if _filled(values.get("budget")) else values.get("initial")
            if label:
                _set_item(imported, label, amount, (r, funding_cols.get("budget", funding_cols.get("initial", 0))))
            continue
        labels = [(c, item_label(v) or ("年度资金总额" if funding_row(v) == "total" else
                                        "其中：财政拨款" if funding_row(v) == "fiscal" else None))
                  for c, v in enumerate(row) if kinds[c] in ("label", "funding_row")]
        labels = [(c, label) for c, label in labels if label]
        if not labels:
            continue
        if all(k in ("label", "section", "blank", "funding_row") for k in kinds):
            pending = [(label, c) for c, label in labels]  # 预期目标 | 实际完成情况: values on the next row
            continue
        for c, label in labels:
            for c2 in range(c + 1, len(row)):
                if kinds[c2] in ("label", "funding_row", "funding_col"):
                    break
                if kinds[c2] == "value":
                    _set_item(imported, label, row[c2], (r, c2))
                    break


def _set_item(imported: ImportedTable, label: str, value: object, cell: tuple[int, int]) -> None:
    if label in imported.header or not _filled(value):
        return
    imported.raw_header[label] = value
    imported.header_cells[label] = cell
    imported.header[label] = _with_unit(value, imported.money_unit) if label in ("年度资金总额", "其中：财政拨款") else \
        (value.strip() if isinstance(value, str) else value)


def _with_unit(value: object, unit: str | None) -> object:
    """A bare amount of a 万元 table as text with its unit ("9.31万元"), so that it is read as what it is."""
    if unit != "万元":
        return value.strip() if isinstance(value, str) else value
    text = norm(value).replace(",", "")
    return f"{text}万元" if re.fullmatch(r"\d+(?:\.\d+)?", text) else (value.strip() if isinstance(value, str) else value)


# ---------------------------------------------------------------- indicator rows

def _read_rows(grid: Grid, header_idx: int, imported: ImportedTable) -> None:
    cols = imported.cols
    sections = [c for c, v in enumerate(grid[header_idx]) if v is not None and is_section(v)]
    project: str | None = None
    implied = 0
    for r in range(header_idx + 1, len(grid)):
        row = grid[r]
        if any(c < len(row) and _filled(row[c]) for c in sections) or _is_footer(row):
            break  # a new block below the table: 审核意见, 注, a signature line
        cells = {k: (row[c] if c < len(row) else None) for k, c in cols.items()}
        this_project = _text(cells.get("project"))
        if this_project:
            if project is None:
                project = this_project
                _project_items(cells, (r, cols), imported)
            elif this_project != project:
                imported.notes.append(f"表中还有其他项目（如“{this_project}”），只导入了第一个项目“{project}”")
                break
        if not any(_filled(cells.get(k)) for k in ("level1", "level2") + _CONTENT):
            continue
        if any(funding_row(v) for v in row if _filled(v)):
            continue  # 其中：本年财政拨款, 上年结转资金, 其他资金 are funding, never indicators
        values, was_implied = _split_row(cells, imported)
        implied += was_implied
        imported.rows.append(values)
        imported.source_rows.append(r)
    if implied:
        imported.notes.append(f"{implied}行指标值没有写 =、≥、≤，按“=”读取")


def _project_items(cells: dict[str, object], where: tuple[int, dict[str, int]], imported: ImportedTable) -> None:
    r, cols = where
    for key, label in (("project", "项目名称"), ("project_unit", "实施单位"), ("budget", "年度资金总额"), ("goal", "年度绩效目标")):
        if key in cols:
            _set_item(imported, label, cells.get(key), (r, cols[key]))


def _split_row(cells: dict[str, object], imported: ImportedTable) -> tuple[dict[str, object], bool]:
    values = {k: _value(cells.get(k)) for k in INDICATOR_KEYS}
    for key in ("weight", "direction", "remark"):
        if key in cells:
            values[key] = _value(cells.get(key))
    for key in ("level1", "level2"):
        if isinstance(values[key], str):
            name, points = level_points(values[key])
            if points is not None and canonical_level(name):
                values[key] = canonical_level(name)
                imported.level_points[values[key]] = points
    implied = False
    split = split_value(values["target"])
    nature = values["nature"]
    if split.kind == "number" and isinstance(values["target"], str):
        if not _filled(values["unit"]) or norm(values["unit"]) == norm(split.unit) or not split.unit:
            values["target"] = split.value
            if split.unit and not _filled(values["unit"]):
                values["unit"] = split.unit
            if split.symbol and not _filled(nature):
                values["nature"] = parse_nature_symbol(split.symbol) or split.symbol
    elif split.kind == "date" and split.symbol and not _filled(nature):
        values["target"] = split.value
        values["nature"] = parse_nature_symbol(split.symbol) or split.symbol
    if not _filled(values["nature"]) and "nature" not in imported.cols and split.kind != "blank":
        # A form without a 指标性质 column: a bare figure means "=", words are 定性, a deadline is "≤".
        if split.kind == "number":
            values["nature"], implied = "=", True
        elif split.kind == "date":
            when = read_when(str(split.value))
            values["nature"] = "≤" if when is not None and when.deadline else "="
        else:
            values["nature"] = "定性"
    actual = split_value(values["actual"])
    if actual.kind == "number" and isinstance(values["actual"], str) and \
            (not actual.unit or norm(actual.unit) == norm(values["unit"])):
        values["actual"] = actual.value
    return values, implied


def _is_footer(row: Sequence[object]) -> bool:
    first = next((norm(v) for v in row if _filled(v)), "")
    return first.startswith("注:") or first.startswith("注1") or "审核意见" in first or first.startswith("填报人")


# ---------------------------------------------------------------- the seed's table, which has no header row

def _by_position(grid: Grid, imported: ImportedTable) -> ImportedTable:
    """The seed's nine columns, right-aligned, below the goals; only when the rows read as indicator rows."""
    width = max((len(r) for r in grid), default=0)
    if width < len(SEED_COLUMNS):
        return imported
    first = max((r for label, (r, _c) in imported.header_cells.items()), default=-1) + 1
    start = width - len(SEED_COLUMNS)
    mapping = {k: start + i for i, k in enumerate(SEED_COLUMNS)}
    rows, positions = [], []
    for r in range(first, len(grid)):
        row = grid[r]
        values = {k: _value(row[c]) if c < len(row) else None for k, c in mapping.items()}
        if any(_filled(v) for v in values.values()):
            rows.append(values)
            positions.append(r)
    if not rows or not _reads_as_seed(rows):
        return imported
    imported.cols, imported.source_rows = mapping, positions
    imported.rows = [_split_row(values, imported)[0] for values in rows]
    imported.notes.append("表中没有指标表头行，按标准九列（一级指标…指标值设定依据及数据来源）读取：一级/二级指标列和指标性质列已核对")
    return imported


def _reads_as_seed(rows: list[dict[str, object]]) -> bool:
    """Every written level is a level name (or a placeholder) and most rows have a 指标性质 in its column."""
    for values in rows:
        for key in ("level1", "level2"):
            text = values.get(key)
            if _filled(text) and not canonical_level(text) and norm(text) not in standards()["placeholders"]:
                return False
    natures = sum(1 for v in rows if parse_nature_symbol(norm(v.get("nature"))))
    return natures * 2 >= len(rows)


# ---------------------------------------------------------------- into the sheet

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


def parse_nature_symbol(text: object) -> str | None:
    return parse_nature(text).symbol


def _value(v: object) -> object:
    if isinstance(v, str):
        return v.strip() or None
    return v


def _text(v: object) -> str:
    return "" if v is None else str(v).strip()


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
