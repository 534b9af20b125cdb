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
INDICATOR_WIDTHS = (10, 10, 24, 8, 12, 8, 8, 22, 40, 10, 8, 20)
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
    """Title, the header items (label in A, value in B merged across), the indicator header and rows."""
    data = data or {}
    width = len(INDICATOR_HEADERS)
    ws.cell(1, 1, TITLE).style = STYLES["title"]
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    for i, label in enumerate(HEADER_ITEMS):
        r = HEADER_FIRST_ROW + i
        ws.cell(r, 1, label).style = STYLES["header"]
        cell = ws.cell(r, 2, (data.get("header") or {}).get(label))
        cell.style = STYLES["note"]
        ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=width)
    for i, h in enumerate(INDICATOR_HEADERS, 1):
        ws.cell(INDICATOR_HEADER_ROW, i, h).style = STYLES["header"]
        ws.column_dimensions[col_letter(i - 1)].width = INDICATOR_WIDTHS[i - 1]
    rows: Sequence[Sequence[object]] = data.get("indicators") or ()
    for r, row in enumerate(rows, INDICATOR_HEADER_ROW + 1):
        for c, value in enumerate(row, 1):
            ws.cell(r, c, value).style = STYLES["note"]
    ws.freeze_panes = f"A{INDICATOR_HEADER_ROW + 1}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
