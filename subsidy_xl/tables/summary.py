"""汇总: amounts by 街道 and by quarter against budget, the data of the sheet's two charts.

The charts live in the template and point at fixed cells (the constants below);
refresh rewrites only the cells, so the charts follow. Hence a fixed number of
street rows: with more streets than rows, the last row gathers the rest.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Iterable

from ..compute import LivingPerson, OneOffPerson
from ..money import normalise, total
from ..months import Quarter
from ..params import Params
from ..schema import SUMMARY_SHEET
from .budget import cumulative_by_quarter
from .layout import ColumnSpec, PageLayout
from .sheet import SheetContent

STREET_HEADERS = ("街道", "本季发放人数", "本季生活补贴", "全年生活补贴（测算）", "一次性补助人数", "一次性补助",
                  "全年合计")
QUARTER_HEADERS = ("季度", "累计预算", "累计测算", "累计执行率")
WIDTHS = (14, 12, 13, 15, 12, 13, 14)

# Fixed cells the template's charts read (Excel rows; columns are 0-based into STREET_HEADERS/QUARTER_HEADERS).
STREET_HEADER_ROW = 3
STREET_ROWS = 10  # 呈贡区 has ten 街道
STREET_FIRST_ROW = STREET_HEADER_ROW + 1
STREET_LAST_ROW = STREET_FIRST_ROW + STREET_ROWS - 1
STREET_TOTAL_ROW = STREET_LAST_ROW + 1
STREET_CHART_COLS = (3, 5)  # 全年生活补贴, 一次性补助: stacked per street
QUARTER_HEADER_ROW = STREET_TOTAL_ROW + 2
QUARTER_FIRST_ROW = QUARTER_HEADER_ROW + 1
QUARTER_LAST_ROW = QUARTER_FIRST_ROW + 3
QUARTER_CHART_COLS = (1, 2)  # 累计预算, 累计测算
OTHERS = "其他街道"
NO_STREET = "（未填街道）"


def known_first(known: Iterable[str], seen: Iterable[str]) -> list[str]:
    """``known`` (a 参数 list) in its order, then the other names in ``seen`` (named in a roster), sorted."""
    known = list(known)
    return known + sorted(set(seen) - set(known), key=str)


def street_order(params: Params, seen: Iterable[str]) -> list[str]:
    """The 参数 sheet's streets in its order, then any other street named in a roster, sorted."""
    return known_first(params.streets, seen)


def summary_sheet(living: list[LivingPerson], one_off: list[OneOffPerson], quarter: Quarter, params: Params,
                  figures: dict) -> SheetContent:
    # Exact running sums (int or Decimal) by street: paid now, now, year, one-off people, one-off.
    by_street: dict[str, list] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for p in living:
        s = by_street[p.rec.values.get("street") or NO_STREET]
        now = p.pay(quarter, params)
        if now.months:
            s[0] += 1
        s[1] += now.amount
        s[2] += sum(pay.amount for pay in p.year(params.budget_year, params))
    for p in one_off:
        if p.payable:
            s = by_street[p.rec.values.get("street") or NO_STREET]
            s[3] += 1
            s[4] += p.result.amount
    rows = []
    for name in street_order(params, by_street):
        n, now, year, m, once = by_street[name]
        rows.append([name, n, normalise(now), normalise(year), m, normalise(once)])
    if len(rows) > STREET_ROWS:
        rest = rows[STREET_ROWS - 1:]
        rows = rows[:STREET_ROWS - 1] + [[OTHERS] + [total(r[i] for r in rest) for i in range(1, 6)]]
    # One page (the template's two charts beside the tables), the title rows repeated.
    sheet = SheetContent(SUMMARY_SHEET, header_row=2, columns=[ColumnSpec(min_width=w) for w in WIDTHS],
                         page=PageLayout(fit_height=True))
    sheet.width = len(STREET_HEADERS)
    sheet.merged_row(f"{params.budget_year}年正常离任村（社区）干部补助经费汇总", "title")
    sheet.merged_row(f"本季：{quarter.label}；金额单位：元；测算由名册按规则计算，预算取自参数表", "subtitle")
    styles = ("text", "int", "money", "money", "int", "money", "money")
    sheet.add(STREET_HEADERS, style="header", row=STREET_HEADER_ROW)
    for i in range(STREET_ROWS):
        if i < len(rows):
            name, n, now, year, m, once = rows[i]
            sheet.add([name, n, now, year, m, once, year + once], styles=styles, row=STREET_FIRST_ROW + i)
    sums = [total(r[i] for r in rows) for i in range(1, 6)]
    sheet.add(["合计", *sums, sums[2] + sums[4]], styles=("total_text", "total_int", "total", "total", "total_int", "total", "total"),
              row=STREET_TOTAL_ROW)
    sheet.add(QUARTER_HEADERS, style="header", row=QUARTER_HEADER_ROW)
    for i, q in enumerate(cumulative_by_quarter(figures)):
        sheet.add([q.quarter.label, q.budget, q.computed, q.rate], styles=("text", "money", "money", "pct"),
                  row=QUARTER_FIRST_ROW + i)
    return sheet
