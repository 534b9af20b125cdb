"""The table's figures against the rosters (or the 参数 budget), 资金安排 and the
figures quoted in the texts: counts, amounts, averages, quarters and deadline."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Iterator

from ..issues import ERROR, WARNING, Issue
from ..money import Money
from ..months import YearMonth
from ..params import Params
from ..schema import PERFORMANCE_SHEET
from .compare import BASIS, average_text, rounds_to, severity, unreachable_average, yuan_phrase
from .figures import LIVING, ONE_OFF, TOTAL, Figures, Part
from .indicators import AMOUNT, AVERAGE, DEADLINE, PEOPLE, QUARTERS, TIME_MEASURES, Known, recognise
from .model import IndicatorRow, PerformanceTable
from .narrative import COUNT, TOTAL as TEXT_TOTAL
from .texts import Text, quoted
from .values import (QUALITATIVE, Figure, read_amount, is_count_unit, is_per_unit, money_unit, parse_figure,
                     parse_nature, to_yuan)

S = PERFORMANCE_SHEET


def check_figures(table: PerformanceTable, figures: Figures, texts: list[Text], params: Params,
                  evaluating: bool = False) -> list[Issue]:
    """``evaluating``: during self-evaluation the tool's rows are checked on their 完成值, since the
    approved targets may rightly differ from the year's rosters."""
    issues: list[Issue] = []
    for row in table.rows:
        unit = row.text("unit")
        if parse_nature(row.get("nature")).symbol == QUALITATIVE:
            continue
        known = recognise(row)
        if known and evaluating and known.measure in TIME_MEASURES:
            continue  # staff say when payments were made; the approved deadline stands
        column = "actual" if known and evaluating else "target"
        figure = parse_figure(row.get(column), unit)
        if figure.number is None and figure.month is None:
            continue
        if known:
            issues += _known_row(Stated(row, column, figure), known, figures, [] if evaluating else texts, params)
        elif figure.number is not None and is_count_unit(unit):
            issues += _unnamed_count(row, figure.number, figures, texts, params)
        elif figure.number is not None and money_unit(unit or figure.tail) and not is_per_unit(unit):
            issues += _unnamed_amount(row, to_yuan(figure.number, unit or figure.tail), figures, texts, params)
    issues += _funds(table, figures)
    return issues


@dataclass(frozen=True)
class Stated:
    """A figure of a row: its 指标值, or its 完成值 during self-evaluation."""
    row: IndicatorRow
    column: str  # target | actual
    figure: Figure

    @property
    def cell(self) -> str:
        return self.row.cell(self.column)

    @property
    def unit(self) -> str:
        return self.row.text("unit") or self.figure.tail

    @property
    def said(self) -> str:
        """第11行“发放生活补贴人数”的指标值."""
        return f"{self.row.label}的{'完成值' if self.column == 'actual' else '指标值'}"


def _known_row(s: Stated, known: Known, figures: Figures, texts: list[Text], params: Params) -> Iterator[Issue]:
    part = figures.part(known.part) if known.part != TOTAL else None
    source = part.source if part else figures.total_source
    number, unit = s.figure.number, s.unit
    if known.measure == PEOPLE and number is not None:
        expected = part.people if part else figures.total_people
        basis = BASIS[(part.key, part.source)] if part else "两本名册（或预算）人数，同一身份证号只计一次"
        if number != expected:
            yield Issue("perf-count-mismatch", severity(source), S, s.cell, f"{number}{unit}",
                        f"{s.said}为{number}人，{source}为{expected}人", basis)
        if part:
            yield from _against_texts(s, "perf-count-text-mismatch", number, texts, known.part, COUNT, "人")
    elif known.measure == AMOUNT and number is not None:
        stated = to_yuan(number, unit)
        expected = part.amount if part else figures.total_amount
        if stated != expected:
            yield Issue("perf-amount-mismatch", severity(source), S, s.cell, f"{number}{unit}",
                        f"{s.said}为{yuan_phrase(stated)}，{source}为{yuan_phrase(expected)}",
                        BASIS[(part.key, part.source)] if part else "资金安排：生活补贴与一次性补助合计")
        if part:
            yield from _against_texts(s, "perf-amount-text-mismatch", Decimal(stated), texts, known.part, TEXT_TOTAL,
                                      "元")
    elif known.measure == AVERAGE and number is not None and part and part.average is not None:
        yield from _average(s, part, params)
    elif known.measure == QUARTERS and number is not None:
        if number != figures.quarters_paid:
            yield Issue("perf-time-quarters-mismatch", severity(figures.living.source), S, s.cell, f"{number}",
                        f"{s.said}为{number}次，{figures.living.source}全年有{figures.quarters_paid}个季度发放生活补贴",
                        "实施计划：每季度末审核发放；生活补贴名册")
    elif known.measure == DEADLINE:
        stated = s.figure.month or (YearMonth(params.budget_year, int(number))
                                    if number is not None and 1 <= number <= 12 else None)
        if stated != figures.deadline:
            yield Issue("perf-time-deadline-mismatch", WARNING, S, s.cell, s.figure.text,
                        f"{s.said}为“{s.figure.text}”，参数表的一次性补助完成时限为{figures.deadline.year}年"
                        f"{figures.deadline.month}月", "参数表“一次性补助完成时限”；实施计划")


def _average(s: Stated, part: Part, params: Params) -> Iterator[Issue]:
    number, unit = s.figure.number, s.unit
    exact = part.average / 10000 if money_unit(unit) == "万元" else part.average
    per = "每人每月" if part.key == LIVING else "每人"
    if not rounds_to(exact, number):
        yield Issue("perf-amount-average-mismatch", severity(part.source), S, s.cell, f"{number}{unit}",
                    f"{s.said}为{number}{unit}，{part.source}{per}平均{average_text(part.average)}元"
                    f"（{yuan_phrase(part.amount)}÷{part.units}{'人月' if part.key == LIVING else '人'}）",
                    BASIS[(part.key, part.source)])
    if part.key == ONE_OFF:
        yield from unreachable_average("perf-amount-average-unreachable", s.cell, s.said,
                                       Decimal(to_yuan(number, unit)), params)


def _against_texts(s: Stated, code: str, value: Decimal, texts: list[Text], part: str, kind: str,
                   unit: str) -> Iterator[Issue]:
    others = [(t, m) for t in texts for m in t.facts.values(part, kind) if m.value != value]
    if others:
        quotes = "；".join(f"{t.where}写“{m.written}”" for t, m in others[:3])
        yield Issue(code, WARNING, S, s.cell, f"{value.normalize():f}{unit}",
                    f"{s.said}为{value.normalize():f}{unit}，与文字中的数字不一致：{quotes}", "文字说明应与指标表一致")


def _unnamed_count(row: IndicatorRow, number: Decimal, figures: Figures, texts: list[Text],
                   params: Params) -> Iterator[Issue]:
    """A count whose name names no part: it should be one group's count, never two groups added up."""
    groups = {
        LIVING: {Decimal(figures.living.people): figures.living.source,
                 Decimal(params.living_budget_people): "参数表预算"} | quoted(texts, LIVING, COUNT),
        ONE_OFF: {Decimal(figures.one_off.people): figures.one_off.source,
                  Decimal(params.one_off_budget_people): "参数表预算"} | quoted(texts, ONE_OFF, COUNT),
    }
    if number in groups[LIVING] or number in groups[ONE_OFF]:
        return
    for a, a_source in groups[LIVING].items():
        for b, b_source in groups[ONE_OFF].items():
            if a + b == number:
                yield Issue("perf-count-mixed-groups", ERROR, S, row.cell("target"), f"{number}{row.text('unit')}",
                            f"{row.label}为{number}人 = 生活补贴{a}人（{a_source}）+ 一次性补助{b}人（{b_source}）："
                            f"两类不同对象合在一个指标名下；应分列“发放生活补贴人数”“发放一次性补助人数”两个数量指标",
                            "数量指标应与资助对象一一对应")
                return
    yield Issue("perf-count-mismatch", WARNING, S, row.cell("target"), f"{number}{row.text('unit')}",
                f"{row.label}为{number}人，不等于生活补贴（{figures.living.source}{figures.living.people}人）"
                f"或一次性补助（{figures.one_off.source}{figures.one_off.people}人）的人数，请核实口径",
                "数量指标应与资助对象一致")


def _unnamed_amount(row: IndicatorRow, stated: Money, figures: Figures, texts: list[Text],
                    params: Params) -> Iterator[Issue]:
    known = {Decimal(figures.living.amount), Decimal(figures.one_off.amount), Decimal(figures.total_amount),
             Decimal(params.living_budget), Decimal(params.one_off_budget),
             Decimal(params.living_budget + params.one_off_budget)}
    known |= set(quoted(texts, LIVING, TEXT_TOTAL)) | set(quoted(texts, ONE_OFF, TEXT_TOTAL))
    if Decimal(stated) not in known:
        yield Issue("perf-amount-mismatch", WARNING, S, row.cell("target"), f"{row.text('target')}",
                    f"{row.label}为{yuan_phrase(stated)}，不等于生活补贴（{yuan_phrase(figures.living.amount)}）、"
                    f"一次性补助（{yuan_phrase(figures.one_off.amount)}）或合计（{yuan_phrase(figures.total_amount)}），"
                    f"也不等于参数表预算数", "资金安排")


def _funds(table: PerformanceTable, figures: Figures) -> Iterator[Issue]:
    """年度资金总额 against the total; 其中：财政拨款 no more than it; an amount that cannot be read says so."""
    for label in ("年度资金总额", "其中：财政拨款"):
        if label in table.header_cells and not read_amount(table.header.get(label)).readable:
            yield Issue("perf-amount-unreadable", ERROR, S, table.header_cells[label], table.header_text(label),
                        f"{label}“{table.header_text(label)}”读不出一个金额（应只写一个数，如“266.528万元”或“2665280”，"
                        "分项可写在括号里）", "资金情况")
    total = _header_amount(table, "年度资金总额")
    if total is not None and total != figures.total_amount:
        yield Issue("perf-funds-total-mismatch", severity(figures.total_source), S, table.header_cells["年度资金总额"],
                    table.header_text("年度资金总额"),
                    f"年度资金总额为{yuan_phrase(total)}，{figures.total_source}合计为{yuan_phrase(figures.total_amount)}",
                    "资金安排：生活补贴与一次性补助合计")
    funded = _header_amount(table, "其中：财政拨款")
    if total is not None and funded is not None and funded > total:
        yield Issue("perf-funds-part-exceeds", ERROR, S, table.header_cells["其中：财政拨款"],
                    table.header_text("其中：财政拨款"),
                    f"其中：财政拨款{yuan_phrase(funded)}超过年度资金总额{yuan_phrase(total)}", "部分不能大于总额")


def _header_amount(table: PerformanceTable, label: str) -> Decimal | None:
    """A header amount: a number is yuan; text may say 元 or 万元."""
    amount = read_amount(table.header.get(label)).yuan  # 266528, "266528元", "26.6528万元", "854万(…)"
    return None if amount is None else Decimal(amount)
