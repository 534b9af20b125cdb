"""变动情况: what an import of street forms changed, field by field, and what it could not merge."""
from __future__ import annotations

from typing import Sequence

from ..issues import Issue
from ..schema import CHANGES_COLUMNS, CHANGES_SHEET, ISSUE_COLUMNS, SEVERITY_LABELS
from ..cells import a1
from ..tables.records import issue_row, issue_styles
from ..tables.layout import ColumnSpec
from ..tables.sheet import SheetContent
from .merge import ADDED, CHANGED, KEPT, MOVED, REMOVED, Change, MergeResult

_OUTCOME_STYLES = {KEPT: "warning"}
CHANGES_SPECS = [ColumnSpec(max_width=c.width) for c in CHANGES_COLUMNS]


def summary_line(result: MergeResult, files: int) -> str:
    changed = result.count(CHANGED) + result.count(MOVED)
    kept = result.count(outcome=KEPT)
    return (f"导入报送表{files}份：新增{result.count(ADDED)}人，减少{result.count(REMOVED)}人（未删除，待核实），"
            f"变更{changed}项（其中{kept}项未合并，待核实）")


def changes_sheet(result: MergeResult, files: Sequence[str], when: str, problems: Sequence[Issue],
                  earlier: Sequence[Sequence[object]] = (), earlier_merges: Sequence[Sequence[int]] = ()) -> SheetContent:
    """Header in row 1 (filterable) and one row per change; then the import's problems; then the earlier
    imports' blocks as the sheet held them (``earlier``: its grid as read, ``earlier_merges`` its merged ranges,
    0-based), newest first, nothing erased but what lies beyond HISTORY_IMPORTS imports."""
    sheet = SheetContent(CHANGES_SHEET, header_row=1, columns=list(CHANGES_SPECS))
    sheet.add([c.header for c in CHANGES_COLUMNS], style="header")
    for n, c in enumerate(result.changes, 1):
        sheet.add(_row(n, c), styles=("int",) + ("wrap",) * 9 + (_OUTCOME_STYLES.get(c.outcome, "wrap"), "wrap"))
    if not result.changes:
        sheet.add([None, None, None, None, None, None, "无变动"], style="text")
    sheet.skip()
    sheet.merged_row(f"{when}  {summary_line(result, len(files))}；文件：{'、'.join(files)}", "subtitle")
    sheet.skip()
    sheet.merged_row(f"导入时发现的问题（{len(problems)}条）", "subtitle")
    _issue_row(sheet, [c.header for c in ISSUE_COLUMNS], ("header",) * len(ISSUE_COLUMNS))
    for issue in problems:
        _issue_row(sheet, issue_row(issue), issue_styles(issue))
    add_earlier_imports(sheet, earlier, earlier_merges)
    return sheet


# The problems' block under the change table: each issue column over change-table columns wide enough for it
# (the code from B on, 说明 over G:J, 依据 over K:L), so nothing is cut to the narrow 序号 column's width.
ISSUE_SPANS = ((1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 9), (10, 11))


def _issue_row(sheet: SheetContent, values: Sequence[object], styles: Sequence[str]) -> None:
    cells: list[object] = [None] * len(CHANGES_COLUMNS)
    cell_styles: list[str | None] = [None] * len(CHANGES_COLUMNS)
    for value, style, (first, last) in zip(values, styles, ISSUE_SPANS):
        cells[first] = value
        cell_styles[first:last + 1] = [style] * (last - first + 1)
    row = sheet.add(cells, styles=cell_styles)
    sheet.merges.extend(f"{a1(row, first)}:{a1(row, last)}" for first, last in ISSUE_SPANS if last > first)


def _row(n: int, c: Change) -> list[object]:
    return [n, c.file, c.roster, c.street, c.name, c.id, c.change, c.field, c.old, c.new, c.outcome, c.note]


HISTORY_IMPORTS = 100  # earlier imports kept on 变动情况 under the newest one (the oldest beyond are dropped)
# an earlier block's severities and unmerged changes keep their colours
_EARLIER_STYLES = {**{label: key for key, label in SEVERITY_LABELS.items()}, **_OUTCOME_STYLES}
EARLIER_TITLE = "以前各次导入的变动情况（较近的在前）"


def add_earlier_imports(sheet: SheetContent, grid: Sequence[Sequence[object]],
                        merges: Sequence[Sequence[int]] = ()) -> None:
    """The blocks earlier imports wrote (each begins with the change table's header row), below the new one:
    their values and merged ranges as they were, the newest HISTORY_IMPORTS of them. A header with nothing
    under it (the template's empty sheet) is no import."""
    header = [c.header for c in CHANGES_COLUMNS]

    def filled(row: Sequence[object]) -> bool:
        return any(v is not None for v in row) and not (isinstance(row[0], str) and row[0].startswith(EARLIER_TITLE))

    starts = [i for i, row in enumerate(grid) if list(row[:len(header)]) == header] + [len(grid)]
    blocks = [(a, b) for a, b in zip(starts, starts[1:]) if any(filled(grid[i]) for i in range(a + 1, b))]
    if not blocks:
        return
    dropped = len(blocks) - HISTORY_IMPORTS
    blocks = blocks[:HISTORY_IMPORTS]
    sheet.skip(2)
    sheet.merged_row(EARLIER_TITLE + (f"；更早的{dropped}次导入已不再保留" if dropped > 0 else ""), "subtitle")
    merged_at = {}
    for r1, c1, r2, c2 in merges:
        merged_at.setdefault(r1, []).append((r1, c1, r2, c2))
    for a, b in blocks:
        shift = sheet.next_row - (a + 1)  # Excel row of a kept row = its old Excel row + shift
        for i in range(a, b):
            row = list(grid[i])
            while row and row[-1] is None:
                row.pop()
            if not row or not filled(row):
                continue
            if row[:len(header)] == header or [v for v in row if v is not None] == [c.header for c in ISSUE_COLUMNS]:
                sheet.add(row, style="header", row=i + 1 + shift)
            elif i in merged_at and all(v is None for v in row[1:]):
                sheet.add(row, style="subtitle", row=i + 1 + shift)
            else:
                sheet.add(row, styles=[_EARLIER_STYLES.get(v, "int" if type(v) is int else "text")
                                       if isinstance(v, (str, int)) else "text" for v in row], row=i + 1 + shift)
            for _r1, c1, r2, c2 in merged_at.get(i, ()):
                if r2 < b:
                    sheet.merges.append(f"{a1(i + 1 + shift, c1)}:{a1(r2 + 1 + shift, c2)}")
        sheet.skip()
