"""A layout written by both writers (io/render.py headlessly, openpyxl for exports), read back by openpyxl."""
from __future__ import annotations

import shutil
import zipfile

import openpyxl
import pytest

from subsidy_xl.analysis import analyse
from subsidy_xl.export.xlsx import Printable, write_workbook
from subsidy_xl.io.package import PackageEditor
from subsidy_xl.io.render import with_print_names
from subsidy_xl.months import Quarter
from subsidy_xl.schema import QUARTERLY_SHEET, STYLES
from subsidy_xl.service import open_book
from subsidy_xl.tables.layout import footer_text
from subsidy_xl.tables.payments import ID_UNUSABLE, one_off_sheet, quarterly_sheet
from subsidy_xl.template import TEMPLATE_PATH

Q2 = Quarter(2026, 2)
UNIT = "呈贡区委社会工作部"


@pytest.fixture(scope="module")
def analysis(demo_book):
    return analyse(open_book(demo_book), Q2)


@pytest.fixture(scope="module")
def quarterly(analysis):
    sheet, _ = quarterly_sheet(analysis.living_people, Q2, analysis.params, UNIT)
    return sheet.stamp(UNIT)


def _check(ws, sheet, layout, before=None):
    """``before``: the sheet's widths before it was written (a column is never narrowed below them)."""
    for i, width in enumerate(layout.widths):
        letter = openpyxl.utils.get_column_letter(i + 1)
        expected = max(width, before.column_dimensions[letter].width or 0) if before is not None else width
        assert ws.column_dimensions[letter].width == pytest.approx(expected), i
    for row, height in layout.heights.items():
        assert ws.row_dimensions[row].height == pytest.approx(height), row
    assert ws.row_dimensions[sheet.last_row].height == pytest.approx(layout.height(sheet.last_row))
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize in (9, "9")
    assert ws.sheet_properties.pageSetUpPr.fitToPage and int(ws.page_setup.fitToWidth) == 1
    assert int(ws.page_setup.fitToHeight) == 0
    assert [b.id for b in ws.row_breaks.brk] == list(layout.page.breaks)
    assert ws.print_title_rows == f"$1:${sheet.header_row}"
    footer = ws.oddFooter
    assert "填报单位：" + UNIT in footer.left.text and "第&P页 共&N页" in footer.center.text


def test_the_package_writer_renders_the_layout(quarterly, tmp_path):
    book = tmp_path / "book.xlsx"
    shutil.copyfile(TEMPLATE_PATH, book)
    layout = quarterly.layout()
    assert layout.page.breaks and layout.page.print_area  # the demo's sheet has pages and a list below them
    editor = PackageEditor(book)
    editor.replace_sheet_data(QUARTERLY_SHEET, quarterly.lines, quarterly.merges, style_names=STYLES, layout=layout)
    out = tmp_path / "out.xlsx"
    editor.save(out)
    ws = openpyxl.load_workbook(out)[QUARTERLY_SHEET]
    _check(ws, quarterly, layout, before=openpyxl.load_workbook(book)[QUARTERLY_SHEET])
    assert ws.print_area == [f"'{QUARTERLY_SHEET}'!$A$1:$J${quarterly.print_end}"] or \
        ws.print_area == f"'{QUARTERLY_SHEET}'!$A$1:$J${quarterly.print_end}"
    with zipfile.ZipFile(out) as z:  # schema order: cols before sheetData; page parts after mergeCells
        xml = next(z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/sheet")
                   and b"<rowBreaks" in z.read(n))
    order = [xml.index(tag) for tag in (b"<sheetFormatPr", b"<cols>", b"<sheetData", b"<mergeCells",
                                         b"<printOptions", b"<pageMargins", b"<pageSetup", b"<headerFooter",
                                         b"<rowBreaks")]
    assert order == sorted(order)


def test_the_export_writer_renders_the_same_layout(quarterly, tmp_path):
    printable = Printable(quarterly, "季度发放")
    path = write_workbook(tmp_path / "export.xlsx", [printable])
    wb = openpyxl.load_workbook(path)
    title, head, layout = printable.parts[0]
    _check(wb[title], head, layout)
    rest_title, rest, _ = printable.parts[1]
    assert rest.row_values(1)[0].startswith("暂缓发放人员") or "未发放" in rest.row_values(1)[0]
    assert wb[rest_title].print_title_rows == "$1:$2"  # the list's own title and header repeat, not the pay table's


def test_print_names_replace_only_their_own_sheet():
    workbook = (b'<workbook xmlns="x"><sheets><sheet name="a"/><sheet name="b"/></sheets><definedNames>'
                b'<definedName name="_xlnm.Print_Titles" localSheetId="1">\'b\'!$1:$9</definedName>'
                b'<definedName name="_xlnm.Print_Titles" localSheetId="0">\'a\'!$1:$1</definedName>'
                b'<definedName name="mine">1</definedName></definedNames><calcPr/></workbook>')
    out = with_print_names(workbook, 1, "b", (1, 3), "A1:J40").decode()
    assert "'b'!$1:$3" in out and "'b'!$1:$9" not in out and "'a'!$1:$1" in out and ">1<" in out
    assert "'b'!$A$1:$J$40" in out
    assert out.index("<definedNames>") < out.index("<calcPr/>")
    fresh = with_print_names(b'<workbook xmlns="x"><sheets><sheet name="O\'Neil"/></sheets><calcPr/></workbook>',
                             0, "O'Neil", (1, 1), None).decode()
    assert "<definedNames><definedName name=\"_xlnm.Print_Titles\" localSheetId=\"0\">'O''Neil'!$1:$1" in fresh


def test_a_footer_keeps_an_ampersand_in_the_unit_as_text():
    assert "A&&B" in footer_text("A&B", "表")  # Excel's code for a literal &


def test_an_id_typed_as_a_number_prints_as_a_marker_not_as_the_number(analysis):
    """The demo has an ID stored as a number (5.3011…e+17): the payment sheets never show that number."""
    assert any(i.code == "id-stored-as-number" for i in analysis.issues)
    sheets = [quarterly_sheet(analysis.living_people, Q2, analysis.params, UNIT)[0],
              one_off_sheet(analysis.one_off_people, analysis.params, UNIT)[0]]
    values = [v for s in sheets for v in s.values().values()]
    assert not any(isinstance(v, float) for v in values)
    assert ID_UNUSABLE in values
    from subsidy_xl.tables.layout import CELL_PADDING, text_units
    for sheet in sheets:  # the marker does not widen the ID column (and with it shrink the printed page)
        col = sheet.row_values(sheet.header_row).index("身份证号")
        assert sheet.layout().widths[col] <= text_units("5" * 18) + CELL_PADDING + 0.1


def test_a_column_staff_widened_stays_as_wide_and_the_others_take_the_layout():
    from subsidy_xl.io.render import kept_widths
    head = '<cols><col min="1" max="2" width="40" customWidth="1"/><col min="3" max="3" width="5"/></cols>'
    assert kept_widths(head, [10, 50, 12, 9]) == [40, 50, 12, 9]
