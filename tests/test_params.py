"""The 参数 sheet is read by its headers; a bad value is an issue at its cell, never a crash."""
import pytest
from python_calamine import CalamineWorkbook

from subsidy_xl.months import YearMonth
from subsidy_xl.params import default_params, params_from_grid
from subsidy_xl.template import TEMPLATE_PATH


@pytest.fixture
def grid():
    wb = CalamineWorkbook.from_path(str(TEMPLATE_PATH))
    return [list(r) for r in wb.get_sheet_by_name("参数").to_python(skip_empty_area=False)]


def test_template_sheet_reads_as_the_defaults(grid):
    params, issues = params_from_grid(grid)
    assert issues == []
    assert params == default_params()
    assert params.living_budget == 665280 and params.one_off_budget == 2_000_000
    assert params.left_office_before == YearMonth(2000, 1)


def _set(grid, label, value):
    for row in grid:
        if row[0] == label:
            row[1] = value
            return
    raise KeyError(label)


def test_edited_values_are_used(grid):
    _set(grid, "生活补贴人均月标准", 700)
    grid[3][6] = 2500  # 正职 rate (block 月岗位补贴标准, second data row)
    params, issues = params_from_grid(grid)
    assert issues == []
    assert params.living_budget == 84 * 700 * 12
    assert params.rates["正职"] == 2500


def test_bad_value_is_reported_at_its_cell_and_the_default_used(grid):
    _set(grid, "男性年龄下限", "六十")
    params, issues = params_from_grid(grid)
    assert params.min_age_male == 60
    (issue,) = issues
    assert issue.code == "param-invalid" and issue.sheet == "参数" and issue.cell.startswith("B")
    assert "男性年龄下限" in issue.message


def test_missing_block_falls_back_with_a_warning(grid):
    for row in grid:
        for c in range(9, 12):  # 换届时间表
            row[c] = None
    params, issues = params_from_grid(grid)
    assert params.term_starts == default_params().term_starts
    assert [i.code for i in issues] == ["param-block-missing"]


def test_bad_stop_effect(grid):
    grid[2][14] = "下月"
    params, issues = params_from_grid(grid)
    assert any(i.code == "param-invalid" and i.cell == "O3" for i in issues)


def test_empty_sheet():
    params, issues = params_from_grid([])
    assert params == default_params() and issues
