"""资金安排: the seed's budget against what the rules give for the rosters,
per part and in total, and by quarter (cumulative) with the execution rate.

Per part: 应发 (what the rules give from the rosters as typed), 暂缓 (the part of it
held by errors on people's rows, see compute.hold) and 实发 (what the payment
sheets pay: 应发 − 暂缓). The quarter table and the execution rate use 实发."""
from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from ..compute import LivingPerson, OneOffPerson
from ..money import Money, total
from ..months import Quarter, quarter_of
from ..params import Params
from ..rules import quarters_of_year
from ..schema import BUDGET_SHEET
from .layout import ColumnSpec
from .sheet import SheetContent

PART_HEADERS = ("项目", "预算人数", "人均标准（元）", "月数", "预算金额（元）", "名册人数", "应发人数",
                "应发金额（元）", "暂缓人数", "暂缓金额（元）", "实发人数", "实发金额（元）", "差额（实发−预算）", "说明")
QUARTER_HEADERS = ("季度", "生活补贴预算（累计）", "生活补贴测算（累计）", "一次性补助预算（累计）",
                   "一次性补助测算（累计）", "合计预算（累计）", "合计测算（累计）", "累计执行率（累计测算÷全年预算）")


def budget_figures(living: list[LivingPerson], one_off: list[OneOffPerson], params: Params,
                   stopped: bool = False) -> dict:
    """Budget and computed amounts: the numbers both this sheet and the checks use. ``living_total``,
    ``one_off_total`` and the people ``paid`` are 实发 (held people left out); ``*_held_*`` the people held and
    what the rules give them from the values as typed (None while the 参数 sheet has errors, ``stopped``: no
    figure is then computed from a parameter the tool would have to choose)."""
    quarters = quarters_of_year(params.budget_year)
    years = [p.year(params.budget_year, params) for p in living]
    by_quarter = list(zip(*years)) or [()] * len(quarters)
    living_by_q = [total(pay.amount for pay in quarter) for quarter in by_quarter]
    paid_living = sum(1 for year in years if any(pay.months for pay in year))
    payable = [p for p in one_off if p.payable]
    one_off_total = total(p.result.amount for p in payable)
    living_held = [p for p in living if p.held]
    one_off_held = [p for p in one_off if p.held]
    living_held_total = one_off_held_total = None
    if not stopped:
        living_held_total = total(pay.amount for p in living_held if not p.blocked
                                  for pay in p.due_year(params.budget_year, params))
        one_off_held_total = total(p.due for p in one_off_held if p.due is not None)
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
        "living_held_people": len(living_held),
        "living_held_total": living_held_total,
        "living_held_unknown": sum(1 for p in living_held if p.blocked) if not stopped else len(living_held),
        "one_off_held_people": len(one_off_held),
        "one_off_held_total": one_off_held_total,
        "one_off_held_unknown": sum(1 for p in one_off_held if p.due is None) if not stopped else len(one_off_held),
        "stopped": stopped,
    }


def _plus(a: Money | None, b: Money | None) -> Money | None:
    return None if a is None or b is None else a + b


def _held_note(held: int, unknown: int, stopped: bool) -> str:
    if stopped:
        return "参数表有错误，本次不生成发放名单，全部暂缓；应发、暂缓金额待参数改正后测算"
    text = f"暂缓{held}人：名册有错误，按所填数值测算，改正后再发" if held else "无暂缓发放"
    return text + (f"（其中{unknown}人无法测算，未计入）" if unknown else "")


def _rate(numerator: Money, denominator: Money) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"))


def budget_sheet(f: dict, params: Params) -> SheetContent:
    sheet = SheetContent(BUDGET_SHEET, header_row=2, columns=[ColumnSpec(max_width=40) if h == "说明" else None
                                                               for h in PART_HEADERS])
    sheet.width = len(PART_HEADERS)
    sheet.merged_row(f"{params.budget_year}年正常离任村（社区）干部生活补助经费资金安排", "title")
    sheet.merged_row("金额单位：元；预算取自参数表，测算由名册按规则计算", "subtitle")
    sheet.add(PART_HEADERS, style="header")
    styles = ("text", "int", "money", "int", "money", "int", "int", "money", "int", "money", "int", "money", "money",
              "wrap")
    stopped = f.get("stopped", False)
    parts = []
    for key, label, people, average, months, note in (
            ("living", "生活补贴", params.living_budget_people, params.living_budget_average, params.living_budget_months,
             f"预算 {params.living_budget_people}人×{params.living_budget_average}元/月×{params.living_budget_months}月；"
             "应发为名册各人全年按规则测算之和"),
            ("one_off", "一次性补助", params.one_off_budget_people, params.one_off_budget_average, None,
             f"预算 {params.one_off_budget_people}人×{params.one_off_budget_average}元；"
             "应发为月岗位补贴×任满年数×每年计发月数之和")):
        held_people, held_total = f[f"{key}_held_people"], f[f"{key}_held_total"]
        paid_people, paid = f[f"{key}_paid_people"], f[f"{key}_total"]
        parts.append((paid_people + held_people, _plus(paid, held_total), held_people, held_total, paid_people, paid))
        sheet.add([label, people, average, months, f[f"{key}_budget"], f[f"{key}_people"], *parts[-1],
                   paid - f[f"{key}_budget"],
                   f"{note}；{_held_note(held_people, f[f'{key}_held_unknown'], stopped)}"], styles=styles)
    budget = f["living_budget"] + f["one_off_budget"]
    computed = f["living_total"] + f["one_off_total"]
    sums = [a + b if a is not None and b is not None else None for a, b in zip(*parts)]
    sheet.add(["合计", params.living_budget_people + params.one_off_budget_people, None, None, budget,
               f["living_people"] + f["one_off_people"], *sums,
               computed - budget, "人数为两部分相加；同一人在两部分时重复计算，见问题清单；应发＝实发＋暂缓"],
              styles=("total_text", "total_int", "total_text", "total_text", "total", "total_int", "total_int", "total",
                      "total_int", "total", "total_int", "total", "total", "wrap"))  # people counts as counts, not money
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
