"""fill-performance on an empty 绩效目标表 writes a complete, reviewable draft
into the sheet (every level with 指标性质, 指标值, 度量单位, 评(扣)分标准 and
依据, the 年度绩效目标 in the district's style), which `check` then passes; it
never writes over a cell staff typed. End to end through the CLI on files."""
import json
import shutil

import openpyxl
import pytest

from reliability_support import run_cli
from subsidy_xl.analysis import analyse
from subsidy_xl.io.reader import read_book
from subsidy_xl.performance.indicators import recognise
from subsidy_xl.performance.layout import INDICATOR_HEADER_ROW, INDICATOR_KEYS
from subsidy_xl.performance.model import read_table
from subsidy_xl.performance.values import parse_nature
from subsidy_xl.tables.budget import budget_figures

NEEDED = {"数量指标", "质量指标", "时效指标", "成本指标", "社会效益指标", "可持续影响指标", "服务对象满意度指标"}


def _check_json(path):
    run = run_cli("check", "--format", "json", path)
    return run.code, json.loads(run.out)


def _empty_table(src, dst):
    """A copy of ``src`` whose 绩效目标表 has no indicator rows (the header row stays)."""
    shutil.copy(src, dst)
    dst.chmod(0o644)
    wb = openpyxl.load_workbook(dst)
    ws = wb["绩效目标表"]
    for r in range(INDICATOR_HEADER_ROW + 1, ws.max_row + 1):
        for c in range(1, 13):
            ws.cell(r, c).value = None
    wb.save(dst)
    return dst


def test_a_new_workbook_gets_a_full_draft_that_check_passes(tmp_path):
    book = tmp_path / "补助经费.xlsx"
    assert run_cli("new", book).code == 0
    run = run_cli("fill-performance", "-q", book)
    assert run.code == 0, run.text
    assert "错误0条、警告0条" in run.out
    table = read_table(read_book(book).grid("绩效目标表"))
    assert {r.group2 for r in table.rows} == NEEDED
    assert {r.group1 for r in table.rows} == {"产出指标", "效益指标", "满意度指标"}
    for row in table.rows:
        nature = parse_nature(row.get("nature")).symbol
        assert nature in ("=", "≥", "≤", "定性"), row.label
        assert row.text("target") and row.text("rule") and row.text("basis"), row.label
        assert nature == "定性" or row.text("unit"), row.label
    assert table.header_text("年度绩效目标").startswith("一、正常离任社区干部生活补贴（共计")
    assert table.header_text("中长期绩效目标")
    code, issues = _check_json(book)
    assert code == 0
    assert [i for i in issues if i["sheet"] == "绩效目标表"] == []


def test_the_draft_holds_the_rosters_figures_and_check_finds_no_error(tmp_path, sample_book):
    book = _empty_table(sample_book, tmp_path / "sample.xlsx")
    assert run_cli("fill-performance", "-q", book).code in (0, 1)  # the sample's rosters carry their own errors
    src = read_book(book)
    a = analyse(src)
    f = budget_figures(a.living_people, a.one_off_people, a.params)
    table = read_table(src.grid("绩效目标表"))
    values = {r.name: r.get("target") for r in table.rows}
    assert values["发放生活补贴人数"] == f["living_paid_people"]
    assert values["生活补贴资金"] == f["living_total"]
    assert values["一次性补助资金"] == f["one_off_total"]
    assert values["补助资金合计"] == f["living_total"] + f["one_off_total"]
    assert values["一次性补助发放完成时间"] == f"{a.params.one_off_deadline.year}年{a.params.one_off_deadline.month}月"
    assert all(recognise(r) for r in table.rows if r.group2 in ("数量指标", "时效指标", "成本指标"))
    _code, issues = _check_json(book)
    mine = [i for i in issues if i["sheet"] == "绩效目标表" or i["code"].startswith(("perf-", "narrative-"))]
    assert [i for i in mine if i["severity"] == "error"] == []


def test_a_table_staff_have_begun_keeps_its_rows_and_gets_proposals(tmp_path):
    book = tmp_path / "b.xlsx"
    run_cli("new", book)
    wb = openpyxl.load_workbook(book)
    ws = wb["绩效目标表"]
    typed = ["效益指标", "社会效益指标", "群众对基层组织的认可度", "定性", "明显提升", None, None, "达标得满分", "街道走访"]
    for c, v in enumerate(typed, 1):
        ws.cell(INDICATOR_HEADER_ROW + 1, c, v)
    wb.save(book)
    run = run_cli("fill-performance", book)
    table = read_table(read_book(book).grid("绩效目标表"))
    assert [[r.get(k) for k in INDICATOR_KEYS[:9]] for r in table.rows] == [typed]
    assert run.out.count("建议：建议在") == 10  # the ten computed rows, each with its figure


def test_a_typed_cell_below_the_table_is_kept_and_the_draft_goes_below_it(tmp_path):
    book = tmp_path / "b.xlsx"
    run_cli("new", book)
    wb = openpyxl.load_workbook(book)
    wb["绩效目标表"].cell(INDICATOR_HEADER_ROW + 5, 12, "请勿改动")  # staff's note in 偏差原因, below the table
    wb.save(book)
    run_cli("fill-performance", book)
    ws = openpyxl.load_workbook(book)["绩效目标表"]
    assert ws.cell(INDICATOR_HEADER_ROW + 5, 12).value == "请勿改动"
    assert all(ws.cell(r, c).value is None for r in range(INDICATOR_HEADER_ROW + 1, INDICATOR_HEADER_ROW + 6)
               for c in range(1, 12))
    assert ws.cell(INDICATOR_HEADER_ROW + 6, 3).value == "发放生活补贴人数"


def test_a_proposed_deadline_row_says_its_month_once(tmp_path):
    from subsidy_xl.performance.figures import figures_for
    from subsidy_xl.performance.fill import _suggestions
    from subsidy_xl.params import default_params

    book = tmp_path / "b.xlsx"
    run_cli("new", book)
    table = read_table(read_book(book).grid("绩效目标表"))
    params = default_params()
    messages = [i.message for i in _suggestions(table, set(), figures_for([], [], params))]
    deadline = next(m for m in messages if "一次性补助发放完成时间" in m)
    d = params.one_off_deadline
    assert f"：≤{d.year}年{d.month}月（" in deadline
    assert "月年月" not in deadline


def test_a_row_named_like_the_tools_without_a_unit_is_explained(tmp_path):
    book = tmp_path / "b.xlsx"
    run_cli("new", book)
    wb = openpyxl.load_workbook(book)
    ws = wb["绩效目标表"]
    for c, v in enumerate(["产出指标", "数量指标", "发放生活补贴人数", "="], 1):
        ws.cell(INDICATOR_HEADER_ROW + 1, c, v)
    wb.save(book)
    run = run_cli("fill-performance", book)
    assert "像是工具可计算的指标，但度量单位为空" in run.out
    ws = openpyxl.load_workbook(book)["绩效目标表"]
    assert ws.cell(INDICATOR_HEADER_ROW + 1, 5).value is None  # nothing guessed into its 指标值


@pytest.mark.parametrize("form, name", [("06_sichuan_mata_2023_bumen_xiangmu.xlsx", "村组干部报酬"),
                                        ("02_anhui_tangxi_2022_ziping_cunji.xlsx", "村级补助及运转经费")])
def test_a_real_form_imports_into_the_workbook_and_check_reports_the_reviewers_findings(tmp_path, form, name):
    from pathlib import Path

    book = tmp_path / "b.xlsx"
    run_cli("new", book)
    source = Path(__file__).parent / "data" / "performance_forms" / form
    run = run_cli("import-performance", book, source)
    assert run.code in (0, 1), run.text
    assert "说明：表中的权重（分值）列未写入工作表" in run.out  # both have a 权重/分值 column
    table = read_table(read_book(book).grid("绩效目标表"))
    assert table.header_text("项目名称") == name
    _code, issues = _check_json(book)
    codes = {i["code"] for i in issues if i["sheet"] == "绩效目标表"}
    expected = {"06_sichuan_mata_2023_bumen_xiangmu.xlsx": {"perf-name-has-value", "perf-people-unit", "perf-headcount-ge"},
                "02_anhui_tangxi_2022_ziping_cunji.xlsx": {"perf-people-unit", "perf-funds-part-exceeds"}}[form]
    assert expected <= codes
