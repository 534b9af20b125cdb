"""How offices spell the parts of a 绩效目标表 (data/performance_standards.json,
"spellings"): the indicator columns, the labels of the items above the table, and
the rows of a self-evaluation's funding block.

Every comparison is on ``norm`` text (full-width folded, no spaces), with a
trailing colon and a bracketed unit dropped: "年度资金总额:" and "资金情况 (万元)"
compare as "年度资金总额" and "资金情况".
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Mapping

from .standards import norm, standards

_TAIL = re.compile(r"[:：]+$")
_UNIT_NOTE = re.compile(r"\((?:万元|元|分)\)$")


def label_text(value: object) -> str:
    """Cell text as a label: "年度资金总额:" -> "年度资金总额", "项目资金(万元)" -> "项目资金"."""
    text = _TAIL.sub("", norm(value))
    return _UNIT_NOTE.sub("", text)


@lru_cache(maxsize=1)
def _spellings() -> Mapping:
    return standards()["spellings"]


@lru_cache(maxsize=1)
def _column_table() -> dict[str, str]:
    table = {}
    for key, names in _spellings()["columns"].items():
        for name in names:
            table[label_text(name)] = key
    return table


def column_key(value: object) -> str | None:
    """The indicator column a header cell names (name, target, weight …), or None."""
    return _column_table().get(label_text(value))


def is_section(value: object) -> bool:
    """A label that only titles a block (绩效指标, 总体目标), never a column of values."""
    return label_text(value) in {label_text(s) for s in _spellings()["sections"]}


@lru_cache(maxsize=1)
def _item_table() -> dict[str, str]:
    table = {}
    for label, names in _spellings()["items"].items():
        for name in names:
            table[label_text(name)] = label
    return table


def item_label(value: object) -> str | None:
    """The header item a label cell names (项目名称, 年度资金总额, 年度绩效目标 …), or None."""
    text = label_text(value)
    # "年度绩效目标(2026年)", "中长期绩效目标(2026年-2028年)": the years after the label
    return _item_table().get(text) or _item_table().get(re.sub(r"\(\d{4}年[^()]*\)$", "", text))


def funding_column(value: object) -> str | None:
    """A column of the self-evaluation's funding block: budget, executed, points, rate, score."""
    text = label_text(value)
    for key, names in _spellings()["funding_columns"].items():
        if any(text == label_text(n) or text.startswith(label_text(n) + "(") for n in names):
            return key
    return None


def funding_row(value: object) -> str | None:
    """A row of the funding block: total (年度资金总额), fiscal (其中：本年财政拨款), carried, other."""
    text = label_text(value)
    for key, names in _spellings()["funding_rows"].items():
        if text in {label_text(n) for n in names}:
            return key
    return None


def money_unit_of_label(value: object) -> str | None:
    """The money unit a label or note gives: "资金情况(万元)", "单位:万元", "金额单位:元"."""
    text = norm(value)
    m = re.search(r"(?:\(|单位:)(万元|元)\)?$", text)
    return m.group(1) if m else None
