"""The worksheet functions, called as plain functions (classic xlwings UDFs only run on
Windows): they agree with the rules on the demo rosters, take whole columns in one
call, read the calling book's 参数, and answer bad arguments with Chinese text."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from excel_support import payload, remote_engine
from subsidy_xl import service
from subsidy_xl.analysis import analyse
from subsidy_xl.excel import udfs
from subsidy_xl.excel.registry import UDFS
from subsidy_xl.idcard import gender
from subsidy_xl.months import Quarter
from subsidy_xl.schema import PARAMS_SHEET, param_block

QUARTER = Quarter(2026, 2)
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def analysis(demo_book):
    return analyse(service.open_book(demo_book), QUARTER)


def column(values):
    return [[v] for v in values]


def flat(result):
    """A one-column result as a list (a 1x1 range gives a scalar, as Excel shows it)."""
    return [row[0] for row in result] if isinstance(result, list) else [result]


# ---------------------------------------------------------------- the seed's figures

def test_seed_examples():
    assert udfs.ONE_OFF_SUBSIDY("正职", 1, 5) == 11000
    assert udfs.ONE_OFF_SUBSIDY("一肩挑", 2, 10) == 48000
    assert udfs.ONE_OFF_SUBSIDY("社区党组织书记、居委会主任", 2, 10) == 48000  # a post as written
    assert udfs.ONE_OFF_SUBSIDY("副职", 0, 5) == 0
    assert udfs.ONE_OFF_MONTHS(2, 10) == 20
    assert udfs.POST_RATE("副书记") == 2100
    assert udfs.RMB_UPPER(665280) == "陆拾陆万伍仟贰佰捌拾元整"


def test_excel_passes_2d_ranges_and_1x1_cells_give_a_scalar():
    # With ndim=2 every argument arrives as a 2D list, a single cell as [[v]].
    assert udfs.ONE_OFF_SUBSIDY([["正职"]], [[1.0]], [[5.0]]) == 11000
    assert udfs.ONE_OFF_SUBSIDY(column(["正职", "副职"]), [[1.0]], column([5.0, 10.0])) == [[11000], [21000]]


def test_fen_amounts_reach_excel_as_numbers():
    amount = udfs.LIVING_SUBSIDY(660.55, "2026-01", None, "2026Q1")
    assert amount == pytest.approx(1981.65) and isinstance(amount, float)
    assert udfs.LIVING_SUBSIDY(660, "2026-02", None, "2026Q1") == 1320  # whole yuan stay int
    assert udfs.RMB_UPPER(12.5) == "壹拾贰元伍角"


# ---------------------------------------------------------------- agreement with the rules on the demo

def test_one_off_columns_agree_with_the_rules(analysis):
    people = [p for p in analysis.one_off_people if p.result is not None]
    assert len(people) > 50
    r = [p.result for p in people]
    roles = column([p.category for p in people])
    terms, years = column([x.terms for x in r]), column([x.years for x in r])
    assert flat(udfs.ONE_OFF_SUBSIDY(roles, terms, years)) == [x.amount for x in r]
    assert flat(udfs.ONE_OFF_MONTHS(terms, years)) == [x.months for x in r]
    assert flat(udfs.POST_RATE(roles)) == [x.rate for x in r]
    # The post as the street wrote it, where the category was left to the tool.
    derived = [p for p in people if not p.rec.values.get("category")]
    assert derived
    posts = column([p.rec.values["post"] for p in derived])
    assert flat(udfs.ONE_OFF_SUBSIDY(posts, column([p.result.terms for p in derived]),
                                     column([p.result.years for p in derived]))) == [p.result.amount for p in derived]


def test_living_column_agrees_with_the_rules(analysis):
    params = analysis.params
    people = [p for p in analysis.living_people if not p.blocked and not p.held]  # held: paid nothing until fixed
    assert len(people) > 50
    # LIVING_SUBSIDY takes the first paid month and the first month no longer paid.
    starts = [max(p.pay_start, p.eligible_from or p.pay_start) for p in people]
    stops = [p.pay_stop.plus(params.stop_effects[p.stop_reason]) if p.pay_stop else None for p in people]
    assert any(stops)
    result = udfs.LIVING_SUBSIDY(column([p.standard for p in people]), column([str(s) for s in starts]),
                                 column([str(s) if s else None for s in stops]), str(QUARTER))
    assert [Decimal(str(v)) for v in flat(result)] == [p.pay(QUARTER, params).amount for p in people]


def test_id_functions_agree_with_the_roster_checks(analysis):
    records = analysis.living.records + analysis.one_off.records
    id_issues = {(i.sheet, i.cell) for i in analysis.issues if i.code.startswith("id-")}
    checks = flat(udfs.ID_CHECK(column([rec.raw.get("id") for rec in records])))
    assert [bool(c) for c in checks] == [(rec.sheet, rec.cell("id")) in id_issues for rec in records]
    assert any(checks) and all(CJK.search(c) for c in checks if c)
    valid = [rec for rec, c in zip(records, checks) if not c]
    ids = column([rec.values["id_number"] for rec in valid])
    assert flat(udfs.ID_BIRTHDATE(ids)) == [rec.values["birth"].isoformat() for rec in valid]
    assert flat(udfs.ID_GENDER(ids)) == [gender(rec.values["id_number"]) for rec in valid]


def test_rmb_upper_matches_the_payment_sheet(demo_book):
    plan, report = service.plan_refresh(service.open_book(demo_book), QUARTER)
    texts = [v for v in plan.sheets[0].values().values() if isinstance(v, str) and "大写" in v]
    assert any(udfs.RMB_UPPER(report.quarter_figures["total"]) in t for t in texts)


def test_a_column_of_100000_rows_is_one_call():
    rows = 100_000
    posts = ["社区党组织书记", "居委会副主任", "一肩挑", "书计"]
    roles, terms = column([posts[i % 4] for i in range(rows)]), column([1.0 + i % 2 for i in range(rows)])
    result = udfs.ONE_OFF_SUBSIDY(roles, terms, column([5.0] * rows))
    assert len(result) == rows
    assert result[:4] == [[11000], [21000], [12000], ["#职务无法识别：书计"]]


# ---------------------------------------------------------------- bad arguments

@pytest.mark.parametrize("call,expected", [
    (lambda: udfs.ONE_OFF_SUBSIDY("书计", 1, 5), "#职务无法识别：书计"),
    (lambda: udfs.ONE_OFF_SUBSIDY("正职", "一届", 5), "#“连续任满届数”应为数字：一届"),
    (lambda: udfs.ONE_OFF_SUBSIDY("正职", 1.5, 5), "#“连续任满届数”应为整数：1.5"),
    (lambda: udfs.ONE_OFF_SUBSIDY("正职", None, 5), "#缺少连续任满届数"),
    (lambda: udfs.ONE_OFF_SUBSIDY(None, None, None), ""),  # a blank row stays blank
    (lambda: udfs.ONE_OFF_SUBSIDY("正职", 9, None), "#换届时间表只有"),
    (lambda: udfs.LIVING_SUBSIDY(660, "2026-02", None, "第二季度"), "#季度格式应为"),
    (lambda: udfs.LIVING_SUBSIDY(660, "二〇二六年", None, "2026Q1"), "#起发日期无法识别的年月写法"),
    (lambda: udfs.ID_CHECK(530114193211178759.0), "身份证号以数字格式保存"),
    (lambda: udfs.ID_BIRTHDATE("12345"), "#身份证号应为18位，实为5位"),
    (lambda: udfs.ID_GENDER("530114193211178750"), "#身份证号校验位错误"),
    (lambda: udfs.RMB_UPPER("abc"), "#“金额”应为数字：abc"),
    (lambda: udfs.ONE_OFF_SUBSIDY(column(["正职", "副职"]), column([1, 2, 3])), "#参数区域大小不一致：2行1列、3行1列"),
])
def test_bad_arguments_give_a_readable_text(call, expected):
    assert call().startswith(expected)


CELL = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=True),
                 st.text(max_size=30), st.dates().map(lambda d: dt.datetime(d.year, d.month, d.day)),
                 st.sampled_from(["正职", "副书记", "一肩挑", "2026Q2", "2026-03", "530114193211178759", "1", "5"]))
FUNCTIONS = [getattr(udfs, spec.name) for spec in UDFS]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(FUNCTIONS), st.lists(CELL, min_size=4, max_size=4))
def test_arbitrary_cells_never_raise_and_refusals_are_chinese(fn, cells):
    n = len(UDFS[FUNCTIONS.index(fn)].args)
    result = fn(*cells[:n])
    assert isinstance(result, (int, float, str)) and not isinstance(result, bool)
    if isinstance(result, str) and result.startswith("#"):
        assert CJK.search(result), result
        assert "Traceback" not in result


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(CELL, CELL, CELL), min_size=1, max_size=12))
def test_a_column_call_equals_the_cells_called_one_by_one(rows):
    # The per-call memo must not mix up equal-hashing values (TRUE and 1, 1 and 1.0).
    roles, terms, years = ([r[i] for r in rows] for i in range(3))
    assert flat(udfs.ONE_OFF_SUBSIDY(column(roles), column(terms), column(years))) == \
        [udfs.ONE_OFF_SUBSIDY(*r) for r in rows]


# ---------------------------------------------------------------- parameters of the calling book

@pytest.fixture
def caller_book(demo_book, monkeypatch):
    """A live (remote-engine) book whose 参数 pays 正职 3000 a month, set as the UDFs' caller."""
    xw = remote_engine()
    data = payload(demo_book)
    sheet = next(s for s in data["sheets"] if s["name"] == PARAMS_SHEET)
    col = param_block("rates").first_col
    row = next(r for r in sheet["values"] if r[col] == "正职")
    row[col + 1] = 3000
    book = xw.Book(json=data)
    book.set_mock_caller()
    monkeypatch.setattr(udfs, "_params_cache", {})
    yield book, col
    del xw.Book._mock_caller


def test_parameters_come_from_the_calling_books_sheet(caller_book, monkeypatch):
    book, col = caller_book
    assert udfs.ONE_OFF_SUBSIDY("正职", 1, 5) == 15000
    first = udfs.workbook_params(book)
    monkeypatch.setattr(udfs, "PARAMS_RECHECK_SECONDS", 0)
    assert udfs.workbook_params(book) is first  # read again, unchanged: the parsed parameters are kept
    row = next(r for r in book.sheets[PARAMS_SHEET].impl.api["values"] if r[col] == "正职")
    row[col + 1] = 2500  # the user edits the sheet
    assert udfs.ONE_OFF_SUBSIDY("正职", 1, 5) == 12500


def test_a_book_without_a_params_sheet_uses_the_defaults(demo_book, monkeypatch):
    xw = remote_engine()
    data = payload(demo_book)
    data["sheets"] = [s for s in data["sheets"] if s["name"] != PARAMS_SHEET]
    book = xw.Book(json=data)
    book.set_mock_caller()
    monkeypatch.setattr(udfs, "_params_cache", {})
    try:
        assert udfs.ONE_OFF_SUBSIDY("正职", 1, 5) == 11000
    finally:
        del xw.Book._mock_caller


PARAMS_FREE = {"ID_CHECK", "ID_BIRTHDATE", "ID_GENDER", "RMB_UPPER", "LIVING_SUBSIDY"}


def test_functions_that_ignore_the_params_never_read_them(monkeypatch):
    """ID_*, RMB_UPPER and LIVING_SUBSIDY (the standard is its argument) do not use 参数: no round trip to Excel,
    and an unreadable 参数 sheet is no error."""
    reads = []

    def unreadable():
        reads.append(1)
        raise RuntimeError("Excel busy")

    monkeypatch.setattr(udfs, "_current_params", unreadable)
    assert udfs.ID_CHECK("530114193211178759") == ""
    assert udfs.ID_GENDER("530114193211178759") == "男"
    assert udfs.ID_BIRTHDATE("530114193211178759") == "1932-11-17"
    assert udfs.RMB_UPPER(665280) == "陆拾陆万伍仟贰佰捌拾元整"
    assert udfs.ID_CHECK(column(["530114193211178759", None])) == [[""], [""]]
    assert udfs.LIVING_SUBSIDY(660, "2019-01", "", "2026Q2") == 1980
    assert reads == []
    assert {spec.name for spec in UDFS if not spec.needs_params} == PARAMS_FREE
    for spec in UDFS:
        if spec.name not in PARAMS_FREE:
            assert getattr(udfs, spec.name)(*["1"] * len(spec.args)).startswith(f"#无法读取“{PARAMS_SHEET}”表")
    assert len(reads) == len(UDFS) - len(PARAMS_FREE)


# ---------------------------------------------------------------- declarations

def test_declarations_carry_the_registry_texts():
    """Stand-ins with xlwings' semantics (xlwings.udfs cannot be imported off Windows): ``func(**options)``
    sets every option, a missing category meaning "xlwings"; ``arg`` first applies ``func`` without options,
    as xlwings' xlarg does. The category must survive, and every argument keep its Chinese text."""
    def func(f=None, **options):
        def apply(fn):
            info = fn.__dict__.setdefault("xlfunc", {"args": {}})
            info["category"] = options.get("category", "xlwings")
            return fn
        return apply(f) if f is not None else apply

    def arg(name, **options):
        def apply(fn):
            func(fn)  # xlwings: xlf = xlfunc(f).__xlfunc__
            fn.xlfunc["args"][name] = options
            return fn
        return apply

    for spec in UDFS:
        original = getattr(udfs, spec.name)
        copy = type(original)(original.__code__, original.__globals__, spec.name, original.__defaults__)
        fn = udfs.declare(copy, func=func, arg=arg)
        assert fn.__doc__ == spec.description
        assert fn.xlfunc["category"] == udfs.CATEGORY == "离任补贴"
        assert fn.xlfunc["args"] == {a.name: {"ndim": 2, "doc": a.description} for a in spec.args}