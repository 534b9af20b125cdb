"""The shortcuts that make 100,000-row rosters fast give the same results as the plain way.

Issue 7 (performance) changed how the work is done, not what it gives: rosters are parsed once per
distinct value, unchanged cells and parts are not written again, big parts are deflated and sheets
read on another thread, and rows are rendered column by column. Each test here holds a shortcut against the straightforward version.
(Timings live in benchmarks/run.py; no test here measures time.)
"""
from __future__ import annotations

import datetime as dt
import io
import random
import zipfile
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from subsidy_xl import service
from subsidy_xl.compute import LivingPerson
from subsidy_xl.io.package import PackageEditor
from subsidy_xl.io.reader import read_book
from subsidy_xl.io.render import COLUMNS, RENDER_BLOCK_ROWS, CellRenderer, render_lines
from subsidy_xl.issues import Issue
from subsidy_xl.months import Quarter, YearMonth
from subsidy_xl.params import default_params
from subsidy_xl.rosters import FieldContext, Record, RosterData, find_header, parse_field, read_roster
from subsidy_xl.rules import living_quarter, quarters_of_year
from subsidy_xl.schema import LIVING, ONE_OFF, QUARTERLY_SHEET
from subsidy_xl.tables.sheet import SheetContent

P = default_params()
CTX = FieldContext.of(P)
Q2 = Quarter(2026, 2)

# Cells of every kind a reader or a live book can hand over, including values equal across types.
ODD = [None, "", "  ", True, False, 1, 1.0, 0, 2.5, "1", "１", "2013.1", 2013.1, 2013.01, 201301, "2013-01",
       "2013年1月", dt.datetime(2013, 1, 5), dt.date(2013, 1, 5), dt.time(8, 0), -3, 10 ** 10, "660.50元", "x" * 250,
       "6228 0000 0000 0000 001", "622800000000000000A", 6.228e18, "龙城街道", "呈贡镇", "男", "M", "死亡", "正职"]


def reference_roster(grid, spec, context) -> RosterData:
    """read_roster as it was written before issue 7: row by row, parse_field on every cell."""
    issues: list[Issue] = []
    header_idx, cols = find_header(grid, spec)
    header_row = header_idx + 1
    specs = [(spec.column(k), c) for k, c in cols.items()]
    inputs = [(col, c) for col, c in specs if not col.computed and col.key != "seq"]
    records = []
    for r in range(header_idx + 1, len(grid)):
        row = grid[r]
        raw = {col.key: (row[c] if c < len(row) else None) for col, c in specs}
        if all(parse_field(col, raw[col.key], context) == (None, None) for col, _c in inputs):
            continue
        rec = Record(spec.name, r + 1, {}, row, cols)
        bad = set()
        for col, c in specs:
            value, problem = parse_field(col, raw[col.key], context)
            rec.values[col.key] = value
            if problem:
                bad.add(col.key)
                code, severity, message = problem
                issues.append(("problem", r + 1, c, code, severity, message))
        rec.bad = frozenset(bad)
        for col in spec.columns:
            value = rec.values.get(col.key)
            if col.required and col.key in cols and col.key not in bad and col.key != "id" \
                    and (value is None or (isinstance(value, str) and not value.strip())):
                issues.append(("required-missing", r + 1, col.key))
        records.append(rec)
    return RosterData(spec, records, cols, header_row, issues)


def odd_grid(spec, rows: int, seed: int) -> list[list[object]]:
    rng = random.Random(seed)
    body = []
    for i in range(rows):
        row = [rng.choice(ODD) for _ in spec.columns]
        row[spec.headers.index("身份证号")] = f"5301141960{i % 12 + 1:02d}01{i:04d}"[:18] if i % 31 else \
            rng.choice(["", "  ", None, " 530114196001010010 "])  # nearly all different
        # text only and nearly all different, with letters in an account now and then
        row[spec.headers.index("银行账号")] = f"6228 {i:06d}" if i % 25 else rng.choice(
            ["", None, " 6228-0001 ", "６２２８", "6228O01", "6228 0001"])
        if "联系电话" in spec.headers and rows > 100:
            row[spec.headers.index("联系电话")] = f"1390000{i:04d}" if i % 25 else rng.choice(["", " 139 ", "１３９"])
        row[spec.headers.index("开户行")] = rng.choice(["农行", " 农行", "", None, "信用社"])  # text only
        # nearly all different and text only, with a text over 200 characters now and then
        row[spec.headers.index("姓名")] = rng.choice([f"张{i}", f" 李{i}\t", f"ＡＢＣ{i}", f"Ｚhang {i}"]) if i % 25 else \
            rng.choice(["\u3000", "", None, "长" * 201, "王"])
        body.append(row)
    body.append([None] * len(spec.columns))  # a blank row
    body.append([5] + [None] * (len(spec.columns) - 1))  # a 序号 alone
    return [spec.headers] + body


@pytest.mark.parametrize("spec", [LIVING, ONE_OFF])
@pytest.mark.parametrize("rows", [40, 1500])  # under and over the sample that picks per-value or per-cell parsing
def test_rosters_read_as_they_did_cell_by_cell(spec, rows):
    grid = odd_grid(spec, rows, seed=rows)
    got, want = read_roster(grid, spec, CTX), reference_roster(grid, spec, CTX)
    assert [(r.row, r.values, r.bad, r.raw) for r in got.records] == \
        [(r.row, r.values, r.bad, r.raw) for r in want.records]
    # Same values also means the same types: 1, 1.0 and True are not taken for one another.
    assert [[type(v) for v in r.values.values()] for r in got.records] == \
        [[type(v) for v in r.values.values()] for r in want.records]
    problems = [(i.code, i.cell, i.message) for i in got.issues if i.code != "required-missing"]
    assert len(problems) == sum(1 for i in want.issues if i[0] == "problem")
    assert sum(1 for i in got.issues if i.code == "required-missing") == \
        sum(1 for i in want.issues if i[0] == "required-missing")


def test_a_ragged_grid_reads_like_a_padded_one():
    padded = odd_grid(LIVING, 30, seed=3)
    for row in padded[1:]:
        row[-1] = None
    ragged = [row[:-1] if i % 2 else row for i, row in enumerate(padded)]  # the last cell left out
    a, b = read_roster(ragged, LIVING, CTX), read_roster(padded, LIVING, CTX)
    assert [r.values for r in a.records] == [r.values for r in b.records]


def test_pay_for_a_whole_year_matches_living_quarter_and_keeps_the_standards_type():
    shared: dict = {}  # as assess_living shares it between the people of a roster
    people = [LivingPerson(None, standard, YearMonth(2019, 1), stop, reason, eligible, None, shared)
              for standard in (660, Decimal("660"), Decimal("660.50"))
              for stop, reason in ((None, None), (YearMonth(2026, 5), "死亡"))
              for eligible in (None, YearMonth(2026, 8))]
    for person in people:
        for quarter in quarters_of_year(2026) + [Quarter(2027, 1)]:
            expected = living_quarter(person.standard, person.pay_start, person.pay_stop, person.stop_reason,
                                      quarter, P, person.eligible_from)
            got = person.pay(quarter, P)
            assert got == expected and type(got.amount) is type(expected.amount)


def test_a_second_refresh_leaves_the_computed_columns_part_as_it_was(demo_book, tmp_path):
    again = tmp_path / "again.xlsx"
    service.refresh(demo_book, Q2, out=again)
    part = read_book(demo_book)._entries[ONE_OFF.name].part
    with zipfile.ZipFile(demo_book) as before, zipfile.ZipFile(again) as after:
        assert after.testzip() is None
        # copied as stored: not even re-deflated
        assert after.getinfo(part).compress_size == before.getinfo(part).compress_size
        assert after.read(part) == before.read(part)


def test_a_changed_row_is_rewritten_and_only_it(demo_book):
    book = read_book(demo_book)
    full = service.plan_refresh(book, Q2)[0].patches[ONE_OFF.name]
    assert service.plan_refresh(book, Q2, rewrite_unchanged=False)[0].patches[ONE_OFF.name] == {}
    grid = [list(r) for r in book.grid(ONE_OFF.name)]
    row, cols = next((r, c) for r, c in full.items() if c[next(iter(c))][0] is not None)
    col = next(iter(cols))
    grid[row - 1][col] = 1  # as if someone had typed over the computed 月岗位补贴
    grid[row][col] = str(grid[row][col])  # the same figure typed as text is not the figure

    class Edited:
        sheet_names = book.sheet_names

        def grid(self, name):
            return grid if name == ONE_OFF.name else book.grid(name)

        def merged(self, name):
            return book.merged(name)

    kept = service.plan_refresh(Edited(), Q2, rewrite_unchanged=False)[0].patches[ONE_OFF.name]
    assert set(kept) == {row, row + 1} and kept[row] == full[row]


def test_parts_deflated_on_the_other_thread_read_back_the_same(demo_book):
    editor = PackageEditor(demo_book)
    editor.prefetch([QUARTERLY_SHEET])
    rows = [(r, 0, [f"第{r}行" * 40, r], None) for r in range(4, 30_000)]
    editor.replace_sheet_data(QUARTERLY_SHEET, rows)  # big enough to be deflated on the other thread
    out = io.BytesIO()
    editor.save(out)
    plain = PackageEditor(demo_book)
    plain.replace_sheet_data(QUARTERLY_SHEET, rows)
    part = plain._worksheet(QUARTERLY_SHEET).part
    with zipfile.ZipFile(out) as z, zipfile.ZipFile(demo_book) as original:
        assert z.testzip() is None
        assert z.read(part) == plain._current(part)
        names = z.namelist()
        assert names == original.namelist()
        for name in names:  # every other part as it was
            if name != part and not name.endswith(("workbook.xml", "calcChain.xml", ".rels", "Types].xml")):
                assert z.read(name) == original.read(name), name


def test_a_sheet_read_on_the_other_thread_is_the_same(demo_book):
    ahead, plain = read_book(demo_book), read_book(demo_book)
    ahead.prefetch([ONE_OFF.name, LIVING.name, "no such sheet"])
    assert ahead.grid(LIVING.name) == plain.grid(LIVING.name)
    assert ahead.grid(ONE_OFF.name) == plain.grid(ONE_OFF.name)
    assert ahead.merged(ONE_OFF.name) == plain.merged(ONE_OFF.name)


def test_a_row_with_fewer_styles_than_values_is_refused():
    sheet = SheetContent("x")
    with pytest.raises(IndexError):
        sheet.add([1, 2, 3], styles=("int", "int"))
    assert sheet.add([1, 2], styles=("int", "int", "int")) == 1
    assert sheet.rows == [(1, [(0, 1, "int"), (1, 2, "int")])]


def test_figures_in_one_pass_match_the_plain_sums(demo_book):
    from subsidy_xl.analysis import analyse
    from subsidy_xl.performance.figures import figures_for
    from subsidy_xl.tables.budget import budget_figures

    a = analyse(read_book(demo_book), Q2)
    year = a.params.budget_year
    pays = [p.year(year, a.params) for p in a.living_people]
    got = figures_for(a.living_people, a.one_off_people, a.params, a.budget)
    assert a.budget == budget_figures(a.living_people, a.one_off_people, a.params)
    assert got == figures_for(a.living_people, a.one_off_people, a.params)
    assert got.living.units == sum(pay.months for ps in pays for pay in ps) > 0
    assert got.quarters_paid == sum(1 for i in range(4) if any(ps[i].months for ps in pays))
    paid = {p.rec.values["id_number"] for p, ps in zip(a.living_people, pays) if any(x.months for x in ps)}
    paid |= {p.rec.values["id_number"] for p in a.one_off_people if p.result and p.result.amount > 0 and not p.blocked}
    assert got.total_people == len(paid - {None})


def test_living_quarter_counts_the_months_payable_months_lists():
    """living_quarter counts a quarter's paid months arithmetically; payable_months (the 工作表函数's rule)
    lists them. Both are the one payable-month rule: held against each other over starts, stops, ages,
    stop reasons (paid to the stop month or the month after) and quarters."""
    import dataclasses
    from types import MappingProxyType

    from subsidy_xl.rules import payable_months

    params = dataclasses.replace(default_params(), stop_effects=MappingProxyType({"死亡": 1, "当月停发": 0}))
    months = [YearMonth(2025, 10).plus(i) for i in range(18)]  # 2025-10 … 2027-03: around the year's quarters
    eligibles = [None, YearMonth(2025, 12), YearMonth(2026, 2), YearMonth(2026, 6), YearMonth(2026, 11)]
    checked = 0
    for quarter in quarters_of_year(2026):
        for start in months:
            for stop in [None, *months]:
                for reason in ([None] if stop is None else list(params.stop_effects)):
                    offset = 0 if stop is None else params.stop_effects[reason]
                    for eligible in eligibles:
                        pay = living_quarter(Decimal("660.5"), start, stop, reason, quarter, params, eligible)
                        listed = payable_months(start, stop, offset, quarter.months, eligible)
                        assert pay.months == len(listed), (quarter, start, stop, reason, eligible)
                        assert pay.amount == Decimal("660.5") * len(listed)
                        assert (pay.reason is None) == bool(listed)
                        checked += 1
    assert checked > 10_000


# ---------------------------------------------------------------- rows rendered column by column

_RENDER_VALUES = st.one_of(
    st.none(), st.text(max_size=6), st.sampled_from(["", " x", "x\n", "a<b", "_x0041_", "a\nb", "龙城", "\t"]),
    st.integers(-10 ** 6, 10 ** 6), st.sampled_from([True, Decimal("1.50"), 2.5, dt.date(2024, 1, 1)]))
_STYLE_ATTRS = {None: "", "text": ' s="4"', "int": ' s="5"', "unknown": ""}


@st.composite
def _lines(draw):
    """Blocks of consecutive rows sharing first column, width and styles (what render_lines takes as one
    run), with gaps between blocks; a column is text only, integers only or mixed, as payment sheets are."""
    lines, row = [], 0
    for _ in range(draw(st.integers(0, 5))):
        row += draw(st.integers(1, 3))
        first, width = draw(st.integers(0, 3)), draw(st.integers(0, 4))
        styles = draw(st.one_of(st.sampled_from(list(_STYLE_ATTRS)),
                                st.tuples(*[st.sampled_from(list(_STYLE_ATTRS))] * width)))
        kinds = [draw(st.sampled_from([st.one_of(st.none(), st.text(max_size=4)),
                                       st.one_of(st.none(), st.integers(-99, 99)), _RENDER_VALUES]))
                 for _ in range(width)]
        for _ in range(draw(st.integers(1, 6))):
            lines.append((row, first, [draw(kind) for kind in kinds], styles))
            row += 1
        row -= 1
    return lines


def _plain_render(lines, old_attrs):
    """Every cell rendered on its own by CellRenderer.cell, row by row: the way render_lines must agree with."""
    renderer = CellRenderer("S", False)
    numbers = sorted({line[0] for line in lines} | set(old_attrs))
    by_row = {line[0]: line for line in lines}
    out, written = [], []
    for number in numbers:
        body = ""
        if number in by_row:
            _row, first, values, styles = by_row[number]
            for j, value in enumerate(values):
                style = styles if styles is None or isinstance(styles, str) else styles[j]
                xml = renderer.cell(f"{COLUMNS[first + j]}{number}", value, _STYLE_ATTRS[style])
                if xml:
                    body += xml
                    written.append((number, first + j))
        attrs = old_attrs.get(number, "")
        if body:
            out.append(f'<row r="{number}"{attrs}>{body}</row>')
        elif attrs:
            out.append(f'<row r="{number}"{attrs}/>')
    return "".join(out).encode("utf-8"), written


@settings(max_examples=300, deadline=None)
@given(_lines(), st.dictionaries(st.integers(1, 25), st.sampled_from([' ht="30" customHeight="1"', ' hidden="1"']),
                                 max_size=4))
def test_rows_rendered_by_column_are_the_rows_rendered_cell_by_cell(lines, old_attrs):
    blocks, bounds = render_lines(lines, CellRenderer("S", False), old_attrs, _STYLE_ATTRS.__getitem__)
    expected, written = _plain_render(lines, old_attrs)
    assert b"".join(blocks) == expected
    if written:
        rows, cols = [r for r, _c in written], [c for _r, c in written]
        assert (bounds.first_row, bounds.last_row, bounds.first_col, bounds.last_col) == \
            (min(rows), max(rows), min(cols), max(cols))
    else:
        assert bounds.union_text(None) is None


def test_a_long_run_is_cut_into_blocks_and_still_renders_every_row():
    lines = [(r, 0, [r, f"第{r}行", None if r % 3 else "x"], ("int", "text", None)) for r in range(1, 10_001)]
    blocks, bounds = render_lines(lines, CellRenderer("S", False), {}, _STYLE_ATTRS.__getitem__)
    assert len(blocks) >= 10_000 // RENDER_BLOCK_ROWS
    assert b"".join(blocks) == _plain_render(lines, {})[0]
    assert bounds.union_text(None) == "A1:C10000"
