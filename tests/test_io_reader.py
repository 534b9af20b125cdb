"""reader.read_book and zipsafe on real files: values, coordinates, laziness, and hostile input."""
from __future__ import annotations

import datetime as dt
import re
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest

from subsidy_xl.io import zipsafe
from subsidy_xl.io.package import PackageEditor
from subsidy_xl.io.reader import CellRange, UnreadableWorkbook, UnsafeWorkbook, read_book
from test_io_package import cell

CHINESE = re.compile("[\u4e00-\u9fff]")


def assert_refused(path: Path, error: type[UnreadableWorkbook], *message_parts: str) -> None:
    """Both the reader and the writer refuse `path` with `error` and a Chinese message."""
    for opener in (read_book, PackageEditor):
        with pytest.raises(error) as caught:
            opener(path)
        assert CHINESE.search(str(caught.value)), str(caught.value)
        for part in message_parts:
            assert part in str(caught.value)


@pytest.fixture()
def book_path(tmp_path) -> Path:
    book = openpyxl.Workbook()
    data = book.active
    data.title = "数据"
    data["C3"] = "姓名"
    data["D3"] = 5
    data["E3"] = 2.5
    data["F3"] = 1e17
    data["C4"] = dt.date(1956, 3, 1)
    data["D4"] = dt.datetime(2024, 1, 2, 8, 30)
    data["E4"] = True
    data["F4"] = "0012"
    data["G5"] = "=D3*2"  # no cached value: reads as empty
    data.merge_cells("C7:E8")
    hidden = book.create_sheet("隐藏")
    hidden.sheet_state = "hidden"
    hidden["A1"] = "x"
    very = book.create_sheet("深度隐藏")
    very.sheet_state = "veryHidden"
    book.create_sheet("空表")
    path = tmp_path / "book.xlsx"
    book.save(path)
    return path


def test_grid_is_aligned_to_a1_with_plain_python_values(book_path):
    book = read_book(book_path)
    assert book.sheet_names == ["数据", "隐藏", "深度隐藏", "空表"]
    sheet = book.sheet("数据")
    assert sheet.rows[0] == [None] * 6 and sheet.rows[1] == [None] * 6  # G5 has no cached value: not data
    assert sheet.rows[2][2:6] == ["姓名", 5, 2.5, 1e17]
    assert type(sheet.rows[2][3]) is int and type(sheet.rows[2][5]) is float  # beyond 2**53 stays float
    assert sheet.rows[3][2:6] == [dt.date(1956, 3, 1), dt.datetime(2024, 1, 2, 8, 30), True, "0012"]
    assert cell(sheet, 4, 6) is None and cell(sheet, 99, 99) is None and cell(sheet, -1, 0) is None
    assert sheet.merged == (CellRange(6, 2, 7, 4),) and str(sheet.merged[0]) == "C7:E8"
    assert book.sheet("空表").rows == []


def test_book_source_view_for_the_analysis(book_path, tmp_path):
    book = read_book(book_path)
    assert book.grid("数据") is book.sheet("数据").rows and book.grid("没有") is None
    assert book.merged("数据") == ((6, 2, 7, 4),) and book.merged("没有") == ()

    formatted = openpyxl.load_workbook(book_path)
    formatted["数据"]["A500"].number_format = "0.00"  # a pre-formatted empty row is not data
    formatted.save(tmp_path / "formatted.xlsx")
    assert len(read_book(tmp_path / "formatted.xlsx").grid("数据")) == 4


def test_visibility_of_each_sheet(book_path):
    book = read_book(book_path)
    assert book.visibility == {"数据": "visible", "隐藏": "hidden", "深度隐藏": "veryHidden", "空表": "visible"}
    assert book.sheet("隐藏").visibility == "hidden"


def test_sheets_are_read_only_when_asked_for(book_path, tmp_path):
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(book_path) as source, zipfile.ZipFile(broken, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet2.xml":
                data = data.replace(b"</sheetData>", b"<row><c><v>1</v></c>")  # truncated XML
            target.writestr(info, data)
    book = read_book(broken)
    assert book.sheet("数据").rows[2][2] == "姓名"
    with pytest.raises(UnreadableWorkbook, match="隐藏"):
        book.sheet("隐藏")
    with pytest.raises(KeyError, match="不存在的表"):
        book.sheet("不存在的表")
    assert "数据" in book and "不存在的表" not in book


# ---------------------------------------------------------------------------------------
# files that are not workbooks
# ---------------------------------------------------------------------------------------
def compound_file(stream_names: list[str]) -> bytes:
    """A genuine OLE compound file (MS-CFB v3) holding 4 KiB streams with the given names."""
    sector = 512
    stream_sectors = 4096 // sector
    free, end_of_chain, fat_sector = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    fat = [fat_sector, end_of_chain]
    starts = []
    for _ in stream_names:
        first = len(fat)
        starts.append(first)
        fat += [first + i + 1 for i in range(stream_sectors - 1)] + [end_of_chain]
    fat += [free] * (sector // 4 - len(fat))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return (encoded.ljust(64, b"\0") + struct.pack("<HBBIII", len(encoded), kind, 1, free, right, child)
                + b"\0" * 16 + b"\0" * 4 + b"\0" * 16 + struct.pack("<IQ", start, size))

    entries = [entry("Root Entry", 5, 1, free, end_of_chain, 0)]
    for index, (name, start) in enumerate(zip(stream_names, starts), start=1):
        entries.append(entry(name, 2, free, index + 1 if index < len(stream_names) else free, start, 4096))
    directory = b"".join(entries).ljust(sector, b"\0")
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\0" * 6 + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end_of_chain, 0, end_of_chain, 0)
              + struct.pack("<I", 0) + struct.pack("<I", free) * 108)
    streams = b"".join(bytes([index]) * 4096 for index in range(len(stream_names)))
    return header + struct.pack(f"<{sector // 4}I", *fat) + directory + streams


def test_compound_file_fixture_is_a_real_ole_file():
    olefile = pytest.importorskip("olefile")
    ole = olefile.OleFileIO(compound_file(["EncryptionInfo", "EncryptedPackage"]))
    assert sorted(ole.listdir()) == [["EncryptedPackage"], ["EncryptionInfo"]]
    assert ole.openstream("EncryptedPackage").read() == b"\x01" * 4096


@pytest.mark.parametrize(("content", "expected"), [
    (None, "找不到文件"),
    (b"", "空的"),
    ("姓名,金额\n张三,100\n".encode("gbk"), "不是 Excel 工作簿"),
    (compound_file(["EncryptionInfo", "EncryptedPackage"]), "密码"),
    (compound_file(["Workbook"]), ".xls"),
])
def test_files_that_are_not_workbooks_are_refused(tmp_path, content, expected):
    path = tmp_path / "input.xlsx"
    if content is not None:
        path.write_bytes(content)
    assert_refused(path, UnreadableWorkbook, expected)


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path):
    path = tmp_path / "photos.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("photo.jpg", b"\xff\xd8\xff")
    assert_refused(path, UnreadableWorkbook, "不是 Excel 工作簿")
    path.write_bytes(path.read_bytes()[:-30])  # cut into the central directory
    assert_refused(path, UnreadableWorkbook, "损坏")


# ---------------------------------------------------------------------------------------
# hostile archives and XML
# ---------------------------------------------------------------------------------------
def with_member(source: Path, target: Path, name: str, data: bytes, level: int = 9) -> Path:
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in original.infolist():
            if info.filename != name:
                out.writestr(info.filename, original.read(info))
        out.writestr(name, data, compresslevel=level)
    return target


def set_declared_size(path: Path, name: str, size: int) -> None:
    """Rewrite the uncompressed size a member declares, in its local and central headers."""
    data = bytearray(path.read_bytes())
    encoded = name.encode()
    local = data.index(b"PK\x03\x04")
    while data[local + 30:local + 30 + len(encoded)] != encoded:
        local = data.index(b"PK\x03\x04", local + 4)
    struct.pack_into("<I", data, local + 22, size)
    central = data.index(b"PK\x01\x02")
    while data[central + 46:central + 46 + len(encoded)] != encoded:
        central = data.index(b"PK\x01\x02", central + 4)
    struct.pack_into("<I", data, central + 24, size)
    path.write_bytes(bytes(data))


def test_a_zip_bomb_is_refused_before_inflating(book_path, tmp_path):
    bomb = with_member(book_path, tmp_path / "bomb.xlsx", "xl/media/image1.png", bytes(64 << 20))
    assert bomb.stat().st_size < 1 << 20
    assert_refused(bomb, UnsafeWorkbook, "压缩炸弹")


def test_a_member_declaring_a_huge_size_is_refused(book_path, tmp_path):
    path = with_member(book_path, tmp_path / "huge.xlsx", "xl/media/big.bin", b"x" * 1000)
    set_declared_size(path, "xl/media/big.bin", zipsafe.MAX_MEMBER_BYTES + 1)
    assert_refused(path, UnsafeWorkbook, "超过上限")


def test_a_member_lying_about_its_size_is_caught_when_inflated(book_path, tmp_path):
    sheet = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(book_path) as archive:
        xml = archive.read(sheet)
    padded = xml.replace(b"</worksheet>", b" " * (40 << 20) + b"</worksheet>")
    path = with_member(book_path, tmp_path / "liar.xlsx", sheet, padded)
    compressed = zipfile.ZipFile(path).getinfo(sheet).compress_size
    set_declared_size(path, sheet, compressed * 3)  # plausible ratio, far smaller than the truth
    book = read_book(path)  # only the first 64 KiB were looked at so far
    with pytest.raises(UnreadableWorkbook, match="损坏"):
        book.sheet("数据")
    with pytest.raises(UnreadableWorkbook, match="损坏"):
        PackageEditor(path).patch_cells("数据", {1: {0: ("x", None)}})


def test_too_many_members_are_refused(book_path, tmp_path):
    path = tmp_path / "many.xlsx"
    with zipfile.ZipFile(book_path) as original, zipfile.ZipFile(path, "w") as out:
        for info in original.infolist():
            out.writestr(info.filename, original.read(info))
        for index in range(zipsafe.MAX_MEMBERS):
            out.writestr(f"xl/media/p{index}.bin", b"")
    assert_refused(path, UnsafeWorkbook, "部件")


def test_duplicate_member_names_are_refused(book_path, tmp_path):
    path = tmp_path / "twice.xlsx"
    with zipfile.ZipFile(book_path) as original, zipfile.ZipFile(path, "w") as out:
        for info in original.infolist():
            out.writestr(info.filename, original.read(info))
        with pytest.warns(UserWarning):
            out.writestr("xl/worksheets/sheet1.xml", b"<worksheet/>")
    assert_refused(path, UnsafeWorkbook, "重名")


BILLION_LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                             for i in range(1, 10))
                  + b"]>\n")


@pytest.mark.parametrize("member", ["xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"])
def test_entity_expansion_is_refused(book_path, tmp_path, member):
    with zipfile.ZipFile(book_path) as archive:
        original = archive.read(member) if member in archive.namelist() else b"<sst/>"
    body = original.split(b"?>", 1)[1] if original.startswith(b"<?xml") else original
    hostile = BILLION_LAUGHS + body.replace(b"<", b"<!--&lol9;--><", 1)
    path = with_member(book_path, tmp_path / "laughs.xlsx", member, hostile)
    assert_refused(path, UnsafeWorkbook, "DTD")


def test_a_prolog_hiding_the_root_element_is_refused(book_path, tmp_path):
    with zipfile.ZipFile(book_path) as archive:
        workbook = archive.read("xl/workbook.xml")
    padded = b"<?xml version='1.0'?>" + b"<!-- padding -->" * 8000 + workbook.split(b"?>", 1)[-1]
    path = with_member(book_path, tmp_path / "padded.xlsx", "xl/workbook.xml", padded)
    assert_refused(path, UnsafeWorkbook)


def test_external_relationships_are_never_followed(book_path, tmp_path):
    rels = "xl/_rels/workbook.xml.rels"
    with zipfile.ZipFile(book_path) as archive:
        original = archive.read(rels)
    linked = original.replace(b"</Relationships>", b'<Relationship Id="rIdX" Type="http://schemas.openxmlformats.org/'
                              b'officeDocument/2006/relationships/externalLinkPath" Target="file:///etc/passwd" '
                              b'TargetMode="External"/></Relationships>')
    path = with_member(book_path, tmp_path / "linked.xlsx", rels, linked)
    package = zipsafe.SafePackage(path)
    assert all(target != "file:///etc/passwd" for _id, _type, target in package.relationships(package.main_part))
    assert read_book(path).sheet("数据").rows[2][2] == "姓名"
