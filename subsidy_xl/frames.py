"""pandas DataFrames of a workbook, for analysts and notebooks (the library door; issue 17).

    from subsidy_xl import frames

    wb = frames.open_workbook("补贴.xlsx", quarter="2026Q2")   # read once, nothing written
    wb.living, wb.one_off          # the rosters: typed values, Excel row, the tool's figures
    wb.payments()                  # this quarter's living subsidy: paid / held / not_due, as on 季度发放
    wb.one_off_payments()          # the one-off subsidy, as on 一次性补助发放
    wb.issues()                    # the 问题清单 (Issue.as_dict columns)
    wb.indicators()                # the 绩效目标表 indicator rows as the tool reads them
    wb.budget                      # the figures refresh computes (资金安排, RefreshReport.figures)

    # The same rules on data held in pandas (analyse() runs on them; nothing is re-implemented):
    other = frames.Workbook(frames.from_frames(living=df1, one_off=df2, params=wb))

A ``Workbook`` runs ``analysis.analyse`` — what ``refresh`` and ``check`` run — on a BookSource: the file
reader (``io.reader.read_book``) for ``open_workbook``, a ``FrameSource`` for ``from_frames``. It writes
nothing. pandas is the optional extra ``frames`` and is imported here only when a frame is built, so
``import subsidy_xl`` and the CLI never load it.

Masking (``mask=True``, the default) follows the 公示 exports: IDs as their first 6 and last 4 characters,
no 银行账号 / 开户行 columns, no 联系电话, no birth date nor the month an age is reached (with the masked ID
they would give the birth date away), and any ID or account typed into another cell masked in the text
(``idcard.redact``). ``mask=False`` gives every value as read, for authorised use only (a payment run, an
audit): treat those frames as the roster itself.

Money stays exact: a column of whole yuan is ``Int64``; a column where fen appear holds ``decimal.Decimal``
objects (object dtype). No amount is ever a float. Months are ``Period[M]``.
"""
from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from .analysis import Analysis, BookSource, analyse
from .compute import hold_reason
from .idcard import mask as mask_id, redact
from .months import Quarter, YearMonth, parse_quarter
from .params import default_data
from .schema import (LIVING, ONE_OFF, PARAM_BLOCKS, PARAM_HEADER_ROW, PARAMS_SHEET, PERFORMANCE_SHEET,
                     ISSUE_COLUMNS, PROJECT_INFO_HEADERS, PROJECT_INFO_ITEMS, PROJECT_INFO_SHEET, Roster)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["Workbook", "open_workbook", "FrameSource", "from_frames", "default_params_grid", "PAID", "HELD_STATUS",
           "NOT_DUE", "PRIVATE_COLUMNS"]

# Values of the ``status`` column of payments() and one_off_payments().
PAID, HELD_STATUS, NOT_DUE = "paid", "held", "not_due"
# Columns a masked frame leaves out (the 公示 has no bank details; birth dates would unmask the ID).
PRIVATE_COLUMNS = frozenset({"account", "bank", "phone", "birth", "eligible_from"})


def _pd():
    import pandas  # the optional extra "frames": only here, on first use

    return pandas


# ------------------------------------------------------------------ the workbook


def open_workbook(path, quarter: Quarter | str | None = None, *, mask: bool = True) -> "Workbook":
    """Read the workbook at ``path`` once (the file reader refresh uses) and analyse it as refresh does.

    ``quarter``: the quarter of ``payments()`` (``Quarter`` or "2026Q2"); by default the one refresh takes.
    Nothing is written: the file's bytes and its modification time stay as they were."""
    from .io.reader import read_book

    return Workbook(read_book(path), quarter, mask=mask)


class Workbook:
    """One analysed workbook (any BookSource) and its DataFrames. See the module's docstring."""

    def __init__(self, source: BookSource, quarter: Quarter | str | None = None, *, mask: bool = True) -> None:
        self.source = source
        self.mask = mask
        self.analysis: Analysis = analyse(source, _quarter(quarter))
        self._living = self._one_off = None

    # --- what refresh computes -------------------------------------------------------
    @property
    def quarter(self) -> Quarter:
        return self.analysis.quarter

    @property
    def budget(self) -> dict:
        """The figures of 资金安排 and 汇总 (``Analysis.budget``; ``RefreshReport.figures`` of a refresh), a copy."""
        return dict(self.analysis.budget)

    figures = budget  # the name RefreshReport gives the same dict

    # --- rosters -------------------------------------------------------------------
    @property
    def living(self) -> "pd.DataFrame":
        """生活补贴名册: one row per person (Excel ``row``), the columns by schema key with the values as the
        core read them, then the tool's figures: ``id_valid``, ``eligible_from``, ``blocked`` (why nothing is
        due at all), ``held`` and ``held_reason`` (暂缓发放: each error with its cell), ``quarter_months`` and
        ``quarter_amount`` (paid in ``quarter``), ``year_amount`` (paid in the budget year)."""
        if self._living is None:
            a, params = self.analysis, self.analysis.params
            rows = []
            for p in a.living_people:
                rec = p.rec
                pay = p.pay(a.quarter, params)
                row = self._roster_values(rec, LIVING)
                row.update(eligible_from=p.eligible_from, blocked=p.blocked, held=bool(p.held),
                           held_reason=hold_reason(rec, p.held) if p.held else None,
                           quarter_months=pay.months, quarter_amount=pay.amount,
                           year_amount=_sum(pay.amount for pay in p.year(params.budget_year, params)))
                rows.append(row)
            self._living = self._frame(rows, _roster_columns(LIVING) + [
                "id_valid", "eligible_from", "blocked", "held", "held_reason", "quarter_months", "quarter_amount",
                "year_amount"], money={"standard", "quarter_amount", "year_amount"},
                months=_month_keys(LIVING) | {"eligible_from"})
        return self._living.copy()

    @property
    def one_off(self) -> "pd.DataFrame":
        """一次性补助名册: as ``living``; ``category``, ``terms`` and ``years`` as typed (may be blank), the tool's
        ``category_used``, ``terms_used``, ``years_used``, and ``rate``, ``months``, ``amount`` and ``basis`` as
        the rules give them from the values as typed (what refresh writes into the roster unless the row is
        held), ``blocked``, ``held``, ``held_reason`` and ``payable``."""
        if self._one_off is None:
            rows = []
            for p in self.analysis.one_off_people:
                rec, r = p.rec, p.result
                row = self._roster_values(rec, ONE_OFF)
                row.update(category_used=p.category, terms_used=r.terms if r else None,
                           years_used=r.years if r else None, rate=r.rate if r else None,
                           months=r.months if r else None, amount=r.amount if r else None,
                           basis=r.basis if r else None,
                           blocked=p.blocked, held=bool(p.held),
                           held_reason=hold_reason(rec, p.held) if p.held else None, payable=p.payable)
                rows.append(row)
            self._one_off = self._frame(rows, _roster_columns(ONE_OFF) + [
                "id_valid", "category_used", "terms_used", "years_used", "basis", "blocked", "held", "held_reason",
                "payable"], money={"rate", "amount"}, months=_month_keys(ONE_OFF))
        return self._one_off.copy()

    # --- payments ------------------------------------------------------------------
    def payments(self, quarter: Quarter | str | None = None) -> "pd.DataFrame":
        """The living subsidy of ``quarter`` (default: the workbook's), one row per person in roster order:
        ``status`` paid / held (暂缓发放, ``reason`` names each error and its cell, ``cells`` lists them) /
        not_due (``reason`` as 本季未发放人员 says); ``paid`` is what 季度发放 pays (0 unless paid), ``due`` what
        the rules give from the values as typed (the 暂缓 amount of a held person; NA when it cannot be
        computed)."""
        a, params = self.analysis, self.analysis.params
        quarter = _quarter(quarter) or a.quarter
        rows = []
        for p in a.living_people:
            rec = p.rec
            row = self._person(rec)
            row["standard"] = p.standard
            if p.held:
                due = None if p.blocked or a.stops else p.due(quarter, params).amount
                row.update(status=HELD_STATUS, months=0, paid=0, due=due,
                           reason=hold_reason(rec, p.held), cells=_cells(p.held))
            else:
                pay = p.pay(quarter, params)
                row.update(status=PAID if pay.months else NOT_DUE, months=pay.months, paid=pay.amount,
                           due=pay.amount, reason=None if pay.months else pay.reason, cells="")
            rows.append(row)
        return self._frame(rows, ["row", "street", "community", "name", "id", "standard", "status", "months", "paid",
                                  "due", "reason", "cells", "account", "bank"], money={"standard", "paid", "due"})

    def one_off_payments(self) -> "pd.DataFrame":
        """The one-off subsidy as 一次性补助发放 gives it, one row per person in roster order: ``status`` paid /
        held / not_due, ``paid`` and ``due`` as in ``payments()``, the rule's ``category``, ``terms``,
        ``years``, ``rate``, ``months`` and ``basis``, and ``reason`` / ``cells`` as in ``payments()``."""
        rows = []
        for p in self.analysis.one_off_people:
            rec, r = p.rec, p.result
            row = self._person(rec)
            row.update(category=p.category, terms=r.terms if r else None, years=r.years if r else None,
                       rate=r.rate if r else None, months=r.months if r else None, basis=r.basis if r else None,
                       due=None if self.analysis.stops else p.due)
            if p.held:
                row.update(status=HELD_STATUS, paid=0, reason=hold_reason(rec, p.held), cells=_cells(p.held))
            elif p.payable:
                row.update(status=PAID, paid=r.amount, reason=None, cells="")
            else:
                row.update(status=NOT_DUE, paid=0, reason=p.not_due_reason, cells="")
            rows.append(row)
        return self._frame(rows, ["row", "category", "street", "community", "name", "id", "terms", "years", "rate",
                                  "months", "status", "paid", "due", "basis", "reason", "cells", "account", "bank"],
                           money={"rate", "paid", "due"})

    # --- issues and indicators -----------------------------------------------------
    def issues(self) -> "pd.DataFrame":
        """Every issue, errors first (the 问题清单's rows and ``check --format json``): ``Issue.as_dict``'s
        columns code, severity (error / warning / info), sheet, cell, value, message, basis. IDs and accounts
        in them are masked whatever ``mask`` says (every issue is)."""
        return self._frame([i.as_dict() for i in self.analysis.issues], [c.key for c in ISSUE_COLUMNS])

    def indicators(self) -> "pd.DataFrame":
        """The 绩效目标表's indicator rows as the tool reads them (``performance.model.read_table``): Excel
        ``row``, ``level1`` / ``level2`` (filled down from the row that names them) and the other columns
        by key (name, nature, target, unit, attribute, rule, basis, actual, score, deviation) as typed."""
        from .performance.layout import INDICATOR_KEYS
        from .performance.model import read_table

        table = read_table(self.source.grid(PERFORMANCE_SHEET))
        rows = [{**row.cells, "row": row.row, "level1": row.level1, "level2": row.level2} for row in table.rows]
        return self._frame(rows, ["row", *INDICATOR_KEYS])

    # --- building frames -----------------------------------------------------------
    def _roster_values(self, rec, spec: Roster) -> dict[str, object]:
        v = rec.values
        row = {"row": rec.row, **{c.key: v.get(c.key) for c in spec.columns if c.key in rec.cols}}
        if "id" in row:
            row["id"] = _id_shown(v, self.mask)
        row["id_valid"] = bool(v.get("id_number"))
        row["birth"] = v.get("birth")
        return row

    def _person(self, rec) -> dict[str, object]:
        v = rec.values
        return {"row": rec.row, "street": v.get("street"), "community": v.get("community"), "name": v.get("name"),
                "id": _id_shown(v, self.mask), "account": v.get("account"), "bank": v.get("bank")}

    def _frame(self, rows: list[dict], columns: Sequence[str], money: Iterable[str] = (),
               months: Iterable[str] = ()) -> "pd.DataFrame":
        pd = _pd()
        if self.mask:
            columns = [c for c in columns if c not in PRIVATE_COLUMNS]
        money, months = set(money), set(months)
        data = {}
        for c in columns:
            values = [row.get(c) for row in rows]
            if self.mask and c != "id":  # the ID column is masked already
                values = _redacted(values)
            if c in months:
                data[c] = _periods(values)
            elif c in money or _numbers(values):
                data[c] = _exact(values)
            elif values and all(type(x) is bool for x in values):
                data[c] = pd.Series(values, dtype=bool)
            else:
                data[c] = pd.Series(values, dtype=object)
        return pd.DataFrame(data, columns=list(columns))


def _quarter(quarter: Quarter | str | None) -> Quarter | None:
    if quarter is None or isinstance(quarter, Quarter):
        return quarter
    return parse_quarter(str(quarter))


def _roster_columns(spec: Roster) -> list[str]:
    return ["row", *(c.key for c in spec.columns), "birth"]


def _month_keys(spec: Roster) -> set[str]:
    return {c.key for c in spec.columns if c.kind == "month"}


def _id_shown(values: Mapping[str, object], masked: bool) -> object:
    """The ID as read (the 18 characters when they read as an ID); masked: first 6 and last 4."""
    found = values.get("id_text") or values.get("id")
    if found is None or not masked:
        return found
    return mask_id(found if isinstance(found, str) else format(found, "f").rstrip("0").rstrip("."))


def _cells(held) -> str:
    return ", ".join(dict.fromkeys(i.cell for i in held if i.cell))


def _sum(amounts: Iterable[int | Decimal]) -> int | Decimal:
    from .money import total

    return total(amounts)


def _numbers(values: list) -> bool:
    """A column of whole numbers or Decimals only (with blanks): shown as Int64 or exact Decimal."""
    seen = False
    for x in values:
        if x is None:
            continue
        if type(x) not in (int, Decimal):
            return False
        seen = True
    return seen


def _exact(values: list) -> "pd.Series":
    """Int64 when every amount is whole yuan; else Decimal objects (fen kept exactly). Never float."""
    pd = _pd()
    if all(x is None or (type(x) in (int, Decimal) and x == int(x)) for x in values):
        return pd.Series(pd.array([None if x is None else int(x) for x in values], dtype="Int64"))
    return pd.Series([None if x is None else Decimal(x) for x in values], dtype=object)


def _redacted(values: list) -> list:
    """idcard.redact of every text, once per distinct text (streets, posts and reasons repeat)."""
    texts = {x for x in values if type(x) is str and len(x) >= 12}  # redact leaves shorter text as it is
    if not texts:
        return values
    shown = {x: redact(x) for x in texts}
    return [shown.get(x, x) if type(x) is str else x for x in values]


def _periods(values: list) -> "pd.Series":
    """Months as Period[M], built from their ordinals (months since 1970-01; NaT for anything else)."""
    import numpy as np

    pd = _pd()
    nat = np.iinfo(np.int64).min  # pandas' NaT ordinal
    ordinals = np.array([(x.year - 1970) * 12 + x.month - 1 if isinstance(x, YearMonth) else nat for x in values],
                        dtype=np.int64)
    return pd.Series(pd.arrays.PeriodArray(ordinals, dtype=pd.PeriodDtype("M")))


# ------------------------------------------------------------------ DataFrames as a BookSource


class FrameSource:
    """A BookSource made of DataFrames (``from_frames``): ``analyse`` runs on it as on a workbook file."""

    def __init__(self, grids: Mapping[str, list[list[object]]]) -> None:
        self._grids = dict(grids)
        self.sheet_names = list(self._grids)

    def grid(self, name: str) -> list[list[object]] | None:
        return self._grids.get(name)

    def merged(self, name: str) -> Sequence[tuple[int, int, int, int]]:
        return ()


def from_frames(living: "pd.DataFrame | None" = None, one_off: "pd.DataFrame | None" = None, *,
                params: Any = None, project_info: Any = None, performance: Any = None) -> FrameSource:
    """A BookSource from DataFrames, so that ``Workbook(from_frames(...))`` applies the tool's own rules.

    ``living`` / ``one_off``: one row per person; columns named by the roster's Chinese headers (as in the
    workbook, e.g. ``pd.read_excel(path, "生活补贴名册")``) or by the keys the frames of ``Workbook`` use
    (``Workbook.living`` with ``mask=False`` comes back unchanged); other columns are ignored. A ``row``
    column (Excel row numbers, ascending) puts each person at that row, so issues name the same cells;
    otherwise the header is row 1 and people start at row 2. The rules need the full IDs: pass unmasked
    data. An ID, account or phone number held as an integer (``read_csv`` makes them so) is exact in pandas and
    is read as its digits; one held as a float has lost digits, and is reported as a number cell in a workbook
    is. A roster left out is an empty one.

    ``params``, ``project_info``, ``performance`` (the 参数, 项目信息 and 绩效目标表 sheets): a ``Workbook``
    (its sheet as read), or the sheet's cells from A1 (rows of values, or a DataFrame read with
    ``header=None``); ``project_info`` may also be a mapping of 项目信息 labels (or keys) to values.
    Without ``params`` the shipped defaults apply (the 参数 sheet of a new workbook); without
    ``project_info`` / ``performance`` those sheets are missing, and the checks say so."""
    grids: dict[str, list[list[object]]] = {}
    grids[PARAMS_SHEET] = _sheet(params, PARAMS_SHEET) if params is not None else default_params_grid()
    if project_info is not None:
        grids[PROJECT_INFO_SHEET] = (_info_grid(project_info) if isinstance(project_info, Mapping)
                                     else _sheet(project_info, PROJECT_INFO_SHEET))
    grids[LIVING.name] = _roster_grid(living, LIVING)
    grids[ONE_OFF.name] = _roster_grid(one_off, ONE_OFF)
    if performance is not None:
        grids[PERFORMANCE_SHEET] = _sheet(performance, PERFORMANCE_SHEET)
    return FrameSource(grids)


def default_params_grid() -> list[list[object]]:
    """The 参数 sheet of a new workbook as cells from A1: each block's title, headers and default rows."""
    data = default_data()
    width = max(b.first_col + len(b.headers) for b in PARAM_BLOCKS)
    height = PARAM_HEADER_ROW + max(len(data[b.key]) for b in PARAM_BLOCKS)
    grid: list[list[object]] = [[None] * width for _ in range(height)]
    for block in PARAM_BLOCKS:
        grid[0][block.first_col] = block.title
        for i, header in enumerate(block.headers):
            grid[PARAM_HEADER_ROW - 1][block.first_col + i] = header
        for r, values in enumerate(data[block.key], PARAM_HEADER_ROW):
            for i, field in enumerate(block.fields):
                grid[r][block.first_col + i] = values.get(field)
    return grid


def _sheet(given: Any, name: str) -> list[list[object]] | None:
    if isinstance(given, Workbook):
        return given.source.grid(name)
    if hasattr(given, "itertuples"):  # a DataFrame read with header=None
        return [[_cell(v) for v in row] for row in given.itertuples(index=False, name=None)]
    return [[_cell(v) for v in row] for row in given]


def _info_grid(info: Mapping[str, object]) -> list[list[object]]:
    labels = dict(PROJECT_INFO_ITEMS)
    return [list(PROJECT_INFO_HEADERS)] + [[labels.get(k, k), _cell(v)] for k, v in info.items()]


def _roster_grid(frame: "pd.DataFrame | None", spec: Roster) -> list[list[object]]:
    """The roster as sheet cells from A1: the header row, then each person at its row."""
    by_key = {c.key: c.header for c in spec.columns}
    headers = set(by_key.values())
    if frame is None:
        return [list(spec.headers)]
    digits = {c.header for c in spec.columns if c.kind in _DIGIT_KINDS}
    placed = []  # (0-based frame column, header)
    for i, name in enumerate(frame.columns):
        header = by_key.get(name, name) if isinstance(name, str) else None
        if header in headers and header not in (h for _i, h in placed):
            placed.append((i, header))
    as_text = [h in digits for _i, h in placed]
    body = [[_digits(_cell(row[i])) if text else _cell(row[i]) for (i, _h), text in zip(placed, as_text)]
            for row in frame.itertuples(index=False, name=None)]
    grid = [[h for _i, h in placed]]
    rows = list(frame["row"]) if "row" in frame.columns else None
    numbers = [_cell(r) for r in rows] if rows is not None else None
    if numbers and all(type(n) is int for n in numbers) and numbers[0] >= 2 \
            and all(a < b for a, b in zip(numbers, numbers[1:])):
        width = len(placed)
        for n, cells in zip(numbers, body):
            grid.extend([[None] * width for _ in range(n - 1 - len(grid))])
            grid.append(cells)
    else:
        grid.extend(body)
    return grid


_DIGIT_KINDS = frozenset({"id", "account", "phone"})


def _digits(value: object) -> object:
    """An ID, account or phone number held as an integer: pandas holds every digit (a workbook's number cell
    would have lost some), so it is read as its digits. A float has lost them and stays one (reported so)."""
    return str(value) if type(value) is int else value


def _cell(value: object) -> object:
    """A value as the file reader would give the cell: None for blanks, int for whole numbers, text for a
    month, datetime for a date; Decimal kept (the roster reader reads it exactly)."""
    if value is None or type(value) in (str, bool, int, Decimal):
        return value
    pd = _pd()
    if value is pd.NaT or value is pd.NA:  # NaT is a datetime, NA is no value
        return None
    if isinstance(value, pd.Period):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, YearMonth):
        return str(value)
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, _dt.datetime):
        return value
    if isinstance(value, _dt.date):
        return _dt.datetime(value.year, value.month, value.day)
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2 ** 53:
        return int(value)
    return value
