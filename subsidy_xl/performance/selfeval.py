"""绩效自评: 得分 per indicator row from its 完成值, level weights from 参数, the
total and the grade.

A row's full marks are its 一级 level's weight shared equally among that level's
rows (the table has no per-row weights). A row that is met scores full marks;
otherwise, per its 评(扣)分标准, nothing ("否则不得分") or its share in proportion
to 完成值/指标值 — the inverse for ≤, and the smaller over the larger for =, so
that missing an exact target either way costs alike. Deadlines (年月) and 定性
rows are met or not (a 定性 row is met when its 完成值 repeats the target or says
达成/完成). Scores are exact fractions until they are shown.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Iterator

from ..issues import ERROR, WARNING, Issue
from ..money import Money
from ..params import Params
from ..schema import PERFORMANCE_SHEET
from .compare import rounded
from .layout import EXECUTION_LEVEL
from .model import IndicatorRow, PerformanceTable
from .standards import norm, standards
from .values import QUALITATIVE, Figure, parse_figure, parse_nature

ALL_OR_NOTHING, PROPORTIONAL = "all_or_nothing", "proportional"
S = PERFORMANCE_SHEET


def rule_kind(rule: str) -> str:
    """评(扣)分标准: "否则不得分" scores nothing short of the target; anything else in proportion."""
    return ALL_OR_NOTHING if "不得分" in norm(rule) else PROPORTIONAL


def achieved_share(nature: str | None, target: Figure, actual: Figure, rule: str) -> Fraction | None:
    """The share of full marks earned (0..1), or None when the row cannot be scored."""
    if nature == QUALITATIVE:
        return _qualitative(target.text, actual.text)
    if target.month is not None or actual.month is not None:
        if target.month is None or actual.month is None:
            return None
        met = {"=": actual.month == target.month, "≥": actual.month >= target.month,
               "≤": actual.month <= target.month}.get(nature)
        return None if met is None else Fraction(int(met))
    if target.number is None or actual.number is None or nature not in ("=", "≥", "≤"):
        return None
    t, a = Fraction(target.number), Fraction(actual.number)
    met = {"=": a == t, "≥": a >= t, "≤": a <= t}[nature]
    if met:
        return Fraction(1)
    if rule_kind(rule) == ALL_OR_NOTHING:
        return Fraction(0)
    if nature == "=":
        share = min(a, t) / max(a, t) if a > 0 and t > 0 else Fraction(0)
    elif nature == "≥":
        share = a / t if t > 0 else Fraction(0)
    else:
        share = t / a if a > 0 else Fraction(0)
    return max(Fraction(0), min(Fraction(1), share))


def _qualitative(target: str, actual: str) -> Fraction | None:
    """Met when the 完成值 repeats the target's words or says 达成/完成…; missed on 未达成/未完成…."""
    word = norm(actual)
    if not word:
        return None
    if word == norm(target):
        return Fraction(1)
    if any(word.startswith(w) for w in standards()["missed_words"]):  # 未达成 before 达成
        return Fraction(0)
    if any(word.startswith(w) for w in standards()["achieved_words"]):
        return Fraction(1)
    return None


@dataclass(frozen=True)
class RowScore:
    row: IndicatorRow
    level: str | None  # the weighted 一级 level
    full: Fraction  # the row's full marks
    share: Fraction | None  # None: not scored (no 完成值, unreadable, or no weight)

    @property
    def score(self) -> Fraction | None:
        return None if self.share is None else self.full * self.share


@dataclass(frozen=True)
class LevelScore:
    level: str
    weight: int
    score: Fraction
    note: str


@dataclass(frozen=True)
class SelfEvaluation:
    rows: list[RowScore]
    levels: list[LevelScore]  # in 参数 order, 预算执行率 included
    total: Fraction
    grade: str


def active(table: PerformanceTable) -> bool:
    """Self-evaluation runs once any 完成值 is filled in, or when its summary is already on the sheet."""
    return bool(table.summary_row) or any(parse_figure(r.get("actual")).text for r in table.rows)


def evaluate(table: PerformanceTable, params: Params, executed: Money | None, budget: Money,
             executed_note: str) -> SelfEvaluation:
    """``executed``: the year's spending (None when unknown); ``budget``: what it is measured against."""
    weights = params.weights
    counts: dict[str, int] = {}
    for row in table.rows:
        if row.group1 in weights:
            counts[row.group1] = counts.get(row.group1, 0) + 1
    rows = []
    for row in table.rows:
        level = row.group1 if row.group1 in weights else None
        full = Fraction(weights[level], counts[level]) if level else Fraction(0)
        unit = row.text("unit")
        share = achieved_share(parse_nature(row.get("nature")).symbol, parse_figure(row.get("target"), unit),
                               parse_figure(row.get("actual"), unit), row.text("rule")) if level else None
        rows.append(RowScore(row, level, full, share))
    levels = []
    for level, weight in weights.items():
        if level == EXECUTION_LEVEL:
            levels.append(_execution(weight, executed, budget, executed_note))
            continue
        mine = [r for r in rows if r.level == level]
        scored = sum((r.score for r in mine if r.score is not None), Fraction(0))
        missing = sum(1 for r in mine if r.share is None)
        note = f"{len(mine)}项指标" + (f"，{missing}项未能评分（按0分计）" if missing else "") if mine else "无此类指标，不得分"
        levels.append(LevelScore(level, weight, scored, note))
    total = sum((lv.score for lv in levels), Fraction(0))
    return SelfEvaluation(rows, levels, total, grade_of(total, params))


def _execution(weight: int, executed: Money | None, budget: Money, note: str) -> LevelScore:
    if executed is None or not budget:
        return LevelScore(EXECUTION_LEVEL, weight, Fraction(0), note or "无执行数，不得分")
    rate = Fraction(executed) / Fraction(budget)
    percent = shown(rate * 100)
    return LevelScore(EXECUTION_LEVEL, weight, weight * min(rate, Fraction(1)),
                      f"执行数{executed}元÷预算数{budget}元={percent}%" + (f"（{note}）" if note else ""))


def grade_of(total: Fraction, params: Params) -> str:
    for grade, minimum in params.grades:  # best first
        if total >= minimum:
            return grade
    return params.grades[-1][0] if params.grades else ""


def shown(value: Fraction | None) -> Decimal | None:
    """A score as written on the sheet: two decimals, half up."""
    return None if value is None else rounded(value, 2)


def check_self_evaluation(table: PerformanceTable, params: Params) -> Iterator[Issue]:
    """With self-evaluation under way: rows without 完成值, unreadable ones, levels without a weight."""
    if not active(table):
        return
    for row in table.rows:
        nature = parse_nature(row.get("nature")).symbol
        unit = row.text("unit")
        actual = parse_figure(row.get("actual"), unit)
        if row.group1 not in params.weights:
            yield Issue("perf-weight-missing", WARNING, S, row.cell("level1"), row.group1 or "",
                        f"{row.label}所属一级指标“{row.group1 or '未识别'}”在参数表“绩效自评权重”中没有权重，不能计分",
                        "参数表“绩效自评权重”")
        elif actual.blank:
            yield Issue("perf-actual-missing", WARNING, S, row.cell("actual"), "",
                        f"{row.label}未填完成值，自评按0分计", "绩效自评")
        elif achieved_share(nature, parse_figure(row.get("target"), unit), actual, row.text("rule")) is None:
            yield Issue("perf-actual-invalid", ERROR, S, row.cell("actual"), actual.text,
                        f"{row.label}的完成值“{actual.text}”无法与指标值（{row.text('nature')}{row.text('target')}）比较评分",
                        "绩效自评")
