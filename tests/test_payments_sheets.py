"""季度发放 and 一次性补助发放 built from the demo workbook: the sums, the 大写, everyone accounted for,
the 公示 variant and the printed pages."""
from decimal import Decimal

import pytest

from subsidy_xl import service
from subsidy_xl.analysis import analyse
from subsidy_xl.idcard import mask
from subsidy_xl.months import Quarter
from subsidy_xl.tables.paging import page_count, row_breaks
from subsidy_xl.tables.payments import (HELD_REASON_HEADER, HEADER_ROW, REASON_HEADER, one_off_sheet,
                                        quarterly_sheet)

Q2 = Quarter(2026, 2)
UNIT = "测试单位"


@pytest.fixture(scope="module")
def analysis(demo_book):
    return analyse(service.open_book(demo_book), Q2)


def _build(analysis, kind, public=False):
    if kind == "quarterly":
        return quarterly_sheet(analysis.living_people, Q2, analysis.params, UNIT, public)
    return one_off_sheet(analysis.one_off_people, analysis.params, UNIT, public)


# An independent reading of 大写, so the test does not trust the code that wrote it.
_DIGITS = dict(zip("零壹贰叁肆伍陆柒捌玖", range(10)))
_UNITS = {"拾": 10, "佰": 100, "仟": 1000}


def parse_upper(text: str) -> Decimal:
    text = text.removesuffix("整")
    yuan, _, cents = text.partition("元")
    total = section = digit = 0
    for ch in yuan:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _UNITS:
            section += (digit or 1) * _UNITS[ch]
            digit = 0
        elif ch == "万":
            total += (section + digit) * 10_000
            section = digit = 0
        else:
            raise ValueError(ch)
    amount = Decimal(total + section + digit)
    for ch, unit in zip(cents[::2], cents[1::2]):
        amount += Decimal(_DIGITS[ch]) / {"角": 10, "分": 100}[unit]
    return amount


def test_parse_upper_reads_what_staff_write():
    assert parse_upper("壹拾陆万叁仟伍佰元整") == 163500
    assert parse_upper("壹佰玖拾陆万零叁佰元伍角陆分") == Decimal("1960300.56")


class Parsed:
    """The payment table of a built sheet: people, subtotals, total and the 大写 line, read back from cells."""

    def __init__(self, sheet):
        grid = sheet.as_grid()
        self.headers = grid[HEADER_ROW - 1]
        amount_col = self.headers.index("本季金额" if "本季金额" in self.headers else "补助金额")
        self.people, self.subtotals, self.total, self.upper, self.unpaid = [], {}, None, None, []
        self.reasons, self.held = [], []  # the reason of each row of self.unpaid; the rows of the 暂缓发放 block
        block = None
        group = []
        section = "paid"
        for row in grid[HEADER_ROW:]:
            first, label = row[0], row[1]
            if section == "paid":
                if isinstance(first, int):
                    group.append(row)
                    self.people.append(row)
                elif isinstance(label, str) and label.endswith("小计"):
                    self.subtotals[label.removesuffix("小计")] = (row[amount_col], group)
                    group = []
                elif label == "合计":
                    self.total = row[amount_col]
                elif isinstance(first, str) and first.startswith("合计金额（大写）："):
                    self.upper = first.split("：", 1)[1]
                    section = "closing"
            elif REASON_HEADER in row or HELD_REASON_HEADER in row:  # each block has its own header row
                block = "held" if HELD_REASON_HEADER in row else "not_due"
                self.reason_col = row.index(HELD_REASON_HEADER if block == "held" else REASON_HEADER)
            elif isinstance(first, int):
                self.unpaid.append(row)
                self.reasons.append(row[self.reason_col])
                if block == "held":
                    self.held.append(row)
        self.amount_col = amount_col


@pytest.mark.parametrize("kind", ["quarterly", "one_off"])
def test_subtotals_add_up_to_the_total(analysis, kind):
    sheet, figures = _build(analysis, kind)
    p = Parsed(sheet)
    assert p.subtotals, "no group"
    for group, (subtotal, rows) in p.subtotals.items():
        assert subtotal == sum(r[p.amount_col] for r in rows), group
    assert p.total == sum(s for s, _ in p.subtotals.values()) == sum(r[p.amount_col] for r in p.people)
    assert p.total == figures["total"] and len(p.people) == figures["paid"]
    assert all(isinstance(r[p.amount_col], int) for r in p.people)  # exact yuan, never float


@pytest.mark.parametrize("kind", ["quarterly", "one_off"])
def test_upper_case_amount_equals_the_figure(analysis, kind):
    sheet, _ = _build(analysis, kind)
    p = Parsed(sheet)
    assert p.total > 100_000
    assert parse_upper(p.upper) == p.total


@pytest.mark.parametrize("kind", ["quarterly", "one_off"])
def test_people_paid_and_not_paid_are_the_whole_roster(analysis, kind):
    sheet, figures = _build(analysis, kind)
    p = Parsed(sheet)
    roster = analysis.living if kind == "quarterly" else analysis.one_off
    assert len(p.people) + len(p.unpaid) == len(roster.records)
    assert len(p.unpaid) == figures["unpaid"] >= 1  # the demo's defects are not paid
    assert len(p.held) == figures["held"] >= 1  # ... they are held, each with its reason
    assert all(isinstance(r, str) and r for r in p.reasons)


def test_quarterly_row_shows_what_the_issue_lists(analysis):
    sheet, _ = _build(analysis, "quarterly")
    assert Parsed(sheet).headers == ["序号", "街道", "社区", "姓名", "身份证号", "月补贴标准", "本季月数", "本季金额",
                                     "银行账号", "开户行"]
    texts = [v for v in sheet.values().values() if isinstance(v, str)]
    assert any(t.startswith("制表人") and "审核人" in t and "负责人" in t for t in texts)
    assert any("年  月  日" in t for t in texts)


def test_one_off_rows_show_years_months_and_the_rule(analysis):
    sheet, _ = _build(analysis, "one_off")
    p = Parsed(sheet)
    h = p.headers
    for row in p.people:
        rate, years, months, amount = (row[h.index(k)] for k in ("月岗位补贴", "任满年数", "计发月数", "补助金额"))
        assert rate * months == amount and months in (years, 2 * years)
        assert f"={amount}元" in row[h.index("计算依据")]
    assert list(p.subtotals) == [c for c in analysis.params.rates if c in p.subtotals]  # grouped by 职务类别


@pytest.mark.parametrize("kind", ["quarterly", "one_off"])
def test_public_version_masks_ids_and_drops_bank_details(analysis, kind):
    full, _ = _build(analysis, kind)
    public, figures = _build(analysis, kind, public=True)
    p = Parsed(public)
    assert "银行账号" not in p.headers and "开户行" not in p.headers
    assert not p.unpaid  # who is not paid and why is not for public notice
    ids = [r[Parsed(full).headers.index("身份证号")] for r in Parsed(full).people]
    assert [r[p.headers.index("身份证号")] for r in p.people] == [mask(i) for i in ids]
    values = " ".join(str(v) for v in public.values().values())
    roster = analysis.living if kind == "quarterly" else analysis.one_off
    for rec in roster.records:
        for key in ("id_text", "account"):
            if rec.values.get(key):
                assert rec.values[key] not in values
    assert p.total == figures["total"]


@pytest.mark.parametrize("kind", ["quarterly", "one_off"])
def test_pages_break_between_groups_and_keep_the_total_with_its_signatures(analysis, kind):
    """Breaks come from tables/layout.py (page height at the fit-to-width scale): never inside a group that
    fits on a page, never between the total and its signatures; the unpaid list starts a page of its own."""
    sheet, _ = _build(analysis, kind)
    breaks = row_breaks(sheet)
    assert page_count(sheet) == len(breaks) + 1 >= 2
    for first, end in sheet.keep_together + sheet.groups:
        if end - first < 20:  # far less than a page
            assert not any(first <= b < end for b in breaks), (first, end)
    # The lists below the signatures are outside the sheet's print area (exports print them on pages of their own).
    assert sheet.new_page_before and sheet.print_end < sheet.new_page_before[0]
    assert sheet.layout().page.print_area.endswith(str(sheet.print_end)) and all(b < sheet.print_end for b in breaks)
