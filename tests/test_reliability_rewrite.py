"""What a refreshed workbook carries over from before, and what it must not (issue 13).

- Hidden rows stick: rows hidden, grouped, filtered away or given a height on an owned sheet belonged to what
  was at that row number before; the rewritten sheet carries none of it, and a filter on 问题清单 keeps its
  buttons but no criteria.
- Stale formulas: the refreshed workbook asks spreadsheet programs to recalculate when it is opened
  (``<calcPr fullCalcOnLoad="1">``), so a staff formula that reads an owned sheet shows the new figure in
  Excel/WPS; LibreOffice follows its own setting (checked with a real LibreOffice, both ways).
- An .xlsm is never written under an .xlsx name (nor the reverse); a Strict Open XML workbook is refused.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

from reliability_support import (network_forbidden, parts_of, returned_form, rewrite_zip, rich_workbook, run_cli,
                                 sheet_parts)
from subsidy_xl import cli
from subsidy_xl.io.package import PackageEditor
from subsidy_xl.io.reader import read_book
from subsidy_xl.io.safe_save import backups_of
from subsidy_xl.schema import ISSUES_SHEET, LIVING, ONE_OFF_PAY_SHEET, QUARTERLY_SHEET

assert network_forbidden  # autouse: no test or fixture here may open a socket

WRITERS = ("refresh", "fill-performance", "import-performance", "import-streets")
STAFF_SHEET = "核对"


@pytest.fixture(scope="module")
def form(demo_book, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("form")
    shutil.copyfile(demo_book, folder / "绩效目标表.xlsx")  # import-performance's source, beside the form
    return returned_form(demo_book, folder, "龙城街道", {"联系电话": "13900001111"}, {})[0]


def command(name: str, book: Path, form: Path, *extra: object) -> list[object]:
    return {"refresh": ["refresh", book, "--quarter", "2026Q2"], "fill-performance": ["fill-performance", book],
            "import-performance": ["import-performance", book, form.with_name("绩效目标表.xlsx")],
            "import-streets": ["import-streets", book, form]}[name] + [*extra, "-q"]


def sheet_xml(path: Path, sheet: str) -> bytes:
    return parts_of(path)[sheet_parts(path)[sheet]]


def rows_xml(xml: bytes) -> bytes:
    return xml.split(b"<sheetData>", 1)[1].split(b"</sheetData>", 1)[0]


# ---------------------------------------------------------------------------------------
# hidden rows, groups, heights and filters of the old rows
# ---------------------------------------------------------------------------------------
def test_rows_hidden_grouped_or_filtered_on_owned_sheets_do_not_stick(demo_book, tmp_path):
    control = tmp_path / "control.xlsx"  # the same book without the staff's row state, refreshed alike
    shutil.copyfile(demo_book, control)
    book = tmp_path / "补助经费.xlsx"
    wb = openpyxl.load_workbook(demo_book)
    quarterly, issues, one_off_pay = wb[QUARTERLY_SHEET], wb[ISSUES_SHEET], wb[ONE_OFF_PAY_SHEET]
    for r in range(4, 40):  # payees hidden, as a clerk hides the ones already checked
        quarterly.row_dimensions[r].hidden = True
    quarterly.row_dimensions.group(45, 60, outline_level=1, hidden=True)
    quarterly.row_dimensions[70].height = 3  # squeezed to nothing
    one_off_pay.row_dimensions[5].hidden = True
    issues.auto_filter.ref = "A1:H15"
    issues.auto_filter.add_filter_column(1, ["提示"])  # only 提示 shown: the errors are filtered away
    issues.auto_filter.add_sort_condition("C2:C15")
    for r in range(2, 16):
        issues.row_dimensions[r].hidden = True
    issues.sheet_properties.filterMode = True
    wb.save(book)
    before = sheet_xml(book, ISSUES_SHEET)
    assert b'hidden="1"' in rows_xml(sheet_xml(book, QUARTERLY_SHEET)) and b"<filterColumn" in before
    assert b'filterMode="1"' in before and b"<sortState" in before

    for path in (book, control):
        assert run_cli("refresh", path, "--quarter", "2026Q2", "-q").code == cli.EXIT_ERRORS
    for sheet in (QUARTERLY_SHEET, ONE_OFF_PAY_SHEET, ISSUES_SHEET):
        rows = rows_xml(sheet_xml(book, sheet))
        assert b"hidden=" not in rows and b"outlineLevel" not in rows and b"collapsed" not in rows, sheet
        heights = re.compile(rb'<row r="(\d+)"[^>]*?\sht="([^"]+)"')
        assert heights.findall(rows) == heights.findall(rows_xml(sheet_xml(control, sheet))), sheet
    issues_xml = sheet_xml(book, ISSUES_SHEET)
    assert b'<autoFilter ref="A1:H15"/>' in issues_xml  # the buttons stay, without criteria
    assert b"<filterColumn" not in issues_xml and b"<sortState" not in issues_xml
    assert b"filterMode" not in issues_xml
    # What a reader shows: no row of these sheets is hidden, every error of 问题清单 is in view.
    refreshed = openpyxl.load_workbook(book)
    for sheet in (QUARTERLY_SHEET, ONE_OFF_PAY_SHEET, ISSUES_SHEET):
        assert not [r for r, d in refreshed[sheet].row_dimensions.items() if d.hidden], sheet
    assert refreshed[ISSUES_SHEET].auto_filter.filterColumn == []


# ---------------------------------------------------------------------------------------
# formulas of the staff that read an owned sheet
# ---------------------------------------------------------------------------------------
def libreoffice(source: Path, out_dir: Path, profile: Path, recalc_always: bool) -> Path:
    """``source`` opened and saved again as .xlsx by LibreOffice with its own profile; ``recalc_always``:
    Tools > Options > Calc > Formula > Recalculation on file load (Excel 2007 and newer) = Always."""
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    if recalc_always:
        (user / "registrymodifications.xcu").write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
            'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            '<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" '
            'oor:op="fuse"><value>0</value></prop></item></oor:items>\n', encoding="utf-8")
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "xlsx",
                    "--outdir", str(out_dir), str(source)], check=True, capture_output=True, timeout=300)
    return out_dir / source.name


def calc_pr(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return re.search(rb"<calcPr\b[^>]*>", archive.read("xl/workbook.xml")).group(0)


def quarter_column_sum(path: Path) -> int:
    """What =SUM(季度发放!H:H) is: every number in column H of 季度发放."""
    return sum(row[7] for row in read_book(path).grid(QUARTERLY_SHEET) if len(row) > 7
               and isinstance(row[7], (int, float)) and not isinstance(row[7], bool))


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_a_staff_formula_on_an_owned_sheet_is_recalculated_when_the_book_is_opened(demo_book, tmp_path):
    # A book last saved by a spreadsheet program (LibreOffice here), with the staff's formula and its value.
    staff = tmp_path / "staff.xlsx"
    wb = openpyxl.load_workbook(demo_book)
    sheet = wb.create_sheet(STAFF_SHEET)
    sheet["A1"], sheet["B1"] = "本季发放合计", "=SUM(季度发放!H:H)"
    wb.save(staff)
    saved = libreoffice(staff, tmp_path / "saved", tmp_path / "profile-saved", recalc_always=True)
    assert b"fullCalcOnLoad" not in calc_pr(saved)  # as LibreOffice (and Excel) save a book
    old_total = read_book(saved).grid(STAFF_SHEET)[0][1]
    assert old_total == quarter_column_sum(saved)
    # The clerk raises one standard (680 -> 1000 a month) and refreshes.
    book = tmp_path / "补助经费.xlsx"
    editor = PackageEditor(saved)
    editor.patch_cells(LIVING.name, {2: {LIVING.headers.index("月补贴标准"): (1000, None)}})
    editor.save(book)
    assert run_cli("refresh", book, "--quarter", "2026Q2", "-q").code == cli.EXIT_ERRORS
    new_total = quarter_column_sum(book)
    assert new_total > old_total and (new_total - old_total) % (3 * 320) == 0  # 320 more a month, 3 months
    assert read_book(book).grid(STAFF_SHEET)[0][1] == old_total  # the value cached in the file is stale
    assert re.search(rb'\sfullCalcOnLoad="1"', calc_pr(book))  # so the book asks to be recalculated on open
    # LibreOffice set to recalculate on load shows the new figure; with its default (never recalculate
    # an Excel 2007+ file whose formulas have results) it keeps the stale one: it ignores fullCalcOnLoad
    # (sc/source/filter/oox/workbookfragment.cxx, recalcFormulaCells), hence the README's advice.
    always = libreoffice(book, tmp_path / "always", tmp_path / "profile-always", recalc_always=True)
    assert read_book(always).grid(STAFF_SHEET)[0][1] == new_total
    default = libreoffice(book, tmp_path / "default", tmp_path / "profile-default", recalc_always=False)
    assert read_book(default).grid(STAFF_SHEET)[0][1] == old_total


def test_the_recalculation_request_goes_into_calc_pr_where_the_schema_puts_it(tmp_path):
    """A workbook.xml without <calcPr> gets one after <definedNames> and before <extLst>; one with it keeps
    its other attributes."""
    from test_io_package import tiny_book

    book = tiny_book(tmp_path / "in.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row>')
    with zipfile.ZipFile(book) as archive:
        workbook = archive.read("xl/workbook.xml")
    assert b"<calcPr" not in workbook
    for name, xml in (("none", workbook),
                      ("ext", workbook.replace(b"</workbook>", b"<extLst/></workbook>")),
                      ("calc", workbook.replace(b"</workbook>", b'<calcPr calcId="191029"/></workbook>'))):
        source = tmp_path / f"{name}.xlsx"
        shutil.copyfile(book, source)
        rewrite_zip(source, {"xl/workbook.xml": xml})
        editor = PackageEditor(source)
        editor.recalculate_on_open()
        editor.save(tmp_path / f"{name}-out.xlsx")
        written = parts_of(tmp_path / f"{name}-out.xlsx")["xl/workbook.xml"]
        expected = {"none": b'<calcPr fullCalcOnLoad="1"/></workbook>',
                    "ext": b'<calcPr fullCalcOnLoad="1"/><extLst/></workbook>',
                    "calc": b'<calcPr calcId="191029" fullCalcOnLoad="1"/></workbook>'}[name]
        assert written.endswith(expected), written[-200:]
        assert openpyxl.load_workbook(tmp_path / f"{name}-out.xlsx").calculation.fullCalcOnLoad


# ---------------------------------------------------------------------------------------
# macro-enabled and Strict workbooks
# ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def macro_book(tmp_path_factory) -> Path:
    return rich_workbook(tmp_path_factory.mktemp("macro") / "补助经费.xlsx", macro=True)  # made as 补助经费.xlsm


def _copy_to(source: Path, folder: Path, name: str) -> Path:
    folder.mkdir(exist_ok=True)
    target = folder / name
    shutil.copyfile(source, target)
    return target


@pytest.mark.parametrize("name", WRITERS)
def test_a_macro_workbook_is_never_written_under_an_xlsx_name(macro_book, form, tmp_path, name):
    book = _copy_to(macro_book, tmp_path / "book", macro_book.name)
    original = book.read_bytes()
    out = book.with_name("另存.xlsx")
    run = run_cli(*command(name, book, form, "-o", out))
    assert run.code == cli.EXIT_UNREADABLE and "含宏的工作簿（.xlsm）" in run.err and ".xlsm" in run.err, run.text
    assert "Traceback" not in run.err and not out.exists() and book.read_bytes() == original
    assert sorted(p.name for p in book.parent.iterdir() if not p.name.startswith(".")) == [book.name]


def test_a_macro_workbook_written_as_xlsm_keeps_its_macros_and_a_plain_one_cannot_become_xlsm(
        macro_book, demo_book, tmp_path):
    out = tmp_path / "另存.xlsm"
    assert run_cli("refresh", macro_book, "--quarter", "2026Q2", "-o", out, "-q").code == cli.EXIT_ERRORS
    parts = parts_of(out)
    assert parts["xl/vbaProject.bin"] == parts_of(macro_book)["xl/vbaProject.bin"]
    assert b"application/vnd.ms-excel.sheet.macroEnabled.main+xml" in parts["[Content_Types].xml"]
    plain_out = tmp_path / "普通.xlsm"
    run = run_cli("refresh", demo_book, "--quarter", "2026Q2", "-o", plain_out, "-q")
    assert run.code == cli.EXIT_UNREADABLE and "不含宏的工作簿（.xlsx）" in run.err and not plain_out.exists()


_STRICT = ((b"http://schemas.openxmlformats.org/spreadsheetml/2006/main", b"http://purl.oclc.org/ooxml/spreadsheetml/main"),
           (b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
            b"http://purl.oclc.org/ooxml/officeDocument/relationships"),
           (b"http://schemas.openxmlformats.org/drawingml/2006/main", b"http://purl.oclc.org/ooxml/drawingml/main"))


def strict_copy(source: Path, target: Path) -> Path:
    """``source`` in the Strict dialect as Excel's "Strict Open XML Spreadsheet" names it: the purl.oclc.org
    namespaces and relationship types, conformance="strict" on the workbook."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.endswith((".xml", ".rels")):
                for transitional, strict in _STRICT:
                    data = data.replace(transitional, strict)
                if info.filename == "xl/workbook.xml":
                    data = data.replace(b"<workbook ", b'<workbook conformance="strict" ', 1)
            zout.writestr(info, data)
    return target


@pytest.mark.parametrize("name", WRITERS)
def test_a_strict_open_xml_workbook_is_refused_untouched(demo_book, form, tmp_path, name):
    folder = tmp_path / "book"
    folder.mkdir()
    book = strict_copy(demo_book, folder / "补助经费.xlsx")
    original = book.read_bytes()
    run = run_cli(*command(name, book, form))
    assert run.code == cli.EXIT_UNREADABLE and "Strict Open XML" in run.err and "另存为" in run.err, run.text
    assert "Traceback" not in run.err and book.read_bytes() == original and not backups_of(book)
    assert run_cli("check", book, "-q").code in (cli.EXIT_OK, cli.EXIT_ERRORS)  # reading it is fine
