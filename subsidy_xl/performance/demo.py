"""The demo workbook's 绩效目标表: the standard rows at the 参数 budget's figures
(what an application written before the rosters would say), then rows staff
typically add. Filling it from the demo's rosters shows what changes."""
from __future__ import annotations

from ..params import Params
from .figures import figures_for
from .fill import known_value, split_key
from .indicators import Known
from .layout import INDICATOR_HEADERS
from .standards import standards

UNIT = "中国共产党昆明市呈贡区委员会社会工作部"


def demo_table(params: Params) -> dict:
    budget = figures_for([], [], params)
    rows = []
    for std in standards()["standard_rows"]:
        value = known_value(Known(*split_key(std["key"])), std["度量单位"], budget)
        rows.append({**std, "指标值": value})
    rows += standards()["demo_rows"]
    levels = standards()["levels"]
    order = {(l1, l2): (i, j) for i, l1 in enumerate(levels) for j, l2 in enumerate(levels[l1])}
    rows.sort(key=lambda r: order[(r["一级指标"], r["二级指标"])])  # stable: standard rows keep their order
    indicators, last = [], ("", "")
    for row in rows:
        # Levels on the first row of their block only, as the seed writes them.
        level1 = row["一级指标"] if row["一级指标"] != last[0] else None
        level2 = row["二级指标"] if level1 or row["二级指标"] != last[1] else None
        last = (row["一级指标"], row["二级指标"])
        indicators.append([level1, level2] + [row.get(h) for h in INDICATOR_HEADERS[2:9]])
    return {"header": {"主管部门": UNIT}, "indicators": indicators}
