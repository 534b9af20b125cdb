"""The refresh use case: every owned sheet and the computed columns of 一次性补助名册, as a plan."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from .analysis import Analysis, BookSource, analyse
from .issues import count_by_severity, counts_text
from .months import Quarter
from .plan import Patch, Progress, WritePlan, bulk_work, changelog_entry, quiet
from .schema import CHANGELOG_SHEET, ISSUES_SHEET, ONE_OFF, ONE_OFF_PAY_SHEET, QUARTERLY_SHEET
from .tables.budget import budget_sheet
from .tables.payments import one_off_sheet, quarterly_sheet
from .tables.records import changelog_sheet, issues_sheet
from .tables.summary import summary_sheet

# The big sheets a refresh rewrites: what is kept of them is read on another core while the plan is made.
REFRESH_PREFETCH = (QUARTERLY_SHEET, ONE_OFF_PAY_SHEET, ISSUES_SHEET)


@dataclass
class RefreshReport:
    analysis: Analysis
    quarter_figures: dict
    one_off_figures: dict
    out: Path | None = None
    backup: Path | None = None

    @property
    def figures(self) -> dict:
        """The budget's figures (资金安排), as the analysis computed them."""
        return self.analysis.budget

    @property
    def counts(self) -> dict[str, int]:
        return count_by_severity(self.analysis.issues)

    def summary(self) -> str:
        q, o = self.quarter_figures, self.one_off_figures
        if q.get("stopped"):
            return (f"参数表有错误，未生成发放名单：{self.analysis.quarter.label}生活补贴实发 0人 0元"
                    f"（暂缓 {q['held']}人），一次性补助实发 0人 0元（暂缓 {o['held']}人）；"
                    f"{counts_text(self.analysis.issues)}")
        return (f"{self.analysis.quarter.label}生活补贴实发 {q['paid']}人 {q['total']:,}元"
                f"（{_held_text(q)}，本季无应发 {q['not_due']}人）；"
                f"一次性补助实发 {o['paid']}人 {o['total']:,}元（{_held_text(o)}）；"
                f"{counts_text(self.analysis.issues)}")


def _held_text(figures: dict) -> str:
    """暂缓 N人 X元, and how many of them have no amount the rules could give (as the payment sheet's title)."""
    text = f"暂缓 {figures['held']}人 {figures['held_amount']:,}元"
    unknown = figures.get("held_unknown") or 0
    return text + (f"，其中{unknown}人无法测算" if unknown else "")


def one_off_patch(analysis: Analysis, grid: Sequence[Sequence[object]], rewrite_unchanged: bool = True) -> Patch:
    """The computed columns of 一次性补助名册: values for each person, cleared on rows now blank.

    ``grid`` is the sheet as read. Without ``rewrite_unchanged``, a row whose three cells already hold
    their values is left out: the file writer then rewrites only what changed, and a 100,000-row roster
    whose computed columns are all still right is not rewritten at all. (The live adapter writes the
    columns in one call, unchanged rows included.)
    """
    roster = analysis.one_off
    cols = [roster.cols[k] for k in ("rate", "months", "amount") if k in roster.cols]
    if len(cols) < 3:
        return {}  # a missing column is reported; nothing to write into
    patch: Patch = {}
    by_row = {p.rec.row: p for p in analysis.one_off_people}
    for row in range(roster.header_row + 1, len(grid) + 1):
        if row in roster.not_people:  # a 合计 row, a table's total row, a note: never written (not_people.py)
            continue
        person = by_row.get(row)
        r = person.result if person and not person.held else None  # a held row shows no amount until fixed
        values = (r.rate, r.months, r.amount) if r else (None, None, None)
        if not rewrite_unchanged:
            read = grid[row - 1]
            cells = tuple(read[c] if c < len(read) else None for c in cols)
            if (cells == values and tuple(map(type, cells)) == tuple(map(type, values))) \
                    or all(map(_holds, cells, values)):  # the first test is the common case, at once
                continue
        patch[row] = {c: (v, None) for c, v in zip(cols, values)}
    return patch


def _holds(cell: object, value: object) -> bool:
    """The cell as read already shows ``value``: the same number, the same text, or empty for None."""
    if value is None or cell is None:
        return cell is None and value is None
    if isinstance(value, str) or isinstance(cell, str):
        return type(cell) is type(value) and cell == value
    return type(cell) is not bool and type(value) is not bool and cell == value


def plan_refresh(src: BookSource, quarter: Quarter | None = None, progress: Progress = quiet,
                 rewrite_unchanged: bool = True) -> tuple[WritePlan, RefreshReport]:
    """The refresh of ``src`` as a plan; ``rewrite_unchanged``: see one_off_patch."""
    with bulk_work():
        return _plan_refresh(src, quarter, progress, rewrite_unchanged)


def _plan_refresh(src: BookSource, quarter: Quarter | None, progress: Progress,
                  rewrite_unchanged: bool) -> tuple[WritePlan, RefreshReport]:
    progress("校验名册和参数…")
    analysis = analyse(src, quarter)
    params = analysis.params
    unit = str(analysis.project_info.get("unit") or "")
    progress("生成发放表和资金安排…")
    quarterly, q_fig = quarterly_sheet(analysis.living_people, analysis.quarter, params, unit, stops=analysis.stops)
    one_off, o_fig = one_off_sheet(analysis.one_off_people, params, unit, stops=analysis.stops)
    figures = analysis.budget
    report = RefreshReport(analysis, q_fig, o_fig)
    previous = (src.grid(CHANGELOG_SHEET) or [])[1:]
    plan = WritePlan(
        sheets=[quarterly, one_off, budget_sheet(figures, params),
                summary_sheet(analysis.living_people, analysis.one_off_people, analysis.quarter, params, figures),
                issues_sheet(analysis.issues),
                changelog_sheet(previous, changelog_entry("刷新", str(analysis.quarter), report.summary()))],
        patches={ONE_OFF.name: one_off_patch(analysis, src.grid(ONE_OFF.name) or [], rewrite_unchanged)},
    )
    for sheet in plan.sheets:
        sheet.stamp(unit)  # every printed page: 填报单位, 第X页 共N页
    return plan, report


@dataclass
class CheckReport:
    """校验 as the ribbon does it: the analysis, and where the 问题清单 was written."""
    analysis: Analysis
    out: Path | None = None
    backup: Path | None = None

    def summary(self) -> str:
        return f"校验完成。{counts_text(self.analysis.issues)}。"


def plan_check(src: BookSource, progress: Progress = quiet) -> tuple[WritePlan, CheckReport]:
    """校验: every check run, only the 问题清单 rewritten (the ribbon's 校验 and the web page's, one plan)."""
    with bulk_work():
        progress("校验…")
        analysis = analyse(src)
        sheet = issues_sheet(analysis.issues)
        sheet.stamp(str(analysis.project_info.get("unit") or ""))  # every printed page: 填报单位, 第X页 共N页
        return WritePlan(sheets=[sheet]), CheckReport(analysis)
