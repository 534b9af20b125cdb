"""Reading the cells of an indicator row: 指标性质, 度量单位 and the figures of
指标值 / 完成值, exactly (Decimal), with what was typed kept for messages."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ..money import Money, normalise, to_wan
from ..months import YearMonth, parse_year_month
from .standards import norm, standards

QUALITATIVE = "定性"


@dataclass(frozen=True)
class Nature:
    symbol: str | None  # one of =, ≥, ≤, 定性; None when unreadable
    standard: bool  # written exactly as the guidance writes it


def parse_nature(raw: object) -> Nature:
    text = norm(raw)
    if text in standards()["natures"]:
        return Nature(text, True)
    spelled = standards()["nature_spellings"].get(text)
    return Nature(spelled, False)


# 度量单位 kinds. Averages are money per person and/or month ("元/人/月", "万元/人").
def money_unit(unit: str) -> str | None:
    """"元" or "万元" when the unit is money (possibly per person/month), else None."""
    text = norm(unit)
    for base in ("万元", "元"):
        if text == base or text.startswith(base + "/") or text.startswith(base + "每"):
            return base
    return None


def is_per_unit(unit: str) -> bool:
    """元/人/月, 万元/人: an average rather than an amount."""
    text = norm(unit)
    return money_unit(text) is not None and text not in ("元", "万元")


def is_count_unit(unit: str) -> bool:
    return norm(unit) in standards()["count_units"]


def to_yuan(number: Decimal, unit: str) -> Money:
    """A figure in the row's money unit as yuan."""
    return normalise(number * 10000 if money_unit(unit) == "万元" else number)


def from_yuan(amount: Money, unit: str) -> Money:
    """Yuan as a figure in the row's money unit (万元 exact, e.g. 66.528)."""
    if money_unit(unit) != "万元":
        return normalise(amount)
    wan = to_wan(amount)  # exact: a division by a power of ten
    return int(wan) if wan == wan.to_integral_value() else wan


_LARGEST_FIGURE = Decimal(10) ** 15  # 1000万亿: far beyond any count, amount or rate of this programme
_NUMBER_WITH_TAIL = re.compile(r"^([<>≤≥=]*)\s*([+-]?\d+(?:\.\d+)?)\s*(.*)$")


@dataclass(frozen=True)
class Figure:
    """What a 指标值 or 完成值 cell holds."""
    raw: object
    number: Decimal | None  # in the unit of the 度量单位 column (percent as 96, not 0.96)
    tail: str  # text typed after the number ("%", "万元"); "" for a plain number
    month: YearMonth | None  # a deadline such as 2026年9月
    text: str  # the cell as text

    @property
    def blank(self) -> bool:
        return not self.text


def parse_figure(raw: object, unit: str = "") -> Figure:
    """A number cell, or text such as "96%", "66.528万元", "2026年9月"."""
    text = "" if raw is None else str(raw).strip()
    if raw is None or not text:
        return Figure(raw, None, "", None, "")
    if isinstance(raw, bool):
        return Figure(raw, None, "", None, text)
    if isinstance(raw, (int, float, Decimal)):
        number = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw)
        if not _plausible(number):
            return Figure(raw, None, "", None, text)
        if norm(unit) == "%" and 0 < number <= 1 and isinstance(raw, float):
            number *= 100  # a percent-formatted cell stores 0.96 for 96%
        return Figure(raw, _tidy(number), "", None, text)
    compact = norm(text)
    month = parse_year_month(compact).value if ("年" in compact or "-" in compact[1:]) else None
    if month is not None:
        return Figure(raw, None, "", month, text)
    m = _NUMBER_WITH_TAIL.match(compact.replace(",", ""))
    if not m:
        return Figure(raw, None, "", None, text)
    try:
        number = Decimal(m.group(2))
    except InvalidOperation:
        return Figure(raw, None, "", None, text)
    if not _plausible(number):
        return Figure(raw, None, "", None, text)
    return Figure(raw, _tidy(number), m.group(3), None, text)


def amount_in_yuan(raw: object) -> Money | None:
    """An amount cell in yuan: a number is yuan; text may say 元 or 万元 ("266.528万元" -> 2665280).

    None when the cell is blank or does not read as an amount (tell the two apart with ``parse_figure(raw).blank``).
    """
    figure = parse_figure(raw)
    if figure.number is None or (figure.tail and not money_unit(figure.tail)):
        return None
    return to_yuan(figure.number, figure.tail or "元")


def _plausible(number: Decimal) -> bool:
    """A number an indicator can hold: 1E+308 or NaN is a typing accident, and exact arithmetic on it fails."""
    return number.is_finite() and abs(number) < _LARGEST_FIGURE


def _tidy(number: Decimal) -> Decimal:
    """Drop float noise and trailing zeros: 66.5280 -> 66.528, 184.0 -> 184."""
    return number.normalize() if number != number.to_integral_value() else number.quantize(Decimal(1))


def places(number: Decimal) -> int:
    """Decimal places as written (2 for 656.43, 0 for 660)."""
    exponent = number.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0
