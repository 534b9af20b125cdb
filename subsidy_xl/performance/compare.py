"""Shared ways of comparing a stated figure with the expected one, and of saying both."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Iterator

from ..issues import ERROR, WARNING, Issue
from ..money import Money, wan_text
from ..months import months_between
from ..params import Params
from ..rules import months_per_year
from ..schema import PERFORMANCE_SHEET
from .figures import BUDGET_SOURCE, LIVING, ONE_OFF, ROSTER_SOURCE
from .values import places

BASIS = {
    (LIVING, ROSTER_SOURCE): "生活补贴名册：全年有应发月份的人，各人月补贴标准×应发月数（身份证号无效、重复登记者不计）",
    (ONE_OFF, ROSTER_SOURCE): "一次性补助名册：应予发放的人，月岗位补贴×任满年数×每年计发月数",
    (LIVING, BUDGET_SOURCE): "参数表：生活补贴预算人数×人均月标准×月数",
    (ONE_OFF, BUDGET_SOURCE): "参数表：一次性补助预计人数×人均金额",
}


def severity(source: str) -> str:
    """Against the rosters a difference is an error; against the budget estimate a warning."""
    return ERROR if ROSTER_SOURCE in source else WARNING


def yuan_phrase(amount: Money | Decimal) -> str:
    """665280 -> '665280元（66.528万元）'."""
    amount = Decimal(amount).normalize()
    return f"{format(amount, 'f')}元（{wan_text(amount)}万元）"


def rounded(value: Fraction, digits: int) -> Decimal:
    """An exact figure rounded half up to ``digits`` decimals."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP)


def rounds_to(exact: Fraction, stated: Decimal) -> bool:
    """Does the exact figure, rounded to the places the stated one is written with, equal it?"""
    return rounded(exact, places(stated)) == stated


def average_text(exact: Fraction | None) -> str:
    return "—" if exact is None else format(rounded(exact, 2), "f")


def one_off_bounds(params: Params) -> tuple[int, int] | None:
    """The least and most one person can get under the rule, over the 换届 schedule's terms."""
    starts = params.term_starts
    spans = [months_between(a, b) for a, b in zip(starts, starts[1:])]
    k = max(params.one_off_min_terms, 1)
    if len(spans) < k or not params.rates:
        return None
    fewest_years = min(sum(spans[i:i + k]) for i in range(len(spans) - k + 1)) // 12
    low = min(params.rates.values()) * fewest_years * months_per_year(k, params)
    high = max(params.rates.values()) * (sum(spans) // 12) * months_per_year(len(spans), params)
    return low, high


def unreachable_average(code: str, cell: str, where: str, per_person: Decimal, params: Params,
                        sheet: str = PERFORMANCE_SHEET) -> Iterator[Issue]:
    bounds = one_off_bounds(params)
    if bounds and not bounds[0] <= per_person <= bounds[1]:
        yield Issue(code, WARNING, sheet, cell, f"{per_person.normalize():f}元",
                    f"{where}的一次性补助人均{per_person.normalize():f}元，按规则每人只能在{bounds[0]}元至{bounds[1]}元之间"
                    f"（月岗位补贴×任满年数×每年计发月数，按换届时间表）",
                    "呈组通〔2007〕143号；参数表“月岗位补贴标准”“换届时间表”")
