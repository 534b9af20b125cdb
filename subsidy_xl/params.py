"""Policy parameters: read from the 参数 sheet, defaults from data/default_params.json.

Rules receive a ``Params``; none of them holds a rate, threshold or date of its own.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Mapping, Sequence

from .cells import a1
from .issues import ERROR, WARNING, Issue, shown
from .months import YearMonth, parse_year_month
from .schema import PARAM_BLOCKS, PARAM_HEADER_ROW, PARAMS_SHEET, STOP_EFFECTS, ParamBlock


@lru_cache(maxsize=1)
def default_data() -> Mapping:
    """The JSON defaults (seed and policy.md), as written into a new template."""
    text = resources.files("subsidy_xl").joinpath("data/default_params.json").read_text(encoding="utf-8")
    return json.loads(text)


@dataclass(frozen=True)
class Params:
    scalars: Mapping[str, object]  # key -> int | YearMonth
    rates: Mapping[str, int]  # 职务类别 -> yuan per month
    term_starts: tuple[YearMonth, ...]  # 换届 months, ascending
    stop_effects: Mapping[str, int]  # 停发原因 -> months after the event month that are still paid (0 or 1)
    streets: Mapping[str, str]  # 街道 -> 区划代码
    weights: Mapping[str, int]  # 一级指标 -> weight
    grades: tuple[tuple[str, int], ...]  # (grade, min score), best first
    role_aliases: Mapping[str, str]  # spelling -> 职务类别

    def __getattr__(self, key: str):  # scalar parameters read as attributes
        try:
            return self.scalars[key]
        except KeyError:
            raise AttributeError(key) from None

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(self.rates)

    @property
    def living_budget(self) -> int:
        return self.living_budget_people * self.living_budget_average * self.living_budget_months

    @property
    def one_off_budget(self) -> int:
        return self.one_off_budget_people * self.one_off_budget_average


# How each scalar is typed: months are YearMonth, texts are text ("" when the cell is empty), everything else a
# whole number.
_MONTH_SCALARS = {"left_office_before", "one_off_deadline"}
_TEXT_SCALARS = {"verify_mark"}
# Parameters that do not decide any amount paid (budget figures, 绩效): a missing one is a warning and its
# default is used. Every other one decides who is paid what: missing, repeated or unreadable, it is an
# error and no payment rows are written until it is put right (payment_stops).
_NOT_FOR_PAYMENTS = {"living_budget_people", "living_budget_average", "living_budget_months", "one_off_budget_people",
                     "one_off_budget_average", "satisfaction_min", "satisfaction_max", "one_off_deadline"}
_PAYMENT_BLOCKS = {"scalars", "rates", "term_schedule", "stop_reasons", "role_aliases"}
STOP_NOTE = "参数表有错误，本次不生成发放名单（不猜测应采用哪个数值）；请按问题清单改正参数表后重新刷新"


def payment_stops(issues: Sequence[Issue]) -> list[Issue]:
    """The errors on the 参数 sheet: while there is one, no payment rows are written at all."""
    return [i for i in issues if i.severity == ERROR and i.sheet == PARAMS_SHEET]


def default_params() -> Params:
    params, issues = params_from_rows({b.key: _default_rows(b) for b in PARAM_BLOCKS})
    assert not issues, issues  # the shipped defaults must be valid
    return params


def _default_rows(block: ParamBlock) -> list[tuple[int, list]]:
    rows = default_data()[block.key]
    return [(PARAM_HEADER_ROW + 1 + i, [r.get(f) for f in block.fields]) for i, r in enumerate(rows)]


def block_rows_from_grid(grid: Sequence[Sequence[object]]) -> tuple[dict[str, list[tuple[int, list]]], list[Issue]]:
    """Cut the 参数 sheet into its blocks by finding each block's header cells."""
    blocks: dict[str, list[tuple[int, list]]] = {}
    issues: list[Issue] = []
    header_idx = PARAM_HEADER_ROW - 1
    header = list(grid[header_idx]) if len(grid) > header_idx else []
    for block in PARAM_BLOCKS:
        start = _find_headers(header, block.headers)
        if start is None:
            money = block.key in _PAYMENT_BLOCKS
            issues.append(Issue("param-block-missing", ERROR if money else WARNING, PARAMS_SHEET,
                                a1(PARAM_HEADER_ROW, block.first_col), "",
                                f"参数表缺少“{block.title}”（表头 {'、'.join(block.headers)}），"
                                + ("本次不生成发放名单" if money else "已使用默认值"), "参数表结构"))
            blocks[block.key] = _default_rows(block)
            continue
        rows = []
        for r in range(header_idx + 1, len(grid)):
            values = [grid[r][start + i] if start + i < len(grid[r]) else None for i in range(len(block.headers))]
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values[:2]):
                continue
            rows.append((r + 1, values))
        blocks[block.key] = rows
    return blocks, issues


def _find_headers(header: Sequence[object], wanted: Sequence[str]) -> int | None:
    texts = [str(v).strip() if v is not None else "" for v in header]
    for i in range(len(texts) - len(wanted) + 1):
        if texts[i:i + len(wanted)] == list(wanted):
            return i
    return None


def params_from_grid(grid: Sequence[Sequence[object]]) -> tuple[Params, list[Issue]]:
    blocks, issues = block_rows_from_grid(grid)
    params, more = params_from_rows(blocks, located=True)
    return params, issues + more


def params_from_rows(blocks: Mapping[str, list[tuple[int, list]]], located: bool = False) -> tuple[Params, list[Issue]]:
    """Typed parameters from block rows; a bad value is an issue and its default is used."""
    issues: list[Issue] = []
    defaults = default_data()
    cols = {b.key: b.first_col for b in PARAM_BLOCKS}

    def bad(block: str, row: int, offset: int, value, message: str, severity=ERROR, code="param-invalid"):
        cell = a1(row, cols[block] + offset) if located else ""
        if severity == ERROR:
            message += "；本次不生成发放名单"
        issues.append(Issue(code, severity, PARAMS_SHEET, cell, shown(value), message, "参数表"))

    def repeated(block: str, row: int, key: str, seen: dict[str, int], what: str) -> bool:
        """A key given twice: an error naming both rows; neither is chosen."""
        if key in seen:
            bad(block, row, 0, key, f"{what}“{key}”在参数表中出现两次（第{seen[key]}行和第{row}行），无法确定采用哪一个",
                code="param-duplicate")
            return True
        seen[key] = row
        return False

    # Scalars are found by their Chinese label, so rows may be reordered.
    label_to_key = {s["label"]: s["key"] for s in defaults["scalars"]}
    scalars: dict[str, object] = {}
    seen_labels: dict[str, int] = {}
    for row, (label, value, *_rest) in blocks["scalars"]:
        key = label_to_key.get(str(label).strip() if label is not None else "")
        if key is None:
            bad("scalars", row, 0, label, f"未知参数“{label}”，已忽略", WARNING)
            continue
        if repeated("scalars", row, str(label).strip(), seen_labels, "参数"):
            continue
        parsed = _parse_scalar(key, value)
        if parsed is None:  # an unreadable value is never replaced by a default the user did not choose
            bad("scalars", row, 1, value, f"参数“{label}”的值无效：{shown(value) or '空'}")
        else:
            scalars[key] = parsed
    present = {str(label).strip() for _, (label, *_r) in blocks["scalars"] if label is not None}
    for s in defaults["scalars"]:
        if s["key"] not in scalars:
            if located and s["label"] not in present:
                money = s["key"] not in _NOT_FOR_PAYMENTS and s["key"] not in _TEXT_SCALARS
                issues.append(Issue("param-missing", ERROR if money else WARNING, PARAMS_SHEET, "", s["label"],
                                    f"参数表缺少“{s['label']}”，" + ("本次不生成发放名单" if money
                                                                 else f"已使用默认值 {s['value']}"), "参数表"))
            scalars[s["key"]] = _parse_scalar(s["key"], s["value"])

    rates: dict[str, int] = {}
    seen_rates: dict[str, int] = {}
    for row, (category, rate, *_rest) in blocks["rates"]:
        amount = whole_number(rate)
        if category and repeated("rates", row, str(category).strip(), seen_rates, "职务类别"):
            rates.pop(str(category).strip(), None)
            continue
        if not category or amount is None or amount < 0:
            bad("rates", row, 1, rate, f"职务类别“{category or ''}”的月岗位补贴无效：{shown(rate) or '空'}")
            continue
        rates[str(category).strip()] = amount
    if located:
        for r in defaults["rates"]:
            if r["category"] not in seen_rates:
                issues.append(Issue("param-rate-missing", ERROR, PARAMS_SHEET, a1(PARAM_HEADER_ROW, cols["rates"]),
                                    r["category"], f"参数表“月岗位补贴标准”缺少职务类别“{r['category']}”的月岗位补贴；"
                                    "本次不生成发放名单", "呈组通〔2007〕143号 补助对象"))

    starts: list[YearMonth] = []
    seen_starts: dict[str, int] = {}
    for row, (term, start, *_rest) in blocks["term_schedule"]:
        parsed = parse_year_month(start)
        if parsed.value is None:
            bad("term_schedule", row, 1, start, f"换届时间表“{term}”的换届年月无效：{parsed.problem or '空'}")
            continue
        if repeated("term_schedule", row, str(parsed.value), seen_starts, "换届年月"):
            continue
        starts.append(parsed.value)
    if starts != sorted(starts):
        issues.append(Issue("param-schedule-order", ERROR, PARAMS_SHEET, "", "",
                            "换届时间表未按时间先后排列，无法确定届次；请按时间先后排列后重新刷新，本次不生成发放名单",
                            "参数表"))
        starts.sort()

    stop_effects: dict[str, int] = {}
    seen_reasons: dict[str, int] = {}
    for row, (reason, effect, *_rest) in blocks["stop_reasons"]:
        text = str(effect).strip() if effect is not None else ""
        if reason and repeated("stop_reasons", row, str(reason).strip(), seen_reasons, "停发原因"):
            stop_effects.pop(str(reason).strip(), None)
            continue
        if not reason or text not in STOP_EFFECTS:
            bad("stop_reasons", row, 1, effect, f"停发原因“{reason}”的停发生效应为“次月”或“当月”")
            continue
        stop_effects[str(reason).strip()] = 1 if text == "次月" else 0

    streets = {str(s).strip(): str(code or "").strip() for _, (s, code, *_r) in blocks["streets"] if s}
    weights: dict[str, int] = {}
    for row, (level, weight, *_rest) in blocks["weights"]:
        w = whole_number(weight)
        if not level or w is None:
            bad("weights", row, 1, weight, f"“{level}”的权重无效：{weight}")
            continue
        weights[str(level).strip()] = w
    grades = []
    for row, (grade, min_score, *_rest) in blocks["grades"]:
        m = whole_number(min_score)
        if not grade or m is None:
            bad("grades", row, 1, min_score, f"等级“{grade}”的最低得分无效：{min_score}")
            continue
        grades.append((str(grade).strip(), m))
    grades.sort(key=lambda g: -g[1])
    aliases = {}
    seen_spellings: dict[str, int] = {}
    for row, (spelling, category, *_rest) in blocks["role_aliases"]:
        if not spelling:
            continue
        if repeated("role_aliases", row, str(spelling).strip(), seen_spellings, "职务写法"):
            aliases.pop(str(spelling).strip(), None)
            continue
        if str(category).strip() not in rates:
            bad("role_aliases", row, 1, category, f"职务写法“{spelling}”对照的职务类别“{category}”不在月岗位补贴标准中")
            continue
        aliases[str(spelling).strip()] = str(category).strip()

    params = Params(
        scalars=MappingProxyType(scalars),
        rates=MappingProxyType(rates),
        term_starts=tuple(starts),
        stop_effects=MappingProxyType(stop_effects),
        streets=MappingProxyType(streets),
        weights=MappingProxyType(weights),
        grades=tuple(grades),
        role_aliases=MappingProxyType(aliases),
    )
    return params, issues


def _parse_scalar(key: str, value: object):
    if key in _MONTH_SCALARS:
        return parse_year_month(value).value
    if key in _TEXT_SCALARS:
        return "" if value is None else str(value).strip()
    return whole_number(value)


def whole_number(value: object) -> int | None:
    """Parameters are whole yuan, people, months or years."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not d.is_finite() or d != d.to_integral_value():  # "inf", "NaN": not a number of anything
        return None
    return int(d)
