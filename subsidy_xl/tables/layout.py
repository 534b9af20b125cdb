"""How an owned sheet prints: typed column and page layout, computed from the content.

``ColumnSpec`` and ``PageLayout`` are what every writer renders (io/render.py for the headless
package writer, template.py for openpyxl, the export workbooks, the live adapter), in the way
openpyxl's ``ColumnDimension`` and ``RowBreak`` model those parts of a sheet.  ``lay_out`` fills a
SheetContent's layout from its cells:

- column widths from the content (a CJK character counts about twice a digit), within each
  column's bounds; cells spanning a merged range do not widen a single column;
- row heights for wrapped and merged text, computed here since no spreadsheet program auto-fits
  a merged cell (and LibreOffice's auto heights use other font metrics than Excel's);
- page breaks: between groups (a street with its subtotal) where the next group does not fit on
  the rest of the page, never inside a kept range unless it is longer than a page, and before a
  block that asks for a page of its own; pages are measured with the same widths and heights,
  at the scale fit-to-width gives.

Units: widths in Excel's character units (the width of "0"), heights in points.
"""
from __future__ import annotations

import bisect
import math
import unicodedata
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Iterable, Sequence

from ..cells import line_styles, parse_range

if TYPE_CHECKING:
    from .sheet import SheetContent

# --------------------------------------------------------------------------------- styles
# What the named styles (template._named_styles) do to the size of their text: the one place that says it.
WRAPPING_STYLES = frozenset({"header", "note", "wrap", "subtitle", "sign", "form_label", "form_text"})
FONT_SIZES = {"title": 16}  # points; every other style is DEFAULT_FONT_SIZE
BOLD_STYLES = frozenset({"title", "header", "total", "total_text", "total_int", "form_label"})
DEFAULT_FONT_SIZE = 11
NUMBER_FORMATS = {  # number format by meaning: money, count, rate, month (text) — schema.STYLES keys
    "money": "#,##0.00", "total": "#,##0.00",
    "int": "0", "total_int": "0", "count": "0",
    "pct": "0.00%",
    "text": "@", "month": "@",
}

# ---------------------------------------------------------------------------------- sizes
LINE_SPACING = 1.45  # line height / font size: 宋体 in Excel ~1.3, Noto CJK in LibreOffice ~1.45
ROW_PADDING = 2.0  # points above and below the text of a row
CJK_UNITS = 2.1  # a full-width character in 11-point 宋体 / Noto CJK, in widths of "0"
LATIN_UNITS = 1.1
CELL_PADDING = 1.8  # character units a cell needs beyond its text (margins, borders)
MIN_WIDTH = 4.0
MAX_WIDTH = 60.0  # wider text wraps (in a wrapping style) or is the column's own affair
HEADER_LINES = 2  # a header may wrap to this many lines before its column widens for it

A4_POINTS = (595.3, 841.9)  # width, height (portrait)
POINTS_PER_INCH = 72.0
PAGE_SAFETY = 0.94  # share of a page's height breaks plan for: other programs' rows come out a little taller


# The number formats under which equal numbers show alike (display_text): 0 and Decimal("0.00") both "0.00".
FIXED_FORMATS = frozenset({"#,##0.00", "0.00%", "0"})


def char_units(ch: str) -> float:
    return CJK_UNITS if unicodedata.east_asian_width(ch) in "WF" else LATIN_UNITS


@lru_cache(maxsize=65536)
def text_units(text: str) -> float:
    """Width of one line of ``text`` in Excel character units (a CJK character counts about double)."""
    if text.isascii():
        return len(text) * LATIN_UNITS
    return sum(map(char_units, text))


def display_text(value: object, style: str | None) -> str:
    """The text a cell shows for ``value`` in ``style`` (the number formats of NUMBER_FORMATS)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        fmt = NUMBER_FORMATS.get(style or "")
        if fmt == "#,##0.00":
            return f"{Decimal(str(value)):,.2f}"
        if fmt == "0.00%":
            return f"{Decimal(str(value)) * 100:.2f}%"
        if fmt == "0":
            return f"{Decimal(str(value)):.0f}"
        if isinstance(value, float):
            return repr(value)
        return str(value)
    return str(value)


def font_size(style: str | None) -> float:
    return FONT_SIZES.get(style or "", DEFAULT_FONT_SIZE)


def bold_factor(style: str | None) -> float:
    return 1.08 if style in BOLD_STYLES else 1.0


def line_height(style: str | None) -> float:
    return font_size(style) * LINE_SPACING


def cell_units(text: str, style: str | None) -> float:
    """Units one line of ``text`` takes in ``style`` (a title's bigger font takes more)."""
    return text_units(text) * bold_factor(style) * font_size(style) / DEFAULT_FONT_SIZE


@lru_cache(maxsize=65536)
def lines_needed(text: str, style: str | None, width: float) -> int:
    """Lines ``text`` wraps to in a cell ``width`` units wide: each paragraph starts a line, and a line
    takes characters while they fit (Chinese text breaks between any two characters; a Latin word is
    taken as breakable too, which errs on the side of one line more).  Cached: a sheet repeats its texts
    (the one-off sheet's 计算依据), and distinct ones are measured once."""
    room = max(width - CELL_PADDING, 1.0)
    scale = bold_factor(style) * font_size(style) / DEFAULT_FONT_SIZE
    widest = CJK_UNITS * scale  # no character is wider: a filled line leaves less than this unused
    total = 0
    for part in text.split("\n"):
        units = text_units(part) * scale
        if units <= room:
            total += 1
            continue
        fewest = math.ceil(units / room - 1e-9)
        if room > widest and fewest == math.ceil(units / (room - widest) - 1e-9):
            total += fewest  # the greedy count lies between the two bounds, which agree
            continue
        lines, used = 1, 0.0
        for ch in part:
            w = char_units(ch) * scale
            if used and used + w > room + 1e-9:
                lines, used = lines + 1, 0.0
            used += w
        total += lines
    return total


# ------------------------------------------------------------------------------ the model
@dataclass(frozen=True)
class ColumnSpec:
    """One column: ``width`` fixed (character units) or None to measure the content within
    ``min_width``..``max_width``; ``style`` the style key its body cells take (number format by meaning)."""
    width: float | None = None
    style: str | None = None
    min_width: float = MIN_WIDTH
    max_width: float = MAX_WIDTH


@dataclass(frozen=True)
class PageLayout:
    """A sheet's page: A4 ``orientation``, fit to one page wide (``fit_width``), and to one page high too
    with ``fit_height``; ``title_rows`` (first, last) repeated on every page; manual ``breaks`` (rows after
    which a page ends); ``print_area`` (A1 range, None for the whole sheet); header and footer texts in
    Excel's codes (&P page, &N pages)."""
    orientation: str = "landscape"
    fit_width: bool = True
    fit_height: bool = False
    title_rows: tuple[int, int] | None = None
    breaks: tuple[int, ...] = ()
    print_area: str | None = None
    header: str = ""
    footer: str = ""
    margins: tuple[float, float, float, float] = (0.4, 0.4, 0.6, 0.6)  # left, right, top, bottom (inches)
    centered: bool = True  # horizontally on the page

    @property
    def page_points(self) -> tuple[float, float]:
        w, h = A4_POINTS
        return (h, w) if self.orientation == "landscape" else (w, h)

    @property
    def printable_points(self) -> tuple[float, float]:
        w, h = self.page_points
        left, right, top, bottom = self.margins
        return w - (left + right) * POINTS_PER_INCH, h - (top + bottom) * POINTS_PER_INCH


PAGE_FOOTER = "&L&9填报单位：{unit}&C&9第&P页 共&N页&R&9{sheet}"


def footer_text(unit: str, sheet: str) -> str:
    """The footer of every printed page: 填报单位 left, 第X页 共N页 centre, the sheet's name right."""
    clean = (unit or "").replace("&", "&&")
    text = PAGE_FOOTER.format(unit=clean or "          ", sheet=sheet.replace("&", "&&"))
    return text


@dataclass
class Layout:
    """A sheet's computed print layout: what the writers render."""
    widths: list[float] = field(default_factory=list)  # per column from A
    heights: dict[int, float] = field(default_factory=dict)  # Excel row -> points (rows not listed: default)
    page: PageLayout = field(default_factory=PageLayout)
    default_height: float = round(DEFAULT_FONT_SIZE * LINE_SPACING + ROW_PADDING, 1)
    wrap_columns: frozenset[int] = frozenset()  # columns whose text cells wrap (the body style carries it)

    def height(self, row: int) -> float:
        return self.heights.get(row, self.default_height)

    def row_heights(self, lines: Iterable[tuple]) -> dict[int, float]:
        """Every written row's height: computed ones, the default for the rest.  Written out row by row,
        since LibreOffice sizes rows without a height of their own by its fonts (sheetFormatPr's default is
        not enough), and the page breaks were planned with these heights."""
        out = dict.fromkeys((line[0] for line in lines), self.default_height)
        out.update(self.heights)
        return out


# ------------------------------------------------------------------------------- measuring
def _merged_spans(sheet: "SheetContent") -> tuple[dict[tuple[int, int], int], set[tuple[int, int]]]:
    """(row, first col) -> last col of each merged range's anchor; every (row, col) a merge covers."""
    anchors: dict[tuple[int, int], int] = {}
    covered: set[tuple[int, int]] = set()
    for ref in sheet.merges:
        r0, c0, r1, c1 = parse_range(ref)
        anchors[(r0, c0)] = c1
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                covered.add((r, c))
    return anchors, covered


def _runs(sheet: "SheetContent") -> Iterable[tuple[int, int, list[Sequence[object]], object]]:
    """(first row, first col, values of consecutive lines, styles) of lines sharing columns and styles."""
    run: list = []
    for line in sheet.lines:
        if run and (line[1] != run[-1][1] or len(line[2]) != len(run[-1][2]) or line[3] is not run[-1][3]
                    or line[0] != run[-1][0] + 1):
            yield run[0][0], run[0][1], [x[2] for x in run], run[0][3]
            run = []
        if line[2]:
            run.append(line)
    if run:
        yield run[0][0], run[0][1], [x[2] for x in run], run[0][3]


def _units_needed(value: object, style: str | None) -> float:
    text = display_text(value, style)
    units = max(cell_units(p, style) for p in text.split("\n")) + CELL_PADDING
    if style == "header" and units > 8:  # a long header wraps rather than widen its column
        units = max((units - CELL_PADDING) / HEADER_LINES + CELL_PADDING, 6.0)
    return units


def _widest(values: set, style: str | None) -> float:
    """The units the widest of ``values`` needs (a 100,000-row column of IDs, names or amounts has as many
    distinct values): of numbers the largest and the smallest (the longest text at either end of the
    range), of ASCII texts the longest; other texts longest first, until no shorter one can be wider (a
    text of n characters takes at most n full-width characters' room)."""
    numbers_ = [v for v in values if isinstance(v, (int, Decimal)) and not isinstance(v, bool)]
    texts = [v for v in values if isinstance(v, str)]
    candidates = [v for v in values if not isinstance(v, (int, Decimal, str)) or isinstance(v, bool)]
    if numbers_:
        candidates += [max(numbers_), min(numbers_)]
    ascii_ = [t for t in texts if t.isascii()]
    if ascii_:
        candidates.append(max(ascii_, key=len))
    best = max((_units_needed(v, style) for v in candidates), default=0.0)
    others = sorted((t for t in texts if not t.isascii()), key=lambda t: max(map(len, t.split("\n"))), reverse=True)
    bound = CJK_UNITS * bold_factor(style) * font_size(style) / DEFAULT_FONT_SIZE
    for text in others:
        if max(map(len, text.split("\n"))) * bound + CELL_PADDING <= best:
            break  # this one and every shorter one fit in what is already needed
        best = max(best, _units_needed(text, style))
    return best


def measure_widths(sheet: "SheetContent", specs: Sequence[ColumnSpec | None] = ()) -> list[float]:
    """Column widths from the content: the widest cell of each column (merged ones aside), a header
    allowed HEADER_LINES lines, every column within its spec's ``min_width``..``max_width`` (wider text
    wraps, in a wrapping style).  Works column by column on distinct values: a 100,000-row sheet has few."""
    width = max(sheet.width, len(specs))
    need = [0.0] * width
    _anchors, covered = _merged_spans(sheet)
    merged_rows = sorted({r for r, _c in covered})
    for first_row, first, rows, styles in _runs(sheet):
        per = line_styles(styles, len(rows[0]))
        merged_here = merged_rows[bisect.bisect_left(merged_rows, first_row):
                                  bisect.bisect_left(merged_rows, first_row + len(rows))]
        for j, column in enumerate(zip(*rows)):
            col = first + j
            hidden = [r - first_row for r in merged_here if (r, col) in covered]
            if hidden:  # cells under a merge (titles, notes) widen nothing
                column = list(column)
                for i in hidden:
                    column[i] = None
            values = set(column)
            kinds = set(map(type, values))  # few distinct values: cheap; an int among them may stand for an equal Decimal
            if NUMBER_FORMATS.get(per[j] or "") not in FIXED_FORMATS and (
                    {Decimal, float} & kinds or (int in kinds and {Decimal, float} & set(map(type, column)))):
                # Equal numbers can show differently without a number format (0 and 0.00): measure what shows.
                values = {display_text(v, per[j]) for v in column}
            values.discard(None)
            values.discard("")
            if values:
                best = _widest(values, per[j])
                if best > need[col]:
                    need[col] = best
    out = []
    for col in range(width):
        spec = specs[col] if col < len(specs) and specs[col] is not None else ColumnSpec()
        if spec.width is not None:
            out.append(float(spec.width))
        else:
            out.append(math.ceil(round(min(max(need[col], spec.min_width), spec.max_width), 6) * 10) / 10)  # never below
    return out


def measure_heights(sheet: "SheetContent", widths: Sequence[float]) -> dict[int, float]:
    """Row heights (points) for rows whose text wraps or spans merged columns, or uses a bigger font.

    Column by column over runs of lines (as measure_widths): a column in one line of the default font
    (numbers, names, IDs: most of a 100,000-row payment sheet) is passed over except for a text with a
    line break, and a wrapping column measures each distinct value once."""
    anchors, covered = _merged_spans(sheet)
    anchor_rows = {r for r, _c in anchors}
    best: dict[int, float] = {}

    def height(row: int, col: int, value: object, style: str | None) -> float:
        last = anchors.get((row, col), col)
        span = sum(widths[c] if c < len(widths) else 8.43 for c in range(col, last + 1))
        text = display_text(value, style)
        lines = lines_needed(text, style, span) if style in WRAPPING_STYLES else text.count("\n") + 1
        return lines * line_height(style) + ROW_PADDING

    def note(row: int, h: float) -> None:
        if h > best.get(row, 0.0):
            best[row] = h

    for first_row, first, rows, styles in _runs(sheet):
        per = line_styles(styles, len(rows[0]))
        special = [i for i in range(len(rows)) if first_row + i in anchor_rows]  # merged titles, notes: few
        for i in special:
            row = first_row + i
            for j, value in enumerate(rows[i]):
                col = first + j
                if value is None or value == "" or ((row, col) in covered and (row, col) not in anchors):
                    continue
                note(row, height(row, col, value, per[j]))
        skip = set(special)
        for j, column in enumerate(zip(*rows)):
            style, col = per[j], first + j
            if style in WRAPPING_STYLES or style in FONT_SIZES:
                todo = range(len(column))
            else:  # one line of the default font unless the text breaks its line
                todo = [i for i, v in enumerate(column) if v.__class__ is str and "\n" in v]
            known: dict[object, float] = {}
            for i in todo:
                value = column[i]
                if value is None or value == "" or i in skip:
                    continue
                row = first_row + i
                if covered and (row, col) in covered:
                    continue  # under a merge that starts on another row
                key = (value.__class__, value)
                h = known.get(key)
                if h is None:
                    h = known[key] = height(row, col, value, style)
                note(row, h)
    floor = DEFAULT_FONT_SIZE * LINE_SPACING + ROW_PADDING + 0.05
    return {row: round(h, 1) for row, h in sorted(best.items()) if h > floor}


def column_points(width: float) -> float:
    """Printed width (points) of a column ``width`` characters wide (Excel: 7 px a character + 5 px)."""
    return math.floor(width * 7 + 5) * 0.75


def print_scale(page: PageLayout, widths: Sequence[float]) -> float:
    """The scale fit-to-width prints at (1 when the columns fit; whole percent, as Excel and LibreOffice use)."""
    if not page.fit_width:
        return 1.0
    total = sum(map(column_points, widths)) or 1.0
    usable = page.printable_points[0]
    if total <= usable:
        return 1.0
    return math.floor(usable / total * 100) / 100


# --------------------------------------------------------------------------------- breaking
def page_capacity(layout: Layout) -> float:
    """Points of rows a page holds below its repeated title rows (unscaled: at the fit-to-width scale a
    page holds more of them)."""
    page = layout.page
    title_first, title_last = page.title_rows or (1, 0)
    titles = sum(layout.height(r) for r in range(title_first, title_last + 1))
    capacity = page.printable_points[1] * PAGE_SAFETY / print_scale(page, layout.widths) - titles
    return max(capacity, layout.default_height * 3)


def _with_last_group(layout: Layout, groups: Sequence[tuple[int, int]], keeps: Sequence[tuple[int, int]]
                     ) -> list[tuple[int, int]]:
    """A kept block (the total and its signatures) joined to the group just above it where both fit on one
    page together, so a total never opens a page on its own."""
    capacity = page_capacity(layout)
    ends = {last: first for first, last in groups}
    joined = []
    for first, last in keeps:
        above = ends.get(first - 1)
        if above is not None and sum(layout.height(r) for r in range(above, last + 1)) <= capacity:
            joined.append((above, last))
    return joined


def page_breaks(last_row: int, layout: Layout, groups: Iterable[tuple[int, int]] = (),
                new_page_before: Iterable[int] = (), end_row: int | None = None) -> list[int]:
    """Rows after which a page ends, for rows below the title rows up to ``end_row`` (or ``last_row``).

    ``groups``: (first, last) ranges printed on one page when they fit (a group, a total with its
    signatures); a group longer than a page is split where pages fill.  A page also ends before each
    row of ``new_page_before``.
    """
    capacity = page_capacity(layout)
    title_last = (layout.page.title_rows or (1, 0))[1]
    end = min(end_row or last_row, last_row)
    block_end: dict[int, int] = {}
    for first, last in sorted(groups):
        if first in block_end:
            block_end[first] = max(block_end[first], last)
        else:
            block_end[first] = last
    # Overlapping ranges join into one block.
    blocks: dict[int, int] = {}
    cur_first = cur_last = None
    for first in sorted(block_end):
        last = block_end[first]
        if cur_first is not None and first <= cur_last:
            cur_last = max(cur_last, last)
        else:
            if cur_first is not None:
                blocks[cur_first] = cur_last
            cur_first, cur_last = first, last
    if cur_first is not None:
        blocks[cur_first] = cur_last
    forced = set(new_page_before)
    breaks: list[int] = []
    used = 0.0
    r = title_last + 1
    while r <= end:
        last = min(blocks.get(r, r), end)
        size = sum(layout.height(x) for x in range(r, last + 1))
        if used and (r in forced or used + size > capacity):
            breaks.append(r - 1)
            used = 0.0
        if size > capacity:  # longer than a page: fill pages row by row
            for x in range(r, last + 1):
                h = layout.height(x)
                if used and used + h > capacity:
                    breaks.append(x - 1)
                    used = 0.0
                used += h
        else:
            used += size
        r = last + 1
    return breaks


def lay_out(sheet: "SheetContent", page: PageLayout | None = None) -> Layout:
    """The sheet's layout from its content and its ``columns``/``page``/``groups`` (see SheetContent)."""
    page = page or sheet.page or PageLayout()
    widths = measure_widths(sheet, sheet.columns)
    heights = measure_heights(sheet, widths)
    layout = Layout(widths, heights, page)
    if page.title_rows is None and sheet.header_row:
        page = replace(page, title_rows=(1, sheet.header_row))
        layout.page = page
    if not page.fit_height:
        end = sheet.print_end or sheet.last_row
        blocks = [*sheet.groups, *sheet.keep_together, *_with_last_group(layout, sheet.groups, sheet.keep_together)]
        breaks = page_breaks(sheet.last_row, layout, blocks, sheet.new_page_before, end)
        if sheet.print_end and sheet.print_end < sheet.last_row:
            breaks = [b for b in breaks if b < sheet.print_end]
        layout.page = replace(page, breaks=tuple(breaks))
    if sheet.print_end and not layout.page.print_area:
        from ..cells import range_text
        layout.page = replace(layout.page, print_area=range_text(1, 0, sheet.print_end, max(len(widths), 1) - 1))
    if not layout.page.footer:  # every printed page: 填报单位 (once a use case stamps it) and page X of N
        layout.page = replace(layout.page, footer=sheet.footer or footer_text("", sheet.name))
    return layout


def page_count(layout: Layout) -> int:
    return len(layout.page.breaks) + 1
