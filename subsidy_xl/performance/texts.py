"""The narrative texts of a workbook and what each says (narrative.read_text).

Read in this order, which is also the order "first said" follows when texts
disagree: every text in 项目信息 column B (its 年度绩效目标, 中长期绩效目标 and any
row staff add, such as 单位概况 or 资金安排情况), the 绩效目标表's own goals, then
each indicator row's 指标值设定依据及数据来源.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..cells import a1
from ..schema import PERFORMANCE_SHEET, PROJECT_INFO_SHEET
from .model import Grid, PerformanceTable
from .narrative import TextFacts, read_text

GOAL_ITEMS = ("中长期绩效目标", "年度绩效目标")


@dataclass(frozen=True)
class Text:
    sheet: str
    cell: str
    label: str  # what the text is, e.g. 年度绩效目标
    facts: TextFacts

    @property
    def where(self) -> str:
        """How messages point at it: 项目信息!B15（年度绩效目标）."""
        return f"{self.sheet}!{self.cell}（{self.label}）"


def collect_texts(table: PerformanceTable, info_grid: Grid | None) -> list[Text]:
    texts = []
    for r, row in enumerate(info_grid or []):
        if len(row) > 1 and _has_digits(row[1]):
            texts.append(Text(PROJECT_INFO_SHEET, a1(r + 1, 1), str(row[0] or "").strip(), read_text(row[1])))
    for label in GOAL_ITEMS:
        if _has_digits(table.header.get(label)):
            texts.append(Text(PERFORMANCE_SHEET, table.header_cells[label], label, read_text(table.header[label])))
    for row in table.rows:
        if _has_digits(row.get("basis")):
            texts.append(Text(PERFORMANCE_SHEET, row.cell("basis"), f"{row.label}的依据", read_text(row.get("basis"))))
    return texts


def quoted(texts: list[Text], part: str, kind: str) -> dict[Decimal, str]:
    """The values of one kind the texts give a part, each with where it was first said."""
    found: dict[Decimal, str] = {}
    for t in texts:
        for m in t.facts.values(part, kind):
            found.setdefault(m.value, t.where)
    return found


def _has_digits(value: object) -> bool:
    return isinstance(value, str) and any(ch.isdigit() for ch in value)
