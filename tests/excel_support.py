"""Helpers of the live-Excel tests: the xlwings remote engine (xlwings.pro, PolyForm
Noncommercial, tests only), payloads made from real workbooks, and a replay of
the JSON actions a macro produced, so that tests can read the sheets it wrote."""
from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

from python_calamine import CalamineWorkbook

LICENSE_VARIABLE = "XLWINGS_LICENSE_KEY"


def remote_engine():
    """xlwings with its remote engine registered, whatever was imported before.

    The noncommercial key is set only while xlwings.pro validates it on import,
    so the rest of the test session runs in the environment it was given.
    """
    saved = os.environ.get(LICENSE_VARIABLE)
    os.environ[LICENSE_VARIABLE] = "noncommercial"
    try:
        import xlwings as xw

        if "remote" not in [e.name for e in xw.engines]:
            # xlwings was imported without the key: its pro package failed then and imports now.
            from xlwings.pro import _xlremote

            xw.engines.add(xw.main.Engine(impl=_xlremote.engine))
    finally:
        if saved is None:
            del os.environ[LICENSE_VARIABLE]
        else:
            os.environ[LICENSE_VARIABLE] = saved
    return xw


def _js(value):
    """A cell value as the xlwings JavaScript client sends it: dates as ISO text, empty as ""."""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%dT00:00:00.000Z")
    if isinstance(value, (dt.time, dt.timedelta)):
        return str(value)
    return value


def _tables(path: Path) -> dict[str, list[dict]]:
    """The Excel tables (ListObjects) of each sheet, as the client describes them."""
    from openpyxl import load_workbook
    from openpyxl.utils.cell import range_boundaries
    from subsidy_xl.cells import a1

    wb = load_workbook(path, read_only=False)
    out = {}
    for ws in wb.worksheets:
        for table in ws.tables.values():
            c1, r1, c2, r2 = range_boundaries(table.ref)
            out.setdefault(ws.title, []).append({
                "name": table.name, "range_address": table.ref, "show_headers": True, "show_totals": False,
                "header_row_range_address": f"{a1(r1, c1 - 1)}:{a1(r1, c2 - 1)}",
                "data_body_range_address": f"{a1(r1 + 1, c1 - 1)}:{a1(r2, c2 - 1)}"})
    return out


def payload(path: Path, name: str | None = None) -> dict:
    """The JSON a client sends for the workbook at ``path`` (values anchored at A1)."""
    import xlwings as xw

    book = CalamineWorkbook.from_path(str(path))
    tables = _tables(path)
    sheets = []
    for sheet_name in book.sheet_names:
        rows = book.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
        sheets.append({"name": sheet_name, "values": [[_js(v) for v in r] for r in rows] or [[]],
                       "pictures": [], "shapes": [], "charts": [], "notes": [], "tables": tables.get(sheet_name, [])})
    return {"client": "Microsoft Office Scripts", "version": xw.__version__,
            "book": {"name": name or path.name, "active_sheet_index": 0, "selection": "A1"},
            "names": [], "sheets": sheets}


def file_grids(path: Path) -> dict[str, list[list]]:
    """Every sheet of a workbook file, empty cells None."""
    book = CalamineWorkbook.from_path(str(path))
    return {n: [[None if v == "" else v for v in r] for r in book.get_sheet_by_name(n).to_python(skip_empty_area=False)]
            for n in book.sheet_names}


def _excel_stores(value):
    """What Excel keeps of a written value: the apostrophe prefix marks text and is not stored."""
    if value == "" or value is None:
        return None
    if isinstance(value, str) and value.startswith("'"):
        return value[1:]
    return value


RANGE_ACTIONS = {"setValues", "rangeClearContents", "setNumberFormat", "rangeUnmerge", "rangeMerge",
                 "setColumnWidth", "setRowHeight"}  # the last two: an owned sheet's print layout (issue 15)


def replay(data: dict, actions: list[dict]) -> dict[str, list[list]]:
    """The sheets' values after ``actions``, keyed by sheet name (values and clears only)."""
    names = [s["name"] for s in data["sheets"]]
    grids = {s["name"]: [[None if v == "" else v for v in r] for r in s["values"]] for s in data["sheets"]}
    for a in actions:
        if a["func"] == "addSheet":
            position, name = a["args"]
            names.insert(position, name)
            grids[name] = []
            continue
        if a["func"] not in ("setValues", "rangeClearContents"):
            continue
        grid = grids[names[a["sheet_position"]]]
        r0, c0 = a["start_row"], a["start_column"]
        for i in range(a["row_count"]):
            while len(grid) <= r0 + i:
                grid.append([])
            row = grid[r0 + i]
            row.extend([None] * (c0 + a["column_count"] - len(row)))
            for j in range(a["column_count"]):
                row[c0 + j] = _excel_stores(a["values"][i][j]) if a["func"] == "setValues" else None
    return grids


def same_value(a, b) -> bool:
    """Equal as Excel shows them: numbers to the fen, text exactly, empty alike."""
    a, b = (None if v == "" else v for v in (a, b))
    numbers = (int, float, Decimal)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool) and not isinstance(b, bool):
        return round(Decimal(str(a)), 2) == round(Decimal(str(b)), 2)
    return a == b


def trimmed(grid: list[list]) -> list[list]:
    """Rows without trailing empty cells, and no trailing empty rows."""
    rows = []
    for r in grid:
        r = list(r)
        while r and r[-1] in (None, ""):
            r.pop()
        rows.append(r)
    while rows and not rows[-1]:
        rows.pop()
    return rows


def grid_differences(left: list[list], right: list[list], limit: int = 10) -> list[str]:
    """Cells whose values differ (A1 references), at most ``limit``."""
    from subsidy_xl.cells import a1

    left, right = trimmed(left), trimmed(right)
    out = []
    for r in range(max(len(left), len(right))):
        lr = left[r] if r < len(left) else []
        rr = right[r] if r < len(right) else []
        for c in range(max(len(lr), len(rr))):
            x = lr[c] if c < len(lr) else None
            y = rr[c] if c < len(rr) else None
            if not same_value(x, y):
                out.append(f"{a1(r + 1, c)}: {x!r} != {y!r}")
                if len(out) >= limit:
                    return out
    return out
