"""Money helpers: exact sums, 万元, and amounts in words (大写) via cn2an."""
from __future__ import annotations

from decimal import Decimal
from typing import Iterable

import cn2an

Money = int | Decimal


def total(amounts: Iterable[Money]) -> Money:
    """Exact sum; stays an int while every amount is whole yuan."""
    return normalise(sum(amounts))


def normalise(amount: Money) -> Money:
    """Whole-yuan Decimals become int; others keep their fen (two places)."""
    if isinstance(amount, Decimal):
        if amount == amount.to_integral_value():
            return int(amount)
        return amount.quantize(Decimal("0.01"))
    return amount


def to_wan(amount: Money) -> Decimal:
    """Yuan -> 万元, exact (66.528 for 665280)."""
    return (Decimal(amount) / 10000).normalize()


def wan_text(amount: Money) -> str:
    """665280 -> '66.528' (no exponent, no trailing zeros)."""
    return format(to_wan(amount), "f")


def rmb_upper(amount: Money) -> str:
    """人民币大写, e.g. 陆拾陆万伍仟贰佰捌拾元整."""
    amount = normalise(amount)
    if amount < 0:
        return "负" + rmb_upper(-amount)
    return cn2an.an2cn(str(amount), "rmb")
