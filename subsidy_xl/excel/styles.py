"""Named cell styles applied to a live sheet by range, not cell by cell.

The cells of a written block are grouped into rectangles of one style (runs of
columns in a row, stacked over consecutive rows with the same runs), then all
rectangles of a style go to Excel as multi-area addresses ("A1:J1,A4:A20"): a
sheet of thousands of cells takes one call per style, or a few.

Only Excel for Windows can set a named style (``Range.Style`` over COM); the
xlwings API has no style property, so other engines get values without styles.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Iterable, Sequence

from ..cells import range_text
from ..schema import STYLES

# Range("A1:B2,C3:D4") takes an address of at most 255 characters.
MAX_ADDRESS = 255
NORMAL_STYLE = "Normal"  # Excel's built-in name, the same in every UI language

Rect = tuple[int, int, int, int]  # first row, first col, last row, last col (Excel rows, 0-based cols)
Cells = Sequence[tuple[int, object, str | None]]  # (0-based col, value, style key)


def _runs(cells: Cells) -> list[tuple[int, int, str]]:
    """(first col, last col, style key) of consecutive columns sharing a style; unstyled cells skipped."""
    runs: list[list] = []
    for c, _v, s in sorted(cells, key=lambda cell: cell[0]):
        if s is None:
            continue
        if runs and runs[-1][2] == s and runs[-1][1] == c - 1:
            runs[-1][1] = c
        else:
            runs.append([c, c, s])
    return [tuple(r) for r in runs]


def style_rects(rows: Iterable[tuple[int, Cells]]) -> dict[str, list[Rect]]:
    """Style key -> rectangles covering every styled cell of ``rows`` (ascending Excel rows)."""
    done: list[tuple[tuple[int, int, str], list[int]]] = []
    open_: dict[tuple[int, int, str], list[int]] = {}  # run -> [first row, last row]
    for r, cells in rows:
        current = {}
        for run in _runs(cells):
            span = open_.pop(run, None)
            if span is not None and span[1] == r - 1:
                span[1] = r
            else:
                if span is not None:
                    done.append((run, span))
                span = [r, r]
            current[run] = span
        done.extend(open_.items())
        open_ = current
    done.extend(open_.items())
    by_style: dict[str, list[Rect]] = defaultdict(list)
    for (c1, c2, style), (r1, r2) in done:
        by_style[style].append((r1, c1, r2, c2))
    return dict(by_style)


def area_addresses(rects: Iterable[Rect], limit: int = MAX_ADDRESS) -> list[str]:
    """Multi-area addresses of at most ``limit`` characters covering ``rects``."""
    out: list[str] = []
    for address in (range_text(*rect) for rect in rects):
        if out and len(out[-1]) + 1 + len(address) <= limit:
            out[-1] += "," + address
        else:
            out.append(address)
    return out


class ComStyler:
    """Sets named styles through Excel's COM object model (Windows)."""

    def __init__(self) -> None:
        self.missing: set[str] = set()  # style names the workbook does not have

    def reset(self, rng) -> None:
        """Back to the Normal style: General number format, so text written next is parsed as typed."""
        rng.api.Style = NORMAL_STYLE

    def apply(self, sheet, rows: Iterable[tuple[int, Cells]]) -> int:
        """Style the cells of ``rows``; returns the number of COM calls made."""
        calls = 0
        for key, rects in style_rects(rows).items():
            name = STYLES[key]
            if name in self.missing:
                continue
            for address in area_addresses(rects):
                try:
                    sheet.api.Range(address).Style = name
                except Exception:  # a workbook made without our template lacks the style: values stay, unstyled
                    self.missing.add(name)
                    break
                calls += 1
        return calls
