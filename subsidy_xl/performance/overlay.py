"""A BookSource as it will read once a plan's patches are written: the 问题清单
a use case writes describes the workbook after the change, not before it."""
from __future__ import annotations

from typing import TYPE_CHECKING, Mapping, Sequence

from .model import Grid

if TYPE_CHECKING:
    from ..analysis import BookSource

Patch = Mapping[int, Mapping[int, tuple[object, str | None]]]


class PatchedSource:
    def __init__(self, src: "BookSource", patches: Mapping[str, Patch]):
        self._src = src
        self._patches = patches
        self.sheet_names = src.sheet_names

    def grid(self, name: str) -> Grid | None:
        grid = self._src.grid(name)
        patch = self._patches.get(name)
        return patched_grid(grid, patch) if grid is not None and patch else grid

    def merged(self, name: str) -> Sequence[tuple[int, int, int, int]]:
        return self._src.merged(name)

    def __getattr__(self, name: str):
        """Anything else the wrapped source offers (``external_links`` …) reads as before."""
        if name.startswith("__") or name in ("_src", "_patches"):
            raise AttributeError(name)
        return getattr(self._src, name)


def patched_grid(grid: Grid, patch: Patch) -> list[list[object]]:
    """A copy of ``grid`` with the patch's values written in (growing it where needed)."""
    rows = [list(r) for r in grid]
    for excel_row, cols in patch.items():
        while len(rows) < excel_row:
            rows.append([])
        row = rows[excel_row - 1]
        for col, (value, _style) in cols.items():
            row.extend([None] * (col + 1 - len(row)))
            row[col] = value
    return rows
