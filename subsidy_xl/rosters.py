"""Rosters read from a sheet grid into typed records, every unreadable cell an Issue.

The grid is what the reader gives: rows of cell values aligned to A1. Columns are
found by their header text, so staff may reorder them or add their own.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from itertools import repeat
from decimal import Decimal, InvalidOperation
from typing import AbstractSet, Sequence

from .cell_errors import EXCEL_ERRORS, error_message
from .cells import a1
from .idcard import looks_like_id_or_account, mask, mask_account
from .issues import ERROR, INFO, WARNING, Issue, shown
from .months import YearMonth, parse_year_month
from .not_people import rows_not_people
from .params import Params
from .schema import GENDERS, Column, Roster

# How far down the header row may be (a title row above it is common in street forms).
_HEADER_SEARCH_ROWS = 10


@dataclass(slots=True)
class Record:
    """One roster row: parsed values by column key, and where each came from."""
    sheet: str
    row: int  # Excel row number
    values: dict[str, object]
    cells: Sequence[object]  # the sheet's row as read (0-based columns, as in ``cols``)
    cols: dict[str, int]  # column key -> 0-based column index in the sheet
    bad: AbstractSet[str] = frozenset()  # keys whose cell could not be read

    @property
    def raw(self) -> dict[str, object]:
        """The cells as read, by column key (made on each use: most records never need it)."""
        cells = self.cells
        return {key: cells[c] if c < len(cells) else None for key, c in self.cols.items()}

    def cell(self, key: str) -> str:
        col = self.cols.get(key)
        return a1(self.row, col) if col is not None else f"第{self.row}行"

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
    not_people: dict[int, str] = field(default_factory=dict)  # Excel row -> 合计行 ... (not_people.py): left alone


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
                merged: Sequence[tuple[int, int, int, int]] = (), totals_rows: AbstractSet[int] = frozenset(),
                formula_rows: AbstractSet[int] = frozenset()) -> RosterData:
    """Parse a roster sheet. ``merged``: (first_row, first_col, last_row, last_col), 0-based; ``totals_rows``
    and ``formula_rows``: Excel rows of the sheet that are a table's total row / hold a formula (see
    not_people.py: such rows, and 合计 and note rows, are not people)."""
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
    specs = [(spec.column(k), c) for k, c in cols.items()]
    keys = [col.key for col, _c in specs]
    body = grid[header_idx + 1:]
    raw_columns = [_column(body, c) for _col, c in specs]
    columns = [_ParsedColumn(col, raw, context) for (col, _c), raw in zip(specs, raw_columns)]
    # A row is a person when an input cell is filled (a 序号 alone does not make a person).
    filled = [p.filled for (col, _c), p in zip(specs, columns) if not col.computed and col.key != "seq"]
    if not filled:
        people = repeat(False)
    elif any(f is None for f in filled):  # a column filled on every row
        people = repeat(True)
    else:
        people = map(any, zip(*filled))
    # Required cells left empty; the ID has its own check with a specific code.
    required = [(col, columns[keys.index(col.key)]) for col in spec.columns
                if col.required and col.key in cols and col.key != "id"]
    flagged = set().union(*(p.problems for p in columns), *(p.empty for _col, p in required))
    first = header_row + 1  # Excel row of body[0]
    rows = zip(range(first, first + len(body)), people, body, zip(*(p.values for p in columns)))
    records = [Record(spec.name, r, dict(zip(keys, values)), cells, cols) for r, person, cells, values in rows if person]
    not_people = rows_not_people(body, first, cols, totals_rows, formula_rows)
    if not_people:
        records = [rec for rec in records if rec.row not in not_people]
        issues += [Issue("roster-row-not-person", INFO, spec.name, a1(r, 0), "",
                         f"第{r}行是{kind}，不是人员：不计入名册，本工具也不改写该行", "名册应一人一行")
                   for r, kind in not_people.items()]
    for rec in records:
        if rec.row - first not in flagged:
            continue
        r, i = rec.row, rec.row - first
        bad = set()
        for (col, c), p, raw in zip(specs, columns, raw_columns):
            problem = p.problems.get(i)
            if problem:
                bad.add(col.key)
                code, severity, message = problem
                issues.append(Issue(code, severity, spec.name, a1(r, c), _shown(col, raw[i]), message,
                                    f"“{col.header}”列的填写要求"))
        rec.bad = frozenset(bad)
        for col, p in required:
            if i in p.empty and col.key not in rec.bad:
                issues.append(Issue("required-missing", ERROR, spec.name, rec.cell(col.key), "",
                                    f"{rec.who}的“{col.header}”为空", "必填项"))
    return RosterData(spec, records, cols, header_row, issues, not_people)


def _column(rows: Sequence[Sequence[object]], c: int) -> list[object]:
    try:
        return [row[c] for row in rows]
    except IndexError:  # rows of different lengths
        return [row[c] if c < len(row) else None for row in rows]


_LONG_TEXT = 200  # characters; a longer text is a warning
_PLAIN_TYPES = frozenset({str, type(None)})  # their values equal no value of another type
_SAMPLE_CELLS = 1000  # how many cells of a column tell whether it repeats its values


class _ParsedColumn:
    """parse_field over one roster column: ``values`` per row, ``filled`` per row (None when every cell
    is), ``problems`` and ``empty`` (required cells left empty) by row index.

    A column that repeats its values (months, streets, standards, posts) is parsed once per distinct
    value, so a 100,000-row roster does not parse the same text 100,000 times; a column of nearly all
    different values (IDs, accounts, phone numbers) is parsed cell by cell, which is then the cheaper way.
    """

    def __init__(self, col: Column, raw: list[object], context: "FieldContext") -> None:
        sample = raw[:_SAMPLE_CELLS]
        try:
            if len(set(sample)) < 0.9 * len(sample):
                self._by_value(col, raw, context)
                return
        except TypeError:  # an unhashable cell value (no reader gives one)
            pass
        self._by_cell(col, raw, context)

    def _by_cell(self, col: Column, raw: list[object], context: "FieldContext") -> None:
        parse = _parse_filled
        problems: dict[int, Problem] = {}
        values = _plain_column(col, raw)
        if values is not None:
            for i in _to_check(col, values):  # the few cells the column's expression cannot judge
                values[i], problem = parse(col, raw[i], context)
                if problem:
                    problems[i] = problem
        else:
            values = []
            for i, cell in enumerate(raw):
                if cell is None or (isinstance(cell, str) and not cell.strip()):  # parse_field, spelt out per cell
                    values.append(None)
                    continue
                value, problem = parse(col, cell, context)
                values.append(value)
                if problem:
                    problems[i] = problem
        self.values, self.problems = values, problems
        # parse_field gives (None, None) for a blank cell and only for one; its text values are stripped.
        blank = [i for i, value in enumerate(values) if value is None and i not in problems]
        self.filled = None
        if blank:
            self.filled = [True] * len(values)
            for i in blank:
                self.filled[i] = False
        self.empty = {*blank, *(i for i, value in enumerate(values) if value == "")} if col.required else set()

    def _by_value(self, col: Column, raw: list[object], context: "FieldContext") -> None:
        keys: Sequence[object]  # per row, the key of its cell in ``distinct`` (key -> cell value)
        first_seen = dict.fromkeys(raw)
        if not _equal_across_types(raw, first_seen):
            keys = raw
            distinct = {value: value for value in first_seen}
        else:  # 1, 1.0 and True are equal as keys but not as cells
            keys = list(zip(map(type, raw), raw))
            distinct = {key: key[1] for key in dict.fromkeys(keys)}
        values: dict = {}
        filled, problems, empty = set(), {}, set()
        for key, cell in distinct.items():
            value, problem = parse_field(col, cell, context)
            values[key] = value
            if value is not None or problem is not None:  # see _by_cell
                filled.add(key)
            if problem:
                problems[key] = problem
            elif is_blank(value):
                empty.add(key)
        self.values = list(map(values.__getitem__, keys))
        self.filled = list(map(filled.__contains__, keys)) if len(filled) < len(distinct) else None
        self.problems = {i: problems[key] for i, key in enumerate(keys) if key in problems} if problems else {}
        self.empty = {i for i, key in enumerate(keys) if key in empty} if col.required and empty else set()


def _plain_column(col: Column, raw: list[object]) -> list[object] | None:
    """parse_field's values for an ID column, or for a text, account or phone column (no list of choices)
    holding only text; None when some cell is not text. One expression over the column instead of a call
    per cell: names, IDs, accounts and phone numbers are the columns of a roster whose every cell differs.
    (_to_check tells which of its cells still go through parse_field, for a problem to report.)"""
    if col.kind == "id":  # kept as read (checks.people reads it); a blank cell is None
        return [None if cell is None or (cell.__class__ is str and not cell.strip()) else cell for cell in raw]
    if col.kind not in ("text", "account", "phone") or col.choices:
        return None
    # is_blank, then _clean_text with its ASCII case inline: a column of accounts or phone numbers is all
    # ASCII, and a call per cell would cost it a third more. Text (names ...) is kept as typed.
    try:
        if col.kind == "text":
            return [None if cell is None or not cell.strip() else cell.strip() for cell in raw]
        values = [None if cell is None or not cell.strip() else cell.strip() if cell.isascii() else _clean_text(cell)
                  for cell in raw]
    except (AttributeError, TypeError):  # a cell that is no text (a number, a date ...)
        return None
    return values


def _to_check(col: Column, values: list[object]) -> list[int]:
    """Rows of a _plain_column whose text has a problem parse_field reports: _too_long, or an account
    that is not _account_ok."""
    # First a test of the whole column at C speed: most columns have no such row.
    errors = [] if EXCEL_ERRORS.isdisjoint(values) else [i for i, v in enumerate(values) if v in EXCEL_ERRORS]
    if col.kind == "text":
        longest = max(filter(None, values), key=len, default="")
        odd = ([i for i, text in enumerate(values) if text and not text.isascii() and _unusual(text)]
               if col.key in _PRINTED_AS_TYPED else [])
        if _too_long(longest) or (len(longest) >= _ID_LIKE_MIN and col.key not in _FREE_TEXT):
            odd += [i for i, text in enumerate(values) if text and (_too_long(text) or _id_like(col, text))]
        return sorted({*errors, *odd})
    if col.kind == "account" and not all(map(str.isdigit, filter(None, values))):  # digits alone are _account_ok
        return sorted({*errors, *(i for i, text in enumerate(values) if text and not _account_ok(text))})
    return errors


def _equal_across_types(raw: list[object], first_seen: dict) -> bool:
    """Whether cells of different types in ``raw`` may be equal (True == 1 == 1.0), which a dict keyed by
    value would take for one value. ``first_seen``: dict.fromkeys(raw).

    Only a number (bool, int, float ...) can equal a value of another type, and the first of equal cells
    stays a key of ``first_seen``: when no key is a number, no cell is, and the column of text (most of a
    roster) is not gone through once more."""
    if set(map(type, first_seen)) <= _PLAIN_TYPES:
        return False
    numbers = set(map(type, raw)) - _PLAIN_TYPES
    if len(numbers) <= 1:
        return False
    if numbers == {int, float}:  # equal only to a whole float, which the file reader never gives
        return any(type(v) is float and v.is_integer() for v in raw)
    return True


def _shown(col: Column, raw: object) -> str:
    """A cell as an issue's 值: an ID or bank account masked, as everywhere the tool shows one."""
    if raw is None or col.kind not in ("id", "account") or (type(raw) is str and raw.strip() in EXCEL_ERRORS):
        return shown(raw)
    return mask(raw) if col.kind == "id" else mask_account(raw)


def is_blank(v: object) -> bool:
    """A cell with nothing in it: None, or text of white space only (parse_field gives it as None)."""
    return v is None or (isinstance(v, str) and not v.strip())


@dataclass(frozen=True)
class FieldContext:
    """The lists a choice column is checked against (from 参数)."""
    streets: frozenset[str]
    categories: frozenset[str]
    stop_reasons: frozenset[str]

    @classmethod
    def of(cls, params: Params) -> FieldContext:
        """The 参数 sheet's streets, 职务类别 and stop reasons."""
        return cls(frozenset(params.streets), frozenset(params.rates), frozenset(params.stop_effects))

    def choices(self, key: str) -> frozenset[str]:
        return {"streets": self.streets, "categories": self.categories,
                "stop_reasons": self.stop_reasons, "genders": frozenset(GENDERS)}[key]


Problem = tuple[str, str, str]  # (code, severity, message)


def parse_field(col: Column, raw: object, ctx: FieldContext) -> tuple[object, Problem | None]:
    """A cell value in the type its column needs, or a problem. Never guesses."""
    if is_blank(raw):
        return None, None
    return _parse_filled(col, raw, ctx)


def _parse_filled(col: Column, raw: object, ctx: FieldContext) -> tuple[object, Problem | None]:
    """parse_field of a cell that is not blank. An error value (#REF! ...) is never a value nor a blank."""
    if type(raw) is str and raw.strip() in EXCEL_ERRORS:
        return None, ("cell-error-value", ERROR, error_message(col.header, raw.strip()))
    return _PARSERS.get(col.kind, _parse_text)(col, raw, ctx)


def _parse_id(col: Column, raw: object, ctx: FieldContext) -> tuple[object, Problem | None]:
    return raw, None  # checked by checks.people with the ID rules


def _parse_month(col: Column, raw: object, ctx: FieldContext) -> tuple[object, Problem | None]:
    parsed = parse_year_month(raw)
    if not parsed.problem:
        return parsed.value, None
    if parsed.problem.startswith("无法识别（"):  # 起发年月无法识别（2013.1 可能是1月或10月）...
        return parsed.value, ("month-ambiguous", ERROR, f"{col.header}{parsed.problem}")
    return parsed.value, ("month-invalid", ERROR, f"“{col.header}”{parsed.problem}")


def _parse_digits(col: Column, raw: object, ctx: FieldContext) -> tuple[object, Problem | None]:
    """A bank account or phone number: text, whose digits a number cell would have lost."""
    if isinstance(raw, float) and abs(raw) >= 1e15:  # (_plain_column takes a column of text alone)
        return None, (f"{col.key}-stored-as-number", ERROR,
                      f"“{col.header}”以数字格式保存，超过15位的数字已丢失；请将该列设为文本格式后重新录入")
    text = _text(raw)
    if col.kind == "account" and not _account_ok(text):
        return text, ("account-format", ERROR, f"银行账号应只含数字：{mask_account(text)}")
    return text, None


def _parse_text(col: Column, raw: object, ctx: FieldContext) -> tuple[object, Problem | None]:
    # A choice (街道, 性别 ...) is matched normalised (full-width letters, compatibility characters) and kept as
    # the choice it matched; any other text is kept as typed: a name prints as the roster, ID card and bank hold it.
    text = _text(raw, normalise=col.kind != "text")
    if col.kind == "choice" and col.choices:
        allowed = ctx.choices(col.choices)
        if text not in allowed:
            return text, ("choice-invalid", ERROR,
                          f"“{col.header}”的值“{shown(text)}”不在可选范围内（{'、'.join(sorted(allowed))}）")
    if col.kind == "text" and _id_like(col, text):
        return text, ("id-like-text", ERROR, f"“{col.header}”中有一串像身份证号或银行账号的数字（{shown(text)}），"
                                             "可能填错了列；请核对")
    if _too_long(text):
        return text, ("text-too-long", WARNING, f"“{col.header}”过长（{len(text)}字）")
    odd = _unusual(text) if col.key in _PRINTED_AS_TYPED and not text.isascii() else ""
    if odd:
        return text, ("text-unusual-char", INFO,
                      f"“{col.header}”含不常见字符 {odd}，发放表按名册原样打印，未改写为常见字形；"
                      "请核对与身份证、银行户名是否一致")
    return text, None


def _text(raw: object, normalise: bool = True) -> str:
    """A (non-blank) cell as text: a whole float without its ".0"; ``normalise``: _clean_text, else stripped."""
    if type(raw) is not str:
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        raw = str(raw)
    return _clean_text(raw) if normalise else raw.strip()


_PRINTED_AS_TYPED = frozenset({"name"})  # checked for _unusual characters: the name the bank pays to

# Characters a name should not hold unnoticed: private use, format (zero-width, direction marks), controls.
_ODD_CHARS = re.compile("[\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff"
                        "\ue000-\uf8ff\U000f0000-\U0010ffff]")


def _unusual(text: str) -> str:
    """The code points of ``text`` that NFKC would rewrite (compatibility ideographs such as U+F900, full-width
    letters) or that are odd in a name (_ODD_CHARS), as "U+F900（豈）"; "" when there is none."""
    if unicodedata.is_normalized("NFKC", text) and not _ODD_CHARS.search(text):
        return ""
    odd = dict.fromkeys(ch for ch in text if _ODD_CHARS.match(ch) or unicodedata.normalize("NFKC", ch) != ch)
    return "、".join(f"U+{ord(ch):04X}" + (f"（{ch}）" if ch.isprintable() else "") for ch in odd)


def _clean_text(text: str) -> str:
    """Text as a roster keeps it: NFKC-normalised (full-width digits and letters made plain), stripped."""
    return text.strip() if text.isascii() else unicodedata.normalize("NFKC", text).strip()  # NFKC leaves ASCII


_ID_LIKE_MIN = 12  # characters: no shorter text holds what idcard.looks_like_id_or_account finds
_FREE_TEXT = frozenset({"remark"})  # 备注 may quote an account; it is masked in every output all the same


def _id_like(col: Column, text: str) -> bool:
    """An ID or account in a text column (姓名, 社区 ...): typed into the wrong column."""
    return col.key not in _FREE_TEXT and looks_like_id_or_account(text)


def _too_long(text: str) -> bool:
    return len(text) > _LONG_TEXT


def _account_ok(text: str) -> bool:
    """A bank account's text: digits only, spaces and hyphens aside."""
    return text.replace(" ", "").replace("-", "").isdigit()


def _parse_number(col: Column, raw: object, ctx: FieldContext) -> tuple[object, Problem | None]:
    if type(raw) is int and 0 <= raw < 10 ** 9:  # the common case (a 序号, a standard), as below but at once
        return (Decimal(raw) if col.kind == "decimal" else raw), None
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


_PARSERS = {"id": _parse_id, "month": _parse_month, "int": _parse_number, "decimal": _parse_number,
            "money": _parse_number, "account": _parse_digits, "phone": _parse_digits}  # else _parse_text


def month_value(rec: Record, key: str) -> YearMonth | None:
    v = rec.values.get(key)
    return v if isinstance(v, YearMonth) else None
