import datetime as dt

import pytest

from subsidy_xl.months import Quarter, YearMonth, parse_quarter, parse_year_month


@pytest.mark.parametrize("raw", ["2013-01", "2013.1", "2013.01", "2013/1", "2013年1月", "2013年01月", "201301",
                                 " 2013 - 01 ", "２０１３－０１", "2013-01-15", "2013年1月15日", "20130115",
                                 dt.date(2013, 1, 15), dt.datetime(2013, 1, 31, 8, 0), 201301, 2013.01])
def test_forms_staff_type(raw):
    assert parse_year_month(raw) == (YearMonth(2013, 1), None)


def test_ambiguous_number_is_refused():
    v, problem = parse_year_month(2013.1)
    assert v is None and "10月" in problem
    assert parse_year_month(2013.12).value == YearMonth(2013, 12)


@pytest.mark.parametrize("raw", ["2013-13", "2013-00", "abc", "1800-01", 41275, True, "2013", dt.time(8, 0)])
def test_invalid(raw):
    v, problem = parse_year_month(raw)
    assert v is None and problem


def test_blank_is_none_without_problem():
    assert parse_year_month(None) == (None, None)
    assert parse_year_month("  ") == (None, None)


def test_quarters():
    assert parse_quarter("2026Q2") == Quarter(2026, 2)
    assert parse_quarter("2026-q4").months[-1] == YearMonth(2026, 12)
    assert Quarter(2026, 1).label == "2026年第一季度"
    with pytest.raises(ValueError, match="季度格式"):
        parse_quarter("2026Q5")


def test_months_of_a_quarter():
    q = Quarter(2026, 3)
    assert q.first == YearMonth(2026, 7) and q.last == YearMonth(2026, 9) and q.first_index == q.first.index
