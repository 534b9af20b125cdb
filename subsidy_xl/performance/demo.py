"""The demo workbook's 绩效目标表: the standard rows at the 参数 budget's figures
(what an application written before the rosters would say), then rows staff
typically add. Filling it from the demo's rosters shows what changes."""
from __future__ import annotations

from ..params import Params
from .figures import figures_for
from .draft import as_lines, draft_rows

UNIT = "中国共产党昆明市呈贡区委员会社会工作部"


def demo_table(params: Params) -> dict:
    return {"header": {"主管部门": UNIT}, "indicators": as_lines(draft_rows(figures_for([], [], params)))}
