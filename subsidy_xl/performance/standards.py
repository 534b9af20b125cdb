"""The national indicator guidance as data (data/performance_standards.json):
level names, spellings, placeholder words and the standard rows the tool proposes."""
from __future__ import annotations

import json
import re
import unicodedata
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Mapping


@lru_cache(maxsize=1)
def standards() -> Mapping:
    text = resources.files("subsidy_xl").joinpath("data/performance_standards.json").read_text(encoding="utf-8")
    return json.loads(text)


def norm(value: object) -> str:
    """Cell text for comparisons: NFKC (full-width to half-width), no spaces or line breaks."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return "".join(text.split())


_POINTS = re.compile(r"\((\d+(?:\.\d+)?)分\)$")


def level_points(name: object) -> tuple[str, Decimal | None]:
    """"产出指标(50分)" -> ("产出指标", 50): a self-evaluation writes a level's points after its name."""
    text = norm(name)
    m = _POINTS.search(text)
    return (text[:m.start()], Decimal(m.group(1))) if m else (text, None)


def canonical_level(name: object) -> str | None:
    """A level name as the guidance writes it ("数量" and "数量指标" are one, "产出指标(50分)" is 产出指标), or None."""
    text = level_points(name)[0]
    if not text:
        return None
    known = set(standards()["levels"])
    for subs in standards()["levels"].values():
        known.update(subs)
    for candidate in (text, text + "指标"):
        if candidate in known:
            return candidate
    return None


def is_level1(name: str | None) -> bool:
    return name in standards()["levels"]


def parent_of(level2: str | None) -> str | None:
    """The 一级 level a 二级 name belongs under (成本指标 under 产出指标, as most tables use it)."""
    for level1, subs in standards()["levels"].items():
        if level2 in subs:
            return level1
    return None


def is_placeholder(text: object) -> bool:
    return norm(text) in {norm(p) for p in standards()["placeholders"]}


def standard_row(key: str) -> Mapping:
    for row in standards()["standard_rows"]:
        if row["key"] == key:
            return row
    raise KeyError(key)
