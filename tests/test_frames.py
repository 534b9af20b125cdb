"""The pandas face (subsidy_xl.frames, issue 17): DataFrames of a workbook that agree with what refresh writes
and check reports, masked like the 公示 exports by default, exact money, nothing written, the same rules on
DataFrames (from_frames), and pandas imported only when a frame is built."""
from __future__ import annotations

import datetime as _dt
import io
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from subsidy_xl import frames, service
from subsidy_xl.io.reader import read_book
from subsidy_xl.months import Quarter
from subsidy_xl.sample import load_sample
from subsidy_xl.schema import (ISSUES_SHEET, LIVING, ONE_OFF, ONE_OFF_PAY_SHEET, PERFORMANCE_SHEET,
                               QUARTERLY_SHEET, SEVERITY_LABELS, param_block)
from subsidy_xl.tables.payments import HELD_AMOUNT_HEADER, HELD_REASON_HEADER, HELD_TITLE, REASON_HEADER
from subsidy_xl.template import build

REPO = Path(__file__).resolve().parents[1]
FULL_ID = re.compile(r"\d{17}[\dXx]")
LONG_DIGITS = re.compile(r"\d{12,}")  # an ID's or a bank account's digits, unmasked


# ---------------------------------------------------------------- helpers

def _copy(src: Path, dest: Path) -> Path:
    shutil.copyfile(src, dest)
    dest.chmod(stat.S_IRUSR | stat.S_IWUSR)
    return dest


@pytest.fixture(scope="module")
def refreshed(demo_book, tmp_path_factory) -> dict[Quarter, Path]:
    """The demo refreshed for 2026Q2 (the fixture) and a copy refreshed for 2026Q4, when people stop."""
    q4 = _copy(demo_book, tmp_path_factory.mktemp("frames") / "demo_q4.xlsx")
    service.refresh(q4, Quarter(2026, 4))
    return {Quarter(2026, 2): demo_book, Quarter(2026, 4): q4}


@pytest.fixture(scope="module")
def full(demo_book) -> frames.Workbook:
    return frames.open_workbook(demo_book, Quarter(2026, 2), mask=False)


@pytest.fixture(scope="module")
def masked(demo_book) -> frames.Workbook:
    return frames.open_workbook(demo_book, "2026Q2")


def _text(v: object) -> str:
    return "" if v is None else str(v)


def _payment_rows(grid) -> tuple[list[dict], dict]:
    """The people paid (rows with a 序号 above 合计) and the 合计 row, by the sheet's header (row 3)."""
    headers = grid[2]
    people, total = [], None
    for row in grid[3:]:
        cells = dict(zip(headers, row))
        if "合计" in row:
            total = cells
            break
        if isinstance(row[0], int):
            people.append(cells)
    assert total is not None, "no 合计 row"
    return people, total


def _block(grid, title_prefix: str) -> list[dict]:
    """The rows of a block under the payment table (title row, its own header row, then people)."""
    for r, row in enumerate(grid):
        if isinstance(row[0], str) and row[0].startswith(title_prefix):
            headers, out = grid[r + 1], []
            for body in grid[r + 2:]:
                if not isinstance(body[0], int):
                    break
                out.append({h: v for h, v in zip(headers, body) if h is not None})
            return out
    return []


def _money(v: object) -> Decimal:
    """An amount read back from a sheet (int, or the float a fen amount is stored as) exactly."""
    return Decimal(repr(v)) if isinstance(v, float) else Decimal(v)


def _col(frame: pd.DataFrame, name: str) -> list:
    """A column as Python values (Int64 gives int), None for a missing one."""
    return [None if v is pd.NA or v is pd.NaT or v is None else v for v in frame[name].tolist()]


def _all_frames(wb: frames.Workbook) -> dict[str, pd.DataFrame]:
    return {"living": wb.living, "one_off": wb.one_off, "payments": wb.payments(),
            "one_off_payments": wb.one_off_payments(), "issues": wb.issues(), "indicators": wb.indicators()}


def _cells(frame: pd.DataFrame) -> list[str]:
    return [str(v) for col in frame.columns for v in frame[col].tolist()] + [str(c) for c in frame.columns]


# ---------------------------------------------------------------- pandas only when a frame is built

def _imported_pandas(importtime_stderr: str) -> bool:
    return any(line.rsplit("|", 1)[-1].strip().split(".")[0] == "pandas" for line in importtime_stderr.splitlines()
               if line.startswith("import time:"))


def test_import_and_help_do_not_import_pandas(demo_book):
    probe = ("import sys, subsidy_xl, subsidy_xl.frames, subsidy_xl.cli, subsidy_xl.analysis\n"
             "print(sorted(m for m in sys.modules if m.split('.')[0] == 'pandas'))")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"
    help_run = subprocess.run([sys.executable, "-X", "importtime", "-m", "subsidy_xl.cli", "--help"],
                              capture_output=True, text=True, encoding="utf-8", timeout=120, cwd=REPO)
    assert help_run.returncode == 0 and "subsidy-xl" in help_run.stdout
    assert "import time:" in help_run.stderr  # the probe works ...
    assert not _imported_pandas(help_run.stderr)
    in_process = ("import sys\nfrom subsidy_xl.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
                  "print('pandas' in sys.modules, 'subsidy_xl.cli' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", in_process], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert run.stdout.split()[-2:] == ["False", "True"], run.stderr
    # ... and sees pandas once a frame is asked for.
    frame_run = subprocess.run([sys.executable, "-X", "importtime", "-c",
                                f"from subsidy_xl import frames; frames.open_workbook({str(demo_book)!r}).issues()"],
                               capture_output=True, text=True, encoding="utf-8", timeout=120, cwd=REPO)
    assert frame_run.returncode == 0, frame_run.stderr[-2000:]
    assert _imported_pandas(frame_run.stderr)


# ---------------------------------------------------------------- nothing written

def test_opening_and_every_frame_write_nothing(demo_book, tmp_path):
    book = _copy(demo_book, tmp_path / "工作簿.xlsx")  # writable: a write would not be refused by the mode
    before, listing = (book.read_bytes(), os.stat(book).st_mtime_ns), sorted(os.listdir(tmp_path))
    for mask in (True, False):
        wb = frames.open_workbook(book, mask=mask)
        frames_built = _all_frames(wb)
        assert all(len(f) for name, f in frames_built.items() if name != "issues")
        assert wb.budget["living_total"] > 0
    assert (book.read_bytes(), os.stat(book).st_mtime_ns) == before
    assert sorted(os.listdir(tmp_path)) == listing  # no backup, lock or temporary file either


# ---------------------------------------------------------------- the frames agree with refresh

@pytest.mark.parametrize("quarter", [Quarter(2026, 2), Quarter(2026, 4)], ids=str)
def test_payments_agree_with_the_quarterly_sheet(full, refreshed, quarter):
    grid = read_book(refreshed[quarter]).grid(QUARTERLY_SHEET)
    people, total = _payment_rows(grid)
    pay = full.payments(quarter)
    paid = pay[pay.status == frames.PAID]
    assert _money(total["本季金额"]) == Decimal(int(paid.paid.sum())) > 0
    assert Counter((p["姓名"], p["身份证号"], p["本季月数"], _money(p["本季金额"])) for p in people) == \
        Counter(zip(paid.name, paid.id, _col(paid, "months"), map(Decimal, _col(paid, "paid"))))
    held = pay[pay.status == frames.HELD_STATUS]
    block = _block(grid, HELD_TITLE)
    assert len(held) == len(block) > 0
    assert Counter((b["姓名"], b[HELD_REASON_HEADER], b[HELD_AMOUNT_HEADER]) for b in block) == \
        Counter(zip(held.name, held.reason, _col(held, "due")))
    assert all(re.match(r"[A-Z]+\d+：", reason) for reason in held.reason)  # each error with its cell
    assert (held.paid == 0).all() and all(cells in reason for cells, reason in zip(held.cells, held.reason))
    not_due = pay[pay.status == frames.NOT_DUE]
    unpaid = _block(grid, "本季未发放人员")
    assert Counter((b["姓名"], b[REASON_HEADER]) for b in unpaid) == Counter(zip(not_due.name, not_due.reason))
    if quarter == Quarter(2026, 4):
        assert len(not_due) > 0  # the quarter was chosen for people who are no longer due
    # The roster frame's own figures say the same.
    living = full.living if quarter == full.quarter else None
    if living is not None:
        assert int(living.quarter_amount.sum()) == int(paid.paid.sum())
        assert sorted(living.loc[living.held, "row"]) == sorted(held.row)


def test_one_off_payments_agree_with_the_one_off_sheet(full, demo_book):
    grid = read_book(demo_book).grid(ONE_OFF_PAY_SHEET)
    people, total = _payment_rows(grid)
    pay = full.one_off_payments()
    paid = pay[pay.status == frames.PAID]
    assert _money(total["补助金额"]) == Decimal(int(paid.paid.sum())) > 0
    assert Counter((p["姓名"], p["身份证号"], p["职务类别"], p["计发月数"], _money(p["补助金额"]), p["计算依据"])
                   for p in people) == \
        Counter(zip(paid.name, paid.id, paid.category, _col(paid, "months"), map(Decimal, _col(paid, "paid")),
                    paid.basis))
    held = pay[pay.status == frames.HELD_STATUS]
    block = _block(grid, HELD_TITLE)
    assert len(block) == len(held) > 0
    assert Counter((b["姓名"], b[HELD_REASON_HEADER]) for b in block) == Counter(zip(held.name, held.reason))
    not_due = pay[pay.status == frames.NOT_DUE]
    unpaid = _block(grid, "不予发放人员")
    assert len(unpaid) == len(not_due) > 0
    assert Counter((b["姓名"], b[REASON_HEADER]) for b in unpaid) == Counter(zip(not_due.name, not_due.reason))
    # The roster frame: the amount refresh writes into 补助金额 on every row not held.
    roster = read_book(demo_book).grid(ONE_OFF.name)
    header = roster[0]
    one_off = full.one_off
    cols = [header.index(h) for h in ("月岗位补贴", "计发月数", "补助金额")]
    figures = zip(_col(one_off, "rate"), _col(one_off, "months"), _col(one_off, "amount"))
    for row, computed, held_row in zip(_col(one_off, "row"), figures, one_off.held):
        written = tuple(roster[row - 1][c] for c in cols)
        assert written == ((None,) * 3 if held_row else computed), row
    assert 0 in _col(one_off, "amount")  # people not eligible: 0 written, as the frame says


def test_issues_equal_check_json_and_the_issue_sheet(masked, demo_book):
    run = subprocess.run([sys.executable, "-m", "subsidy_xl.cli", "check", str(demo_book), "--format", "json"],
                         capture_output=True, text=True, encoding="utf-8", timeout=300, cwd=REPO)
    listed = json.loads(run.stdout)
    issues = masked.issues()
    assert list(issues.columns) == ["code", "severity", "sheet", "cell", "value", "message", "basis"]
    assert issues.to_dict("records") == listed and len(listed) > 0
    sheet = read_book(demo_book).grid(ISSUES_SHEET)
    assert [[_text(v) for v in row[:7]] for row in sheet[1:]] == \
        [[i["code"], SEVERITY_LABELS[i["severity"]], i["sheet"], i["cell"], i["value"], i["message"], i["basis"]]
         for i in listed]


def test_budget_is_what_refresh_computes(full, masked, demo_book, tmp_path):
    report = service.refresh(_copy(demo_book, tmp_path / "b.xlsx"), Quarter(2026, 2))
    assert full.budget == masked.figures == report.figures
    assert int(full.living.year_amount.sum()) == report.figures["living_total"]
    assert int(full.one_off_payments().paid.sum()) == report.figures["one_off_total"] == report.one_off_figures["total"]
    assert int(full.payments().paid.sum()) == report.quarter_figures["total"]


def test_indicators_are_the_rows_of_the_performance_sheet(masked, demo_book):
    grid = read_book(demo_book).grid(PERFORMANCE_SHEET)
    header = next(r for r, row in enumerate(grid) if "三级指标" in row)
    name_col, target_col = grid[header].index("三级指标"), grid[header].index("指标值")
    end = next((r for r, row in enumerate(grid) if row[0] == "绩效自评"), len(grid))  # the self-evaluation block
    expected = [(r + 1, grid[r][name_col], grid[r][target_col]) for r in range(header + 1, end)
                if grid[r][name_col] not in (None, "")]
    ind = masked.indicators()
    assert list(zip(ind.row, ind.name, ind.target)) == expected and len(expected) > 5
    assert set(ind.level1) <= {"产出指标", "效益指标", "满意度指标"} and "" not in set(ind.level1)


# ---------------------------------------------------------------- masking

def test_no_full_id_or_account_in_any_masked_frame(masked, full, demo_book):
    book = read_book(demo_book)
    secrets = set()
    for spec in (LIVING, ONE_OFF):
        grid = book.grid(spec.name)
        for header in ("身份证号", "银行账号", "联系电话"):
            if header not in grid[0]:
                continue  # 一次性补助名册 has no 联系电话
            c = grid[0].index(header)
            secrets |= {str(row[c]) for row in grid[1:] if isinstance(row[c], str) and len(row[c]) >= 11}
    assert len(secrets) > 300
    cells = [cell for frame in _all_frames(masked).values() for cell in _cells(frame)]
    assert not [c for c in cells if FULL_ID.search(c) or LONG_DIGITS.search(c)]
    assert not [s for s in secrets if any(s in c for c in cells)]
    for frame in (masked.living, masked.one_off, masked.payments(), masked.one_off_payments()):
        assert not frames.PRIVATE_COLUMNS & set(frame.columns)
        assert all(re.fullmatch(r"\d{6}\*{8}[\dX]{4}", i) for i in frame.id if isinstance(i, str))
    # mask=False is what it says: the same scan finds every ID, account and phone number.
    unmasked = {cell for frame in _all_frames(full).values() for cell in _cells(frame)}
    assert secrets <= unmasked
    assert {"account", "bank", "phone", "birth"} <= set(full.living.columns)


def test_an_id_or_account_typed_into_another_column_is_masked(full):
    living = full.living
    an_id, account = living.id.iloc[1], living.account.iloc[2]
    living.loc[0, "name"] = f"张三{an_id}"
    living.loc[3, "remark"] = f"原账号 {account} 已销户"
    for mask in (True, False):
        wb = frames.Workbook(frames.from_frames(living, full.one_off, params=full, project_info=full), mask=mask)
        cells = [cell for frame in _all_frames(wb).values() for cell in _cells(frame)]
        found = any(an_id in c for c in cells), any(account in c for c in cells)
        assert found == ((False, False) if mask else (True, True))
        assert "id-like-text" in set(wb.issues().code)  # the rules see the name as typed all the same


# ---------------------------------------------------------------- exact money

def _no_float_anywhere(frame: pd.DataFrame) -> None:
    """No float in any column but ``id``, which holds an ID stored as a number as it was read (a float
    that lost its last digits: issue id-stored-as-number holds that row)."""
    for col in frame.columns.drop("id", errors="ignore"):
        assert not pd.api.types.is_float_dtype(frame[col].dtype), col
        assert not any(type(v) is float for v in frame[col].tolist() if not pd.isna(v)), col


def test_whole_yuan_is_int64_and_nothing_is_float(full):
    for name, frame in _all_frames(full).items():
        _no_float_anywhere(frame)
    floats = full.one_off[[type(i) is float for i in full.one_off.id]]
    assert list(floats.row) == [int(c[1:]) for c in full.issues().query("code == 'id-stored-as-number'").cell]
    assert floats.held.all()
    for frame, cols in ((full.living, ("standard", "quarter_amount", "year_amount")),
                        (full.one_off, ("rate", "amount")), (full.payments(), ("standard", "paid", "due")),
                        (full.one_off_payments(), ("rate", "paid", "due"))):
        for col in cols:
            assert str(frame[col].dtype) == "Int64", col


def test_fen_stay_exact_from_a_real_file_to_the_frame_and_the_sheet(tmp_path):
    data = load_sample()
    people = data[LIVING.name]
    people[0]["月补贴标准"], people[1]["月补贴标准"] = 660.5, 700.25
    book = build(tmp_path / "分.xlsx", data)
    wb = frames.open_workbook(book, "2026Q2", mask=False)
    pay = wb.payments()
    assert pay.paid.dtype == object and pay.standard.dtype == object
    assert all(type(v) is Decimal for v in pay.paid)  # every amount of the column, whole ones too
    first, second = pay.set_index("row").loc[[2, 3]].itertuples()
    assert (first.standard, first.paid) == (Decimal("660.5"), Decimal("1981.5"))
    assert (second.standard, second.paid) == (Decimal("700.25"), Decimal("2100.75"))
    assert wb.living.standard.tolist()[:3] == [Decimal("660.5"), Decimal("700.25"), Decimal(people[2]["月补贴标准"])]
    assert wb.living.year_amount.tolist()[:2] == [7926, 8403]  # 12 months: whole yuan again, still exact
    _no_float_anywhere(pay)
    _no_float_anywhere(wb.living)
    report = service.refresh(book, Quarter(2026, 2))
    _people, total = _payment_rows(read_book(book).grid(QUARTERLY_SHEET))
    assert sum(pay.paid) == _money(total["本季金额"]) == report.quarter_figures["total"]
    assert sum(wb.living.year_amount) == wb.budget["living_total"] == report.figures["living_total"]


# ---------------------------------------------------------------- the same rules on DataFrames

def test_from_frames_of_the_workbook_gives_the_same_everything(full):
    src = frames.from_frames(full.living, full.one_off, params=full, project_info=full, performance=full)
    again = frames.Workbook(src, full.quarter, mask=False)
    assert again.budget == full.budget
    assert again.issues().equals(full.issues())  # the same cells: people keep their Excel rows
    for name in ("living", "one_off"):
        pd.testing.assert_frame_equal(getattr(again, name), getattr(full, name))
    pd.testing.assert_frame_equal(again.payments(), full.payments())
    pd.testing.assert_frame_equal(again.one_off_payments(), full.one_off_payments())


def test_from_frames_reads_pandas_own_read_of_the_sheets(full, demo_book):
    living = pd.read_excel(demo_book, sheet_name=LIVING.name, engine="openpyxl", dtype={"身份证号": str, "银行账号": str})
    one_off = pd.read_excel(demo_book, sheet_name=ONE_OFF.name, engine="openpyxl",
                            dtype={"身份证号": str, "银行账号": str})
    theirs = frames.Workbook(frames.from_frames(living, one_off, params=full, project_info=full), "2026Q2")
    assert theirs.budget == full.budget
    assert int(theirs.payments().paid.sum()) == int(full.payments().paid.sum())
    assert sorted(theirs.payments().query("status == 'held'").row) == \
        sorted(full.payments().query("status == 'held'").row)
    # Without a 参数 sheet the shipped defaults apply (the demo's are the defaults).
    assert frames.Workbook(frames.from_frames(living, one_off)).budget == full.budget


def test_an_error_on_the_params_holds_everyone_as_refresh_does(full):
    grid = frames.default_params_grid()
    rates = param_block("rates")
    grid[2][rates.first_col + 1] = "两千"  # the first 月岗位补贴: no number
    wb = frames.Workbook(frames.from_frames(full.living, full.one_off, params=grid), "2026Q2")
    assert wb.budget["stopped"] and wb.analysis.stops
    for pay in (wb.payments(), wb.one_off_payments()):
        assert set(pay.status) == {frames.HELD_STATUS} and int(pay.paid.sum()) == 0
        assert pay.due.isna().all()  # no figure from a parameter the tool would have to choose
        assert all(cells and reason.startswith(cells.split(", ")[0] + "：")
                   for reason, cells in zip(pay.reason, pay.cells))
    assert "param-invalid" in set(wb.issues().code)


def test_quarter_names(full, demo_book):
    assert frames.open_workbook(demo_book, "2026q4").quarter == Quarter(2026, 4)
    assert full.payments("2026Q4").equals(full.payments(Quarter(2026, 4)))
    with pytest.raises(ValueError, match="季度格式"):
        frames.open_workbook(demo_book, "2026年二季度")


# ---------------------------------------------------------------- what the README says

def _readme_part() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    start = text.index("- DataFrames for analysts")
    return text[start:text.index("\n- ", start + 1)]


def test_the_readme_example_runs_and_says_what_is_true(demo_book, tmp_path, monkeypatch):
    part = _readme_part()
    code = "\n".join(line[2:] for line in part.split("```python\n", 1)[1].split("```", 1)[0].splitlines())
    _copy(demo_book, tmp_path / "补贴.xlsx")
    monkeypatch.chdir(tmp_path)
    names: dict = {}
    exec(compile(code, "README.md", "exec"), names)
    _people, total = _payment_rows(read_book(demo_book).grid(QUARTERLY_SHEET))
    assert names["paid"] == total["本季金额"]
    assert list(names["held"].columns) == ["row", "name", "due", "reason"] and len(names["held"]) == 2
    held = names["held"]
    assert all(re.match(rf"[A-Z]+{row}：", reason) for row, reason in zip(_col(held, "row"), held.reason))
    assert names["wb"].budget["living_total"] == names["wb"].figures["living_total"] > 0
    # Every name the README lists exists.
    listed = set(re.findall(r"`([a-z_]+)(?:\(|`)", part))
    workbook_names = listed - {"open_workbook", "from_frames", "mask", "status", "paid", "due", "reason", "cells",
                               "row", "frames", "analyse"}
    assert {"living", "one_off", "payments", "one_off_payments", "issues", "indicators", "budget", "figures",
            "analysis"} <= workbook_names
    assert all(hasattr(names["wb"], n) for n in workbook_names), workbook_names
    assert callable(frames.open_workbook) and callable(frames.from_frames)
    assert {"row", "status", "paid", "due", "reason", "cells"} <= set(names["wb"].payments().columns)


# ---------------------------------------------------------------- the two doors on what clerks type

# Cells as clerks type them (and as pandas may hold them): each replaces the sample's cell of that header.
# (No dates: the template writer stores a date in a roster's text column as its serial number, which is what the
# file then holds; dates held by pandas are the next test's.)
LIVING_TYPED = {
    "起发年月": ["2019-01", "2019.01", "2019年1月", 201901, 2019.1, "2019/13", "#N/A", None, " 2019-01 ",
             "２０１９－０１", 43480],
    "月补贴标准": [680, 660.5, 700.25, "680元", "六百", -5, 6800, None, "#REF!", "1,000", 680.0],
    "性别": ["男", "女", "Ｍ", None],
    "身份证号": ["530114193911108710", 5.30114193911108e17, "53011419391110871", None, " 530114193911108719 ",
             "530114193913108719"],
    "停发年月": [None, "2026-05", "2026-13", "2026年5月"],
    "停发原因": [None, "死亡", "迁出", "#REF!", "户口迁出"],
    "连续任职届数": [5, "5", 2.5, None, 1],
    "连续任职年限": [15, 15.5, "十五", None],
    "离任年月": ["1987年7月", "2001-06", None, "1987-07-31"],
    "银行账号": ["6228002978753477876", "6228-0029-7875-3477-876", "abc", None],
    "姓名": ["张三", "\uf900三", "  李四 ", None, "张三530114193911108719"],
    "备注": ["已核实：王五", "原账号6228002978753477876", None],
}
ONE_OFF_TYPED = {
    "离任时职务": ["党总支书记", "书计", "居委会副主任", None, "社区党总支书记兼居委会主任"],
    "职务类别": [None, "正职", "副职", "一肩挑", "主任"],
    "连续任满届数": [1, 2, "1", None, 0],
    "任满年数": [5, 10, 4.5, None, "#N/A"],
    "任职起始年月": ["2021-03", "2016-03", "2021-08", None],
}


def _typed_rows(data, rows: list[dict], typed: dict) -> list[dict]:
    out = []
    for base in rows:
        row = dict(base)
        for header, choices in typed.items():
            if data.draw(st.booleans(), label=f"edit {header}") and data.draw(st.integers(0, 3)) == 0:
                row[header] = data.draw(st.sampled_from(choices), label=header)
        out.append(row)
    return out


@settings(max_examples=int(os.environ.get("SUBSIDY_XL_EXAMPLES") or 8), deadline=None,
          derandomize=not os.environ.get("SUBSIDY_XL_EXAMPLES"),
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_dataframe_and_a_workbook_of_the_same_cells_give_the_same_results(tmp_path_factory, data):
    sample = load_sample()
    living = _typed_rows(data, data.draw(st.lists(st.sampled_from(sample[LIVING.name]), min_size=1, max_size=6)),
                         LIVING_TYPED)
    one_off = _typed_rows(data, data.draw(st.lists(st.sampled_from(sample[ONE_OFF.name]), min_size=0, max_size=4)),
                          ONE_OFF_TYPED)
    book = build(tmp_path_factory.mktemp("doors") / "book.xlsx",
                 {LIVING.name: living, ONE_OFF.name: one_off, "项目信息": sample["项目信息"]})
    from_file = frames.open_workbook(book, "2026Q2", mask=False)
    # The same cells as pandas holds them (the template numbers 序号 itself); 参数 left to the defaults.
    frame = {name: pd.DataFrame([{"序号": i, **row} for i, row in enumerate(rows, 1)], columns=["序号", *spec.headers[1:]])
             for name, rows, spec in ((LIVING.name, living, LIVING), (ONE_OFF.name, one_off, ONE_OFF))}
    from_pandas = frames.Workbook(frames.from_frames(frame[LIVING.name], frame[ONE_OFF.name], project_info=from_file,
                                                     performance=from_file), "2026Q2", mask=False)
    assert from_pandas.issues().to_dict("records") == from_file.issues().to_dict("records")
    assert from_pandas.budget == from_file.budget
    for name in ("living", "one_off"):
        pd.testing.assert_frame_equal(getattr(from_pandas, name), getattr(from_file, name))
    pd.testing.assert_frame_equal(from_pandas.payments(), from_file.payments())
    pd.testing.assert_frame_equal(from_pandas.one_off_payments(), from_file.one_off_payments())


def test_numbers_pandas_holds_exactly_are_read_as_their_digits(full):
    """read_csv gives accounts and phone numbers as int64: every digit is there, unlike a number cell; and
    months as datetime64 (to_datetime) or datetime.date objects read as the months they are."""
    csv = pd.read_csv(io.StringIO(full.living.to_csv(index=False)))
    assert csv.account.dtype == "int64" and csv.phone.dtype == "int64"
    csv["pay_start"] = pd.to_datetime(csv.pay_start)
    csv["left_office"] = [_dt.date(int(t[:4]), int(t[5:7]), 28) for t in csv.left_office]
    assert csv.pay_start.dtype.kind == "M"
    again = frames.Workbook(frames.from_frames(csv, full.one_off, params=full, project_info=full, performance=full),
                            full.quarter, mask=False)
    assert again.issues().to_dict("records") == full.issues().to_dict("records")
    assert again.budget == full.budget
    assert _col(again.living, "account") == _col(full.living, "account")
