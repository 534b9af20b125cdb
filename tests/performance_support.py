"""Helpers of the 绩效目标表 tests: fixture workbooks built with openpyxl (never a
user's workbook), read back with the headless reader."""
from __future__ import annotations

import json
from pathlib import Path

import openpyxl

from subsidy_xl.io.reader import read_book
from subsidy_xl.schema import PROJECT_INFO_SHEET, STYLES
from subsidy_xl.template import build

DATA = Path(__file__).parent / "data"


def seed_data() -> dict:
    return json.loads((DATA / "seed_application.json").read_text(encoding="utf-8"))


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
    src = read_book(path)
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
    plan, report = plan_fill_performance(read_book(path), quiet)
    return plan, report, executed_row
