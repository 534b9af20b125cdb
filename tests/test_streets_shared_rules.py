"""The streets import and the lists it shares with refresh and export: one 问题清单 row
layout, ID keys computed once, one rule for how a roster cell is styled, MergeResult.count."""
import csv
import random
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from reliability_support import returned_form
from subsidy_xl import service
from subsidy_xl.analysis import analyse
from subsidy_xl.export.bundle import _write_issues_csv
from subsidy_xl.params import default_params
from subsidy_xl.sample import make_id
from subsidy_xl.schema import (ISSUE_COLUMNS, LIVING, ONE_OFF, OWNED_SHEETS, README_SHEET, ROSTERS, STYLES,
                               TEXT_KINDS, cell_style)
from subsidy_xl.streets import values as street_values
from subsidy_xl.streets.changes import ISSUE_SPANS, changes_sheet, summary_line
from subsidy_xl.streets.form import FORM_HEADER_ROW, form_columns, write_form
from subsidy_xl.streets.merge import CHANGED, KEPT, MERGED, MOVED, Change, MergeResult, merge
from subsidy_xl.streets.returned import read_form
from subsidy_xl.streets.values import id_key
from subsidy_xl.tables.records import issue_row, issue_styles, issues_sheet
from subsidy_xl.template import build

STREET = "吴家营街道"
README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.fixture(scope="module")
def analysis(demo_book):
    return analyse(service.open_book(demo_book))


@pytest.fixture(scope="module")
def edited_form(demo_book, tmp_path_factory):
    """The 街道's form back with a phone changed, a person added and an unreadable ID on another row."""
    form, _first = returned_form(demo_book, tmp_path_factory.mktemp("review"), STREET, {"联系电话": "13900002222"},
                                 {"姓名": "新增复核", "身份证号": make_id(random.Random(7), 1951, male=True)},
                                 others={1: {"身份证号": "5301141950"}})
    return form


def _style_keys():
    return {name: key for key, name in STYLES.items()}


# ------------------------------------------------------------ one 问题清单 row layout


def test_every_issue_list_lays_out_an_issue_the_same_way(analysis, tmp_path):
    issues = analysis.issues
    assert len(issues) >= 3
    expected = [(issue_row(i), issue_styles(i)) for i in issues]
    assert issue_row(issues[0])[1] in ("错误", "警告", "提示") and len(issue_row(issues[0])) == len(ISSUE_COLUMNS)

    def rows(sheet, n):
        return [([v for _c, v, _s in cells], tuple(s for _c, _v, s in cells)) for _r, cells in sheet.rows[-n:]]

    assert rows(issues_sheet(issues), len(issues)) == expected
    def spread(sheet, n):  # 变动情况 puts an issue's columns over wider (merged) columns of its change table
        return [([cells[first][1] for first, _ in ISSUE_SPANS], tuple(cells[first][2] for first, _ in ISSUE_SPANS))
                for _r, cells in sheet.rows[-n:]]

    assert spread(changes_sheet(MergeResult(), ["表.xlsx"], "今天", issues), len(issues)) == expected
    with open(_write_issues_csv(tmp_path / "问题清单.csv", analysis), encoding="utf-8-sig", newline="") as f:
        assert list(csv.reader(f))[1:] == [issue_row(i) for i in issues]


# ------------------------------------------------------------ ID keys: check_ids has them already


def test_check_ids_stores_the_merge_key_on_every_record(analysis, edited_form):
    form = read_form(service.open_book(edited_form), edited_form, analysis.params)
    records = [rec for data in (analysis.living, analysis.one_off, *form.rosters.values()) for rec in data.records]
    assert len(records) > 180 and any(rec.values.get("id_text") is None for rec in records)  # unreadable IDs too
    assert all(rec.values.get("id_text") == id_key(rec.raw.get("id")) for rec in records)


def test_merge_does_not_check_the_ids_again(demo_book, analysis, edited_form, monkeypatch):
    src = service.open_book(demo_book)
    grids = {s.name: src.grid(s.name) or [] for s in ROSTERS}
    form = read_form(service.open_book(edited_form), edited_form, analysis.params)
    before = merge([analysis.living, analysis.one_off], grids, [form])
    assert before.count(CHANGED) == 1 and len(before.last_rows) == 1  # the phone, the person added

    def refused(raw, today=None):
        raise AssertionError("merge checked an ID again")
    monkeypatch.setattr(street_values, "check_id", refused)
    after = merge([analysis.living, analysis.one_off], grids, [form])
    assert (after.changes, after.patches, after.issues, after.last_rows) == \
        (before.changes, before.patches, before.issues, before.last_rows)


# ------------------------------------------------------------ one rule for a roster cell's style


def _people(spec, rng) -> list[dict[str, object]]:
    """Two people with a value of every kind: whole numbers, then fractions and blanks."""
    people = []
    for n, (whole, blank) in enumerate(((True, False), (False, True))):
        person = {}
        for col in spec.columns:
            kind = col.kind
            if kind == "id":
                value = make_id(rng, 1950 + n, male=True)
            elif kind == "month":
                value = "2013-01" if whole else 2013.1  # a month typed as a number: it keeps its fraction
            elif kind == "decimal":
                value = 12 if whole else 5.5
            elif kind == "money":
                value = 660 if whole else 660.5
            elif kind == "int":
                value = 3
            elif col.key == "street":
                value = STREET
            elif col.key == "gender":
                value = "男"
            else:
                value = f"{col.header}{n}"
            if blank and col.key in ("remark", "pay_stop", "total_terms", "bank", "years"):
                value = None
            person[col.key] = value
        people.append(person)
    return people


def test_the_template_a_street_form_and_an_import_style_every_kind_alike(tmp_path):
    rng = random.Random(11)
    people = {spec.name: _people(spec, rng) for spec in ROSTERS}
    kinds = {col.kind for spec in ROSTERS for col in spec.columns}
    assert kinds >= TEXT_KINDS | {"int", "money", "decimal"}
    by_name = _style_keys()

    # the template (and the demo) with these people
    book = build(tmp_path / "book.xlsx", {spec.name: [{c.header: p[c.key] for c in spec.columns}
                                                      for p in people[spec.name]] for spec in ROSTERS})
    wb = openpyxl.load_workbook(book)
    template = {(spec.name, n, col.key): by_name[wb[spec.name].cell(2 + n, i).style]
                for spec in ROSTERS for n in range(2) for i, col in enumerate(spec.columns, 1) if col.key != "seq"}

    # a street form pre-filled with them
    form_path = write_form(tmp_path / f"{STREET}.xlsx", STREET, people, default_params(), "")
    wb = openpyxl.load_workbook(form_path)
    form = {(spec.name, n, col.key): by_name[wb[spec.name].cell(FORM_HEADER_ROW + 1 + n, i).style]
            for spec in ROSTERS for n in range(2) for i, col in enumerate(form_columns(spec), 1) if col.key != "seq"}

    # the form imported into empty rosters: every person appended
    empty = service.open_book(build(tmp_path / "empty.xlsx"))
    analysis = analyse(empty)
    returned = read_form(service.open_book(form_path), form_path, analysis.params)
    result = merge([analysis.living, analysis.one_off], {s.name: empty.grid(s.name) or [] for s in ROSTERS},
                   [returned])
    imported = {}
    for data in (analysis.living, analysis.one_off):
        keys = {c: k for k, c in data.cols.items()}
        for n, (_row, cells) in enumerate(sorted(result.patches[data.spec.name].items())):
            imported.update({(data.spec.name, n, keys[c]): style for c, (_v, style) in cells.items()
                             if keys[c] != "seq"})
    assert len(imported) > 50

    for spec in ROSTERS:
        for col in spec.columns:
            for n in range(2):
                where = (spec.name, n, col.key)
                if col.key == "seq":
                    continue
                value = people[spec.name][n][col.key]
                expected = cell_style(col, value)
                assert template[where] == expected, where
                if not col.computed:
                    assert form[where] == expected, where
                if where in imported:
                    assert imported[where] == expected, where
    decimal = ("生活补贴名册", 0, "consecutive_years")
    assert template[decimal] == form[decimal] == imported[decimal] == "money"  # 12 and 5.5 years alike


@pytest.mark.parametrize("kind", sorted({c.kind for spec in ROSTERS for c in spec.columns}))
def test_cell_style_by_kind(kind):
    col = next(c for spec in (LIVING, ONE_OFF) for c in spec.columns if c.kind == kind)
    assert cell_style(col, "文本") == "text"
    assert cell_style(col, None) == ("text" if kind in TEXT_KINDS else "money" if kind in ("money", "decimal")
                                     else "int")
    assert cell_style(col, 12) == ("money" if kind in ("money", "decimal") else "int")
    assert cell_style(col, Decimal("5.5")) == ("money" if kind in ("money", "decimal") else "int")
    if kind in TEXT_KINDS:
        assert cell_style(col, 2013.1) == "text"  # the whole-number format would show it as 2013


# ------------------------------------------------------------ small ones


def test_merge_result_counts_by_change_and_by_outcome():
    result = MergeResult(changes=[Change("f", "r", "s", "n", "i", CHANGED, outcome=KEPT),
                                  Change("f", "r", "s", "n", "i", MOVED, outcome=KEPT),
                                  Change("f", "r", "s", "n", "i", CHANGED, outcome=MERGED)])
    assert (result.count(CHANGED), result.count(outcome=KEPT), result.count(CHANGED, KEPT), result.count()) == \
        (2, 2, 1, 3)
    assert "变更3项（其中2项未合并" in summary_line(result, 1)


def test_the_tool_s_sheets_are_named_in_full_in_the_readme_and_the_template(tmp_path):
    row = next(line for line in README.read_text(encoding="utf-8").splitlines() if "| 工具生成 |" in line)
    assert set(re.split(r"[、|]", row.split("|")[1].strip())) == set(OWNED_SHEETS)
    wb = openpyxl.load_workbook(build(tmp_path / "t.xlsx"))
    assert any(c.value and "、".join(OWNED_SHEETS) in c.value for c in wb[README_SHEET]["A"])
