"""Insert empty rows into a worksheet's XML, as Excel's Insert > Rows does for the sheet itself.

Used to put new people above a roster's 合计 or table total row (import-streets) instead of below it,
where the total would count itself. Rows from ``before`` down move ``count`` rows lower, with what
refers to them on the same sheet:

* the cells and row numbers (and their heights, hidden flags, styles: the rows move whole);
* formulas anywhere on the sheet (a reference to a moved row moves; a range that ends just above the
  inserted rows and starts in the roster grows over them, so =SUM(O2:O10) in a 合计 row at row 11
  becomes =SUM(O2:O12) when two people go into rows 11-12); a shared formula's ``ref``;
* <dimension>, merged ranges, conditional formats, data validations, hyperlinks' ``ref``/``sqref``.

A reference qualified by a sheet name (Sheet2!A12, also on this sheet) and references from other sheets,
defined names and charts are left as they are (docs/reliability.md, known limits). Structured references
(tblOneOff[补助金额]) need nothing: the table's ``ref`` is moved by the caller.
"""
from __future__ import annotations

import re

_ROW_TAG = re.compile(rb"<row\b[^>]*>")
_R_ATTR = re.compile(rb'(\sr=")([A-Z]*)(\d+)(")')
_FORMULA = re.compile(rb"(<f\b[^>]*>)([^<]*)(</f>)")
_REF_ATTR = re.compile(rb'(\s(?:ref|sqref)=")([^"]*)(")')
# A1 references in formula text: an optional $ before column and row; not preceded by a letter, digit, "!"
# (another sheet), "[" or "." (structured or named) and not followed by "(" (a function such as LOG10).
_A1 = re.compile(r"(?<![A-Za-z0-9_!.:\[\]'])(\$?)([A-Z]{1,3})(\$?)(\d+)(?![\d(A-Za-z_])"
                 r"(?::(\$?)([A-Z]{1,3})(\$?)(\d+)(?![\d(A-Za-z_]))?")
_STRING = re.compile(r'"[^"]*"')


def shift_row(row: int, before: int, count: int) -> int:
    return row + count if row >= before else row


def shift_range(top: int, bottom: int, before: int, count: int) -> tuple[int, int]:
    """A row range after the insertion: moved if below, grown if it spans the place or ends just above it."""
    if top >= before:
        return top + count, bottom + count
    if bottom >= before - 1 and bottom > top:
        return top, bottom + count
    return top, bottom


def shift_formula(text: str, before: int, count: int) -> str:
    """The references of a formula of this sheet after the insertion (strings inside it left alone)."""
    out, last = [], 0
    for string in _STRING.finditer(text):
        out.append(_shift_refs(text[last:string.start()], before, count))
        out.append(string.group(0))
        last = string.end()
    out.append(_shift_refs(text[last:], before, count))
    return "".join(out)


def _shift_refs(text: str, before: int, count: int) -> str:
    def moved(m: re.Match) -> str:
        d1, c1, d2, r1 = m.group(1), m.group(2), m.group(3), int(m.group(4))
        if m.group(6) is None:
            return f"{d1}{c1}{d2}{shift_row(r1, before, count)}"
        d3, c2, d4, r2 = m.group(5), m.group(6), m.group(7), int(m.group(8))
        r1, r2 = shift_range(r1, r2, before, count)
        return f"{d1}{c1}{d2}{r1}:{d3}{c2}{d4}{r2}"
    return _A1.sub(moved, text)


def _shift_ref_list(value: bytes, before: int, count: int) -> bytes:
    return " ".join(_shift_refs(part, before, count) for part in value.decode().split()).encode()


def insert_rows(xml: bytes, before: int, count: int) -> bytes:
    """The worksheet XML with ``count`` empty rows inserted above Excel row ``before``."""
    start = xml.find(b"<sheetData")
    end = xml.rfind(b"</sheetData>")
    if start < 0 or end < 0:
        return xml
    head, rows, tail = xml[:start], xml[start:end], xml[end:]

    def row_tag(m: re.Match) -> bytes:
        return _R_ATTR.sub(lambda a: a.group(1) + a.group(2) + str(shift_row(int(a.group(3)), before, count)).encode()
                           + a.group(4), m.group(0), count=1)

    # rows and cells: only from the first moved row on (rows are in order), so a big roster is not rescanned
    first = next((m.start() for m in _ROW_TAG.finditer(rows) if _row_number(m.group(0)) >= before), len(rows))
    moved = _ROW_TAG.sub(row_tag, rows[first:])
    moved = re.sub(rb'(<c\b[^>]*?\sr=")([A-Z]+)(\d+)(")',
                   lambda a: a.group(1) + a.group(2) + str(shift_row(int(a.group(3)), before, count)).encode()
                   + a.group(4), moved)
    rows = _shift_formulas(rows[:first] + moved, before, count)
    head = _REF_ATTR.sub(lambda m: m.group(1) + _shift_ref_list(m.group(2), before, count) + m.group(3), head)
    tail = _REF_ATTR.sub(lambda m: m.group(1) + _shift_ref_list(m.group(2), before, count) + m.group(3), tail)
    return head + rows + tail


def _row_number(tag: bytes) -> int:
    found = _R_ATTR.search(tag)
    return int(found.group(3)) if found else 0


def _shift_formulas(rows: bytes, before: int, count: int) -> bytes:
    def formula(m: re.Match) -> bytes:
        tag = _REF_ATTR.sub(lambda a: a.group(1) + _shift_ref_list(a.group(2), before, count) + a.group(3), m.group(1))
        text = m.group(2).decode("utf-8")
        return tag + shift_formula(text, before, count).encode("utf-8") + m.group(3)
    return _FORMULA.sub(formula, rows)
