"""Read the values of an .xlsx/.xlsm workbook quickly, one sheet at a time.

python-calamine does the parsing (several times faster than openpyxl); this
module adds the safety checks of zipsafe, aligns every grid to A1 and turns
calamine's conventions into plain Python values:

* an empty cell (or a formula without a cached value) is ``None``, not ``""``;
* a whole-number float that a double holds exactly (|x| <= 2**53) is an ``int``,
  because xlsx stores every number as a double and 5 should read as 5; larger
  numbers stay ``float`` so that a mangled 18-digit ID such as 5.30114E+17
  still looks like what it is;
* dates and date-times come back as ``datetime.date`` / ``datetime.datetime``
  (calamine honours date1904); time-only cells as ``datetime.time`` and
  durations as ``datetime.timedelta``;
* error values (#N/A, #REF! ...) read as their text, as Excel shows them and as
  the live door reads them (cell_errors.py): python-calamine hands them over as
  empty cells, so they are found in the sheet's XML (``t="e"`` cells) and put
  back, never left to look like blank cells; numbers no double holds
  (``<v>1e999</v>`` would be inf) read as ``None``.

Coordinates: ``rows[0]`` is Excel row 1 and ``rows[r][0]`` is column A.
"""
from __future__ import annotations

import datetime as dt
import io
import math
import os
import re
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import NamedTuple

from python_calamine import CalamineError, CalamineWorkbook

from ..cells import col_index, range_text
from .bad_dates import calamine_gave_up, dates_as_text
from .extent import SheetScan, formula_rows, resolve_shared, scan_part, trimmed_sheet, with_sheet
from .zipsafe import RESAVE_HINT, NotInWorkbook, SafePackage, SheetEntry, UnreadableWorkbook, UnsafeWorkbook

__all__ = ["BookData", "CellRange", "NotInWorkbook", "SheetData", "UnreadableWorkbook", "UnsafeWorkbook", "Value",
           "read_book"]

Value = str | int | float | bool | dt.date | dt.datetime | dt.time | dt.timedelta | None

_EXACT_INT_LIMIT = float(2**53)


class CellRange(NamedTuple):
    """A rectangle of cells, 0-based and inclusive (row 0 = Excel row 1, col 0 = column A)."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int

    def __str__(self) -> str:
        return range_text(self.first_row + 1, self.first_col, self.last_row + 1, self.last_col,
                          one_cell_as_range=True)


@dataclass(frozen=True)
class SheetData:
    name: str
    rows: list[list[Value]]  # rectangular, A1-aligned, no trailing empty rows; empty sheet -> []
    merged: tuple[CellRange, ...]
    visibility: str  # "visible", "hidden" or "veryHidden"


class BookData:
    """A workbook opened for reading; sheets are parsed on first use and cached.

    Also the analysis' BookSource: ``grid(name)`` and ``merged(name)``.
    """

    def __init__(self, package: SafePackage) -> None:
        self.path = package.path
        self._package = package
        self._entries = {entry.name: entry for entry in package.sheets() if entry.kind == "worksheet"}
        self.sheet_names: list[str] = list(self._entries)
        self.visibility: dict[str, str] = {name: entry.state for name, entry in self._entries.items()}
        self.external_links: list[str] = package.external_links()  # reported by the checks, never followed
        self._verify_shared_parts()
        try:
            # BytesIO shares the validated bytes (no copy, no second open of a file that may have changed).
            self._calamine = CalamineWorkbook.from_filelike(io.BytesIO(package.data))
        except CalamineError as exc:
            raise UnreadableWorkbook(
                f"无法读取工作簿“{os.path.basename(self.path)}”，文件可能已损坏。{RESAVE_HINT}") from exc
        self._cache: dict[str, SheetData] = {}
        self.scans: dict[str, SheetScan] = {}  # sheet -> what its XML showed (formula rows, far-away cells)
        self._pending: dict[str, Future[SheetData]] = {}  # sheets being read on the reader thread
        self._reader: ThreadPoolExecutor | None = None
        self._reader_calamine: CalamineWorkbook | None = None  # the reader thread's own (not shareable)

    @property
    def package(self) -> SafePackage:
        """The validated bytes read (read-only): a writer edits these rather than reading the file again."""
        return self._package

    def __contains__(self, name: str) -> bool:
        return name in self._entries

    def sheet(self, name: str) -> SheetData:
        if name not in self._cache:
            pending = self._pending.pop(name, None)
            self._cache[name] = pending.result() if pending else self._read_sheet(self._entry(name))
        return self._cache[name]

    def prefetch(self, names: Iterable[str]) -> None:
        """Start reading these sheets, in order, on another thread; sheet() and grid() wait for them.

        python-calamine parses a sheet without holding Python's GIL, so on a second core one roster
        is parsed while the caller checks the one before it.
        """
        for name in names:
            if name in self._entries and name not in self._cache and name not in self._pending:
                if self._reader is None:
                    self._reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="read-sheet")
                self._pending[name] = self._reader.submit(self._read_sheet, self._entries[name], True)

    def grid(self, name: str) -> list[list[Value]] | None:
        """The sheet's rows, or None when the workbook has no such worksheet."""
        return self.sheet(name).rows if name in self else None

    def merged(self, name: str) -> tuple[CellRange, ...]:
        """The sheet's merged ranges, () when the workbook has no such worksheet."""
        return self.sheet(name).merged if name in self else ()

    def formula_rows(self, name: str) -> frozenset[int]:
        """Excel rows of the sheet that hold a formula (read with the sheet, from its XML)."""
        if name not in self:
            return frozenset()
        self.sheet(name)
        scan = self.scans[name]
        if scan.formula_rows is None:  # a sheet read the quick way: looked for now, once
            scan.formula_rows = formula_rows(self._package.read(self._entries[name].part))
        return scan.formula_rows

    def totals_rows(self, name: str) -> frozenset[int]:
        """Excel rows of the sheet that are an Excel table's total row (``totalsRowCount`` of its table parts)."""
        if name not in self:
            return frozenset()
        rows: set[int] = set()
        for _id, kind, target in self._package.relationships(self._entries[name].part):
            if not kind.endswith("/table") or target not in self._package:
                continue
            table = self._package.xml(target)
            try:
                count = int(table.get("totalsRowCount", "0"))
                bottom = int(re.sub(r"^[^:]*:[A-Z]+", "", table.get("ref", "")) or 0)
            except ValueError:
                continue  # a damaged table part: no total row is known
            rows.update(range(bottom - count + 1, bottom + 1) if count > 0 else ())
        return frozenset(rows)

    def _entry(self, name: str) -> SheetEntry:
        try:
            return self._entries[name]
        except KeyError:
            raise NotInWorkbook(f"工作簿“{os.path.basename(self.path)}”中没有名为“{name}”的工作表。") from None

    def _read_sheet(self, entry: SheetEntry, on_reader_thread: bool = False) -> SheetData:
        # Inflate once through zipfile first: bounded by the checked declared size
        # and CRC-verified, so calamine never meets a member that lies about its size.
        scan, xml = scan_part(self._package, entry.part)  # inflated once, CRC-checked (see extent.py)
        self.scans[entry.name] = scan
        trimmed = None
        errors = _error_cells(xml) if xml is not None and b't="e"' in xml else ()  # xml: see scan_part
        try:
            if scan.trimmed:  # far-away cells: calamine reads a copy without them (see extent.py)
                resolve_shared(scan, self._package)
                trimmed = trimmed_sheet(xml, scan)
                book = CalamineWorkbook.from_filelike(io.BytesIO(with_sheet(self._package, entry.part, trimmed)))
            else:
                if on_reader_thread and self._reader_calamine is None:
                    self._reader_calamine = CalamineWorkbook.from_filelike(io.BytesIO(self._package.data))
                book = self._reader_calamine if on_reader_thread else self._calamine
            del xml
            raw_rows, raw_merges = _calamine_sheet(book, entry.name)
        except CalamineError as exc:
            raise UnreadableWorkbook(f"工作表“{entry.name}”无法读取，文件可能已损坏。{RESAVE_HINT}") from exc
        except BaseException as exc:  # noqa: B036 - python-calamine's Rust panics are BaseExceptions
            if not calamine_gave_up(exc):
                raise
            raw_rows, raw_merges = self._read_dates_as_text(entry, trimmed)
        rows = [_clean_row(row) for row in raw_rows]
        for r, c, text in errors:  # error values where calamine gave an empty cell (never far-away cells)
            if r < len(rows) and c < len(rows[r]) and rows[r][c] is None:
                rows[r][c] = text
        # calamine's area includes formatted empty cells; a template's pre-formatted
        # rows are not data (the live Excel reader drops them the same way).
        while rows and all(value is None for value in rows[-1]):
            rows.pop()
        return SheetData(
            name=entry.name,
            rows=rows,
            merged=tuple(CellRange(r0, c0, r1, c1) for (r0, c0), (r1, c1) in raw_merges),
            visibility=entry.state,
        )

    def _read_dates_as_text(self, entry: SheetEntry, trimmed: bytes | None = None) -> tuple[list[list], list]:
        """The sheet once more, its out-of-range date and time numbers as text (see bad_dates.py); ``trimmed``:
        the sheet without its far-away cells, when it had some (extent.py)."""
        try:
            copy = CalamineWorkbook.from_filelike(io.BytesIO(dates_as_text(self._package, entry.part, trimmed)))
            return _calamine_sheet(copy, entry.name)
        except BaseException as exc:  # noqa: B036
            if not (isinstance(exc, CalamineError) or calamine_gave_up(exc)):
                raise
            raise UnreadableWorkbook(f"工作表“{entry.name}”中有无法读取的日期或时间，请在 Excel/WPS 中找到显示为 #### "
                                     f"的单元格，改正后再试。") from exc

    def _verify_shared_parts(self) -> None:
        """CRC-check the parts calamine parses when it opens the book (all but the sheets)."""
        sheet_parts = {entry.part for entry in self._entries.values()}
        for _id, _type, target in self._package.relationships(self._package.main_part):
            if target in self._package and target not in sheet_parts:
                self._package.verify(target)


def read_book(path: str | os.PathLike[str]) -> BookData:
    """Open a workbook for reading; raises UnreadableWorkbook (Chinese message) if it cannot be read."""
    return BookData(SafePackage(path))


def _calamine_sheet(book: CalamineWorkbook, name: str) -> tuple[list[list], list]:
    sheet = book.get_sheet_by_name(name)
    return sheet.to_python(skip_empty_area=False), sheet.merged_cell_ranges or []


_ERROR_CELL = re.compile(rb'<(?:\w+:)?c\b([^>]*?\bt="e"[^>/]*)>(.*?)</(?:\w+:)?c>', re.S)
_CELL_REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_CELL_VALUE = re.compile(rb'<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>')


def _error_cells(xml: bytes) -> list[tuple[int, int, str]]:
    """(0-based row, 0-based column, error text) of the sheet's error-value cells."""
    found = []
    for cell in _ERROR_CELL.finditer(xml):
        ref, value = _CELL_REF.search(cell.group(1)), _CELL_VALUE.search(cell.group(2))
        if ref and value:
            found.append((int(ref.group(2)) - 1, col_index(ref.group(1).decode()),
                          value.group(1).decode("utf-8", "replace").strip()))
    return found


def _clean_row(row: list) -> list[Value]:
    return [
        None if value == "" else
        value if type(value) is not float else
        int(value) if value.is_integer() and -_EXACT_INT_LIMIT <= value <= _EXACT_INT_LIMIT else
        value if math.isfinite(value) else None  # <v>1e999</v> or <v>NaN</v>: Excel shows #NUM!
        for value in row
    ]

