"""A worksheet's XML at byte level: split into head, rows and tail; dimension, merges and filter state;
and the patcher that writes the tool's cells into a user sheet while streaming over its rows."""
from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

from ..cells import MAX_COLUMNS, MAX_ROWS, parse_range, range_text
from .reader import CellRange
from .render import COLUMNS, Bounds, CellRenderer
from .zipsafe import RESAVE_HINT, PackageError


# PackageError and NotInWorkbook (a lookup that failed, also raised by the reader) live in zipsafe.


_HEAD_LIMIT_BYTES = 64 << 20  # sheetPr, views and cols before <sheetData> are small


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


def split_sheet(chunks: Iterable[bytes], part: str) -> Iterator[tuple[str, bytes]]:
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


def with_dimension(head: bytes, new_ref_for: Callable[[str], str | None]) -> bytes:
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


def with_merge_cells(tail: bytes, merges: Sequence[str]) -> bytes:
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


def without_filter_state(head: bytes, tail: bytes) -> tuple[bytes, bytes]:
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


def normalised_merges(merges: Sequence[str | CellRange]) -> list[str]:
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


def validated_patches(cells: _Patch) -> dict[int, Mapping[int, tuple[object, str | None]]]:
    """The non-empty rows of `cells`, after checking every row and column is inside Excel's grid."""
    patches = {row: cols for row, cols in cells.items() if cols}
    if patches:
        if not 1 <= min(patches) <= max(patches) <= MAX_ROWS:
            raise ValueError(f"行号超出 Excel 的范围（1-{MAX_ROWS}）。")
        if not 0 <= min(min(cols) for cols in patches.values()) <= max(
                max(cols) for cols in patches.values()) < MAX_COLUMNS:
            raise ValueError(f"列号超出 Excel 的范围（0-{MAX_COLUMNS - 1}）。")
    return patches


class SheetPatcher:
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
