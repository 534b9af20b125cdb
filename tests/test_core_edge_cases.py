"""Edge cases of the core (params, checks, performance, tables): infinite counts, amounts in 万元, damaged
sources, external links kept through fills, and the rules and texts the sheets share."""
from __future__ import annotations

import re

import pytest

from performance_support import fill_with_executed
from subsidy_xl.io import update
from subsidy_xl.io.reader import BookData, read_book
from subsidy_xl.io.zipsafe import SafePackage
from subsidy_xl.performance.overlay import PatchedSource
from subsidy_xl.performance.usecases import plan_fill_performance
from subsidy_xl.template import build


def _quiet(_m):
    pass


class LinkedSource(BookData):
    """A workbook read by the headless reader, as if it had found an external link."""

    def __init__(self, path):
        super().__init__(SafePackage(path))
        self.external_links = ["file:///D:/名册.xlsx"]
        self.prefetched = []

    def prefetch(self, names):
        self.prefetched += list(names)


# PatchedSource passes on what the wrapped source offers beyond sheet_names/grid/merged.

def test_patched_source_passes_on_external_links_and_prefetch(sample_book):
    src = LinkedSource(sample_book)
    patched = PatchedSource(src, {})
    assert patched.external_links == ["file:///D:/名册.xlsx"]
    patched.prefetch(["x"])
    assert src.prefetched == ["x"]
    with pytest.raises(AttributeError):
        patched.no_such_thing


def test_fill_performance_keeps_the_external_link_warnings(sample_book):
    _plan, report = plan_fill_performance(LinkedSource(sample_book), _quiet)
    links = [i for i in report.analysis.issues if i.code == "workbook-external-link"]
    assert [i.value for i in links] == ["file:///D:/名册.xlsx"]


# "inf" / "Infinity" in a 参数 cell or in 项目信息 is an unreadable number, not an OverflowError.

def _patched(sample_book, patches):
    return PatchedSource(read_book(sample_book), patches)


@pytest.mark.parametrize("text", ["inf", "Infinity", "-Infinity", "NaN"])
def test_whole_number_refuses_infinities(text):
    from subsidy_xl.params import whole_number
    assert whole_number(text) is None
    assert whole_number(float(text)) is None


def test_infinite_parameters_and_project_counts_are_user_errors(sample_book):
    from subsidy_xl.analysis import analyse
    src = _patched(sample_book, {
        "参数": {4: {1: ("inf", None)}, 3: {6: ("Infinity", None)}},  # 生活补贴预算人数, 一肩挑's 月岗位补贴
        "项目信息": {6: {1: ("Infinity人", None)}, 3: {1: ("inf", None)}},  # 编制人数, 预算年度
    })
    issues = analyse(src).issues
    info = [i for i in issues if i.sheet == "项目信息" and i.code == "info-not-a-count"]
    assert [i.cell for i in info] == ["B6"]
    assert [i for i in issues if i.sheet == "参数" and i.cell in ("B4", "G3")]


# The importer reads a .xlsx through io.reader (safety checks, Chinese errors) and a bad .docx is a user error.

def test_a_corrupt_xlsx_source_is_an_unreadable_workbook(tmp_path):
    from subsidy_xl.io.reader import UnreadableWorkbook
    from subsidy_xl.performance.importer import read_source
    bad = tmp_path / "目标表.xlsx"
    bad.write_bytes(b"PK\x03\x04" + b"garbage" * 20)
    with pytest.raises(UnreadableWorkbook, match="已损坏"):
        read_source(bad)


@pytest.mark.parametrize("content", [b"PK\x03\x04" + b"garbage" * 20, b"not a zip at all"])
def test_a_corrupt_docx_source_is_a_performance_error(tmp_path, content):
    from subsidy_xl.performance import PerformanceError
    from subsidy_xl.performance.importer import read_source
    bad = tmp_path / "目标表.docx"
    bad.write_bytes(content)
    with pytest.raises(PerformanceError, match="无法读取“目标表.docx”"):
        read_source(bad)
    with pytest.raises(PerformanceError, match="找不到文件"):
        read_source(tmp_path / "没有.docx")


def test_the_xlsx_source_goes_through_the_safe_reader(tmp_path, monkeypatch):
    """Hostile files meet zipsafe's checks; values come back plain (184, not 184.0)."""
    import subsidy_xl.io.reader as reader
    from subsidy_xl.performance.importer import read_source
    opened = []
    real = reader.read_book
    monkeypatch.setattr(reader, "read_book", lambda p: opened.append(p) or real(p))
    from subsidy_xl.params import default_params
    from subsidy_xl.performance.demo import demo_table
    book = build(tmp_path / "b.xlsx", {"绩效目标表": demo_table(default_params())})
    imported = read_source(book)
    assert opened == [book]
    assert not any(isinstance(v, float) and v.is_integer() for row in imported.rows for v in row.values())


# 全年执行数 is read with its unit (元/万元), by the same function as the header amounts.

def test_amount_in_yuan_reads_yuan_and_wan():
    from decimal import Decimal
    from subsidy_xl.performance.values import amount_in_yuan
    assert amount_in_yuan(2665280) == 2665280
    assert amount_in_yuan("266.528万元") == 2665280
    assert amount_in_yuan("2665280元") == 2665280
    assert amount_in_yuan("26.65285万元") == Decimal("266528.5")
    assert amount_in_yuan(None) is None and amount_in_yuan("") is None
    assert amount_in_yuan("约二百万") is None and amount_in_yuan("90%") is None


def _execution_level(tmp_path, sample_book, typed):
    _plan, report, _row = fill_with_executed(sample_book, tmp_path / "executed.xlsx", typed)
    return next(lv for lv in report.fill.evaluation.levels if lv.level == "预算执行率")


def test_executed_in_wan_is_scored_in_yuan(tmp_path, sample_book):
    execution = _execution_level(tmp_path, sample_book, "239.8752万元")  # 90% of the budget 266.528万元
    assert execution.score == 9 and "执行数2398752元" in execution.note and "90.00%" in execution.note


def test_an_unreadable_executed_figure_is_not_called_missing(tmp_path, sample_book):
    execution = _execution_level(tmp_path, sample_book, "约二百四十万")
    assert "无法读取" in execution.note and "约二百四十万" in execution.note
    assert "未填" not in execution.note


# 计发月数 already is 任满年数 × 每年计发月数: the texts name the factor per year.

def test_the_one_off_formula_texts_name_months_per_year(sample_book):
    from subsidy_xl.analysis import analyse
    from subsidy_xl.performance.compare import BASIS
    from subsidy_xl.performance.figures import ONE_OFF, ROSTER_SOURCE
    from subsidy_xl.params import default_params
    from subsidy_xl.rules import one_off_subsidy
    from subsidy_xl.tables.budget import budget_sheet
    r = one_off_subsidy("正职", 2, 10, default_params())
    assert r.months == r.years * r.per_year and r.amount == r.rate * r.years * r.per_year != r.rate * r.years * r.months
    a = analyse(read_book(sample_book))
    texts = [v for _row, cells in budget_sheet(a.budget, a.params).rows for _c, v, _s in cells if isinstance(v, str)]
    one_off = next(t for t in texts if "任满年数" in t)
    assert "任满年数×每年计发月数" in one_off
    assert "任满年数×每年计发月数" in BASIS[(ONE_OFF, ROSTER_SOURCE)]


# One rule for a payable one-off person, one street order, one context from 参数.

def test_one_off_payable_property():
    from subsidy_xl.compute import OneOffPerson
    from subsidy_xl.rules import OneOff
    paid = OneOff(11000, 2200, 5, 5, 1, 1, None, "")
    nothing = OneOff(0, 2200, 0, 2, 0, 0, "不足一届", "")
    assert OneOffPerson(None, "正职", paid, None).payable
    assert not OneOffPerson(None, "正职", paid, "信息不全").payable
    assert not OneOffPerson(None, "正职", nothing, None).payable
    assert not OneOffPerson(None, None, None, None).payable


def test_payment_and_summary_sheets_share_the_street_order_and_texts(sample_book):
    import dataclasses
    from subsidy_xl.analysis import analyse
    from subsidy_xl.compute import INCOMPLETE
    from subsidy_xl.tables import payments
    from subsidy_xl.tables.summary import NO_STREET, street_order
    a = analyse(read_book(sample_book))
    known = list(a.params.streets)
    assert street_order(a.params, ["乙街道", "甲街道", known[0]]) == known + ["乙街道", "甲街道"]
    first_paid = next(i for i, p in enumerate(a.living_people) if p.pay(a.quarter, a.params).months)
    living = [dataclasses.replace(p, rec=dataclasses.replace(p.rec, values={**p.rec.values, "street": None}))
              if i == first_paid else p for i, p in enumerate(a.living_people)]
    sheet, figures = payments.quarterly_sheet(living, a.quarter, a.params, "单位")
    assert figures["street_totals"][NO_STREET][0] == 1
    assert list(figures["street_totals"]) == [s for s in street_order(a.params, figures["street_totals"])
                                              if s in figures["street_totals"]]
    broken = [dataclasses.replace(p, result=None, blocked=None) for p in a.one_off_people[:1]]
    sheet, _f = payments.one_off_sheet(broken, a.params, "单位")
    assert INCOMPLETE in [v for _r, cells in sheet.rows for _c, v, _s in cells]


def test_field_context_of_params():
    from subsidy_xl.params import default_params
    from subsidy_xl.rosters import FieldContext
    params = default_params()
    ctx = FieldContext.of(params)
    assert ctx == FieldContext(frozenset(params.streets), frozenset(params.rates), frozenset(params.stop_effects))


# The 绩效目标表 use cases run inside service.bulk_work, and reuse analyse's 资金安排 figures.

def test_performance_use_cases_run_as_bulk_work(sample_book, monkeypatch, tmp_path):
    import contextlib
    import shutil
    from subsidy_xl import analysis, service
    from subsidy_xl.performance import PerformanceError, figures
    entered, budgets = [], []

    @contextlib.contextmanager
    def recording():
        entered.append(True)
        yield

    real = figures.figures_for

    def spy(living, one_off, params, budget=None):
        budgets.append(budget)
        return real(living, one_off, params, budget)

    monkeypatch.setattr(update, "bulk_work", recording)  # the headless runner's pause
    monkeypatch.setattr(analysis, "figures_for", spy)  # analyse computes them once, for checks and fill
    book = shutil.copyfile(sample_book, tmp_path / "book.xlsx")
    service.fill_performance(book)
    assert entered == [True] and budgets and all(b is not None for b in budgets)
    with pytest.raises(PerformanceError, match=re.escape("不支持的文件类型“.pdf”")):
        service.import_performance(book, tmp_path / "x.pdf")
    assert entered == [True, True]


# Number columns parse through parse_field alone.


def test_number_columns_still_parse_through_parse_field():
    from subsidy_xl.params import default_params
    from subsidy_xl.rosters import FieldContext, parse_field
    from subsidy_xl.schema import LIVING
    ctx = FieldContext.of(default_params())
    col = next(c for c in LIVING.columns if c.kind == "money")
    assert parse_field(col, "660元", ctx) == (660, None)
    assert parse_field(col, "abc", ctx)[1][0] == "number-invalid"
    assert parse_field(col, "  ", ctx) == (None, None)


def test_a_whitespace_id_shows_masked_in_its_issue():
    """checks.people's rec.raw fallback (kept): only whitespace typed in the ID cell shows, masked, as the value."""
    from subsidy_xl.checks.people import check_ids
    from subsidy_xl.params import default_params
    from subsidy_xl.rosters import FieldContext, read_roster
    from subsidy_xl.schema import LIVING
    header = [c.header for c in LIVING.columns]
    row = [None] * len(header)
    keys = [c.key for c in LIVING.columns]
    row[keys.index("id")] = "   "
    row[keys.index("name")] = "张三"
    roster = read_roster([header, row], LIVING, FieldContext.of(default_params()), [])
    issues = [i for i in check_ids(roster) if i.code == "id-missing"]
    assert [i.value for i in issues] == ["***"]


# One rounding of scores (compare.rounded), one yuan -> 万元 (money.to_wan).

def test_score_and_wan_helpers_agree_with_the_shared_ones():
    from decimal import Decimal
    from fractions import Fraction
    from subsidy_xl.money import to_wan
    from subsidy_xl.performance.compare import rounded
    from subsidy_xl.performance.selfeval import shown
    from subsidy_xl.performance.values import from_yuan
    for v in (Fraction(50, 11), Fraction(1, 200), Fraction(-1, 200), Fraction(90)):
        assert shown(v) == rounded(v, 2)
    assert shown(None) is None
    assert from_yuan(665280, "万元") == Decimal("66.528") == to_wan(665280)
    assert from_yuan(1000000, "万元") == 100 and type(from_yuan(1000000, "万元")) is int
    assert from_yuan(660, "元") == 660
