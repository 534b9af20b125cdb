"""资金安排: the seed's budget against what the rules give for the rosters,
per part and in total, and by quarter (cumulative) with the execution rate."""
from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from ..compute import LivingPerson, OneOffPerson
from ..money import Money, total
from ..months import Quarter, quarter_of
from ..params import Params
from ..rules import quarters_of_year
from ..schema import BUDGET_SHEET
from .sheet import SheetContent

PART_HEADERS = ("项目", "预算人数", "人均标准（元）", "月数", "预算金额（元）", "名册人数", "应发人数",
                "测算金额（元）", "差额（元）", "说明")
QUARTER_HEADERS = ("季度", "生活补贴预算（累计）", "生活补贴测算（累计）", "一次性补助预算（累计）",
                   "一次性补助测算（累计）", "合计预算（累计）", "合计测算（累计）", "累计执行率")


def budget_figures(living: list[LivingPerson], one_off: list[OneOffPerson], params: Params) -> dict:
    """Budget and computed amounts: the numbers both this sheet and the checks use."""
    quarters = quarters_of_year(params.budget_year)
    years = [p.year(params.budget_year, params) for p in living]
    by_quarter = list(zip(*years)) or [()] * len(quarters)
    living_by_q = [total(pay.amount for pay in quarter) for quarter in by_quarter]
    paid_living = sum(1 for year in years if any(pay.months for pay in year))
    payable = [p for p in one_off if p.payable]
    one_off_total = total(p.result.amount for p in payable)
    # The plan pays the one-off subsidy by its deadline, so both budget and computed
    # amount fall in the deadline's quarter.
    deadline_q = quarter_of(params.one_off_deadline).q if params.one_off_deadline.year == params.budget_year else 4
    return {
        "quarters": quarters,
        "living_budget": params.living_budget,
        "living_by_quarter": living_by_q,
        "living_total": total(living_by_q),
        "living_people": len(living),
        "living_paid_people": paid_living,
        "one_off_budget": params.one_off_budget,
        "one_off_total": one_off_total,
        "one_off_people": len(one_off),
        "one_off_paid_people": len(payable),
        "one_off_quarter": deadline_q,
    }


def _rate(numerator: Money, denominator: Money) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"))


def budget_sheet(f: dict, params: Params) -> SheetContent:
    sheet = SheetContent(BUDGET_SHEET)
    sheet.width = len(PART_HEADERS)
    sheet.merged_row(f"{params.budget_year}年正常离任村（社区）干部生活补助经费资金安排", "title")
    sheet.merged_row("金额单位：元；预算取自参数表，测算由名册按规则计算", "subtitle")
    sheet.add(PART_HEADERS, style="header")
    styles = ("text", "int", "money", "int", "money", "int", "int", "money", "money", "text")
    sheet.add(["生活补贴", params.living_budget_people, params.living_budget_average, params.living_budget_months,
               f["living_budget"], f["living_people"], f["living_paid_people"], f["living_total"],
               f["living_total"] - f["living_budget"],
               f"预算 {params.living_budget_people}人×{params.living_budget_average}元/月×{params.living_budget_months}月；"
               f"测算为名册各人全年应发之和"], styles=styles)
    sheet.add(["一次性补助", params.one_off_budget_people, params.one_off_budget_average, None, f["one_off_budget"],
               f["one_off_people"], f["one_off_paid_people"], f["one_off_total"],
               f["one_off_total"] - f["one_off_budget"],
               f"预算 {params.one_off_budget_people}人×{params.one_off_budget_average}元；测算为月岗位补贴×任满年数×每年计发月数之和"],
              styles=styles)
    budget = f["living_budget"] + f["one_off_budget"]
    computed = f["living_total"] + f["one_off_total"]
    sheet.add(["合计", params.living_budget_people + params.one_off_budget_people, None, None, budget,
               f["living_people"] + f["one_off_people"], f["living_paid_people"] + f["one_off_paid_people"], computed,
               computed - budget, "人数为两部分相加；同一人在两部分时重复计算，见问题清单"],
              styles=("total_text", "total", None, None, "total", "total", "total", "total", "total", "total_text"))
    sheet.skip()
    sheet.add(QUARTER_HEADERS, style="header")
    for row in cumulative_by_quarter(f):
        sheet.add([row.quarter.label, row.living_budget, row.living, row.one_off_budget, row.one_off, row.budget,
                   row.computed, row.rate], styles=("text", "money", "money", "money", "money", "money", "money", "pct"))
    return sheet


class QuarterRow(NamedTuple):
    """Cumulative amounts from Q1 to ``quarter``; ``rate`` is the computed share of the whole year's budget."""
    quarter: Quarter
    living_budget: Money
    living: Money
    one_off_budget: Money
    one_off: Money
    budget: Money
    computed: Money
    rate: Decimal | None


def cumulative_by_quarter(f: dict) -> list[QuarterRow]:
    """The living-subsidy budget spread evenly over the four quarters (exact: quarters of whole yuan are
    multiples of 0.25); the one-off budget and amount both fall in the quarter of its deadline."""
    year_budget = f["living_budget"] + f["one_off_budget"]
    rows, living_budget, living, one_off_budget, one_off = [], Decimal(0), 0, 0, 0
    for i, q in enumerate(f["quarters"]):
        living_budget += Decimal(f["living_budget"]) / 4
        living += f["living_by_quarter"][i]
        if q.q == f["one_off_quarter"]:
            one_off_budget += f["one_off_budget"]
            one_off += f["one_off_total"]
        rows.append(QuarterRow(q, total([living_budget]), living, one_off_budget, one_off,
                               total([living_budget, one_off_budget]), living + one_off, _rate(living + one_off, year_budget)))
    return rows
