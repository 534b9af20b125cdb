"""Helpers of the 绩效目标表 tests: fixture workbooks built with openpyxl (never a
user's workbook) and a read-only BookSource over them."""
from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from python_calamine import CalamineWorkbook

from subsidy_xl.schema import PROJECT_INFO_SHEET, STYLES
from subsidy_xl.template import build

DATA = Path(__file__).parent / "data"


def seed_data() -> dict:
    return json.loads((DATA / "seed_application.json").read_text(encoding="utf-8"))


class FileSource:
    """Cell values aligned to A1, as the headless reader gives them."""

    def __init__(self, path: Path):
        self._book = CalamineWorkbook.from_path(str(path))
        self.sheet_names = list(self._book.sheet_names)
        self._grids: dict[str, list] = {}

    def grid(self, name: str):
        if name not in self.sheet_names:
            return None
        if name not in self._grids:
            rows = self._book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            self._grids[name] = [[_plain(v) for v in row] for row in rows]
        return self._grids[name]

    def merged(self, name: str):
        return []


def _plain(v):
    """As the headless reader gives values: "" is None, a whole-number float an int."""
    if v == "":
        return None
    if isinstance(v, float) and v.is_integer() and abs(v) <= 2**53:
        return int(v)
    return v


def headless_io() -> bool:
    """Whether subsidy_xl.io can read and write a workbook yet (it is built alongside these tests)."""
    try:
        from subsidy_xl.io import package, safe_save  # noqa: F401
        from subsidy_xl.service import open_book, template_path
    except ImportError:
        return False
    return hasattr(open_book(template_path()), "grid")


def seed_workbook(path: Path) -> Path:
    """The seed's application in the template: 项目信息 (with its other texts as extra rows) and 绩效目标表."""
    data = seed_data()
    build(path, {PROJECT_INFO_SHEET: data["项目信息"], "绩效目标表": data["绩效目标表"]})
    wb = openpyxl.load_workbook(path)
    ws = wb[PROJECT_INFO_SHEET]
    for label, text in data["项目信息（其他）"].items():
        r = ws.max_row + 1
        ws.cell(r, 1, label).style = STYLES["text"]
        ws.cell(r, 2, text).style = STYLES["note"]
    wb.save(path)
    return path


def fill_with_executed(book: Path, path: Path, executed: object):
    """Staff's year-end round: 完成值 typed, fill-performance run, its self-evaluation block copied into the
    table, and ``executed`` typed as 全年执行数; then the fill runs again. Returns (plan, report, executed_row)."""
    from subsidy_xl.performance.layout import INDICATOR_HEADER_ROW
    from subsidy_xl.performance.model import read_table
    from subsidy_xl.performance.overlay import PatchedSource
    from subsidy_xl.performance.usecases import plan_fill_performance

    def quiet(_message):
        pass

    wb = openpyxl.load_workbook(book)
    wb["绩效目标表"].cell(INDICATOR_HEADER_ROW + 1, 10, 83)  # a 完成值: the fill then self-evaluates
    wb.save(path)
    src = FileSource(path)
    plan, _report = plan_fill_performance(src, quiet)
    first = PatchedSource(src, plan.patches).grid("绩效目标表")
    table = read_table(first)
    executed_row = table.summary_row + 8
    wb = openpyxl.load_workbook(path)  # staff copy the block in, as Excel would keep it, and type the figure
    ws = wb["绩效目标表"]
    for r in range(table.summary_row, executed_row + 1):
        for c in range(4):
            ws.cell(r, c + 1, first[r - 1][c])
    ws.cell(executed_row, 2, executed)
    wb.save(path)
    plan, report = plan_fill_performance(FileSource(path), quiet)
    return plan, report, executed_row
