"""The payment sheets: 季度发放 (living subsidy, one quarter) and 一次性补助发放.

Print-ready: title, unit line, header, people grouped with subtotals, the total
in figures and in 大写, a signature block, then the people not paid and why.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Sequence

from ..compute import LivingPerson, OneOffPerson
from ..money import rmb_upper, total
from ..months import Quarter
from ..params import Params
from ..schema import ONE_OFF_PAY_SHEET, QUARTERLY_SHEET
from .sheet import SheetContent

QUARTERLY_HEADERS = ("序号", "街道", "社区", "姓名", "身份证号", "月补贴标准", "本季月数", "本季金额", "银行账号", "开户行")
QUARTERLY_STYLES = ("int", "text", "text", "text", "text", "money", "int", "money", "text", "text")
ONE_OFF_HEADERS = ("序号", "职务类别", "街道", "社区", "姓名", "身份证号", "连续任满届数", "任满年数",
                   "月岗位补贴", "计发月数", "补助金额", "计算依据", "银行账号", "开户行")
ONE_OFF_STYLES = ("int", "text", "text", "text", "text", "text", "int", "int", "money", "int", "money", "text", "text",
                  "text")
UNPAID_HEADERS = ("序号", "街道", "社区", "姓名", "身份证号", "未发放原因")
SIGNATURES = "制表人：                审核人：                负责人：                "
SIGN_DATES = "制表日期：    年  月  日        审核日期：    年  月  日        批准日期：    年  月  日"
HEADER_ROW = 3  # Excel row of the column headers on both payment sheets (print titles repeat rows 1–3)


def _street_order(params: Params, streets: Sequence[str]) -> list[str]:
    known = list(params.streets)
    return known + sorted({s for s in streets if s not in params.streets}, key=str)


def _title(sheet: SheetContent, title: str, unit: str, headers: Sequence[str]) -> None:
    sheet.width = len(headers)
    sheet.merged_row(title, "title")
    sheet.merged_row(f"单位：{unit}        金额单位：元", "subtitle")
    sheet.add(headers, style="header")


def _closing(sheet: SheetContent, amount, label: str) -> None:
    sheet.merged_row(f"{label}合计金额（大写）：{rmb_upper(amount)}", "total_text")
    sheet.skip()
    sheet.merged_row(SIGNATURES, "note")
    sheet.merged_row(SIGN_DATES, "note")


def _unpaid(sheet: SheetContent, title: str, people: list[tuple[object, str]]) -> None:
    sheet.skip()
    sheet.merged_row(f"{title}（{len(people)}人）", "subtitle")
    sheet.add(UNPAID_HEADERS, style="header")
    for i, (rec, reason) in enumerate(people, 1):
        v = rec.values
        sheet.add([i, v.get("street"), v.get("community"), v.get("name"), v.get("id_text") or v.get("id"), reason],
                  styles=("int", "text", "text", "text", "text", "text"))


def quarterly_sheet(people: list[LivingPerson], quarter: Quarter, params: Params, unit: str) -> tuple[SheetContent, dict]:
    """The 季度发放 sheet and its figures: totals by street, people paid and not paid."""
    sheet = SheetContent(QUARTERLY_SHEET)
    _title(sheet, f"{quarter.label}正常离任社区干部生活补贴发放表", unit, QUARTERLY_HEADERS)
    by_street: dict[str, list] = defaultdict(list)
    unpaid = []
    for p in people:
        pay = p.pay(quarter, params)
        if pay.months:
            by_street[p.rec.values.get("street") or "（未填街道）"].append((p, pay))
        else:
            unpaid.append((p.rec, pay.reason))
    seq = 0
    street_totals = {}
    for street in _street_order(params, list(by_street)):
        rows = by_street.get(street)
        if not rows:
            continue
        for p, pay in rows:
            seq += 1
            v = p.rec.values
            sheet.add([seq, street, v.get("community"), v.get("name"), v.get("id_number"), p.standard, pay.months,
                       pay.amount, v.get("account"), v.get("bank")], styles=QUARTERLY_STYLES)
        street_totals[street] = (len(rows), total(pay.amount for _, pay in rows))
        n, amount = street_totals[street]
        sheet.add([None, f"{street}小计", None, f"{n}人", None, None, sum(pay.months for _, pay in rows), amount,
                   None, None], styles=("total_text",) * 5 + ("total", "total", "total", "total_text", "total_text"))
    grand = total(a for _, a in street_totals.values())
    paid = sum(n for n, _ in street_totals.values())
    sheet.add([None, "合计", None, f"{paid}人", None, None, None, grand, None, None],
              styles=("total_text",) * 5 + ("total",) * 3 + ("total_text",) * 2)
    _closing(sheet, grand, "")
    _unpaid(sheet, "本季未发放人员", unpaid)
    return sheet, {"street_totals": street_totals, "total": grand, "paid": paid, "unpaid": len(unpaid)}


def one_off_sheet(people: list[OneOffPerson], params: Params, unit: str) -> tuple[SheetContent, dict]:
    sheet = SheetContent(ONE_OFF_PAY_SHEET)
    _title(sheet, f"{params.budget_year}年社区“两委”换届正常离任干部一次性补助发放表", unit, ONE_OFF_HEADERS)
    by_category: dict[str, list[OneOffPerson]] = defaultdict(list)
    unpaid = []
    for p in people:
        if p.result is not None and p.result.amount > 0 and not p.blocked:
            by_category[p.category].append(p)
        else:
            unpaid.append((p.rec, p.blocked or (p.result.reason if p.result else "信息不全")))
    seq = 0
    category_totals = {}
    order = list(params.rates) + sorted(c for c in by_category if c not in params.rates)
    for category in order:
        rows = by_category.get(category)
        if not rows:
            continue
        for p in rows:
            seq += 1
            v, r = p.rec.values, p.result
            sheet.add([seq, category, v.get("street"), v.get("community"), v.get("name"), v.get("id_number"), r.terms,
                       r.years, r.rate, r.months, r.amount, r.basis, v.get("account"), v.get("bank")],
                      styles=ONE_OFF_STYLES)
        amount = total(p.result.amount for p in rows)
        category_totals[category] = (len(rows), amount)
        sheet.add([None, f"{category}小计", None, None, f"{len(rows)}人", None, None, None, None,
                   sum(p.result.months for p in rows), amount, None, None, None],
                  styles=("total_text",) * 9 + ("total", "total") + ("total_text",) * 3)
    grand = total(a for _, a in category_totals.values())
    paid = sum(n for n, _ in category_totals.values())
    sheet.add([None, "合计", None, None, f"{paid}人", None, None, None, None, None, grand, None, None, None],
              styles=("total_text",) * 10 + ("total",) + ("total_text",) * 3)
    _closing(sheet, grand, "")
    _unpaid(sheet, "不予发放或暂缓发放人员", unpaid)
    return sheet, {"category_totals": category_totals, "total": grand, "paid": paid, "unpaid": len(unpaid)}
