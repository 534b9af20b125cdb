"""Layout of the 绩效目标表 sheet: header rows, then the indicator table."""
from __future__ import annotations

from typing import Mapping, Sequence

from ..cells import col_letter
from ..schema import STYLES

TITLE = "项目绩效目标表"
HEADER_ITEMS = ("项目名称", "主管部门", "实施单位", "年度资金总额", "其中：财政拨款", "中长期绩效目标", "年度绩效目标")
INDICATOR_HEADERS = ("一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "指标属性", "评(扣)分标准",
                     "指标值设定依据及数据来源", "完成值", "得分", "偏差原因")
# The names code uses for the indicator columns, one per header.
INDICATOR_KEYS = ("level1", "level2", "name", "nature", "target", "unit", "attribute", "rule", "basis", "actual",
                  "score", "deviation")
INDICATOR_WIDTHS = (18, 10, 24, 8, 12, 8, 8, 24, 34, 10, 8, 16)
HEADER_FIRST_ROW = 2  # Excel row of 项目名称
INDICATOR_HEADER_ROW = HEADER_FIRST_ROW + len(HEADER_ITEMS) + 1  # one blank row between

# The self-evaluation summary block, below the indicator rows after one blank row.
# Its title in column A marks where the indicator rows end; every cell of the block
# is the tool's except the value of EXECUTED_LABEL, which staff type.
SUMMARY_TITLE = "绩效自评"
SUMMARY_HEADERS = ("项目", "权重", "得分", "说明")
EXECUTED_LABEL = "全年执行数（元）"
TOTAL_LABEL = "合计"
GRADE_LABEL = "自评等级"
EXECUTION_LEVEL = "预算执行率"  # the 参数 weight that scores spending against the budget, not indicators


def write_performance_sheet(ws, data: Mapping[str, object] | None = None) -> None:
    """Title, the header items (label in A, value in B merged across), the indicator header and rows,
    printed like the official form: bordered and wrapped cells, rows as tall as their text (computed: no
    spreadsheet program fits a merged cell), one page wide, the indicator header on every page, and the
    signature line (填报单位（盖章）, 填报人, 日期) at the foot of every page."""
    from ..tables.layout import ROW_PADDING, PageLayout, line_height, lines_needed
    from ..template import page_setup

    data = data or {}
    width = len(INDICATOR_HEADERS)
    ws.cell(1, 1, TITLE).style = STYLES["title"]
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.row_dimensions[1].height = round(line_height("title") + ROW_PADDING, 1)
    for i, h in enumerate(INDICATOR_HEADERS, 1):
        ws.column_dimensions[col_letter(i - 1)].width = INDICATOR_WIDTHS[i - 1]
    value_width = sum(INDICATOR_WIDTHS[1:])
    for i, label in enumerate(HEADER_ITEMS):
        r = HEADER_FIRST_ROW + i
        ws.cell(r, 1, label).style = STYLES["form_label"]
        value = (data.get("header") or {}).get(label)
        cell = ws.cell(r, 2, value)
        cell.style = STYLES["form_text"]
        for c in range(3, width + 1):  # the merged value's border on every cell it covers
            ws.cell(r, c).style = STYLES["form_text"]
        ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=width)
        # Goals are filled later by the tool (fill.py patches cells, not heights): room for GOAL_CHARS characters.
        room = "字" * GOAL_CHARS if label in GOAL_LABELS else str(value or "")
        lines = max(lines_needed(room, "form_text", value_width), lines_needed(label, "form_label", INDICATOR_WIDTHS[0]))
        ws.row_dimensions[r].height = round(lines * line_height("form_text") + ROW_PADDING, 1)
    for i, h in enumerate(INDICATOR_HEADERS, 1):
        ws.cell(INDICATOR_HEADER_ROW, i, h).style = STYLES["header"]
    ws.row_dimensions[INDICATOR_HEADER_ROW].height = round(2 * line_height("header") + ROW_PADDING, 1)
    rows: Sequence[Sequence[object]] = data.get("indicators") or ()
    for r, row in enumerate(rows, INDICATOR_HEADER_ROW + 1):
        lines = 1
        for c, value in enumerate(row, 1):
            ws.cell(r, c, value).style = STYLES["form_text"]
            if value not in (None, ""):
                lines = max(lines, lines_needed(str(value), "form_text", INDICATOR_WIDTHS[c - 1]))
        for c in range(len(row) + 1, width + 1):
            ws.cell(r, c).style = STYLES["form_text"]
        ws.row_dimensions[r].height = round(lines * line_height("form_text") + ROW_PADDING, 1)
    ws.freeze_panes = f"A{INDICATOR_HEADER_ROW + 1}"
    page_setup(ws, PageLayout(title_rows=(INDICATOR_HEADER_ROW, INDICATOR_HEADER_ROW), footer=SIGNATURE_FOOTER))


GOAL_LABELS = ("年度绩效目标",)
GOAL_CHARS = 480  # the generated 年度绩效目标 runs to about 350 characters
# The form's signature line, at the foot of every printed page (the rows above it belong to staff and the tool).
SIGNATURE_FOOTER = ("&L&10填报单位（盖章）：&C&10填报人：            联系电话：            "
                    "填报日期：      年    月    日&R&9第&P页 共&N页")
