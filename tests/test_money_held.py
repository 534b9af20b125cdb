"""Issue 12, one regression test per finding: each case a clerk's mistake written into a real .xlsx workbook,
refreshed for real, and the payment sheets read back from the file (money_support). A person with an error on
their row is held (暂缓发放, with the cell to fix), never paid a guess."""
from __future__ import annotations

import json
import random

import pytest

from money_support import (ONE_OFF_SHEET, LIVING_SHEET, Person, column_letter, held_amount, held_reason,
                           living_person, one_off_person, read_payment_sheet, sheet_grid, write_book)
from subsidy_xl import cli, service
from subsidy_xl.io.reader import read_book
from subsidy_xl.months import Quarter

Q2 = Quarter(2026, 2)


def living(name: str = "李建国", seed: int = 1, **changes) -> Person:
    p = living_person(random.Random(seed), name, "none")
    p.row.update(changes)
    return p


def one_off(name: str = "王德明", seed: int = 2, **changes) -> Person:
    p = one_off_person(random.Random(seed), name, "none")
    p.row.update({"离任时职务": "居委会主任", "任职起始年月": "2021-03", "离任年月": "2026-03", "连续任满届数": 1,
                  "任满年数": 5})
    p.row.update(changes)
    return p


def refreshed(tmp_path, living_people=(), one_off_people=(), **book):
    path = write_book(tmp_path / "book.xlsx", list(living_people) or [living("垫底人", seed=99)],
                      list(one_off_people) or [one_off("垫底人", seed=98)], **book)
    report = service.refresh(path, Q2)
    return path, report, read_payment_sheet(path, "季度发放"), read_payment_sheet(path, "一次性补助发放")


def sub(tmp_path, name: str):
    """A second workbook in the same test."""
    folder = tmp_path / name
    folder.mkdir()
    return folder


def names(rows) -> list[str]:
    return [r["姓名"] for r in rows]


def reason_of(sheet, name: str) -> str:
    return next(held_reason(h) for h in sheet.held if h["姓名"] == name)


def issues(report, code: str) -> list:
    return [i for i in report.analysis.issues if i.code == code]


# ---------------------------------------------------------------- one-off: typed 届数 / 年数 against the dates
def test_one_off_terms_and_years_typed_beyond_the_dates_are_held_not_paid(tmp_path):
    two_terms = one_off("赵二届", 11, 连续任满届数=2)  # 2021-03 to 2026-03 is one term: 11,000, never 22,000
    ten_years = one_off("钱十年", 12, 任职起始年月="2019-03", 连续任满届数=1, 任满年数=10)  # the dates give 7
    fine = one_off("孙正常", 13)
    _, report, _, o = refreshed(tmp_path, one_off_people=[two_terms, ten_years, fine])
    assert names(o.paid) == ["孙正常"] and o.total == 11000
    assert 22000 not in [r["补助金额"] for r in o.paid] and 21000 not in [r["补助金额"] for r in o.paid]
    terms = reason_of(o, "赵二届")
    assert f"{column_letter(ONE_OFF_SHEET, '连续任满届数')}2" in terms and "填2届" in terms and "应为1届" in terms
    years = reason_of(o, "钱十年")
    assert f"{column_letter(ONE_OFF_SHEET, '任满年数')}3" in years and "填10年" in years and "应为7年" in years
    assert {i.severity for i in issues(report, "tenure-terms-mismatch") + issues(report, "tenure-years-mismatch")} \
        == {"error"}
    # the roster's computed columns stay empty for a held row (no amount shown as if it were approved)
    grid = sheet_grid(tmp_path / "book.xlsx", ONE_OFF_SHEET)
    amount = grid[0].index("补助金额")
    assert [row[amount] for row in grid[1:4]] == [None, None, 11000]


# ---------------------------------------------------------------- living: 月补贴标准 against 参数
def test_a_standard_outside_the_approved_range_is_held(tmp_path):
    typo = living("周六千", 3, 月补贴标准=6000)  # 600 with one 0 too many
    _, report, q, _ = refreshed(tmp_path, living_people=[typo, living("吴六百", 4, 月补贴标准=600)])
    assert names(q.paid) == ["吴六百"] and q.total == 1800
    reason = reason_of(q, "周六千")
    assert f"{column_letter(LIVING_SHEET, '月补贴标准')}2" in reason and "6000" in reason and "300—1500" in reason
    assert held_amount(next(h for h in q.held if h["姓名"] == "周六千")) == 18000  # shown apart, as typed
    # the approved range is data: widened on 参数, the same roster pays 18,000
    _, _, q, _ = refreshed(sub(tmp_path, "wide"),
                           living_people=[living("周六千", 3, 月补贴标准=6000)],
                           params={"生活补贴月标准上限": 6000})
    assert names(q.paid) == ["周六千"] and q.total == 18000


# ---------------------------------------------------------------- errors that were reported yet paid
def test_an_account_stored_as_a_number_or_a_gender_against_the_id_holds_the_payment(tmp_path):
    account = living("郑账号", 5)
    account.row["银行账号"] = int(account.row["银行账号"])  # an Excel number: its last digits are lost
    gender = living("冯性别", 6)
    gender.row["性别"] = "女" if gender.row["性别"] == "男" else "男"
    _, report, q, _ = refreshed(tmp_path, living_people=[account, gender, living("陈正常", 7)])
    assert names(q.paid) == ["陈正常"] and q.total == sum(r["本季金额"] for r in q.paid)
    assert all(r["银行账号"] for r in q.paid)  # nobody paid to an empty account
    assert f"{column_letter(LIVING_SHEET, '银行账号')}2" in reason_of(q, "郑账号")
    assert f"{column_letter(LIVING_SHEET, '性别')}3" in reason_of(q, "冯性别")


def test_the_export_says_truly_who_was_left_out(tmp_path, capsys):
    bad = living("褚有误", 8, 月补贴标准=6600)
    path, _, q, o = refreshed(tmp_path, living_people=[bad, living("卫正常", 9)])
    out = tmp_path / "out"
    code = cli.main(["export", str(path), "--quarter", "2026Q2", "-o", str(out), "--no-pdf", "-q"])
    printed = capsys.readouterr().out
    assert code == 1
    assert "暂缓发放 1 人（生活补贴 1 人、一次性补助 0 人）" in printed  # the sheets hold exactly that
    assert len(q.held) == 1 and len(o.held) == 0 and names(q.paid) == ["卫正常"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["totals"]
    assert manifest["living"]["held"] == 1 and manifest["living"]["paid"] == 1
    assert "暂缓发放 1 人" in (out / "提交清单.txt").read_text(encoding="utf-8")


# ---------------------------------------------------------------- living: 年限 / 届数 against the dates
def test_living_years_typed_below_the_dates_name_both_values_and_hold(tmp_path):
    # dates 1985-03 to 1998-03 give 13 years; 连续任职年限 typed 5 (届数 4 typed right)
    five = living("蒋五年", 10, 任职起始年月="1985-03", 离任年月="1998-03", 连续任职年限=5, 累计任职年限=13,
                  连续任职届数=4, 累计任职届数=4)
    _, report, q, _ = refreshed(tmp_path, living_people=[five, living("沈正常", 11)])
    assert "蒋五年" not in names(q.paid)
    reason = reason_of(q, "蒋五年")
    assert f"{column_letter(LIVING_SHEET, '连续任职年限')}2" in reason and "填5年" in reason and "应为13年" in reason
    assert "任职年限不足" not in reason  # not a wrong verdict of ineligibility
    # 届数 against the dates too (three-year terms before the schedule on 参数)
    terms = living("韩七届", 12, 任职起始年月="1985-03", 离任年月="1997-03", 连续任职年限=12, 累计任职年限=12,
                   连续任职届数=7, 累计任职届数=7)
    _, _, q, _ = refreshed(sub(tmp_path, "t"), living_people=[terms])
    reason = reason_of(q, "韩七届")
    assert "填7届" in reason and "应为4届" in reason and q.paid == []


# ---------------------------------------------------------------- error values are never empty
def test_error_values_in_stop_cells_are_issues_at_their_cell_and_hold(tmp_path):
    ref = living("杨引用", 13, 停发年月="2026-04", 停发原因="#REF!")
    na = living("朱查找", 14, 停发年月="#N/A", 停发原因="死亡")
    path, report, q, _ = refreshed(tmp_path, living_people=[ref, na, living("秦正常", 15)])
    assert names(q.paid) == ["秦正常"]
    found = {(i.cell, i.value) for i in issues(report, "cell-error-value")}
    assert (f"{column_letter(LIVING_SHEET, '停发原因')}2", "#REF!") in found
    assert (f"{column_letter(LIVING_SHEET, '停发年月')}3", "#N/A") in found
    assert "#REF!" in reason_of(q, "杨引用") and "#N/A" in reason_of(q, "朱查找")
    # the reader gives the error's text, as Excel shows it, never an empty cell
    grid = read_book(path).grid(LIVING_SHEET)
    assert grid[1][grid[0].index("停发原因")] == "#REF!"


# ---------------------------------------------------------------- 参数 that would make the tool choose
@pytest.mark.parametrize("book, said", [
    ({"rates": [("正职", 2500)]}, "出现两次"),  # a second 正职 row
    ({"params": {"换届时间容差": "三个月"}}, "换届时间容差"),  # an unreadable value
])
def test_an_ambiguous_or_unreadable_parameter_stops_every_payment_row(tmp_path, book, said):
    path, report, q, o = refreshed(tmp_path, [living("尤正常", 16)], [one_off("许正常", 17)], **book)
    assert q.paid == o.paid == [] and q.total is None and o.total is None
    for sheet in (q, o):
        text = "".join(sheet.texts)
        assert "参数表有错误，本次不生成发放名单" in text and said in text
    assert report.analysis.stops and all(i.severity == "error" for i in report.analysis.stops)
    assert report.summary().startswith("参数表有错误，未生成发放名单")
    grid = sheet_grid(path, ONE_OFF_SHEET)
    assert grid[1][grid[0].index("补助金额")] is None  # no amount from a rate the tool would have to pick


def test_a_term_schedule_out_of_order_stops_every_payment_row_and_says_so(tmp_path):
    """Its message says what happened: nothing paid, never "sorted and used"."""
    import openpyxl

    from subsidy_xl.schema import PARAM_BLOCKS, PARAM_HEADER_ROW, PARAMS_SHEET

    path = write_book(tmp_path / "book.xlsx", [living("尤正常", 16)], [one_off("许正常", 17)])
    wb = openpyxl.load_workbook(path)
    ws = wb[PARAMS_SHEET]
    col = next(b for b in PARAM_BLOCKS if b.key == "term_schedule").first_col + 2  # 换届年月, 1-based
    first, second = ws.cell(PARAM_HEADER_ROW + 1, col), ws.cell(PARAM_HEADER_ROW + 2, col)
    first.value, second.value = second.value, first.value
    wb.save(path)
    report = service.refresh(path, Q2)
    q, o = read_payment_sheet(path, "季度发放"), read_payment_sheet(path, "一次性补助发放")
    assert q.paid == o.paid == []
    (order,) = issues(report, "param-schedule-order")
    assert order.severity == "error" and "本次不生成发放名单" in order.message and "已自动排序" not in order.message
    assert order in report.analysis.stops


def test_a_missing_rate_on_params_stops_every_payment_row(tmp_path):
    import openpyxl

    path = write_book(tmp_path / "book.xlsx", [living("何正常", 18)], [one_off("吕正常", 19)])
    wb = openpyxl.load_workbook(path)
    ws = wb["参数"]
    col = [c.value for c in ws[2]].index("职务类别") + 1
    row = next(r for r in range(3, 20) if ws.cell(r, col).value == "监委会主任")
    ws.cell(row, col).value = ws.cell(row, col + 1).value = None
    wb.save(path)
    report = service.refresh(path, Q2)
    assert [i.code for i in report.analysis.stops] == ["param-rate-missing"]
    assert read_payment_sheet(path, "一次性补助发放").paid == []


# ---------------------------------------------------------------- one rule for terms and years
def test_the_tolerance_counts_a_term_and_its_years_alike(tmp_path):
    typed = one_off("施容差", 20, 离任年月="2026-01", 连续任满届数=1, 任满年数=5)
    derived = one_off("张推算", 21, 离任年月="2026-01", 连续任满届数=None, 任满年数=None)
    _, report, _, o = refreshed(tmp_path, one_off_people=[typed, derived])
    assert {r["姓名"]: r["补助金额"] for r in o.paid} == {"施容差": 11000, "张推算": 11000}  # 2200 × 5 × 1
    assert not issues(report, "tenure-years-mismatch")


# ---------------------------------------------------------------- reasons name the real cause
def test_reasons_name_the_real_cause(tmp_path):
    post = one_off("孔付主任", 22, 离任时职务="居委会付主任")
    month = living("曹月份", 23, 起发年月=2013.1)
    _, _, q, o = refreshed(tmp_path, [month], [post])
    assert "职务无法识别" in reason_of(o, "孔付主任") and "不符合条件" not in reason_of(o, "孔付主任")
    reason = reason_of(q, "曹月份")
    assert "起发年月无法识别（2013.1 可能是1月或10月）" in reason and "信息不全" not in reason


def test_held_people_without_a_computable_amount_are_counted_apart_in_the_sheet_and_the_summary(tmp_path):
    """A post the tool cannot read gives no amount: the held total leaves it out and both texts say so."""
    post = one_off("孔付主任", 22, 离任时职务="居委会付主任")
    typed = one_off("赵二届", 11, 连续任满届数=2)  # held with an amount: 11,000 as typed (2 terms: 2200×5×2)
    _, report, _, o = refreshed(tmp_path, one_off_people=[post, typed, one_off("孙正常", 13)])
    assert sorted(names(o.held)) == ["孔付主任", "赵二届"]
    amounts = {h["姓名"]: held_amount(h) for h in o.held}
    assert amounts["孔付主任"] is None and amounts["赵二届"] == 22000
    assert any(t.startswith("暂缓发放人员（2人，按所填数值测算22,000元，另1人无法测算") for t in o.texts)
    assert "一次性补助实发 1人 11,000元（暂缓 2人 22,000元，其中1人无法测算）" in report.summary()


# ---------------------------------------------------------------- names as typed
def test_names_print_exactly_as_the_roster_holds_them(tmp_path):
    compat = living("\uf900明", 24)  # CJK compatibility ideograph U+F900: NFKC would rewrite it
    _, report, q, _ = refreshed(tmp_path, living_people=[compat])
    assert names(q.paid) == ["\uf900明"]
    info = issues(report, "text-unusual-char")
    assert len(info) == 1 and info[0].severity == "info" and "U+F900" in info[0].message


# ---------------------------------------------------------------- staff may confirm a typed value
def test_a_typed_value_confirmed_in_the_remark_is_paid_as_typed_and_recorded(tmp_path):
    confirmed = one_off("严核实", 25, 连续任满届数=2, 备注="已核实：王科长")  # 2 terms typed, dates give 1
    unnamed = one_off("华未署名", 26, 连续任满届数=2, 备注="已核实")
    _, report, _, o = refreshed(tmp_path, one_off_people=[confirmed, unnamed], params={"核实标记（写在备注中）": "已核实"})
    assert {r["姓名"]: r["补助金额"] for r in o.paid} == {"严核实": 2200 * 5 * 2}
    recorded = issues(report, "tenure-terms-mismatch-verified")
    assert len(recorded) == 1 and recorded[0].severity == "warning" and "王科长" in recorded[0].message
    assert "写明核实人" in reason_of(o, "华未署名")
    # by default (no 核实标记 on 参数) the same remark changes nothing: held
    _, _, _, o = refreshed(sub(tmp_path, "d"),
                           one_off_people=[one_off("严核实", 25, 连续任满届数=2, 备注="已核实：王科长")])
    assert o.paid == [] and len(o.held) == 1


# ---------------------------------------------------------------- 资金安排: 应发, 暂缓, 实发
def test_budget_sheet_shows_due_held_and_paid_that_agree_with_the_payment_sheet(tmp_path):
    path, _, _, o = refreshed(tmp_path, one_off_people=[one_off("金正常", 27), one_off("魏暂缓", 28, 连续任满届数=2)])
    grid = sheet_grid(path, "资金安排")
    header = next(r for r in grid if r and r[0] == "项目")
    row = dict(zip(header, next(r for r in grid if r and r[0] == "一次性补助")))
    assert row["实发金额（元）"] == o.total == 11000 and row["实发人数"] == 1
    assert row["暂缓人数"] == 1 and row["暂缓金额（元）"] == 22000  # as typed (2 terms), shown apart
    assert row["应发金额（元）"] == 33000 and row["应发人数"] == 2
    assert row["差额（实发−预算）"] == 11000 - 2_000_000


def test_a_missing_roster_column_holds_every_row_with_that_reason(tmp_path):
    import openpyxl

    path = write_book(tmp_path / "book.xlsx", [living("柏甲", 29), living("水乙", 30)], [one_off("窦丙", 31)])
    wb = openpyxl.load_workbook(path)
    ws = wb[LIVING_SHEET]
    ws.delete_cols([c.value for c in ws[1]].index("起发年月") + 1)
    wb.save(path)
    service.refresh(path, Q2)
    q = read_payment_sheet(path, "季度发放")
    assert q.paid == [] and len(q.held) == 2
    assert all("缺少“起发年月”列" in held_reason(h) for h in q.held)  # the cause, not 信息不全
    assert names(read_payment_sheet(path, "一次性补助发放").paid) == ["窦丙"]  # the other roster is not affected


def test_nothing_due_lists_the_rules_own_reason(tmp_path):
    short = one_off("鲁不足", 32, 任职起始年月="2023-06", 连续任满届数=0, 任满年数=2)  # less than one full term
    _, _, _, o = refreshed(tmp_path, one_off_people=[short, one_off("韦正常", 33)])
    assert names(o.paid) == ["韦正常"] and o.held == []
    assert [r["未发放原因"] for r in o.not_due] == ["连续任满不足1届，不享受一次性补助"]


def test_error_text_from_the_live_door_is_reported_in_every_kind_of_column():
    """xlwings reads an error cell as its text (err_to_str): the roster reader reports it whatever the column."""
    from subsidy_xl.params import default_params
    from subsidy_xl.rosters import FieldContext, read_roster
    from subsidy_xl.schema import LIVING

    headers = list(LIVING.headers)
    row = [1, "龙城街道", "示范社区", "李建国", "男", "#N/A", None, "#VALUE!", "1998-03", "#DIV/0!", 12, 4, 4, "#REF!",
           "2019-01", None, "#NAME?", "#N/A", None, None, None]
    assert len(row) == len(headers)
    roster = read_roster([headers, row], LIVING, FieldContext.of(default_params()))
    found = {i.cell: i.value for i in roster.issues if i.code == "cell-error-value"}
    letters = {h: column_letter(LIVING_SHEET, h) for h in headers}
    assert found == {f"{letters[h]}2": v for h, v in (("身份证号", "#N/A"), ("任职起始年月", "#VALUE!"),
                                                      ("连续任职年限", "#DIV/0!"), ("月补贴标准", "#REF!"),
                                                      ("停发原因", "#NAME?"), ("银行账号", "#N/A"))}
    assert all(roster.records[0].values[k] is None for k in ("standard", "tenure_start", "stop_reason"))


def test_error_values_on_project_info_are_issues_at_their_cell():
    from subsidy_xl.checks.project_info import check_project_info
    from subsidy_xl.params import default_params

    found = check_project_info({"staff_actual": "#N/A", "fully_funded": 5}, {"staff_actual": "B9", "fully_funded": "B10"},
                               default_params())
    assert [(i.code, i.cell, i.value, i.severity) for i in found] == [("cell-error-value", "B9", "#N/A", "error")]


def test_warnings_never_change_an_amount(tmp_path):
    both = living("喻两项", 34, 备注="长" * 250)  # a remark too long: a warning
    again = one_off("喻两项", 35)
    again.row["身份证号"], again.row["性别"] = both.row["身份证号"], both.row["性别"]  # in both rosters: a warning
    path, report, q, o = refreshed(tmp_path, [both], [again])
    warned = {i.code for i in report.analysis.issues if i.severity == "warning"}
    assert {"person-in-both-rosters", "text-too-long"} <= warned
    assert [r["本季金额"] for r in q.paid] == [both.row["月补贴标准"] * 3]
    assert [r["补助金额"] for r in o.paid] == [11000] and q.held == o.held == []
