"""The live adapter: a BookSource over an open xlwings Book, and a WritePlan written to it.

Every read and write is a whole range in one call: a COM round trip costs about
as much as a thousand cells, so cell-by-cell access would make a refresh of a
few thousand rows take minutes. Works with any xlwings engine (Excel on
Windows, the remote engine in tests); only named styles need Excel on Windows.
"""
from __future__ import annotations

import datetime as _dt
import re
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Sequence

from ..money import normalise
from ..plan import Patch, WritePlan
from ..tables.sheet import SheetContent
from .styles import ComStyler

XL_FORMULAS = -4123  # XlFindLookIn.xlFormulas
MAX_MERGED_AREAS = 10000  # a guard on the merged-area search; a roster has none or a few

# Text Excel would not keep as typed: formulas and its quote/error prefixes, and
# anything it would read as a number, date, time, percent, fraction or boolean
# (IDs and bank accounts first of all). Such text is written with Excel's
# apostrophe prefix, which marks the cell as text and is not part of its value.
_NUMBERISH = r"[\d\s.,:/%()+\-eE$¥￥年月日时分秒]"
_WOULD_CONVERT = re.compile(rf"^[=+\-@'#]|^{_NUMBERISH}*\d{_NUMBERISH}*$|^(?:true|false)$", re.IGNORECASE)


def to_excel(value: object, text_cell: bool = False) -> object:
    """A value as Excel should receive it. ``text_cell``: the target is Text-formatted, where Excel keeps
    text as typed and a prefix would stay in the value."""
    if value is None or isinstance(value, (bool, int, float, _dt.date)):
        return value
    if isinstance(value, Decimal):  # exact until here; Excel holds doubles
        value = normalise(value)
        return value if isinstance(value, int) else float(value)
    text = str(value)  # str, and YearMonth/Quarter (tuples, which xlwings would spread over cells)
    if not text_cell and _WOULD_CONVERT.match(text):
        return "'" + text
    return text


def is_windows_excel(book) -> bool:
    return sys.platform == "win32" and book.app.engine.name == "excel"


# ---------------------------------------------------------------- reading

_EXACT_INT = float(2**53)


def _plain(value: object) -> object:
    """The headless reader's conventions (io/reader.py), so both doors hand the core the same values:
    a whole number is an int (COM gives every number as a float; beyond 2**53 it stays a float, so a
    mangled 18-digit ID still looks like one) and a date without a time is a date."""
    if type(value) is float and value.is_integer() and -_EXACT_INT <= value <= _EXACT_INT:
        return int(value)
    if type(value) is _dt.datetime and value.time() == _dt.time(0):
        return value.date()
    return value


def read_grid(sheet) -> list[list[object]]:
    """A sheet's values aligned to A1 from ONE read of its used range; trailing empty rows dropped.

    Values stay raw apart from _plain: numbers, dates, empty cells None, error
    cells as their text (#N/A), so a bad cell is reported rather than read as blank.
    """
    used = sheet.used_range
    values = used.options(ndim=2, empty=None, err_to_str=True).value
    top, left = used.row - 1, used.column - 1
    width = left + max((len(r) for r in values), default=0)
    grid = [[None] * width for _ in range(top)] + [[None] * left + [_plain(v) for v in r] for r in values]
    while grid and all(v is None for v in grid[-1]):
        grid.pop()
    return grid


def merged_areas(sheet) -> list[tuple[int, int, int, int]]:
    """Merged ranges (0-based, inclusive) found by Excel's format search; [] where the engine cannot tell.

    ``MergeCells`` of the used range is False when nothing is merged, the usual
    case, answered in one call. Otherwise Find with a merged-cells search format
    visits one cell per merged area.
    """
    used = sheet.used_range
    try:
        com = used.api
        if com.MergeCells is False:
            return []
    except (AttributeError, NotImplementedError):  # the remote engine has no COM object
        return []
    fmt = com.Application.FindFormat
    fmt.Clear()
    fmt.MergeCells = True
    areas: dict[str, tuple[int, int, int, int]] = {}
    seen: set[str] = set()
    try:
        found = com.Find(What="", LookIn=XL_FORMULAS, SearchFormat=True)
        while found is not None and found.Address not in seen and len(areas) < MAX_MERGED_AREAS:
            seen.add(found.Address)
            area = found.MergeArea
            r, c = area.Row - 1, area.Column - 1
            areas[area.Address] = (r, c, r + area.Rows.Count - 1, c + area.Columns.Count - 1)
            found = com.Find(What="", After=found, LookIn=XL_FORMULAS, SearchFormat=True)
    finally:
        fmt.Clear()  # the search format is shared with the user's Find dialog
    return sorted(areas.values())


class LiveBook:
    """BookSource over an xlwings Book; each sheet is read once and kept."""

    def __init__(self, book) -> None:
        self.book = book
        self.sheet_names = [s.name for s in book.sheets]
        self._grids: dict[str, list[list[object]]] = {}

    def grid(self, name: str) -> list[list[object]] | None:
        if name not in self.sheet_names:
            return None
        if name not in self._grids:
            self._grids[name] = read_grid(self.book.sheets[name])
        return self._grids[name]

    def merged(self, name: str) -> list[tuple[int, int, int, int]]:
        return merged_areas(self.book.sheets[name]) if name in self.sheet_names else []


# ---------------------------------------------------------------- writing

@dataclass
class LiveWrite:
    """What apply_plan_live did, for the macro's message and for tests."""
    sheets: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    missing_styles: set[str] = field(default_factory=set)


def _sheet(book, name: str, done: LiveWrite):
    names = [s.name for s in book.sheets]
    if name in names:
        return book.sheets[name]
    done.added.append(name)
    return book.sheets.add(name, after=book.sheets[len(names) - 1])


def write_sheet(sheet, content: SheetContent, styler: ComStyler | None) -> None:
    """Replace an owned sheet's contents by ``content``."""
    old = sheet.used_range
    old.unmerge()  # last refresh's merged titles would swallow the values written below them
    old.clear_contents()
    # Back to General before writing, so that the apostrophe prefix of to_excel
    # marks text instead of showing (in a Text-formatted cell it would be literal).
    if styler:
        styler.reset(old)
    else:
        old.number_format = "General"
    grid = content.as_grid()
    if grid:
        sheet.range((1, 1)).value = [[to_excel(v) for v in row] for row in grid]
    if styler:
        styler.apply(sheet, content.rows)
    for ref in content.merges:
        sheet.range(ref).merge()


_XL_LANDSCAPE, _XL_PORTRAIT, _XL_PAPER_A4 = 2, 1, 9  # Excel's XlPageOrientation and XlPaperSize


def write_layout(sheet, layout, com: bool) -> None:
    """The print layout (tables/layout.py) of an owned sheet: column widths and the computed row heights
    everywhere the engine takes them (characters in desktop Excel, points in the remote engine's Office.js
    client); page setup, print titles and area, breaks and footer through COM (Excel for Windows)."""
    from ..tables.layout import column_points

    try:
        for i, width in enumerate(layout.widths):
            sheet.range((1, i + 1)).column_width = width if com else column_points(width)
        for row, height in layout.heights.items():
            sheet.range((row, 1)).row_height = height
    except NotImplementedError:  # an engine without them: values and styles are what matter
        return
    if not com:
        return
    page = layout.page
    setup = sheet.api.PageSetup
    setup.PaperSize = _XL_PAPER_A4
    setup.Orientation = _XL_LANDSCAPE if page.orientation == "landscape" else _XL_PORTRAIT
    if page.fit_width:
        setup.Zoom = False
        setup.FitToPagesWide = 1
        setup.FitToPagesTall = 1 if page.fit_height else False
    setup.CenterHorizontally = page.centered
    setup.PrintTitleRows = f"${page.title_rows[0]}:${page.title_rows[1]}" if page.title_rows else ""
    setup.PrintArea = page.print_area or ""
    parts = dict(re.findall(r"&([LCR])((?:[^&]|&[^LCR])*)", page.footer or ""))
    setup.LeftFooter, setup.CenterFooter, setup.RightFooter = (parts.get(k, "") for k in "LCR")
    sheet.api.ResetAllPageBreaks()
    for row in page.breaks:
        sheet.api.HPageBreaks.Add(sheet.api.Range(f"A{row + 1}"))


def patch_blocks(patch: Patch) -> list[tuple[int, int, list[list[object]]]]:
    """(first Excel row, first 0-based col, values) rectangles covering the patch exactly.

    Consecutive rows with the same columns make one block per run of adjacent
    columns: the usual patch (three computed columns of a roster) is one block.
    """
    blocks = []
    rows = sorted(patch)
    i = 0
    while i < len(rows):
        cols = sorted(patch[rows[i]])
        j = i
        while j + 1 < len(rows) and rows[j + 1] == rows[j] + 1 and sorted(patch[rows[j + 1]]) == cols:
            j += 1
        for run in _col_runs(cols):
            values = [[patch[r][c][0] for c in run] for r in rows[i:j + 1]]
            blocks.append((rows[i], run[0], values))
        i = j + 1
    return blocks


def _col_runs(cols: Sequence[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for c in cols:
        if runs and runs[-1][-1] == c - 1:
            runs[-1].append(c)
        else:
            runs.append([c])
    return runs


def _text_columns(sheet, patch: Patch) -> set[int]:
    """Columns whose cells over the patch's rows are Text-formatted: one format read per column.

    An apostrophe typed into a Text cell stays part of its value, so text
    written there goes without the prefix (the user's formats are left alone).
    """
    cols = sorted({c for cells in patch.values() for c in cells})
    first, last = min(patch), max(patch)
    text = set()
    for c in cols:
        try:
            if sheet.range((first, c + 1), (last, c + 1)).number_format == "@":
                text.add(c)
        except NotImplementedError:  # the remote engine cannot read formats synchronously
            return set()
    return text


def write_patch(sheet, patch: Patch, styler: ComStyler | None) -> None:
    """Write owned cells of a user sheet, one call per block."""
    text = _text_columns(sheet, patch)
    for row, col, values in patch_blocks(patch):
        rng = sheet.range((row, col + 1), (row + len(values) - 1, col + len(values[0])))
        rng.value = [[to_excel(v, col + j in text) for j, v in enumerate(r)] for r in values]
    if styler:
        styler.apply(sheet, [(r, [(c, v, s) for c, (v, s) in cells.items()]) for r, cells in sorted(patch.items())])


def extend_tables(book, table_rows: dict[str, int]) -> None:
    """Grow each named Excel table down to the row its appended rows reach (one call per table).

    A table left short would leave the new rows outside its filter, drop-downs and
    structured references.
    """
    for sheet in book.sheets:
        for table in sheet.tables:
            last = table_rows.get(table.name)
            rng = table.range if last is not None else None
            if rng is None or rng.row + rng.shape[0] - 1 >= last:
                continue
            table.resize(sheet.range((rng.row, rng.column), (last, rng.column + rng.shape[1] - 1)))


def apply_plan_live(book, plan: WritePlan) -> LiveWrite:
    """Write ``plan`` to an open book: owned sheets whole, patches per block, missing sheets added,
    tables grown over appended rows."""
    done = LiveWrite()
    styler = ComStyler() if is_windows_excel(book) else None
    for content in plan.sheets:
        sheet = _sheet(book, content.name, done)
        write_sheet(sheet, content, styler)
        write_layout(sheet, content.layout(), com=styler is not None)
        done.sheets.append(content.name)
    for name, (before, count) in plan.inserted_rows.items():  # new people above a total row: as Excel inserts
        book.sheets[name].range(f"{before}:{before + count - 1}").insert(shift="down",
                                                                        copy_origin="format_from_left_or_above")
    for name, patch in plan.patches.items():
        if patch:
            write_patch(book.sheets[name], patch, styler)
    if plan.table_rows:
        extend_tables(book, plan.table_rows)
    if styler:
        done.missing_styles = styler.missing
    return done
