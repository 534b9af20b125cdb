"""The small parts of a package the editor changes: relationships, content types, workbook.xml's sheet list,
the calc chain and the style lookup."""
from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from xml.etree.ElementTree import Element

from .zipsafe import RESAVE_HINT, PackageError, SafePackage, SheetEntry


REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
WORKSHEET_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
TABLE_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"
MACRO_MAIN_CONTENT_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
_STRICT_MAIN_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
AFTER_CALC_PR = tuple(name.encode() for name in (
    "oleSize customWorkbookViews pivotCaches smartTagPr smartTagTypes webPublishing fileRecoveryPr "
    "webPublishObjects extLst").split())


# ----------------------------------------------------------------------------------
# small parts
# ----------------------------------------------------------------------------------
RELATIONSHIP = re.compile(rb"<Relationship\b[^>]*?/>")
OVERRIDE = re.compile(rb"<Override\b[^>]*?/>")
SHEET_ELEMENT = re.compile(rb"<sheet\b[^>]*?(?:/>|>.*?</sheet>)", re.S)
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_CALC_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>\s*</c>)")
_I_ATTR = re.compile(rb'\si="(\d+)"')
_CALC_REF = re.compile(rb'\sr="([A-Z]+\d+)"')


def xml_attribute(tag: bytes, name: bytes) -> bytes | None:
    found = re.search(rb"\s" + name + rb'="([^"]*)"', tag)
    return found.group(1) if found else None


def set_xml_attribute(tag: bytes, name: bytes, value: bytes) -> bytes:
    found = re.search(rb"(\s" + name + rb'=")([^"]*)(")', tag)
    if found:
        return tag[: found.start(2)] + value + tag[found.end(2):]
    close = len(tag) - (2 if tag.endswith(b"/>") else 1)
    return tag[:close] + b" " + name + b'="' + value + b'"' + tag[close:]


def xml_attr_text(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def filtered_calc_chain(data: bytes, drops: Mapping[int, set[str] | None]) -> tuple[bytes | None, int]:
    """calcChain without the entries of overwritten cells: (new bytes or None if unchanged, entries kept).

    An entry without i belongs to the sheet of the entry before it, so an entry
    that loses that predecessor gets its i written out.
    """
    out: list[bytes] = []
    pos = 0
    sheet_id: int | None = None
    last_kept: int | None = None
    kept = dropped = 0
    for entry in _CALC_CELL.finditer(data):
        attrs = entry.group(1)
        explicit = _I_ATTR.search(attrs)
        if explicit:
            sheet_id = int(explicit.group(1))
        ref = _CALC_REF.search(attrs)
        if sheet_id in drops and (drops[sheet_id] is None or (ref and ref.group(1).decode() in drops[sheet_id])):
            out.append(data[pos:entry.start()])
            pos = entry.end()
            dropped += 1
            continue
        if not explicit and sheet_id is not None and last_kept != sheet_id:
            out.append(data[pos:entry.start()])
            out.append(b'<c i="%d"' % sheet_id + data[entry.start() + 2:entry.end()])
            pos = entry.end()
        last_kept = sheet_id
        kept += 1
    if not dropped:
        return None, kept
    out.append(data[pos:])
    return b"".join(out), kept


class StyleBook:
    """Named cell styles of styles.xml, resolved to cellXfs indexes (read-only)."""

    def __init__(self, root: Element | None) -> None:
        self._indexes: dict[str, int] = {}
        if root is None:
            return
        ns = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
        style_xfs = [_xf_key(xf) for xf in root.iterfind(f"{ns}cellStyleXfs/{ns}xf")]
        cell_xfs = [(xf.get("xfId"), _xf_key(xf)) for xf in root.iterfind(f"{ns}cellXfs/{ns}xf")]
        for style in root.iterfind(f"{ns}cellStyles/{ns}cellStyle"):
            name, xf_id = style.get("name"), style.get("xfId", "")
            if name is None or name in self._indexes or not xf_id.isdigit():
                continue
            users = [index for index, (parent, _key) in enumerate(cell_xfs) if parent == xf_id]
            if not users:
                continue
            pure = int(xf_id) < len(style_xfs) and style_xfs[int(xf_id)]
            # Prefer a cell format that applies the style unchanged over one a user tweaked.
            self._indexes[name] = next((i for i in users if cell_xfs[i][1] == pure), users[0])

    def index(self, name: str) -> int | None:
        return self._indexes.get(name)


def _xf_key(xf: Element) -> tuple[str, ...]:
    return tuple(xf.get(attr, "0") for attr in ("numFmtId", "fontId", "fillId", "borderId"))


def refuse_strict(package: SafePackage) -> None:
    """The writer speaks the transitional dialect of OOXML (what Excel saves by default); a Strict Open XML
    workbook would get sheets and relationships in the other dialect, so it is refused before any work."""
    if package.xml(package.main_part).tag.startswith("{" + _STRICT_MAIN_NS + "}"):
        raise PackageError(f"工作簿“{os.path.basename(package.path)}”是“Strict Open XML 电子表格”格式，本工具无法写入。"
                           f"请在 Excel 中“另存为”“Excel 工作簿(*.xlsx)”后再试。未作任何修改。")


def content_type_of(types: bytes, part: str) -> str | None:
    """The content type [Content_Types].xml gives the part (its Override; Defaults are by extension)."""
    for override in OVERRIDE.finditer(types):
        if (xml_attribute(override.group(0), b"PartName") or b"").decode().lstrip("/") == part:
            return (xml_attribute(override.group(0), b"ContentType") or b"").decode()
    return None


def damaged(part: str, sheet: str | None = None) -> PackageError:
    where = f"“{part}”（工作表“{sheet}”）" if sheet else f"“{part}”"
    return PackageError(f"{where}已损坏，无法写入。{RESAVE_HINT}")


def worksheet_folder(entries: Sequence[SheetEntry], workbook: str) -> str:
    """Folder for new worksheet parts: where the existing ones live, else beside workbook.xml."""
    for entry in entries:
        if entry.kind == "worksheet" and "/" in entry.part:
            return entry.part.rsplit("/", 1)[0]
    base = workbook.rsplit("/", 1)[0] if "/" in workbook else ""
    return f"{base}/worksheets" if base else "worksheets"


def insert_before(data: bytes, marker: bytes, insertion: bytes) -> bytes:
    at = data.rindex(marker)
    return data[:at] + insertion + data[at:]


def without_matching(data: bytes, element: re.Pattern[bytes], attr: bytes, value: bytes) -> bytes:
    for found in element.finditer(data):
        if xml_attribute(found.group(0), attr) == value:
            return data[: found.start()] + data[found.end():]
    return data


def shift_sheet_indexes(workbook: bytes, position: int) -> bytes:
    """Sheet indexes at or after `position` move up by one (a sheet was inserted there)."""
    def shifted(match: re.Match[bytes]) -> bytes:
        index = int(match.group(2))
        return match.group(1) + str(index + 1 if index >= position else index).encode() + match.group(3)

    return re.sub(rb'(\s(?:localSheetId|activeTab|firstSheet)=")(\d+)(")', shifted, workbook)
