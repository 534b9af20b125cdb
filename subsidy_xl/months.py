"""Calendar months as the rosters use them (年月), and parsing of the forms staff type.

A month is a plain ``YearMonth``; arithmetic is on its ``index`` (months since
year 0) so that quarter and tenure sums stay exact integers.
"""
from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from typing import NamedTuple


class YearMonth(NamedTuple):
    year: int
    month: int

    @property
    def index(self) -> int:
        return self.year * 12 + self.month - 1

    @classmethod
    def from_index(cls, index: int) -> "YearMonth":
        return cls(index // 12, index % 12 + 1)

    def plus(self, months: int) -> "YearMonth":
        return YearMonth.from_index(self.index + months)

    def __str__(self) -> str:  # the form written back to sheets and messages
        return f"{self.year:04d}-{self.month:02d}"


def months_between(start: YearMonth, end: YearMonth) -> int:
    """Whole months from ``start`` up to (not including) ``end``."""
    return end.index - start.index


class Quarter(NamedTuple):
    year: int
    q: int

    @property
    def months(self) -> tuple[YearMonth, YearMonth, YearMonth]:
        first = (self.q - 1) * 3 + 1
        return tuple(YearMonth(self.year, first + i) for i in range(3))  # type: ignore[return-value]

    @property
    def first(self) -> YearMonth:
        return YearMonth(self.year, (self.q - 1) * 3 + 1)

    @property
    def first_index(self) -> int:
        """``first.index`` without building the month (the rules ask it per person)."""
        return self.year * 12 + (self.q - 1) * 3

    @property
    def last(self) -> YearMonth:
        return YearMonth(self.year, self.q * 3)

    def __str__(self) -> str:
        return f"{self.year}Q{self.q}"

    @property
    def label(self) -> str:
        return f"{self.year}年第{'一二三四'[self.q - 1]}季度"


_QUARTER = re.compile(r"^\s*(\d{4})\s*[-_ ]?\s*[Qq]\s*([1-4])\s*$")


def parse_quarter(text: str) -> Quarter:
    """'2026Q1', '2026-Q1', '2026q1' -> Quarter; ValueError with a Chinese message otherwise."""
    m = _QUARTER.match(str(text))
    if not m:
        raise ValueError(f"季度格式应为“2026Q1”这样的形式，收到：{text}")
    return Quarter(int(m.group(1)), int(m.group(2)))


def quarter_of(month: YearMonth) -> Quarter:
    return Quarter(month.year, (month.month - 1) // 3 + 1)


# 2013-01, 2013.1, 2013/1, 2013年1月, 2013年01月15日, 2013-01-15 (the day is ignored)
_YM_SEPARATED = re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*(?:月)?(?:\s*[-./]?\s*\d{1,2}\s*日?)?$")
_YM_COMPACT = re.compile(r"^(\d{4})(\d{2})(?:\d{2})?$")  # 201301 or 20130115

# Plausible years for tenure and payment months; anything else is a typo.
_MIN_YEAR, _MAX_YEAR = 1900, 2100


class MonthParse(NamedTuple):
    value: YearMonth | None
    problem: str | None  # Chinese reason when the cell holds something that is not a month


def parse_year_month(raw: object) -> MonthParse:
    """Read a 年月 cell as staff type it; never guess an ambiguous value."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return MonthParse(None, None)
    if isinstance(raw, (_dt.date, _dt.datetime)):
        return _checked(raw.year, raw.month, raw)
    if isinstance(raw, bool):
        return MonthParse(None, f"应为年月，收到逻辑值 {raw}")
    if isinstance(raw, (int, float)):
        return _from_number(raw)
    if isinstance(raw, (_dt.time, _dt.timedelta)):
        return MonthParse(None, "应为年月，收到时间值")
    text = unicodedata.normalize("NFKC", str(raw)).strip().replace(" ", "")
    for pattern in (_YM_SEPARATED, _YM_COMPACT):
        m = pattern.match(text)
        if m:
            return _checked(int(m.group(1)), int(m.group(2)), raw)
    return MonthParse(None, f"无法识别的年月写法：{raw}（可写作 2013-01、2013.1、2013年1月 或 201301）")


def _from_number(raw: float) -> MonthParse:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, int):
        if 100000 <= raw <= 999999:  # 201301
            return _checked(raw // 100, raw % 100, raw)
        if 10000 <= raw <= 80000:
            return MonthParse(None, f"疑似未设日期格式的 Excel 日期序号 {raw}，请设为日期格式或写作 2013-01")
        return MonthParse(None, f"无法识别的年月：{raw}")
    # 2013.01 typed in a number cell: the fraction is the month, but 2013.1 could be
    # January or October (2013.10 loses its zero), so that one is refused.
    text = repr(raw)
    year_part, _, frac = text.partition(".")
    if len(frac) == 2 and year_part.isdigit():
        return _checked(int(year_part), int(frac), raw)
    if len(frac) == 1 and year_part.isdigit():
        return MonthParse(None, f"无法识别（{raw} 可能是{frac}月或{frac}0月），请写成文本 {year_part}-0{frac} 或 "
                                f"{year_part}-{frac}0")
    return MonthParse(None, f"无法识别的年月：{raw}")


def _checked(year: int, month: int, raw: object) -> MonthParse:
    if not 1 <= month <= 12:
        return MonthParse(None, f"月份应在1至12之间：{raw}")
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        return MonthParse(None, f"年份不合理：{raw}")
    return MonthParse(YearMonth(year, month), None)
