"""Write only what the tool owns into an .xlsx/.xlsm package.

``PackageEditor`` opens a workbook through zipsafe, replaces the rows of sheets
the tool owns, patches cells of user sheets, resizes tables, adds sheets, and
saves a new package in which every part it did not change keeps its exact
uncompressed bytes, in the original order.  Sheets are edited as bytes: rows are
rendered by plain string building and user sheets are patched by streaming over
their XML, so nothing the tool does not understand (charts, VBA, comments,
slicers, pivot caches ...) is ever parsed or re-serialised, and 100,000-row
sheets take seconds.  styles.xml and sharedStrings.xml are never written: text
goes in as inline strings and styles are looked up by the names the template
registers.

Coordinates: row numbers are Excel row numbers (1-based, the 5 of "C5");
column indexes are 0-based (0 = column A), as in ``reader.SheetData.rows[r][c]``.

Typical use (with safe_save.safe_replace around the save)::

    editor = PackageEditor("补助.xlsx")
    editor.replace_sheet_data("季度发放", [(1, 0, ["标题"], "标题"), (3, 0, ["序号", "姓名"], None)],
                              merges=["A1:F1"])
    editor.patch_cells("一次性补助名册", {5: {17: (Decimal("1200"), "金额")}})
    editor.save(target)
"""
from __future__ import annotations

import bisect
import os
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import BinaryIO
from xml.etree.ElementTree import Element

from ..cells import Line, range_text
from .reader import CellRange
from .render import (COLUMNS, MAX_COLUMNS, MAX_ROWS, Bounds, CellRenderer, TruncatedCell, ValueRefused,
                     parse_range, render_lines, row_height_attrs, with_layout, with_print_names)
from .zipsafe import (RESAVE_HINT, NotInWorkbook, PackageError, SafePackage, SheetEntry, parse_xml,
                      rels_part_for)
# Copying a member still deflated (save() calls these by their names here: tests wrap them to fail part-way).
from .zipsafe import add_deflated as _add_deflated, can_copy_deflated as _can_copy_deflated

__all__ = ["FormulaConflict", "NotInWorkbook", "PackageEditor", "PackageError", "TruncatedCell"]


# Parts larger than this (the big sheets) are deflated at level 1, which on
# sheet XML is several times faster than level 6 for a somewhat larger file
# (figures: benchmarks/io_bench.py); smaller parts keep zlib's default level.
FAST_DEFLATE_MIN_BYTES = 1 << 20
FAST_DEFLATE_LEVEL = 1
DEFAULT_DEFLATE_LEVEL = 6

_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_WORKSHEET_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_TABLE_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"
_MACRO_MAIN_CONTENT_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
_STRICT_MAIN_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
_AFTER_CALC_PR = tuple(name.encode() for name in (
    "oleSize customWorkbookViews pivotCaches smartTagPr smartTagTypes webPublishing fileRecoveryPr "
    "webPublishObjects extLst").split())
_CHUNK_BYTES = 8 << 20
_HEAD_LIMIT_BYTES = 64 << 20  # sheetPr, views and cols before <sheetData> are small
# The editor's worker thread (reads started by prefetch, deflates started by _set_sheet_part) must stay ONE
# thread: _RowsDeflater relies on its tasks running one at a time in the order submitted (its compress calls
# feed one zlib stream, and its _join, queued last, uses the futures queued before it). More threads would
# write a corrupt sheet, not a faster one.
_WORKER_THREADS = 1

# PackageError and NotInWorkbook (a lookup that failed, also raised by the reader) live in zipsafe.


class FormulaConflict(PackageError):
    """A patch would cut through a shared, array or data-table formula range."""


# ----------------------------------------------------------------------------------
# sheet XML at byte level
# ----------------------------------------------------------------------------------
_COLUMNS_B = [letters.encode("ascii") for letters in COLUMNS]
_COLUMN_OF_B = {letters: col for col, letters in enumerate(_COLUMNS_B)}
_SHEET_DATA_OPEN = re.compile(rb"<sheetData\b[^>]*?(/?)>")
_ROOT_TAG = re.compile(rb"<([A-Za-z_][\w.-]*:)?worksheet\b")
# A row start tag; r is captured directly when it comes first, as Excel writes it.
_ROW_START = re.compile(rb"<row\b(?:\s+r=\"(\d+)\")?([^>]*?)(/?)>")
_R_NUMBER = re.compile(rb"\sr\s*=\s*[\"'](\d+)[\"']")
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>.*?</c>)", re.S)
_CELL_KEYS = [b'<c r="' + letters for letters in _COLUMNS_B]
_ODD_CELL_OPENINGS = (b"<c>", b"<c/>", b"<c\t", b"<c\n", b"<c\r")
_CELL_COLUMN = re.compile(rb"\sr\s*=\s*[\"']([A-Z]+)\d*[\"']")
_S_ATTR = re.compile(rb"\ss\s*=\s*[\"'](\d+)[\"']")
_SPANS = re.compile(rb'\sspans="(\d+):(\d+)"')
_DIMENSION_REF = re.compile(rb'(<dimension\b[^>]*?\sref=")([^"]*)(")')
_FORMULA_WITH_RANGE = re.compile(rb"<f\b([^>]*\sref=\"[^\"]*\"[^>]*)>")
_REF_ATTR = re.compile(rb'\sref="([^"]*)"')
_T_ATTR = re.compile(rb'\st="([^"]*)"')
_TAG = re.compile(rb"<!--.*?-->|<\?.*?\?>|<(/?)([A-Za-z_][\w.:-]*)[^>]*?(/?)>", re.S)
# CT_Worksheet children that come after <mergeCells>; it is inserted before the first of them.
_AFTER_MERGE_CELLS = frozenset(name.encode() for name in (
    "phoneticPr conditionalFormatting dataValidations hyperlinks printOptions pageMargins pageSetup "
    "headerFooter rowBreaks colBreaks customProperties cellWatches ignoredErrors smartTags drawing "
    "legacyDrawing legacyDrawingHF drawingHF picture oleObjects controls webPublishItems tableParts "
    "extLst AlternateContent").split())


def _split_sheet(chunks: Iterable[bytes], part: str) -> Iterator[tuple[str, bytes]]:
    """Yield ("head", bytes before <sheetData>), ("rows", whole rows)..., ("tail", bytes after it)."""
    chunks = iter(chunks)
    buf = b""
    for chunk in chunks:
        if not buf:
            _check_default_namespace(chunk, part)  # zipsafe saw the root element within the first 64 KiB
        buf += chunk
        opening = _SHEET_DATA_OPEN.search(buf)
        if opening:
            break
        if len(buf) > _HEAD_LIMIT_BYTES:
            raise PackageError(f"“{part}”不是可识别的工作表（找不到 sheetData）。")
    else:
        raise PackageError(f"“{part}”不是可识别的工作表（找不到 sheetData）。")
    yield "head", buf[: opening.start()]
    buf = buf[opening.end():]
    if opening.group(1):  # <sheetData/>
        yield "tail", buf + b"".join(chunks)
        return
    while True:
        end = buf.find(b"</sheetData>")
        if end >= 0:
            if end:
                yield "rows", _checked_rows(buf[:end], part)
            yield "tail", buf[end + len(b"</sheetData>"):] + b"".join(chunks)
            return
        cut = buf.rfind(b"</row>")
        if cut >= 0:
            cut += len(b"</row>")
            yield "rows", _checked_rows(buf[:cut], part)
            buf = buf[cut:]
        more = next(chunks, None)
        if more is None:
            raise PackageError(f"“{part}”不完整（缺少 </sheetData>），文件可能已损坏。")
        buf += more


def _check_default_namespace(head: bytes, part: str) -> None:
    root = _ROOT_TAG.search(head)
    if root is None:
        raise PackageError(f"“{part}”不是普通工作表，无法写入。")
    if root.group(1):
        raise PackageError(f"“{part}”使用了少见的带前缀 XML 写法，{RESAVE_HINT}")


def _checked_rows(block: bytes, part: str) -> bytes:
    # Row scanning relies on "<" never appearing inside text; comments and CDATA
    # would break that and are never written by Excel or WPS.
    if b"<!" in block:
        raise PackageError(f"“{part}”的单元格数据中含有注释或 CDATA，{RESAVE_HINT}")
    return block


def _row_number(start: re.Match, previous: int) -> int:
    """Excel row number of a <row> start tag; a row without r follows the previous one."""
    if start.group(1):
        return int(start.group(1))
    explicit = _R_NUMBER.search(start.group(2))
    return int(explicit.group(1)) if explicit else previous + 1


def _column_of(letters: bytes, part: str) -> int:
    try:
        return _COLUMN_OF_B[letters]
    except KeyError:
        raise PackageError(f"“{part}”中有无效的单元格引用列“{letters.decode()}”。") from None


def _with_dimension(head: bytes, new_ref_for: Callable[[str], str | None]) -> bytes:
    """Set <dimension ref>, if the sheet has one, to new_ref_for(its current ref)."""
    found = _DIMENSION_REF.search(head)
    if found is None:
        return head
    new_ref = new_ref_for(found.group(2).decode())
    if new_ref is None or new_ref.encode() == found.group(2):
        return head
    return head[: found.start(2)] + new_ref.encode() + head[found.end(2):]


def _top_level_elements(tail: bytes) -> tuple[list[tuple[bytes, int, int]], int]:
    """(local name, start, end) of the worksheet children in `tail`, and where </worksheet> starts."""
    elements: list[tuple[bytes, int, int]] = []
    depth = 0
    start = 0
    for tag in _TAG.finditer(tail):
        closing, name, self_closing = tag.groups()
        if name is None:
            continue
        local = name.rsplit(b":", 1)[-1]
        if closing:
            depth -= 1
            if depth < 0:
                return elements, tag.start()
            if depth == 0:
                elements.append((local, start, tag.end()))
        else:
            if depth == 0:
                start = tag.start()
            if self_closing:
                if depth == 0:
                    elements.append((local, start, tag.end()))
            else:
                depth += 1
    raise PackageError("工作表 XML 不完整（缺少 </worksheet>）。")


def _with_merge_cells(tail: bytes, merges: Sequence[str]) -> bytes:
    elements, end = _top_level_elements(tail)
    for local, start, stop in elements:
        if local == b"mergeCells":
            tail = tail[:start] + tail[stop:]
            elements, end = _top_level_elements(tail)
            break
    if not merges:
        return tail
    at = next((start for local, start, _stop in elements if local in _AFTER_MERGE_CELLS), end)
    cells = "".join(f'<mergeCell ref="{ref}"/>' for ref in merges)
    block = f'<mergeCells count="{len(merges)}">{cells}</mergeCells>'.encode()
    return tail[:at] + block + tail[at:]


_SHEET_PR_START = re.compile(rb"<sheetPr\b[^>]*?/?>")
_FILTER_MODE = re.compile(rb"""\sfilterMode\s*=\s*(?:"[^"]*"|'[^']*')""")


def _without_filter_state(head: bytes, tail: bytes) -> tuple[bytes, bytes]:
    """An owned sheet's head and tail without the filter state of its old rows: <sheetPr filterMode> goes,
    a top-level <sortState> goes, and an <autoFilter> keeps its range (its buttons) but not the criteria and
    sort that would hide or reorder the new rows."""
    sheet_pr = _SHEET_PR_START.search(head)
    if sheet_pr and _FILTER_MODE.search(sheet_pr.group(0)):
        head = head[:sheet_pr.start()] + _FILTER_MODE.sub(b"", sheet_pr.group(0)) + head[sheet_pr.end():]
    elements, _end = _top_level_elements(tail)
    for local, start, stop in reversed(elements):
        if local == b"sortState":
            tail = tail[:start] + tail[stop:]
        elif local == b"autoFilter" and not tail[start:stop].endswith(b"/>"):
            opening = re.match(rb"<autoFilter\b[^>]*>", tail[start:stop]).group(0)
            tail = tail[:start] + opening[:-1].rstrip() + b"/>" + tail[stop:]
    return head, tail


def _normalised_merges(merges: Sequence[str | CellRange]) -> list[str]:
    result = []
    for merge in merges:
        text = str(merge)
        box = parse_range(text)
        if box[:2] == box[2:]:
            raise ValueError(f"合并区域“{text}”只有一个单元格。")
        result.append(range_text(*box))
    return result


# ----------------------------------------------------------------------------------
# patching a user sheet
# ----------------------------------------------------------------------------------
_Patch = Mapping[int, Mapping[int, tuple[object, str | None]]]  # row -> col -> (value, named style or None)


def _validated_patches(cells: _Patch) -> dict[int, Mapping[int, tuple[object, str | None]]]:
    """The non-empty rows of `cells`, after checking every row and column is inside Excel's grid."""
    patches = {row: cols for row, cols in cells.items() if cols}
    if patches:
        if not 1 <= min(patches) <= max(patches) <= MAX_ROWS:
            raise ValueError(f"行号超出 Excel 的范围（1-{MAX_ROWS}）。")
        if not 0 <= min(min(cols) for cols in patches.values()) <= max(
                max(cols) for cols in patches.values()) < MAX_COLUMNS:
            raise ValueError(f"列号超出 Excel 的范围（0-{MAX_COLUMNS - 1}）。")
    return patches


class _SheetPatcher:
    """Streams the rows of one sheet, rewriting only the patched cells."""

    def __init__(self, sheet: str, part: str, patches: _Patch, renderer: CellRenderer,
                 style_attr: Callable[[str], str | None]) -> None:
        self.sheet = sheet
        self.part = part
        self.patches = patches
        self.render = renderer.cell
        self.style_attr = style_attr
        self.pending = sorted(patches)
        self.next = 0  # index into pending of the first row not yet written
        self.last_row = 0

    def rows(self, block: bytes) -> bytes:
        self._check_formula_ranges(block)
        out: list[bytes] = []
        pos = 0
        pending, total = self.pending, len(self.pending)
        patch_row = self._patched_row_fast
        for start in _ROW_START.finditer(block):
            if self.next >= total:
                break
            digits = start.group(1)
            number = self.last_row = int(digits) if digits else _row_number(start, self.last_row)
            wanted = pending[self.next]
            if wanted > number:
                continue
            out.append(block[pos:start.start()])
            pos = start.start()
            if wanted < number:
                out.extend(self._new_rows_before(number))
            if self.next < total and pending[self.next] == number:
                pos = start.end() if start.group(3) else block.index(b"</row>", start.end()) + len(b"</row>")
                out.append(patch_row(block, start, pos, number))
                self.next += 1
        out.append(block[pos:])
        return b"".join(out)

    def remaining_rows(self) -> bytes:
        return b"".join(self._new_rows_before(MAX_ROWS + 1))

    def dimension_for(self, existing: str) -> str | None:
        """The sheet's <dimension> grown to hold every patched cell."""
        bounds = Bounds()
        first_col = min(min(cols) for cols in self.patches.values())
        last_col = max(max(cols) for cols in self.patches.values())
        bounds.add(self.pending[0], first_col, last_col)
        bounds.add(self.pending[-1], first_col, last_col)
        return bounds.union_text(existing)

    # --- rows ------------------------------------------------------------------------
    def _new_rows_before(self, number: int) -> Iterator[bytes]:
        while self.next < len(self.pending) and self.pending[self.next] < number:
            row = self.pending[self.next]
            self.next += 1
            cells = b"".join(self._cell(row, col, value, style, None)
                             for col, (value, style) in sorted(self.patches[row].items()))
            if cells:
                yield b'<row r="%d">' % row + cells + b"</row>"

    def _patched_row_fast(self, block: bytes, start: re.Match, end: int, number: int) -> bytes:
        """Find the patched cells by their reference `<c r="..."`, as Excel writes them.

        Works in place on `block` (the row is block[start.start():end]).  Falls
        back to the general walk over every cell when a patched cell is not found
        that way, unless it simply goes after the row's last cell.
        """
        if start.group(3):  # <row .../> has no cells yet
            return self._patched_row(start, b"", number)
        inner_end = end - len(b"</row>")
        suffix = str(number)
        key_suffix = suffix.encode() + b'"'
        cells = sorted(self.patches[number].items())
        pieces = [start.group(0)]
        pos = start.end()
        for index, (col, (value, style)) in enumerate(cells):
            at = block.find(_CELL_KEYS[col] + key_suffix, pos, inner_end)
            if at < 0:
                inner = block[start.end():inner_end]
                if not (_is_excel_layout(inner) and col > self._last_column(inner)):
                    return self._patched_row(start, inner, number)
                pieces[0] = self._widened_spans(start.group(0), number)
                pieces.append(block[pos:inner_end])
                pieces.extend(self._cell(number, c, v, st, None) for c, (v, st) in cells[index:])
                pieces.append(b"</row>")
                return b"".join(pieces)
            tag_end = block.index(b">", at)
            cell_end = tag_end + 1 if block[tag_end - 1] == 0x2F else block.index(b"</c>", tag_end) + len(b"</c>")
            style_at = block.find(b' s="', at, tag_end)  # find() beats a regex on a large block
            existing = block[style_at + 4:block.index(b'"', style_at + 4)] if style_at >= 0 else None
            pieces.append(block[pos:at])
            pieces.append(self.render(COLUMNS[col] + suffix, value, self._style(style, existing)).encode("utf-8"))
            pos = cell_end
        pieces.append(block[pos:end])
        return b"".join(pieces)

    def _patched_row(self, start: re.Match, inner: bytes, number: int) -> bytes:
        """General case: walk every cell of the row `inner` (references may be implicit)."""
        start_tag = start.group(0)[:-2] + b">" if start.group(3) else start.group(0)
        todo = sorted(self.patches[number].items())
        pieces: list[bytes] = []
        k = pos = 0
        col = -1
        for cell in _CELL.finditer(inner):
            attrs = cell.group(1)
            named = _CELL_COLUMN.search(attrs)
            col = _column_of(named.group(1), self.part) if named else col + 1
            while k < len(todo) and todo[k][0] < col:  # a missing cell goes before this one
                pieces.append(inner[pos:cell.start()])
                pos = cell.start()
                pieces.append(self._cell(number, todo[k][0], *todo[k][1], None))
                k += 1
            if k < len(todo) and todo[k][0] == col:
                pieces.append(inner[pos:cell.start()])
                existing = _S_ATTR.search(attrs)
                pieces.append(self._cell(number, col, *todo[k][1], existing.group(1) if existing else None))
                pos = cell.end()
                k += 1
        pieces.append(inner[pos:])
        pieces.extend(self._cell(number, c, value, style, None) for c, (value, style) in todo[k:])
        return self._widened_spans(start_tag, number) + b"".join(pieces) + b"</row>"

    def _widened_spans(self, start_tag: bytes, number: int) -> bytes:
        """A row's spans hint (optional, "first:last" column) must cover cells we added."""
        spans = _SPANS.search(start_tag)
        if spans is None:
            return start_tag
        cols = self.patches[number]
        low, high = int(spans.group(1)), int(spans.group(2))
        new_low, new_high = min(low, min(cols) + 1), max(high, max(cols) + 1)
        if (new_low, new_high) == (low, high):
            return start_tag
        return start_tag[: spans.start()] + b' spans="%d:%d"' % (new_low, new_high) + start_tag[spans.end():]

    def _last_column(self, inner: bytes) -> int:
        at = inner.rfind(b'<c r="')
        if at < 0:
            return -1
        start = end = at + len(b'<c r="')
        while end < len(inner) and 0x41 <= inner[end] <= 0x5A:
            end += 1
        return _column_of(inner[start:end], self.part)

    def _cell(self, number: int, col: int, value: object, style: str | None, existing: bytes | None) -> bytes:
        return self.render(COLUMNS[col] + str(number), value, self._style(style, existing)).encode("utf-8")

    def _style(self, style: str | None, existing: bytes | None) -> str:
        """The s attribute of a patched cell: the named style if known, else the cell's own (`existing`)."""
        attr = None if style is None else self.style_attr(style)
        if attr is None and existing:
            return ' s="%s"' % existing.decode()
        return attr or ""

    # --- formulas --------------------------------------------------------------------
    def _check_formula_ranges(self, block: bytes) -> None:
        """Refuse to cut through a shared/array/data-table formula: its other cells would break."""
        for formula in _FORMULA_WITH_RANGE.finditer(block):
            attrs = formula.group(1)
            ref = _REF_ATTR.search(attrs).group(1).decode()
            kind_attr = _T_ATTR.search(attrs)
            kind = kind_attr.group(1) if kind_attr else b"normal"
            try:
                top, left, bottom, right = parse_range(ref)
            except ValueError:
                continue
            touched, whole = self._coverage(top, left, bottom, right)
            master_patched = left in self.patches.get(top, ())
            if (master_patched if kind == b"shared" else touched) and not whole:
                raise FormulaConflict(
                    f"工作表“{self.sheet}”的 {ref} 是一组{_FORMULA_KIND.get(kind, '')}公式，"
                    f"本次只改写其中一部分单元格，会破坏其余单元格的公式。"
                    f"请先把 {ref} 中的公式改成数值或删除后再刷新。")

    def _coverage(self, top: int, left: int, bottom: int, right: int) -> tuple[bool, bool]:
        """(any cell of the range is patched, every cell of it is)."""
        first = bisect.bisect_left(self.pending, top)
        last = bisect.bisect_right(self.pending, bottom)
        if first == last:
            return False, False
        wanted = range(left, right + 1)
        touched = False
        whole = last - first == bottom - top + 1
        for row in self.pending[first:last]:
            cols = self.patches[row]
            hits = sum(1 for col in wanted if col in cols)
            touched = touched or hits > 0
            whole = whole and hits == len(wanted)
        return touched, whole


_FORMULA_KIND = {b"shared": "共享", b"array": "数组", b"dataTable": "模拟运算表"}


def _is_excel_layout(row: bytes) -> bool:
    """Every cell of the row starts exactly `<c r="` (Excel, WPS, LibreOffice, openpyxl all do)."""
    return row.count(b"<c ") == row.count(b'<c r="') and not any(odd in row for odd in _ODD_CELL_OPENINGS)


# ----------------------------------------------------------------------------------
# small parts
# ----------------------------------------------------------------------------------
_RELATIONSHIP = re.compile(rb"<Relationship\b[^>]*?/>")
_OVERRIDE = re.compile(rb"<Override\b[^>]*?/>")
_SHEET_ELEMENT = re.compile(rb"<sheet\b[^>]*?(?:/>|>.*?</sheet>)", re.S)
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_CALC_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>\s*</c>)")
_I_ATTR = re.compile(rb'\si="(\d+)"')
_CALC_REF = re.compile(rb'\sr="([A-Z]+\d+)"')


def _attribute(tag: bytes, name: bytes) -> bytes | None:
    found = re.search(rb"\s" + name + rb'="([^"]*)"', tag)
    return found.group(1) if found else None


def _set_attribute(tag: bytes, name: bytes, value: bytes) -> bytes:
    found = re.search(rb"(\s" + name + rb'=")([^"]*)(")', tag)
    if found:
        return tag[: found.start(2)] + value + tag[found.end(2):]
    close = len(tag) - (2 if tag.endswith(b"/>") else 1)
    return tag[:close] + b" " + name + b'="' + value + b'"' + tag[close:]


def _xml_attr(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def _filtered_calc_chain(data: bytes, drops: Mapping[int, set[str] | None]) -> tuple[bytes | None, int]:
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


class _StyleBook:
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


# ----------------------------------------------------------------------------------
# the editor
# ----------------------------------------------------------------------------------
class PackageEditor:
    """Edit the parts of one workbook that the tool owns; see the module docstring."""

    def __init__(self, source: str | os.PathLike[str] | SafePackage) -> None:
        """Open the workbook at a path, or edit a SafePackage already read (e.g. ``BookData.package``):
        then the bytes the caller read are the bytes edited, and the file is not read a second time.
        The package itself is never changed."""
        self._package = source if isinstance(source, SafePackage) else SafePackage(source)
        self._order = self._package.names
        self._changed: dict[str, _Rewritten] = {}  # parts rewritten

        self._removed: set[str] = set()
        self._workbook = self._package.main_part
        _refuse_strict(self._package)
        self._entries = self._package.sheets()
        self._workbook_rels = {  # the one-per-workbook parts we need: styles and calcChain
            rel_type.rsplit("/", 1)[-1]: (rel_id, target)
            for rel_id, rel_type, target in self._package.relationships(self._workbook)
            if rel_type.endswith(("/styles", "/calcChain"))}
        self.date1904 = self._read_date1904()
        styles = self._workbook_rels.get("styles", ("", ""))[1]
        self._styles = _StyleBook(self._package.xml(styles) if styles in self._package else None)
        self._calc_drops: dict[int, set[str] | None] = {}
        self._frames: dict[str, Future] = {}  # part -> its _frame being read on the worker (see prefetch)
        self._worker: ThreadPoolExecutor | None = None

    # --- queries ---------------------------------------------------------------------
    @property
    def sheet_names(self) -> list[str]:
        """Worksheet names in tab order (chart sheets are left out)."""
        return [entry.name for entry in self._entries if entry.kind == "worksheet"]

    def has_table(self, table_name: str) -> bool:
        """Whether the workbook has an Excel table of that name or display name."""
        try:
            self._table(table_name)
        except NotInWorkbook:
            return False
        return True

    @property
    def macro_enabled(self) -> bool:
        """Whether the workbook is a macro-enabled one (.xlsm): its main part has the macro content type."""
        return _content_type(self._current("[Content_Types].xml"), self._workbook) == _MACRO_MAIN_CONTENT_TYPE

    def check_output_name(self, target: str | os.PathLike[str]) -> None:
        """Refuse (PackageError) to write this workbook under a name whose extension does not say what it is:
        Excel will not open a macro-enabled workbook named .xlsx, nor a macro-free one named .xlsm."""
        suffix = os.path.splitext(os.fspath(target))[1].lower()
        wanted = ".xlsm" if self.macro_enabled else ".xlsx"
        if suffix != wanted:
            kind = "含宏的工作簿（.xlsm）" if self.macro_enabled else "不含宏的工作簿（.xlsx）"
            raise PackageError(f"原工作簿是{kind}，输出文件“{os.path.basename(target)}”的扩展名须为 {wanted}，"
                               f"否则 Excel 无法打开。请改用以 {wanted} 结尾的文件名。未生成任何文件。")

    def recalculate_on_open(self) -> None:
        """Ask Excel, WPS and LibreOffice to recalculate every formula when the workbook is next opened
        (``<calcPr fullCalcOnLoad="1">`` in workbook.xml), so that the staff's own formulas that read a
        rewritten sheet do not show the figures cached before."""
        data = self._current(self._workbook)
        calc_pr = re.search(rb"<(?:[\w.-]+:)?calcPr\b[^>]*?/?>", data)
        if calc_pr:
            tag = _set_attribute(calc_pr.group(0), b"fullCalcOnLoad", b"1")
            if tag != calc_pr.group(0):
                self._set_part(self._workbook, data[:calc_pr.start()] + tag + data[calc_pr.end():])
            return
        root = re.search(rb"<([\w.-]+:)?workbook\b[^>]*>", data)
        if root is None:
            raise _damaged(self._workbook)
        prefix = root.group(1) or b""
        end = data.rfind(b"</" + prefix + b"workbook>")
        if end < 0:
            raise _damaged(self._workbook)
        # CT_Workbook: calcPr comes after definedNames and before these (schema order).
        later = re.compile(rb"<" + re.escape(prefix) + rb"(?:" + b"|".join(_AFTER_CALC_PR) + rb")\b")
        found = later.search(data, root.end(), end)
        at = found.start() if found else end
        self._set_part(self._workbook, data[:at] + b"<" + prefix + b'calcPr fullCalcOnLoad="1"/>' + data[at:])

    def style_id(self, style_name: str) -> int:
        """cellXfs index applying the named cell style `style_name` unchanged; 0 if there is none."""
        index = self._styles.index(style_name)
        return 0 if index is None else index

    # --- sheets ----------------------------------------------------------------------
    def replace_sheet_data(self, sheet: str, lines: Iterable[Line], merges: Sequence[str | CellRange] = (),
                           style_names: Mapping[str, str] | None = None, layout=None) -> list[TruncatedCell]:
        """Replace every row of an owned sheet, and its merged ranges, by `lines` and `merges`.

        With a ``layout`` (tables.layout.Layout) the sheet's columns, row heights and page setup (print
        titles and area in workbook.xml) become the layout's (io/render.py writes them); without one they
        are kept as described below.

        lines: (Excel row number, first 0-based column, values, styles) in
        ascending row order (cells.Line): ``styles`` is one named style (or
        None) for all the values or one per value; a None value is no cell
        (an empty styled cell where it has a style).  With `style_names` (e.g.
        schema.STYLES) a style is a key of that mapping rather than the name
        itself.  Rows are written without the attributes the old rows
        had (hidden or filtered away, outline level, height): they belonged to
        what used to be at that row number; an autoFilter keeps its range (its
        buttons) but loses its criteria and sort (the sheet's filterMode goes
        too).  Otherwise
        everything outside <sheetData> and <mergeCells> (views, widths,
        validations, conditional formats, drawings, page setup ...) is kept
        byte for byte; <dimension> is updated.  Returns the cells whose text
        had to be truncated.
        """
        entry = self._worksheet(sheet)
        merge_refs = _normalised_merges(merges)
        renderer = CellRenderer(sheet, self.date1904)
        framing = self._frames.pop(entry.part, None)
        head, tail = framing.result() if framing else self._frame(entry.part)
        old_attrs: dict[int, str] = {}  # no stale row state by number (issue 13): a new row is a plain row
        style_attr = self._cached_style_attr(style_names)
        if layout is not None:
            head, tail = with_layout(head, tail, layout.widths, layout.page, layout.default_height)
            lines = lines if isinstance(lines, list) else list(lines)
            old_attrs = row_height_attrs(layout.row_heights(lines))
            index = [e.name for e in self._entries].index(entry.name)
            self._set_part(self._workbook, with_print_names(
                self._current(self._workbook), index, entry.name, layout.page.title_rows, layout.page.print_area))
        deflater = _RowsDeflater(self._background)
        body, bounds = render_lines(lines, renderer, old_attrs, lambda style: style_attr(style) or "", deflater.add)
        dimension = bounds.union_text(None) or "A1"
        head, tail = _without_filter_state(head, tail)
        head = _with_dimension(head, lambda _old: dimension) + b"<sheetData>"
        tail = b"</sheetData>" + _with_merge_cells(tail, merge_refs)
        pieces = [head, *body, tail]
        self._set_sheet_part(entry.part, pieces, deflater.finish(pieces))
        self._calc_drops[entry.sheet_id] = None
        return renderer.truncated

    def prefetch(self, sheets: Iterable[str]) -> None:
        """Start reading what replace_sheet_data keeps of these sheets (all but their rows) on another
        thread, so that inflating a big sheet overlaps the caller's work; call before changing them."""
        for sheet in sheets:
            if sheet in self.sheet_names:
                part = self._worksheet(sheet).part
                if part not in self._frames:
                    self._frames[part] = self._background().submit(self._frame, part)

    def _frame(self, part: str) -> tuple[bytes, bytes]:
        """A sheet's XML before and after <sheetData> (its rows are not kept, nor anything of them)."""
        head = tail = b""
        try:
            for kind, data in _split_sheet(self._chunks(part), part):
                if kind == "head":
                    head = data
                elif kind == "tail":
                    tail = data
        except ValueError as exc:  # a byte scan met XML that is not what Excel writes (bytes.index, int ...)
            raise _damaged(part) from exc
        return head, tail

    def patch_cells(self, sheet: str, cells: Mapping[int, Mapping[int, tuple[object, str | None]]],
                    style_names: Mapping[str, str] | None = None) -> list[TruncatedCell]:
        """Set the given cells of a (possibly huge, user-owned) sheet; keep everything else byte for byte.

        cells: {Excel row number: {0-based column: (value, named style or None)}};
        with `style_names` a style is a key of that mapping, as in replace_sheet_data.
        A patched cell keeps its existing style unless a known style name is
        given, and loses its formula; missing rows and cells are created in
        order; <dimension> grows if needed.  Raises FormulaConflict instead of
        cutting through a shared/array formula range.  Returns the cells whose
        text had to be truncated.
        """
        entry = self._worksheet(sheet)
        patches = _validated_patches(cells)
        if not patches:
            return []
        renderer = CellRenderer(sheet, self.date1904)
        patcher = _SheetPatcher(sheet, entry.part, patches, renderer, self._cached_style_attr(style_names))
        head = tail = b""
        body: list[bytes] = []
        try:
            for kind, data in _split_sheet(self._chunks(entry.part), entry.part):
                if kind == "head":
                    head = data
                elif kind == "rows":
                    body.append(patcher.rows(data))
                else:
                    tail = data
        except ValueRefused:
            raise
        except ValueError as exc:  # a byte scan met XML that is not what Excel writes (bytes.index, int ...)
            raise _damaged(entry.part, sheet) from exc
        body.append(patcher.remaining_rows())
        self._set_sheet_part(entry.part, [
            _with_dimension(head, patcher.dimension_for), b"<sheetData>", *body, b"</sheetData>", tail])
        dropped = self._calc_drops.setdefault(entry.sheet_id, set())
        if dropped is not None and self._has_calc_chain():
            dropped.update(f"{COLUMNS[col]}{row}" for row, cols in patches.items() for col in cols)
        return renderer.truncated

    def insert_rows(self, sheet: str, before: int, count: int) -> None:
        """Insert ``count`` empty rows above Excel row ``before`` of ``sheet`` (see io/insert_rows.py), its
        Excel tables moved or grown with them; call it before any other change to that sheet."""
        from .insert_rows import insert_rows, shift_range

        entry = self._worksheet(sheet)
        self._set_part(entry.part, insert_rows(self._current(entry.part), before, count))
        self._calc_drops[entry.sheet_id] = None  # the sheet's cells moved: Excel rebuilds its calcChain entries
        for _id, kind, target in self._package.relationships(entry.part):
            if kind.endswith("/table") and target in self._order and target not in self._removed:
                table = parse_xml(self._current(target), target)
                top, left, bottom, right = parse_range(table.get("ref", ""))
                new_top, new_bottom = shift_range(top, bottom, before, count)
                if (new_top, new_bottom) != (top, bottom):
                    self.set_table_ref(table.get("name", ""), range_text(new_top, left, new_bottom, right))

    def table_ref(self, table_name: str) -> str:
        """The range `table_name` (name or display name) covers now, e.g. "A1:U86"."""
        return self._table(table_name)[1].get("ref", "")

    def set_table_ref(self, table_name: str, ref: str) -> None:
        """Point the Excel table `table_name` (name or display name) at `ref`, e.g. "A3:F120".

        The width must stay the same (the table's columns are not managed here);
        the header cells in the sheet must match the table's column names.
        """
        part, table = self._table(table_name)
        top, left, bottom, right = parse_range(ref)
        try:
            header_rows = int(table.get("headerRowCount", "1"))
            totals_rows = int(table.get("totalsRowCount", "0"))
        except ValueError as exc:
            raise _damaged(part) from exc
        columns = [child for child in table.iter() if child.tag.endswith("}tableColumn")]
        if right - left + 1 != len(columns):
            raise ValueError(f"表格“{table_name}”有 {len(columns)} 列，区域“{ref}”的列数不同。")
        if bottom - top + 1 < header_rows + totals_rows + 1:
            raise ValueError(f"表格“{table_name}”的区域“{ref}”至少要有一行数据。")
        data = self._current(part)
        root = re.search(rb"<table\b[^>]*>", data)
        if root is None:
            raise PackageError(f"表格部件“{part}”无法识别。")
        data = data[: root.start()] + _set_attribute(root.group(0), b"ref", range_text(
            top, left, bottom, right).encode()) + data[root.end():]
        data = self._with_child_ref(data, b"autoFilter", range_text(top, left, bottom - totals_rows, right))
        sort_state = re.search(rb"<sortState\b[^>]*>", data)
        if sort_state and (sort_ref := _attribute(sort_state.group(0), b"ref")):
            try:
                _t, sort_left, _b, sort_right = parse_range(sort_ref.decode())
            except ValueError:
                sort_left, sort_right = left, right
            body = range_text(top + header_rows, sort_left, bottom - totals_rows, sort_right)
            data = self._with_child_ref(data, b"sortState", body)
        self._set_part(part, data)

    def add_sheet(self, name: str, after: str | None = None) -> None:
        """Add an empty worksheet (for workbooks made from an older template).

        Placed after the sheet `after`, or last.  Only workbook.xml, its rels and
        [Content_Types].xml change; sheet-index references in workbook.xml
        (defined names' localSheetId, the active and first visible tab) follow
        the sheets they pointed at.
        """
        self._check_new_sheet_name(name)
        position = len(self._entries)
        if after is not None:
            position = [entry.name for entry in self._entries].index(self._worksheet(after).name) + 1
        part = self._new_sheet_part()
        rel_id = self._new_rel_id()
        sheet_id = max((entry.sheet_id for entry in self._entries), default=0) + 1
        self._insert_sheet_element(name, sheet_id, rel_id, position)
        rels_part = rels_part_for(self._workbook)
        target = posixpath.relpath(part, posixpath.dirname(self._workbook))
        relationship = (f'<Relationship Id="{rel_id}" Type="{_REL_NS}/worksheet" Target="{target}"/>').encode()
        self._set_part(rels_part, _insert_before(self._current(rels_part), b"</Relationships>", relationship))
        override = f'<Override PartName="/{part}" ContentType="{_WORKSHEET_CONTENT_TYPE}"/>'.encode()
        self._set_part("[Content_Types].xml", _insert_before(
            self._current("[Content_Types].xml"), b"</Types>", override))
        self._set_part(part, (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}"><dimension ref="A1"/>'
            '<sheetViews><sheetView workbookViewId="0"/></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
            '<sheetData/><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
            "</worksheet>").encode())
        self._order.append(part)
        self._entries.insert(position, SheetEntry(name, sheet_id, rel_id, part, "worksheet", "visible"))

    # --- saving ----------------------------------------------------------------------
    def save(self, dst: str | os.PathLike[str] | BinaryIO) -> None:
        """Write the edited package to `dst` (a path or a seekable binary file).

        Parts in the original order, new ones last; unchanged parts with their
        original uncompressed bytes, date and attributes (a deflated one is
        copied as it is stored, not inflated and deflated again).  To replace
        the workbook itself, call this from safe_save.safe_replace.
        """
        self._apply_calc_chain_drops()
        stamp = self._package.info(self._workbook).date_time
        try:
            self._write(dst, stamp)
        finally:
            self._stop_worker()

    def _write(self, dst: str | os.PathLike[str] | BinaryIO, stamp: tuple[int, ...]) -> None:
        with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as out:
            for name in self._order:
                if name in self._removed:
                    continue
                if name not in self._changed and _can_copy_deflated(self._package.info(name), out):
                    _add_deflated(out, self._package.info(name), self._package.compressed(name))
                    continue
                info = zipfile.ZipInfo(name, date_time=stamp)
                if name in self._package:
                    original = self._package.info(name)
                    info.date_time = original.date_time
                    info.create_system = original.create_system
                    info.external_attr = original.external_attr
                info.compress_type = zipfile.ZIP_DEFLATED
                changed = self._changed.get(name)
                if changed is not None and changed.deflating is not None:
                    # deflated on the other thread while the next sheets were made
                    deflated, info.CRC = changed.deflating.result()
                    info.file_size, info.compress_size = changed.size, len(deflated)
                    if _can_copy_deflated(info, out):
                        _add_deflated(out, info, deflated)
                        continue
                data = changed.data() if changed is not None else self._package.read(name)
                level = FAST_DEFLATE_LEVEL if len(data) >= FAST_DEFLATE_MIN_BYTES else DEFAULT_DEFLATE_LEVEL
                out.writestr(info, data, compresslevel=level)

    # --- internals -------------------------------------------------------------------
    def _set_part(self, part: str, data: bytes) -> None:
        """Store a rewritten part other than a sheet's rows (workbook.xml, rels, a table, a new sheet ...)."""
        self._changed[part] = _Rewritten([data])

    def _set_sheet_part(self, part: str, pieces: list[bytes],
                        deflating: Future[tuple[bytes, int]] | None = None) -> None:
        """Store a rewritten sheet, given as the pieces it is made of; a big one starts deflating on
        another thread at once (unless it already is: ``deflating`` gives its deflated bytes and CRC).

        zlib lets other threads run while it deflates, so a 100,000-row sheet is compressed on
        the second core while the next sheet is rendered, instead of all of them in save().
        """
        rewritten = _Rewritten(pieces, deflating)
        if deflating is None and rewritten.size >= FAST_DEFLATE_MIN_BYTES:
            rewritten.deflating = self._background().submit(_deflate, pieces, FAST_DEFLATE_LEVEL)
        self._changed[part] = rewritten
        self._frames.pop(part, None)

    def _background(self) -> ThreadPoolExecutor:
        if self._worker is None:
            # _WORKER_THREADS is 1, and must stay so: _RowsDeflater needs its tasks run in order, one at a time.
            self._worker = ThreadPoolExecutor(max_workers=_WORKER_THREADS, thread_name_prefix="package")
        return self._worker

    def _stop_worker(self) -> None:
        if self._worker is not None:
            self._worker.shutdown(wait=True, cancel_futures=True)
            self._worker = None
        self._frames.clear()
        for changed in self._changed.values():  # a later save deflates these parts itself
            changed.deflating = None

    def _worksheet(self, name: str) -> SheetEntry:
        for entry in self._entries:
            if entry.name == name:
                if entry.kind != "worksheet" or entry.part not in self._order:
                    raise PackageError(f"“{name}”不是普通工作表，无法写入。")
                return entry
        raise NotInWorkbook(f"工作簿中没有名为“{name}”的工作表。")

    def _current(self, part: str) -> bytes:
        return self._changed[part].data() if part in self._changed else self._package.read(part)

    def _chunks(self, part: str) -> Iterable[bytes]:
        if part in self._changed:
            return self._changed[part].pieces
        return self._package.iter_chunks(part, _CHUNK_BYTES)

    def _read_date1904(self) -> bool:
        for element in self._package.xml(self._workbook).iter():
            if element.tag.endswith("}workbookPr"):
                return element.get("date1904", "0").lower() in ("1", "true")
        return False

    def _style_attr(self, style: str | None) -> str | None:
        """' s="N"' for a known named style; None (keep / no style) for None or an unknown name."""
        index = None if style is None else self._styles.index(style)
        return None if index is None else f' s="{index}"'

    def _cached_style_attr(self, style_names: Mapping[str, str] | None = None) -> Callable[[str], str | None]:
        cache: dict[str, str | None] = {}

        def style_attr(style: str | None) -> str | None:
            if style not in cache:
                named = style_names[style] if style_names is not None and style is not None else style
                cache[style] = self._style_attr(named)
            return cache[style]
        return style_attr

    def _has_calc_chain(self) -> bool:
        part = self._workbook_rels.get("calcChain", ("", ""))[1]
        return part in self._order and part not in self._removed

    def _table(self, table_name: str) -> tuple[str, Element]:
        types = self._current("[Content_Types].xml")
        for override in _OVERRIDE.finditer(types):
            tag = override.group(0)
            if _attribute(tag, b"ContentType") != _TABLE_CONTENT_TYPE.encode():
                continue
            part = (_attribute(tag, b"PartName") or b"").decode().lstrip("/")
            if part not in self._order or part in self._removed:
                continue
            table = parse_xml(self._current(part), part)
            if table_name in (table.get("name"), table.get("displayName")):
                return part, table
        raise NotInWorkbook(f"工作簿中没有名为“{table_name}”的表格。")

    @staticmethod
    def _with_child_ref(data: bytes, element: bytes, ref: str) -> bytes:
        found = re.search(rb"<" + element + rb"\b[^>]*>", data)
        if found is None:
            return data
        return data[: found.start()] + _set_attribute(found.group(0), b"ref", ref.encode()) + data[found.end():]

    def _check_new_sheet_name(self, name: str) -> None:
        if not 1 <= len(name) <= 31 or _SHEET_NAME_FORBIDDEN.search(name) or name[0] == "'" or name[-1] == "'":
            raise ValueError(f"工作表名“{name}”无效：须为 1-31 个字符，不含 []:*?/\\，且首尾不能是单引号。")
        if name.casefold() in {entry.name.casefold() for entry in self._entries} or name.casefold() == "history":
            raise ValueError(f"工作表名“{name}”已存在或被 Excel 保留。")

    def _new_sheet_part(self) -> str:
        folder = _worksheet_folder(self._entries, self._workbook)
        number = 1
        while f"{folder}/sheet{number}.xml" in self._order:
            number += 1
        return f"{folder}/sheet{number}.xml"

    def _new_rel_id(self) -> str:
        used = set(re.findall(rb'\sId="([^"]*)"', self._current(rels_part_for(self._workbook))))
        number = len(used) + 1
        while b"rId%d" % number in used:
            number += 1
        return f"rId{number}"

    def _insert_sheet_element(self, name: str, sheet_id: int, rel_id: str, position: int) -> None:
        data = self._current(self._workbook)
        root = re.search(rb"<(?:[\w.-]+:)?workbook\b[^>]*>", data)
        # Only a declaration on the root is in scope for the new element (openpyxl declares it per <sheet>).
        prefix = re.search(rb'xmlns:([\w.-]+)="' + _REL_NS.encode() + rb'"', root.group(0)) if root else None
        r_attr = f"{prefix.group(1).decode()}:id" if prefix else f'xmlns:r="{_REL_NS}" r:id'
        element = f'<sheet name="{_xml_attr(name)}" sheetId="{sheet_id}" {r_attr}="{rel_id}"/>'.encode()
        try:
            sheets_start, sheets_end = data.index(b"<sheets"), data.index(b"</sheets>")
        except ValueError as exc:
            raise _damaged(self._workbook) from exc
        existing = list(_SHEET_ELEMENT.finditer(data, sheets_start, sheets_end))
        at = existing[position].start() if position < len(existing) else sheets_end
        data = data[:at] + element + data[at:]
        if position < len(existing):
            data = _shift_sheet_indexes(data, position)
        self._set_part(self._workbook, data)

    def _apply_calc_chain_drops(self) -> None:
        if not self._calc_drops or not self._has_calc_chain():
            return
        rel_id, part = self._workbook_rels["calcChain"]
        filtered, kept = _filtered_calc_chain(self._current(part), self._calc_drops)
        self._calc_drops = {}
        if filtered is None:
            return
        if kept:
            self._set_part(part, filtered)
            return
        # A calcChain must list at least one cell, so an emptied one goes with its
        # relationship and content type; Excel rebuilds it on the next calculation.
        self._removed.add(part)
        rels_part = rels_part_for(self._workbook)
        self._set_part(rels_part, _without_matching(
            self._current(rels_part), _RELATIONSHIP, b"Id", rel_id.encode()))
        self._set_part("[Content_Types].xml", _without_matching(
            self._current("[Content_Types].xml"), _OVERRIDE, b"PartName", b"/" + part.encode()))


class _Rewritten:
    """A part as the editor rewrote it: the pieces it is made of, in order, and for a big sheet its deflate
    started on the worker thread (bytes and CRC), which save() writes instead of deflating the pieces.

    A big sheet's pieces are never joined into one bytes object unless asked: a 100 MB bytes object costs
    more in fresh pages than its copying does.
    """

    __slots__ = ("pieces", "size", "deflating")

    def __init__(self, pieces: list[bytes], deflating: Future[tuple[bytes, int]] | None = None) -> None:
        self.pieces = pieces
        self.size = sum(map(len, pieces))
        self.deflating = deflating

    def data(self) -> bytes:
        """The part's bytes (a part of one piece is that piece, not a copy)."""
        return b"".join(self.pieces)


def _refuse_strict(package: SafePackage) -> None:
    """The writer speaks the transitional dialect of OOXML (what Excel saves by default); a Strict Open XML
    workbook would get sheets and relationships in the other dialect, so it is refused before any work."""
    if package.xml(package.main_part).tag.startswith("{" + _STRICT_MAIN_NS + "}"):
        raise PackageError(f"工作簿“{os.path.basename(package.path)}”是“Strict Open XML 电子表格”格式，本工具无法写入。"
                           f"请在 Excel 中“另存为”“Excel 工作簿(*.xlsx)”后再试。未作任何修改。")


def _content_type(types: bytes, part: str) -> str | None:
    """The content type [Content_Types].xml gives the part (its Override; Defaults are by extension)."""
    for override in _OVERRIDE.finditer(types):
        if (_attribute(override.group(0), b"PartName") or b"").decode().lstrip("/") == part:
            return (_attribute(override.group(0), b"ContentType") or b"").decode()
    return None


def _damaged(part: str, sheet: str | None = None) -> PackageError:
    where = f"“{part}”（工作表“{sheet}”）" if sheet else f"“{part}”"
    return PackageError(f"{where}已损坏，无法写入。{RESAVE_HINT}")


class _RowsDeflater:
    """Deflates a big sheet's rows on the worker thread while the next rows are still being rendered.

    The sheet is head + rows + tail, and the head (its <dimension>) is known only once every row is,
    so the rows are deflated as one segment and head and tail as two more. Each segment but the last
    ends with a sync flush (byte-aligned, not final), which makes the three, one after the other, a
    single valid deflate stream (as pigz writes them). A sheet that stays under
    FAST_DEFLATE_MIN_BYTES is left to save(), at the default level.
    """

    def __init__(self, worker: Callable[[], ThreadPoolExecutor]) -> None:
        assert _WORKER_THREADS == 1, "the rows' compress calls and _join must run in order, on one thread"
        self._worker = worker
        self._pending: list[bytes] = []  # blocks not yet handed to the worker
        self._size = 0
        self._rows: zlib._Compress | None = None  # the rows' compressor, used on the worker only
        self._parts: list[Future[bytes]] = []

    def add(self, block: bytes) -> None:
        self._pending.append(block)
        self._size += len(block)
        if self._size >= FAST_DEFLATE_MIN_BYTES:
            if self._rows is None:
                self._rows = zlib.compressobj(FAST_DEFLATE_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
            self._parts += [self._worker().submit(self._rows.compress, pending) for pending in self._pending]
            self._pending = []

    def finish(self, pieces: list[bytes]) -> Future[tuple[bytes, int]] | None:
        """The deflated bytes and CRC of the sheet, given as [head, the blocks added ..., tail]; None when
        it is small."""
        if self._rows is None:
            return None
        self.add(b"")  # the blocks still pending go to the worker
        return self._worker().submit(self._join, pieces)

    def _join(self, pieces: list[bytes]) -> tuple[bytes, int]:
        first = zlib.compressobj(FAST_DEFLATE_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
        last = zlib.compressobj(FAST_DEFLATE_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
        rows = b"".join(part.result() for part in self._parts) + self._rows.flush(zlib.Z_SYNC_FLUSH)
        deflated = (first.compress(pieces[0]) + first.flush(zlib.Z_SYNC_FLUSH) + rows
                    + last.compress(pieces[-1]) + last.flush())
        return deflated, _crc(pieces)


def _deflate(pieces: list[bytes], level: int) -> tuple[bytes, int]:
    """Raw deflate stream and CRC-32 of the pieces one after the other, as a zip member holds them."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    deflated = b"".join([compressor.compress(piece) for piece in pieces])
    return deflated + compressor.flush(), _crc(pieces)


def _crc(pieces: list[bytes]) -> int:
    crc = 0
    for piece in pieces:
        crc = zlib.crc32(piece, crc)
    return crc


def _worksheet_folder(entries: Sequence[SheetEntry], workbook: str) -> str:
    """Folder for new worksheet parts: where the existing ones live, else beside workbook.xml."""
    for entry in entries:
        if entry.kind == "worksheet" and "/" in entry.part:
            return entry.part.rsplit("/", 1)[0]
    base = workbook.rsplit("/", 1)[0] if "/" in workbook else ""
    return f"{base}/worksheets" if base else "worksheets"


def _insert_before(data: bytes, marker: bytes, insertion: bytes) -> bytes:
    at = data.rindex(marker)
    return data[:at] + insertion + data[at:]


def _without_matching(data: bytes, element: re.Pattern[bytes], attr: bytes, value: bytes) -> bytes:
    for found in element.finditer(data):
        if _attribute(found.group(0), attr) == value:
            return data[: found.start()] + data[found.end():]
    return data


def _shift_sheet_indexes(workbook: bytes, position: int) -> bytes:
    """Sheet indexes at or after `position` move up by one (a sheet was inserted there)."""
    def shifted(match: re.Match[bytes]) -> bytes:
        index = int(match.group(2))
        return match.group(1) + str(index + 1 if index >= position else index).encode() + match.group(3)

    return re.sub(rb'(\s(?:localSheetId|activeTab|firstSheet)=")(\d+)(")', shifted, workbook)
