"""The importer and the reviewer's checks on forms written the way offices write
them: header spellings in any order (hypothesis), value cells with symbol, number
and unit in one piece, deadlines in words, level names with points, and each
check of issue 14 on a small form built here (.xlsx through openpyxl, .docx with
merged cells through python-docx), and the same checks on the workbook's sheet."""
from decimal import Decimal

import docx
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from subsidy_xl.io.reader import read_book
from subsidy_xl.params import default_params
from subsidy_xl.performance.checks import check_performance
from subsidy_xl.performance.importer import UnplacedColumns, read_source
from subsidy_xl.performance.layout import INDICATOR_HEADER_ROW
from subsidy_xl.performance.review import review_source
from subsidy_xl.performance.values import parse_figure, split_value
from subsidy_xl.template import build


def _xlsx(path, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    for r, row in enumerate(rows, 1):
        for c, v in enumerate(row, 1):
            cell = ws.cell(r, c, v)
            if isinstance(v, str) and v.startswith("="):
                cell.data_type = "s"
    wb.save(path)
    return path


def _codes(review, code):
    return [i for i in review.issues if i.code == code]


# ---------------------------------------------------------------- value cells

@pytest.mark.parametrize("written, symbol, value, unit, kind", [
    ("≥100公里", "≥", 100, "公里", "number"),
    ("≥95%", "≥", 95, "%", "number"),
    ("=42个", "=", 42, "个", "number"),
    ("≤9.31万元", "≤", Decimal("9.31"), "万元", "number"),
    (">=98%", "≥", 98, "%", "number"),
    ("≥100百分比", "≥", 100, "%", "number"),
    ("1600元/亩", None, 1600, "元/亩", "number"),
    ("12月底前", None, "12月底前", "", "date"),
    ("2021年1月-12月", None, "2021年1月-12月", "", "date"),
    ("及时", None, "及时", "", "text"),
    ("有效提升", None, "有效提升", "", "text"),
    ("清算8个安置小区本年度物业费", None, "清算8个安置小区本年度物业费", "", "text"),
])
def test_value_cells_as_people_write_them(written, symbol, value, unit, kind):
    split = split_value(written)
    assert (split.symbol, split.value, split.unit, split.kind) == (symbol, value, unit, kind)


def test_deadlines_in_words_are_months_not_numbers():
    late = parse_figure("12月底到位")
    assert late.number is None and late.when.month == 12 and late.when.deadline
    period = parse_figure("2021年1月-12月")
    assert period.number is None and (period.month.year, period.month.month) == (2021, 12) and not period.when.deadline
    assert parse_figure("2021年全年").month == (2021, 12)


# ---------------------------------------------------------------- headers

SPELLINGS = {
    "name": ["三级指标", "指标", "指标名称"],
    "target": ["指标值", "年度指标值", "目标值", "指标值(包含数字及文字描述)"],
    "unit": ["度量单位", "计量单位"],
    "weight": ["权重", "指标权重", "分值/权重", "分值"],
    "nature": ["指标性质"],
    "direction": ["指标方向性"],
}
CELLS = {"name": "发放人数", "target": "84", "unit": "人", "weight": 100, "nature": "=", "direction": "正向指标"}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(list(SPELLINGS)), picks=st.tuples(*(st.integers(0, 3) for _ in SPELLINGS)),
       stranger=st.sampled_from([None, "绩效标准", "考核方式", "评价等级"]))
def test_any_spelling_in_any_order_lands_in_its_column_or_the_import_names_the_stranger(tmp_path, order, picks,
                                                                                        stranger):
    header = [SPELLINGS[k][p % len(SPELLINGS[k])] for k, p in zip(order, picks)]
    row = [CELLS[k] for k in order]
    if stranger:
        header.insert(1, stranger)
        row.insert(1, "按实际")
    path = _xlsx(tmp_path / "form.xlsx", [["项目名称", "离任干部补贴"], header, row])
    if stranger:
        with pytest.raises(UnplacedColumns) as refused:
            read_source(path)
        assert refused.value.columns == [stranger] and f"“{stranger}”" in str(refused.value)
        return
    imported = read_source(path)
    values = imported.rows[0]
    assert (values["name"], values["target"], values["unit"], values["nature"]) == ("发放人数", 84, "人", "=")
    assert values["weight"] == 100 and values["direction"] == "正向指标"
    assert imported.header["项目名称"] == "离任干部补贴"


def test_header_columns_of_a_department_table_give_the_project_not_their_titles(tmp_path):
    path = _xlsx(tmp_path / "f.xlsx", [
        ["单位名称", "项目名称", "预算数", "年度目标", "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "权重"],
        ["某镇部门", None, "1,000.00", None, None, None, None, None, None, None, None],
        ["某镇人民政府", "村干部报酬", "3,309,840.00", "按时发放", "产出指标", "数量指标", "发放人数", "=", 230, "人", 100],
        ["某镇人民政府", "基层组织活动经费", "660,000.00", "保障运转", "产出指标", "数量指标", "行政村数量", "=", 11, "个", 100],
    ])
    imported = read_source(path)
    assert imported.header["项目名称"] == "村干部报酬"
    assert imported.header["年度资金总额"] == "3,309,840.00" and imported.header["年度绩效目标"] == "按时发放"
    assert [r["name"] for r in imported.rows] == ["发放人数"]
    assert any("基层组织活动经费" in n for n in imported.notes)


def _self_evaluation_docx(path, score, goal, executed="132.912"):
    """A 自评表 as Word holds it: funding block, goals over two rows, levels with points merged down."""
    grid = [
        ["项目名称", "村级补助", None, None, None, None, None, None],
        ["项目资金(万元)", None, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
        [None, "年度资金总额:", "202.64", "132.912", executed, "10", "100%", score],
        [None, "其中:本年财政拨款", "202.64", "132.912", executed, None, None, None],
        ["年度总体目标", "预期目标", None, None, None, "实际完成情况", None, None],
        [None, goal, None, None, None, "已完成", None, None],
        ["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
        [None, "产出指标(50分)", "数量指标", "保障村干部人数", "=42人", "42", "50", "50"],
        [None, None, "时效指标", "补助经费到位及时性", "12月底前", "12月底前", "0", "0"],
        [None, "满意度指标(40分)", "服务对象满意度指标", "村干部满意度", "≥90%", "95%", "40", "40"],
    ]
    document = docx.Document()
    table = document.add_table(rows=len(grid), cols=8)
    for r, row in enumerate(grid):
        for c, v in enumerate(row):
            if v is not None:
                table.cell(r, c).text = v
    table.cell(1, 0).merge(table.cell(3, 0))
    table.cell(6, 0).merge(table.cell(9, 0))
    table.cell(7, 1).merge(table.cell(8, 1))
    document.save(path)
    return path


def test_a_self_evaluation_in_word_reads_levels_points_funding_and_goals(tmp_path):
    path = _self_evaluation_docx(tmp_path / "自评.docx", "10", "共申请资金202.64万元，其中报酬150万元，运转52.64万元。")
    review = review_source(path)
    imported = review.imported
    assert [r["name"] for r in imported.rows] == ["保障村干部人数", "补助经费到位及时性", "村干部满意度"]
    assert imported.level_points == {"产出指标": 50, "满意度指标": 40}
    assert [r.group1 for r in review.table.rows] == ["产出指标", "产出指标", "满意度指标"]
    assert imported.header["年度绩效目标"].startswith("共申请资金") and imported.header["年度目标完成情况"] == "已完成"
    assert imported.funding.get("fiscal", "executed") == "132.912"
    assert imported.rows[1]["nature"] == "≤"  # 12月底前: a deadline
    assert [i for i in review.issues if i.severity == "error"] == []
    assert _codes(review, "perf-satisfaction-range") == []


def test_a_score_against_its_own_figures_and_money_sums_in_wan(tmp_path):
    path = _self_evaluation_docx(tmp_path / "自评.docx", "0", "共申请资金202.64万元，其中报酬150万元，运转50万元。")
    review = review_source(path)
    [score] = _codes(review, "perf-score-contradiction")
    assert score.cell == "H3" and "应得10分" in score.message
    [money] = _codes(review, "narrative-money-sum")
    assert "2026400元" in money.message and "2000000元" in money.message
    under = review_source(_self_evaluation_docx(tmp_path / "b.docx", "10", "无", executed="100"))
    [score] = _codes(under, "perf-score-contradiction")
    assert "100÷" in score.message.replace("万元", "") and "应得7.52分" in score.message


def test_a_figure_too_long_to_round_in_the_funding_block_is_no_crash(tmp_path):
    review = review_source(_self_evaluation_docx(tmp_path / "b.docx", "0", "无", executed="1" + "0" * 40))
    assert _codes(review, "perf-score-contradiction") == []  # the figure is unreadable: nothing to compare

@pytest.mark.parametrize("name, target, code", [
    ("新增苗木≥**株", "≥500株", "perf-placeholder-in-text"),
    ("覆盖率", "**%", "perf-placeholder-in-text"),
    ("XX村补助人数", "=10人", "perf-placeholder-in-text"),
    ("★★★补助发放及时率", "=100%", "perf-placeholder-in-text"),
    ("某某社区满意度", "≥90%", "perf-placeholder-in-text"),
    ("村组干部230人", "≥230个", "perf-name-has-value"),
    ("保障村干部人数", "=42个", "perf-people-unit"),
    ("领取补助人数", "≥100人", "perf-headcount-ge"),
])
def test_each_row_check_on_a_received_form(tmp_path, name, target, code):
    path = _xlsx(tmp_path / "f.xlsx", [["一级指标", "二级指标", "三级指标", "指标值"],
                                        ["产出指标", "数量指标", name, target],
                                        ["满意度指标", "服务对象满意度指标", "补助对象满意度", "≥95%"]])
    review = review_source(path)
    assert [i.cell for i in _codes(review, code)] and all(i.cell.endswith("2") for i in _codes(review, code))
    assert [i for i in review.issues if i.cell.endswith("3") and i.severity != "info"] == []


def test_weights_that_do_not_add_up_and_a_missing_weight(tmp_path):
    path = _xlsx(tmp_path / "f.xlsx", [["指标", "指标权重", "计量单位", "指标性质", "指标值"],
                                        ["发放人数", 50, "人", "=", 80], ["发放金额", None, "万元", "≤", 9.31],
                                        ["满意度", 40, "%", "≥", 90]])
    review = review_source(path)
    [total] = _codes(review, "perf-weights-sum")
    assert "90" in total.message and total.cell == "B1"
    assert [i.cell for i in _codes(review, "perf-weight-blank")] == ["B3"]
    assert "没有填权重" in _codes(review, "perf-weight-blank")[0].message


def test_a_weight_in_words_is_named_not_called_missing(tmp_path):
    path = _xlsx(tmp_path / "f.xlsx", [["指标", "指标权重", "计量单位", "指标性质", "指标值"],
                                        ["发放人数", 50, "人", "=", 80], ["发放金额", "五十分", "万元", "≤", 9.31]])
    [blank] = _codes(review_source(path), "perf-weight-blank")
    assert blank.cell == "B3" and blank.message == "第3行“发放金额”的权重（分值）“五十分”不是数字，其他指标都有"


@pytest.mark.parametrize("target, found", [("≥9.31", True), ("符合相关规定", True), ("≤9.31", False)])
def test_a_cost_is_a_cap(tmp_path, target, found):
    nature, value = (target[0], target[1:]) if target[0] in "≥≤" else ("定性", target)
    path = _xlsx(tmp_path / "f.xlsx", [["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位"],
                                        ["产出指标", "成本指标", "项目总成本", nature, value, "万元"]])
    assert bool(_codes(review_source(path), "perf-cost-not-capped")) is found


def test_an_unreadable_amount_gets_a_message_in_a_form_and_in_the_workbook(tmp_path):
    path = _xlsx(tmp_path / "f.xlsx", [["资金情况(万元)", "年度资金总额:", "854万854万(道路400万元)"],
                                        [None, "其中:财政拨款", "854万(道路400万元,供水295万元,畅通159万元)"],
                                        ["一级指标", "二级指标", "三级指标", "指标值"],
                                        ["产出指标", "数量指标", "道路里程", "≥100公里"]])
    review = review_source(path)
    assert [i.cell for i in _codes(review, "perf-amount-unreadable")] == ["C1"]
    assert _codes(review, "narrative-money-sum") == []  # 400+295+159 = 854
    book = build(tmp_path / "b.xlsx", None)
    wb = openpyxl.load_workbook(book)
    ws = wb["绩效目标表"]
    ws["B5"] = "854万854万(道路400万元)"
    for c, v in enumerate(["产出指标", "数量指标", "道路里程", "≥", 100, "公里", None, "达标得满分", "设计"], 1):
        ws.cell(INDICATOR_HEADER_ROW + 1, c, v)
    wb.save(book)
    src = read_book(book)
    issues = check_performance(src.grid("绩效目标表"), src.grid("项目信息"), default_params(), [], [])
    assert [i.cell for i in issues if i.code == "perf-amount-unreadable"] == ["B5"]


def test_an_amount_too_long_to_round_is_unreadable_not_a_crash(tmp_path):
    path = _xlsx(tmp_path / "f.xlsx", [["年度资金总额", "123456789012345678901234567890.5元"],
                                        ["一级指标", "二级指标", "三级指标", "指标值"],
                                        ["产出指标", "数量指标", "道路里程", "≥100公里"]])
    assert [i.cell for i in _codes(review_source(path), "perf-amount-unreadable")] == ["B1"]

def test_the_row_checks_apply_to_the_workbooks_own_sheet(tmp_path):
    book = build(tmp_path / "b.xlsx", None)
    wb = openpyxl.load_workbook(book)
    ws = wb["绩效目标表"]
    rows = [["产出指标", "数量指标", "村组干部230人", "≥", 230, "个", None, "达标得满分", "名册"],
            [None, "成本指标", "发放金额", "≥", 9.31, "万元", None, "达标得满分", "预算"],
            ["满意度指标", "服务对象满意度指标", "补助对象满意度", "≥", 90, "%", None, "达标得满分", "回访"]]
    for r, row in enumerate(rows, INDICATOR_HEADER_ROW + 1):
        for c, v in enumerate(row, 1):
            ws.cell(r, c, v)
    wb.save(book)
    src = read_book(book)
    issues = check_performance(src.grid("绩效目标表"), src.grid("项目信息"), default_params(), [], [])
    first, second, third = (INDICATOR_HEADER_ROW + i for i in (1, 2, 3))
    found = {(i.code, int(i.cell[1:])) for i in issues if i.cell[:1].isalpha()}
    assert {("perf-name-has-value", first), ("perf-people-unit", first), ("perf-headcount-ge", first),
            ("perf-cost-not-capped", second)} <= found
    assert not [i for i in issues if i.severity == "error" and i.cell.endswith(str(third))]
