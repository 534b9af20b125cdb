"""Checks a 财政 reviewer applies to any 绩效目标表, whatever programme it is for:
row by row (placeholders left inside text, a name that carries its own value,
people counted in 个, ≥ on a headcount that is known, a cost written as a floor
or a sentence) and, for a received form, as a whole (weights or points that do
not add up to 100, a self-evaluation score that contradicts its own figures, an
amount that cannot be read, a part larger than its total).

The words each check looks for are data (performance_standards.json).
"""
from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from typing import Iterator

from ..cells import a1
from ..issues import ERROR, WARNING, Issue
from .compare import yuan_phrase
from .model import IndicatorRow, PerformanceTable
from .standards import is_placeholder, norm, standards
from .values import QUALITATIVE, is_count_unit, money_unit, parse_figure, parse_nature, read_amount

GUIDANCE = "财预〔2021〕101号 绩效指标体系"
_PREFIX = re.compile(r"^(?:[*★☆]+|指标\d+[:：.、]?)+")
_VALUE_AT_END = re.compile(r"(\d+(?:\.\d+)?)\s*(%|人|个|名|户|万元|元|公里|亩|次|天|年|座|只|头|平方米)$")
_PERSON_UNITS = ("人", "名", "人数")
_NOT_PAYEES = ("受益", "带动", "服务", "接待", "培训", "参与", "解决")


def core_name(name: str) -> str:
    """A name without template numbering or markers and closing punctuation: "指标1:安置小区物业费。" -> "安置小区物业费"."""
    return _PREFIX.sub("", norm(name)).rstrip("。.;；,，")


def check_rows(table: PerformanceTable, sheet: str) -> Iterator[Issue]:
    for row in table.rows:
        yield from _placeholders_inside(row, sheet)
        yield from _name_has_value(row, sheet)
        yield from _people(row, sheet)
        yield from _cost(row, table, sheet)


def _placeholders_inside(row: IndicatorRow, sheet: str) -> Iterator[Issue]:
    marks = standards()["placeholders_inside"]
    for key, title in (("name", "三级指标"), ("target", "指标值"), ("unit", "度量单位")):
        text = row.text(key)
        if not text or is_placeholder(text):
            continue  # a whole cell of 空/XX is perf-name-placeholder's
        found = [m for m in marks if m in text]
        if found:
            yield Issue("perf-placeholder-in-text", WARNING, sheet, row.cell(key), text,
                        f"{row.label}的{title}“{text}”中留有模板占位或标记“{found[0]}”，请填写实际内容并删去标记", GUIDANCE)


def _name_has_value(row: IndicatorRow, sheet: str) -> Iterator[Issue]:
    name = core_name(row.name)
    m = _VALUE_AT_END.search(name)
    if not m or len(name) == len(m.group(0)):
        return
    yield Issue("perf-name-has-value", WARNING, sheet, row.cell("name"), row.name,
                f"三级指标“{row.name}”把数值“{m.group(0)}”写进了名称；名称只写考核什么"
                f"（如“{name[:m.start()].rstrip('≥≤=<>')}”），数值填在指标值列、单位填在度量单位列"
                + (f"（指标值列现为“{row.text('nature')}{row.text('target')}{row.text('unit')}”）" if row.text("target") else ""),
                GUIDANCE)


def _is_people(row: IndicatorRow, unit: str) -> bool:
    return any(w in row.name for w in standards()["people_words"]) and (is_count_unit(unit) or unit in _PERSON_UNITS)


def _people(row: IndicatorRow, sheet: str) -> Iterator[Issue]:
    unit = norm(row.text("unit") or parse_figure(row.get("target")).tail)
    if not _is_people(row, unit) and unit not in _PERSON_UNITS:
        return
    if unit == "个" and _is_people(row, unit):
        yield Issue("perf-people-unit", WARNING, sheet, row.cell("unit"), unit,
                    f"{row.label}数的是人，度量单位却是“个”；人数应以“人”计", GUIDANCE)
    nature = parse_nature(row.get("nature")).symbol
    name = row.name
    if nature == "≥" and any(w in name for w in standards()["payee_words"]) and not any(w in name for w in _NOT_PAYEES):
        yield Issue("perf-headcount-ge", WARNING, sheet, row.cell("nature"), f"≥{row.text('target')}",
                    f"{row.label}是按名册发放的人数，人数是确定的，指标性质应为“=”而不是“≥”"
                    "（≥只说了下限，多发也算达标）", "数量指标应与资助对象名册一致")


def is_cost(row: IndicatorRow, table: PerformanceTable) -> bool:
    if row.group2 == "成本指标" or row.group1 == "成本指标":
        return True
    has_levels = "level1" in table.cols or "level2" in table.cols
    unit = row.text("unit") or parse_figure(row.get("target")).tail
    return not has_levels and bool(money_unit(unit)) and any(w in row.name for w in standards()["cost_words"])


def _cost(row: IndicatorRow, table: PerformanceTable, sheet: str) -> Iterator[Issue]:
    if not is_cost(row, table) or not row.text("target"):
        return
    nature = parse_nature(row.get("nature")).symbol
    figure = parse_figure(row.get("target"), row.text("unit"))
    if nature == "≥":
        yield Issue("perf-cost-not-capped", WARNING, sheet, row.cell("nature"), f"≥{row.text('target')}{row.text('unit')}",
                    f"{row.label}是成本（资金）指标，却写作下限“≥{row.text('target')}{row.text('unit')}”；"
                    "成本指标应写上限“≤金额”（不超过预算）", GUIDANCE)
    elif nature == QUALITATIVE or figure.number is None:
        yield Issue("perf-cost-not-capped", WARNING, sheet, row.cell("target"), row.text("target"),
                    f"{row.label}是成本指标，指标值却是文字“{row.text('target')}”；成本指标应写可核对的上限金额（如“≤90万元”）",
                    GUIDANCE)


# ---------------------------------------------------------------- a received form as a whole

def check_weights(table: PerformanceTable, weights: dict[int, object], funding_points: object, sheet: str,
                  weight_col: int) -> Iterator[Issue]:
    """``weights``: Excel row -> the row's 权重/分值 as written; ``funding_points``: the 执行率 分值 of a 自评表."""
    total = Decimal(0)
    blank = []
    for row in table.rows:
        if core_name(row.name).startswith("其中") or is_placeholder(row.name) or not row.name:
            continue  # a breakdown of the row above, or a template line, carries no points of its own
        value = _number(weights.get(row.row))
        if value is None:
            blank.append(row)
        else:
            total += value
    counted = len(table.rows) - len(blank)
    if counted and blank:
        for row in blank:
            written = weights.get(row.row)
            said = f"的权重（分值）“{written}”不是数字" if written is not None and str(written).strip() else "没有填权重（分值）"
            yield Issue("perf-weight-blank", WARNING, sheet, a1(row.row, weight_col), "" if written is None else str(written),
                        f"{row.label}{said}，其他指标都有", GUIDANCE)
    if not counted:
        return
    extra = _number(funding_points) or Decimal(0)
    if total + extra != 100:
        said = f"指标权重合计{_num(total)}" + (f"，加预算执行率{_num(extra)}分共{_num(total + extra)}" if extra else "")
        yield Issue("perf-weights-sum", WARNING, sheet, a1(table.header_row, weight_col), _num(total + extra),
                    f"{said}分，不是100分", "各项指标权重（分值）合计应为100")


def check_amounts(table: PerformanceTable, raw: dict[str, object], money: str | None, sheet: str) -> Iterator[Issue]:
    """年度资金总额 and 其中：财政拨款 as written: readable, parts adding up, the part within the total."""
    read = {}
    for label in ("年度资金总额", "其中：财政拨款"):
        if label not in raw:
            continue
        cell = table.header_cells.get(label, "")
        amount = read_amount(raw[label], money or "元")
        if not amount.readable:
            yield Issue("perf-amount-unreadable", ERROR, sheet, cell, str(raw[label]),
                        f"{label}“{raw[label]}”读不出一个金额（应只写一个数，如“854万元”，分项可写在括号里）", "资金情况")
            continue
        read[label] = amount.yuan
        if len(amount.parts) >= 2 and amount.yuan is not None and sum(amount.parts) != amount.yuan:
            yield Issue("narrative-money-sum", ERROR, sheet, cell, str(raw[label]),
                        f"{label}写{yuan_phrase(amount.yuan)}，括号中各项合计{yuan_phrase(sum(amount.parts))}，两者不符",
                        "总额应等于各项之和")
    total, part = read.get("年度资金总额"), read.get("其中：财政拨款")
    if total is not None and part is not None and part > total:
        yield Issue("perf-funds-part-exceeds", ERROR, sheet, table.header_cells.get("其中：财政拨款", ""),
                    str(raw["其中：财政拨款"]), f"其中：财政拨款{yuan_phrase(part)}超过年度资金总额{yuan_phrase(total)}",
                    "部分不能大于总额")


def check_execution_score(funding, sheet: str, money: str | None) -> Iterator[Issue]:
    """The 执行率 score of a 自评表 against its own 全年预算数 and 全年执行数."""
    total = funding.values.get("total", {})
    points, score = _number(total.get("points")), _number(total.get("score"))
    if points is None or score is None:
        return
    budget, executed = _number(total.get("budget")), _number(total.get("executed"))
    source = "年度资金总额"
    if not budget:
        parts = [funding.values.get(k, {}) for k in ("fiscal", "carried", "other")]
        budget = sum((_number(p.get("budget")) or 0 for p in parts), Decimal(0))
        executed = sum((_number(p.get("executed")) or 0 for p in parts), Decimal(0))
        source = "其中各项资金"
    if not budget or executed is None:
        return
    rate = Fraction(executed) / Fraction(budget)
    expected = Fraction(points) * min(rate, Fraction(1))
    if abs(Fraction(score) - expected) > Fraction(1, 100):
        r, c = funding.cells["total"]["score"]
        unit = money or "元"
        yield Issue("perf-score-contradiction", ERROR, sheet, a1(r + 1, c), _num(score),
                    f"预算执行率得分为{_num(score)}分，但按{source}全年执行数{_num(executed)}{unit}÷全年预算数{_num(budget)}{unit}"
                    f"={_num(Decimal(rate.numerator) / Decimal(rate.denominator) * 100, 2)}%，应得{_num(_dec(expected), 2)}分"
                    f"（分值{_num(points)}分×执行率，最高为满分）", "自评得分应与自评表自身的数字一致")


def check_row_scores(table: PerformanceTable, weights: dict[int, object], sheet: str) -> Iterator[Issue]:
    """A row's 得分 above its points, or below them although its 完成值 meets the target."""
    from .selfeval import achieved_share

    for row in table.rows:
        points, score = _number(weights.get(row.row)), _number(row.get("score"))
        if points is None or score is None:
            continue
        if score > points:
            yield Issue("perf-score-contradiction", ERROR, sheet, row.cell("score"), _num(score),
                        f"{row.label}得分{_num(score)}分，超过其分值{_num(points)}分", "自评得分不能超过分值")
            continue
        unit = row.text("unit")
        share = achieved_share(parse_nature(row.get("nature")).symbol, parse_figure(row.get("target"), unit),
                               parse_figure(row.get("actual"), unit), "")
        if share == 1 and score < points:
            yield Issue("perf-score-contradiction", WARNING, sheet, row.cell("score"), _num(score),
                        f"{row.label}完成值“{row.text('actual')}”已达到指标值“{row.text('nature')}{row.text('target')}"
                        f"{unit}”，得分却只有{_num(score)}分（分值{_num(points)}分）；若有扣分请在偏差原因中说明",
                        "自评得分应与完成情况一致")


def _number(value: object) -> Decimal | None:
    """A points, score or amount cell: 10, "10分", "95%", "1,000"; None for text, a comparison or a 40-digit accident."""
    figure = parse_figure(value)
    if figure.tail not in ("", "%", "分") or norm(value)[:1] in ("<", ">", "≤", "≥", "="):
        return None
    return figure.number


def _dec(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


def _num(value: Decimal, places: int | None = None) -> str:
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places))
    text = format(value.normalize(), "f") if value == value.to_integral_value() or places is None else format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
