"""What the page shows, made from the use cases' own results: issue rows with the street of their roster
row, the ribbon's figures, the 变动情况 sheet as written. Nothing is computed here that a use case or a
table builder does not already compute; IDs and bank accounts are masked on the way out."""
from __future__ import annotations

import datetime as _dt
import re
from decimal import Decimal
from typing import Iterable, Sequence

from ..idcard import redact
from ..issues import Issue, count_by_severity
from ..schema import SEVERITY_LABELS
from ..tables.budget import PART_HEADERS, QUARTER_HEADERS, budget_sheet
from ..tables.summary import QUARTER_CHART_COLS, QUARTER_FIRST_ROW, QUARTER_LAST_ROW, STREET_CHART_COLS, STREET_FIRST_ROW
from ..tables.summary import QUARTER_HEADERS as SUMMARY_QUARTER_HEADERS
from ..tables.summary import STREET_HEADERS, STREET_ROWS, summary_sheet
from .charts import bar_chart

def masked(value: object) -> str:
    """A value as text for the page, with IDs (first 6 and last 4 kept) and accounts (last 4) masked as the
    tool masks them everywhere (``idcard.redact``: the use cases already mask their messages; this is the
    last guard, for cells shown as written)."""
    if value is None:
        return ""
    if isinstance(value, _dt.datetime):
        text = value.strftime("%Y-%m-%d %H:%M:%S")
    elif isinstance(value, _dt.date):
        text = value.isoformat()
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value)
    return redact(text)


def _row_number(cell: str) -> int | None:
    m = re.fullmatch(r"[A-Z]+(\d+)", cell or "")
    return int(m[1]) if m else None


def issue_rows(issues: Sequence[Issue], rosters: Iterable = ()) -> list[dict]:
    """The 问题清单 as table rows; ``rosters`` (RosterData) give each roster row's 街道 for the filter."""
    streets: dict[tuple[str, int], str] = {}
    for roster in rosters:
        for rec in roster.records:
            street = rec.values.get("street")
            if street:
                streets[(rec.sheet, rec.row)] = str(street)
    rows = []
    for n, i in enumerate(issues, 1):
        row = _row_number(i.cell)
        rows.append({
            "n": n, "severity": i.severity, "severity_label": SEVERITY_LABELS[i.severity], "sheet": i.sheet,
            "cell": i.cell, "where": f"{i.sheet}!{i.cell}" if i.cell else i.sheet,
            "street": streets.get((i.sheet, row), "") if row else "",
            "value": masked(i.value), "message": masked(i.message), "basis": i.basis, "code": i.code,
        })
    return rows


def _number(v) -> int | str:
    """Exact money as JSON: whole yuan as an int, fen as a string (never a float)."""
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else str(v)
    return v


def figures(analysis, quarter_figures: dict | None = None, one_off_figures: dict | None = None,
            summary_line: str = "") -> dict:
    """What the ribbon reports for a book: people and amounts by roster and quarter, issue counts by
    severity, budget against computed (the 资金安排 sheet's tables), the 汇总 sheet's table by 街道 and its
    two charts drawn from the very cells the template's charts read."""
    b, params = analysis.budget, analysis.params
    years = [p.year(params.budget_year, params) for p in analysis.living_people]
    quarters = []
    for i, q in enumerate(b["quarters"]):
        here = q.q == b["one_off_quarter"]
        quarters.append({
            "quarter": q.label, "code": str(q), "living_people": sum(1 for year in years if year[i].months),
            "living_amount": _number(b["living_by_quarter"][i]),
            "one_off_people": b["one_off_paid_people"] if here else 0,
            "one_off_amount": _number(b["one_off_total"]) if here else 0,
        })
    summary = summary_sheet(analysis.living_people, analysis.one_off_people, analysis.quarter, params, b)
    by_street = [summary.row_values(r) for r in range(STREET_FIRST_ROW, STREET_FIRST_ROW + STREET_ROWS)]
    by_street = [row for row in by_street if row and row[0]]
    by_quarter = [summary.row_values(r) for r in range(QUARTER_FIRST_ROW, QUARTER_LAST_ROW + 1)]
    charts = {
        "quarters": bar_chart(
            "按季度累计：预算与测算（元）", [row[0] for row in by_quarter],
            [(SUMMARY_QUARTER_HEADERS[c], [row[c] for row in by_quarter]) for c in QUARTER_CHART_COLS]),
        "streets": bar_chart(
            "各街道全年补助（测算，元）", [row[0] for row in by_street],
            [(STREET_HEADERS[c], [row[c] for row in by_street]) for c in STREET_CHART_COLS],
            stacked=True, horizontal=True),
    }
    counts = count_by_severity(analysis.issues)
    budget_parts, budget_quarters = sheet_tables(budget_sheet(b, params), (PART_HEADERS, QUARTER_HEADERS))
    streets, summary_quarters = sheet_tables(summary, (STREET_HEADERS, SUMMARY_QUARTER_HEADERS))
    out = {
        "quarter": analysis.quarter.label, "quarter_code": str(analysis.quarter), "year": params.budget_year,
        "counts": counts, "counts_labels": {SEVERITY_LABELS[k]: v for k, v in counts.items()},
        "budget": {"budget": _number(b["living_budget"] + b["one_off_budget"]),
                   "computed": _number(b["living_total"] + b["one_off_total"])},
        "budget_table": budget_parts, "budget_quarters": budget_quarters, "streets_table": streets,
        "quarters": quarters, "charts": charts, "street_names": list(params.streets),
        "summary": masked(summary_line),
    }
    # People paid and the amount, as the payment sheets count them; who is held back or not due and why is
    # in the use case's own summary line (shown beside them), not re-derived here.
    if quarter_figures is not None:
        out["this_quarter"] = {"paid": quarter_figures["paid"], "total": _number(quarter_figures["total"])}
    if one_off_figures is not None:
        out["one_off"] = {"paid": one_off_figures["paid"], "total": _number(one_off_figures["total"])}
    return out


_NUMBER_STYLES = {"money", "int", "total", "total_int"}


def shown_cell(value: object, style: str | None) -> str:
    """A cell of a sheet the tool builds, as it reads in Excel: its style says a rate is a percentage."""
    if value is None:
        return ""
    if style == "pct" and isinstance(value, (int, Decimal)):
        return f"{Decimal(value) * 100:.2f}%"
    if style in _NUMBER_STYLES and isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return f"{value:,}" if value == int(value) else f"{value:,.2f}"
    return masked(value)


def sheet_tables(sheet, headers: Sequence[Sequence[str]]) -> list[dict]:
    """The tables of a built sheet that start at each header row in ``headers`` (and run to the next empty
    row), as {"header", "rows"} of display texts: the page shows what the sheet shows."""
    from ..tables.sheet import line_cells

    lines = {line[0]: line for line in sheet.lines}
    tables = []
    for header in headers:
        start = next((r for r in lines if tuple(sheet.row_values(r)[:len(header)]) == tuple(header)), None)
        rows, r = [], (start or 0) + 1
        while start is not None and r in lines and any(v is not None for v in lines[r][2]):
            cells = {col: (value, style) for col, value, style in line_cells(lines[r])}
            rows.append([shown_cell(*cells.get(c, (None, None))) for c in range(len(header))])
            r += 1
        tables.append({"header": list(header), "rows": rows})
    return tables


def sheet_table(grid: Sequence[Sequence[object]] | None) -> list[list[str]]:
    """A sheet as written (e.g. 变动情况), row by row, masked, without its empty rows."""
    rows = []
    for row in grid or []:
        cells = [masked(v) for v in row]
        while cells and cells[-1] == "":
            cells.pop()
        if cells:
            rows.append(cells)
    return rows


def roster_data(analysis) -> list:
    """The rosters an analysis read (their rows give each issue its 街道)."""
    return [analysis.living, analysis.one_off]
