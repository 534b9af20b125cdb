"""PackageEditor on real workbooks: what it writes, and everything it must leave alone."""
from __future__ import annotations

import datetime as dt
import io
import math
import re
import shutil
import struct
import subprocess
import tempfile
import zipfile
import zlib
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
import xlwings
from hypothesis import given, settings, strategies as st
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.drawing.image import Image
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font, NamedStyle, PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo
from python_calamine import CalamineWorkbook

from subsidy_xl.io.package import FAST_DEFLATE_MIN_BYTES, FormulaConflict, PackageEditor, PackageError, TruncatedCell
from subsidy_xl.io.reader import read_book

ROSTER, QUARTERLY, TARGETS, PARAMS = "一次性补助名册", "季度发放", "绩效目标表", "参数"
SHEET_PART = {ROSTER: "xl/worksheets/sheet1.xml", QUARTERLY: "xl/worksheets/sheet2.xml",
              TARGETS: "xl/worksheets/sheet3.xml", PARAMS: "xl/worksheets/sheet4.xml"}
PEOPLE = 50  # roster data rows 2..51
COMPUTED = (7, 8, 9)  # columns H, I, J: the tool's three computed roster columns
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
QUICKSTART = Path(xlwings.__file__).parent / "quickstart.xlsm"


# ---------------------------------------------------------------------------------------
# building real workbooks
# ---------------------------------------------------------------------------------------
def png_bytes(width: int = 4, height: int = 3) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + bytes([200, 30, 30] * width) for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


class PngImage(Image):
    """openpyxl's Image without Pillow: the PNG bytes are given, not decoded."""

    def __init__(self, data: bytes, width: int, height: int) -> None:  # noqa: D107 - no Pillow probing
        self.ref = None
        self._png = data
        self.width, self.height, self.format = width, height, "png"

    def _data(self) -> bytes:
        return self._png


def build_rich_book(path: Path) -> None:
    """A workbook with everything a user might have: chart, image, comments, table, CF, DV, names ..."""
    book = openpyxl.Workbook()
    money = NamedStyle(name="金额", number_format="#,##0.00")
    day = NamedStyle(name="日期", number_format="yyyy-mm-dd")
    flagged = NamedStyle(name="提示", font=Font(bold=True, color="C00000"))
    for style in (money, day, flagged):
        book.add_named_style(style)

    roster = book.active
    roster.title = ROSTER
    header = ["序号", "姓名", "身份证号", "出生日期", "任职年限", "社区", "月标准", "补助金额", "已发放", "核对", "两倍"]
    roster.append(header)
    for i in range(PEOPLE):
        row = i + 2
        roster.append([i + 1, f"张{i}", f"53011419{50 + i % 40}0101{i:04d}", dt.date(1950 + i % 40, 1, 1),
                       10 + i % 20, f"社区{i % 7}", 100 + i, (100 + i) * 12, None, None, f"=H{row}*2"])
        roster.cell(row, 4).style = "日期"
        roster.cell(row, 8).style = "金额"
    roster["H5"] = "=G5*12"  # a formula the refresh overwrites
    roster["B2"].comment = Comment("核对过身份证", "审核员")
    roster.column_dimensions["B"].width = 14
    roster.column_dimensions["C"].width = 22
    roster.add_data_validation(_yes_no("J2:J200"))
    table = Table(displayName="名册表", ref=f"A1:K{PEOPLE + 1}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    roster.add_table(table)
    chart = BarChart()
    chart.add_data(Reference(roster, min_col=7, min_row=1, max_row=PEOPLE + 1), titles_from_data=True)
    roster.add_chart(chart, "N2")
    picture = PngImage(png_bytes(), 40, 30)
    picture.anchor = "N20"
    roster.add_image(picture)

    quarterly = book.create_sheet(QUARTERLY)
    quarterly["A1"] = "2024年第一季度 离任社区干部生活补助发放表"
    quarterly.merge_cells("A1:F1")
    quarterly.row_dimensions[1].height = 30
    quarterly.append(["", "", "", "", "", ""])
    quarterly.append(["序号", "姓名", "社区", "月数", "月标准", "金额"])
    for i in range(17):
        quarterly.append([i + 1, f"旧{i}", "社区", 3, 100, f"=D{i + 4}*E{i + 4}"])
    quarterly.freeze_panes = "A4"
    quarterly.column_dimensions["B"].width = 16
    quarterly.conditional_formatting.add(
        "F4:F500", CellIsRule(operator="lessThan", formula=["0"], fill=PatternFill("solid", fgColor="FFC7CE")))
    quarterly.add_data_validation(_yes_no("G4:G500"))
    quarterly.page_setup.orientation = "landscape"
    quarterly.oddHeader.center.text = "季度发放"
    quarterly.defined_names["本表标题"] = DefinedName("本表标题", attr_text=f"'{QUARTERLY}'!$A$1")

    targets = book.create_sheet(TARGETS)
    for row, label in enumerate(["指标", "发放人数", "发放金额", "覆盖率", "满意度"], start=1):
        targets.cell(row, 1, label)
        targets.cell(row, 3, "待填")
    targets["C3"].style = "金额"
    targets["A1"].style = "提示"  # a named style needs one cell using it to have a cell format

    params = book.create_sheet(PARAMS)
    params.sheet_state = "hidden"
    params["A2"], params["B2"] = "月标准", 100
    params.defined_names["参数表"] = DefinedName("参数表", attr_text=f"'{PARAMS}'!$A$1:$B$2")
    book.defined_names["补助标准"] = DefinedName("补助标准", attr_text=f"'{PARAMS}'!$B$2")
    book.save(path)
    add_calc_chain(path, b'<c r="H5" i="1"/><c r="K2"/><c r="F4" i="2"/><c r="F5"/><c r="K3" i="1"/>')


def _yes_no(cells: str) -> DataValidation:
    validation = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
    validation.add(cells)
    return validation


def rewrite_zip(path: Path, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None) -> None:
    """Rewrite a zip with some members replaced or added (member order kept, additions last)."""
    with zipfile.ZipFile(path) as source:
        members = [(info.filename, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in members:
            target.writestr(name, (replace or {}).get(name, data))
        for name, data in (add or {}).items():
            target.writestr(name, data)


def add_calc_chain(path: Path, entries: bytes) -> None:
    """Give an openpyxl-made workbook the calcChain part Excel would have written."""
    with zipfile.ZipFile(path) as archive:
        rels = archive.read("xl/_rels/workbook.xml.rels")
        types = archive.read("[Content_Types].xml")
    rels = rels.replace(b"</Relationships>", b'<Relationship Id="rIdCalc" Type="http://schemas.openxmlformats.org/'
                        b'officeDocument/2006/relationships/calcChain" Target="calcChain.xml"/></Relationships>')
    types = types.replace(b"</Types>", b'<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.'
                          b'openxmlformats-officedocument.spreadsheetml.calcChain+xml"/></Types>')
    chain = b'<?xml version="1.0" encoding="UTF-8"?>\n<calcChain xmlns="%s">%s</calcChain>' % (
        MAIN_NS.encode(), entries)
    rewrite_zip(path, {"xl/_rels/workbook.xml.rels": rels, "[Content_Types].xml": types},
                {"xl/calcChain.xml": chain})


def tiny_book(path: Path, sheet_data: str, *, date1904: bool = False, sheet_head: str = "",
              sheet_tail: str = "", extra: dict[str, bytes] | None = None) -> Path:
    """A minimal hand-written workbook with one sheet "S" whose <sheetData> content is given."""
    rels_ns = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
            '"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.'
            'main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>'),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            f'package/2006/relationships"><Relationship Id="rId1" Type="{rels_ns}/officeDocument" '
            f'Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN_NS}" xmlns:r="{rels_ns}">'
            f'<workbookPr{" date1904=" + chr(34) + "1" + chr(34) if date1904 else ""}/><sheets>'
            f'<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            f'package/2006/relationships"><Relationship Id="rId1" Type="{rels_ns}/worksheet" '
            f'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{rels_ns}/styles" '
            f'Target="styles.xml"/></Relationships>'),
        "xl/styles.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN_NS}"><numFmts count="1"><numFmt '
            f'numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts><fonts count="1"><font><sz val="11"/></font>'
            f'</fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill '
            f'patternType="gray125"/></fill></fills><borders count="1"><border/></borders><cellStyleXfs '
            f'count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/><xf numFmtId="164" fontId="0" '
            f'fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" '
            f'borderId="0" xfId="0"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="1" '
            f'applyNumberFormat="1"/><xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" '
            f'applyNumberFormat="1"/></cellXfs><cellStyles count="2"><cellStyle name="Normal" xfId="0" '
            f'builtinId="0"/><cellStyle name="日期" xfId="1"/></cellStyles></styleSheet>'),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}" xmlns:r="{rels_ns}">'
            f'{sheet_head}<sheetData>{sheet_data}</sheetData>{sheet_tail}</worksheet>'),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text.encode("utf-8"))
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return path


def cell(sheet, row: int, col: int):
    """Value at 0-based (row, col) of a reader.SheetData; None outside the used area."""
    if 0 <= row < len(sheet.rows) and 0 <= col < len(sheet.rows[row]):
        return sheet.rows[row][col]
    return None


def parts_of(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def names_of(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return archive.namelist()


CELL_XML = re.compile(rb'<c r="([A-Z]+\d+)"[^>]*?(?:/>|>.*?</c>)', re.S)
ROW_TAG = re.compile(rb"<row\b[^>]*>")


def cells_xml(sheet: bytes) -> dict[str, bytes]:
    return {match.group(1).decode(): match.group(0) for match in CELL_XML.finditer(sheet)}


def outside_sheet_data(sheet: bytes) -> tuple[bytes, bytes]:
    """(head, tail) of a sheet's XML without its <dimension> ref."""
    head, rest = sheet.split(b"<sheetData", 1)
    head = re.sub(rb'<dimension ref="[^"]*"/>', b"", head)
    return head, rest.split(b"</sheetData>", 1)[1] if b"</sheetData>" in rest else rest.split(b"/>", 1)[1]


def quarterly_rows(count: int):
    yield 3, 0, ["序号", "姓名", "社区", "月数", "月标准", "金额"], None
    styles = (None, None, None, None, "金额", "金额")
    for i in range(count):
        yield 4 + i, 0, [i + 1, f"新{i}", "社区一", 3, Decimal("100.50"), Decimal("301.50")], styles


def roster_patch() -> dict[int, dict[int, tuple]]:
    return {row: {7: (Decimal(row * 100), None), 8: (Decimal("12.5") * row, "金额"),
                  9: ("已核对" if row % 2 else "=待核", None)} for row in range(2, PEOPLE + 2)}


TARGET_PATCH = {2: {2: (PEOPLE, None)}, 3: {2: (Decimal("123456.78"), None)}, 4: {2: (0.95, None)},
                5: {2: ("良好 👍", None)}, 8: {3: ("新增行", "提示")}}


# ---------------------------------------------------------------------------------------
# fixtures: the workbooks, refreshed once per module, converted by LibreOffice once
# ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("package")


@pytest.fixture(scope="module")
def rich_book(workdir) -> Path:
    path = workdir / "rich.xlsx"
    build_rich_book(path)
    return path


@pytest.fixture(scope="module")
def refreshed(rich_book, workdir) -> Path:
    editor = PackageEditor(rich_book)
    assert editor.replace_sheet_data(QUARTERLY, quarterly_rows(30), merges=["A1:F1", "A35:C35"]) == []
    assert editor.patch_cells(ROSTER, roster_patch()) == []
    editor.patch_cells(TARGETS, TARGET_PATCH)
    target = workdir / "refreshed.xlsx"
    editor.save(target)
    return target


@pytest.fixture(scope="module")
def macro_book(workdir) -> Path:
    source = workdir / "quickstart.xlsm"
    shutil.copyfile(QUICKSTART, source)
    editor = PackageEditor(source)
    editor.patch_cells("Sheet1", {1: {0: ("补助", None)}, 2: {0: (Decimal("42.10"), None), 1: (True, None)}})
    target = workdir / "quickstart_refreshed.xlsm"
    editor.save(target)
    return target


@pytest.fixture(scope="module")
def grown_book(rich_book, workdir) -> Path:
    """The rich book from an "older template": a sheet added, filled, and the table grown."""
    editor = PackageEditor(rich_book)
    editor.add_sheet("问题清单", after=QUARTERLY)
    editor.replace_sheet_data("问题清单", [(1, 0, ["代码", "说明"], None), (2, 0, ["id-number", "身份证号位数不对"], None)])
    extra = {row: {col: (f"r{row}c{col}", None) for col in range(11)} for row in range(PEOPLE + 2, PEOPLE + 12)}
    editor.patch_cells(ROSTER, extra)
    editor.set_table_ref("名册表", f"A1:K{PEOPLE + 11}")
    target = workdir / "grown.xlsx"
    editor.save(target)
    return target


BIG_ROWS = 20_000  # a sheet of several MB: deflated on the worker thread while its rows are rendered


@pytest.fixture(scope="module")
def big_book(workdir) -> Path:
    editor = PackageEditor(tiny_book(workdir / "big_in.xlsx", ""))
    editor.replace_sheet_data("S", [(r, 0, [r, f"第{r}行，呈贡区", "龙城街道" if r % 2 else None], None)
                                    for r in range(1, BIG_ROWS + 1)], merges=["C1:D1"])
    target = workdir / "big.xlsx"
    editor.save(target)
    assert len(parts_of(target)["xl/worksheets/sheet1.xml"]) > FAST_DEFLATE_MIN_BYTES
    return target


@pytest.fixture(scope="module")
def libreoffice_sheets(refreshed, macro_book, grown_book, big_book, workdir) -> dict[str, dict[str, list[list]]]:
    """One LibreOffice run converting every result to .ods; the .ods files read back with calamine."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    out = workdir / "ods"
    profile = (workdir / "lo-profile").as_uri()
    inputs = [refreshed, macro_book, grown_book, big_book]
    subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "ods",
                    "--outdir", str(out), *map(str, inputs)], check=True, capture_output=True, timeout=300)
    result = {}
    for source in inputs:
        converted = CalamineWorkbook.from_path(str(out / (source.stem + ".ods")))
        result[source.name] = {name: converted.get_sheet_by_name(name).to_python(skip_empty_area=False)
                               for name in converted.sheet_names}
    return result


# ---------------------------------------------------------------------------------------
# everything outside what the tool owns is untouched
# ---------------------------------------------------------------------------------------
def test_refresh_keeps_every_other_part_byte_identical(rich_book, refreshed):
    before, after = parts_of(rich_book), parts_of(refreshed)
    assert names_of(refreshed) == names_of(rich_book)
    touched = {SHEET_PART[ROSTER], SHEET_PART[QUARTERLY], SHEET_PART[TARGETS], "xl/calcChain.xml"}
    for name, data in before.items():
        if name not in touched:
            assert after[name] == data, name
    for kept in ("xl/media/image1.png", "xl/charts/chart1.xml", "xl/comments/comment1.xml", "xl/tables/table1.xml",
                 "xl/styles.xml", "xl/workbook.xml", SHEET_PART[PARAMS]):
        assert kept in after


def test_patched_sheet_keeps_unpatched_cells_and_rows_byte_for_byte(rich_book, refreshed):
    before = parts_of(rich_book)[SHEET_PART[ROSTER]]
    after = parts_of(refreshed)[SHEET_PART[ROSTER]]
    old_cells, new_cells = cells_xml(before), cells_xml(after)
    patched = {f"{'HIJ'[col - 7]}{row}" for row in range(2, PEOPLE + 2) for col in COMPUTED}
    assert set(new_cells) == set(old_cells) | patched
    for ref, xml in old_cells.items():
        if ref not in patched:
            assert new_cells[ref] == xml, ref
    assert ROW_TAG.findall(after) == ROW_TAG.findall(before)
    assert outside_sheet_data(after) == outside_sheet_data(before)


def test_patched_cells_take_new_values_styles_and_lose_formulas(refreshed):
    sheet = parts_of(refreshed)[SHEET_PART[ROSTER]]
    cells = cells_xml(sheet)
    assert b"<f>" not in cells["H5"] and cells["H5"].endswith(b"<v>500</v></c>")
    assert b"<f>" in cells["K5"]  # an unpatched formula stays
    book = read_book(refreshed).sheet(ROSTER)
    assert [cell(book, row - 1, 7) for row in (2, 5, 51)] == [200, 500, 5100]
    assert cell(book, 4, 8) == 62.5 and cell(book, 4, 9) == "已核对" and cell(book, 5, 9) == "=待核"
    workbook = openpyxl.load_workbook(refreshed)
    roster = workbook[ROSTER]
    assert roster["H2"].number_format == "#,##0.00"  # kept its own style
    assert roster["I2"].number_format == "#,##0.00"  # took the named style 金额
    assert roster["I2"].style == "金额"
    assert roster["J3"].value == "已核对" and roster["J2"].value == "=待核" and roster["J2"].data_type == "s"
    assert roster["K2"].value == "=H2*2"
    assert roster["B2"].comment.text == "核对过身份证"


def test_replaced_sheet_keeps_views_widths_rules_and_page_setup(rich_book, refreshed):
    before = parts_of(rich_book)[SHEET_PART[QUARTERLY]]
    after = parts_of(refreshed)[SHEET_PART[QUARTERLY]]
    old_head, old_tail = outside_sheet_data(before)
    new_head, new_tail = outside_sheet_data(after)
    assert new_head == old_head
    merge_cells = re.compile(rb"<mergeCells.*?</mergeCells>")
    assert merge_cells.sub(b"", new_tail) == merge_cells.sub(b"", old_tail)
    assert b'<mergeCells count="2"><mergeCell ref="A1:F1"/><mergeCell ref="A35:C35"/></mergeCells>' in new_tail
    assert new_tail.index(b"<mergeCells") < new_tail.index(b"<conditionalFormatting")  # CT_Worksheet order
    assert b'<dimension ref="A3:F33"/>' in after
    # The rows are new: none keeps the height (hidden flag, outline ...) the old row of its number had.
    assert re.search(rb'<row r="1" [^>]*ht="30"', before)
    assert b"customHeight" not in after.split(b"<sheetData>")[1].split(b"</sheetData>")[0]

    sheet = openpyxl.load_workbook(refreshed)[QUARTERLY]
    assert sheet.freeze_panes == "A4"
    assert sheet.column_dimensions["B"].width == 16
    assert sheet.page_setup.orientation == "landscape"
    assert [str(rule.sqref) for rule in sheet.conditional_formatting] == ["F4:F500"]
    assert [str(dv.sqref) for dv in sheet.data_validations.dataValidation] == ["G4:G500"]
    assert sorted(str(r) for r in sheet.merged_cells.ranges) == ["A1:F1", "A35:C35"]
    assert sheet["F4"].number_format == "#,##0.00" and sheet["F4"].value == Decimal("301.50")

    rows = read_book(refreshed).sheet(QUARTERLY).rows
    assert len(rows) == 33 and rows[0][0] is None  # the old title text went with the old rows
    assert rows[3][:6] == [1, "新0", "社区一", 3, 100.5, 301.5]


def test_calc_chain_loses_only_overwritten_cells(refreshed):
    chain = parts_of(refreshed)["xl/calcChain.xml"]
    entries = re.findall(rb"<c [^>]*/>", chain)
    # H5 (patched) and every entry of the replaced 季度发放 went; K2 lost the entry that gave it i.
    assert entries == [b'<c i="1" r="K2"/>', b'<c r="K3" i="1"/>']


def test_named_styles_resolve_to_cell_formats(rich_book):
    editor = PackageEditor(rich_book)
    styles = ElementTree.fromstring(parts_of(rich_book)["xl/styles.xml"])
    ns = {"m": MAIN_NS}
    named = {style.get("name"): style.get("xfId") for style in styles.findall("m:cellStyles/m:cellStyle", ns)}
    cell_xfs = styles.findall("m:cellXfs/m:xf", ns)
    money = editor.style_id("金额")
    assert money > 0 and cell_xfs[money].get("xfId") == named["金额"]
    assert cell_xfs[editor.style_id("日期")].get("xfId") == named["日期"]
    assert editor.style_id("没有这个样式") == 0
    assert editor.sheet_names == [ROSTER, QUARTERLY, TARGETS, PARAMS]


def test_performance_table_cells_and_new_rows(refreshed):
    sheet = read_book(refreshed).sheet(TARGETS)
    assert [cell(sheet, r, 2) for r in range(1, 5)] == [50, 123456.78, 0.95, "良好 👍"]
    assert cell(sheet, 0, 2) == "待填" and cell(sheet, 7, 3) == "新增行"
    cells = cells_xml(parts_of(refreshed)[SHEET_PART[TARGETS]])
    assert b"<v>123456.78</v>" in cells["C3"]
    assert openpyxl.load_workbook(refreshed)[TARGETS]["D8"].font.b


def test_macro_workbook_keeps_its_vba_project(macro_book):
    before, after = parts_of(QUICKSTART), parts_of(macro_book)
    assert names_of(macro_book) == names_of(QUICKSTART)
    for name, data in before.items():
        if name != "xl/worksheets/sheet1.xml":
            assert after[name] == data, name
    sheet = read_book(macro_book).sheet("Sheet1")
    assert sheet.rows[0][0] == "补助" and sheet.rows[1][:2] == [42.1, True]


def test_added_sheet_and_grown_table(rich_book, grown_book):
    book = read_book(grown_book)
    assert book.sheet_names == [ROSTER, QUARTERLY, "问题清单", TARGETS, PARAMS]
    assert book.sheet("问题清单").rows[1] == ["id-number", "身份证号位数不对"]
    assert cell(book.sheet(ROSTER), PEOPLE + 10, 10) == f"r{PEOPLE + 11}c10"
    assert PackageEditor(grown_book).table_ref("名册表") == f"A1:K{PEOPLE + 11}"
    workbook = openpyxl.load_workbook(grown_book)
    assert workbook[ROSTER].tables["名册表"].ref == f"A1:K{PEOPLE + 11}"
    assert workbook[ROSTER].tables["名册表"].autoFilter.ref == f"A1:K{PEOPLE + 11}"
    # Sheet-local names follow their sheets past the inserted one.
    assert "参数表" in workbook[PARAMS].defined_names and "本表标题" in workbook[QUARTERLY].defined_names
    assert workbook[PARAMS].sheet_state == "hidden"
    changed = {name for name, data in parts_of(grown_book).items() if parts_of(rich_book).get(name) != data}
    assert changed == {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml",
                       "xl/worksheets/sheet5.xml", SHEET_PART[ROSTER], "xl/tables/table1.xml"}


def test_results_open_in_libreoffice(libreoffice_sheets):
    refreshed = libreoffice_sheets["refreshed.xlsx"]
    assert refreshed[ROSTER][1][7] == 200 and refreshed[ROSTER][2][9] == "已核对"
    assert refreshed[QUARTERLY][3][:6] == [1, "新0", "社区一", 3, 100.5, 301.5]
    assert refreshed[TARGETS][4][2] == "良好 👍"
    macro = libreoffice_sheets["quickstart_refreshed.xlsm"]
    assert macro["Sheet1"][1][:2] == [42.1, True]
    grown = libreoffice_sheets["grown.xlsx"]
    assert list(grown)[:3] == [ROSTER, QUARTERLY, "问题清单"]
    assert grown["问题清单"][1] == ["id-number", "身份证号位数不对"]
    big = libreoffice_sheets["big.xlsx"]["S"]
    assert len(big) == BIG_ROWS and big[0] == [1, "第1行，呈贡区", "龙城街道"]
    assert big[-1] == [BIG_ROWS, f"第{BIG_ROWS}行，呈贡区", ""]


# ---------------------------------------------------------------------------------------
# values
# ---------------------------------------------------------------------------------------
def test_every_value_type_is_written_exactly(tmp_path):
    source = tiny_book(tmp_path / "in.xlsx", "")
    editor = PackageEditor(source)
    long_text = "长" * 40_000
    values = ["=1+1", "+86 871", "-5", "@home", "a\x00b\x1fc", "_x0041_", "  padded ", "line1\r\nline2",
              "emoji 😀 ok", True, False, 12, -(10 ** 17) + 1, Decimal("12345678901234567.01"), Decimal("1E+3"),
              1.25, dt.date(2024, 2, 29), dt.datetime(2024, 1, 2, 12, 0), dt.date(1900, 2, 28), float("nan"),
              None, long_text, dt.date(1899, 12, 1)]
    styles = tuple("日期" if col == 16 else None for col in range(len(values)))
    truncated = editor.replace_sheet_data("S", [(1, 0, values, styles)])
    assert truncated == [TruncatedCell("S", "V1", 40_000)]
    editor.save(tmp_path / "out.xlsx")
    xml = parts_of(tmp_path / "out.xlsx")["xl/worksheets/sheet1.xml"]
    assert b"<v>12345678901234567.01</v>" in xml and b"<v>1000</v>" in xml and b'<c r="Q1" s="1"><v>45351</v>' in xml
    assert b"<v>59</v>" in xml  # 1900-02-28 before the phantom leap day
    row = read_book(tmp_path / "out.xlsx").sheet("S").rows[0]
    assert row[:15] == ["=1+1", "+86 871", "-5", "@home", "abc", "_x0041_", "  padded ", "line1\r\nline2",
                        "emoji 😀 ok", True, False, 12, float(-(10 ** 17) + 1), 12345678901234567.01, 1000]
    assert row[15:19] == [1.25, dt.date(2024, 2, 29), 45293.5, 59] and row[19] is row[20] is None
    assert row[21] == "长" * 32_767 and row[22] == "1899-12-01"
    cells = openpyxl.load_workbook(tmp_path / "out.xlsx")["S"]
    assert cells["A1"].data_type == "s" and cells["Q1"].value == dt.datetime(2024, 2, 29)


def test_dates_in_a_1904_workbook(tmp_path):
    editor = PackageEditor(tiny_book(tmp_path / "in.xlsx", "", date1904=True))
    assert editor.date1904
    editor.replace_sheet_data("S", [(1, 0, [dt.date(1904, 1, 2), dt.date(2024, 1, 1)], "日期")])
    editor.save(tmp_path / "out.xlsx")
    assert b"<v>1</v>" in parts_of(tmp_path / "out.xlsx")["xl/worksheets/sheet1.xml"]
    assert read_book(tmp_path / "out.xlsx").sheet("S").rows[0] == [dt.date(1904, 1, 2), dt.date(2024, 1, 1)]


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=300))
def test_any_text_survives_the_round_trip(text):
    with tempfile.TemporaryDirectory() as folder:
        editor = PackageEditor(tiny_book(Path(folder) / "in.xlsx", ""))
        editor.patch_cells("S", {1: {0: (text, None)}})
        output = io.BytesIO()
        editor.save(output)
        (Path(folder) / "out.xlsx").write_bytes(output.getvalue())
        expected = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]", "", text)
        assert cell(read_book(Path(folder) / "out.xlsx").sheet("S"), 0, 0) == (expected or None)


def test_unsupported_values_are_refused(tmp_path):
    editor = PackageEditor(tiny_book(tmp_path / "in.xlsx", ""))
    with pytest.raises(ValueError):
        editor.patch_cells("S", {1: {0: (math.inf, None)}})
    with pytest.raises(TypeError):
        editor.patch_cells("S", {1: {0: (object(), None)}})
    with pytest.raises(ValueError):
        editor.replace_sheet_data("S", [(2, 0, [], None), (1, 0, [], None)])
    with pytest.raises(ValueError):
        editor.replace_sheet_data("S", [(1, -1, [1], None)])
    with pytest.raises(ValueError):
        editor.replace_sheet_data("S", [(1, 16_383, [1, 2], None)])  # past column XFD
    with pytest.raises(ValueError):
        editor.patch_cells("S", {0: {0: (1, None)}})


# ---------------------------------------------------------------------------------------
# patching: layout variants, idempotence, formulas, calcChain
# ---------------------------------------------------------------------------------------
def test_patch_inserts_cells_and_rows_in_order_without_references(tmp_path):
    data = ('<row r="2" spans="1:3"><c r="A2"><v>1</v></c><c r="C2" s="2"><v>3</v></c></row>'
            '<row><c><v>10</v></c><c t="inlineStr"><is><t>x</t></is></c><c r="E3"><f>A3+1</f><v>11</v></c></row>'
            '<row r="6" ht="20" customHeight="1"/>')
    editor = PackageEditor(tiny_book(tmp_path / "in.xlsx", data, sheet_head='<dimension ref="A2:E6"/>'))
    editor.patch_cells("S", {2: {1: ("B", None), 2: (30, None), 5: ("F", None)}, 3: {1: ("y", None)},
                             4: {0: ("new row", None)}, 6: {0: ("in empty row", None)}, 9: {7: (9, None)}})
    editor.save(tmp_path / "out.xlsx")
    xml = parts_of(tmp_path / "out.xlsx")["xl/worksheets/sheet1.xml"]
    assert (b'<row r="2" spans="1:6"><c r="A2"><v>1</v></c><c r="B2" t="inlineStr"><is><t>B</t></is></c>'
            b'<c r="C2" s="2"><v>30</v></c><c r="F2" t="inlineStr"><is><t>F</t></is></c></row>') in xml
    assert b'<row><c><v>10</v></c><c r="B3" t="inlineStr"><is><t>y</t></is></c><c r="E3"><f>A3+1</f>' in xml
    assert b'<row r="6" ht="20" customHeight="1"><c r="A6" t="inlineStr">' in xml
    assert b'<dimension ref="A2:H9"/>' in xml
    rows = read_book(tmp_path / "out.xlsx").sheet("S").rows
    assert rows[1][:6] == [1, "B", 30, None, None, "F"] and rows[2][:2] == [10, "y"]
    assert rows[3][0] == "new row" and rows[5][0] == "in empty row" and rows[8][7] == 9
    assert openpyxl.load_workbook(tmp_path / "out.xlsx")["S"]["E3"].value == "=A3+1"


def test_none_clears_a_value_but_keeps_the_style_and_empty_sheets_take_rows(tmp_path):
    data = '<row r="1"><c r="A1" s="2"><v>1.5</v></c><c r="B1"><v>2</v></c><c r="C1"><v>3</v></c></row>'
    editor = PackageEditor(tiny_book(tmp_path / "in.xlsx", data))
    editor.patch_cells("S", {1: {0: (None, None), 1: (None, None), 2: (None, "日期")}})
    editor.save(tmp_path / "out.xlsx")
    xml = parts_of(tmp_path / "out.xlsx")["xl/worksheets/sheet1.xml"]
    assert b'<row r="1"><c r="A1" s="2"/><c r="C1" s="1"/></row>' in xml

    empty = tiny_book(tmp_path / "empty.xlsx", "")
    rewrite_zip(empty, {"xl/worksheets/sheet1.xml": f'<worksheet xmlns="{MAIN_NS}"><dimension ref="A1"/>'
                                                    f'<sheetData/></worksheet>'.encode()})
    editor = PackageEditor(empty)
    editor.patch_cells("S", {3: {1: ("b3", None)}, 2: {0: ("a2", None)}})
    editor.save(tmp_path / "filled.xlsx")
    assert read_book(tmp_path / "filled.xlsx").sheet("S").rows == [[None, None], ["a2", None], [None, "b3"]]
    assert b'<dimension ref="A1:B3"/>' in parts_of(tmp_path / "filled.xlsx")["xl/worksheets/sheet1.xml"]


def test_patching_twice_gives_identical_bytes(refreshed, tmp_path):
    editor = PackageEditor(refreshed)
    editor.patch_cells(ROSTER, roster_patch())
    editor.patch_cells(TARGETS, TARGET_PATCH)
    editor.save(tmp_path / "again.xlsx")
    again = PackageEditor(tmp_path / "again.xlsx")
    again.patch_cells(ROSTER, roster_patch())
    again.patch_cells(TARGETS, TARGET_PATCH)
    again.save(tmp_path / "third.xlsx")
    assert parts_of(tmp_path / "again.xlsx") == parts_of(refreshed)
    assert (tmp_path / "third.xlsx").read_bytes() == (tmp_path / "again.xlsx").read_bytes()


SHARED = ('<row r="1"><c r="A1"><v>1</v></c><c r="B1"><f t="shared" ref="B1:B3" si="0">A1*2</f><v>2</v></c></row>'
          '<row r="2"><c r="A2"><v>2</v></c><c r="B2"><f t="shared" si="0"/><v>4</v></c></row>'
          '<row r="3"><c r="A3"><v>3</v></c><c r="B3"><f t="shared" si="0"/><v>6</v></c></row>'
          '<row r="5"><c r="C5"><f t="array" ref="C5:D5">A1:B1</f><v>1</v></c><c r="D5"><v>2</v></c></row>')


def test_cutting_through_a_shared_or_array_formula_is_refused(tmp_path):
    editor = PackageEditor(tiny_book(tmp_path / "in.xlsx", SHARED))
    with pytest.raises(FormulaConflict, match="B1:B3"):
        editor.patch_cells("S", {1: {1: (0, None)}})
    with pytest.raises(FormulaConflict, match="C5:D5"):
        editor.patch_cells("S", {5: {3: (0, None)}})
    editor.patch_cells("S", {2: {1: ("dependent only", None)}})  # the master and B3 keep working
    editor.patch_cells("S", {row: {1: (row, None)} for row in (1, 2, 3)})  # the whole range is fine
    editor.patch_cells("S", {5: {2: (7, None), 3: (8, None)}})
    editor.save(tmp_path / "out.xlsx")
    xml = parts_of(tmp_path / "out.xlsx")["xl/worksheets/sheet1.xml"]
    assert b"<f" not in xml
    assert read_book(tmp_path / "out.xlsx").sheet("S").rows[4][2:4] == [7, 8]


def test_an_emptied_calc_chain_is_removed_with_its_relationship(tmp_path):
    path = tiny_book(tmp_path / "in.xlsx", '<row r="1"><c r="A1"><f>1+1</f><v>2</v></c></row>')
    add_calc_chain(path, b'<c r="A1" i="1"/>')
    editor = PackageEditor(path)
    editor.patch_cells("S", {1: {0: (5, None)}})
    editor.save(tmp_path / "out.xlsx")
    parts = parts_of(tmp_path / "out.xlsx")
    assert "xl/calcChain.xml" not in parts
    assert b"calcChain" not in parts["xl/_rels/workbook.xml.rels"] + parts["[Content_Types].xml"]
    assert read_book(tmp_path / "out.xlsx").sheet("S").rows == [[5]]


def test_sheets_the_writer_cannot_handle_are_refused(tmp_path):
    prefixed = tiny_book(tmp_path / "prefixed.xlsx", "")
    rewrite_zip(prefixed, {"xl/worksheets/sheet1.xml": f'<x:worksheet xmlns:x="{MAIN_NS}"><x:sheetData/>'
                                                      f'</x:worksheet>'.encode()})
    with pytest.raises(PackageError, match="Excel/WPS"):
        PackageEditor(prefixed).patch_cells("S", {1: {0: (1, None)}})
    editor = PackageEditor(tiny_book(tmp_path / "plain.xlsx", ""))
    with pytest.raises(KeyError):
        editor.patch_cells("没有", {1: {0: (1, None)}})
    with pytest.raises(ValueError):
        editor.add_sheet("S")
    with pytest.raises(ValueError):
        editor.add_sheet("a/b")
    with pytest.raises(ValueError):
        editor.replace_sheet_data("S", [], merges=["A1:A1"])
