"""The subsidy rules, exact to the yuan, against the seed's and policy.md's figures."""
from decimal import Decimal

import pytest

from subsidy_xl.months import Quarter, YearMonth
from subsidy_xl.params import default_params
from subsidy_xl.rules import (Tenure, eligible_age_month, full_terms_and_years, living_eligibility, living_quarter,
                              months_per_year, one_off_months, one_off_subsidy, post_rate, years_for_terms)

P = default_params()


@pytest.mark.parametrize("category,rate", [("一肩挑", 2400), ("正职", 2200), ("副职", 2100), ("监委会主任", 2100)])
def test_every_rate_and_one_term_amount(category, rate):
    assert post_rate(category, P) == rate
    r = one_off_subsidy(category, 1, 5, P)
    assert (r.amount, r.months, r.per_year) == (rate * 5, 5, 1)
    assert isinstance(r.amount, int)


def test_seed_examples():
    assert one_off_subsidy("正职", 1, 5, P).amount == 11000
    assert one_off_subsidy("一肩挑", 2, 10, P).amount == 48000
    zero = one_off_subsidy("副职", 0, params=P)
    assert zero.amount == 0 and "不足1届" in zero.reason


def test_month_rule_one_versus_two_or_more_terms():
    assert [months_per_year(t, P) for t in (0, 1, 2, 3, 5)] == [0, 1, 2, 2, 2]
    assert one_off_months(1, 5, P) == 5
    assert one_off_months(2, 10, P) == 20
    assert one_off_subsidy("正职", 3, 13, P).amount == 2200 * 13 * 2


def test_full_years_are_counted_down_four_years_eleven_months_is_four():
    # Dates more than the 换届 tolerance away from any 换届: 2021-07 to 2026-06 is 4 years 11 months.
    terms, years = full_terms_and_years(YearMonth(2021, 7), YearMonth(2026, 6), P)
    assert (terms, years) == (0, 4)
    assert one_off_subsidy("正职", 1, Decimal("4.9"), P).amount == 2200 * 4


def test_exactly_one_term_counts_one_term():
    assert full_terms_and_years(YearMonth(2021, 3), YearMonth(2026, 3), P) == (1, 5)
    # joining later than the tolerance after the 换届 misses the full term
    late = YearMonth(2021, 3 + P.term_tolerance_months + 1)
    assert full_terms_and_years(late, YearMonth(2026, 3), P)[0] == 0


def test_two_terms_not_consecutive_pay_one_month_per_year():
    # 2013–2016 and 2021–2026, with a gap: the current stint is one full term.
    first = full_terms_and_years(YearMonth(2013, 3), YearMonth(2016, 3), P)
    second = full_terms_and_years(YearMonth(2021, 3), YearMonth(2026, 3), P)
    assert first[0] == 1 and second[0] == 1
    r = one_off_subsidy("正职", second[0], second[1], P)
    assert r.per_year == 1 and r.amount == 11000
    # consecutive 2016–2026 would pay twice per year
    both = full_terms_and_years(YearMonth(2016, 3), YearMonth(2026, 3), P)
    assert both == (2, 10) and one_off_subsidy("正职", *both, P).amount == 44000


def test_years_from_schedule_when_not_given():
    assert years_for_terms(1, P) == 5
    assert years_for_terms(2, P) == 10
    assert years_for_terms(3, P) == 13
    assert one_off_subsidy("正职", 1, params=P).amount == 11000
    with pytest.raises(ValueError, match="换届时间表"):
        years_for_terms(9, P)


def test_rates_come_from_params_not_code():
    from subsidy_xl.params import params_from_rows, _default_rows
    from subsidy_xl.schema import PARAM_BLOCKS
    blocks = {b.key: _default_rows(b) for b in PARAM_BLOCKS}
    blocks["rates"] = [(3, ["正职", 3000, ""])]
    blocks["role_aliases"] = []
    params, issues = params_from_rows(blocks)
    assert not issues
    assert one_off_subsidy("正职", 1, 5, params).amount == 15000
    with pytest.raises(ValueError, match="未知职务类别"):
        one_off_subsidy("副职", 1, 5, params)


Q1, Q2, Q3 = Quarter(2026, 1), Quarter(2026, 2), Quarter(2026, 3)


def test_full_quarter_and_proration_from_start_month():
    assert living_quarter(660, YearMonth(2019, 1), None, None, Q1, P) == (3, 1980, None)
    assert living_quarter(660, YearMonth(2026, 2), None, None, Q1, P)[:2] == (2, 1320)
    assert living_quarter(660, YearMonth(2026, 3), None, None, Q1, P)[:2] == (1, 660)
    not_yet = living_quarter(660, YearMonth(2026, 4), None, None, Q1, P)
    assert not_yet.months == 0 and "未到起发年月" in not_yet.reason
    assert living_quarter(660, YearMonth(2026, 4), None, None, Q2, P)[:2] == (3, 1980)


def test_decimal_standard_stays_exact():
    r = living_quarter(Decimal("660.50"), YearMonth(2019, 1), None, None, Q1, P)
    assert r.amount == Decimal("1981.50")


@pytest.mark.parametrize("reason", list(P.stop_effects))
def test_each_stop_event_takes_effect_the_month_after_by_default(reason):
    # event in February: January and February are paid, March is not
    r = living_quarter(660, YearMonth(2019, 1), YearMonth(2026, 2), reason, Q1, P)
    assert r.months == 2 and r.amount == 1320
    later = living_quarter(660, YearMonth(2019, 1), YearMonth(2026, 2), reason, Q2, P)
    assert later.months == 0 and "已停发" in later.reason


def test_stop_taking_effect_the_same_month():
    from dataclasses import replace
    params = replace(P, stop_effects={**P.stop_effects, "弄虚作假骗取补贴": 0})
    r = living_quarter(660, YearMonth(2019, 1), YearMonth(2026, 2), "弄虚作假骗取补贴", Q1, params)
    assert r.months == 1


def test_stop_in_a_quarters_last_month_pays_nothing_in_the_next():
    assert living_quarter(660, YearMonth(2019, 1), YearMonth(2026, 3), "死亡", Q1, P).months == 3
    assert living_quarter(660, YearMonth(2019, 1), YearMonth(2026, 3), "死亡", Q2, P).months == 0


def test_unknown_stop_reason_is_refused():
    with pytest.raises(ValueError, match="停发原因"):
        living_quarter(660, YearMonth(2019, 1), YearMonth(2026, 2), "搬家", Q1, P)


def test_age_threshold_limits_paid_months():
    import datetime as dt
    start = eligible_age_month(dt.date(1966, 2, 10), "男", P)
    assert start == YearMonth(2026, 2)
    assert eligible_age_month(dt.date(1971, 2, 10), "女", P) == YearMonth(2026, 2)
    r = living_quarter(660, YearMonth(2026, 1), None, None, Q1, P, eligible_from=start)
    assert r.months == 2


def test_living_eligibility_thresholds():
    left = YearMonth(1998, 6)
    assert living_eligibility(left, Tenure(2, None, None, None), P) == []
    assert living_eligibility(left, Tenure(None, Decimal(6), None, None), P) == []
    assert living_eligibility(left, Tenure(1, Decimal(5), 3, None), P) == []
    assert living_eligibility(left, Tenure(1, Decimal(5), 2, Decimal(9)), P) == []
    assert living_eligibility(left, Tenure(1, Decimal(5), 2, Decimal(8)), P) != []
    late = living_eligibility(YearMonth(2000, 1), Tenure(3, None, None, None), P)
    assert late and "2000-01" in late[0]
