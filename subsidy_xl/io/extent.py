"""A sheet's real extent, read from its XML before any grid is built; far-away stray cells set apart.

python-calamine builds a dense grid from the first to the last cell of a sheet: one value typed at
XFD1048576 makes that 17 billion cells (hundreds of GB, and the process aborts), one at A1048576
turns a 184-person roster into a million rows. So the reader looks at the sheet's XML first, cheaply
(byte searches, no parse), and when cells lie far beyond the block of rows and columns that holds the
data, it hands calamine a copy of the package without them; each such cell that holds a value is
reported at its address (``StrayCell``), never silently dropped. The file itself never changes.

"Far": more than ``ROW_GAP`` empty rows below the last row of the data block, or more than
``COLUMN_GAP`` empty columns right of its last column (a roster has no such gaps; a value typed
there by a slip of Ctrl+arrow or a paste does).

The same pass finds the rows that hold a formula (``formula_rows``): a 合计 row's =SUM(...) is not a
person, and the tool leaves such a row as it is.
"""
from __future__ import annotations

import html
import io
import re
import zipfile
from dataclasses import dataclass, field

from ..cells import a1
from .zipsafe import SafePackage, add_deflated, can_copy_deflated

ROW_GAP = 10_000  # empty rows between the data and a cell that make it a stray cell
COLUMN_GAP = 64  # empty columns between the data and a cell that make it a stray cell
_NARROW_COLUMNS = 26  # columns A-Z: a sheet using no other needs no column scan

_ROW_START = re.compile(rb"<row\b[^>]*?\sr=\"(\d+)\"")
_WIDE_CELL = re.compile(rb" r=\"([A-Z]{2,3})(\d+)\"")  # a cell's reference beyond column Z (a row's r has no letters)
_CELL = re.compile(rb"<c\b[^>]*?(?:/>|>.*?</c>)", re.S)
_CELL_REF = re.compile(rb"\sr=\"([A-Z]{1,3})(\d+)\"")
_FORMULA = re.compile(rb"<f[\s>/]")
_VALUE = re.compile(rb"<v>([^<]*)</v>|<t(?:\s[^>]*)?>([^<]*)</t>")
_TYPE = re.compile(rb"\st=\"([^\"]*)\"")
_DIMENSION = re.compile(rb"<dimension\b[^>]*/>")


@dataclass(frozen=True)
class StrayCell:
    row: int  # Excel row
    col: int  # 0-based column
    value: str  # the cell's value as text ("" for a formatted empty cell)

    @property
    def cell(self) -> str:
        return a1(self.row, self.col)


@dataclass
class SheetScan:
    formula_rows: frozenset[int] | None = frozenset()  # Excel rows holding a formula; None: not looked for yet
    stray: list[StrayCell] = field(default_factory=list)  # cells with a value beyond the data block
    last_row: int = 0  # the data block's last Excel row (0: the whole sheet is kept)
    last_col: int = 0  # its last 0-based column (0: no column was set apart)
    dropped: int = 0  # cells left out of the copy (values and formatted empty ones)

    @property
    def trimmed(self) -> bool:
        return self.dropped > 0


def _column(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n - 1


def _block_end(numbers: list[int], gap: int, start: int) -> int:
    """The last of the sorted ``numbers`` reached from ``start`` in steps of at most ``gap``."""
    end = start
    for n in numbers:
        if n > end + gap:
            break
        end = max(end, n)
    return end


_QUICK_WIDE = re.compile(rb'r="[A-Z][A-Z]')  # a reference beyond column Z (a quick test; _WIDE_CELL tells)
_READ_CHUNK = 8 << 20


def scan_part(package: SafePackage, part: str) -> tuple[SheetScan, bytes | None]:
    """scan_sheet of a worksheet part, inflated in chunks (and so CRC-checked): the common sheet (no cell
    beyond column Z, no gap of ROW_GAP rows) is known as such in one pass without holding its XML; any
    other is read whole and scanned (returned with its XML, which a trimmed copy and error cells need). Formula rows are
    found only by the full scan; ``formula_rows`` finds them for a common sheet when asked."""
    tail, wide, errors, rows, last = b"", False, False, 0, b""
    for chunk in package.iter_chunks(part, _READ_CHUNK):
        data = tail + chunk
        wide = wide or _QUICK_WIDE.search(data) is not None
        errors = errors or data.find(b't="e"') >= 0  # error cells: the reader reads them from the XML
        rows += data.count(b"<row ") - tail.count(b"<row ")
        at = data.rfind(b"<row ")
        if at >= 0:
            last = data[at:at + 64]
        tail = data[-16:]
    found = _ROW_START.match(last)
    last_row = int(found.group(1)) if found else 0
    if not (wide or errors or last_row - rows > ROW_GAP):
        return SheetScan(formula_rows=None), None
    xml = package.read(part)
    if not (wide or last_row - rows > ROW_GAP):
        return SheetScan(formula_rows=None), xml  # read whole for its error cells alone
    return scan_sheet(xml), xml


def formula_rows(xml: bytes) -> frozenset[int]:
    """Excel rows of a worksheet's XML that hold a formula."""
    rows = set()
    for found in _FORMULA.finditer(xml):
        row = _ROW_START.search(xml, xml.rfind(b"<row", 0, found.start()))
        if row:
            rows.add(int(row.group(1)))
    return frozenset(rows)


def scan_sheet(xml: bytes) -> SheetScan:
    """Formula rows and far-away cells of a worksheet part, by byte searches over its XML."""
    scan = SheetScan(formula_rows=formula_rows(xml))

    rows = [int(m.group(1)) for m in _ROW_START.finditer(xml)]
    if rows and rows == sorted(rows):
        last_row = _block_end(rows, ROW_GAP, 0)
    else:
        last_row = max(rows, default=0)  # rows out of order: not what any program writes; keep them all
    wide = [(_column(m.group(1)), int(m.group(2))) for m in _WIDE_CELL.finditer(xml)]
    cols = sorted({c for c, r in wide if r <= last_row})
    last_col = _block_end(cols, COLUMN_GAP, _NARROW_COLUMNS - 1) if cols else _NARROW_COLUMNS - 1
    far_rows = last_row < max(rows, default=0)
    far_cols = any(c > last_col for c, _r in wide)
    if not (far_rows or far_cols):
        return scan
    scan.last_row, scan.last_col = last_row, last_col
    return _with_strays(scan, xml)


def _with_strays(scan: SheetScan, xml: bytes) -> SheetScan:
    """Fill ``scan.stray`` (cells holding a value) and ``scan.dropped`` (every cell set apart)."""
    for cell in _CELL.finditer(xml):
        ref = _CELL_REF.search(cell.group(0))
        if ref is None:
            continue
        col, row = _column(ref.group(1)), int(ref.group(2))
        if row <= scan.last_row and col <= scan.last_col:
            continue
        scan.dropped += 1
        value = _cell_text(cell.group(0))
        if value is not None:
            scan.stray.append(StrayCell(row, col, value))
    return scan


def _cell_text(cell: bytes) -> str | None:
    """The value of a cell element as text; None for an empty (formatted) cell. A shared string's index
    is resolved by ``resolve_shared``."""
    found = _VALUE.findall(cell)
    if not found:
        return None
    parts = [v if v else t for v, t in found]
    text = b"".join(parts).decode("utf-8", "replace")
    kind = _TYPE.search(cell.split(b">", 1)[0])
    if kind and kind.group(1) == b"s":
        return "\0" + text  # a shared string's index: resolved later
    return html.unescape(text)  # &amp; &lt; ... and &#35823; (character references)


def resolve_shared(scan: SheetScan, package: SafePackage) -> None:
    """Shared-string values of the stray cells as their text."""
    if not any(s.value.startswith("\0") for s in scan.stray):
        return
    part = next((target for _id, kind, target in package.relationships(package.main_part)
                 if kind.endswith("/sharedStrings") and target in package), None)
    strings = []
    if part is not None:
        for si in package.xml(part):
            strings.append("".join(t.text or "" for t in si.iter() if t.tag.endswith("}t")))
    for i, stray in enumerate(scan.stray):
        if stray.value.startswith("\0"):
            index = stray.value[1:]
            text = strings[int(index)] if index.isdigit() and int(index) < len(strings) else ""
            scan.stray[i] = StrayCell(stray.row, stray.col, text)


def trimmed_sheet(xml: bytes, scan: SheetScan) -> bytes:
    """The sheet's XML without the cells beyond the data block, and without its <dimension> (which may
    still name the far cell)."""

    def kept(cell: re.Match) -> bytes:
        ref = _CELL_REF.search(cell.group(0))
        if ref is None:
            return cell.group(0)
        col, row = _column(ref.group(1)), int(ref.group(2))
        return cell.group(0) if row <= scan.last_row and col <= scan.last_col else b""

    return _DIMENSION.sub(b"", _CELL.sub(kept, xml), count=1)


def with_sheet(package: SafePackage, part: str, sheet: bytes) -> bytes:
    """The package's bytes with the member ``part`` replaced by ``sheet``: the changed sheet is stored (read
    once, straight away: no need to deflate it); every other member is copied as the archive holds it,
    compressed, rather than inflated into the copy."""
    copy = io.BytesIO()
    with zipfile.ZipFile(copy, "w", zipfile.ZIP_STORED) as out:
        for name in package.names:
            if name != part and can_copy_deflated(package.info(name), out):
                add_deflated(out, package.info(name), package.compressed(name))
            else:
                out.writestr(name, sheet if name == part else package.read(name))
    return copy.getvalue()
