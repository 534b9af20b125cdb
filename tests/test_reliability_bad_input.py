"""Bad input never crashes: hypothesis writes real .xlsx rosters and returned street forms full of what
staff and streets send (wrong types, blanks, merged cells, full-width digits, text dates, formulas, huge
numbers, very long text, emoji, stray sheets, a damaged 参数 sheet) and every check, refresh and
import-streets ends normally (exit 0 or 1, no traceback), lists what it found in 问题清单 / 变动情况, and
changes no input cell the tool does not own."""
from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import string
import tempfile
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from openpyxl.cell.cell import MergedCell

from excel_support import payload, remote_engine
from reliability_support import (assert_ended_normally, cells_xml, changed_cells, grids, network_forbidden, parts_of,
                                 run_cli, sheet_parts)
from subsidy_xl.excel import macros
from subsidy_xl.idcard import check_id
from subsidy_xl.params import default_params
from subsidy_xl.performance.layout import INDICATOR_HEADER_ROW
from subsidy_xl.sample import make_id
from subsidy_xl.schema import (CHANGES_COLUMNS, CHANGES_SHEET, GENDERS, ISSUE_COLUMNS, ISSUES_SHEET, LIVING, ONE_OFF,
                               OWNED_SHEETS, PARAMS_SHEET, PERFORMANCE_SHEET, PROJECT_INFO_SHEET, ROSTERS)
from subsidy_xl.streets.form import BASELINE_SHEET, FORM_HEADER_ROW
from subsidy_xl.streets.values import id_key
from subsidy_xl.template import TEMPLATE_PATH
from test_excel_macros import RecordingUi

assert network_forbidden  # autouse: no test or fixture here may open a socket

# CI runs the same 30 examples each time; SUBSIDY_XL_EXAMPLES=2000 explores afresh (how the bugs were found).
HUNT = os.environ.get("SUBSIDY_XL_EXAMPLES")
SETTINGS = settings(max_examples=int(HUNT or 30), deadline=None, derandomize=not HUNT,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PARAMS = default_params()
FULL_WIDTH = str.maketrans(string.digits + "-.", "０１２３４５６７８９－．")


class Formula(str):
    """A cell written as a formula (openpyxl stores no cached value: readers see an empty cell)."""


# ---------------------------------------------------------------------------------------
# cell values
# ---------------------------------------------------------------------------------------
NASTY_TEXT = ("", "   ", "\u3000", "N/A", "#REF!", "TRUE", "-0", "1e309", "NaN", "0x1F", "１２３", "二〇一三年一月",
              "2013年13月", "2013.1", "2013.10", "201301", "2013/01/32", "13/01/2013", "2013-00", "9999-12",
              "😀", "👨‍👩‍👧‍👦", "𠀀𠀁", "a\u0301", "\u202e右到左", "_x0000_", "<b>&amp;</b>", "'", "“”",
              "=1+1", "+1", "-1", "@SUM(A1)", "=cmd|'/c calc'!A0", "长" * 300, "x" * 40_000, " 龙城街道 ",
              "龙城街道\n", "正职（代）", "书计", "男性", "5301141950010112", "53011419500101123X",
              "530114195001011234567", "6228 4800 0000 0000 00O", "¥660", "660元", "1,000", "6.6e2")
FORMULAS = ("=1/0", "=NA()", "=SUM(A1:A3)", "=A1", "=cmd|'/c calc'!A0", '=HYPERLINK("http://example.com","x")',
            '=REPT("长",40000)', "=NOW()")
HUGE = (10**20, -10**20, 2**63, 1e308, -1e308, 5.30114195001011e17, 1e15, 0.1 + 0.2, 1e-300)


def valid(kind: str, choices: str | None) -> st.SearchStrategy:
    """A value that fits the column, so that rows also look like people."""
    if kind == "id":
        return st.builds(lambda seed, year: make_id(random.Random(seed), year, seed % 2 == 0),
                         st.integers(0, 10**6), st.integers(1920, 1975))
    if kind == "month":
        return st.sampled_from(("2013-01", "2021-04", "2000年1月", "199912", dt.date(2016, 5, 1), "2026.04"))
    if kind in ("int", "decimal"):
        return st.integers(0, 12)
    if kind == "money":
        return st.sampled_from((660, 2200, "660.5", 0))
    if kind == "account":
        return st.just("6228480000000000001")
    if kind == "phone":
        return st.just("13900000000")
    lists = {"streets": tuple(PARAMS.streets), "genders": GENDERS, "categories": tuple(PARAMS.rates),
             "stop_reasons": tuple(PARAMS.stop_effects)}
    return st.sampled_from(lists[choices]) if choices else st.sampled_from(("张三", "龙城社区", "正职", "备注"))


bad_values = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from(NASTY_TEXT),
    st.sampled_from(FORMULAS).map(Formula),
    st.sampled_from(HUGE),
    st.integers(-10**6, 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(dt.date(1900, 3, 1), dt.date(2200, 1, 1)),
    st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(2200, 1, 1)),
    st.times(),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30),
    valid("id", None).map(lambda s: s.translate(FULL_WIDTH)),
)


def value_for(column) -> st.SearchStrategy:
    return st.one_of(valid(column.kind, column.choices), bad_values)


def write_value(ws, row: int, col: int, value: object) -> None:
    """Excel row, 0-based column; text stays text (also when it begins with "="), Formula is a formula."""
    cell = ws.cell(row, col + 1)
    if isinstance(cell, MergedCell):
        return  # covered by a merge: nobody can type there
    cell.value = value
    if isinstance(value, str) and not isinstance(value, Formula):
        cell.data_type = "s"


def is_blank(value: object) -> bool:
    """What the reader sees as an empty cell: nothing, white space, or a formula without a cached value."""
    return value is None or isinstance(value, Formula) or (isinstance(value, str) and not value.strip())


# ---------------------------------------------------------------------------------------
# a roster sheet: title rows, a header (some columns, shuffled, a stray one), rows, merges
# ---------------------------------------------------------------------------------------
@st.composite
def roster_layouts(draw, spec):
    columns = list(draw(st.permutations(spec.columns)))[: draw(st.integers(3, len(spec.columns)))]
    headers = [c.header for c in columns]
    if draw(st.booleans()):
        headers.insert(draw(st.integers(0, len(headers))), draw(st.sampled_from(("备注2", "核对人", "", " 姓名 "))))
    by_header = {c.header: c for c in spec.columns}
    rows = draw(st.lists(st.tuples(*[value_for(by_header[h]) if h in by_header else bad_values for h in headers]),
                         max_size=6))
    title_rows = draw(st.integers(0, 2))
    merges = draw(st.lists(st.tuples(st.integers(0, 6), st.integers(0, len(headers) - 1), st.integers(0, 2),
                                     st.integers(0, 2)), max_size=2))
    return {"headers": headers, "rows": rows, "title_rows": title_rows, "merges": merges}


def input_columns(spec, headers: list[str]) -> list[int]:
    """Columns the reader takes as the roster's input: the first of each schema header (spaces ignored)."""
    inputs = {c.header for c in spec.columns if not c.computed and c.key != "seq"}
    seen, found = set(), []
    for i, header in enumerate(h.replace(" ", "") for h in headers):
        if header in inputs and header not in seen:
            found.append(i)
        seen.add(header)
    return found


def effective_rows(layout) -> list[list]:
    """The rows as the sheet holds them: a merge keeps only its first cell."""
    rows = [list(values) for values in layout["rows"]]
    for r, c, tall, wide in layout["merges"]:
        for rr in range(r, r + tall + 1):
            for cc in range(c, c + wide + 1):
                if (rr, cc) != (r, c) and rr < len(rows) and cc < len(rows[rr]):
                    rows[rr][cc] = None
    return rows


def write_roster(ws, layout) -> int:
    """Returns the Excel row of the header."""
    for r in range(1, layout["title_rows"] + 1):
        write_value(ws, r, 0, f"{ws.title}（第{r}行标题）")
    header_row = layout["title_rows"] + 1
    for c, header in enumerate(layout["headers"]):
        write_value(ws, header_row, c, header or None)
    for r, values in enumerate(layout["rows"], header_row + 1):
        for c, value in enumerate(values):
            write_value(ws, r, c, value)
    for r, c, tall, wide in layout["merges"]:
        if tall or wide:
            ws.merge_cells(start_row=header_row + 1 + r, start_column=c + 1,
                           end_row=header_row + 1 + r + tall, end_column=c + 1 + wide)
    return header_row


sheet_names = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="[]:*?/\\'"),
                      min_size=1, max_size=31).filter(lambda s: s.strip())


@st.composite
def workbooks(draw):
    """A whole workbook: the template or a bare one, both rosters (or not), noise in 参数 and elsewhere."""
    return {
        "template": draw(st.booleans()),
        "rosters": {spec.name: draw(st.none() | roster_layouts(spec)) for spec in ROSTERS},
        "noise": draw(st.lists(st.tuples(st.sampled_from((PARAMS_SHEET, PROJECT_INFO_SHEET, PERFORMANCE_SHEET)),
                                         st.integers(1, 25), st.integers(0, 30), bad_values), max_size=6)),
        "stray": draw(st.lists(st.tuples(sheet_names, st.sampled_from(("visible", "hidden", "veryHidden")),
                                         bad_values), max_size=2)),
    }


def write_workbook(path: Path, spec_: dict) -> dict[str, int]:
    """Writes the workbook; returns the header row of each roster written."""
    wb = openpyxl.load_workbook(TEMPLATE_PATH) if spec_["template"] else openpyxl.Workbook()
    header_rows = {}
    for spec in ROSTERS:
        layout = spec_["rosters"][spec.name]
        if spec.name in wb.sheetnames:
            index = wb.sheetnames.index(spec.name)
            del wb[spec.name]
            ws = wb.create_sheet(spec.name, index)
        else:
            ws = wb.create_sheet(spec.name)
        if layout is None:
            continue
        header_rows[spec.name] = write_roster(ws, layout)
    for sheet, row, col, value in spec_["noise"]:
        if sheet in wb.sheetnames:
            write_value(wb[sheet], row, col, value)
    taken = {n.casefold() for n in wb.sheetnames}
    for name, state, value in spec_["stray"]:
        if name.casefold() in taken or name.casefold() == "history":
            continue
        taken.add(name.casefold())
        ws = wb.create_sheet(name)
        write_value(ws, 1, 0, value)
        ws.sheet_state = state
    if "Sheet" in wb.sheetnames and len(wb.sheetnames) > 1 and not spec_["template"]:
        del wb["Sheet"]
    if all(wb[n].sheet_state != "visible" for n in wb.sheetnames):
        wb[wb.sheetnames[0]].sheet_state = "visible"
    wb.active = [wb[n].sheet_state for n in wb.sheetnames].index("visible")
    wb.save(path)
    return header_rows


# ---------------------------------------------------------------------------------------
# properties
# ---------------------------------------------------------------------------------------
def cells(grid: list[list]) -> dict[tuple[int, int], object]:
    return {(r, c): v for r, row in enumerate(grid) for c, v in enumerate(row) if v != ""}


def issue_rows(rows: list[list]) -> Counter:
    """(代码, 工作表, 单元格) of a 问题清单 as written in the workbook."""
    header = rows[0]
    at = [header.index(c.header) for c in ISSUE_COLUMNS[:4]]
    return Counter((row[at[0]], row[at[2]], row[at[3]]) for row in rows[1:] if row[at[0]])


@SETTINGS
@given(workbooks())
def test_any_roster_is_checked_and_refreshed_without_a_crash(book):
    with tempfile.TemporaryDirectory() as tmp:
        path, out = Path(tmp) / "名册.xlsx", Path(tmp) / "刷新后.xlsx"
        header_rows = write_workbook(path, book)
        original = path.read_bytes()
        checked = run_cli("check", path, "--format", "json", "-q")
        assert_ended_normally(checked)
        issues = json.loads(checked.out)
        refreshed = run_cli("refresh", path, "-o", out, "-q")
        assert_ended_normally(refreshed)
        assert path.read_bytes() == original  # the input file itself is never written
        assert checked.code == refreshed.code

        before, after = grids(path), grids(out)
        # Every issue found is in the 问题清单 the refresh wrote.
        assert issue_rows(after[ISSUES_SHEET]) == Counter((i["code"], i["sheet"], i["cell"]) for i in issues)
        # No input cell changed; in 一次性补助名册 only the computed columns may take values.
        for name, grid in before.items():
            if name in OWNED_SHEETS:
                continue
            old, new = cells(grid), cells(after[name])
            changed = {key for key in old.keys() | new.keys() if old.get(key) != new.get(key)}
            if name == ONE_OFF.name and name in header_rows:
                computed = {i for i, h in enumerate(book["rosters"][name]["headers"])
                            if h in {c.header for c in ONE_OFF.columns if c.computed}}
                changed = {(r, c) for r, c in changed if not (c in computed and r >= header_rows[name])}
            assert not changed, (name, sorted(changed)[:5])
        # Each person whose ID cannot be used, and each merged range in a roster, is listed at its row.
        listed = {(i["sheet"], int(re.sub(r"\D", "", i["cell"]) or 0)) for i in issues}
        for spec in ROSTERS:
            layout = book["rosters"][spec.name]
            if layout is None or "身份证号" not in layout["headers"] or spec.name not in header_rows:
                continue
            id_col, first = layout["headers"].index("身份证号"), header_rows[spec.name] + 1
            inputs = input_columns(spec, layout["headers"])
            for r, values in enumerate(effective_rows(layout), first):
                if any(not is_blank(values[i]) for i in inputs) and check_id(values[id_col]).code:
                    assert (spec.name, r) in listed, (spec.name, r, values[id_col])
            for r, c, tall, wide in layout["merges"]:
                if tall or wide:
                    assert (spec.name, first + r) in listed, (spec.name, first + r, "merged")


CHINESE = re.compile("[\u4e00-\u9fff]")


@settings(SETTINGS, max_examples=int(HUNT or 12))
@given(workbooks())
def test_the_ribbon_ends_any_roster_with_a_message_box(book):
    """The same workbooks through the macros (xlwings remote engine): each ends with a message; a red one
    only for a refusal the staff can act on (its text Chinese), never an exception's own text."""
    xw = remote_engine()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "名册.xlsx"
        write_workbook(path, book)
        for macro in (macros.check, macros.refresh_all, macros.fill_performance):
            ui = RecordingUi()
            macro(xw.Book(json=payload(path)), ui)
            assert ui.messages, macro.__name__
            for title, text, critical in ui.messages:
                assert not critical or CHINESE.search(text.split("未完成：", 1)[1]), (macro.__name__, text)


# ---------------------------------------------------------------------------------------
# returned street forms
# ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def street_files(demo_book, tmp_path_factory) -> tuple[Path, Path]:
    """The demo workbook (only read: import-streets writes to -o) and 龙城街道's form made from it."""
    form = tmp_path_factory.mktemp("streets") / "龙城街道.xlsx"
    assert run_cli("street-form", form, "--street", "龙城街道", "--book", demo_book).code == 0
    return demo_book, form


@st.composite
def form_edits(draw):
    spots = st.tuples(st.sampled_from([s.name for s in ROSTERS]), st.integers(FORM_HEADER_ROW, FORM_HEADER_ROW + 12),
                      st.integers(0, 18), bad_values)
    return {
        "cells": draw(st.lists(spots, min_size=1, max_size=12)),
        "merges": draw(st.lists(st.tuples(st.sampled_from([s.name for s in ROSTERS]),
                                          st.integers(FORM_HEADER_ROW + 1, FORM_HEADER_ROW + 10),
                                          st.integers(1, 15)), max_size=2)),
        "baseline": draw(st.sampled_from(("kept", "deleted", "altered"))),
        "stray": draw(st.lists(st.tuples(sheet_names, bad_values), max_size=2)),
    }


def edit_form(source: Path, target: Path, edits: dict) -> None:
    wb = openpyxl.load_workbook(source)
    for sheet, row, col, value in edits["cells"]:
        write_value(wb[sheet], row, col, value)
    for sheet, row, col in edits["merges"]:
        wb[sheet].merge_cells(start_row=row, start_column=col, end_row=row + 1, end_column=col)
    if edits["baseline"] == "deleted":
        del wb[BASELINE_SHEET]
    elif edits["baseline"] == "altered":
        wb[BASELINE_SHEET]["D9"] = "街道改过"
    taken = {n.casefold() for n in wb.sheetnames}
    for name, value in edits["stray"]:
        if name.casefold() not in taken and name.casefold() != "history":
            taken.add(name.casefold())
            write_value(wb.create_sheet(name), 1, 0, value)
    wb.save(target)


def change_rows(grid: list[list]) -> list[dict]:
    header = [c.header for c in CHANGES_COLUMNS]
    assert grid[0][: len(header)] == header
    return [dict(zip(header, row)) for row in grid[1:] if row and row[0] != ""]


@SETTINGS
@given(edits=form_edits())
def test_any_returned_form_is_imported_without_a_crash_and_every_change_is_listed(street_files, edits):
    demo, clean_form = street_files
    with tempfile.TemporaryDirectory() as tmp:
        form, out = Path(tmp) / "龙城街道.xlsx", Path(tmp) / "导入后.xlsx"
        edit_form(clean_form, form, edits)
        returned = form.read_bytes()
        run = run_cli("import-streets", demo, form, "-o", out, "-q")
        assert_ended_normally(run)
        assert form.read_bytes() == returned  # the form is read, never written
        before, after = grids(demo), grids(out)
        for name in before:
            if name not in OWNED_SHEETS and name not in (LIVING.name, ONE_OFF.name):
                assert before[name] == after[name], name
        changes = change_rows(after[CHANGES_SHEET])
        parts = sheet_parts(demo)
        for spec in ROSTERS:
            header = before[spec.name][0]
            old, new = cells(before[spec.name]), cells(after[spec.name])
            written = changed_cells(parts_of(demo)[parts[spec.name]], parts_of(out)[parts[spec.name]])
            for r, c in {k for k in old.keys() | new.keys() if old.get(k) != new.get(k)}:
                person = id_key(after[spec.name][r][header.index("身份证号")])
                assert any(ch["名册"] == spec.name and ch["身份证号"] == person and (
                    (ch["字段"] == header[c] and ch["处理"] in ("已合并", "已填补空白"))
                    or (ch["变动"] == "新增" and ch["新值"] == f"第{r + 1}行")) for ch in changes), \
                    (spec.name, r + 1, header[c])
            xml = cells_xml(parts_of(out)[parts[spec.name]])
            assert not [ref for ref in written if b"<f" in xml.get(ref, b"")], "a formula was written into a roster"


# ---------------------------------------------------------------------------------------
# what the hunts above found, kept as plain tests
# ---------------------------------------------------------------------------------------
def edited(source: Path, target: Path, sheet: str, header: str, value: object, number_format: str | None = None,
           header_row: int = 1) -> str:
    """A copy of ``source`` with the first cell under ``header`` set; returns its A1 reference."""
    wb = openpyxl.load_workbook(source)
    ws = wb[sheet]
    cell = ws.cell(header_row + 1, next(c.column for c in ws[header_row] if c.value == header))
    cell.value = value
    if number_format:
        cell.number_format = number_format
    wb.save(target)
    return cell.coordinate


def issues_at(run, cell: str) -> list[dict]:
    return [i for i in json.loads(run.out) if i["cell"] == cell]


@pytest.mark.parametrize("value, number_format", [(-1e308, "yyyy-mm"), (1e20, "[h]:mm:ss")], ids=["date", "duration"])
def test_a_date_cell_holding_an_impossible_number_is_reported_at_its_cell(sample_book, tmp_path, value, number_format):
    """python-calamine fails on the whole sheet for such a cell; the reader reads it as the number's text."""
    book = tmp_path / "名册.xlsx"
    cell = edited(sample_book, book, LIVING.name, "离任年月", value, number_format)
    checked = run_cli("check", book, "--format", "json", "-q")
    assert_ended_normally(checked)
    assert [(i["code"], i["value"]) for i in issues_at(checked, cell)] == [("month-invalid", repr(value))]
    assert not issues_at(checked, cell.replace("2", "3"))  # the next person's 离任年月 reads as before
    assert_ended_normally(run_cli("refresh", book, "-q"))


def test_a_number_no_double_holds_reads_as_an_empty_cell(sample_book, tmp_path):
    """openpyxl writes the largest double as 1.797693134862316e+308, which overflows to inf when read."""
    book = tmp_path / "名册.xlsx"
    cell = edited(sample_book, book, LIVING.name, "月补贴标准", 1.7976931348623157e308)
    checked = run_cli("check", book, "--format", "json", "-q")
    assert_ended_normally(checked)
    assert [i["code"] for i in issues_at(checked, cell)] == ["required-missing"]
    assert_ended_normally(run_cli("refresh", book, "-q"))


@pytest.mark.parametrize("value", [1e308, "9" * 60, float("1e16")])
def test_an_indicator_value_no_figure_can_be_is_not_a_crash(sample_book, tmp_path, value):
    book = tmp_path / "名册.xlsx"
    edited(sample_book, book, PERFORMANCE_SHEET, "指标值", value, header_row=INDICATOR_HEADER_ROW)
    assert_ended_normally(run_cli("check", book, "-q"))
    assert_ended_normally(run_cli("fill-performance", book, "-q"))
