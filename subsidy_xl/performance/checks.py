"""Checks of the 绩效目标表: its structure per the national indicator guidance
(policy.md §2), row by row and as a whole. ``check_performance`` runs every
check of the sheet, including the figures (consistency.py), the texts
(narrative_checks.py) and the self-evaluation inputs (selfeval.py).

Each check yields Issues with a stable code, the cell, and the figures compared.
"""
from __future__ import annotations

from typing import Iterator, Sequence

from ..cells import a1
from ..compute import LivingPerson, OneOffPerson
from ..issues import ERROR, INFO, WARNING, Issue, shown
from ..params import Params
from ..schema import PERFORMANCE_SHEET
from .consistency import check_figures
from .figures import Figures, figures_for
from .form_checks import check_rows
from .model import Grid, IndicatorRow, PerformanceTable, read_table
from .narrative_checks import check_texts
from .selfeval import active, check_self_evaluation
from .standards import canonical_level, is_level1, is_placeholder, norm, parent_of, standard_row, standards
from .texts import GOAL_ITEMS, collect_texts
from .values import money_unit, parse_figure, parse_nature

GUIDANCE = "财预〔2021〕101号 绩效指标体系"
S = PERFORMANCE_SHEET


def check_performance(grid: Grid | None, info_grid: Grid | None, params: Params,
                      living: Sequence[LivingPerson], one_off: Sequence[OneOffPerson],
                      figures: Figures | None = None) -> list[Issue]:
    """``figures``: figures_for these people when the caller has them (analysis.figures)."""
    if grid is None:
        return [Issue("perf-sheet-missing", INFO, S, "", "", "工作簿中没有“绩效目标表”工作表，未校验绩效目标", "模板结构")]
    table = read_table(grid)
    if not table.header_row:
        return [Issue("perf-no-header", ERROR, S, "A1", "",
                      "绩效目标表中找不到指标表头行（应含 一级指标、二级指标、三级指标、指标性质、指标值 等列）", "模板结构")]
    if not table.rows:
        return [Issue("perf-empty", WARNING, S, table.col_cell("name"), "",
                      "绩效目标表还没有指标；可运行“填写绩效目标表”查看建议的标准指标", GUIDANCE)]
    if figures is None:
        figures = figures_for(list(living), list(one_off), params)
    texts = collect_texts(table, info_grid)
    evaluating = active(table)
    issues = list(check_structure(table, params))
    issues += check_figures(table, figures, texts, params, evaluating)
    issues += check_texts(texts, table, figures, params, evaluating)
    issues += check_self_evaluation(table, params)
    return issues


def check_structure(table: PerformanceTable, params: Params, form: bool = False) -> Iterator[Issue]:
    """``form``: a table received from another office (review.py), judged by the guidance alone, not this programme."""
    has_levels = "level1" in table.cols or "level2" in table.cols
    if has_levels:  # a form without level columns (重庆's 一般性项目表) is not missing them on every row
        yield from _check_levels(table)
    for row in table.rows:
        yield from _check_name(row)
        yield from _check_nature_and_value(row, params)
    yield from check_rows(table, S)
    if has_levels:
        yield from _check_coverage(table, params, form)
    yield from _check_goals(table)


def _check_goals(table: PerformanceTable) -> Iterator[Issue]:
    for label in GOAL_ITEMS:
        if label in table.header_cells and not table.header_text(label):
            yield Issue("perf-goal-missing", WARNING, S, table.header_cells[label], "",
                        f"{label}未填写" + ("；“填写绩效目标表”可按名册生成" if label == "年度绩效目标" else ""),
                        "项目绩效目标表")


def _check_levels(table: PerformanceTable) -> Iterator[Issue]:
    """Each written level cell once: placeholder, unknown or misplaced names; a blank level once per block."""
    seen: set[tuple[str, int]] = set()
    levels = standards()["levels"]
    for row in table.rows:
        for key, text, written_row in (("level1", row.level1, row.level1_row), ("level2", row.level2, row.level2_row)):
            # A blank 二级 is one gap per 一级 block; a written level is judged where it is written.
            where = (key, written_row) if written_row else (f"{key}-blank", row.level1_row if key == "level2" else 0)
            if where in seen:
                continue
            seen.add(where)
            cell = a1(written_row, row.cols[key]) if written_row else row.cell(key)
            title = "一级指标" if key == "level1" else "二级指标"
            if not text:
                yield Issue("perf-level-missing", ERROR, S, cell, "",
                            f"{row.label}没有{title}（本行及上方同一区块均未填写）", GUIDANCE)
            elif is_placeholder(text):
                yield Issue("perf-name-placeholder", ERROR, S, cell, text,
                            f"{title}填的是占位文字“{text}”，请填写实际的{title}名称", GUIDANCE)
            elif key == "level1":
                yield from _check_level1(cell, text)
            else:
                yield from _check_level2(row, cell, text, levels)


def _check_level2(row: IndicatorRow, cell: str, text: str, levels) -> Iterator[Issue]:
    name = canonical_level(text)
    written1 = canonical_level(row.level1)
    if name is not None and not (is_level1(written1) and name not in levels[written1]):
        return
    allowed = levels[written1] if is_level1(written1) else [s for subs in levels.values() for s in subs]
    yield Issue("perf-level2-invalid", WARNING, S, cell, text,
                f"二级指标“{text}”不在{written1 if is_level1(written1) else '规定'}的二级指标中（{'、'.join(allowed)}）",
                GUIDANCE)


def _check_level1(cell: str, text: str) -> Iterator[Issue]:
    name = canonical_level(text)
    if is_level1(name):
        return
    parent = parent_of(name)
    if parent:
        message = f"“{text}”是二级指标，不能填在一级指标列；应填一级指标“{parent}”，“{text}”移到二级指标列"
    else:
        message = f"一级指标“{text}”不是规定的一级指标（{'、'.join(standards()['levels'])}）"
    yield Issue("perf-level1-invalid", ERROR, S, cell, text, message, GUIDANCE)


def _check_name(row: IndicatorRow) -> Iterator[Issue]:
    name = row.name
    cell = row.cell("name")
    if not name:
        yield Issue("perf-name-missing", ERROR, S, cell, "", f"第{row.row}行有指标内容但三级指标名称为空", GUIDANCE)
        return
    if is_placeholder(name):
        yield Issue("perf-name-placeholder", ERROR, S, cell, name, f"三级指标填的是占位文字“{name}”，请填写实际指标名称", GUIDANCE)
        return
    level = canonical_level(name)
    if level and (level == norm(name) or "满意度" not in name):  # "质量指标" says nothing; "服务对象满意度" names what is measured
        yield Issue("perf-name-is-level", WARNING, S, cell, name,
                    f"三级指标“{name}”就是指标层级的名称，没有说明考核什么；请写明具体内容（如“发放生活补贴人数”）",
                    GUIDANCE)
    if row.group1 == "产出指标" and any(word in name for word in standards()["benefit_keywords"]):
        yield Issue("perf-level-mismatch", WARNING, S, cell, name,
                    f"“{name}”描述的是项目效益，却列在产出指标（{row.group2 or '未填二级'}）下；应列入效益指标/社会效益指标",
                    GUIDANCE)


def _check_nature_and_value(row: IndicatorRow, params: Params) -> Iterator[Issue]:
    if is_placeholder(row.name) and not row.text("target"):
        return  # a template line ("……") left in: perf-name-placeholder says so once
    nature = parse_nature(row.get("nature"))
    written = row.text("nature")
    unit = row.text("unit")
    if not written:
        yield Issue("perf-nature-missing", ERROR, S, row.cell("nature"), "", f"{row.label}未填指标性质（=、≥、≤ 或 定性）", GUIDANCE)
    elif nature.symbol is None:
        yield Issue("perf-nature-invalid", ERROR, S, row.cell("nature"), written,
                    f"{row.label}的指标性质“{written}”不是 =、≥、≤、定性 之一", GUIDANCE)
    elif not nature.standard:
        yield Issue("perf-nature-nonstandard", INFO, S, row.cell("nature"), written,
                    f"{row.label}的指标性质写作“{written}”，规范写法为“{nature.symbol}”", GUIDANCE)
    target = parse_figure(row.get("target"), unit)
    if target.blank:
        yield Issue("perf-value-missing", ERROR, S, row.cell("target"), "", f"{row.label}未填指标值", GUIDANCE)
    elif nature.symbol in ("=", "≥", "≤") and target.number is None and target.month is None and target.when is None:
        yield Issue("perf-value-not-number", ERROR, S, row.cell("target"), shown(target.text),
                    f"{row.label}是定量指标（{nature.symbol}），指标值“{target.text}”应为数值", GUIDANCE)
    elif target.tail:
        if norm(target.tail) == norm(unit):
            yield Issue("perf-value-has-unit", WARNING, S, row.cell("target"), target.text,
                        f"{row.label}的指标值“{target.text}”带了单位；指标值只填数字 {target.number}，单位“{unit}”填在度量单位列",
                        GUIDANCE)
        else:
            yield Issue("perf-unit-conflict", ERROR, S, row.cell("target"), target.text,
                        f"{row.label}的指标值“{target.text}”的单位“{target.tail}”与度量单位“{unit or '空'}”不一致", GUIDANCE)
    dated = target.month is not None or target.when is not None
    if not unit and not dated and (nature.symbol in ("=", "≥", "≤") or (nature.symbol is None and target.number is not None)):
        yield Issue("perf-unit-missing", WARNING, S, row.cell("unit"), "", f"{row.label}是定量指标，未填度量单位", GUIDANCE)
    if "rule" in row.cols and not row.text("rule"):
        yield Issue("perf-rule-missing", WARNING, S, row.cell("rule"), "",
                    f"{row.label}未填评(扣)分标准（如“达标得满分，否则根据完成比例评分”）", GUIDANCE)
    if target.number is None:
        return
    percent = norm(unit) == "%" or norm(target.tail) == "%"
    if nature.symbol == "≥" and percent and target.number >= 100:
        yield Issue("perf-ge-100", WARNING, S, row.cell("nature"), f"≥{target.number}%",
                    f"{row.label}的目标为 ≥{target.number}%，比率不可能超过100%；应写作“=100%”", GUIDANCE)
    if percent and (row.group1 == "满意度指标" or "满意" in row.name):
        low, high = params.satisfaction_min, params.satisfaction_max
        if not low <= target.number <= high:
            yield Issue("perf-satisfaction-range", WARNING, S, row.cell("target"), f"{target.number}%",
                        f"{row.label}的满意度目标{target.number}%不在常见的{low}%–{high}%之间，评审时通常会被要求说明",
                        f"参数表“满意度目标常见下限/上限”（{low}%、{high}%）")
    if row.group2 == "质量指标" and money_unit(unit or target.tail):
        yield Issue("perf-quality-money", WARNING, S, row.cell("unit"), unit or target.tail,
                    f"{row.label}列在质量指标下却以“{unit or target.tail}”计量；金额属于成本指标，质量指标应衡量质量（如合格率、准确率）",
                    GUIDANCE)


def _check_coverage(table: PerformanceTable, params: Params, form: bool = False) -> Iterator[Issue]:
    """Whole-table gaps: required 一级 levels, 时效 and 成本 indicators."""
    present = {r.group1 for r in table.rows}
    for level in standards()["required_level1"]:
        if level not in present:
            why = "" if form else f"（参数表为其设定了权重{params.weights.get(level, '—')}分）"
            yield Issue("perf-level1-missing", WARNING, S, table.col_cell("level1"), level,
                        f"绩效目标表没有“{level}”类指标{why}", GUIDANCE)
    second = {r.group2 for r in table.rows}
    if form:
        for level, what in (("时效指标", "完成时限或发放及时性"), ("成本指标", "不超过预算的资金上限")):
            if level not in second and level not in present:
                yield Issue("perf-timeliness-missing" if level == "时效指标" else "perf-cost-missing", WARNING, S,
                            table.col_cell("level2"), "", f"产出指标下没有{level}（应设{what}）", GUIDANCE)
        return
    if "时效指标" not in second:
        rows = "、".join(f"“{standard_row(k)['三级指标']}”" for k in ("living_quarters", "one_off_deadline"))
        yield Issue("perf-timeliness-missing", WARNING, S, table.col_cell("level2"), "",
                    f"实施计划有时限（每季度末发放生活补贴，{params.one_off_deadline.year}年{params.one_off_deadline.month}月前"
                    f"完成一次性补助发放），但没有时效指标；建议在产出指标下增加时效指标{rows}",
                    "实施计划；参数表“一次性补助完成时限”")
    if "成本指标" not in second and "成本指标" not in present:
        rows = "、".join(f"“{standard_row(k)['三级指标']}”" for k in ("living_amount", "one_off_amount"))
        yield Issue("perf-cost-missing", WARNING, S, table.col_cell("level2"), "",
                    f"没有成本指标；建议在产出指标下增加成本指标{rows}（以元或万元计，与资金安排一致）", GUIDANCE)

