"""Layout of the 绩效目标表 sheet: header rows, then the indicator table."""
from __future__ import annotations



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


GOAL_LABELS = ("年度绩效目标",)
GOAL_CHARS = 480  # the generated 年度绩效目标 runs to about 350 characters
# The form's signature line, at the foot of every printed page (the rows above it belong to staff and the tool).
SIGNATURE_FOOTER = ("&L&10填报单位（盖章）：&C&10填报人：            联系电话：            "
                    "填报日期：      年    月    日&R&9第&P页 共&N页")
