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
    when: "When | None" = None  # a date or deadline written in words: 12月底前, 2021年全年, 2021年1月-12月

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
    when = read_when(compact)
    if when is not None:
        return Figure(raw, None, "", YearMonth(when.year, when.month) if when.year else None, text, when)
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


@dataclass(frozen=True)
class When:
    """A date written in words: the month it ends in (year when written), and whether it is a deadline."""
    year: int | None
    month: int
    deadline: bool  # 12月底前: by then; 2021年全年: during


_WHEN = (
    # 2021年1月-12月, 2021年1-12月: a period, ending in its last month
    (re.compile(r"^(\d{4})年(?:\d{1,2})月?[-~至到](\d{1,2})月(?:底|末)?$"), lambda m: When(int(m[1]), int(m[2]), False)),
    # 2021年全年, 2021年度: the whole year
    (re.compile(r"^(\d{4})年(?:全年|度)$"), lambda m: When(int(m[1]), 12, False)),
    # 2021年底前, 2021年年底
    (re.compile(r"^(\d{4})年(?:年)?(?:底|末)(?:前|以前|之前)?$"), lambda m: When(int(m[1]), 12, True)),
    # 2026年9月底前, 2026年9月前
    (re.compile(r"^(\d{4})年(\d{1,2})月(?:底|末)?(?:前|以前|之前)$"), lambda m: When(int(m[1]), int(m[2]), True)),
    # 12月底前, 12月底到位, 9月前完成
    (re.compile(r"^(\d{1,2})月(?:底|末|份)?(?:前|以前|之前)?(?:到位|完成|发放|拨付)?$"),
     lambda m: When(None, int(m[1]), True)),
)


def read_when(text: str) -> When | None:
    """12月底前 -> month 12, a deadline; 2021年1月-12月 -> 2021-12, a period; else None."""
    compact = norm(text)
    for pattern, build in _WHEN:
        m = pattern.match(compact)
        if m:
            when = build(m)
            return when if 1 <= when.month <= 12 else None
    return None


# A value cell as people write it: "≥100公里", ">=95%", "=42个", "≤9.31万元", "100百分比".
_SYMBOLS = (("≥", "≥"), (">=", "≥"), ("≧", "≥"), ("=>", "≥"), ("≤", "≤"), ("<=", "≤"), ("≦", "≤"), ("=<", "≤"),
            ("==", "="), ("=", "="), (">", ">"), ("<", "<"))
_WORD_SYMBOLS = (("不低于", "≥"), ("不少于", "≥"), ("大于等于", "≥"), ("不高于", "≤"), ("不超过", "≤"), ("小于等于", "≤"),
                 ("等于", "="))
_UNIT_SPELLINGS = {"百分比": "%", "％": "%"}


@dataclass(frozen=True)
class SplitValue:
    symbol: str | None  # ≥ ≤ = > < as written, None when the cell has none
    value: object  # a number (int or Decimal), or the text when it is not a figure
    unit: str  # the unit typed after the number ("" when none)
    kind: str  # number | date | text | blank


def split_value(raw: object) -> SplitValue:
    """Symbol, figure and unit of a value cell typed as one piece of text."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return SplitValue(None, None, "", "blank")
    if isinstance(raw, bool) or not isinstance(raw, str):
        return SplitValue(None, raw, "", "number" if isinstance(raw, (int, float, Decimal)) else "text")
    text = norm(raw)
    symbol = None
    for spelled, sym in _WORD_SYMBOLS + _SYMBOLS:
        if text.startswith(spelled):
            symbol, text = sym, text[len(spelled):]
            break
    if read_when(text) is not None or (("年" in text) and parse_year_month(text).value is not None):
        return SplitValue(symbol, text, "", "date")
    m = re.match(r"^([+-]?\d+(?:,\d{3})*(?:\.\d+)?)(.*)$", text)
    if not m or not _unit_like(m.group(2)):
        return SplitValue(symbol, raw.strip() if symbol is None else text, "", "text")
    number = Decimal(m.group(1).replace(",", ""))
    unit = _UNIT_SPELLINGS.get(m.group(2), m.group(2))
    return SplitValue(symbol, int(number) if number == number.to_integral_value() and "." not in m.group(1) else number,
                      unit, "number")


def _unit_like(tail: str) -> bool:
    """A unit after a number: short and without sentence punctuation ("公里", "元/亩", "%"), not "个安置小区…"."""
    return len(tail) <= 6 and not re.search(r"[,。;:、()\d]", tail)


@dataclass(frozen=True)
class Amount:
    """An amount cell as written: "854万(高标准农田建设400万元,示范建设295万元…)" is 854万元 with its parts."""
    yuan: Money | None  # None when blank or unreadable
    readable: bool  # False when the cell holds something that is not one amount ("854万854万")
    parts: tuple[Money, ...] = ()  # the amounts listed in brackets after it, in yuan


_AMOUNT_CELL = re.compile(r"^([+-]?\d+(?:,\d{3})*(?:\.\d+)?)(万元|万|元)?$")
_BRACKET_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)(万元|万|元)")


def read_amount(raw: object, default_unit: str = "元") -> Amount:
    """An amount cell: a number is in ``default_unit``; text may say 元, 万元 or 万, and list its parts in brackets."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return Amount(None, True)
    if isinstance(raw, bool):
        return Amount(None, False)
    if isinstance(raw, (int, float, Decimal)):
        number = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw)
        return Amount(to_yuan(number, default_unit) if _plausible(number) else None, _plausible(number))
    text = norm(raw)
    head, _, rest = text.partition("(")
    m = _AMOUNT_CELL.match(head)
    if not m:
        return Amount(None, False)
    unit = {"万": "万元"}.get(m.group(2), m.group(2)) or default_unit
    number = Decimal(m.group(1).replace(",", ""))
    listed = [(Decimal(n), "万元" if u.startswith("万") else "元") for n, u in _BRACKET_AMOUNT.findall(rest)]
    if not all(_plausible(n) for n in [number] + [n for n, _u in listed]):
        return Amount(None, False)  # 30 digits is a typing accident, and rounding it to fen fails
    return Amount(to_yuan(number, unit), True, tuple(to_yuan(n, u) for n, u in listed))


def amount_in_yuan(raw: object) -> Money | None:
    """An amount cell in yuan: a number is yuan; text may say 元 or 万元 ("266.528万元" -> 2665280).

    None when the cell is blank or does not read as an amount (tell the two apart with ``parse_figure(raw).blank``).
    """
    return read_amount(raw).yuan


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
