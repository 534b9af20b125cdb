"""资金安排 by quarter and the 汇总 sheet: its numbers, and charts that read the cells refresh writes."""
import re
import zipfile
from decimal import Decimal

import pytest

from subsidy_xl import service
from subsidy_xl.analysis import analyse
from subsidy_xl.cells import a1
from subsidy_xl.months import Quarter
from subsidy_xl.schema import SUMMARY_SHEET
from subsidy_xl.tables import summary
from subsidy_xl.tables.budget import budget_figures, cumulative_by_quarter
from subsidy_xl.tables.payments import quarterly_sheet
from subsidy_xl.tables.summary import summary_sheet
from subsidy_xl.template import TEMPLATE_PATH

Q2 = Quarter(2026, 2)


@pytest.fixture(scope="module")
def analysis(demo_book):
    return analyse(service.open_book(demo_book), Q2)


@pytest.fixture(scope="module")
def figures(analysis):
    return budget_figures(analysis.living_people, analysis.one_off_people, analysis.params)


def test_quarters_accumulate_to_the_year(figures):
    rows = cumulative_by_quarter(figures)
    assert [r.quarter.q for r in rows] == [1, 2, 3, 4]
    last = rows[-1]
    assert last.living_budget == 665_280 and last.one_off_budget == 2_000_000
    assert last.computed == figures["living_total"] + figures["one_off_total"]
    assert all(a.computed <= b.computed for a, b in zip(rows, rows[1:]))
    assert last.rate == (Decimal(last.computed) / (665_280 + 2_000_000)).quantize(Decimal("0.0001"))


def _cells(sheet):
    return sheet.values()


def test_summary_streets_match_the_payment_sheet(analysis, figures):
    sheet = summary_sheet(analysis.living_people, analysis.one_off_people, Q2, analysis.params, figures)
    cells = _cells(sheet)
    _q, q_fig = quarterly_sheet(analysis.living_people, Q2, analysis.params, "")
    rows = range(summary.STREET_FIRST_ROW, summary.STREET_LAST_ROW + 1)
    streets = {cells[(r, 0)]: r for r in rows if (r, 0) in cells}
    assert list(streets) == list(analysis.params.streets)  # the ten 街道 in their order
    for street, (people, amount) in q_fig["street_totals"].items():
        assert (cells[(streets[street], 1)], cells[(streets[street], 2)]) == (people, amount)
    total = summary.STREET_TOTAL_ROW
    for col in range(1, 7):
        assert cells[(total, col)] == sum(cells[(r, col)] for r in streets.values())
    assert cells[(total, 2)] == q_fig["total"]
    assert cells[(total, 3)] == figures["living_total"] and cells[(total, 5)] == figures["one_off_total"]
    for i, row in enumerate(cumulative_by_quarter(figures)):
        r = summary.QUARTER_FIRST_ROW + i
        assert (cells[(r, 1)], cells[(r, 2)]) == (row.budget, row.computed)


def test_more_streets_than_rows_fold_into_the_last(analysis, figures):
    people = analysis.living_people
    extra = []
    for i in range(3):  # three people of streets not in 参数
        p = people[i]
        rec = type(p.rec)(p.rec.sheet, p.rec.row, {**p.rec.values, "street": f"新街道{i}"}, p.rec.raw, p.rec.cols)
        extra.append(type(p)(rec, p.standard, p.pay_start, p.pay_stop, p.stop_reason, p.eligible_from, p.blocked))
    sheet = summary_sheet(people[3:] + extra, [], Q2, analysis.params, figures)
    cells = _cells(sheet)
    assert cells[(summary.STREET_LAST_ROW, 0)] == summary.OTHERS
    assert (summary.STREET_LAST_ROW + 1, 0) in cells and cells[(summary.STREET_TOTAL_ROW, 0)] == "合计"
    q_total = sum(p.pay(Q2, analysis.params).amount for p in people)
    assert cells[(summary.STREET_TOTAL_ROW, 2)] == q_total


def _chart_formulas(path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        return [f for n in sorted(charts) for f in re.findall(r"<(?:c:)?f>([^<]+)</(?:c:)?f>", z.read(n).decode())]


def test_template_charts_read_the_fixed_cells():
    formulas = _chart_formulas(TEMPLATE_PATH)
    s = f"'{SUMMARY_SHEET}'!"

    def ref(row1, col, row2=None):
        return f"{s}${a1(row1, col)[0]}${row1}" + (f":${a1(row2, col)[0]}${row2}" if row2 else "")
    expected = []
    for header, first, last, cols in ((summary.STREET_HEADER_ROW, summary.STREET_FIRST_ROW, summary.STREET_LAST_ROW,
                                       summary.STREET_CHART_COLS),
                                      (summary.QUARTER_HEADER_ROW, summary.QUARTER_FIRST_ROW, summary.QUARTER_LAST_ROW,
                                       summary.QUARTER_CHART_COLS)):
        for col in cols:
            expected += [ref(header, col), ref(first, 0, last), ref(first, col, last)]
    assert sorted(f.replace("$", "") for f in formulas) == sorted(e.replace("$", "") for e in expected)


def test_refresh_keeps_the_charts_and_fills_their_cells(demo_book, analysis, figures):
    assert len(_chart_formulas(demo_book)) == len(_chart_formulas(TEMPLATE_PATH))
    grid = service.open_book(demo_book).grid(SUMMARY_SHEET)
    expected = summary_sheet(analysis.living_people, analysis.one_off_people, Q2, analysis.params, figures).values()
    for (r, c), value in expected.items():
        got = grid[r - 1][c]
        assert got == (float(value) if isinstance(value, Decimal) else value), a1(r, c)
