"""Import of the seed's table from a .docx (built here with python-docx, merged
cells as Word makes them) or an .xlsx into the 绩效目标表: the rows round-trip."""
import docx
import openpyxl
import pytest

from performance_support import seed_data
from subsidy_xl.io.reader import read_book
from subsidy_xl.performance import PerformanceError
from subsidy_xl.performance.importer import read_source
from subsidy_xl.performance.layout import INDICATOR_HEADERS, INDICATOR_KEYS
from subsidy_xl.performance.model import read_table
from subsidy_xl.performance.overlay import PatchedSource
from subsidy_xl.performance.usecases import plan_import_performance
from subsidy_xl.template import build

SEED = seed_data()["绩效目标表"]
ROWS = SEED["indicators"]
LONG, ANNUAL = SEED["header"]["中长期绩效目标"], SEED["header"]["年度绩效目标"]
# Cells merged down in Word: (first row, last row) of the indicator rows, per level column.
LEVEL_SPANS = {0: [(0, 3)], 1: [(0, 0), (1, 2), (3, 3)]}


def _docx(path, with_header: bool):
    """The seed's table as Word holds it: title, goals beside a merged 项目目标, levels merged down."""
    document = docx.Document()
    first = 4 if with_header else 3
    table = document.add_table(rows=first + len(ROWS), cols=9)
    title = table.cell(0, 0).merge(table.cell(0, 8))
    title.text = "项目绩效目标表"
    goal = table.cell(1, 0).merge(table.cell(2, 0))
    goal.text = "项目目标"
    for r, (label, text) in ((1, ("中长期绩效目标(2026年-2028年)", LONG)), (2, ("年度绩效目标(2026年)", ANNUAL))):
        table.cell(r, 1).text = label
        table.cell(r, 2).merge(table.cell(r, 8)).text = text
    if with_header:
        for c, h in enumerate(INDICATOR_HEADERS[:9]):
            table.cell(3, c).text = h
    for c, spans in LEVEL_SPANS.items():
        for a, b in spans:
            merged = table.cell(first + a, c).merge(table.cell(first + b, c)) if b > a else table.cell(first + a, c)
            merged.text = ROWS[a][c] or ""
    for r, row in enumerate(ROWS):
        for c in range(2, 9):
            table.cell(first + r, c).text = str(row[c])
    document.save(path)
    return path


def _xlsx(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["项目绩效目标表"])
    ws.merge_cells("A1:I1")
    ws.append(["项目目标", "中长期绩效目标(2026年-2028年)", LONG])
    ws.append([None, "年度绩效目标(2026年)", ANNUAL])
    ws.merge_cells("A2:A3")
    ws.append(list(INDICATOR_HEADERS[:9]))
    for row in ROWS:
        ws.append(_typed(row))
    wb.save(path)
    return path


def _typed(row):
    """The row as typed into Excel: a whole-number target becomes a number."""
    return [int(v) if c == 4 and v.isdigit() else v for c, v in enumerate(row)]


# The seed's 指标值 as the importer reads them: "184" is the number 184, and "100%" beside 度量单位 "%" is 100
# (the unit said twice); 指标性质 ">=" stays as typed for the checks to point out.
SEED_TARGETS = [184, 2665280, 100, 96]


def _as_read(row):
    return [SEED_TARGETS[ROWS.index(row)] if c == 4 else v for c, v in enumerate(row)]


def _expected_rows():
    return [dict(zip(INDICATOR_KEYS, _as_read(row))) for row in ROWS]


def _first9(rows):
    return [{k: r.get(k) for k in INDICATOR_KEYS[:9]} for r in rows]


@pytest.mark.parametrize("with_header", [True, False])
def test_docx_is_read_like_the_seed(tmp_path, with_header):
    imported = read_source(_docx(tmp_path / "目标表.docx", with_header))
    assert imported.header == {"中长期绩效目标": LONG, "年度绩效目标": ANNUAL}
    assert _first9(imported.rows) == _expected_rows()


def test_xlsx_is_read_like_the_seed(tmp_path):
    imported = read_source(_xlsx(tmp_path / "目标表.xlsx"))
    assert imported.header == {"中长期绩效目标": LONG, "年度绩效目标": ANNUAL}
    assert _first9(imported.rows) == _expected_rows()
    assert imported.rows[0]["target"] == 184


@pytest.mark.parametrize("source", ["docx", "xlsx"])
def test_the_seed_table_round_trips_into_the_sheet(tmp_path, source):
    book = build(tmp_path / "book.xlsx", None)
    path = _docx(tmp_path / "s.docx", True) if source == "docx" else _xlsx(tmp_path / "s.xlsx")
    src = read_book(book)
    plan, report = plan_import_performance(src, path, lambda m: None)
    table = read_table(PatchedSource(src, plan.patches).grid("绩效目标表"))
    assert [[r.get(k) for k in INDICATOR_KEYS[:9]] for r in table.rows] == [_as_read(row) for row in ROWS]
    assert table.header["年度绩效目标"] == ANNUAL and table.header["中长期绩效目标"] == LONG
    found = {(i.code, i.cell) for i in report.analysis.issues}
    assert {("perf-count-mixed-groups", "E11"), ("perf-quality-money", "F12"), ("perf-ge-100", "D13"),
            ("perf-satisfaction-range", "E14")} <= found
    assert [s.name for s in plan.sheets] == ["问题清单", "变更记录"]


def test_import_replaces_a_longer_table_and_clears_what_is_left(tmp_path):
    from subsidy_xl.params import default_params
    from subsidy_xl.performance.demo import demo_table

    book = build(tmp_path / "book.xlsx", {"绩效目标表": demo_table(default_params())})
    src = read_book(book)
    plan, _report = plan_import_performance(src, _docx(tmp_path / "s.docx", False), lambda m: None)
    grid = PatchedSource(src, plan.patches).grid("绩效目标表")
    table = read_table(grid)
    assert len(table.rows) == len(ROWS)
    assert all(v is None for row in grid[14:] for v in row)


def test_unusable_sources_say_why(tmp_path):
    with pytest.raises(PerformanceError, match="不支持"):
        read_source(tmp_path / "a.pdf")
    document = docx.Document()
    document.add_paragraph("没有表格")
    document.save(tmp_path / "empty.docx")
    with pytest.raises(PerformanceError, match="找不到项目绩效目标表"):
        read_source(tmp_path / "empty.docx")


def test_import_through_the_service(tmp_path):
    from subsidy_xl import service

    book = service.new_workbook(tmp_path / "book.xlsx")
    report = service.import_performance(book, _docx(tmp_path / "s.docx", True))
    table = read_table(service.open_book(book).grid("绩效目标表"))
    assert [[r.get(k) for k in INDICATOR_KEYS[:9]] for r in table.rows] == [_as_read(row) for row in ROWS]
    assert report.backup is not None
