"""Read a workbook (any BookSource) into the core's terms, and run every check.

A BookSource is what an adapter offers: the headless file reader and the live
xlwings adapter both give sheet grids aligned to A1 and merged ranges.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Protocol, Sequence

from .cells import a1
from .checks.people import check_duplicates, check_ids
from .checks.project_info import check_project_info
from .checks.workbook import check_external_links, check_stray_cells
from .compute import LivingPerson, OneOffPerson, assess_living, assess_one_off, hold
from .issues import Issue, sort_issues
from .not_people import LazyRows
from .months import Quarter, YearMonth, quarter_of
from .params import Params, params_from_grid, payment_stops
from .performance.checks import check_performance
from .performance.figures import Figures, figures_for
from .rosters import FieldContext, RosterData, read_roster
from .schema import LIVING, ONE_OFF, PARAMS_SHEET, PERFORMANCE_SHEET, PROJECT_INFO_ITEMS, PROJECT_INFO_SHEET
from .tables.budget import budget_figures

Grid = Sequence[Sequence[object]]


class BookSource(Protocol):
    sheet_names: Sequence[str]

    def grid(self, name: str) -> Grid | None:
        """Cell values of a sheet aligned to A1, or None when the sheet is missing."""

    def merged(self, name: str) -> Sequence[tuple[int, int, int, int]]:
        """Merged ranges as 0-based (first_row, first_col, last_row, last_col)."""

    # Optional: ``external_links``, what the file's external-link parts point at (io/reader.py);
    # ``prefetch(names)``, start reading sheets that will be asked for next (io/reader.py).


@dataclass
class Analysis:
    params: Params
    quarter: Quarter
    project_info: dict[str, object]
    project_cells: dict[str, str]  # key -> A1 of the 内容 cell
    living: RosterData
    one_off: RosterData
    living_people: list[LivingPerson]
    one_off_people: list[OneOffPerson]
    budget: dict  # tables.budget.budget_figures of the people: computed once
    figures: Figures  # performance.figures.figures_for of the people: computed once (checks and fill use it)
    issues: list[Issue] = field(default_factory=list)
    stops: list[Issue] = field(default_factory=list)  # errors on 参数: no payment rows while there is one

    @property
    def errors(self) -> int:
        return sum(1 for i in self.issues if i.severity == "error")


def default_quarter(params: Params, today: _dt.date | None = None) -> Quarter:
    """Today's quarter within the budget year; the year's first or last quarter outside it."""
    today = today or _dt.date.today()
    if today.year < params.budget_year:
        return Quarter(params.budget_year, 1)
    if today.year > params.budget_year:
        return Quarter(params.budget_year, 4)
    return quarter_of(YearMonth(today.year, today.month))


def read_project_info(grid: Grid | None) -> tuple[dict[str, object], dict[str, str]]:
    """项目 | 内容 rows by label; the label may sit anywhere in column A."""
    label_to_key = {label: key for key, label in PROJECT_INFO_ITEMS}
    info, cells = {}, {}
    for r, row in enumerate(grid or []):
        if not row or not isinstance(row[0], str):
            continue
        key = label_to_key.get(row[0].strip())
        if key and key not in info:
            info[key] = row[1] if len(row) > 1 else None
            cells[key] = a1(r + 1, 1)
    return info, cells


def row_kinds(src: BookSource, name: str) -> tuple[frozenset[int], frozenset[int]]:
    """(table total rows, formula rows) of a sheet, when the source knows them (the file reader does)."""
    totals, formulas = getattr(src, "totals_rows", None), getattr(src, "formula_rows", None)
    return (totals(name) if totals else frozenset()), (LazyRows(lambda: formulas(name)) if formulas else frozenset())


def analyse(src: BookSource, quarter: Quarter | None = None) -> Analysis:
    issues: list[Issue] = []
    prefetch = getattr(src, "prefetch", None)  # the file reader offers it
    if prefetch is not None:
        prefetch([ONE_OFF.name])  # parsed on another core while the 生活补贴名册 is read and checked
    params_grid = src.grid(PARAMS_SHEET)
    if params_grid is None:
        issues.append(Issue("sheet-missing", "warning", PARAMS_SHEET, "", "", "工作簿中没有“参数”工作表，已使用默认参数", "模板结构"))
        params_grid = []
    params, more = params_from_grid(params_grid)
    issues += more
    quarter = quarter or default_quarter(params)
    info, cells = read_project_info(src.grid(PROJECT_INFO_SHEET))
    ctx = FieldContext.of(params)
    living = read_roster(src.grid(LIVING.name), LIVING, ctx, src.merged(LIVING.name), *row_kinds(src, LIVING.name))
    one_off = read_roster(src.grid(ONE_OFF.name), ONE_OFF, ctx, src.merged(ONE_OFF.name), *row_kinds(src, ONE_OFF.name))
    issues += living.issues + one_off.issues
    issues += check_ids(living) + check_ids(one_off)
    issues += check_duplicates([living, one_off])
    living_people, more = assess_living(living, params)
    issues += more
    one_off_people, more = assess_one_off(one_off, params)
    issues += more
    issues += check_project_info(info, cells, params)
    issues += check_external_links(getattr(src, "external_links", ()))  # the file reader offers them
    issues += check_stray_cells(getattr(src, "scans", {}))  # the file reader offers them (io/extent.py)
    # One rule for every payment: an error on a person's row holds it; an error on 参数 holds everyone.
    stops = payment_stops(issues)
    hold(living_people, issues, stops)
    hold(one_off_people, issues, stops)
    budget = budget_figures(living_people, one_off_people, params, stopped=bool(stops))
    figures = figures_for(living_people, one_off_people, params, budget)
    issues += check_performance(src.grid(PERFORMANCE_SHEET), src.grid(PROJECT_INFO_SHEET), params,
                                living_people, one_off_people, figures)
    return Analysis(params, quarter, info, cells, living, one_off, living_people, one_off_people, budget, figures,
                    sort_issues(issues), stops)
