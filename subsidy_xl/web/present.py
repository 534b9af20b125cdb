"""What the page shows, made from the use cases' own results: issue rows with the street of their roster
row, the ribbon's figures, the 变动情况 sheet as written. Nothing is computed here that a use case or a
table builder does not already compute; IDs and bank accounts are masked on the way out."""
from __future__ import annotations

import datetime as _dt
import re
from decimal import Decimal
from typing import Iterable, Sequence

from ..idcard import mask, mask_account
from ..issues import Issue, count_by_severity
from ..schema import ROSTERS, SEVERITY_LABELS
from ..tables.budget import cumulative_by_quarter
from ..tables.summary import STREET_FIRST_ROW, STREET_ROWS, summary_sheet
from .charts import bar_chart

# An 18- or 15-character ID, then any other run of 12+ digits (bank accounts, cards): masked wherever they
# appear in text shown on the page (the use cases already mask IDs in their messages; this is the last guard).
_ID = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
_LONG_DIGITS = re.compile(r"(?<!\d)\d{12,}(?!\d)")


def masked(value: object) -> str:
    """A value as text for the page, with IDs (first 6 and last 4 kept) and accounts (last 4) masked."""
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
    text = _ID.sub(lambda m: mask(m[1]), text)
    return _LONG_DIGITS.sub(lambda m: mask_account(m[0]), text)


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
    severity, budget against computed, the 汇总 figures by 街道, and two charts of them."""
    b, params = analysis.budget, analysis.params
    years = [p.year(params.budget_year, params) for p in analysis.living_people]
    quarters = []
    for i, row in enumerate(cumulative_by_quarter(b)):
        quarters.append({
            "quarter": row.quarter.label, "code": str(row.quarter),
            "living_people": sum(1 for year in years if year[i].months),
            "living_amount": _number(b["living_by_quarter"][i]),
            "one_off_people": b["one_off_paid_people"] if row.quarter.q == b["one_off_quarter"] else 0,
            "one_off_amount": _number(b["one_off_total"]) if row.quarter.q == b["one_off_quarter"] else 0,
            "budget_cumulative": _number(row.budget), "computed_cumulative": _number(row.computed),
            "rate": None if row.rate is None else f"{row.rate * 100:.2f}%",
        })
    sheet = summary_sheet(analysis.living_people, analysis.one_off_people, analysis.quarter, params, b)
    streets = []
    for r in range(STREET_FIRST_ROW, STREET_FIRST_ROW + STREET_ROWS):
        values = sheet.row_values(r)
        if values and values[0]:
            name, now_people, now, year, one_people, one, whole = values[:7]
            streets.append({"street": name, "now_people": now_people, "now": _number(now), "year": _number(year),
                            "one_off_people": one_people, "one_off": _number(one), "total": _number(whole)})
    counts = count_by_severity(analysis.issues)
    budget = {
        "living": {"budget": _number(b["living_budget"]), "computed": _number(b["living_total"]),
                   "people": b["living_people"], "paid_people": b["living_paid_people"]},
        "one_off": {"budget": _number(b["one_off_budget"]), "computed": _number(b["one_off_total"]),
                    "people": b["one_off_people"], "paid_people": b["one_off_paid_people"]},
    }
    budget["total"] = {"budget": _number(b["living_budget"] + b["one_off_budget"]),
                       "computed": _number(b["living_total"] + b["one_off_total"])}
    charts = {
        "streets": bar_chart(
            "各街道全年补助（测算，元）", [s["street"] for s in streets],
            [("全年生活补贴", [s["year"] for s in streets]), ("一次性补助", [s["one_off"] for s in streets])],
            stacked=True, horizontal=True),
        "quarters": bar_chart(
            "按季度累计：预算与测算（元）", [q["quarter"] for q in quarters],
            [("累计预算", [q["budget_cumulative"] for q in quarters]),
             ("累计测算", [q["computed_cumulative"] for q in quarters])]),
    }
    out = {
        "quarter": analysis.quarter.label, "quarter_code": str(analysis.quarter), "year": params.budget_year,
        "counts": counts, "counts_labels": {SEVERITY_LABELS[k]: v for k, v in counts.items()},
        "budget": budget, "quarters": quarters, "streets": streets, "charts": charts,
        "street_names": list(params.streets), "summary": masked(summary_line),
    }
    if quarter_figures is not None:
        out["this_quarter"] = {"paid": quarter_figures["paid"], "total": _number(quarter_figures["total"]),
                               "unpaid": quarter_figures["unpaid"]}
    if one_off_figures is not None:
        out["one_off"] = {"paid": one_off_figures["paid"], "total": _number(one_off_figures["total"]),
                          "unpaid": one_off_figures["unpaid"]}
    return out


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
    return [analysis.living, analysis.one_off][:len(ROSTERS)]
