"""The headless .xlsx door: one read per use case, missing tables, damaged files and
messages in Chinese only. Every test writes real files and reads them back."""
from __future__ import annotations

import errno
import io
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from subsidy_xl import service
from subsidy_xl.io import bad_dates, safe_save, zipsafe
from subsidy_xl.io.package import NotInWorkbook, PackageEditor, PackageError
from subsidy_xl.io.reader import read_book
from subsidy_xl.io.safe_save import SaveFailed, WorkbookReadOnly, safe_replace
from subsidy_xl.io.zipsafe import SafePackage, UnreadableWorkbook, WorkbookError
from subsidy_xl.months import Quarter
from subsidy_xl.schema import CHANGELOG_SHEET, LIVING
from subsidy_xl.service import WritePlan, apply_plan, plan_refresh
from reliability_support import NEW_ID, grids, returned_form
from test_io_package import MAIN_NS, rewrite_zip, tiny_book

Q2 = Quarter(2026, 2)
STREET = "吴家营街道"
ADDED = {"姓名": "张新", "身份证号": NEW_ID}  # a person added to the street's returned form
# Words a Chinese message may carry: product and format names. Anything else in ASCII letters is an
# exception's own English text leaking into what the user reads.
ALLOWED_WORDS = {"Excel", "WPS", "xlsx", "xlsm", "xls", "XML", "OOXML", "DTD", "U"}


def english_words(message: str) -> set[str]:
    """ASCII words of a message outside the quoted names (file, part and sheet names are the user's)."""
    unquoted = re.sub("“[^”]*”", "", message)
    return set(re.findall(r"[A-Za-z]+", unquoted)) - ALLOWED_WORDS


@pytest.fixture
def book(demo_book, tmp_path) -> Path:
    path = tmp_path / "book.xlsx"
    shutil.copyfile(demo_book, path)
    return path


@pytest.fixture
def reads(monkeypatch):
    """The paths whose bytes zipsafe read from disk, in order."""
    seen: list[Path] = []
    real = zipsafe._read_file

    def counting(path: str) -> bytes:
        seen.append(Path(path).resolve())
        return real(path)

    monkeypatch.setattr(zipsafe, "_read_file", counting)
    return seen


# ---------------------------------------------------------------- one read per use case

def test_refresh_reads_the_workbook_once(book, reads):
    report = service.refresh(book, Q2)
    assert reads.count(book.resolve()) == 1
    assert report.out == book and report.backup.exists()
    assert report.figures is report.analysis.budget  # derived, not a copy
    assert "生活补贴实发" in report.summary()


def test_fill_performance_reads_the_workbook_once(book, reads):
    service.fill_performance(book)
    assert reads.count(book.resolve()) == 1


def test_import_streets_reads_the_workbook_once(demo_book, book, tmp_path, reads):
    returned, _first = returned_form(demo_book, tmp_path, STREET, {}, ADDED)
    reads.clear()
    service.import_streets(book, [returned])
    assert reads.count(book.resolve()) == 1
    ids = [row[LIVING.headers.index("身份证号")] for row in grids(book)[LIVING.name]]
    assert NEW_ID in ids


def test_the_plan_is_applied_to_the_bytes_it_was_computed_from(book, tmp_path):
    src = read_book(book)
    plan, _report = plan_refresh(src, Q2)
    from_path, from_source = tmp_path / "from_path.xlsx", tmp_path / "from_source.xlsx"
    apply_plan(book, plan, out=from_path)
    apply_plan(book, plan, out=from_source, editor=PackageEditor(src.package))
    assert from_source.read_bytes() == from_path.read_bytes()  # the same result, without the second read
    # Another program changes the file after it was read: the plan still goes into what was read.
    wb = openpyxl.load_workbook(book)
    wb[LIVING.name].cell(1, 1).value = "改过了"
    wb.save(book)
    later = tmp_path / "later.xlsx"
    apply_plan(book, plan, out=later, editor=PackageEditor(src.package))
    assert later.read_bytes() == from_path.read_bytes()


def test_the_refresh_result_is_what_it_was(demo_book, tmp_path):
    """service.refresh (one read) writes what plan_refresh + apply_plan from the path write."""
    one, two = tmp_path / "one.xlsx", tmp_path / "two.xlsx"
    shutil.copyfile(demo_book, one)
    shutil.copyfile(demo_book, two)
    report = service.refresh(one, Q2)
    plan, expected = plan_refresh(read_book(two), Q2, rewrite_unchanged=False)
    apply_plan(two, plan)
    assert report.summary() == expected.summary()
    got, want = grids(one), grids(two)
    assert got.keys() == want.keys()
    for name in got:
        if name != CHANGELOG_SHEET:  # its new row carries the time of the refresh
            assert got[name] == want[name], name


def test_an_editor_on_a_package_read_leaves_the_package_as_it_was(tmp_path):
    path = tiny_book(tmp_path / "in.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row>')
    package = read_book(path).package
    names = list(package.names)
    editor = PackageEditor(package)
    editor.add_sheet("新表")
    editor.patch_cells("S", {1: {0: (2, None)}})
    editor.save(tmp_path / "out.xlsx")
    assert package.names == names and read_book(tmp_path / "out.xlsx").sheet("S").rows == [[2]]
    assert PackageEditor(package).sheet_names == ["S"]


# ---------------------------------------------------------------- a missing table

def test_a_renamed_roster_table_is_skipped_and_the_rows_are_still_written(demo_book, book, tmp_path):
    with zipfile.ZipFile(book) as archive:
        tables = {info.filename: archive.read(info) for info in archive.infolist()
                  if info.filename.startswith("xl/tables/")}
    renamed = {name: data.replace(b'"tblLiving"', '"我的名册"'.encode()) for name, data in tables.items()
               if b'"tblLiving"' in data}
    assert renamed, "the template's 生活补贴名册 table"
    rewrite_zip(book, renamed)
    assert not PackageEditor(book).has_table("tblLiving")
    returned, _first = returned_form(demo_book, tmp_path, STREET, {}, ADDED)
    service.import_streets(book, [returned])  # was an internal error (KeyError) before
    ids = [row[LIVING.headers.index("身份证号")] for row in grids(book)[LIVING.name]]
    assert NEW_ID in ids


def test_apply_plan_skips_tables_the_workbook_does_not_have(tmp_path):
    path = tiny_book(tmp_path / "in.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row>')
    plan = WritePlan(patches={"S": {2: {0: ("新", None)}}}, table_rows={"tblLiving": 2})
    apply_plan(path, plan, out=tmp_path / "out.xlsx")
    assert read_book(tmp_path / "out.xlsx").sheet("S").rows == [[1], ["新"]]


def test_a_missing_table_or_sheet_is_a_package_error_with_a_plain_message(tmp_path):
    editor = PackageEditor(tiny_book(tmp_path / "in.xlsx", ""))
    with pytest.raises(PackageError) as table:
        editor.table_ref("没有")
    assert str(table.value) == "工作簿中没有名为“没有”的表格。"
    with pytest.raises(NotInWorkbook) as sheet:
        editor.patch_cells("没有", {1: {0: (1, None)}})
    assert isinstance(sheet.value, WorkbookError) and str(sheet.value) == "工作簿中没有名为“没有”的工作表。"


# ---------------------------------------------------------------- damaged input

def test_a_sheet_without_its_last_row_end_is_refused_in_chinese(tmp_path):
    path = tiny_book(tmp_path / "in.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>2</v></c>')
    assert read_book(path).sheet("S").rows == [[1], [2]]  # calamine reads it all the same
    with pytest.raises(PackageError) as caught:
        PackageEditor(path).patch_cells("S", {2: {1: ("x", None)}})
    message = str(caught.value)
    assert "已损坏" in message and "Excel/WPS" in message and not english_words(message)


def test_row_attributes_that_are_not_utf8_go_with_the_rows_they_belonged_to(tmp_path):
    """A rewritten sheet keeps nothing of its old rows (issue 13), so bytes there that are not UTF-8 cannot
    reach the new sheet, with or without the read on the other thread."""
    path = tiny_book(tmp_path / "in.xlsx", '<row r="1" ht="ROW1"><c r="A1"><v>1</v></c></row>')
    with zipfile.ZipFile(path) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    rewrite_zip(path, {"xl/worksheets/sheet1.xml": sheet.replace(b"ROW1", b"\xff\xfe")})
    for prefetch in (False, True):
        editor = PackageEditor(path)
        if prefetch:
            editor.prefetch(["S"])  # the same read, on the other thread
        editor.replace_sheet_data("S", [(1, 0, [5], None)])
        out = tmp_path / f"out{prefetch}.xlsx"
        editor.save(out)
        with zipfile.ZipFile(out) as archive:
            written = archive.read("xl/worksheets/sheet1.xml")
        assert b"\xff" not in written and b'<row r="1"><c r="A1"><v>5</v></c></row>' in written


def test_values_excel_cannot_hold_are_still_value_errors(tmp_path):
    """Only what the file holds is reported as damage; an infinite number is the caller's mistake."""
    editor = PackageEditor(tiny_book(tmp_path / "in.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row>'))
    with pytest.raises(ValueError, match="无穷大") as caught:
        editor.patch_cells("S", {1: {0: (float("inf"), None)}})
    assert not isinstance(caught.value, PackageError)


@pytest.mark.parametrize("sheet_id", ["x1", "", "²"])
def test_a_bad_sheet_id_is_an_unreadable_workbook(tmp_path, sheet_id):
    path = tiny_book(tmp_path / "in.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row>')
    with zipfile.ZipFile(path) as archive:
        workbook = archive.read("xl/workbook.xml")
    rewrite_zip(path, {"xl/workbook.xml": workbook.replace(b'sheetId="1"', f'sheetId="{sheet_id}"'.encode())})
    for opener in (read_book, PackageEditor):
        with pytest.raises(UnreadableWorkbook) as caught:
            opener(path)
        message = str(caught.value)
        assert "编号" in message and "S" in message and not english_words(message)


# ---------------------------------------------------------------- no English exception text

def test_a_broken_archive_is_reported_without_english(tmp_path):
    path = tmp_path / "坏.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00garbage" * 50)
    with pytest.raises(UnreadableWorkbook) as caught:
        read_book(path)
    assert "已损坏" in str(caught.value) and not english_words(str(caught.value))


def test_a_member_with_a_bad_crc_is_reported_without_english(tmp_path):
    path = tmp_path / "crc.xlsx"
    with zipfile.ZipFile(tiny_book(tmp_path / "in.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row>')) as source, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info))
    data = path.read_bytes()
    assert data.count(b"<v>1</v>") == 1
    path.write_bytes(data.replace(b"<v>1</v>", b"<v>7</v>"))  # the CRC no longer matches
    for action in (lambda: read_book(path).sheet("S"),
                   lambda: PackageEditor(path).patch_cells("S", {1: {1: (1, None)}})):
        with pytest.raises(UnreadableWorkbook) as caught:
            action()
        assert "已损坏" in str(caught.value) and not english_words(str(caught.value))


def test_a_part_that_is_not_xml_is_reported_without_english(tmp_path):
    path = tiny_book(tmp_path / "in.xlsx", "")
    rewrite_zip(path, {"xl/workbook.xml": f'<workbook xmlns="{MAIN_NS}"><sheets></workbook>'.encode()})
    with pytest.raises(UnreadableWorkbook) as caught:
        read_book(path)
    assert "XML" in str(caught.value) and not english_words(str(caught.value))


def test_any_os_error_while_reading_is_a_chinese_message(tmp_path):
    plain = tiny_book(tmp_path / "in.xlsx", "")
    for path in (plain / "inside.xlsx",  # NotADirectoryError
                 tmp_path / ("长" * 200 + ".xlsx")):  # ENAMETOOLONG
        with pytest.raises(UnreadableWorkbook) as caught:
            read_book(path)
        assert "无法读取文件" in str(caught.value) and not english_words(str(caught.value))
        assert isinstance(caught.value.__cause__, OSError)  # the system's text stays for --debug


@pytest.mark.parametrize("code, reason", [(errno.ENOSPC, "磁盘空间不足"), (errno.EMLINK, "系统错误代码")])
def test_a_failed_temporary_file_is_explained_in_chinese(tmp_path, monkeypatch, code, reason):
    def refuse(*_args, **_kwargs):
        raise OSError(code, "No space left on device (or something else the system says)")

    monkeypatch.setattr(safe_save, "_create_exclusive", refuse)
    target = tmp_path / "out.xlsx"
    with pytest.raises(WorkbookReadOnly) as caught:
        safe_replace(target, lambda handle: handle.write(b"x"))
    assert reason in str(caught.value) and not english_words(str(caught.value))
    assert not target.exists()


def test_a_failed_save_is_explained_in_chinese(tmp_path):
    def fail(_handle):
        raise OSError(errno.EMLINK, "Too many links")

    with pytest.raises(SaveFailed) as caught:
        safe_replace(tmp_path / "out.xlsx", fail)
    assert "系统错误代码" in str(caught.value) and not english_words(str(caught.value))



# ---------------------------------------------------------------- ranges through cells.parse_a1

def test_merged_ranges_are_parsed_and_bounded_as_before(tmp_path):
    path = tiny_book(tmp_path / "in.xlsx", "")
    editor = PackageEditor(path)
    editor.replace_sheet_data("S", [(1, 0, ["标题"], None)], merges=["$A$1:C1", " B3:XFD4 "])
    editor.save(tmp_path / "out.xlsx")
    assert [str(merge) for merge in read_book(tmp_path / "out.xlsx").sheet("S").merged] == ["A1:C1", "B3:XFD4"]
    for bad in ("a1:b2", "A0:B2", "XFE1:XFE2", "A1:A1048577", "B1:A2", "A2:B1", "A1:", "A1:B2:C3", "1A:B2"):
        with pytest.raises(ValueError, match="无效的单元格区域"):
            PackageEditor(path).replace_sheet_data("S", [], merges=[bad])


# ---------------------------------------------------------------- the copy for impossible dates

def test_the_copy_for_impossible_dates_keeps_other_members_compressed(tmp_path, monkeypatch):
    path = tiny_book(tmp_path / "in.xlsx", '<row r="1"><c r="A1" s="1"><v>-1E+308</v></c><c r="B1"><v>5</v></c></row>'
                                           '<row r="2"><c r="A2" s="1"><v>45000</v></c></row>')
    package = SafePackage(path)
    inflated: list[str] = []
    real_read = SafePackage.read

    def read(self, name):
        inflated.append(name)
        return real_read(self, name)

    monkeypatch.setattr(SafePackage, "read", read)
    copy = bad_dates.dates_as_text(package, "xl/worksheets/sheet1.xml")
    assert set(inflated) == {"xl/worksheets/sheet1.xml", "xl/styles.xml", "xl/_rels/workbook.xml.rels"}
    with zipfile.ZipFile(io.BytesIO(copy)) as archive:
        assert archive.namelist() == package.names
        assert archive.testzip() is None  # every CRC right
        for info in archive.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                assert info.compress_type == zipfile.ZIP_STORED and b"<t>-1E+308</t>" in archive.read(info)
            else:
                original = package.info(info.filename)
                assert (info.compress_type, info.compress_size, info.CRC) == (
                    zipfile.ZIP_DEFLATED, original.compress_size, original.CRC)
    monkeypatch.undo()
    rows = read_book(path).sheet("S").rows  # python-calamine gives up on the sheet; the copy reads
    assert rows[0] == ["-1E+308", 5] and rows[1][0].year == 2023
