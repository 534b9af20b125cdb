"""Which indicator rows are the tool's: recognised by their 三级指标 name and unit.

A row is the tool's when its name says which part it measures and its unit says
what it measures:

- part: "一次性" -> 一次性补助; "生活补贴"/"生活补助" -> 生活补贴; "合计", "总" or
  "两项" -> both parts together (the total);
- measure: a count unit (人, 名, 个…) and a name with "数" -> people paid;
  a money unit -> the amount, or the average when the unit is per person/month
  (元/人/月, 万元/人) or the name says 人均/平均/月标准; 生活补贴 with "季" and
  unit 次 -> quarterly payments; 一次性补助 with 时间/时限 -> the completion month.

Anything else is the user's and is only checked, never written. A name that
names no part, such as the seed's 正常离任社区干部数量, is deliberately not
recognised: the tool cannot tell which group it means.
"""
from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from ..money import Money
from .compare import rounded

from .figures import LIVING, ONE_OFF, TOTAL, Figures
from .model import IndicatorRow
from .standards import norm
from .values import from_yuan, is_count_unit, is_per_unit, money_unit

PEOPLE, AMOUNT, AVERAGE, QUARTERS, DEADLINE = "people", "amount", "average", "quarters", "deadline"
TIME_MEASURES = (QUARTERS, DEADLINE)


class Known(NamedTuple):
    part: str  # living | one_off | total
    measure: str  # people | amount | average | quarters | deadline

    @property
    def key(self) -> str:
        """The standard row's key in performance_standards.json, e.g. "one_off_people"."""
        return f"{self.part}_{self.measure}"


def part_of(name: str) -> str | None:
    text = norm(name)
    if "一次性" in text:
        return ONE_OFF
    if "生活补贴" in text or "生活补助" in text:
        return LIVING
    if any(word in text for word in ("合计", "总", "两项")):
        return TOTAL
    return None


def recognise(row: IndicatorRow) -> Known | None:
    """What a row the tool fills measures, else None."""
    name, unit = norm(row.name), row.text("unit")
    part = part_of(name)
    if part is None:
        return None
    if money_unit(unit):
        if is_per_unit(unit) or any(word in name for word in ("人均", "平均", "月标准")):
            return Known(part, AVERAGE) if part != TOTAL else None
        return Known(part, AMOUNT)
    if is_count_unit(unit) and "数" in name:
        return Known(part, PEOPLE)
    if part == LIVING and "季" in name and norm(unit) == "次":
        return Known(part, QUARTERS)
    if part == ONE_OFF and ("时间" in name or "时限" in name):
        return Known(part, DEADLINE)
    return None


def known_value(known: Known, unit: str, figures: Figures) -> object | None:
    """The value of a recognised indicator in the row's unit; None when there is nothing to say."""
    part = figures.part(known.part) if known.part != TOTAL else None
    if known.measure == PEOPLE:
        return part.people if part else figures.total_people
    if known.measure == AMOUNT:
        return from_yuan(part.amount if part else figures.total_amount, unit)
    if known.measure == AVERAGE:
        if part is None or part.average is None:
            return None
        in_wan = money_unit(unit) == "万元"
        return _as_written(rounded(part.average / 10000, 4) if in_wan else rounded(part.average, 2))
    if known.measure == QUARTERS:
        return figures.quarters_paid
    if known.measure == DEADLINE:
        d = figures.deadline
        return d.month if norm(unit) == "月" else f"{d.year}年{d.month}月"
    return None


def _as_written(value: Decimal) -> Money:
    """660.00 -> 660, 656.40 -> 656.4: figures as a person writes them."""
    return int(value) if value == value.to_integral_value() else value.normalize()


def split_key(key: str) -> tuple[str, str]:
    """"one_off_people" -> ("one_off", "people")."""
    part, _, measure = key.rpartition("_")
    return part, measure
