"""Open an .xlsx/.xlsm package without trusting it.

A workbook arrives from street offices by mail or USB stick, so it is treated
as hostile input: the archive's declared sizes and ratios are checked before
anything is inflated, every member is inflated with Python's zipfile (which
stops at the declared size and checks the CRC, so a member that lies about its
size fails instead of growing), every XML part is refused if it carries a DTD
(OOXML never does; a DTD is how entity-expansion bombs and external entities
get in), and the XML we parse goes through defusedxml.  Relationship targets
marked External (linked workbooks, DDE, web queries) are never followed.
"""
from __future__ import annotations

import io
import os
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as _defused_fromstring

from ..errors import UserError

# --- limits --------------------------------------------------------------------
# Sized for the largest sheet we promise to handle: 500,000 rows x 30 columns of
# inline strings is about 0.6-0.8 GiB of sheet XML, so 1 GiB per member leaves
# headroom while still refusing the multi-GiB members of a zip bomb.
MAX_MEMBER_BYTES = 1 << 30
# A couple of such sheets plus sharedStrings, media and pivot caches.
MAX_TOTAL_BYTES = 4 << 30
# The file itself is read into memory; such a workbook deflates to ~100 MB.
MAX_FILE_BYTES = 1 << 30
# Real workbooks have tens of parts, a few thousand with many images or charts.
MAX_MEMBERS = 10_000
# Sheet XML deflates 10-40:1, very repetitive styled blanks up to ~100:1; a bomb
# is 1000:1 and more.  Small members may legitimately compress extremely (a
# sheet of empty styled rows) without being dangerous, so the ratio is only
# enforced above RATIO_FLOOR_BYTES.
MAX_RATIO = 200
RATIO_FLOOR_BYTES = 16 << 20
# Deflate can only expand incompressible data by a tiny amount; a member whose
# compressed size exceeds its declared size by more is lying about that size.
_DEFLATE_SLACK_BYTES = 1024
# How much of an XML part is inflated to look for a DTD before the root element.
_PROLOG_BYTES = 64 << 10

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: .xls or encrypted OOXML
_ENCRYPTED_STREAM_NAME = "EncryptedPackage".encode("utf-16-le")
_ROOT_START = re.compile(rb"<[A-Za-z_]")
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_READ_CHUNK = 1 << 20
_LOCAL_HEADER_BYTES = 30  # fixed part of a zip local file header, before its name and extra field
# What reading a member can raise: bad CRC or truncation, bad deflate data, an
# unsupported method (Deflate64 ...), a password-protected entry, or a part that a
# relationship names but the archive lacks.
_CORRUPT_MEMBER = (zipfile.BadZipFile, EOFError, zlib.error, NotImplementedError, RuntimeError, KeyError)


class WorkbookError(UserError):
    """Base of every error of the .xlsx adapter; str() is a Chinese message for the user."""


class UnreadableWorkbook(WorkbookError):
    """The file cannot be read as an .xlsx/.xlsm workbook."""


class UnsafeWorkbook(UnreadableWorkbook):
    """The file looks crafted to exhaust memory or time, or carries a DTD; refused before parsing."""


class PackageError(WorkbookError):
    """The package cannot be edited as asked (package.py raises it; defined here for NotInWorkbook)."""


class NotInWorkbook(PackageError, KeyError):
    """The workbook has no worksheet or table of that name (also a KeyError, as a lookup that failed)."""

    def __str__(self) -> str:  # KeyError's str() would quote the message
        return str(self.args[0]) if self.args else ""


# What the user is told to do about a file that is damaged or written in an unusual way: Excel and WPS
# repair what they can read and save it the way they always write it.
RESAVE_HINT = "请先在 Excel/WPS 中打开并保存一次再试。"


_RELS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_MAIN_NS_PREFIXES = (
    "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}",
    "{http://purl.oclc.org/ooxml/spreadsheetml/main}",  # ISO strict
)


@dataclass(frozen=True)
class SheetEntry:
    """One <sheet> of workbook.xml, resolved to its package part."""

    name: str
    sheet_id: int
    rel_id: str
    part: str  # member name, e.g. "xl/worksheets/sheet1.xml"
    kind: str  # last segment of the relationship type: "worksheet", "chartsheet", ...
    state: str  # "visible", "hidden" or "veryHidden"


class SafePackage:
    """A validated, read-only view of an OOXML zip package held in memory.

    The file is read once into memory, so what was validated is exactly what
    is later parsed (no second open of a file that may have changed), and no
    handle stays open on the workbook (Windows could not replace it otherwise).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        self.data = _read_file(self.path)
        self._check_signature()
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(self.data))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
            raise UnreadableWorkbook(f"文件“{_base(self.path)}”已损坏，无法作为 Excel 工作簿打开。") from exc
        self.infos: list[zipfile.ZipInfo] = self._zip.infolist()
        self._by_name = {info.filename: info for info in self.infos}
        self._check_limits()
        self._check_xml_prologs()
        self.main_part = self._main_part_name()

    # --- access -------------------------------------------------------------------
    @property
    def names(self) -> list[str]:
        """Member names in archive order."""
        return [info.filename for info in self.infos]

    def __contains__(self, name: str) -> bool:
        return name in self._by_name

    def info(self, name: str) -> zipfile.ZipInfo:
        return self._by_name[name]

    def read(self, name: str) -> bytes:
        """The whole member, inflated; sizes were checked, the CRC is checked here."""
        try:
            return self._zip.read(name)
        except _CORRUPT_MEMBER as exc:
            raise UnreadableWorkbook(f"工作簿中的“{name}”已损坏，无法读取。") from exc

    def iter_chunks(self, name: str, size: int = 8 << 20) -> Iterator[bytes]:
        """Yield the inflated member in chunks of about `size` bytes (CRC checked at the end)."""
        try:
            with self._zip.open(name) as stream:
                while chunk := stream.read(size):
                    yield chunk
        except _CORRUPT_MEMBER as exc:
            raise UnreadableWorkbook(f"工作簿中的“{name}”已损坏，无法读取。") from exc

    def compressed(self, name: str) -> bytes:
        """The member's bytes as stored in the archive, for copying it unchanged into another one.

        Not inflated, so not CRC-checked here: what is copied is exactly what was there.
        """
        info = self._by_name[name]
        start = info.header_offset
        header = self.data[start:start + _LOCAL_HEADER_BYTES]
        if len(header) < _LOCAL_HEADER_BYTES or header[:4] != _ZIP_MAGIC[0]:
            raise UnreadableWorkbook(f"工作簿中的“{name}”已损坏（找不到它的文件头）。")
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        start += _LOCAL_HEADER_BYTES + name_length + extra_length
        data = self.data[start:start + info.compress_size]
        if len(data) != info.compress_size:
            raise UnreadableWorkbook(f"工作簿中的“{name}”已损坏（数据不完整）。")
        return data

    def verify(self, name: str) -> None:
        """Inflate a member completely (bounded by its declared size) to prove its CRC."""
        for _ in self.iter_chunks(name, _READ_CHUNK):
            pass

    def xml(self, name: str) -> Element:
        """Parse a small XML part with defusedxml (no DTD, no entities, no network)."""
        return parse_xml(self.read(name), name)

    def relationships(self, part: str) -> list[tuple[str, str, str]]:
        """(Id, Type, resolved member name) of the internal relationships of `part`."""
        rels_name = rels_part_for(part)
        if rels_name not in self:
            return []
        result = []
        for rel in self.xml(rels_name):
            if rel.get("TargetMode") == "External":
                continue  # links to other files, DDE, web: never followed
            target = resolve_target(part, rel.get("Target", ""))
            result.append((rel.get("Id", ""), rel.get("Type", ""), target))
        return result

    def external_links(self) -> list[str]:
        """What the workbook's external-link parts point at, described for the user: another
        workbook's address, ``DDE 服务|主题`` or ``OLE 程序``.  Read, never opened or run."""
        found = []
        for _id, rel_type, part in self.relationships(self.main_part):
            if not rel_type.endswith("/externalLink") or part not in self:
                continue
            outside = {}  # Id -> Target of the part's External relationships
            if rels_part_for(part) in self:
                outside = {rel.get("Id"): rel.get("Target", "") for rel in self.xml(rels_part_for(part))
                           if rel.get("TargetMode") == "External"}
            for element in self.xml(part).iter():
                local = element.tag.rsplit("}", 1)[-1]
                if local == "externalBook":
                    found.append(outside.get(element.get(f"{{{_RELS_NS}}}id"), "") or part)
                elif local == "ddeLink":
                    found.append(f"DDE {element.get('ddeService', '')}|{element.get('ddeTopic', '')}")
                elif local == "oleLink":
                    found.append(f"OLE {element.get('progId', '')}")
        return found

    def sheets(self) -> list[SheetEntry]:
        """Every sheet of the workbook in tab order, with its part and visibility."""
        by_id = {rel_id: (rel_type, target) for rel_id, rel_type, target in self.relationships(self.main_part)}
        entries = []
        for element in self.xml(self.main_part).iter():
            if not _is_main(element.tag, "sheet"):
                continue
            rel_id = element.get(f"{{{_RELS_NS}}}id") or element.get(
                "{http://purl.oclc.org/ooxml/officeDocument/relationships}id", "")
            rel_type, target = by_id.get(rel_id, ("", ""))
            name = element.get("name", "")
            try:
                sheet_id = int(element.get("sheetId", "0"))
            except ValueError as exc:
                raise UnreadableWorkbook(f"工作簿“{_base(self.path)}”中工作表“{name}”的编号“{element.get('sheetId')}”"
                                         f"无效，文件可能已损坏。{RESAVE_HINT}") from exc
            entries.append(SheetEntry(
                name=name,
                sheet_id=sheet_id,
                rel_id=rel_id,
                part=target,
                kind=rel_type.rsplit("/", 1)[-1],
                state=element.get("state", "visible"),
            ))
        return entries

    # --- validation -----------------------------------------------------------------
    def _check_signature(self) -> None:
        head = self.data[:8]
        if head.startswith(_ZIP_MAGIC):
            return
        name = _base(self.path)
        if head == _CFB_MAGIC:
            if _ENCRYPTED_STREAM_NAME in self.data:
                raise UnreadableWorkbook(f"工作簿“{name}”设置了打开密码（已加密），请在 Excel/WPS 中取消密码后另存再试。")
            raise UnreadableWorkbook(f"“{name}”是旧版 .xls 文件，请在 Excel/WPS 中另存为 .xlsx 后再试。")
        raise UnreadableWorkbook(f"“{name}”不是 Excel 工作簿（.xlsx/.xlsm），无法读取。")

    def _check_limits(self) -> None:
        name = _base(self.path)
        if len(self.infos) > MAX_MEMBERS:
            raise UnsafeWorkbook(f"工作簿“{name}”包含 {len(self.infos)} 个部件，超过上限 {MAX_MEMBERS}，疑似恶意文件，已拒绝。")
        if len(self._by_name) != len(self.infos):
            raise UnsafeWorkbook(f"工作簿“{name}”中有重名的部件，疑似被篡改，已拒绝。")
        total = 0
        for info in self.infos:
            size = info.file_size
            total += size
            if size > MAX_MEMBER_BYTES:
                raise UnsafeWorkbook(
                    f"工作簿“{name}”中的“{info.filename}”解压后有 {size:,} 字节，超过上限 {MAX_MEMBER_BYTES:,}，已拒绝。")
            if info.compress_size > size + size // 100 + _DEFLATE_SLACK_BYTES:
                raise UnsafeWorkbook(f"工作簿“{name}”中的“{info.filename}”声明的大小与实际不符，疑似被篡改，已拒绝。")
            if size > RATIO_FLOOR_BYTES and size > MAX_RATIO * max(info.compress_size, 1):
                raise UnsafeWorkbook(
                    f"工作簿“{name}”中的“{info.filename}”压缩比异常（超过 {MAX_RATIO}:1），疑似“压缩炸弹”，已拒绝。")
        if total > MAX_TOTAL_BYTES:
            raise UnsafeWorkbook(f"工作簿“{name}”解压后共 {total:,} 字节，超过上限 {MAX_TOTAL_BYTES:,}，已拒绝。")

    def _check_xml_prologs(self) -> None:
        for info in self.infos:
            if info.filename.lower().endswith(_XML_SUFFIXES):
                check_no_dtd(self._head(info.filename), info.filename)

    def _head(self, name: str) -> bytes:
        try:
            with self._zip.open(name) as stream:
                return stream.read(_PROLOG_BYTES)
        except _CORRUPT_MEMBER as exc:
            raise UnreadableWorkbook(f"工作簿中的“{name}”已损坏，无法读取。") from exc

    def _main_part_name(self) -> str:
        if "[Content_Types].xml" not in self or "_rels/.rels" not in self:
            raise UnreadableWorkbook(f"“{_base(self.path)}”是压缩包，但不是 Excel 工作簿（缺少 OOXML 目录部件）。")
        for _id, rel_type, target in self.relationships(""):
            if rel_type.endswith("/officeDocument") and target in self:
                return target
        raise UnreadableWorkbook(f"“{_base(self.path)}”是压缩包，但不是 Excel 工作簿（找不到工作簿主部件）。")


def check_no_dtd(head: bytes, part_name: str) -> None:
    """Refuse an XML part whose prolog declares a DTD, or whose root is not near the start."""
    root = _ROOT_START.search(head)
    if root is None:
        if len(head) >= _PROLOG_BYTES:
            raise UnsafeWorkbook(f"工作簿中的“{part_name}”开头异常（超长的声明部分），已拒绝。")
        return  # empty or truncated part: the parser reports it when the part is used
    if b"<!DOCTYPE" in head[: root.start()] or b"<!ENTITY" in head[: root.start()]:
        raise UnsafeWorkbook(f"工作簿中的“{part_name}”含有 DTD/实体声明（可能是“实体膨胀”攻击），已拒绝。")


def parse_xml(data: bytes, part_name: str) -> Element:
    try:
        return _defused_fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise UnsafeWorkbook(f"工作簿中的“{part_name}”含有 DTD/实体声明，已拒绝。") from exc
    except ParseError as exc:
        raise UnreadableWorkbook(f"工作簿中的“{part_name}”不是有效的 XML，文件可能已损坏。") from exc


def _is_main(tag: str, local: str) -> bool:
    return tag.endswith("}" + local) and tag.startswith(_MAIN_NS_PREFIXES)


def rels_part_for(part: str) -> str:
    """The relationships part of `part` ('' is the package itself)."""
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def resolve_target(source_part: str, target: str) -> str:
    """Member name of a relationship target, relative to its source part's folder."""
    if target.startswith("/"):
        return posixpath.normpath(target[1:])
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))
    return joined.lstrip("/")


def _read_file(path: str) -> bytes:
    name = _base(path)
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > MAX_FILE_BYTES:
                raise UnsafeWorkbook(f"文件“{name}”有 {size:,} 字节，超过上限 {MAX_FILE_BYTES:,}，已拒绝。")
            data = handle.read()
    except FileNotFoundError as exc:
        raise UnreadableWorkbook(f"找不到文件“{path}”。") from exc
    except IsADirectoryError as exc:
        raise UnreadableWorkbook(f"“{path}”是文件夹，不是 Excel 工作簿。") from exc
    except PermissionError as exc:
        raise UnreadableWorkbook(f"没有权限读取文件“{path}”。") from exc
    except OSError as exc:  # a disk, network share or USB stick failing under the read, a name too long ...
        raise UnreadableWorkbook(f"无法读取文件“{path}”：请确认磁盘、U 盘或网络位置可以访问，文件名不过长，再试一次。") from exc
    if not data:
        raise UnreadableWorkbook(f"文件“{name}”是空的（0 字节），不是有效的 Excel 工作簿。")
    return data


def _base(path: str) -> str:
    return os.path.basename(path) or path


def can_copy_deflated(original: zipfile.ZipInfo, out: zipfile.ZipFile) -> bool:
    """Whether an unchanged member can go into `out` as its stored deflated bytes (see add_deflated)."""
    return (original.compress_type == zipfile.ZIP_DEFLATED and not original.flag_bits & _ENCRYPTED
            and max(original.file_size, original.compress_size) < zipfile.ZIP64_LIMIT
            and getattr(out, "_seekable", False))


def add_deflated(out: zipfile.ZipFile, original: zipfile.ZipInfo, data: bytes) -> None:
    """Add a member of another archive to `out` as its stored deflated bytes `data`.

    zipfile has no public call for adding bytes that are already compressed; this is what
    ZipFile.writestr does around its compressor (local header, data, central directory
    entry), without inflating a 100 MB sheet only to deflate it again.  The entry gets
    the same attributes writestr would give it (date, system, permissions).
    """
    info = zipfile.ZipInfo(original.filename, date_time=original.date_time)
    info.create_system = original.create_system
    info.external_attr = original.external_attr
    info.compress_type = zipfile.ZIP_DEFLATED
    info.CRC, info.compress_size, info.file_size = original.CRC, original.compress_size, original.file_size
    out._writecheck(info)
    out._didModify = True
    out.fp.seek(out.start_dir)
    info.header_offset = out.fp.tell()
    out.fp.write(info.FileHeader())
    out.fp.write(data)
    out.start_dir = out.fp.tell()
    out.filelist.append(info)
    out.NameToInfo[info.filename] = info


_ENCRYPTED = 0x1  # general purpose flag bit 0
