"""A1 references, and the shape of the rows written into a sheet."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Sequence

# A sheet's limits in Excel 2007 and later.
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384

# (0-based column, value, style key or None)
Cell = tuple[int, object, "str | None"]
# (Excel row, 0-based first column, values, styles): ``styles`` is one style key (or None) for every value,
# or a sequence of them, one per value. A 100,000-row payment sheet is 100,000 of these, each sharing its
# styles tuple, rather than millions of per-cell tuples; the file writer renders runs of them column by column.
Line = tuple[int, int, Sequence[object], "str | None | Sequence[str | None]"]


def line_styles(styles: str | None | Sequence[str | None], width: int) -> Sequence[str | None]:
    """The style of each of a line's ``width`` values, from its ``styles`` (Line's last item): the
    sequence itself when it gives one per value, else the one style (or None) repeated ``width`` times."""
    if styles is None or isinstance(styles, str):
        return (styles,) * width
    return styles


@lru_cache(maxsize=256)
def col_letter(index: int) -> str:
    """0-based column index -> 'A', 'B', …, 'AA'."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def col_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def a1(row: int, col: int) -> str:
    """Excel row (1-based) and 0-based column -> 'B7'."""
    return f"{col_letter(col)}{row}"


def range_text(first_row: int, first_col: int, last_row: int, last_col: int, *,
               one_cell_as_range: bool = False) -> str:
    """Excel rows (1-based) and 0-based columns of a rectangle -> 'B7:D9'; a single cell is 'B7'
    (or 'B7:B7' with ``one_cell_as_range``)."""
    first = a1(first_row, first_col)
    if (first_row, first_col) == (last_row, last_col) and not one_cell_as_range:
        return first
    return f"{first}:{a1(last_row, last_col)}"


_A1 = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


def parse_a1(ref: str) -> tuple[int, int]:
    """'B7' -> (7, 1)."""
    m = _A1.match(ref)
    if not m:
        raise ValueError(ref)
    return int(m.group(2)), col_index(m.group(1))


def cell_sort_key(ref: str) -> tuple[int, int]:
    try:
        return parse_a1(ref)
    except ValueError:
        return (0, 0)


def parse_range(text: str) -> tuple[int, int, int, int]:
    """(first_row, first_col, last_row, last_col) of "A1" or "A1:C9"; rows 1-based, cols 0-based."""
    first, colon, last = text.strip().partition(":")
    try:
        if first != first.upper() or last != last.upper() or (colon and not last):
            raise ValueError(text)
        first_row, first_col = parse_a1(first)
        last_row, last_col = parse_a1(last) if colon else (first_row, first_col)
    except ValueError:
        raise ValueError(f"无效的单元格区域“{text}”。") from None
    if (not 1 <= first_row <= last_row <= MAX_ROWS) or not 0 <= first_col <= last_col < MAX_COLUMNS:
        raise ValueError(f"无效的单元格区域“{text}”。")
    return first_row, first_col, last_row, last_col
