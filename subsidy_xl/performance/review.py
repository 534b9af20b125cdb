"""Review a 绩效目标表 received from any office (申报表, 自评表, 部门整体) as a 财政
reviewer would: the guidance's structure, the row checks of form_checks.py, the
arithmetic of its own texts and amounts, and, for a 自评表, its scores against its
own figures. Nothing here compares with this programme's rosters: the form may
be about roads or farms.

Every issue points at the cell of the received file (A1 of its grid: a Word
table's columns counted like a sheet's) on a sheet named after the file.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from ..cells import a1
from ..issues import Issue, sort_issues
from ..params import Params, default_params
from .checks import check_structure
from .form_checks import check_amounts, check_execution_score, check_row_scores, check_weights
from .importer import ImportedTable, read_grids
from .model import PerformanceTable, _read_rows
from .narrative import read_text
from .narrative_checks import arithmetic
from .texts import Text

TEXT_ITEMS = ("中长期绩效目标", "年度绩效目标", "年度目标完成情况")


@dataclass
class FormReview:
    path: Path
    imported: ImportedTable
    table: PerformanceTable
    issues: list[Issue] = field(default_factory=list)

    def row_named(self, excel_row: int):
        return next((r for r in self.table.rows if r.row == excel_row), None)


def review_source(path: Path, params: Params | None = None) -> FormReview:
    """Read the form (refusing a header it cannot place: UnplacedColumns) and review it."""
    path = Path(path)
    _grids, imported = read_grids(path)
    table = table_of(imported)
    sheet = path.name
    issues = [dataclasses.replace(i, sheet=sheet) for i in check_structure(table, params or default_params(), form=True)]
    issues += review_extras(imported, table, sheet)
    return FormReview(path, imported, table, sort_issues(issues))


def table_of(imported: ImportedTable) -> PerformanceTable:
    """The imported rows at their places in the source grid, levels filled down as the sheet reader does."""
    table = PerformanceTable()
    table.header = dict(imported.header)
    table.header_cells = {label: a1(r + 1, c) for label, (r, c) in imported.header_cells.items()}
    table.header_row = imported.header_idx + 1
    table.cols = dict(imported.cols)
    if not imported.rows:
        return table
    height = max(imported.source_rows) + 1
    width = max(table.cols.values()) + 1
    grid: list[list[object]] = [[None] * width for _ in range(height)]
    for values, r in zip(imported.rows, imported.source_rows):
        for key, c in table.cols.items():
            grid[r][c] = values.get(key)
    _read_rows(grid, table, imported.header_idx)
    # What the importer split out of a value cell ("≥100公里") has no column of its own: it is the value cell's.
    cols = dict(table.cols)
    if "target" in table.cols:
        for key in ("nature", "unit"):
            cols.setdefault(key, table.cols["target"])
    by_row = {r + 1: values for values, r in zip(imported.rows, imported.source_rows)}
    for row in table.rows:
        values = by_row.get(row.row, {})
        row.cells = {**row.cells, **{k: values.get(k) for k in ("nature", "unit", "target", "actual") if k in values}}
        row.cols = cols
    return table


def review_extras(imported: ImportedTable, table: PerformanceTable, sheet: str) -> list[Issue]:
    issues: list[Issue] = []
    for label in TEXT_ITEMS:
        value = imported.header.get(label)
        if isinstance(value, str) and any(ch.isdigit() for ch in value):
            text = Text(sheet, table.header_cells[label], label, read_text(value))
            issues += arithmetic(text)
    issues += check_amounts(table, imported.raw_header, imported.money_unit, sheet)
    weights = {}
    if "weight" in imported.cols:
        weights = {r + 1: values.get("weight") for values, r in zip(imported.rows, imported.source_rows)}
        points = imported.funding.get("total", "points") if imported.funding else None
        issues += check_weights(table, weights, points, sheet, imported.cols["weight"])
    if imported.funding is not None:
        issues += check_execution_score(imported.funding, sheet, imported.money_unit)
    if "score" in imported.cols and weights:
        issues += check_row_scores(table, weights, sheet)
    return issues
