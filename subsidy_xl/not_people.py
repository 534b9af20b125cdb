"""Rows of a roster that are not people: a 合计 row, an Excel table's total row, a note under the roster.

Staff add such rows under (or inside) a roster; the tool must neither compute on them nor write into
them nor report them as people with missing fields. A row is one of them when it has no ID and

* it is a total row of the roster's Excel table (``totalsRowCount`` in the table part: the file reader
  offers ``totals_rows``), or
* its first text, or its 姓名, begins with a word of totals (合计, 总计, 小计, 共计, Total ...), or
* its first text begins like a note or a signature line (注：, 说明, 填表人 ...), or
* it holds a formula (=SUM(...), =SUBTOTAL(...); the file reader offers ``formula_rows``) and no text at all.

A row with an ID is always a person, whatever else it holds.
"""
from __future__ import annotations

import re
import unicodedata
from typing import AbstractSet, Callable, Iterator, Mapping, Sequence

TOTAL_ROW, TABLE_TOTAL_ROW, NOTE_ROW, FORMULA_ROW = "合计行", "表格汇总行", "说明行", "公式行"

_TOTAL_WORDS = re.compile(r"(合计|总计|小计|共计|累计|总额|汇总|total|totals|sum|subtotal)(?![a-z])", re.I)
_NOTE_WORDS = re.compile(r"(注|说明|备注|附注|填表|制表|审核|审批|负责人|经办人|单位负责人|联系人|盖章|签字|日期)")
_ID_DIGITS = re.compile(r"\d{15}")


def _text(value: object) -> str:
    if not isinstance(value, str):
        return ""
    text = value if value.isascii() else unicodedata.normalize("NFKC", value)
    return "".join(text.split())


def rows_not_people(body: Sequence[Sequence[object]], first_row: int, cols: Mapping[str, int],
                    totals_rows: AbstractSet[int] = frozenset(),
                    formula_rows: AbstractSet[int] = frozenset()) -> dict[int, str]:
    """Excel row -> what it is, for the rows of ``body`` (the rows under the header; ``first_row`` is
    body[0]'s Excel row) that are not people. ``cols``: column key -> 0-based column."""
    id_col, name_col = cols.get("id"), cols.get("name")
    found: dict[int, str] = {}
    for i in candidate_rows(body, cols):
        row, excel_row = body[i], first_row + i
        if id_col is not None and id_col < len(row):
            cell = row[id_col]
            if cell is not None and (not isinstance(cell, str) or _ID_DIGITS.search(_text(cell))):
                continue  # an ID (or a number where one was typed): a person
        kind = _kind(row, excel_row, name_col, totals_rows, formula_rows)
        if kind:
            found[excel_row] = kind
    return found


def _kind(row: Sequence[object], excel_row: int, name_col: int | None, totals_rows: AbstractSet[int],
          formula_rows: AbstractSet[int]) -> str | None:
    if excel_row in totals_rows:
        return TABLE_TOTAL_ROW
    texts = [_text(v) for v in row]
    first = next((t for t in texts if t), "")
    name = texts[name_col] if name_col is not None and name_col < len(texts) else ""
    if _TOTAL_WORDS.match(first) or _TOTAL_WORDS.match(name):  # a 备注 beginning 合计… is no label
        return TOTAL_ROW
    if first and _NOTE_WORDS.match(first):
        return NOTE_ROW
    if not first and excel_row in formula_rows:  # numbers only (a 序号 =ROW()-1 beside a person's text is not)
        return FORMULA_ROW
    return None


def candidate_rows(body: Sequence[Sequence[object]], cols: Mapping[str, int]) -> list[int]:
    """Indexes of ``body`` without an 18-character ID text: the only rows rows_not_people may pick."""
    id_col = cols.get("id")
    if id_col is None:
        return list(range(len(body)))
    return [i for i, row in enumerate(body)
            if not (id_col < len(row) and type(row[id_col]) is str and len(row[id_col]) == 18)]


class LazyRows(AbstractSet[int]):
    """A set of rows found only when first asked (the formula rows of a big roster cost a pass over its XML,
    needed only when some row has no ID)."""

    def __init__(self, find: Callable[[], AbstractSet[int]]) -> None:
        self._find, self._rows = find, None

    def _get(self) -> AbstractSet[int]:
        if self._rows is None:
            self._rows = self._find()
        return self._rows

    def __contains__(self, row: object) -> bool:
        return row in self._get()

    def __iter__(self) -> Iterator[int]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())
