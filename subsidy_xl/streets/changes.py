"""变动情况: what an import of street forms changed, field by field, and what it could not merge."""
from __future__ import annotations

from typing import Sequence

from ..issues import Issue
from ..schema import CHANGES_COLUMNS, CHANGES_SHEET, ISSUE_COLUMNS
from ..tables.records import add_issue_rows
from ..tables.sheet import SheetContent
from .merge import ADDED, CHANGED, KEPT, MOVED, REMOVED, Change, MergeResult

_OUTCOME_STYLES = {KEPT: "warning"}


def summary_line(result: MergeResult, files: int) -> str:
    changed = result.count(CHANGED) + result.count(MOVED)
    kept = result.count(outcome=KEPT)
    return (f"导入报送表{files}份：新增{result.count(ADDED)}人，减少{result.count(REMOVED)}人（未删除，待核实），"
            f"变更{changed}项（其中{kept}项未合并，待核实）")


def changes_sheet(result: MergeResult, files: Sequence[str], when: str, problems: Sequence[Issue]) -> SheetContent:
    """Header in row 1 (filterable) and one row per change; then the import's problems."""
    sheet = SheetContent(CHANGES_SHEET)
    sheet.add([c.header for c in CHANGES_COLUMNS], style="header")
    for n, c in enumerate(result.changes, 1):
        sheet.add(_row(n, c), styles=("int",) + ("text",) * 9 + (_OUTCOME_STYLES.get(c.outcome, "text"), "note"))
    if not result.changes:
        sheet.add([None, None, None, None, None, None, "无变动"], style="text")
    sheet.skip()
    sheet.merged_row(f"{when}  {summary_line(result, len(files))}；文件：{'、'.join(files)}", "subtitle")
    sheet.skip()
    sheet.merged_row(f"导入时发现的问题（{len(problems)}条）", "subtitle")
    sheet.add([c.header for c in ISSUE_COLUMNS], style="header")
    add_issue_rows(sheet, problems)
    return sheet


def _row(n: int, c: Change) -> list[object]:
    return [n, c.file, c.roster, c.street, c.name, c.id, c.change, c.field, c.old, c.new, c.outcome, c.note]
