"""The 绩效目标表 use cases as WritePlans: fill it from the data, import it from
a .xlsx/.docx. io/update.py applies them headlessly; a ribbon macro will apply the
same plans to a live book.

Each plan patches only the tool's cells of 绩效目标表 (and 项目信息's 年度绩效目标),
rewrites 问题清单 as the workbook will read after the change, and adds a
变更记录 entry.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..analysis import Analysis, BookSource, analyse
from ..issues import Issue, count_by_severity, counts_text, sort_issues
from ..plan import Progress, WritePlan, changelog_entry
from ..schema import CHANGELOG_SHEET, PERFORMANCE_SHEET
from ..tables.records import changelog_sheet, issues_sheet
from . import PerformanceError
from .fill import FillResult, plan_fill
from .importer import import_patch, read_source
from .model import read_table
from .overlay import PatchedSource
from .selfeval import shown



@dataclass
class PerformanceReport:
    action: str  # 填写绩效目标表 | 导入绩效目标表
    written: list[str] = field(default_factory=list)
    suggestions: list[Issue] = field(default_factory=list)
    fill: FillResult | None = None
    analysis: Analysis | None = None  # of the workbook as it reads after the change
    out: Path | None = None
    backup: Path | None = None
    notes: list[str] = field(default_factory=list)  # what an import did that staff should know

    @property
    def counts(self) -> dict[str, int]:
        return count_by_severity(self.analysis.issues)

    def summary(self) -> str:
        parts = [f"{self.action}：写入{len(self.written)}项"]
        ev = self.fill.evaluation if self.fill else None
        if ev is not None:
            parts.append(f"自评得分{shown(ev.total)}分（{ev.grade}）")
        if self.suggestions:
            parts.append(f"建议增加指标{len(self.suggestions)}项")
        parts.append(counts_text(self.analysis.issues))
        return "；".join(parts)


def _usable_table(src: BookSource):
    grid = src.grid(PERFORMANCE_SHEET)
    if grid is None:
        raise PerformanceError(f"工作簿中没有“{PERFORMANCE_SHEET}”工作表；请用 subsidy-xl new 生成的模板")
    table = read_table(grid)
    if not table.header_row:
        raise PerformanceError(f"“{PERFORMANCE_SHEET}”中找不到指标表头行（一级指标、二级指标、三级指标、指标性质、指标值……）")
    return table


def _plan(src: BookSource, report: PerformanceReport, patches: dict, quarter, extra: list[Issue]) -> WritePlan:

    report.analysis = analyse(PatchedSource(src, patches), quarter)
    issues = sort_issues(report.analysis.issues + extra)
    previous = (src.grid(CHANGELOG_SHEET) or [])[1:]
    entry = changelog_entry(report.action, PERFORMANCE_SHEET, report.summary())
    unit = str(report.analysis.project_info.get("unit") or "")
    sheets = [issues_sheet(issues).stamp(unit), changelog_sheet(previous, entry).stamp(unit)]  # 填报单位 on each page
    return WritePlan(sheets=sheets, patches=patches)


def plan_fill_performance(src: BookSource, progress: Progress) -> tuple[WritePlan, PerformanceReport]:
    _usable_table(src)  # refuses a workbook without a usable sheet
    progress("校验名册并计算指标…")
    analysis = analyse(src)
    result = plan_fill(src.grid(PERFORMANCE_SHEET), analysis.project_info, analysis.project_cells,
                       analysis.figures, analysis.params)
    report = PerformanceReport("填写绩效目标表", result.filled, result.suggestions, result)
    progress("复核填写后的绩效目标表…")
    return _plan(src, report, result.patches, analysis.quarter, result.suggestions), report


def plan_import_performance(src: BookSource, source: Path, progress: Progress) -> tuple[WritePlan, PerformanceReport]:
    table = _usable_table(src)
    progress(f"读取 {Path(source).name}…")
    imported = read_source(Path(source))
    patch = import_patch(table, imported)
    written = [label for label in imported.header if label in table.header_cells] + [f"指标{len(imported.rows)}行"]
    report = PerformanceReport("导入绩效目标表", written)
    report.notes = list(imported.notes)
    if "weight" in imported.cols:
        report.notes.append("表中的权重（分值）列未写入工作表：工作表的自评按参数表“绩效自评权重”计分；"
                            "权重是否合计100可用“审核绩效目标表”（review-performance）查看")
    progress("校验导入的绩效目标表…")
    return _plan(src, report, {PERFORMANCE_SHEET: patch}, None, []), report
