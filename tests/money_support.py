"""Shared by the money tests (test_money_oracle.py, test_money_held.py): rosters a clerk might type, written
as real .xlsx workbooks, and the payment sheets read back from the refreshed file as a person would read them.

Nothing here imports the project's rules: the expected amounts come from ``oracle_*``, written from
../shared/docs/policy.md alone (rates §1.2, the per-year formula, living eligibility §1.1, the 换届 schedule's
defaults and the 3-month tolerance that counts terms and years alike §4).
"""
from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from python_calamine import CalamineWorkbook
from stdnum.cn import ric

from subsidy_xl.template import build

# ---------------------------------------------------------------- policy.md, as the oracle knows it
RATES = {"一肩挑": 2400, "正职": 2200, "副职": 2100, "监委会主任": 2100}  # §1.2 (seed)
POSTS = {"一肩挑": "社区党组织书记、居委会主任", "正职": "居委会主任", "副职": "社区党委副书记",
         "监委会主任": "监督委员会主任"}  # §1.2: who is in each category
HUANJIE = [(2007, 3), (2010, 3), (2013, 3), (2016, 3), (2021, 3), (2026, 3)]  # §1.3: the schedule kept on 参数
TOLERANCE = 3  # §4: months by which a tenure may miss a 换届 and still count (terms and years alike)
QUARTER_MONTHS = [(2026, 4), (2026, 5), (2026, 6)]  # the quarter paid in these tests: 2026Q2


def idx(year: int, month: int) -> int:
    return year * 12 + month - 1


def oracle_one_off(category: str, start: tuple[int, int], end: tuple[int, int]) -> int:
    """143号: rate × full years × (1 month per year after one full term, 2 after two or more consecutive)."""
    s, e = idx(*start), idx(*end)
    marks = [idx(*h) for h in HUANJIE]
    for m in marks:  # a date that misses a 换届 by at most the tolerance counts from / to it
        if m < s <= m + TOLERANCE:
            s = m
        if m - TOLERANCE <= e < m:
            e = m
    terms = sum(1 for a, b in zip(marks, marks[1:]) if s <= a and b <= e)
    years = (e - s) // 12
    if terms < 1:
        return 0
    return RATES[category] * years * (2 if terms >= 2 else 1)


def oracle_living(standard: int, pay_start: tuple[int, int], stop: tuple[int, int] | None) -> int:
    """88号: the approved standard for each month of the quarter from 起发年月 on; a stop (death ...) ends the
    payment from the month after the event (参数 default 次月)."""
    months = [m for m in QUARTER_MONTHS if idx(*m) >= idx(*pay_start) and (stop is None or idx(*m) <= idx(*stop))]
    return standard * len(months)


# ---------------------------------------------------------------- people a clerk types, with mistakes
NAMES = [s + g for s in "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨" for g in ("建国", "秀英", "德明", "玉兰", "志强")]


def make_id(rng: random.Random, year: int, male: bool) -> str:
    body = f"530114{year:04d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 9)}" \
           f"{rng.randint(0, 49) * 2 + (1 if male else 0):02d}"
    return body + ric.calc_check_digit(body + "0")


def wrong_check_digit(number: str) -> str:
    last = number[-1]
    return number[:-1] + ("0" if last != "0" else "1")


def month_text(ym: tuple[int, int]) -> str:
    return f"{ym[0]}-{ym[1]:02d}"


@dataclass
class Person:
    """One roster row: the values written, the mistake made, and what the policy says should happen."""
    row: dict
    mistake: str
    error: bool  # the mistake must hold the payment (an error on the row)
    expected: int  # the oracle's amount when nothing holds it (0: nothing due)
    error_header: str = ""  # the column whose cell the held reason must name
    reason_words: tuple[str, ...] = ()  # words the held reason must contain
    excel_row: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.row["姓名"]

    @property
    def id(self) -> str:
        return str(self.row["身份证号"])


LIVING_MISTAKES = ("none", "none", "none", "standard_x10", "years_low", "terms_high", "gender_flip", "id_check",
                   "account_number", "stop_reason_ref", "stop_month_na", "start_ambiguous", "under_age",
                   "left_2001", "compat_name", "stop_death", "start_later", "start_in_quarter")
ONE_OFF_MISTAKES = ("none", "none", "none", "terms_high", "years_high", "post_typo", "category_conflict",
                    "gender_flip", "id_check", "account_number", "years_na", "left_tolerance", "late_start",
                    "blank_tenure", "compat_name")


def living_person(rng: random.Random, name: str, mistake: str) -> Person:
    male = rng.random() < 0.7
    birth_year = rng.randint(1935, 1950 if male else 1955)
    number = make_id(rng, birth_year, male)
    terms = rng.randint(2, 5)
    left = (rng.randint(1985, 1999), rng.randint(1, 12))
    start = (left[0] - 3 * terms, left[1])
    standard = rng.choice((600, 640, 660, 680, 720))
    pay_start, stop = (2019, 1), None
    row = {"街道": rng.choice(("龙城街道", "洛龙街道", "吴家营街道")), "社区": "示范社区", "姓名": name,
           "性别": "男" if male else "女", "身份证号": number, "原任最高职务": "村委会主任",
           "任职起始年月": month_text(start), "离任年月": month_text(left), "连续任职年限": 3 * terms,
           "累计任职年限": 3 * terms, "连续任职届数": terms, "累计任职届数": terms, "月补贴标准": standard,
           "起发年月": month_text(pay_start), "停发年月": None, "停发原因": None,
           "银行账号": "6228" + "".join(str(rng.randint(0, 9)) for _ in range(15)), "开户行": "农业银行呈贡支行"}
    error, header, words = True, "", ()
    if mistake == "standard_x10":
        row["月补贴标准"] = standard * 10
        header, words = "月补贴标准", (str(standard * 10),)
    elif mistake == "years_low":  # typed fewer years than the dates give
        row["连续任职年限"] = 3 * terms - 3
        header, words = "连续任职年限", (str(3 * terms - 3), str(3 * terms))
    elif mistake == "terms_high":
        row["连续任职届数"] = row["累计任职届数"] = terms + 2
        header, words = "连续任职届数", (str(terms + 2), str(terms))
    elif mistake == "gender_flip":
        row["性别"] = "女" if male else "男"
        header = "性别"
    elif mistake == "id_check":
        row["身份证号"] = wrong_check_digit(number)
        header = "身份证号"
    elif mistake == "account_number":
        row["银行账号"] = int(row["银行账号"])  # an Excel number: the last digits are lost
        header = "银行账号"
    elif mistake == "stop_reason_ref":
        row["停发年月"], row["停发原因"] = "2026-04", "#REF!"
        header, words = "停发原因", ("#REF!",)
    elif mistake == "stop_month_na":
        row["停发年月"], row["停发原因"] = "#N/A", "死亡"
        header, words = "停发年月", ("#N/A",)
    elif mistake == "start_ambiguous":
        row["起发年月"] = 2019.1  # January or October?
        header, words = "起发年月", ("起发年月无法识别", "2019.1")
    elif mistake == "under_age":  # 起发年月 before the ID says the person is old enough
        row["身份证号"] = number = make_id(rng, 1968, True)
        row["性别"] = "男"
        header, words = "起发年月", ("年满规定年龄",)
    elif mistake == "left_2001":
        row["离任年月"] = "2001-06"
        row["任职起始年月"] = month_text((2001 - 3 * terms, 6))
        header, words = "离任年月", ("不符合生活补贴条件",)
    else:
        error = False
    expected = 0
    if not error:
        if mistake == "compat_name":
            row["姓名"] = "\uf900" + name[1:]  # CJK compatibility ideograph: must print exactly as typed
        if mistake == "stop_death":
            stop = rng.choice(((2026, 4), (2026, 5), (2026, 7)))
            row["停发年月"], row["停发原因"] = month_text(stop), "死亡"
        if mistake == "start_later":
            pay_start = (2026, 7)
        if mistake == "start_in_quarter":
            pay_start = (2026, 5)
        row["起发年月"] = month_text(pay_start)
        expected = oracle_living(row["月补贴标准"], pay_start, stop)
    return Person(row, mistake, error, expected, header, words)


def one_off_person(rng: random.Random, name: str, mistake: str) -> Person:
    male = rng.random() < 0.7
    number = make_id(rng, rng.randint(1962, 1985), male)
    category = rng.choice(tuple(RATES))
    start = rng.choice(((2021, 3), (2016, 3), (2013, 3), (2021, 5)))
    left = (2026, 3)
    row = {"街道": rng.choice(("龙城街道", "斗南街道")), "社区": "示范社区", "姓名": name, "性别": "男" if male else "女",
           "身份证号": number, "离任时职务": POSTS[category], "职务类别": None, "任职起始年月": month_text(start),
           "离任年月": month_text(left), "连续任满届数": None, "任满年数": None,
           "银行账号": "6217" + "".join(str(rng.randint(0, 9)) for _ in range(15)), "开户行": "建设银行呈贡支行"}
    error, header, words = True, "", ()
    if mistake == "left_tolerance":  # left two months before the 换届: still one full term of five years
        start, left = (2021, 3), (2026, 1)
        row["任职起始年月"], row["离任年月"] = month_text(start), month_text(left)
    if mistake == "late_start":  # joined five months after the 换届: no full term
        start = (2021, 8)
        row["任职起始年月"] = month_text(start)
    # typed 届数 and 年数 as the dates give them (blank_tenure leaves them for the tool to derive)
    s, e = idx(*start), idx(*left)
    marks = [idx(*h) for h in HUANJIE]
    for m in marks:
        if m < s <= m + TOLERANCE:
            s = m
        if m - TOLERANCE <= e < m:
            e = m
    terms = sum(1 for a, b in zip(marks, marks[1:]) if s <= a and b <= e)
    years = (e - s) // 12
    if mistake not in ("blank_tenure", "late_start"):
        row["连续任满届数"], row["任满年数"] = terms, years
    if mistake == "terms_high":
        row["连续任满届数"] = terms + 1
        header, words = "连续任满届数", (f"填{terms + 1}届", f"应为{terms}届")
    elif mistake == "years_high":
        row["任满年数"] = years + 3
        header, words = "任满年数", (f"填{years + 3}年", f"应为{years}年")
    elif mistake == "post_typo":
        row["离任时职务"] = "居委会付主任"
        header, words = "离任时职务", ("职务无法识别",)
    elif mistake == "category_conflict":
        row["职务类别"] = "一肩挑" if category != "一肩挑" else "副职"
        header, words = "职务类别", (row["职务类别"],)
    elif mistake == "gender_flip":
        row["性别"] = "女" if male else "男"
        header = "性别"
    elif mistake == "id_check":
        row["身份证号"] = wrong_check_digit(number)
        header = "身份证号"
    elif mistake == "account_number":
        row["银行账号"] = int(row["银行账号"])
        header = "银行账号"
    elif mistake == "years_na":
        row["任满年数"] = "#N/A"
        header, words = "任满年数", ("#N/A",)
    else:
        error = False
    if mistake == "compat_name":
        row["姓名"] = "\uf900" + name[1:]
    expected = 0 if error else oracle_one_off(category, start, left)
    return Person(row, mistake, error, expected, header, words, extra={"category": category})


# ---------------------------------------------------------------- the workbook
LIVING_SHEET, ONE_OFF_SHEET = "生活补贴名册", "一次性补助名册"


def write_book(path: Path, living: list[Person], one_off: list[Person], rates: list[tuple[str, int]] = (),
               params: dict[str, object] | None = None) -> Path:
    """A workbook from the template holding these rows (row 2 down). ``rates``: rows added under the 参数
    sheet's 月岗位补贴标准 block; ``params``: 基本参数 values set by label."""
    for i, p in enumerate(living):
        p.excel_row = i + 2
    for i, p in enumerate(one_off):
        p.excel_row = i + 2
    build(path, {LIVING_SHEET: [p.row for p in living], ONE_OFF_SHEET: [p.row for p in one_off]})
    if rates or params:
        wb = openpyxl.load_workbook(path)
        ws = wb["参数"]
        header = [c.value for c in ws[2]]
        if rates:
            col = header.index("职务类别") + 1
            row = 3
            while ws.cell(row, col).value not in (None, ""):
                row += 1
            for category, rate in rates:
                ws.cell(row, col, category)
                ws.cell(row, col + 1, rate)
                row += 1
        for label, value in (params or {}).items():
            for r in range(3, ws.max_row + 1):
                if ws.cell(r, 1).value == label:
                    ws.cell(r, 2, value)
        wb.save(path)
    return path


def column_letter(sheet: str, header: str) -> str:
    """Where the template puts a roster column (the reason must name this cell)."""
    from subsidy_xl.cells import col_letter
    wb = CalamineWorkbook.from_path(str(TEMPLATE))
    headers = wb.get_sheet_by_name(sheet).to_python()[0]
    return col_letter(list(headers).index(header))


def _template() -> Path:
    from subsidy_xl.template import TEMPLATE_PATH
    return TEMPLATE_PATH


TEMPLATE = _template()


# ---------------------------------------------------------------- the payment sheets, read back
@dataclass
class PaymentSheet:
    paid: list[dict]  # rows above 合计, by header
    total: object  # the 合计 row's amount (None: no 合计 row)
    subtotals: list[object]
    held: list[dict]  # rows of the 暂缓发放 block: by header of that block
    not_due: list[dict]
    texts: list[str]  # every text cell, for what the sheet says


def _num(v):
    return int(v) if isinstance(v, float) and v.is_integer() else v


def read_payment_sheet(path: Path, sheet: str) -> PaymentSheet:
    grid = [[_num(v) if v != "" else None for v in row]
            for row in CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()]
    headers = grid[2]
    amount_col = headers.index("本季金额" if "本季金额" in headers else "补助金额")
    label_cols = [headers.index(h) for h in ("街道", "职务类别") if h in headers]
    paid, subtotals, total, held, not_due = [], [], None, [], []
    section, block_headers = "paid", None
    for row in grid[3:]:
        labels = [row[c] for c in label_cols if c < len(row)]
        first = row[0] if row else None
        if section == "paid":
            if isinstance(first, int):
                paid.append(dict(zip(headers, row)))
            elif any(isinstance(v, str) and v.endswith("小计") for v in labels):
                subtotals.append(row[amount_col])
            elif "合计" in labels:
                total = row[amount_col]
                section = "after"
        if any(isinstance(v, str) and v.startswith("暂缓原因") for v in row):
            section, block_headers = "held", row
        elif any(isinstance(v, str) and v == "未发放原因" for v in row):
            section, block_headers = "not_due", row
        elif section in ("held", "not_due") and isinstance(first, int):
            named = {h: v for h, v in zip(block_headers, row) if h}
            (held if section == "held" else not_due).append(named)
    texts = [v for row in grid for v in row if isinstance(v, str)]
    return PaymentSheet(paid, total, subtotals, held, not_due, texts)


def held_reason(entry: dict) -> str:
    return next(v for h, v in entry.items() if isinstance(h, str) and h.startswith("暂缓原因"))


def held_amount(entry: dict):
    return next((v for h, v in entry.items() if isinstance(h, str) and h.startswith("暂缓金额")), None)


def sheet_grid(path: Path, sheet: str) -> list[list]:
    return [[_num(v) if v != "" else None for v in row]
            for row in CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()]


CELL = re.compile(r"\b([A-Z]{1,3})(\d+)\b")
Q2_LABEL = "2026Q2"
TODAY = dt.date(2026, 4, 15)
