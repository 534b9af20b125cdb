"""Checks of the 绩效目标表, one problem at a time, on small sheets; reading the
sheet (levels filled down, header items) and recognising the tool's rows."""
import pytest

from subsidy_xl.params import default_params
from subsidy_xl.performance.checks import check_performance
from subsidy_xl.performance.indicators import recognise
from subsidy_xl.performance.layout import INDICATOR_HEADERS
from subsidy_xl.performance.model import read_table

RULE = "达标得满分，否则根据完成比例评分"
# A complete, consistent table at the 参数 budget's figures (no rosters): rows 5-.
GOOD = [
    ("产出指标", "数量指标", "发放生活补贴人数", "=", 84, "人", None, RULE, "名册"),
    (None, None, "发放一次性补助人数", "=", 100, "人", None, RULE, "名册"),
    (None, "时效指标", "一次性补助发放完成时间", "≤", "2026年9月", "年月", None, RULE, "计划"),
    (None, "成本指标", "生活补贴资金", "≤", 66.528, "万元", None, RULE, "名册"),
    ("效益指标", "社会效益指标", "基本生活得到保障", "定性", "有效保障", None, None, RULE, "计划"),
    ("满意度指标", "服务对象满意度指标", "补助对象满意度", "≥", 90, "%", None, RULE, "回访"),
]


def grid(rows, header=(("年度绩效目标", None),)):
    return [[], *[list(h) for h in header], []] + [list(INDICATOR_HEADERS)] + [list(r) for r in rows]


def issues_of(rows, **kw):
    return check_performance(grid(rows, **kw), None, default_params(), [], [])


def codes(rows, **kw):
    return {(i.code, i.cell) for i in issues_of(rows, **kw) if i.code != "perf-goal-missing"}


def replace(row_index, **cells):
    keys = ("level1", "level2", "name", "nature", "target", "unit", "attribute", "rule", "basis")
    rows = [list(r) for r in GOOD]
    for k, v in cells.items():
        rows[row_index][keys.index(k)] = v
    return rows


def test_a_good_table_has_no_issue():
    assert codes(GOOD) == set()


def test_levels_are_filled_down_and_restart_per_block():
    table = read_table(grid(GOOD))
    assert [(r.level1, r.level2) for r in table.rows] == [
        ("产出指标", "数量指标"), ("产出指标", "数量指标"), ("产出指标", "时效指标"), ("产出指标", "成本指标"),
        ("效益指标", "社会效益指标"), ("满意度指标", "服务对象满意度指标")]
    assert table.rows[1].level1_row == 5 and table.rows[1].level2_row == 5
    assert table.header_cells == {"年度绩效目标": "B2"}


def test_a_row_naming_only_levels_names_them_for_the_rows_below():
    rows = [("产出指标", "数量指标", None, None, None, None, None, None, None)] + [(None, None) + tuple(GOOD[0][2:])]
    table = read_table(grid(rows))
    assert len(table.rows) == 1 and (table.rows[0].level1, table.rows[0].level2) == ("产出指标", "数量指标")


@pytest.mark.parametrize("row_index, cells, expected", [
    (0, {"level1": None}, {("perf-level-missing", "A5")}),
    (4, {"level2": None}, {("perf-level-missing", "B9")}),  # a new 一级 block does not inherit the 二级 above
    (0, {"level1": "产出"}, set()),  # 产出 and 产出指标 are one
    (0, {"level1": "投入指标"}, {("perf-level1-invalid", "A5")}),
    (0, {"level2": "效益"}, {("perf-level2-invalid", "B5")}),
    (0, {"level2": "待定"}, {("perf-name-placeholder", "B5")}),
    (0, {"name": "XXX"}, {("perf-name-placeholder", "C5")}),
    (0, {"name": None}, {("perf-name-missing", "C5")}),
    (0, {"name": "数量"}, {("perf-name-is-level", "C5")}),
    (0, {"name": "群众获得感"}, {("perf-level-mismatch", "C5")}),
    (0, {"nature": None}, {("perf-nature-missing", "D5")}),
    (0, {"nature": ">"}, {("perf-nature-invalid", "D5")}),
    (0, {"nature": "<="}, {("perf-nature-nonstandard", "D5")}),
    (0, {"target": None}, {("perf-value-missing", "E5")}),
    (0, {"target": "全部"}, {("perf-value-not-number", "E5")}),
    (0, {"target": "84人"}, {("perf-value-has-unit", "E5")}),
    (3, {"target": "66.528万元", "unit": "元"}, {("perf-unit-conflict", "E8"), ("perf-amount-mismatch", "E8")}),
    (0, {"unit": None}, {("perf-unit-missing", "F5")}),
    (0, {"rule": None}, {("perf-rule-missing", "H5")}),
    (5, {"nature": "≥", "target": 100}, {("perf-ge-100", "D10"), ("perf-satisfaction-range", "E10")}),
    (5, {"target": 80}, {("perf-satisfaction-range", "E10")}),
    (2, {"level2": "质量指标", "name": "资金到位", "target": 100, "unit": "万元"},
     {("perf-quality-money", "F7"), ("perf-timeliness-missing", "B4"), ("perf-amount-mismatch", "E7")}),
])
def test_one_problem_each(row_index, cells, expected):
    assert codes(replace(row_index, **cells)) == expected


def test_whole_table_gaps():
    rows = [GOOD[0], GOOD[1], GOOD[5]]
    assert codes(rows) == {("perf-level1-missing", "A4"), ("perf-timeliness-missing", "B4"),
                           ("perf-cost-missing", "B4")}


def test_counts_and_amounts_against_the_budget():
    rows = replace(0, target=85)
    rows[3][4] = 70
    found = {i.code: i for i in issues_of(rows)}
    assert found["perf-count-mismatch"].cell == "E5" and found["perf-count-mismatch"].severity == "warning"
    assert "85人" in found["perf-count-mismatch"].message and "84人" in found["perf-count-mismatch"].message
    assert "参数表预算" in found["perf-count-mismatch"].message
    assert "700000元" in found["perf-amount-mismatch"].message and "665280元" in found["perf-amount-mismatch"].message


def test_two_groups_under_one_name():
    rows = replace(0, name="正常离任社区干部数量", target=184)
    found = [i for i in issues_of(rows) if i.code == "perf-count-mixed-groups"]
    assert [i.cell for i in found] == ["E5"]
    assert "84人" in found[0].message and "100人" in found[0].message


def test_an_unnamed_count_of_one_group_is_fine():
    assert codes(replace(0, name="正常离任社区干部数量")) == set()


def test_funds_header_against_the_total():
    header = (("年度资金总额", "266.528万元"), ("其中：财政拨款", "300万元"), ("年度绩效目标", None))
    found = {(i.code, i.cell) for i in issues_of(GOOD, header=header)}
    assert ("perf-funds-part-exceeds", "B3") in found and ("perf-funds-total-mismatch", "B2") not in found
    header = (("年度资金总额", 2600000), ("年度绩效目标", None))
    assert ("perf-funds-total-mismatch", "B2") in {(i.code, i.cell) for i in issues_of(GOOD, header=header)}


def test_deadline_and_average_rows():
    rows = [list(r) for r in GOOD] + [[None, None, "一次性补助人均金额", "≤", 100000, "元/人", None, RULE, "名册"]]
    rows[2][4] = "2026年12月"
    found = {i.code for i in issues_of(rows)}
    assert {"perf-time-deadline-mismatch", "perf-amount-average-mismatch", "perf-amount-average-unreachable"} <= found


def test_self_evaluation_inputs_are_checked_once_completion_values_appear():
    rows = [list(r) + [None] for r in GOOD]
    rows[0][9] = 84
    rows[1][9] = "一百"
    found = {(i.code, i.cell) for i in issues_of(rows)}
    assert ("perf-actual-invalid", "J6") in found
    assert {("perf-actual-missing", f"J{r}") for r in (7, 8, 9, 10)} <= found


@pytest.mark.parametrize("name, unit, key", [
    ("发放生活补贴人数", "人", "living_people"),
    ("享受一次性补助人员数量", "名", "one_off_people"),
    ("享受补助人数合计（同一人只计一次）", "人", "total_people"),
    ("生活补贴资金", "万元", "living_amount"),
    ("一次性补助资金总额", "元", "one_off_amount"),
    ("补助资金合计", "万元", "total_amount"),
    ("生活补贴人均月标准", "元/人/月", "living_average"),
    ("一次性补助人均金额", "万元/人", "one_off_average"),
    ("生活补贴按季度发放次数", "次", "living_quarters"),
    ("一次性补助发放完成时间", "年月", "one_off_deadline"),
    ("正常离任社区干部数量", "人", None),  # names no part: staff's to say which
    ("质量指标", "元", None),
    ("生活补贴发放准确率", "%", None),
])
def test_recognising_the_tools_rows(name, unit, key):
    table = read_table(grid([("产出指标", "数量指标", name, "=", 1, unit, None, RULE, None)]))
    known = recognise(table.rows[0])
    assert (known.key if known else None) == key


def test_no_sheet_no_header_no_rows():
    params = default_params()
    assert [i.code for i in check_performance(None, None, params, [], [])] == ["perf-sheet-missing"]
    assert [i.code for i in check_performance([["x"]], None, params, [], [])] == ["perf-no-header"]
    assert [i.code for i in check_performance(grid([]), None, params, [], [])] == ["perf-empty"]
