"""Numbers in the narrative texts (年度绩效目标, 中长期绩效目标, 项目信息, the
indicator rows' 依据): what they say, read exactly.

A text is cut into parts at its enumerators (一、 二、 1. （一） 一是); a part is about
the 一次性补助 when it says 一次性, else about the 生活补贴 when it says 生活补贴
or 生活补助. Within a part, each figure gets a role from the words before it in
its clause: 每人每月/平均/元/月 -> a monthly figure, 每人/人均 -> per person,
共计/合计/总 -> a total. Products such as 84人*660元/月*12月=66.528万元 are read
whole, so that their arithmetic can be checked and their factors used as figures.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from .figures import LIVING, ONE_OFF

COUNT, TOTAL, MONTHLY, PER_PERSON, PERCENT = "count", "total", "monthly", "per_person", "percent"

_NUM = r"\d+(?:\.\d+)?"
_FACTOR = rf"({_NUM})([^\d*=(),。;、\s]{{0,6}}?)"
# groups 1-4: first and last factor; 5: the result; 6: its unit
_PRODUCT = re.compile(rf"{_FACTOR}(?:\s*\*\s*{_FACTOR})+\s*=\s*({_NUM})\s*(万元|元|人|名|个)?")
_FACTOR_ONLY = re.compile(rf"^\s*{_FACTOR}\s*$")
# 一、 1. (一) at a text's or sentence's start; 一是 … 二是 … anywhere (after NFKC, so ASCII parentheses)
_ENUMERATOR = re.compile(r"(?:^|(?<=[\n。;:]))\s*(?:[一二三四五六七八九十]+、|\d+[.、](?!\d)|\([一二三四五六七八九十]+\))"
                         r"|[一二三四五六七八九十]是(?=[^\d])")
_COUNT = re.compile(r"(\d+)\s*(名|人|个)(?![月次/])")
_AMOUNT = re.compile(rf"({_NUM})\s*(万元|元)(/月|/人)?")
_PERCENT = re.compile(rf"({_NUM})\s*%")
_CLAUSE_BREAK = re.compile(r"[,。;:、()\n]")  # NFKC has made ，；：（） ASCII
_PARTS_SUM = re.compile(r"(\d+)\s*(人|个|辆|名)\s*[,。]?\s*其中\s*:\s*([^;。\n]*)")


@dataclass(frozen=True)
class Mention:
    kind: str  # count | total | monthly | per_person | percent
    value: Decimal  # people, yuan or percent
    written: str  # as in the text, for messages
    part: str | None  # living | one_off | None (not about either part)
    clause: str = ""  # the words before it, for percent matching


@dataclass(frozen=True)
class Product:
    written: str
    value: Decimal  # the factors multiplied, in the result's base (yuan when money)
    result: Decimal  # the stated result in the same base


@dataclass(frozen=True)
class PartsSum:
    written: str
    whole: int
    parts: tuple[int, ...]
    unit: str


@dataclass(frozen=True)
class MoneySum:
    """"共申请预算资金2026400元，其中村级组织运转400000元，…": a total and the parts listed after 其中, in yuan."""
    written: str
    whole: Decimal
    parts: tuple[Decimal, ...]


@dataclass
class TextFacts:
    mentions: list[Mention] = field(default_factory=list)
    products: list[Product] = field(default_factory=list)
    sums: list[PartsSum] = field(default_factory=list)
    money_sums: list[MoneySum] = field(default_factory=list)

    def values(self, part: str, kind: str) -> list[Mention]:
        return [m for m in self.mentions if m.part == part and m.kind == kind]


def normalise(text: str) -> str:
    """Half-width forms, * for ×, and no thousands separators (2,665,280 -> 2665280)."""
    text = unicodedata.normalize("NFKC", text).replace("×", "*")
    return re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", text)


def read_text(text: object) -> TextFacts:
    facts = TextFacts()
    if not isinstance(text, str) or not text.strip():
        return facts
    text = normalise(text)
    facts.sums = _parts_sums(text)
    facts.money_sums = _money_sums(text)
    for segment in _segments(text):
        _read_segment(segment, part_of_text(segment), facts)
    return facts


def part_of_text(segment: str) -> str | None:
    if "一次性" in segment:
        return ONE_OFF
    if "生活补贴" in segment or "生活补助" in segment:
        return LIVING
    return None


def _segments(text: str) -> list[str]:
    starts = [m.start() for m in _ENUMERATOR.finditer(text)]
    bounds = sorted({0, *starts, len(text)})
    return [text[a:b] for a, b in zip(bounds, bounds[1:]) if text[a:b].strip()]


def _read_segment(segment: str, part: str | None, facts: TextFacts) -> None:
    blanked = segment
    for m in _PRODUCT.finditer(segment):
        facts.products.append(_product(m))
        facts.mentions.extend(_product_mentions(m, part))
        blanked = blanked[:m.start()] + " " * (m.end() - m.start()) + blanked[m.end():]
    for m in _COUNT.finditer(blanked):
        facts.mentions.append(Mention(COUNT, Decimal(m.group(1)), m.group(0), part))
    for m in _AMOUNT.finditer(blanked):
        before = _clause_before(blanked, m.start())
        kind = _amount_role(before, m.group(3) or "")
        if kind:
            facts.mentions.append(Mention(kind, _yuan(m.group(1), m.group(2)), m.group(0).strip(), part, before))
    for m in _PERCENT.finditer(blanked):
        facts.mentions.append(Mention(PERCENT, Decimal(m.group(1)), m.group(0), part,
                                      clause=_clause_before(blanked, m.start())))


def _clause_before(text: str, end: int) -> str:
    breaks = [m.end() for m in _CLAUSE_BREAK.finditer(text, 0, end)]
    return text[(breaks[-1] if breaks else 0):end]


def _amount_role(before: str, per: str) -> str | None:
    if "每月" in before or "月标准" in before or per == "/月":
        return MONTHLY
    if "每人" in before or "人均" in before or per == "/人":
        return PER_PERSON
    if any(word in before for word in ("共", "合计", "总计", "总额", "总金额")):
        return TOTAL
    return None


def _yuan(number: str, unit: str) -> Decimal:
    value = Decimal(number)
    return value * 10000 if unit == "万元" else value


def _factors(m: re.Match) -> list[tuple[Decimal, str]]:
    left = m.group(0)[:m.group(0).rindex("=")]
    factors = []
    for piece in left.split("*"):
        fm = _FACTOR_ONLY.match(piece)
        factors.append((Decimal(fm.group(1)), fm.group(2)))
    return factors


def _product(m: re.Match) -> Product:
    value = Decimal(1)
    for number, unit in _factors(m):
        value *= number * 10000 if unit.startswith("万元") else number
    result = _yuan(m.group(5), m.group(6)) if m.group(6) in ("万元", "元") else Decimal(m.group(5))
    return Product(m.group(0), value, result)


def _product_mentions(m: re.Match, part: str | None) -> list[Mention]:
    """N人 * A元/月 * M月 = X万元: N a count, A monthly, X a total; N人 * B万元 = Y万元: B per person."""
    mentions = []
    factors = _factors(m)
    has_months = any(unit.startswith("月") for _n, unit in factors)
    for number, unit in factors:
        if unit in ("人", "名", "个"):
            mentions.append(Mention(COUNT, number, f"{number}{unit}", part))
        elif unit.startswith(("元", "万元")):
            kind = MONTHLY if unit.endswith("/月") or has_months else PER_PERSON
            base = "万元" if unit.startswith("万元") else "元"
            mentions.append(Mention(kind, _yuan(str(number), base), f"{number}{unit}", part))
    if m.group(6) in ("万元", "元"):
        mentions.append(Mention(TOTAL, _yuan(m.group(5), m.group(6)), f"{m.group(5)}{m.group(6)}", part))
    return mentions


def _parts_sums(text: str) -> list[PartsSum]:
    sums = []
    for m in _PARTS_SUM.finditer(text):
        unit = m.group(2)
        parts = tuple(int(x) for x in re.findall(rf"(\d+)\s*{unit}", m.group(3)))
        if parts:
            sums.append(PartsSum(m.group(0).strip(), int(m.group(1)), parts, unit))
    return sums


_MONEY = re.compile(rf"({_NUM})\s*(万元|元)")


def _money_sums(text: str) -> list[MoneySum]:
    """A total in 元/万元 followed, in its sentence or the next, by 其中 and two or more amounts up to the full stop."""
    sums = []
    for m in re.finditer(r"其中\s*:?", text):
        before = text[:m.start()]
        sentence_start = max(before.rfind("。", 0, max(0, len(before.rstrip("。 ")) - 1)) + 1, before.rfind("\n") + 1)
        totals = list(_MONEY.finditer(before, sentence_start))
        if not totals:
            continue
        end = text.find("。", m.end())
        tail = text[m.end():end if end >= 0 else len(text)]
        parts = [_yuan(n, u) for n, u in _MONEY.findall(tail)]
        if len(parts) < 2:
            continue
        whole = _yuan(totals[-1].group(1), totals[-1].group(2))
        sums.append(MoneySum(text[totals[-1].start():(end + 1 if end >= 0 else len(text))].strip(), whole, tuple(parts)))
    return sums
