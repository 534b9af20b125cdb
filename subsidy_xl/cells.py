"""A1 references, and the shape of the rows written into a sheet."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Sequence

# (0-based column, value, style key or None)
Cell = tuple[int, object, "str | None"]
# (Excel row, 0-based first column, values, styles): ``styles`` is one style key (or None) for every value,
# or a sequence of them, one per value. A 100,000-row payment sheet is 100,000 of these, each sharing its
# styles tuple, rather than millions of per-cell tuples; the file writer renders runs of them column by column.
Line = tuple[int, int, Sequence[object], "str | None | Sequence[str | None]"]


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
