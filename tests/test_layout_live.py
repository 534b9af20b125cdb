"""The live door lays out the sheets it writes too (xlwings remote engine: its JSON actions are what a
workbook open in Excel would receive)."""
from __future__ import annotations

import pytest

from subsidy_xl.excel import macros
from subsidy_xl.months import Quarter
from subsidy_xl.schema import QUARTERLY_SHEET
from subsidy_xl.tables.layout import column_points

from excel_support import payload, remote_engine
from test_excel_macros import RecordingUi, sheet_of

QUARTER = Quarter(2026, 2)


def test_refresh_sets_column_widths_and_the_computed_row_heights(demo_book):
    xw = remote_engine()
    data = payload(demo_book)
    book = xw.Book(json=data)
    macros.refresh_all(book, RecordingUi(), quarter=QUARTER)
    actions = book.json()["actions"]
    sheets = sheet_of(data, actions)
    widths = [a for a, s in zip(actions, sheets) if s == QUARTERLY_SHEET and a["func"] == "setColumnWidth"]
    heights = [a for a, s in zip(actions, sheets) if s == QUARTERLY_SHEET and a["func"] == "setRowHeight"]
    assert len(widths) == 10  # one per column of 季度发放
    id_width = next(a for a in widths if a["start_column"] == 4)["args"][0]  # 身份证号 (E)
    assert id_width >= column_points(18 * 1.1)  # an 18-character ID is never cut
    title_height = next(a for a in heights if a["start_row"] == 0)["args"][0]
    assert title_height > 20  # the 16-point title row
    # written after the values: a refresh that writes more rows never leaves the widths of an older layout
    first_width = actions.index(widths[0])
    assert any(a["func"] == "setValues" and s == QUARTERLY_SHEET for a, s in zip(actions[:first_width], sheets))
