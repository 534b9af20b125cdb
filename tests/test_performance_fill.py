"""Filling the demo workbook's 绩效目标表 from its rosters: the values equal the
rosters' figures, only the tool's cells change, and `check` then finds no count
or amount inconsistency."""
from decimal import Decimal
from fractions import Fraction

import openpyxl
import pytest

from performance_support import fill_with_executed, seed_workbook
from subsidy_xl.io.reader import read_book
from subsidy_xl.analysis import analyse
from subsidy_xl.cells import parse_a1
from subsidy_xl.performance.layout import INDICATOR_HEADER_ROW, SUMMARY_TITLE
from subsidy_xl.performance.model import read_table
from subsidy_xl.performance.overlay import PatchedSource
from subsidy_xl.performance.selfeval import shown
from subsidy_xl.performance.usecases import plan_fill_performance
from subsidy_xl.rules import quarters_of_year
from subsidy_xl.tables.budget import budget_figures

INCONSISTENCY = ("perf-count-", "perf-amount-", "perf-time-", "perf-funds-", "narrative-")


def _quiet(_m):
    pass


@pytest.fixture(scope="module")
def filled(sample_book):
    src = read_book(sample_book)
    plan, report = plan_fill_performance(src, _quiet)
    return src, plan, report, PatchedSource(src, plan.patches)


def _roster_figures(src):
    """What the rosters give, from the core's own figures (资金安排) and the people's IDs."""
    a = analyse(src)
    f = budget_figures(a.living_people, a.one_off_people, a.params)
    quarters = quarters_of_year(a.params.budget_year)
    paid_living = [p for p in a.living_people if any(p.pay(q, a.params).months for q in quarters)]
    # Paid: an amount, nothing blocking it and no error on the row holding it (issue 12's 暂缓发放).
    paid_one_off = [p for p in a.one_off_people if p.result and p.result.amount > 0 and not p.blocked and not p.held]
    months = sum(p.pay(q, a.params).months for p in paid_living for q in quarters)
    ids = {p.rec.values["id_number"] for p in paid_living} | {p.rec.values["id_number"] for p in paid_one_off}
    return f, months, len(ids)


def test_the_demo_table_starts_at_the_budget_and_check_says_so(sample_book):
    codes = {i.code for i in analyse(read_book(sample_book)).issues}
    assert {"perf-count-mismatch", "perf-amount-mismatch", "perf-amount-average-mismatch"} <= codes


def test_indicator_values_equal_the_rosters_figures(filled):
    src, _plan, _report, after = filled
    f, months, unique = _roster_figures(src)
    values = {r.name: r.get("target") for r in read_table(after.grid("绩效目标表")).rows}
    assert values["发放生活补贴人数"] == f["living_paid_people"] == 83  # 84 people, one with a bad ID
    assert values["发放一次性补助人数"] == f["one_off_paid_people"]
    assert values["享受补助人数合计（同一人只计一次）"] == unique
    assert values["生活补贴资金"] == f["living_total"]
    assert values["一次性补助资金"] == f["one_off_total"]
    assert values["补助资金合计"] == f["living_total"] + f["one_off_total"]
    assert values["生活补贴人均月标准"] == (Decimal(f["living_total"]) / months).quantize(Decimal("0.01"))
    assert values["一次性补助人均金额"] == (Decimal(f["one_off_total"]) / f["one_off_paid_people"]).quantize(Decimal("0.01"))
    assert values["生活补贴按季度发放次数"] == 4
    assert values["一次性补助发放完成时间"] == "2026年9月"


def test_check_then_reports_no_count_or_amount_inconsistency(filled):
    _src, _plan, report, after = filled
    issues = analyse(after).issues
    assert not [i for i in issues if i.code.startswith(INCONSISTENCY)]
    assert report.analysis.issues == issues  # the 问题清单 written describes the filled workbook


def test_only_the_tools_cells_change(filled, sample_book):
    src, plan, _report, after = filled
    before, now = src.grid("绩效目标表"), after.grid("绩效目标表")
    table = read_table(before)
    tool_rows = {"发放生活补贴人数", "发放一次性补助人数", "享受补助人数合计（同一人只计一次）", "生活补贴按季度发放次数",
                 "一次性补助发放完成时间", "生活补贴资金", "一次性补助资金", "补助资金合计", "生活补贴人均月标准",
                 "一次性补助人均金额"}
    for row in table.rows:
        cols = range(len(before[row.row - 1]))
        changed = {c for c in cols if before[row.row - 1][c] != now[row.row - 1][c]}
        assert changed <= ({table.cols["target"]} if row.name in tool_rows else set()), row.name
    header_rows = {parse_a1(table.header_cells[label])[0] for label in table.header_cells}
    assert set(plan.patches["绩效目标表"]) <= header_rows | {r.row for r in table.rows if r.name in tool_rows}
    assert set(plan.patches) == {"绩效目标表", "项目信息"}
    assert [s.name for s in plan.sheets] == ["问题清单", "变更记录"]


def test_annual_goal_is_regenerated_in_the_seeds_form_in_both_places(filled):
    src, _plan, _report, after = filled
    f, months, _unique = _roster_figures(src)
    goal = read_table(after.grid("绩效目标表")).header["年度绩效目标"]
    assert goal.startswith(f"一、正常离任社区干部生活补贴（共计{Decimal(f['living_total']) / 10000}万元）："
                           f"对全区{f['living_paid_people']}名")
    assert "二、社区干部离任一次性补助（共计" in goal and "一肩挑每人每月2400元" in goal
    info = {row[0]: row[1] for row in after.grid("项目信息") if row and row[0]}
    assert info["年度绩效目标"] == goal


def test_the_exact_product_form_when_the_figures_are_exact(tmp_path):
    """From the budget (no rosters) the seed's product is written: 84人*660元/月*12月=66.528万元."""
    path = seed_workbook(tmp_path / "seed.xlsx")
    src = read_book(path)
    plan, _report = plan_fill_performance(src, _quiet)
    goal = read_table(PatchedSource(src, plan.patches).grid("绩效目标表")).header["年度绩效目标"]
    assert "对全区84名正常离任社区干部发放生活补贴，每人每月平均660元，共计66.528万元（84人*660元/月*12月=66.528万元）" in goal
    assert "预计100人，每人2万元（100人*2万元=200万元）" in goal


def test_missing_standard_rows_are_proposed_not_inserted(tmp_path):
    path = seed_workbook(tmp_path / "seed.xlsx")
    src = read_book(path)
    plan, report = plan_fill_performance(src, _quiet)
    proposed = [i.message for i in report.suggestions]
    assert len(proposed) == 10
    assert all(i.code == "perf-suggest-row" and i.severity == "info" for i in report.suggestions)
    assert any("时效指标" in m and "一次性补助发放完成时间" in m and "2026年9月" in m for m in proposed)
    assert any("成本指标" in m and "生活补贴资金" in m and "665280元" in m for m in proposed)
    table_before = read_table(src.grid("绩效目标表"))
    table_after = read_table(PatchedSource(src, plan.patches).grid("绩效目标表"))
    assert [r.cells for r in table_after.rows] == [r.cells for r in table_before.rows]  # the seed's rows untouched
    rows = {r[0]: r for r in plan.sheets[0].as_grid()[1:]}
    assert "perf-suggest-row" in rows


def test_at_year_end_the_tool_fills_its_completion_values_and_scores(tmp_path, sample_book):
    """Targets stay as approved (the budget's); the tool's rows get the rosters' figures as 完成值."""
    path = tmp_path / "scored.xlsx"
    wb = openpyxl.load_workbook(sample_book)
    ws = wb["绩效目标表"]
    for r in range(INDICATOR_HEADER_ROW + 1, ws.max_row + 1):
        ws.cell(r, 10, ws.cell(r, 5).value)  # staff type every target as achieved
    wb.save(path)
    src = read_book(path)
    plan, report = plan_fill_performance(src, _quiet)
    ev = report.fill.evaluation
    grid = PatchedSource(src, plan.patches).grid("绩效目标表")
    table = read_table(grid)
    f, months, unique = _roster_figures(src)
    assert [r.get("target") for r in table.rows] == [r.get("target") for r in read_table(src.grid("绩效目标表")).rows]
    actual = {r.name: r.get("actual") for r in table.rows}
    assert actual["发放生活补贴人数"] == 83 and actual["生活补贴资金"] == f["living_total"]
    living_avg = Fraction((Decimal(f["living_total"]) / months).quantize(Decimal("0.01")))
    one_off_avg = Fraction((Decimal(f["one_off_total"]) / f["one_off_paid_people"]).quantize(Decimal("0.01")))
    output_shares = [Fraction(83, 84), Fraction(f["one_off_paid_people"], 100), Fraction(unique, 184),  # = : min/max
                     1, 1, 1, 1, 1, 1,  # quality, quarters, deadline; amounts ≤ budget: met
                     living_avg / 660,  # = : below target, in proportion
                     Fraction(20000) / one_off_avg]  # ≤ : above the ceiling, inverse proportion
    execution = Fraction(f["living_total"] + f["one_off_total"], 2665280)  # no 全年执行数 typed: the computed total
    expected = Fraction(50, 11) * sum(output_shares) + 30 + 10 + 10 * execution
    assert ev.total == expected
    assert ev.grade == ("优" if expected >= 90 else "良")
    assert table.summary_row == table.rows[-1].row + 2
    block = [grid[r][:3] for r in range(table.summary_row - 1, len(grid))]
    assert block[0][0] == SUMMARY_TITLE
    assert [b[0] for b in block[2:9]] == ["产出指标", "效益指标", "满意度指标", "预算执行率", "合计", "自评等级",
                                          "全年执行数（元）"]
    assert block[6][2] == shown(expected) and block[7][2] == ev.grade
    quality = next(r for r in table.rows if r.name == "补助对象资格审核合格率")
    assert quality.get("score") == Decimal("4.55")  # met: 50 points shared by 11 产出 rows
    issues = analyse(PatchedSource(src, plan.patches)).issues
    assert not [i for i in issues if i.code.startswith(INCONSISTENCY)]  # approved targets may differ from the year


def test_the_typed_execution_figure_is_kept_and_used(tmp_path, sample_book):
    plan, report, executed_row = fill_with_executed(sample_book, tmp_path / "executed.xlsx", 2398752)  # 90% of the budget
    execution = next(lv for lv in report.fill.evaluation.levels if lv.level == "预算执行率")
    assert execution.score == 9 and "90.00%" in execution.note
    assert plan.patches["绩效目标表"][executed_row][1] == (2398752, None)  # written back unchanged, style kept


def test_demo_then_fill_then_check_through_the_service(tmp_path):
    from subsidy_xl import service

    path = tmp_path / "demo.xlsx"
    service.demo(path)
    report = service.fill_performance(path)
    assert report.out == path and report.backup is not None
    issues = service.check(path).issues
    assert not [i for i in issues if i.code.startswith(INCONSISTENCY)]
    values = {r.name: r.get("target") for r in read_table(service.open_book(path).grid("绩效目标表")).rows}
    assert values["发放生活补贴人数"] == 83
