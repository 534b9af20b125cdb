"""The standard draft of a 绩效目标表: every level the programme needs (数量, 质量,
时效, 成本, 社会效益, 可持续影响, 满意度), each row with 指标性质, 指标值, 度量单位,
评(扣)分标准 and 指标值设定依据及数据来源. The figures come from the rosters (or the
参数 budget when they are empty); the rows' words are data (performance_standards.json
"standard_rows" for the figures the tool computes, "demo_rows" for the others)."""
from __future__ import annotations

from typing import Iterable

from .figures import Figures
from .indicators import Known, known_value, split_key
from .layout import INDICATOR_HEADERS
from .standards import standards


def draft_rows(figures: Figures, have_keys: Iterable[str] = (), have_level2: Iterable[str] = ()) -> list[dict]:
    """The standard rows a table lacks, in level order: computed rows by key, the others by their 二级 level."""
    have_keys, have_level2 = set(have_keys), set(have_level2)
    rows = []
    for std in standards()["standard_rows"]:
        if std["key"] not in have_keys:
            rows.append({**std, "指标值": known_value(Known(*split_key(std["key"])), std["度量单位"], figures)})
    rows += [dict(r) for r in standards()["demo_rows"] if r["二级指标"] not in have_level2]
    levels = standards()["levels"]
    order = {(l1, l2): (i, j) for i, l1 in enumerate(levels) for j, l2 in enumerate(levels[l1])}
    rows.sort(key=lambda r: order[(r["一级指标"], r["二级指标"])])  # stable: standard rows keep their order
    return rows


def as_lines(rows: list[dict]) -> list[list[object]]:
    """The rows as the sheet's first nine columns, levels on the first row of their block only (the seed's way)."""
    lines, last = [], ("", "")
    for row in rows:
        level1 = row["一级指标"] if row["一级指标"] != last[0] else None
        level2 = row["二级指标"] if level1 or row["二级指标"] != last[1] else None
        last = (row["一级指标"], row["二级指标"])
        lines.append([level1, level2] + [row.get(h) for h in INDICATOR_HEADERS[2:9]])
    return lines
