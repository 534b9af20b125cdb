"""The seed's own application, built into a workbook verbatim, is checked: every
problem a reviewer would raise is found, at its cell, and nothing else is said
about the 绩效目标表 or the texts."""
import json

import pytest

from performance_support import seed_workbook
from subsidy_xl.io.reader import read_book
from subsidy_xl.analysis import analyse

# (code, sheet, cell): why it is a problem
EXPECTED = {
    ("perf-level1-invalid", "绩效目标表", "A11"): "数量指标 is a 二级 name written in the 一级 column (should be 产出指标)",
    ("perf-name-placeholder", "绩效目标表", "B11"): "二级 level is the placeholder 空",
    ("perf-count-mixed-groups", "绩效目标表", "E11"):
        "184 正常离任社区干部 = 84 living-subsidy people + 100 one-off people: two groups under one name",
    ("perf-name-is-level", "绩效目标表", "C12"): "三级 indicator named 质量指标, its own level",
    ("perf-quality-money", "绩效目标表", "F12"): "2665280 元 is money measured under 质量",
    ("perf-nature-nonstandard", "绩效目标表", "D12"): ">= instead of ≥",
    ("perf-level-mismatch", "绩效目标表", "C13"): "维护社会稳定 is a 效益 (social benefit), listed under 产出/质量",
    ("perf-ge-100", "绩效目标表", "D13"): "≥100% cannot be exceeded; should be =100%",
    ("perf-value-has-unit", "绩效目标表", "E13"): "100% typed with its unit into the value",
    ("perf-nature-nonstandard", "绩效目标表", "D13"): ">= instead of ≥",
    ("perf-name-is-level", "绩效目标表", "C14"): "服务对象满意度指标 under 二级 服务对象满意度: named after its level",
    ("perf-satisfaction-range", "绩效目标表", "E14"): "96% is above the usual 85–95% (参数)",
    ("perf-value-has-unit", "绩效目标表", "E14"): "96% typed with its unit into the value",
    ("perf-nature-nonstandard", "绩效目标表", "D14"): ">= instead of ≥",
    ("perf-level1-missing", "绩效目标表", "A10"): "no 效益指标 at all (weight 30 in 参数)",
    ("perf-timeliness-missing", "绩效目标表", "B10"): "the plan has deadlines (每季度末, 9月前) but no 时效 indicator",
    ("perf-cost-missing", "绩效目标表", "B10"): "no 成本 indicator",
    ("info-sum-mismatch", "项目信息", "B9"): "在职实有9人 but 财政全供养5+部分供养0+非财政供养0 = 5",
    ("narrative-parts-sum", "项目信息", "B16"): "单位概况: 在职实有9人，其中 5+0+0 人",
}

CHECKED_PREFIXES = ("perf-", "narrative-", "info-", "credit-code")


def _found(issues) -> dict:
    return {(i.code, i.sheet, i.cell): i for i in issues if i.code.startswith(CHECKED_PREFIXES)}


@pytest.fixture(scope="module")
def seed_book(tmp_path_factory):
    return seed_workbook(tmp_path_factory.mktemp("seed") / "seed.xlsx")


def test_every_expected_problem_is_found_at_its_cell_and_nothing_else(seed_book):
    found = _found(analyse(read_book(seed_book)).issues)
    missing = {k: why for k, why in EXPECTED.items() if k not in found}
    assert not missing, f"not found: {missing}"
    extra = {k: found[k].message for k in found if k not in EXPECTED}
    assert not extra, f"unexpected: {extra}"


def test_messages_give_both_figures_and_their_sources(seed_book):
    found = _found(analyse(read_book(seed_book)).issues)
    mixed = found[("perf-count-mixed-groups", "绩效目标表", "E11")].message
    assert "184" in mixed and "84人" in mixed and "100人" in mixed and "年度绩效目标" in mixed
    parts = found[("narrative-parts-sum", "项目信息", "B16")].message
    assert "5+0+0=5人" in parts and "9人" in parts
    satisfaction = found[("perf-satisfaction-range", "绩效目标表", "E14")]
    assert "96%" in satisfaction.message and "85%" in satisfaction.message and "参数表" in satisfaction.basis


def test_the_seed_figures_agree_with_the_budget_so_no_amount_or_text_is_flagged(seed_book):
    """84×660×12=66.528万, 100×2万=200万, 66.528+200=2665280元: the seed's arithmetic holds."""
    codes = {i.code for i in analyse(read_book(seed_book)).issues}
    assert not {c for c in codes if c.startswith(("narrative-product", "narrative-amount", "perf-amount"))}


def test_the_cli_reports_the_same(seed_book, capsys):
    from subsidy_xl.cli import main

    code = main(["check", "--format", "json", str(seed_book)])
    issues = json.loads(capsys.readouterr().out)
    found = {(i["code"], i["sheet"], i["cell"]) for i in issues if i["code"].startswith(CHECKED_PREFIXES)}
    assert found == set(EXPECTED)
    assert code == 1  # errors were found
