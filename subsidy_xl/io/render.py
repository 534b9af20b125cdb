"""Rows of cells as sheet XML: the <c> and <row> elements a package writer puts in <sheetData>.

A cell is rendered from its value's type: text as an inline string (escaped,
cut at Excel's 32,767-character limit), int/Decimal/float as numbers, dates and
times as serials of the workbook's epoch, bool as t="b".  ``render_lines``
renders many rows column by column: a 100,000-row payment sheet has a few
dozen distinct columns but millions of cells, and one list comprehension per
column costs a fraction of a loop that inspects every cell in turn.
"""
from __future__ import annotations

import datetime as dt
import math
import numbers
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain, repeat

from ..cells import MAX_COLUMNS, MAX_ROWS, Line, col_letter, line_styles, parse_range, range_text

MAX_TEXT_UNITS = 32_767  # Excel's cell limit, counted in UTF-16 code units


class ValueRefused(ValueError):
    """A value Excel cannot hold (infinity ...): the caller's mistake, not a damaged file."""


@dataclass(frozen=True)
class TruncatedCell:
    """Text longer than Excel's 32,767-character cell limit was cut to the limit."""

    sheet: str
    cell: str  # A1 reference
    length: int  # original length in UTF-16 code units


# ----------------------------------------------------------------------------------
# one cell
# ----------------------------------------------------------------------------------
COLUMNS = [col_letter(col) for col in range(MAX_COLUMNS)]  # 0-based column -> letters

# What makes a text more than wrapping it in <t>, written once here: the per-cell search below and the
# per-column one of render_lines (_plain_texts) are both built from these, so they cannot drift apart.
# Characters XML 1.0 cannot hold (and lone surrogates): dropped from the text.
_ILLEGAL_CHARS = "\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"
# Those, and the characters escaped.
_CARE_CLASS = f"[&<>\r{_ILLEGAL_CHARS}]"
# Excel decodes _xHHHH_ in text; a literal one is kept by escaping its underscore.
_LOOKALIKE_START = "_x"
_LOOKALIKE = _LOOKALIKE_START + "[0-9A-Fa-f]{4}_"
# White space at either end of a text, which needs xml:space="preserve".
_EDGE_SPACE = " \t\n"

# One search decides whether a string needs more than wrapping in <t>.
_TEXT_NEEDS_CARE = re.compile(f"{_CARE_CLASS}|{_LOOKALIKE}|^[{_EDGE_SPACE}]|[{_EDGE_SPACE}]$")
_XML_ILLEGAL = re.compile(f"[{_ILLEGAL_CHARS}]")
_ESCAPE_LOOKALIKE = re.compile(f"(?={_LOOKALIKE})_")
_EPOCH_1900 = dt.date(1899, 12, 30)
_EPOCH_1904 = dt.date(1904, 1, 1)
_FIRST_REAL_1900_DAY = dt.date(1900, 3, 1)  # before it, Excel's phantom 1900-02-29 shifts serials by one


class CellRenderer:
    """Turns (reference, value, style attribute) into the XML of one <c> element."""

    def __init__(self, sheet: str, date1904: bool) -> None:
        self.sheet = sheet
        self.date1904 = date1904
        self.truncated: list[TruncatedCell] = []

    def cell(self, ref: str, value: object, s: str) -> str:
        kind = type(value)
        if kind is str:
            if not value:
                return self.empty(ref, s)
            if len(value) > MAX_TEXT_UNITS // 2 or _TEXT_NEEDS_CARE.search(value):
                return self._text(ref, value, s)
            return f'<c r="{ref}"{s} t="inlineStr"><is><t>{value}</t></is></c>'
        if kind is int:
            return f'<c r="{ref}"{s}><v>{value}</v></c>'
        if kind is Decimal:
            return f'<c r="{ref}"{s}><v>{_decimal_text(value)}</v></c>'
        if value is None:
            return self.empty(ref, s)
        return self._other(ref, value, s)

    @staticmethod
    def empty(ref: str, s: str) -> str:
        return f'<c r="{ref}"{s}/>' if s else ""

    def _text(self, ref: str, value: str, s: str) -> str:
        text = _XML_ILLEGAL.sub("", value)
        if len(text) > MAX_TEXT_UNITS // 2:
            units = text.encode("utf-16-le")
            if len(units) > 2 * MAX_TEXT_UNITS:
                self.truncated.append(TruncatedCell(self.sheet, ref, len(units) // 2))
                text = units[: 2 * MAX_TEXT_UNITS].decode("utf-16-le", "ignore")  # never splits a pair
        if not text:
            return self.empty(ref, s)
        escaped = (_ESCAPE_LOOKALIKE.sub("_x005F_", text)
                   .replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;"))
        space = ' xml:space="preserve"' if text[0] in " \t\n\r" or text[-1] in " \t\n\r" else ""
        return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{escaped}</t></is></c>'

    def _other(self, ref: str, value: object, s: str) -> str:
        if isinstance(value, bool):
            return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
        if _is_missing(value):  # NaN, pandas NaT/NA: the usual "no value" of a DataFrame
            return self.empty(ref, s)
        if isinstance(value, (dt.date, dt.time, dt.timedelta)):
            serial = self._serial(value)
            if serial is None:  # before the workbook's epoch: Excel has no number for it
                return self.cell(ref, value.isoformat(), s)
            return f'<c r="{ref}"{s}><v>{serial}</v></c>'
        if isinstance(value, Decimal):
            return f'<c r="{ref}"{s}><v>{_decimal_text(value)}</v></c>'
        if isinstance(value, numbers.Integral):
            return f'<c r="{ref}"{s}><v>{int(value)}</v></c>'
        if isinstance(value, numbers.Real):
            number = float(value)
            if math.isinf(number):
                raise ValueRefused(f"工作表“{self.sheet}”{ref}：无穷大不能写入 Excel。")
            return f'<c r="{ref}"{s}><v>{number!r}</v></c>'
        if isinstance(value, str):
            return self.cell(ref, str(value), s)
        if hasattr(value, "item"):  # numpy scalar, e.g. numpy.bool_
            return self.cell(ref, value.item(), s)
        raise TypeError(f"工作表“{self.sheet}”{ref}：不支持写入 {type(value).__name__} 类型的值。")

    def _serial(self, value: dt.date | dt.time | dt.timedelta) -> str | None:
        if isinstance(value, dt.timedelta):
            return repr(value.total_seconds() / 86400)
        if isinstance(value, dt.time):
            return repr(_day_fraction(value))
        day = value.date() if isinstance(value, dt.datetime) else value
        if self.date1904:
            days = (day - _EPOCH_1904).days
            first = 0
        else:
            days = (day - _EPOCH_1900).days - (day < _FIRST_REAL_1900_DAY)
            first = 1
        if days < first:
            return None
        if isinstance(value, dt.datetime):
            fraction = _day_fraction(value.time())
            if fraction:
                return repr(days + fraction)
        return str(days)


def _day_fraction(moment: dt.time) -> float:
    seconds = moment.hour * 3600 + moment.minute * 60 + moment.second + moment.microsecond / 1e6
    return seconds / 86400


def _decimal_text(value: Decimal) -> str:
    if not value.is_finite():
        raise ValueRefused(f"无法写入非有限的数值 {value}。")
    return format(value, "f")


def _is_missing(value: object) -> bool:
    try:
        return bool(value != value)
    except TypeError:  # pandas.NA refuses a truth value: it is "missing" by definition
        return True



class Bounds:
    """Smallest rectangle holding the cells written (rows 1-based, columns 0-based)."""

    def __init__(self) -> None:
        self.first_row, self.last_row = MAX_ROWS + 1, 0
        self.first_col, self.last_col = MAX_COLUMNS, -1

    def add(self, row: int, first_col: int, last_col: int) -> None:
        self.first_row, self.last_row = min(self.first_row, row), max(self.last_row, row)
        self.first_col, self.last_col = min(self.first_col, first_col), max(self.last_col, last_col)

    def union_text(self, existing: str | None) -> str | None:
        """The A1 range of these bounds joined with `existing` (a dimension ref), or `existing` if empty."""
        if not self.last_row:
            return existing
        box = [self.first_row, self.first_col, self.last_row, self.last_col]
        if existing:
            try:
                r0, c0, r1, c1 = parse_range(existing)
            except ValueError:
                pass
            else:
                box = [min(box[0], r0), min(box[1], c0), max(box[2], r1), max(box[3], c1)]
        return range_text(*box)


# ----------------------------------------------------------------------------------
# many rows
# ----------------------------------------------------------------------------------
RENDER_BLOCK_ROWS = 4096  # rows rendered to one block of bytes before the next block starts
_NONE = type(None)


def render_lines(lines: Iterable[Line], renderer: CellRenderer, old_attrs: Mapping[int, str],
                 style_attr: Callable[[str | None], str],
                 on_block: Callable[[bytes], None] | None = None) -> tuple[list[bytes], Bounds]:
    """The rows' XML, as UTF-8 blocks of about RENDER_BLOCK_ROWS rows (a 100,000-row sheet never exists
    as one str and its bytes at once), and the bounds of the cells written.

    lines: (Excel row, first column, values, styles) in ascending row order, as cells.Line; a None
    value writes nothing unless it has a style (then an empty styled cell).  style_attr turns a style
    key into the ' s="N"' attribute ("" for none).  old_attrs: the attributes (height, hidden ...)
    rows had before, kept for the same row numbers, also where no cell is written.

    Consecutive lines with the same columns and styles (the people of a payment sheet) are rendered
    as one run, column by column.  ``on_block`` is given each block as soon as it is made (to start
    deflating it while the next ones are rendered).
    """
    writer = _RowWriter(renderer, old_attrs, style_attr, on_block)
    run: list[Line] = []
    for line in lines:
        if run:
            last = run[-1]
            if (line[0] != last[0] + 1 or line[1] != last[1] or len(line[2]) != len(last[2])
                    or line[3] != last[3] or len(run) >= RENDER_BLOCK_ROWS):
                writer.run(run)
                run = []
        run.append(line)
    if run:
        writer.run(run)
    return writer.finish()


# What _TEXT_NEEDS_CARE finds, found in a column's texts joined by "\n" (one search, not one per cell): a
# character to escape or drop, the start of an _xHHHH_ look-alike, or a text that starts or ends with white
# space (next to a "\n" of the join). A text with a line break inside may be taken for needing care: it then
# does.
_CARE_CHARACTERS = re.compile(_CARE_CLASS)
_CARE_PAIRS = tuple(dict.fromkeys([_LOOKALIKE_START, *("\n" + space for space in _EDGE_SPACE),
                                   *(space + "\n" for space in _EDGE_SPACE)]))


def _plain_texts(cells: Sequence[str | None]) -> bool:
    """Whether every text in ``cells`` goes into <t> as it is (None and "" are no text)."""
    texts = list(filter(None, cells))
    if not texts or max(map(len, texts)) > MAX_TEXT_UNITS // 2:
        return not texts
    joined = "\n".join(texts)
    return not (joined[0] in _EDGE_SPACE or joined[-1] in _EDGE_SPACE or _CARE_CHARACTERS.search(joined)
                or any(pair in joined for pair in _CARE_PAIRS))


class _RowWriter:
    def __init__(self, renderer: CellRenderer, old_attrs: Mapping[int, str],
                 style_attr: Callable[[str | None], str], on_block: Callable[[bytes], None] | None) -> None:
        self.renderer = renderer
        self.on_block = on_block
        self.old_attrs = old_attrs
        self.formatted = sorted(old_attrs)  # rows with a height etc. stay, even where no cell is written
        self.k = 0  # formatted[:k] are written
        self.style_attr = style_attr
        self.bounds = Bounds()
        self.blocks: list[bytes] = []
        self.out: list[str] = []  # XML of rows not yet in blocks
        self.rows_out = 0  # how many rows (about) that is
        self.last_row = 0

    def run(self, run: list[Line]) -> None:
        """Lines of consecutive rows with the same first column, width and styles."""
        first_row, first_col, values, styles = run[0]
        last_row = first_row + len(run) - 1
        if not self.last_row < first_row <= MAX_ROWS or last_row > MAX_ROWS:
            raise ValueError(f"行号 {first_row} 无效：必须递增且不超过 {MAX_ROWS}。")
        if first_col < 0 or first_col + len(values) > MAX_COLUMNS:
            raise ValueError(f"第 {first_row} 行的列号 {first_col} 无效：须在 0 到 {MAX_COLUMNS - 1} 之间。")
        self.last_row = last_row
        self._formatted_until(first_row)
        refs = [str(row) for row in range(first_row, last_row + 1)]
        per_value = line_styles(styles, len(values))
        columns: list[list[str]] = []
        used: list[int] = []
        for j, cells in enumerate(zip(*(line[2] for line in run))):
            col = first_col + j
            xml = self._column(COLUMNS[col], refs, cells, self.style_attr(per_value[j]))
            if any(xml):
                columns.append(xml)
                used.append(col)
        attrs, formatted = self.old_attrs, self.formatted
        had_attrs = self.k < len(formatted) and formatted[self.k] <= last_row
        while self.k < len(formatted) and formatted[self.k] <= last_row:
            self.k += 1
        if not columns:
            self.out.extend(f'<row r="{n}"{attrs[n]}/>' for n in range(first_row, last_row + 1) if n in attrs)
            return self._flush_if_full()
        top, bottom = 0, len(refs) - 1
        if all(columns[0]) or all(map(any, zip(*columns))):  # every row has a cell (the usual case)
            starts = [f'<row r="{r}"{attrs.get(n, "")}>' for n, r in zip(range(first_row, last_row + 1), refs)] \
                if had_attrs else [f'<row r="{r}">' for r in refs]
            # One join over every piece of the run: rows are never built as strings of their own.
            self.out.append("".join(chain.from_iterable(zip(starts, *columns, repeat("</row>")))))
        else:
            bodies = list(map("".join, zip(*columns)))
            written = [i for i, body in enumerate(bodies) if body]
            top, bottom = written[0], written[-1]
            self.out.extend(f'<row r="{r}"{attrs.get(n, "")}>{body}</row>' if body else f'<row r="{r}"{attrs[n]}/>'
                            for n, r, body in zip(range(first_row, last_row + 1), refs, bodies)
                            if body or n in attrs)
        self.bounds.add(first_row + top, used[0], used[-1])
        self.bounds.add(first_row + bottom, used[0], used[-1])
        self.rows_out += len(refs)
        self._flush_if_full()

    def _flush_if_full(self) -> None:
        if self.rows_out >= RENDER_BLOCK_ROWS:
            self._flush()

    def finish(self) -> tuple[list[bytes], Bounds]:
        self._formatted_until(MAX_ROWS + 1)
        self._flush()
        return self.blocks, self.bounds

    def _formatted_until(self, row: int) -> None:
        """Rows before ``row`` that only keep their old attributes."""
        formatted = self.formatted
        while self.k < len(formatted) and formatted[self.k] < row:
            self.out.append(f'<row r="{formatted[self.k]}"{self.old_attrs[formatted[self.k]]}/>')
            self.k += 1
            self.rows_out += 1

    def _flush(self) -> None:
        block = "".join(self.out).encode("utf-8")
        self.blocks.append(block)
        if self.on_block:
            self.on_block(block)
        self.out.clear()
        self.rows_out = 0

    def _column(self, letter: str, refs: list[str], cells: Sequence[object], s: str) -> list[str]:
        """One column's <c> elements, one per row ("" where nothing is written); [] when none is."""
        kinds = set(map(type, cells))
        kinds.discard(_NONE)
        empty = f'"{s}/>' if s else None  # a styled empty cell: <c r="A5" s="3"/>
        if not kinds:
            return [f'<c r="{letter}{r}{empty}' for r in refs] if empty else []
        if kinds == {str}:
            if _plain_texts(cells):
                start, middle, end = f'<c r="{letter}', f'"{s} t="inlineStr"><is><t>', "</t></is></c>"
                return [f"{start}{r}{middle}{value}{end}" if value else
                        (f"{start}{r}{empty}" if empty else "") for r, value in zip(refs, cells)]
        elif kinds == {int}:
            start, middle, end = f'<c r="{letter}', f'"{s}><v>', "</v></c>"
            return [f"{start}{r}{middle}{value}{end}" if value is not None else
                    (f"{start}{r}{empty}" if empty else "") for r, value in zip(refs, cells)]
        render = self.renderer.cell
        return [render(letter + r, value, s) for r, value in zip(refs, cells)]


# ----------------------------------------------------------------------------------
# print layout (tables/layout.py): the parts of a worksheet around <sheetData>
# ----------------------------------------------------------------------------------
# CT_Worksheet children, in schema order, that the print layout writes or that come after them.
_LAYOUT_TAIL = ("printOptions", "pageMargins", "pageSetup", "headerFooter", "rowBreaks")
_AFTER_LAYOUT_TAIL = ("colBreaks", "customProperties", "cellWatches", "ignoredErrors", "smartTags", "drawing",
                      "legacyDrawing", "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls",
                      "webPublishItems", "tableParts", "extLst")


def _element(name: str) -> re.Pattern[str]:
    """A whole element (empty or with content) of that local name, without a prefix."""
    return re.compile(rf"<{name}\b(?:[^>]*?/>|.*?</{name}>)", re.S)


def cols_xml(widths: Sequence[float]) -> str:
    """<cols> with one <col> per run of equal widths (customWidth: Excel keeps them as set)."""
    if not widths:
        return ""
    parts, start = [], 0
    for i in range(1, len(widths) + 1):
        if i == len(widths) or widths[i] != widths[start]:
            parts.append(f'<col min="{start + 1}" max="{i}" width="{_number(widths[start])}" customWidth="1"/>')
            start = i
    return "<cols>" + "".join(parts) + "</cols>"


def row_height_attrs(heights: Mapping[int, float]) -> dict[int, str]:
    """The <row> attributes that give rows their computed heights."""
    return {row: f' ht="{_number(h)}" customHeight="1"' for row, h in heights.items()}


def _number(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def page_xml(page, breaks: Sequence[int] = ()) -> str:
    """printOptions, pageMargins, pageSetup, headerFooter and rowBreaks of a tables.layout.PageLayout."""
    left, right, top, bottom = page.margins
    out = []
    if page.centered:
        out.append('<printOptions horizontalCentered="1"/>')
    out.append(f'<pageMargins left="{left}" right="{right}" top="{top}" bottom="{bottom}" '
               f'header="0.3" footer="0.3"/>')
    fit = ""
    if page.fit_width:
        fit = f' fitToWidth="1" fitToHeight="{1 if page.fit_height else 0}"'
    out.append(f'<pageSetup paperSize="9" orientation="{page.orientation}"{fit}/>')
    if page.header or page.footer:
        inner = (f"<oddHeader>{_escape_text(page.header)}</oddHeader>" if page.header else "") + \
                (f"<oddFooter>{_escape_text(page.footer)}</oddFooter>" if page.footer else "")
        out.append(f"<headerFooter>{inner}</headerFooter>")
    if breaks:
        items = "".join(f'<brk id="{row}" max="16383" man="1"/>' for row in breaks)
        out.append(f'<rowBreaks count="{len(breaks)}" manualBreakCount="{len(breaks)}">{items}</rowBreaks>')
    return "".join(out)


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def with_layout(head: bytes, tail: bytes, widths: Sequence[float], page, default_height: float) -> tuple[bytes, bytes]:
    """A worksheet's XML before and after <sheetData> with the layout's columns, default row height, fit to
    page and page setup in place of what it had (everything else kept as it is)."""
    text = head.decode("utf-8")
    fit = '<pageSetUpPr fitToPage="1"/>' if page.fit_width else ""
    sheet_pr = re.search(r"<sheetPr\b[^>]*?(/>|>.*?</sheetPr>)", text, re.S)
    if sheet_pr:
        inner = sheet_pr.group(0)
        inner = re.sub(r"<pageSetUpPr\b[^>]*/>", "", inner)
        if fit:
            inner = inner[:-2] + ">" + fit + "</sheetPr>" if inner.endswith("/>") else \
                inner.replace("</sheetPr>", fit + "</sheetPr>")
        text = text[:sheet_pr.start()] + inner + text[sheet_pr.end():]
    elif fit:
        root = re.search(r"<worksheet\b[^>]*>", text)
        if root:
            text = text[:root.end()] + f"<sheetPr>{fit}</sheetPr>" + text[root.end():]
    widths = kept_widths(text, widths)
    text = _element("cols").sub("", text)
    fmt = f'<sheetFormatPr defaultRowHeight="{_number(default_height)}" customHeight="1"/>'
    if re.search(r"<sheetFormatPr\b", text):
        text = _element("sheetFormatPr").sub(fmt, text, count=1)
    else:
        text += fmt
    text += cols_xml(widths)
    tail_text = tail.decode("utf-8")
    for name in _LAYOUT_TAIL:
        tail_text = _element(name).sub("", tail_text)
    at = len(tail_text)
    for name in (*_AFTER_LAYOUT_TAIL, "/worksheet"):
        m = re.search(rf"<{name}\b" if not name.startswith("/") else r"</worksheet>", tail_text)
        if m:
            at = min(at, m.start())
    tail_text = tail_text[:at] + page_xml(page, page.breaks) + tail_text[at:]
    return text.encode("utf-8"), tail_text.encode("utf-8")


_COL = re.compile(r"<col\b[^>]*>")
_ATTR = re.compile(r'\b(min|max|width)="([^"]*)"')


def kept_widths(head: str, widths: Sequence[float]) -> list[float]:
    """The layout's widths, except that a column the sheet had wider (staff widened it) stays as wide:
    a refresh never narrows a column someone made room in (wider columns only let a page hold more)."""
    out = list(widths)
    for tag in _COL.findall(head):
        attrs = dict(_ATTR.findall(tag))
        try:
            first, last, width = int(attrs["min"]), int(attrs["max"]), float(attrs["width"])
        except (KeyError, ValueError):
            continue
        for col in range(first - 1, min(last, len(out))):
            if width > out[col]:
                out[col] = width
    return out


def _quoted_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def with_print_names(workbook: bytes, index: int, sheet: str, title_rows: tuple[int, int] | None,
                     print_area: str | None) -> bytes:
    """workbook.xml with the sheet's _xlnm.Print_Titles and _xlnm.Print_Area set (or removed when None)."""
    text = workbook.decode("utf-8")
    if re.search(r"<[\w.-]+:workbook\b", text):  # a prefixed workbook: left as it is
        return workbook
    names = re.search(r"<definedNames>(.*?)</definedNames>|<definedNames/>", text, re.S)
    body = names.group(1) or "" if names else ""
    for name in ("_xlnm.Print_Titles", "_xlnm.Print_Area"):
        body = re.sub(rf'<definedName\b(?=[^>]*\sname="{re.escape(name)}")(?=[^>]*\slocalSheetId="{index}")'
                      rf"[^>]*>.*?</definedName>", "", body, flags=re.S)
    quoted = _escape_text(_quoted_sheet(sheet))
    if title_rows:
        body += (f'<definedName name="_xlnm.Print_Titles" localSheetId="{index}">'
                 f"{quoted}!${title_rows[0]}:${title_rows[1]}</definedName>")
    if print_area:
        first, _, last = print_area.partition(":")
        absolute = "$" + re.sub(r"(\d+)", r"$\1", first) + (":$" + re.sub(r"(\d+)", r"$\1", last) if last else "")
        body += f'<definedName name="_xlnm.Print_Area" localSheetId="{index}">{quoted}!{absolute}</definedName>'
    element = f"<definedNames>{body}</definedNames>" if body else ""
    if names:
        return (text[:names.start()] + element + text[names.end():]).encode("utf-8")
    if not element:
        return workbook
    m = re.search(r"</externalReferences>|<externalReferences\b[^>]*/>|</sheets>", text)
    if not m:
        return workbook
    return (text[:m.end()] + element + text[m.end():]).encode("utf-8")
