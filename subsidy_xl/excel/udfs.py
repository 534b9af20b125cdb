"""Worksheet functions (UDFs) of the add-in: thin wrappers over the rules.

Names and parameters are those of ``registry.py`` (the add-in's VBA wrappers are
generated from it and pass exactly those arguments, so there is no ``caller``
parameter: the calling book comes from ``xw.Book.caller()``, which xlwings sets
to the workbook the wrapper passes: the workbook of the formula's cell, so with
several books open each formula reads its own book's 参数 sheet).

Every argument arrives as a 2D list (``ndim=2``); ranges of the same shape are
computed cell by cell and give a range back, so a whole column is one call.
Memoised per call on the arguments' values: a column of 100,000 posts holds a
handful of distinct rows. A bad argument gives a Chinese text starting with
``#`` in its cell; nothing raises into Excel (xlwings would show a traceback).
"""
from __future__ import annotations

import datetime as _dt
import time
from decimal import Decimal
from functools import lru_cache
from itertools import chain, repeat
from typing import Callable, Sequence

import xlwings as xw

from ..idcard import birth_date, check_id, gender
from ..money import normalise, rmb_upper
from ..months import Quarter, YearMonth, parse_quarter, parse_year_month, quarter_of
from ..params import Params, default_params, params_from_grid
from ..roles import normalise_role
from ..rosters import FieldContext, is_blank, parse_field
from ..rules import one_off_months, one_off_subsidy, payable_months, post_rate
from ..schema import LIVING, ONE_OFF, PARAMS_SHEET, Column
from .registry import UDFS

CATEGORY = "离任补贴"  # the function wizard's category
_NEEDS_PARAMS = {spec.name: spec.needs_params for spec in UDFS}

# Argument columns: parse_field gives their typing and Chinese messages.
_TERMS = ONE_OFF.column("terms")
_YEARS = ONE_OFF.column("years")
_STANDARD = LIVING.column("standard")
_AMOUNT = Column("amount", "金额", "money")
_NO_CHOICES = FieldContext(frozenset(), frozenset(), frozenset())

# The 参数 sheet is read again at most this often: a recalculation of thousands
# of formula cells must not read it thousands of times.
PARAMS_RECHECK_SECONDS = 2.0
_params_cache: dict[str, tuple[float, int, Params]] = {}  # book -> (read at, values hash, params)


def declare(fn: Callable, func=xw.func, arg=xw.arg) -> Callable:
    """Declare ``fn`` as a UDF with the category and Chinese texts of its registry entry.

    On Windows the decorators record xlwings' metadata; elsewhere they return the
    function unchanged. No ``xw.ret`` options: results are numbers, text or 2D
    lists, which need no conversion, and ``expand`` would fight Excel's own spill.
    ``func`` comes last: xlwings' ``arg`` applies ``func`` again without options,
    which sets the category back to "xlwings". (The add-in's own VBA wrappers get
    their category and texts from Application.MacroOptions: addin/vba_texts.py.)
    """
    spec = next(s for s in UDFS if s.name == fn.__name__)
    fn.__doc__ = spec.description
    for a in spec.args:
        fn = arg(a.name, ndim=2, doc=a.description)(fn)
    return func(category=CATEGORY)(fn)


# ---------------------------------------------------------------- parameters

@lru_cache(maxsize=1)
def _defaults() -> Params:
    return default_params()  # immutable, and parsing it costs more than most calls


def workbook_params(book) -> Params:
    """Params of ``book``'s 参数 sheet (defaults without one), cached until its values change."""
    from .adapter import LiveBook  # the adapter is only needed with a live book

    key = book.fullname
    now = time.monotonic()
    cached = _params_cache.get(key)
    if cached and now - cached[0] < PARAMS_RECHECK_SECONDS:
        return cached[2]
    grid = LiveBook(book).grid(PARAMS_SHEET)
    digest = hash(tuple(tuple(row) for row in grid)) if grid is not None else 0
    if cached and cached[1] == digest:
        params = cached[2]
    else:
        params = params_from_grid(grid)[0] if grid is not None else _defaults()
    _params_cache[key] = (now, digest, params)
    return params


def _current_params() -> Params:
    try:
        book = xw.Book.caller()
    except Exception:  # not called from Excel (tests, notebooks): xlwings raises a bare Exception
        return _defaults()
    return workbook_params(book)


# ---------------------------------------------------------------- cell-wise application

def _as_grid(v: object) -> list | None:
    """A 2D list as xlwings gives it (used as is: no copy of 100,000 rows); a flat list is a column."""
    if isinstance(v, tuple):
        v = list(v)
    if not isinstance(v, list):
        return None
    return v if v and isinstance(v[0], (list, tuple)) else [[x] for x in v]


def _shape(grid: list) -> tuple[int, int] | None:
    """(rows, columns), or None for a ragged list."""
    widths = set(map(len, grid))
    return (len(grid), widths.pop() if widths else 0) if len(widths) <= 1 else None


def _to_cell(v: object) -> object:
    """Excel takes numbers: exact Decimals become int or float only here, at the boundary."""
    if isinstance(v, Decimal):
        v = normalise(v)
        return v if isinstance(v, int) else float(v)
    return v


def _one(fn: Callable, params: Params | None, args: Sequence[object]) -> object:
    if all(is_blank(a) for a in args):
        return ""  # a blank row of a column stays blank
    try:
        return _to_cell(fn(params, *args))
    except ValueError as e:  # the rules' and parsers' refusals, already in Chinese
        return f"#{e}"
    except Exception as e:  # never a traceback in a cell
        return f"#计算出错：{type(e).__name__} {e}"


def _cellwise(udf: str, fn: Callable, *args: object) -> object:
    """``fn(params, *scalars)`` on scalars, or on every cell of same-shaped ranges (1x1 ranges broadcast).

    ``udf``: the function's registry name. Without its ``needs_params`` (functions that ignore the 参数
    sheet) the book is not read at all and ``fn`` gets None: no round trip to Excel, no error from a 参数 sheet.
    """
    params = None
    if _NEEDS_PARAMS[udf]:
        try:
            params = _current_params()
        except Exception as e:  # the book's 参数 could not be read (Excel busy, sheet protected…)
            return f"#无法读取“{PARAMS_SHEET}”表：{e}"
    grids = [_as_grid(a) for a in args]
    shapes = [_shape(g) if g is not None else (1, 1) for g in grids]
    if None in shapes:
        return "#参数区域各行长度不一致"
    # A scalar or a 1x1 range is the same value for every cell.
    scalars = [a if g is None else g[0][0] if shape == (1, 1) else None for g, a, shape in zip(grids, args, shapes)]
    sizes = set(shapes) - {(1, 1)}
    if not sizes:
        return _one(fn, params, scalars)
    if len(sizes) > 1:
        return "#参数区域大小不一致：" + "、".join(f"{r}行{c}列" for r, c in sorted(sizes))
    rows, cols = sizes.pop()
    # Cells flattened row by row (C-speed iterators), one tuple of arguments per cell.
    streams = [chain.from_iterable(g) if shape != (1, 1) else repeat(v)
               for g, v, shape in zip(grids, scalars, shapes)]
    # Memoised on the cells' values. TRUE equals 1 as a dict key but is refused
    # where 1 is accepted, so when a range holds a logical value the key has the types too.
    typed = any(bool in set(map(type, chain.from_iterable(g))) for g, shape in zip(grids, shapes) if shape != (1, 1))
    typed = typed or any(type(v) is bool for v in scalars)
    memo: dict[tuple, object] = {}
    flat = []
    for values in zip(*streams):
        key = values + tuple(map(type, values)) if typed else values
        result = memo.get(key, memo)
        if result is memo:
            result = memo[key] = _one(fn, params, values)
        flat.append(result)
    return list(map(list, zip(*[iter(flat)] * cols)))  # back to rows of ``cols`` cells


# ---------------------------------------------------------------- argument parsing

def _number(col: Column, raw: object, required: bool = True):
    value, problem = parse_field(col, raw, _NO_CHOICES)
    if problem:
        raise ValueError(problem[2])
    if value is None and required:
        raise ValueError(f"缺少{col.header}")
    return value


def _category(role: object, params: Params) -> str:
    match = normalise_role(role, params.rates, params.role_aliases)
    if match.category is None:
        raise ValueError(match.problem)
    return match.category


def _month(raw: object, what: str, required: bool) -> YearMonth | None:
    parsed = parse_year_month(raw)
    if parsed.problem:
        raise ValueError(f"{what}{parsed.problem}")
    if parsed.value is None and required:
        raise ValueError(f"缺少{what}")
    return parsed.value


def _quarter(raw: object) -> Quarter:
    if isinstance(raw, (_dt.date, _dt.datetime)):
        return quarter_of(YearMonth(raw.year, raw.month))
    if is_blank(raw):
        raise ValueError("缺少所属季度（如 2026Q2）")
    return parse_quarter(str(raw).strip())


def _valid_id(raw: object) -> str:
    result = check_id(raw)
    if result.problem:
        raise ValueError(result.problem)
    return result.number


# ---------------------------------------------------------------- the functions

def _one_off_subsidy(params: Params, role, terms, years):
    category = _category(role, params)
    return one_off_subsidy(category, _number(_TERMS, terms), _number(_YEARS, years, required=False), params).amount


def _one_off_months(params: Params, terms, years):
    return one_off_months(_number(_TERMS, terms), _number(_YEARS, years), params)


def _post_rate(params: Params, role):
    return post_rate(_category(role, params), params)


def _living_subsidy(params: Params, standard, start_date, stop_date, quarter):
    amount = _number(_STANDARD, standard)
    start = _month(start_date, "起发日期", required=True)
    stop = _month(stop_date, "停发日期", required=False)
    # The stop month is the first month not paid (the stop reason's 次月/当月 is
    # the roster's business; here the user gives the month payment stops).
    paid = payable_months(start, stop, 0, _quarter(quarter).months)
    return amount * len(paid)


def _id_check(params: Params, id):
    return check_id(id).problem or ""


def _id_birthdate(params: Params, id):
    return birth_date(_valid_id(id)).isoformat()  # text: a UDF cannot set its cell's date format


def _id_gender(params: Params, id):
    return gender(_valid_id(id))


def _rmb_upper(params: Params, amount):
    return rmb_upper(_number(_AMOUNT, amount))


@declare
def ONE_OFF_SUBSIDY(role, terms, years=None):
    return _cellwise("ONE_OFF_SUBSIDY", _one_off_subsidy, role, terms, years)


@declare
def ONE_OFF_MONTHS(terms, years):
    return _cellwise("ONE_OFF_MONTHS", _one_off_months, terms, years)


@declare
def POST_RATE(role):
    return _cellwise("POST_RATE", _post_rate, role)


@declare
def LIVING_SUBSIDY(standard, start_date, stop_date, quarter):
    return _cellwise("LIVING_SUBSIDY", _living_subsidy, standard, start_date, stop_date, quarter)


@declare
def ID_CHECK(id):
    return _cellwise("ID_CHECK", _id_check, id)


@declare
def ID_BIRTHDATE(id):
    return _cellwise("ID_BIRTHDATE", _id_birthdate, id)


@declare
def ID_GENDER(id):
    return _cellwise("ID_GENDER", _id_gender, id)


@declare
def RMB_UPPER(amount):
    return _cellwise("RMB_UPPER", _rmb_upper, amount)
