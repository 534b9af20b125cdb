"""The subsidy rules: pure functions over exact numbers, parameters passed in.

Money is integer yuan, or Decimal where a person's approved standard has jiao/fen;
nothing here rounds except where stated (full years served are whole years,
counted down: 4 years 11 months is 4 years).
"""
from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import Iterable, NamedTuple

from .money import Money
from .months import Quarter, YearMonth, months_between
from .params import Params, default_params



# ---------------------------------------------------------------- one-off subsidy

class OneOff(NamedTuple):
    amount: int  # yuan
    rate: int  # 月岗位补贴
    months: int  # 计发月数 = years x months per year
    years: int  # full years served
    terms: int  # consecutive full terms
    per_year: int  # months paid per full year (0, 1 or 2 by default)
    reason: str | None  # why the amount is 0, in Chinese
    basis: str  # the rule as applied, e.g. 2200元×5年×1个月=11000元


def post_rate(category: str, params: Params) -> int:
    """Monthly post subsidy of a 职务类别."""
    try:
        return params.rates[category]
    except KeyError:
        raise ValueError(f"未知职务类别：{category}（应为 {'、'.join(params.rates)}）") from None


def months_per_year(terms: int, params: Params) -> int:
    """1 month per full year after one full term, 2 after two or more consecutive full terms."""
    if terms < params.one_off_min_terms:
        return 0
    if terms >= params.multi_term_threshold:
        return params.months_per_year_multi_term
    return params.months_per_year_one_term


def one_off_months(terms: int, years: int, params: Params) -> int:
    """计发月数."""
    return int(years) * months_per_year(int(terms), params)


def years_for_terms(terms: int, params: Params) -> int:
    """Full years of the last ``terms`` terms of the 换届 schedule, ending at its latest 换届."""
    starts = params.term_starts
    spans = [months_between(a, b) for a, b in zip(starts, starts[1:])]
    if terms > len(spans):
        raise ValueError(f"换届时间表只有{len(spans)}个完整届期，无法推算{terms}届的任职年数，请填写任满年数")
    return sum(spans[len(spans) - terms:]) // 12 if terms > 0 else 0


def counted_span(start: YearMonth, end: YearMonth, params: Params) -> tuple[YearMonth, YearMonth]:
    """Tenure dates as both the terms and the years are counted: a start up to ``term_tolerance_months``
    after a 换届 counts from that 换届, an end up to that many months before a 换届 counts to it.

    One rule for terms and years alike (policy.md §4: a term 2021-03 → 2026-01 that counts as one full term
    counts as its 5 years); dates only ever move towards a 换届 that they miss by the tolerance, so the span
    never shrinks.
    """
    tol = params.term_tolerance_months
    s, e = start.index, end.index
    for a in params.term_starts:
        if a.index < s <= a.index + tol:
            s = a.index
        if a.index - tol <= e < a.index:
            e = a.index
    return YearMonth.from_index(s), YearMonth.from_index(e)


def full_terms_and_years(start: YearMonth, end: YearMonth, params: Params) -> tuple[int, int]:
    """Consecutive full terms of the schedule inside [start, end], and full years served, both over the
    counted_span of the dates (so the 换届 tolerance counts a term and its years alike)."""
    s, e = counted_span(start, end, params)
    starts = params.term_starts
    terms = sum(1 for a, b in zip(starts, starts[1:]) if s.index <= a.index and e.index >= b.index)
    return terms, max(0, months_between(s, e)) // 12


class SpanCheck(NamedTuple):
    """What a living-roster tenure span (任职起始年月 to 离任年月) allows the typed 年限 and 届数 to be."""
    months: int  # months served, as dated
    years_low: Decimal  # whole years counted down
    years_high: Decimal  # the span plus the 换届 tolerance, in years
    terms_low: int | None  # None: the span's terms cannot be told from the dates (partly before the schedule)
    terms_high: int | None
    basis: str  # how the terms were counted, for messages


def living_span(start: YearMonth, left: YearMonth, params: Params) -> SpanCheck | None:
    """The years and terms a living-roster span allows; None when the dates are reversed.

    Years: a typed 连续任职年限 may be the whole years counted down, or up to the 换届 tolerance more.
    Terms: within the 换届时间表, exactly its full terms (full_terms_and_years); a span ending no later than
    its first 换届 is counted in terms of ``early_term_years`` (three-year terms before the 2018 amendment):
    full terms of the span, one more when the tolerance completes one.
    """
    months = months_between(start, left)
    if months < 0:
        return None
    tol = params.term_tolerance_months
    low, high = Decimal(months // 12), Decimal(months + tol) / 12
    first = params.term_starts[0] if params.term_starts else None
    if first is not None and start.index >= first.index - tol:
        terms, _years = full_terms_and_years(start, left, params)
        return SpanCheck(months, low, high, terms, terms, "换届时间表")
    if first is None or left.index <= first.index + tol:
        length = params.early_term_years * 12
        if length > 0:
            return SpanCheck(months, low, high, months // length, (months + tol) // length,
                             f"每届{params.early_term_years}年")
    return SpanCheck(months, low, high, None, None, "")


def one_off_subsidy(category: str, terms: int, years: int | Decimal | None = None,
                    params: Params | None = None) -> OneOff:
    """rate x full years served x (1 or 2); 0 with a reason below one full term."""
    params = params or default_params()
    rate = post_rate(category, params)
    terms = int(terms)
    if terms < 0:
        raise ValueError(f"连续任满届数不能为负数：{terms}")
    if years is None:
        years = years_for_terms(terms, params)
    if years < 0:
        raise ValueError(f"任满年数不能为负数：{years}")
    full_years = int(years)  # whole years only, counted down
    per_year = months_per_year(terms, params)
    if per_year == 0:
        reason = f"连续任满不足{params.one_off_min_terms}届，不享受一次性补助"
        return OneOff(0, rate, 0, full_years, terms, 0, reason, reason)
    months = full_years * per_year
    amount = rate * months
    basis = f"{rate}元×{full_years}年×{per_year}个月={amount}元（连续任满{terms}届）"
    reason = None if amount else "任满年数为0"
    return OneOff(amount, rate, months, full_years, terms, per_year, reason, basis)


# ---------------------------------------------------------------- living subsidy

class LivingPay(NamedTuple):
    months: int
    amount: Money
    reason: str | None  # why nothing is paid, when months == 0


def eligible_age_month(birth: _dt.date, gender: str, params: Params) -> YearMonth:
    """The month of the birthday on which the person reaches the age threshold."""
    age = params.min_age_male if gender == "男" else params.min_age_female
    return YearMonth(birth.year + age, birth.month)


def payable_months(pay_start: YearMonth, pay_stop: YearMonth | None, stop_offset: int,
                   months: Iterable[YearMonth], eligible_from: YearMonth | None = None) -> list[YearMonth]:
    """The months among ``months`` that are paid.

    ``pay_stop`` is the month of the stop event; ``stop_offset`` is how many months
    from it are still paid (1 when the stop takes effect the month after, 0 when
    it takes effect at once).
    """
    first = pay_start if eligible_from is None else max(pay_start, eligible_from)
    end = None if pay_stop is None else pay_stop.index + stop_offset  # first month not paid
    return [m for m in months if m.index >= first.index and (end is None or m.index < end)]


def living_quarter(standard: Money, pay_start: YearMonth, pay_stop: YearMonth | None, stop_reason: str | None,
                   quarter: Quarter, params: Params, eligible_from: YearMonth | None = None) -> LivingPay:
    """Months and amount payable in a quarter: approved standard x months."""
    offset = 0
    if pay_stop is not None:
        if stop_reason not in params.stop_effects:
            raise ValueError(f"停发原因“{stop_reason or '空'}”不在参数表中")
        offset = params.stop_effects[stop_reason]
    # The months of payable_months(..., quarter.months, ...), counted: a quarter is 3 consecutive months.
    first = quarter.first_index
    start = pay_start.index if eligible_from is None else max(pay_start.index, eligible_from.index)
    end = first + 3 if pay_stop is None else min(first + 3, pay_stop.index + offset)  # first month not paid
    paid = end - max(first, start)
    if paid > 0:
        return LivingPay(paid, standard * paid, None)
    if pay_stop is not None and pay_stop.index + offset <= quarter.first.index:
        return LivingPay(0, 0, f"已停发（{stop_reason}，{pay_stop}）")
    if eligible_from is not None and eligible_from.index > quarter.last.index and pay_start.index <= quarter.last.index:
        return LivingPay(0, 0, f"未到年龄（{eligible_from}起）")
    return LivingPay(0, 0, f"未到起发年月（{max(pay_start, eligible_from or pay_start)}）")


class Tenure(NamedTuple):
    consecutive_terms: int | None
    consecutive_years: Decimal | None
    total_terms: int | None
    total_years: Decimal | None


def living_eligibility(left_office: YearMonth, tenure: Tenure, params: Params) -> list[str]:
    """Reasons (Chinese) the person does not meet the living-subsidy thresholds; [] when eligible."""
    problems = []
    if left_office.index >= params.left_office_before.index:
        problems.append(f"离任年月{left_office}不早于{params.left_office_before}")
    ok_consecutive = ((tenure.consecutive_terms or 0) >= params.min_consecutive_terms
                      or (tenure.consecutive_years or 0) >= params.min_consecutive_years)
    ok_total = ((tenure.total_terms or 0) >= params.min_total_terms
                or (tenure.total_years or 0) >= params.min_total_years)
    if not (ok_consecutive or ok_total):
        if all(v is None for v in tenure):
            problems.append("任职年限和届数均未填写")
        else:
            problems.append(
                f"任职年限不足：须连续任职{params.min_consecutive_terms}届或{params.min_consecutive_years}年，"
                f"或累计任职{params.min_total_terms}届或{params.min_total_years}年")
    return problems


def quarters_of_year(year: int) -> list[Quarter]:
    return [Quarter(year, q) for q in range(1, 5)]
