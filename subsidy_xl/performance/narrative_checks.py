"""Checks of the numbers in the texts: their own arithmetic (products, "N人，其中…"
sums), each other, the table's percentages, and the figures of the rosters or
the budget."""
from __future__ import annotations

from decimal import Decimal
from typing import Iterator

from ..issues import ERROR, WARNING, Issue
from ..params import Params
from .compare import BASIS, average_text, rounds_to, severity, unreachable_average, yuan_phrase
from .figures import LIVING, ONE_OFF, PART_LABELS, Figures
from .model import PerformanceTable
from .narrative import COUNT, MONTHLY, PER_PERSON, PERCENT, TOTAL, Mention
from .texts import Text


def shown_text(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
from .values import parse_figure

# Words that tie a percentage in a text to a percentage indicator of the same kind.
RATE_WORDS = ("满意度", "执行率", "合格率", "及时率", "准确率", "覆盖率", "发放率", "完成率")


def check_texts(texts: list[Text], table: PerformanceTable, figures: Figures, params: Params,
                evaluating: bool = False) -> list[Issue]:
    """``evaluating``: the texts are the approved plan, so the year's rosters may rightly differ from them."""
    issues: list[Issue] = []
    for text in texts:
        issues += arithmetic(text)
        for part in (LIVING, ONE_OFF):
            issues += [] if evaluating else _against_figures(text, part, figures, params)
        issues += _percentages(text, table)
    issues += _conflicts(texts)
    return issues


def _num(value: Decimal) -> str:
    return format(value.normalize(), "f")


def arithmetic(text: Text) -> Iterator[Issue]:
    """A text's own sums and products, which need no other figure."""
    for p in text.facts.products:
        if p.value != p.result:
            yield Issue("narrative-product-arithmetic", ERROR, text.sheet, text.cell, p.written,
                        f"{text.label}中“{p.written}”计算有误：左边各项相乘得{_num(p.value)}，右边写的是{_num(p.result)}"
                        "（金额均折合为元比较）", "算式应自洽")
    for s in text.facts.sums:
        if s.whole != sum(s.parts):
            parts = "+".join(str(x) for x in s.parts)
            yield Issue("narrative-parts-sum", ERROR, text.sheet, text.cell, s.written,
                        f"{text.label}中“{s.written}”：分项{parts}={sum(s.parts)}{s.unit}，与总数{s.whole}{s.unit}不符",
                        "总数应等于其中各项之和")
    for s in text.facts.money_sums:
        if s.whole != sum(s.parts):
            yield Issue("narrative-money-sum", ERROR, text.sheet, text.cell, shown_text(s.written),
                        f"{text.label}写总额{yuan_phrase(s.whole)}，其中所列各项合计{yuan_phrase(sum(s.parts))}"
                        f"（{'+'.join(_num(p) for p in s.parts)}元），两者不符", "总额应等于其中各项之和（元、万元均折合为元比较）")


def _against_figures(text: Text, part_key: str, figures: Figures, params: Params) -> Iterator[Issue]:
    part = figures.part(part_key)
    level = severity(part.source)
    basis = BASIS[(part.key, part.source)]
    wrong = _differing(text.facts.values(part_key, COUNT), lambda m: m.value == part.people)
    if wrong:
        yield Issue("narrative-count-mismatch", level, text.sheet, text.cell, wrong,
                    f"{text.label}写{part.label}{wrong}，{part.source}为{part.people}人", basis)
    wrong = _differing(text.facts.values(part_key, TOTAL), lambda m: m.value == part.amount)
    if wrong:
        yield Issue("narrative-amount-mismatch", level, text.sheet, text.cell, wrong,
                    f"{text.label}写{part.label}共计{wrong}，{part.source}为{yuan_phrase(part.amount)}", basis)
    average_kind = MONTHLY if part_key == LIVING else PER_PERSON
    if part.average is not None:
        wrong = _differing(text.facts.values(part_key, average_kind), lambda m: rounds_to(part.average, m.value))
        if wrong:
            per = "每人每月" if part_key == LIVING else "每人"
            yield Issue("narrative-average-mismatch", level, text.sheet, text.cell, wrong,
                        f"{text.label}写{part.label}{per}{wrong}，{part.source}{per}平均{average_text(part.average)}元",
                        basis)
    if part_key == ONE_OFF:
        rates = set(params.rates.values())
        wrong = _differing(text.facts.values(ONE_OFF, MONTHLY), lambda m: m.value in rates)
        if wrong:
            yield Issue("narrative-rate-unknown", WARNING, text.sheet, text.cell, wrong,
                        f"{text.label}写的月岗位补贴{wrong}不在参数表的月岗位补贴标准中"
                        f"（{'、'.join(f'{k}{v}元' for k, v in params.rates.items())}）", "参数表“月岗位补贴标准”")
        for m in text.facts.values(ONE_OFF, PER_PERSON):
            yield from unreachable_average("narrative-average-unreachable", text.cell, text.label, m.value, params,
                                           sheet=text.sheet)


def _differing(mentions: list[Mention], ok) -> str:
    """The distinct figures as written that fail ``ok``, joined for a message ("" when all agree)."""
    seen = []
    for m in mentions:
        if not ok(m) and m.written not in seen:
            seen.append(m.written)
    return "、".join(seen)


def _percentages(text: Text, table: PerformanceTable) -> Iterator[Issue]:
    """A percentage said of 满意度, 执行率… against the percentage indicator named alike."""
    for m in text.facts.mentions:
        if m.kind != PERCENT:
            continue
        word = next((w for w in RATE_WORDS if w in m.clause), None)
        if word is None:
            continue
        for row in table.rows:
            target = parse_figure(row.get("target"), row.text("unit"))
            if word in row.name and target.number is not None and target.number != m.value:
                yield Issue("narrative-percent-mismatch", WARNING, text.sheet, text.cell, m.written,
                            f"{text.label}写{word}{m.written}，指标表{row.label}（{row.cell('target')}）"
                            f"为{_num(target.number)}%", "文字说明应与指标表一致")


def _conflicts(texts: list[Text]) -> Iterator[Issue]:
    """The texts against each other: a part's people and total as first said, then every other text."""
    for part in (LIVING, ONE_OFF):
        for kind, what in ((COUNT, "人数"), (TOTAL, "金额")):
            first: tuple[Text, Mention] | None = None
            for text in texts:
                for m in text.facts.values(part, kind):
                    if first is None:
                        first = (text, m)
                    elif m.value != first[1].value and text is not first[0]:
                        yield Issue("narrative-conflict", ERROR, text.sheet, text.cell, m.written,
                                    f"{text.label}写{PART_LABELS[part]}{what}“{m.written}”，"
                                    f"{first[0].where}写“{first[1].written}”，两处应一致", "同一申报材料中的数字应一致")
                        break
