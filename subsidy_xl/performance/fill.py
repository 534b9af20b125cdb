"""Fill the 绩效目标表 from the rosters and 参数: the cells the tool owns.

Two phases. While the table is a plan (no 完成值 yet) the tool writes:
- the 指标值 of the rows it recognises (indicators.py: people, amounts and
  averages per part and in total, quarterly payments, the one-off deadline),
  in the unit the row's 度量单位 asks for;
- the header values 年度绩效目标 (regenerated, goals.py) and 年度资金总额; 项目名称,
  实施单位 and 中长期绩效目标 copied from 项目信息 when it has them; 其中：财政拨款
  when 项目信息 says the project is 财政全额拨款; and 项目信息's own 年度绩效目标,
  so both places say the same.
Once self-evaluation is under way (selfeval.active: a 完成值 typed, or the
summary on the sheet) the approved targets and texts are left alone and the
tool writes instead:
- the 完成值 of the rows it recognises: what the rosters give for the year
  (not of the 时效 rows: when payments were really made is for staff to say);
- the 得分 column and the summary block below the table, except the
  全年执行数 staff type there.
Every other cell stays as staff wrote it. On a table without indicator rows the
tool writes the whole standard draft (draft.py: every level with 指标性质, 指标值,
度量单位, 评(扣)分标准 and 依据); standard rows a table staff have begun lacks are
proposed as 问题清单 entries, never inserted.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from ..cells import a1, parse_a1
from ..issues import INFO, Issue, shown as shown_value
from ..money import wan_text
from ..params import Params
from ..schema import PERFORMANCE_SHEET, PROJECT_INFO_SHEET
from .figures import Figures
from .goals import annual_goal_text
from .indicators import TIME_MEASURES, Known, known_value, recognise, split_key
from .draft import as_lines, draft_rows
from .layout import EXECUTED_LABEL, GRADE_LABEL, INDICATOR_HEADERS, INDICATOR_KEYS, SUMMARY_HEADERS, SUMMARY_TITLE, TOTAL_LABEL
from .model import Grid, PerformanceTable, read_table
from .overlay import patched_grid
from .selfeval import SelfEvaluation, active, evaluate, shown
from .standards import standards
from .values import amount_in_yuan, parse_figure

Patch = dict[int, dict[int, tuple[object, str | None]]]  # Excel row -> 0-based col -> (value, style key)


@dataclass
class FillResult:
    patches: dict[str, Patch] = field(default_factory=dict)
    filled: list[str] = field(default_factory=list)  # what was written, for the report and 变更记录
    suggestions: list[Issue] = field(default_factory=list)
    evaluation: SelfEvaluation | None = None


def plan_fill(grid: Grid, info: Mapping[str, object], info_cells: Mapping[str, str],
              figures: Figures, params: Params) -> FillResult:
    table = read_table(grid)
    evaluating = active(table)
    column = table.cols.get("actual" if evaluating else "target")
    result = FillResult()
    sheet: Patch = {}
    found: set[str] = set()
    for row in table.rows:
        known = recognise(row)
        if known is None:
            continue
        found.add(known.key)
        if evaluating and known.measure in TIME_MEASURES:
            continue  # when payments were actually made is for staff to say; the rosters only say when they are due
        value = known_value(known, row.text("unit"), figures)
        if value is not None and column is not None:
            _put(sheet, row.row, column, value)
            result.filled.append(f"{row.label}={value}{row.text('unit')}")
    if evaluating:
        result.evaluation = _self_evaluate(read_table(patched_grid(grid, sheet)), figures, params, sheet)
    else:
        found |= _draft(grid, table, found, figures, sheet, result)
        goal = annual_goal_text(figures, params)
        _fill_header(table, info, figures, goal, sheet, result)
        if "annual_goal" in info_cells:
            r, c = parse_a1(info_cells["annual_goal"])
            result.patches[PROJECT_INFO_SHEET] = {r: {c: (goal, None)}}
    result.patches[PERFORMANCE_SHEET] = sheet
    result.suggestions = _suggestions(table, found, figures) + _unit_needed(table)
    return result


def _draft(grid: Grid, table: PerformanceTable, found: set[str], figures: Figures, sheet: Patch,
           result: FillResult) -> set[str]:
    """On a table without indicator rows, the whole standard draft (draft.py), below the indicator header.

    Returns the keys written. A table staff have begun is theirs: the rows it lacks are proposed in
    问题清单 instead (never inserted among or below their rows), and nothing is written over a typed cell.
    """
    if table.rows:
        return set()
    rows = draft_rows(figures, found, ())
    start = max(table.last_row, table.header_row) + 1
    width = len(INDICATOR_HEADERS)
    for r in range(start, start + len(rows)):
        line = grid[r - 1] if r - 1 < len(grid) else []
        if any(v is not None and str(v).strip() for v in line[:width]):
            return set()
    for i, line in enumerate(as_lines(rows)):
        for key, value in zip(INDICATOR_KEYS, line):
            if value not in (None, "") and key in table.cols:
                _put(sheet, start + i, table.cols[key], value, "note")
        result.filled.append(f"第{start + i}行“{line[2]}”")
    return {r["key"] for r in rows if "key" in r}


def _put(patch: Patch, row: int, col: int, value: object, style: str | None = None) -> None:
    patch.setdefault(row, {})[col] = (value, style)


def _fill_header(table: PerformanceTable, info: Mapping[str, object], figures: Figures, goal: str,
                 sheet: Patch, result: FillResult) -> None:
    funds = f"{wan_text(figures.total_amount)}万元"
    # 中长期绩效目标: 项目信息's; else the standard text, only into an empty cell (never over staff's words).
    long_term = info.get("long_term_goal") or (None if table.header_text("中长期绩效目标") else standards()["long_term_goal"])
    values = {"项目名称": info.get("project_name"), "实施单位": info.get("unit"),
              "中长期绩效目标": long_term, "年度资金总额": funds, "年度绩效目标": goal}
    if "财政全额" in str(info.get("funding_source") or ""):
        values["其中：财政拨款"] = funds
    for label, value in values.items():
        if label in table.header_cells and value not in (None, ""):
            r, c = parse_a1(table.header_cells[label])
            _put(sheet, r, c, value)
            result.filled.append(f"{label}")


def _self_evaluate(table: PerformanceTable, figures: Figures, params: Params, sheet: Patch) -> SelfEvaluation:
    executed = amount_in_yuan(table.executed)  # 266528, "266528元" or "26.6528万元"
    if executed is not None:
        note = ""
    elif parse_figure(table.executed).blank:
        executed, note = figures.total_amount, f"未填{EXECUTED_LABEL}，按{figures.total_source}数计"
    else:
        executed, note = (figures.total_amount, f"{EXECUTED_LABEL}“{shown_value(table.executed)}”无法读取为金额"
                          f"（应如266528或26.6528万元），按{figures.total_source}数计")
    budget = params.living_budget + params.one_off_budget
    ev = evaluate(table, params, executed, budget, note)
    score_col = table.cols.get("score")
    if score_col is not None:
        for rs in ev.rows:
            _put(sheet, rs.row.row, score_col, shown(rs.score), "money" if rs.score is not None else None)
    _summary_block(table, ev, params, sheet)
    return ev


def _summary_block(table: PerformanceTable, ev: SelfEvaluation, params: Params, sheet: Patch) -> None:
    start = table.summary_row or table.last_row + 2
    rows: list[tuple[list[object], tuple[str | None, ...]]] = [
        ([SUMMARY_TITLE, None, None, None], ("subtitle", None, None, None)),
        (list(SUMMARY_HEADERS), ("header",) * 4),
    ]
    for lv in ev.levels:
        rows.append(([lv.level, lv.weight, shown(lv.score), lv.note], ("text", "int", "money", "note")))
    rows.append(([TOTAL_LABEL, sum(lv.weight for lv in ev.levels), shown(ev.total), None],
                 ("total_text", "total", "total", "total_text")))
    rows.append(([GRADE_LABEL, None, ev.grade, _grade_note(params)], ("total_text", "total", "total", "note")))
    executed_style = None if table.summary_row else "money"  # keep the style staff may have given their cell
    rows.append(([EXECUTED_LABEL, table.executed, None, "请填写全年实际支出（元）；留空则按测算数计算预算执行率"],
                 ("text", executed_style, None, "note")))
    for i, (values, styles) in enumerate(rows):
        for c, (v, st) in enumerate(zip(values, styles)):
            _put(sheet, start + i, c, v, st)
    for r in range(start + len(rows), table.last_row + 1 if table.summary_row else 0):
        for c in range(len(SUMMARY_HEADERS)):
            _put(sheet, r, c, None)  # a block that has shrunk leaves no stale rows


def _grade_note(params: Params) -> str:
    """优≥90分，良≥80分，中≥60分，差<60分 — from 参数."""
    parts, previous = [], None
    for grade, minimum in params.grades:  # best first
        parts.append(f"{grade}≥{minimum}分" if minimum > 0 or previous is None else f"{grade}<{previous}分")
        previous = minimum
    return "，".join(parts)


def _suggestions(table: PerformanceTable, found: set[str], figures: Figures) -> list[Issue]:
    issues = []
    for std in standards()["standard_rows"]:
        if std["key"] in found:
            continue
        part, measure = split_key(std["key"])
        value = known_value(Known(part, measure), std["度量单位"], figures)
        issues.append(Issue("perf-suggest-row", INFO, PERFORMANCE_SHEET, a1(table.header_row, table.cols["name"]), "",
                            f"建议在{std['一级指标']}/{std['二级指标']}下增加指标“{std['三级指标']}”："
                            f"{std['指标性质']}{value}{'' if std['度量单位'] == '年月' else std['度量单位']}"
                            f"（名称含“{_hint(part)}”的行由“填写绩效目标表”自动计算）",
                            std["指标值设定依据及数据来源"]))
    return issues


def _hint(part: str) -> str:
    return {"living": "生活补贴", "one_off": "一次性", "total": "合计"}[part]


def _unit_needed(table: PerformanceTable) -> list[Issue]:
    """A row named like one the tool computes (生活补贴…人数) that it cannot fill because 度量单位 is empty."""
    from .indicators import part_of

    return [Issue("perf-fill-unit-needed", INFO, PERFORMANCE_SHEET, row.cell("unit"), row.name,
                  f"{row.label}像是工具可计算的指标，但度量单位为空，未能填写指标值；填上度量单位（人、元、万元、次、年月）后再运行“填写绩效目标表”",
                  "工具按三级指标名称和度量单位识别它计算的指标")
            for row in table.rows if part_of(row.name) and not row.text("unit") and recognise(row) is None]
