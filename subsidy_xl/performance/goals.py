"""The 年度绩效目标 text, written from the figures in the seed's form:

一、正常离任社区干部生活补贴（共计X万元）：对全区N名……每人每月平均A元，共计X万元（N人*A元/月*12月=X万元）。
二、社区干部离任一次性补助（共计Y万元）：……K人，每人B万元（K人*B万元=Y万元）。

A product is written only when it is exact. From the budget it always is; from
a roster it is not when someone is paid part of the year or the average has
more than two decimals (fen), and then the text gives the rounded average as
such (约) and says how the total was reached, so that every figure in it can
be checked.
"""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from ..money import wan_text
from ..params import Params
from .compare import rounded
from .figures import BUDGET_SOURCE, Figures, Part

ELIGIBLE = ("社区“两委”班子换届后正常离任，且连续任满{min_terms}届以上的社区党组织书记、居委会主任；经批准设立党委的社区副书记；"
            "书记、主任“一肩挑”的社区副书记；居委会副主任、监委会主任")


def annual_goal_text(figures: Figures, params: Params) -> str:
    return f"{_living(figures.living, figures.months)}\n{_one_off(figures.one_off, params)}"


def _exact(value: Fraction, max_places: int) -> Decimal | None:
    """The value as a Decimal when it has at most ``max_places`` decimals, else None."""
    scaled = value * 10 ** max_places
    if scaled.denominator != 1:
        return None
    return (Decimal(scaled.numerator).scaleb(-max_places)).normalize()


def _living(part: Part, months: int) -> str:
    x = wan_text(part.amount)
    head = f"一、正常离任社区干部生活补贴（共计{x}万元）：对全区{part.people}名正常离任社区干部发放生活补贴，"
    average = part.average
    if average is None:
        return head + f"共计{x}万元。"
    a = _exact(average, 2)
    if a is not None and part.units == part.people * months:
        return head + f"每人每月平均{a:f}元，共计{x}万元（{part.people}人*{a:f}元/月*{months}月={x}万元）。"
    return head + (f"每人每月平均约{rounded(average, 2):f}元，共计{x}万元"
                   f"（按名册{part.people}人、共{part.units}人月逐人逐月计算）。")


def _one_off(part: Part, params: Params) -> str:
    y = wan_text(part.amount)
    by_rate: dict[int, list[str]] = {}
    for category, rate in params.rates.items():
        by_rate.setdefault(rate, []).append(category)
    rates = "、".join(f"{'和'.join(cats)}每人每月{rate}元" for rate, cats in by_rate.items())
    rule = (f"连续任满{params.one_off_min_terms}届的每任职一年发放{params.months_per_year_one_term}个月，"
            f"连续任满{params.multi_term_threshold}届及以上的每任职一年发放{params.months_per_year_multi_term}个月")
    head = (f"二、社区干部离任一次性补助（共计{y}万元）：{ELIGIBLE.format(min_terms=params.one_off_min_terms)}，"
            f"按{rates}，{rule}的标准发放一次性补助。")
    average = part.average
    if average is None:
        return head + f"共计{y}万元。"
    b = _exact(average / 10000, 4)  # whole yuan in 万元
    if b is not None:
        counted = "预计" if part.source == BUDGET_SOURCE else "共"
        return head + f"{counted}{part.people}人，每人{b:f}万元（{part.people}人*{b:f}万元={y}万元）。"
    return head + f"共{part.people}人，人均约{rounded(average / 10000, 4):f}万元，按名册逐人计算共计{y}万元。"
