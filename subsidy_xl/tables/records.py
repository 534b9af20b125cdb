"""问题清单 and 变更记录: the tool's own lists."""
from __future__ import annotations

from typing import Sequence

from ..issues import Issue, listed
from ..schema import CHANGELOG_COLUMNS, CHANGELOG_SHEET, ISSUE_COLUMNS, ISSUES_SHEET, SEVERITY_LABELS
from .layout import ColumnSpec
from .sheet import SheetContent

# Print widths: each column as wide as its content up to the schema's width; longer text wraps.
ISSUE_SPECS = [ColumnSpec(max_width=c.width) for c in ISSUE_COLUMNS]
CHANGELOG_SPECS = [ColumnSpec(max_width=c.width) for c in CHANGELOG_COLUMNS]
_ISSUE_STYLES = {severity: ("wrap", severity, "wrap", "text", "wrap", "wrap", "wrap") for severity in SEVERITY_LABELS}


def issues_sheet(issues: Sequence[Issue]) -> SheetContent:
    """Header in row 1 (filterable), one issue a row, errors first."""
    sheet = SheetContent(ISSUES_SHEET, header_row=1, columns=list(ISSUE_SPECS))
    sheet.add([c.header for c in ISSUE_COLUMNS], style="header")
    shown_issues, left_out = listed(issues)  # a sheet holds 1,048,576 rows: the rest is summed up in one
    add_issue_rows(sheet, shown_issues)
    if left_out is not None:
        add_issue_rows(sheet, [left_out])
    if not issues:
        sheet.add(["", "", "", "", "", "未发现问题", ""], style="text")
    return sheet


def issue_row(i: Issue) -> list[str]:
    """One issue in the order of ISSUE_COLUMNS: every 问题清单 (sheet, exported .xlsx and .csv, 变动情况) uses it."""
    return [i.code, SEVERITY_LABELS[i.severity], i.sheet, i.cell, i.value, i.message, i.basis]


def issue_styles(i: Issue) -> tuple[str, ...]:
    return _ISSUE_STYLES[i.severity]  # long codes, values and 说明 wrap inside their bordered cells


def add_issue_rows(sheet: SheetContent, issues: Sequence[Issue]) -> None:
    for i in issues:
        sheet.add(issue_row(i), styles=issue_styles(i))


def changelog_sheet(previous: Sequence[Sequence[object]], entry: Sequence[object]) -> SheetContent:
    """Earlier entries as they were (rows under the header), then the new one."""
    sheet = SheetContent(CHANGELOG_SHEET, header_row=1, columns=list(CHANGELOG_SPECS))
    width = len(CHANGELOG_COLUMNS)
    sheet.add([c.header for c in CHANGELOG_COLUMNS], style="header")
    for row in previous:
        values = list(row[:width]) + [None] * (width - len(row))
        if any(v not in (None, "") for v in values):
            sheet.add(values, style="wrap")
    sheet.add(list(entry), style="wrap")
    return sheet
