"""Rosters read from a sheet grid into typed records, every unreadable cell an Issue.

The grid is what the reader gives: rows of cell values aligned to A1. Columns are
found by their header text, so staff may reorder them or add their own.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Callable, Sequence

from .cells import a1
from .issues import ERROR, WARNING, Issue, shown
from .months import YearMonth, parse_year_month
from .schema import GENDERS, Column, Roster

# How far down the header row may be (a title row above it is common in street forms).
_HEADER_SEARCH_ROWS = 10


@dataclass
class Record:
    """One roster row: parsed values by column key, and where each came from."""
    sheet: str
    row: int  # Excel row number
    values: dict[str, object]
    raw: dict[str, object]
    cols: dict[str, int]  # column key -> 0-based column index in the sheet
    bad: set[str] = field(default_factory=set)  # keys whose cell could not be read

    def cell(self, key: str) -> str:
        col = self.cols.get(key)
        return a1(self.row, col) if col is not None else f"第{self.row}行"

    def get(self, key: str):
        return self.values.get(key)

    @property
    def who(self) -> str:
        """How messages name the person: 第12行张三."""
        name = self.values.get("name")
        return f"第{self.row}行{name}" if name else f"第{self.row}行"


@dataclass
class RosterData:
    spec: Roster
    records: list[Record]
    cols: dict[str, int]  # column key -> 0-based column
    header_row: int  # Excel row of the header; 0 when the sheet is missing
    issues: list[Issue]


def find_header(grid: Sequence[Sequence[object]], spec: Roster) -> tuple[int, dict[str, int]]:
    """(0-based header row index, key -> column) of the row that best matches the schema."""
    by_header = {_norm(c.header): c.key for c in spec.columns}
    best = (-1, {})
    for r in range(min(_HEADER_SEARCH_ROWS, len(grid))):
        found = {}
        for c, v in enumerate(grid[r]):
            key = by_header.get(_norm(v)) if isinstance(v, str) else None
            if key and key not in found:
                found[key] = c
        if len(found) > len(best[1]):
            best = (r, found)
    return best


def _norm(v: object) -> str:
    return unicodedata.normalize("NFKC", str(v)).strip().replace(" ", "") if v is not None else ""


def read_roster(grid: Sequence[Sequence[object]] | None, spec: Roster, context: "FieldContext",
                merged: Sequence[tuple[int, int, int, int]] = ()) -> RosterData:
    """Parse a roster sheet. ``merged``: (first_row, first_col, last_row, last_col), 0-based."""
    issues: list[Issue] = []
    if grid is None:
        issues.append(Issue("sheet-missing", ERROR, spec.name, "", "", f"工作簿中没有“{spec.name}”工作表", "模板结构"))
        return RosterData(spec, [], {}, 0, issues)
    header_idx, cols = find_header(grid, spec)
    if len(cols) < 3:
        issues.append(Issue("roster-no-header", ERROR, spec.name, "A1", "",
                            f"“{spec.name}”中找不到表头行（应含 {'、'.join(spec.headers[:6])} 等列）", "模板结构"))
        return RosterData(spec, [], {}, 0, issues)
    header_row = header_idx + 1
    for c in spec.columns:
        if c.key not in cols and (c.required or c.computed):
            issues.append(Issue("roster-missing-column", ERROR, spec.name, a1(header_row, 0), c.header,
                                f"“{spec.name}”缺少“{c.header}”列", "模板结构"))
    for fr, fc, lr, lc in merged:
        if lr >= header_idx + 1 and (lr > fr or lc > fc):
            ref = f"{a1(fr + 1, fc)}:{a1(lr + 1, lc)}"
            issues.append(Issue("roster-merged-cells", ERROR, spec.name, a1(fr + 1, fc), ref,
                                f"名册中有合并单元格 {ref}，合并区域中只有第一格有值；请取消合并并逐行填写", "名册应一人一行"))
    records = []
    specs = [(spec.column(k), c) for k, c in cols.items()]
    input_cols = [c for col, c in specs if not col.computed and col.key != "seq"]
    parsers = [(col.key, c, _parser(col, context)) for col, c in specs]
    # The ID has its own check with a specific code.
    required = [col for col in spec.columns if col.required and col.key in cols and col.key != "id"]
    width = max(cols.values()) + 1
    for r in range(header_idx + 1, len(grid)):
        row = grid[r]
        if len(row) < width:
            row = [*row, *[None] * (width - len(row))]
        if all(_blank(row[c]) for c in input_cols):
            continue  # blank row (a 序号 alone does not make a person)
        raw = {key: row[c] for key, c, _parse in parsers}
        values = {}
        rec = Record(spec.name, r + 1, values, raw, cols)
        for key, c, parse in parsers:
            value, problem = parse(row[c])
            values[key] = value
            if problem:
                rec.bad.add(key)
                code, severity, message = problem
                col = spec.column(key)
                issues.append(Issue(code, severity, spec.name, a1(r + 1, c), shown(row[c]), message,
                                    f"“{col.header}”列的填写要求"))
        for col in required:
            if _blank(values[col.key]) and col.key not in rec.bad:
                issues.append(Issue("required-missing", ERROR, spec.name, rec.cell(col.key), "",
                                    f"{rec.who}的“{col.header}”为空", "必填项"))
        records.append(rec)
    return RosterData(spec, records, cols, header_row, issues)


# Kinds whose cells are mostly different from row to row (nothing to gain by remembering them).
_DISTINCT_KINDS = frozenset({"id", "account", "phone"})


def _parser(col: Column, context: "FieldContext") -> Callable[[object], tuple[object, "Problem | None"]]:
    """parse_field for one column of one sheet. A column repeats few values (months, streets, standards,
    posts), so each distinct value is parsed once: large rosters spend their time here otherwise."""
    if col.kind in _DISTINCT_KINDS:
        return lambda raw: parse_field(col, raw, context)
    seen: dict[tuple[type, object], tuple[object, Problem | None]] = {}

    def parse(raw: object) -> tuple[object, Problem | None]:
        key = (type(raw), raw)  # 1, 1.0 and True are equal as keys but not as cells
        try:
            return seen[key]
        except KeyError:
            result = seen[key] = parse_field(col, raw, context)
            return result
        except TypeError:  # an unhashable value: never from a reader, but parse it all the same
            return parse_field(col, raw, context)
    return parse


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


@dataclass(frozen=True)
class FieldContext:
    """The lists a choice column is checked against (from 参数)."""
    streets: frozenset[str]
    categories: frozenset[str]
    stop_reasons: frozenset[str]

    def choices(self, key: str) -> frozenset[str]:
        return {"streets": self.streets, "categories": self.categories,
                "stop_reasons": self.stop_reasons, "genders": frozenset(GENDERS)}[key]


Problem = tuple[str, str, str]  # (code, severity, message)


def parse_field(col: Column, raw: object, ctx: FieldContext) -> tuple[object, Problem | None]:
    """A cell value in the type its column needs, or a problem. Never guesses."""
    if _blank(raw):
        return None, None
    kind = col.kind
    if kind == "id":
        return raw, None  # checked by checks.people with the ID rules
    if kind == "month":
        parsed = parse_year_month(raw)
        return parsed.value, (("month-invalid", ERROR, f"“{col.header}”{parsed.problem}") if parsed.problem else None)
    if kind in ("int", "decimal", "money"):
        return _number(col, raw)
    if kind in ("account", "phone"):
        if isinstance(raw, float) and abs(raw) >= 1e15:
            return None, (f"{col.key}-stored-as-number", ERROR,
                          f"“{col.header}”以数字格式保存，超过15位的数字已丢失；请将该列设为文本格式后重新录入")
        text = _text(raw)
        digits = text.replace(" ", "").replace("-", "")
        if kind == "account" and not digits.isdigit():
            return text, ("account-format", ERROR, f"银行账号应只含数字：{shown(text)}")
        return text, None
    text = _text(raw)
    if kind == "choice" and col.choices:
        allowed = ctx.choices(col.choices)
        if text not in allowed:
            return text, ("choice-invalid", ERROR,
                          f"“{col.header}”的值“{shown(text)}”不在可选范围内（{'、'.join(sorted(allowed))}）")
    if len(text) > 200:
        return text, ("text-too-long", WARNING, f"“{col.header}”过长（{len(text)}字）")
    return text, None


def _text(raw: object) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return unicodedata.normalize("NFKC", str(raw)).strip()


def _number(col: Column, raw: object) -> tuple[object, Problem | None]:
    if isinstance(raw, bool):
        return None, ("number-invalid", ERROR, f"“{col.header}”应为数字，收到逻辑值")
    if isinstance(raw, int):
        d = Decimal(raw)
    elif isinstance(raw, float):
        d = Decimal(repr(raw))  # the shortest decimal that reads back as this float
    else:
        text = unicodedata.normalize("NFKC", str(raw)).strip().replace(",", "").replace("元", "")
        try:
            d = Decimal(text)
        except (InvalidOperation, ValueError):
            return None, ("number-invalid", ERROR, f"“{col.header}”应为数字：{shown(raw)}")
    if not d.is_finite():
        return None, ("number-invalid", ERROR, f"“{col.header}”应为数字：{shown(raw)}")
    if d < 0:
        return None, ("number-negative", ERROR, f"“{col.header}”不能为负数：{shown(raw)}")
    if abs(d) >= 10 ** 9:
        return None, ("number-too-large", ERROR, f"“{col.header}”数值过大：{shown(raw)}")
    if col.kind == "int":
        if d != d.to_integral_value():
            return None, ("number-not-whole", ERROR, f"“{col.header}”应为整数：{shown(raw)}")
        return int(d), None
    if col.kind == "money":
        if d != d.quantize(Decimal("0.01")):
            return None, ("money-precision", ERROR, f"“{col.header}”最多保留两位小数（分）：{shown(raw)}")
        return (int(d) if d == d.to_integral_value() else d.quantize(Decimal("0.01"))), None
    return d, None


def month_value(rec: Record, key: str) -> YearMonth | None:
    v = rec.values.get(key)
    return v if isinstance(v, YearMonth) else None
