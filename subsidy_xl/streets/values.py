"""Cell values as the import compares and writes them."""
from __future__ import annotations

import datetime as _dt
import unicodedata
from decimal import Decimal

from ..idcard import check_id
from ..months import YearMonth
from ..rosters import is_blank
from ..schema import TEXT_KINDS, Column

# A whole number in a month column stays a number: the roster reads 201301 as a month and names a date serial.
_TEXT_KINDS = TEXT_KINDS - {"month"}
_NUMBER_KINDS = {"money", "decimal"}


def canon(value: object) -> str:
    """One text per meaning a reader can give a cell: 660, 660.0 and "660" are the same; blank is ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value.is_finite() else str(value)
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if value.time() == _dt.time() else value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    return unicodedata.normalize("NFKC", str(value)).strip()


def id_key(raw: object) -> str | None:
    """The 18-character number a person is matched by (also when its check digit is wrong); None when the
    cell cannot be read as one (blank, wrong length, digits lost in a number cell)."""
    return check_id(raw).number


def for_roster(col: Column, raw: object) -> object:
    """A returned form's cell as it is written into the roster: whole numbers as int, amounts as Decimal,
    numbers in text columns (a phone typed as a number) as text, dates as text months."""
    if is_blank(raw):
        return None
    if isinstance(raw, str):
        return raw.strip()
    if isinstance(raw, _dt.date):
        if col.kind == "month":
            return str(YearMonth(raw.year, raw.month))
        return canon(raw)
    if isinstance(raw, float) and not isinstance(raw, bool):
        if col.kind in _TEXT_KINDS and raw.is_integer() and abs(raw) < 1e15:
            return str(int(raw))
        if raw.is_integer() and abs(raw) < 1e15:
            return int(raw)
        if col.kind in _NUMBER_KINDS:
            return Decimal(repr(raw))
    return raw
