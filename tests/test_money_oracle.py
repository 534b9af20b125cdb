"""No wrong money (issue 12): hypothesis writes rosters with a clerk's ordinary mistakes into real .xlsx
workbooks, the real refresh and export run on them, and the payment sheets read back from the file are checked
against an oracle written from ../shared/docs/policy.md alone (money_support.oracle_*, which imports nothing of
the project's rules):

(a) nobody whose row has an error is paid: each is listed under 暂缓发放 with the cell to fix;
(b) every paid amount equals the oracle's, and everyone the oracle pays is paid;
(c) the 合计 equals the sum of the paid rows (and of the subtotals);
(d) what the tool says (refresh summary, export manifest and 提交清单, 汇总, 资金安排) is what the sheets hold.
"""
from __future__ import annotations

import json
import os
import random
import re

from hypothesis import HealthCheck, Phase, given, settings, strategies as st

from money_support import (LIVING_MISTAKES, NAMES, ONE_OFF_MISTAKES, ONE_OFF_SHEET, LIVING_SHEET, column_letter,
                           held_amount, held_reason, living_person, one_off_person, read_payment_sheet, sheet_grid,
                           write_book)
from subsidy_xl import service
from subsidy_xl.months import Quarter

Q2 = Quarter(2026, 2)
# CI runs the same examples each time (derandomize); SUBSIDY_XL_EXAMPLES=500 explores afresh.
HUNT = os.environ.get("SUBSIDY_XL_EXAMPLES")
# Each example writes, refreshes and exports a workbook (about 2 s): CI does not shrink a failure (minutes).
SETTINGS = settings(max_examples=int(HUNT or 60), deadline=None, derandomize=not HUNT,
                    phases=tuple(Phase) if HUNT else (Phase.explicit, Phase.reuse, Phase.generate),
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

rosters = st.fixed_dictionaries({
    "living": st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(LIVING_MISTAKES)), min_size=1, max_size=6),
    "one_off": st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(ONE_OFF_MISTAKES)), min_size=1, max_size=6),
    "duplicate": st.booleans(),  # the first living person typed twice (the second row is the error)
    "second_rate": st.integers(0, 7).map(lambda n: n == 0),  # now and then a second 正职 row on 参数
})


def _people(draw: dict):
    names = iter(NAMES)
    # the position in the seed: two people are two people (their IDs differ) even with the same seed
    living = [living_person(random.Random(seed * 100 + i), next(names), mistake)
              for i, (seed, mistake) in enumerate(draw["living"])]
    one_off = [one_off_person(random.Random(seed * 100 + 50 + i), next(names), mistake)
               for i, (seed, mistake) in enumerate(draw["one_off"])]
    if draw["duplicate"]:
        first = living[0]
        twin = living_person(random.Random(draw["living"][0][0] * 100), first.name, first.mistake)  # the same row again
        if not first.error:  # else it is held by the same mistake as the first
            twin.error, twin.error_header, twin.reason_words = True, "身份证号", ("重复登记",)
        twin.mistake = "duplicate"
        living.append(twin)
    return living, one_off


FIX_CELL = re.compile(r"(?:^|；)([A-Z]{1,3})(\d+)：")  # each part of a held reason begins with its cell


def _key(entry: dict) -> tuple:
    return entry.get("姓名"), entry.get("身份证号")


@SETTINGS
@given(draw=rosters)
def test_payments_match_the_policy_oracle(tmp_path_factory, draw):
    check_draw(tmp_path_factory.mktemp("oracle"), draw)


def check_draw(folder, draw: dict) -> None:
    living, one_off = _people(draw)
    book = write_book(folder / "book.xlsx", living, one_off, rates=[("正职", 2500)] if draw["second_rate"] else [])
    report = service.refresh(book, Q2)
    q = read_payment_sheet(book, "季度发放")
    o = read_payment_sheet(book, "一次性补助发放")

    for sheet, people, amount_header in ((q, living, "本季金额"), (o, one_off, "补助金额")):
        # (c) the 合计 is the sum of the rows paid, and of the subtotals
        paid_sum = sum(r[amount_header] for r in sheet.paid)
        if draw["second_rate"]:
            # 参数 is ambiguous: no payment rows at all, and the sheet says why
            assert sheet.paid == [] and sheet.total is None
            assert any("参数表有错误" in t for t in sheet.texts) and any("出现两次" in t for t in sheet.texts)
            continue
        assert sheet.total == paid_sum == sum(sheet.subtotals)
        assert all(type(r[amount_header]) is int for r in sheet.paid)  # whole yuan, never a float
        paid = {_key(r): r[amount_header] for r in sheet.paid}
        assert len(paid) == len(sheet.paid)  # nobody paid twice
        for p in people:
            key = (p.name, p.id)
            if p.error:
                # (a) held: not paid, listed under 暂缓发放 with the cell to fix
                if p.mistake != "duplicate":  # (the first row, same name and ID, may be paid)
                    assert key not in paid, (p.mistake, key)
                roster = LIVING_SHEET if people is living else ONE_OFF_SHEET
                cell = f"{column_letter(roster, p.error_header)}{p.excel_row}"
                reasons = [held_reason(h) for h in sheet.held if h.get("姓名") == p.name]
                reason = next((r for r in reasons if re.search(rf"\b{cell}\b", r)), None)
                assert reason, (p.mistake, cell, reasons)
                for word in p.reason_words:
                    assert word in reason, (p.mistake, word, reason)
                assert "信息不全" not in reason  # the real cause, never a vague one
            elif p.expected:
                # (b) the oracle's amount, to the yuan, printed under the name exactly as typed
                assert paid.get(key) == p.expected, (p.mistake, key, paid.get(key), p.expected)
            else:  # nothing due, nothing held: no held reason is about a cell of this row
                assert key not in paid, (p.mistake, key)
                fixed = [int(row) for h in sheet.held for _col, row in FIX_CELL.findall(held_reason(h))]
                assert p.excel_row not in fixed, (p.mistake, key)
        assert len(sheet.paid) == sum(1 for p in people if not p.error and p.expected)
        assert len(sheet.held) == sum(1 for p in people if p.error)
        for h in sheet.held:
            amount = held_amount(h)
            assert amount is None or type(amount) is int  # as typed, shown apart, never in the 合计

    # (d) every statement agrees with the sheets
    q_paid, o_paid = sum(r["本季金额"] for r in q.paid), sum(r["补助金额"] for r in o.paid)
    summary = report.summary()
    m = re.search(r"生活补贴实发 (\d+)人 ([\d,]+)元（暂缓 (\d+)人", summary)
    q_held, o_held = (len(living), len(one_off)) if draw["second_rate"] else (len(q.held), len(o.held))
    assert m and (int(m[1]), int(m[2].replace(",", "")), int(m[3])) == (len(q.paid), q_paid, q_held), summary
    m = re.search(r"一次性补助实发 (\d+)人 ([\d,]+)元（暂缓 (\d+)人", summary)
    assert m and (int(m[1]), int(m[2].replace(",", "")), int(m[3])) == (len(o.paid), o_paid, o_held), summary
    if draw["second_rate"]:  # the sheets say everyone is held
        assert f"本表{len(living)}人全部暂缓发放" in "".join(q.texts)
        assert f"本表{len(one_off)}人全部暂缓发放" in "".join(o.texts)
    _check_summary_and_budget(book, q_paid, o_paid, len(o.paid), o_held)
    _check_export(book, folder, q, o, q_held, o_held, draw["second_rate"])


def _check_summary_and_budget(book, q_paid: int, o_paid: int, o_people: int, o_held: int) -> None:
    grid = sheet_grid(book, "汇总")
    header = next(r for r in grid if r and r[0] == "街道")
    total = next(r for r in grid if r and r[0] == "合计")
    assert total[header.index("本季生活补贴")] == q_paid
    assert total[header.index("一次性补助")] == o_paid and total[header.index("一次性补助人数")] == o_people
    grid = sheet_grid(book, "资金安排")
    header = next(r for r in grid if r and r[0] == "项目")
    row = next(r for r in grid if r and r[0] == "一次性补助")
    col = {h: i for i, h in enumerate(header)}
    assert row[col["实发金额（元）"]] == o_paid and row[col["实发人数"]] == o_people
    assert row[col["暂缓人数"]] == o_held
    if row[col["应发金额（元）"]] is not None:  # None while 参数 has errors
        assert row[col["应发金额（元）"]] == o_paid + (row[col["暂缓金额（元）"]] or 0)


def _check_export(book, folder, q, o, q_held: int, o_held: int, stopped: bool) -> None:
    out = folder / "export"
    report = service.export_package(book, Q2, out, pdf=False)
    t = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["totals"]
    assert (t["living"]["paid"], t["living"]["amount"], t["living"]["held"]) == \
        (len(q.paid), sum(r["本季金额"] for r in q.paid), q_held)
    assert (t["one_off"]["paid"], t["one_off"]["amount"], t["one_off"]["held"]) == \
        (len(o.paid), sum(r["补助金额"] for r in o.paid), o_held)
    text = (out / "提交清单.txt").read_text(encoding="utf-8")
    if stopped:
        assert "参数表有错误，发放表未列出任何发放人员" in text
    elif q.held or o.held:
        m = re.search(r"暂缓发放 (\d+) 人（生活补贴 (\d+) 人、一次性补助 (\d+) 人）", text)
        assert m and tuple(map(int, m.groups())) == (len(q.held) + len(o.held), len(q.held), len(o.held))
    else:
        assert "没有暂缓发放的人员" in text
    assert report.summary().startswith("2026年第二季度生活补贴 ")
