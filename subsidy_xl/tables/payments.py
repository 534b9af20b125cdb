"""The payment sheets: 季度发放 (living subsidy, one quarter) and 一次性补助发放.

Print-ready: title, unit line, header, people grouped with subtotals, the total
in figures and in 大写, a signature block; then two blocks of their own, each with
its own title and header row: 暂缓发放 (people held by an error on their roster
row: the amount the typed values would give, and each error with the cell to fix)
and the people to whom nothing is due (stopped, not yet started, less than one
full term) with the reason. Only the rows above 合计 are paid.

While the 参数 sheet has errors (analysis.stops) no payment rows are written at
all: the sheet says why, and everyone counts as held.

The 公示 (public notice) variant of each sheet is built by the same code with
``public=True``: IDs masked (first 6 and last 4 characters), no bank columns, no
list of people not paid, and a notice line instead of the signatures.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

from ..cells import a1
from ..compute import LivingPerson, OneOffPerson, hold_reason
from ..issues import Issue
from ..idcard import mask, redact
from ..money import rmb_upper, total
from ..months import Quarter
from ..params import STOP_NOTE, Params
from ..rosters import Record
from ..schema import ONE_OFF_PAY_SHEET, QUARTERLY_SHEET
from .layout import ColumnSpec
from .sheet import SheetContent
from .summary import NO_STREET, known_first, street_order


@dataclass(frozen=True)
class Col:
    header: str
    style: str
    width: float


QUARTERLY_COLUMNS = (
    Col("序号", "int", 6), Col("街道", "text", 12), Col("社区", "text", 14), Col("姓名", "text", 9),
    Col("身份证号", "text", 21), Col("月补贴标准", "money", 11), Col("本季月数", "int", 8), Col("本季金额", "money", 12),
    Col("银行账号", "text", 23), Col("开户行", "text", 26),
)
ONE_OFF_COLUMNS = (
    Col("序号", "int", 6), Col("职务类别", "text", 10), Col("街道", "text", 12), Col("社区", "text", 14),
    Col("姓名", "text", 9), Col("身份证号", "text", 21), Col("连续任满届数", "int", 8), Col("任满年数", "int", 8),
    Col("月岗位补贴", "money", 11), Col("计发月数", "int", 8), Col("补助金额", "money", 12), Col("计算依据", "wrap", 30),
    Col("银行账号", "text", 23), Col("开户行", "text", 26),
)
QUARTERLY_HEADERS = tuple(c.header for c in QUARTERLY_COLUMNS)
ONE_OFF_HEADERS = tuple(c.header for c in ONE_OFF_COLUMNS)
ID_HEADER = "身份证号"
PRIVATE_HEADERS = frozenset({"银行账号", "开户行"})  # never on a 公示 sheet
UNPAID_HEADERS = ("序号", "职务类别", "街道", "社区", "姓名", "身份证号")  # those present in the sheet's columns
REASON_HEADER = "未发放原因"
HELD_TITLE = "暂缓发放人员"
HELD_AMOUNT_HEADER = "暂缓金额（按所填测算）"
HELD_REASON_HEADER = "暂缓原因（请改正所列单元格后重新刷新）"
SIGNATURES = "制表人：                审核人：                负责人：                "
SIGN_DATES = "制表日期：    年  月  日        审核日期：    年  月  日        批准日期：    年  月  日"
_TOTAL_STYLES = {"money": "total", "int": "total_int"}
HEADER_ROW = 3  # Excel row of the column headers on both payment sheets (print titles repeat rows 1–3)


def column_widths(headers: Sequence[str]) -> list[float]:
    """Print widths of the payment sheets' columns: an 18-digit ID or a 19-digit account must not be cut off."""
    known = {c.header: c.width for c in QUARTERLY_COLUMNS + ONE_OFF_COLUMNS}
    return [known.get(h, 12) for h in headers]


def sheet_widths(sheet: SheetContent) -> list[float]:
    """Column widths for a payment sheet as built (its header row tells which columns it has)."""
    return column_widths(sheet.row_values(HEADER_ROW))


def _visible(columns: Sequence[Col], public: bool) -> list[Col]:
    return [c for c in columns if not (public and c.header in PRIVATE_HEADERS)]


def _row_writer(sheet: SheetContent, columns: Sequence[Col], public: bool) -> Callable[..., int]:
    """``row(values, is_total=False)`` adds one row given by header; a 公示 row shows the ID masked."""
    headers = [c.header for c in columns]
    styles = (tuple(c.style for c in columns), tuple(_TOTAL_STYLES.get(c.style, "total_text") for c in columns))
    id_col = headers.index(ID_HEADER) if public and ID_HEADER in headers else None

    def row(values: Mapping[str, object], is_total: bool = False) -> int:
        cells = list(map(values.get, headers))
        if id_col is not None and cells[id_col] is not None:
            cells[id_col] = mask(cells[id_col])
        if public:  # an ID or account typed into another column (姓名 ...) is not published either
            cells = [redact(cell) if type(cell) is str else cell for cell in cells]
        return sheet.add(cells, styles=styles[is_total])
    return row


def _title(sheet: SheetContent, title: str, subtitle: str, columns: Sequence[Col]) -> None:
    sheet.width = len(columns)
    sheet.header_row = HEADER_ROW  # title, unit line and header on every printed page
    sheet.columns = [ColumnSpec(min_width=c.width, style=c.style, **({"max_width": c.width} if c.style == "wrap" else {}))
                     for c in columns]  # at least the set widths; longer text widens its column, 计算依据 wraps
    sheet.merged_row(title, "title")
    sheet.merged_row(subtitle, "subtitle")
    sheet.add([c.header for c in columns], style="header")


def _closing(sheet: SheetContent, total_row: int, amount, public: bool, unit: str) -> None:
    """大写 and signatures (or the 公示 notice), kept on the page of the total."""
    sheet.merged_row(f"合计金额（大写）：{rmb_upper(amount)}", "total_text")
    sheet.skip()
    if public:
        last = sheet.merged_row(f"公示期间如有异议，请向{unit or '发放单位'}反映。"
                                "公示期：    年  月  日至    年  月  日", "note")
    else:
        sheet.merged_row(SIGNATURES, "note")
        last = sheet.merged_row(SIGN_DATES, "note")
    sheet.keep(total_row, last)


def _unpaid(sheet: SheetContent, columns: Sequence[Col], title: str,
            people: Sequence[tuple[Mapping[str, object], str]], reason_header: str = REASON_HEADER,
            amount_header: str | None = None) -> None:
    """A block of people not paid, with its own title and header row: each value under the payment table's
    column of the same name so nothing is cut off, then (``amount_header``) an amount column, and the reason
    spanning the remaining columns. ``title`` is the whole title."""
    placed = [(i, c.header) for i, c in enumerate(columns) if c.header in UNPAID_HEADERS]
    amount_col = placed[-1][0] + 1 if amount_header else None
    reason_col = placed[-1][0] + (2 if amount_header else 1)
    width = len(columns)

    def emit(values: dict[int, object], style: str) -> int:
        cells = [values.get(i) for i in range(width)]
        styles = [("money" if i == amount_col and style == "text" else style) if (i in values or i >= reason_col)
                  else None for i in range(width)]
        r = sheet.add(cells, styles=styles)
        if width - 1 > reason_col:
            sheet.merges.append(f"{a1(r, reason_col)}:{a1(r, width - 1)}")
        return r

    sheet.print_end = sheet.print_end or sheet.last_row  # the form signed ends here; exports print this list on pages of its own
    sheet.skip()
    first = sheet.merged_row(title, "subtitle")
    sheet.new_page_before.append(first)
    heads = {**{i: h for i, h in placed}, reason_col: reason_header}
    if amount_col is not None:
        heads[amount_col] = amount_header
    emit(heads, "header")
    for n, (values, reason) in enumerate(people, 1):
        row = {i: values.get(h) for i, h in placed}
        row[0] = n
        if amount_col is not None:
            row[amount_col] = values.get(amount_header)
        last = emit({**row, reason_col: reason}, "text")
        if n == 1:
            sheet.keep(first, last)  # the section's title never ends a page alone


def _stopped(sheet: SheetContent, stops: Sequence[Issue], people: int) -> None:
    """No payment rows: why, with each error on 参数 and its cell."""
    sheet.merged_row(f"{STOP_NOTE}。本表{people}人全部暂缓发放。", "error")
    for issue in stops:
        sheet.merged_row(f"参数表{issue.cell or ''}：{issue.message}", "error")


def _stopped_figures(people: Sequence[object]) -> dict:
    """While 参数 has errors: everyone held, no amount computed."""
    return {"held": len(people), "held_amount": None, "held_unknown": len(people), "not_due": 0,
            "unpaid": len(people), "stopped": True}


def _held_title(people: Sequence[tuple[Mapping[str, object], str]], amount: object, unknown: int) -> str:
    text = f"{HELD_TITLE}（{len(people)}人，按所填数值测算{amount:,}元"
    if unknown:
        text += f"，另{unknown}人无法测算"
    return text + "；名册有错误，未列入上方发放名单，改正后再发）"


def _held_blocks(sheet: SheetContent, columns: Sequence[Col], held: list, held_amount: object, unknown: int,
                 unpaid: list, unpaid_title: str) -> None:
    if held:
        _unpaid(sheet, columns, _held_title(held, held_amount, unknown), held, HELD_REASON_HEADER, HELD_AMOUNT_HEADER)
    _unpaid(sheet, columns, f"{unpaid_title}（{len(unpaid)}人）", unpaid)


def _person(rec: Record) -> dict[str, object]:
    v = rec.values
    return {"街道": v.get("street"), "社区": v.get("community"), "姓名": v.get("name"), "身份证号": _id(v)}


ID_UNUSABLE = "（存为数字已损坏）"  # no wider than an ID: the column keeps its width; 问题清单 says what to do


def _id(v: Mapping[str, object]) -> object:
    """The ID as the roster's text; an ID typed as a number (5.30114195807201E+17) has lost its last digits
    and prints as a marker saying so, never as the number."""
    found = v.get("id_number") or v.get("id_text") or v.get("id")
    return found if found is None or isinstance(found, str) else ID_UNUSABLE


def quarterly_sheet(people: list[LivingPerson], quarter: Quarter, params: Params, unit: str,
                    public: bool = False, stops: Sequence[Issue] = ()) -> tuple[SheetContent, dict]:
    """The 季度发放 sheet (or its 公示 version) and its figures: totals by street, people paid, held
    (暂缓发放) and not due; ``stops``: errors on 参数 (then no payment rows at all)."""
    columns = _visible(QUARTERLY_COLUMNS, public)
    sheet = SheetContent(QUARTERLY_SHEET)
    months = f"{quarter.first.year}年{quarter.first.month}月至{quarter.last.month}月"
    if public:
        _title(sheet, f"{quarter.label}正常离任村（社区）干部生活补贴发放公示名单",
               f"单位：{unit}    发放月份：{months}    金额单位：元    （身份证号隐去中间8位，银行账号不予公示）", columns)
    else:
        _title(sheet, f"{quarter.label}正常离任村（社区）干部生活补贴发放表",
               f"单位：{unit}        发放月份：{months}        金额单位：元", columns)
    row = _row_writer(sheet, columns, public)
    by_street: dict[str, list] = defaultdict(list)
    unpaid, held, held_amount, unknown = [], [], 0, 0
    if stops:  # nothing is computed from a 参数 sheet the tool would have to choose from
        _stopped(sheet, stops, len(people))
        return sheet, {"street_totals": {}, "total": 0, "paid": 0, **_stopped_figures(people)}
    for p in people:
        if p.held:
            due = None if p.blocked else p.due(quarter, params).amount
            if due is None:
                unknown += 1
            else:
                held_amount += due
            held.append(({**_person(p.rec), HELD_AMOUNT_HEADER: due}, hold_reason(p.rec, p.held)))
            continue
        pay = p.pay(quarter, params)
        if pay.months:
            by_street[p.rec.values.get("street") or NO_STREET].append((p, pay))
        else:
            unpaid.append((_person(p.rec), pay.reason))
    held_amount = total([held_amount])
    figures = {"held": len(held), "held_amount": held_amount, "held_unknown": unknown, "not_due": len(unpaid),
               "unpaid": len(held) + len(unpaid), "stopped": bool(stops)}
    seq = 0
    street_totals = {}
    for street in street_order(params, by_street):
        rows = by_street.get(street)
        if not rows:
            continue
        group_first = sheet.next_row
        for p, pay in rows:
            seq += 1
            v = p.rec.values
            row({"序号": seq, "街道": street, "社区": v.get("community"), "姓名": v.get("name"), "身份证号": _id(v),
                 "月补贴标准": p.standard, "本季月数": pay.months, "本季金额": pay.amount, "银行账号": v.get("account"),
                 "开户行": v.get("bank")})
        amount = total(pay.amount for _, pay in rows)
        street_totals[street] = (len(rows), amount)
        sheet.group(group_first, row({"街道": f"{street}小计", "姓名": f"{len(rows)}人",
                                      "本季月数": sum(pay.months for _, pay in rows), "本季金额": amount}, is_total=True))
    grand = total(a for _, a in street_totals.values())
    paid = sum(n for n, _ in street_totals.values())
    total_row = row({"街道": "合计", "姓名": f"{paid}人", "本季金额": grand}, is_total=True)
    _closing(sheet, total_row, grand, public, unit)
    if not public:
        _held_blocks(sheet, columns, held, held_amount, unknown, unpaid, "本季未发放人员")
    return sheet, {"street_totals": street_totals, "total": grand, "paid": paid, **figures}


def one_off_sheet(people: list[OneOffPerson], params: Params, unit: str,
                  public: bool = False, stops: Sequence[Issue] = ()) -> tuple[SheetContent, dict]:
    """The 一次性补助发放 sheet (or its 公示 version), grouped by 职务类别, and its figures (as quarterly_sheet)."""
    columns = _visible(ONE_OFF_COLUMNS, public)
    sheet = SheetContent(ONE_OFF_PAY_SHEET)
    title = f"{params.budget_year}年社区“两委”换届正常离任干部一次性补助发放"
    if public:
        _title(sheet, title + "公示名单",
               f"单位：{unit}    金额单位：元    （身份证号隐去中间8位，银行账号不予公示）", columns)
    else:
        _title(sheet, title + "表", f"单位：{unit}        金额单位：元", columns)
    row = _row_writer(sheet, columns, public)
    by_category: dict[str, list[OneOffPerson]] = defaultdict(list)
    unpaid, held, held_amount, unknown = [], [], 0, 0
    if stops:
        _stopped(sheet, stops, len(people))
        return sheet, {"category_totals": {}, "total": 0, "paid": 0, **_stopped_figures(people)}
    for p in people:
        if p.held:
            due = p.due
            if due is None:
                unknown += 1
            else:
                held_amount += due
            held.append(({**_person(p.rec), "职务类别": p.category, HELD_AMOUNT_HEADER: due},
                         hold_reason(p.rec, p.held)))
        elif p.payable:
            by_category[p.category].append(p)
        else:
            unpaid.append(({**_person(p.rec), "职务类别": p.category}, p.not_due_reason))
    figures = {"held": len(held), "held_amount": held_amount, "held_unknown": unknown, "not_due": len(unpaid),
               "unpaid": len(held) + len(unpaid), "stopped": bool(stops)}
    seq = 0
    category_totals = {}
    for category in known_first(params.rates, by_category):  # the 参数 sheet's 职务类别 first
        rows = by_category.get(category)
        if not rows:
            continue
        group_first = sheet.next_row
        for p in rows:
            seq += 1
            v, r = p.rec.values, p.result
            row({"序号": seq, "职务类别": category, "街道": v.get("street"), "社区": v.get("community"),
                 "姓名": v.get("name"), "身份证号": _id(v), "连续任满届数": r.terms, "任满年数": r.years,
                 "月岗位补贴": r.rate, "计发月数": r.months, "补助金额": r.amount, "计算依据": r.basis,
                 "银行账号": v.get("account"), "开户行": v.get("bank")})
        amount = total(p.result.amount for p in rows)
        category_totals[category] = (len(rows), amount)
        # No sum of 计发月数: months of different people add up to nothing a reader can use.
        sheet.group(group_first, row({"职务类别": f"{category}小计", "姓名": f"{len(rows)}人", "补助金额": amount},
                                     is_total=True))
    grand = total(a for _, a in category_totals.values())
    paid = sum(n for n, _ in category_totals.values())
    total_row = row({"职务类别": "合计", "姓名": f"{paid}人", "补助金额": grand}, is_total=True)
    _closing(sheet, total_row, grand, public, unit)
    if not public:
        _held_blocks(sheet, columns, held, held_amount, unknown, unpaid, "不予发放人员")
    return sheet, {"category_totals": category_totals, "total": grand, "paid": paid, **figures}
