"""Self-evaluation scores: met, partly met and missed targets for =, ≥ and ≤,
under both scoring rules; 定性 and deadline rows; weights, total and grade."""
from fractions import Fraction

import pytest

from subsidy_xl.params import default_params
from subsidy_xl.performance.layout import INDICATOR_HEADERS
from subsidy_xl.performance.model import read_table
from subsidy_xl.performance.selfeval import achieved_share, evaluate, grade_of, rule_kind, shown
from subsidy_xl.performance.values import parse_figure

PROPORTIONAL = "达标得满分，否则根据完成比例评分"
ALL_OR_NOTHING = "达标得满分，否则不得分。"


def share(nature, target, actual, rule=PROPORTIONAL, unit=""):
    return achieved_share(nature, parse_figure(target, unit), parse_figure(actual, unit), rule)


@pytest.mark.parametrize("nature, target, actual, proportional, all_or_nothing", [
    # = : met only when equal; otherwise the smaller over the larger, whichever side it misses on
    ("=", 84, 84, 1, 1),
    ("=", 84, 63, Fraction(3, 4), 0),
    ("=", 84, 105, Fraction(4, 5), 0),
    ("=", 84, 0, 0, 0),
    # ≥ : met at or above; otherwise 完成值/指标值
    ("≥", 90, 95, 1, 1),
    ("≥", 90, 90, 1, 1),
    ("≥", 90, 72, Fraction(4, 5), 0),
    ("≥", 90, 0, 0, 0),
    # ≤ : met at or below; otherwise the inverse, 指标值/完成值
    ("≤", 2000000, 1965300, 1, 1),
    ("≤", 2000000, 2500000, Fraction(4, 5), 0),
    ("≤", 100, 10000, Fraction(1, 100), 0),
])
def test_quantitative_rows(nature, target, actual, proportional, all_or_nothing):
    assert share(nature, target, actual, PROPORTIONAL) == proportional
    assert share(nature, target, actual, ALL_OR_NOTHING) == all_or_nothing


def test_written_forms_are_read_exactly():
    assert share("≥", "96%", 0.72, unit="%") == Fraction(3, 4)  # a percent cell holds 0.72 for 72%
    assert share("≤", "66.528万元", "66.528", unit="万元") == 1
    assert share("=", 660, "659.27") == Fraction(65927, 66000)


def test_rules_are_read_from_the_text():
    assert rule_kind("达标得满分，否则不得分。") == "all_or_nothing"
    assert rule_kind("达标得满分，否则根据完成比例评分") == "proportional"
    assert rule_kind("") == "proportional"  # the default of the guidance


@pytest.mark.parametrize("target, actual, expected", [
    ("有效保障", "有效保障", 1), ("稳定", "达成", 1), ("稳定", "基本达成", None), ("稳定", "未达成", 0),
    ("稳定", "", None),
])
def test_qualitative_rows(target, actual, expected):
    assert share("定性", target, actual) == expected


@pytest.mark.parametrize("nature, actual, expected", [
    ("≤", "2026年8月", 1), ("≤", "2026年9月", 1), ("≤", "2026年11月", 0), ("≥", "2026年8月", 0), ("=", "2026-09", 1),
])
def test_deadlines_are_met_or_missed(nature, actual, expected):
    assert share(nature, "2026年9月", actual, PROPORTIONAL) == expected


def test_unscorable_rows():
    assert share("=", 84, "八十四") is None
    assert share(">", 84, 84) is None
    assert share("=", "2026年9月", 9) is None


def _table(rows):
    header = [[] for _ in range(9)] + [list(INDICATOR_HEADERS)]
    return read_table(header + [list(r) + [None] * (len(INDICATOR_HEADERS) - len(r)) for r in rows])


def _row(level1, level2, name, nature, target, unit, rule, actual):
    return [level1, level2, name, nature, target, unit, None, rule, None, actual]


def test_weights_total_and_grade():
    params = default_params()
    table = _table([
        _row("产出指标", "数量指标", "发放生活补贴人数", "=", 84, "人", PROPORTIONAL, 63),  # 3/4 of 25
        _row(None, "成本指标", "生活补贴资金", "≤", 665280, "元", PROPORTIONAL, 600000),  # 25
        _row("效益指标", "社会效益指标", "基本生活得到保障", "定性", "有效保障", "", ALL_OR_NOTHING, "未达成"),  # 0 of 30
        _row("满意度指标", "服务对象满意度指标", "补助对象满意度", "≥", 90, "%", ALL_OR_NOTHING, 95),  # 10
    ])
    ev = evaluate(table, params, executed=2398752, budget=2665280, executed_note="")  # 90% of 10
    scores = {lv.level: lv.score for lv in ev.levels}
    assert scores == {"产出指标": Fraction(75, 4) + 25, "效益指标": 0, "满意度指标": 10, "预算执行率": 9}
    assert ev.total == Fraction(75, 4) + 25 + 10 + 9 == Fraction(251, 4)
    assert ev.grade == "中" and shown(ev.total) == shown(Fraction(6275, 100))
    assert [shown(r.score) for r in ev.rows] == [shown(Fraction(75, 4)), 25, 0, 10]


def test_a_row_without_completion_value_scores_nothing_and_is_said():
    params = default_params()
    table = _table([_row("产出指标", "数量指标", "发放生活补贴人数", "=", 84, "人", PROPORTIONAL, None),
                    _row(None, None, "发放一次性补助人数", "=", 100, "人", PROPORTIONAL, 100)])
    ev = evaluate(table, params, executed=None, budget=2665280, executed_note="")
    output = next(lv for lv in ev.levels if lv.level == "产出指标")
    assert output.score == 25 and "1项未能评分" in output.note
    assert next(lv for lv in ev.levels if lv.level == "预算执行率").score == 0


@pytest.mark.parametrize("total, grade", [(95, "优"), (90, "优"), (89.99, "良"), (80, "良"), (60, "中"), (59, "差")])
def test_grades_come_from_the_parameters(total, grade):
    assert grade_of(Fraction(str(total)), default_params()) == grade
