"""Numbers in texts: read with their roles and parts, products and 其中 sums checked
for their own arithmetic, texts against each other, the table and the figures."""
from decimal import Decimal

from subsidy_xl.params import default_params
from subsidy_xl.performance.checks import check_performance
from subsidy_xl.performance.layout import INDICATOR_HEADERS
from subsidy_xl.performance.narrative import COUNT, MONTHLY, PER_PERSON, TOTAL, read_text

SEED_GOAL = ("一、正常离任社区干部生活补贴（共计66.528万元）:对全区84名正常离任退休社区干部生活发放生活补贴，每人每月平均660元，"
             "共计66.528万元（84人*660元/月*12月=66.528万元）。\n二、社区干部离任一次性补贴（共计200万元）:按“一肩挑”每人每月"
             "2400元、正职每人每月2200元、副职和监委会主任每人每月2100元，任期一届每年发放一个月。预计100个离任社区干部，"
             "每人2万元（100人*2万元=200万元）")


def _values(facts, part, kind):
    return sorted({m.value for m in facts.values(part, kind)})


def test_figures_get_their_part_and_role():
    facts = read_text(SEED_GOAL)
    assert _values(facts, "living", COUNT) == [84]
    assert _values(facts, "living", MONTHLY) == [660]
    assert _values(facts, "living", TOTAL) == [665280]
    assert _values(facts, "one_off", COUNT) == [100]
    assert _values(facts, "one_off", MONTHLY) == [2100, 2200, 2400]
    assert _values(facts, "one_off", PER_PERSON) == [20000]
    assert _values(facts, "one_off", TOTAL) == [2000000]
    assert [(p.value, p.result) for p in facts.products] == [(665280, 665280), (2000000, 2000000)]


def test_full_width_forms_and_thousands_separators():
    facts = read_text("生活补贴：８４人×６６０元／月×１２月＝665,280元")
    assert facts.products[0].value == facts.products[0].result == 665280


def test_enumerators_of_several_kinds_cut_parts():
    facts = read_text("一是对全区84名干部发放生活补贴；二是发放一次性补助，共计200万元。")
    assert _values(facts, "living", COUNT) == [84] and _values(facts, "one_off", TOTAL) == [2000000]
    facts = read_text("（一）生活补贴共计66.528万元。\n（二）一次性补助共计200万元。")
    assert _values(facts, "living", TOTAL) == [665280] and _values(facts, "one_off", TOTAL) == [2000000]


def test_months_and_terms_are_not_counts():
    facts = read_text("一次性补助：连续任满1届的每任职一年发放1个月，共94人。生活补贴按名册83人、共989人月计算")
    assert sorted(m.value for m in facts.mentions if m.kind == COUNT) == [83, 94]


def _grid(goal: str, rows=()):
    grid = [[], ["年度绩效目标", goal], []] + [list(INDICATOR_HEADERS)]
    return grid + [list(r) for r in rows]


def _check(goal, rows=(), info_grid=None):
    row = ("产出指标", "数量指标", "发放生活补贴人数", "=", 84, "人", None, "达标得满分，否则根据完成比例评分", "名册")
    return check_performance(_grid(goal, rows or [row]), info_grid, default_params(), [], [])


def _codes(issues):
    return {(i.code, i.cell) for i in issues if i.code.startswith("narrative-")}


def test_the_seed_text_is_consistent():
    assert _codes(_check(SEED_GOAL)) == set()


def test_wrong_product_arithmetic():
    issues = _check("一、生活补贴：对全区84名干部，每人每月平均660元（84人*660元/月*12月=66.258万元）。")
    wrong = [i for i in issues if i.code == "narrative-product-arithmetic"]
    assert len(wrong) == 1 and wrong[0].cell == "B2"
    assert "665280" in wrong[0].message and "662580" in wrong[0].message


def test_figures_against_the_budget_when_there_are_no_rosters():
    issues = _check("一、生活补贴：对全区85名干部，每人每月平均650元，共计66.3万元。二、一次性补助预计100人，每人3万元。")
    codes = {i.code for i in issues if i.code.startswith("narrative-")}
    assert codes == {"narrative-count-mismatch", "narrative-average-mismatch", "narrative-amount-mismatch"}
    assert all(i.severity == "warning" for i in issues if i.code.startswith("narrative-"))  # only an estimate


def test_parts_sum():
    info = [["项目", "内容"], ["单位概况", "在职实有9人，其中：财政全供养 5人，财政部分供养0人，非财政供养0人。"]]
    issues = [i for i in _check(SEED_GOAL, info_grid=info) if i.code == "narrative-parts-sum"]
    assert [(i.sheet, i.cell) for i in issues] == [("项目信息", "B2")]


def test_texts_against_each_other_and_the_table():
    info = [["项目", "内容"], ["年度绩效目标", SEED_GOAL]]
    other = SEED_GOAL.replace("84名", "86名")
    issues = _check(other, info_grid=info)
    conflict = [i for i in issues if i.code == "narrative-conflict"]
    assert [(i.sheet, i.cell, i.value) for i in conflict] == [("绩效目标表", "B2", "86名")]
    assert "项目信息!B2" in conflict[0].message
    table = [i for i in issues if i.code == "perf-count-text-mismatch"]
    assert [i.cell for i in table] == ["E5"] and "86名" in table[0].message


def test_rates_unknown_and_averages_the_rule_cannot_produce():
    issues = _check("二、一次性补助：按正职每人每月2300元发放，预计100人，每人10万元。")
    codes = {i.code for i in issues}
    assert {"narrative-rate-unknown", "narrative-average-unreachable"} <= codes
    unreachable = next(i for i in issues if i.code == "narrative-average-unreachable")
    assert "100000元" in unreachable.message and "91200元" in unreachable.message  # 2400 × 19 years × 2


def test_percentages_against_the_indicator():
    rows = [("满意度指标", "服务对象满意度指标", "补助对象满意度", "≥", 90, "%", None, "达标得满分", "回访")]
    issues = _check("服务对象满意度达到95%。", rows)
    found = [(i.code, i.value) for i in issues if i.code.startswith("narrative-")]
    assert found == [("narrative-percent-mismatch", "95%")]


def test_amount_values_are_exact():
    facts = read_text("共计66.528万元")
    assert facts.mentions[0].value == Decimal("665280")
