"""Issue 13, crashes: a value far away in a sheet, one bad street form among good ones, more issues than a
sheet has rows.

The far-cell tests run the real command in a child process with an address-space limit (so that the
behaviour these tests guard against, a dense grid of hundreds of GB, ends as a quick failed allocation
rather than swapping the machine) and read the child's peak memory (ru_maxrss) from the child itself: a
generous resource bound, not a timing."""
from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from stdnum.cn import ric

from reliability_support import network_forbidden, returned_form, run_cli  # noqa: F401 - autouse guard
from subsidy_xl import issues as issues_module
from subsidy_xl.io.reader import read_book
from subsidy_xl.schema import CHANGES_SHEET, ISSUES_SHEET, LIVING, ONE_OFF

ADDRESS_SPACE = 6 << 30  # bytes: the child may map this much at most (calamine's dense grid would need far more)
PEAK_MB = 400  # the child's peak resident memory must stay below this

_CHILD = """
import json, resource, sys
from subsidy_xl.cli import main
code = main(sys.argv[1:])
sys.stdout.flush()
print("\\nPEAK_KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
sys.exit(code)
"""


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def _child(*args: object) -> tuple[int, str, str, float]:
    """subsidy-xl in a child process: (exit code, stdout, stderr, peak MB)."""
    done = subprocess.run([sys.executable, "-c", _CHILD, *map(str, args)], capture_output=True, text=True,
                          preexec_fn=_limited, timeout=600)
    peak = [line for line in done.stderr.splitlines() if line.startswith("PEAK_KB")]
    assert peak, (done.returncode, done.stderr[-3000:])
    return done.returncode, done.stdout, done.stderr, int(peak[-1].split()[1]) / 1024


def _with_cell(book: Path, out: Path, sheet: str, ref: str, value: object) -> Path:
    wb = openpyxl.load_workbook(book)
    wb[sheet][ref] = value
    wb.save(out)
    return out


FAR_ID = "530114195002301232"


def _new_person(n: int) -> dict[str, object]:
    body = f"5301141950032{n:03d}1"
    return {"身份证号": body + ric.calc_check_digit(body + "0"), "姓名": f"新人{n}"}


def test_a_value_at_the_last_cell_of_a_roster_is_reported_and_never_read_into_a_grid(demo_book, tmp_path):
    book = _with_cell(demo_book, tmp_path / "far.xlsx", LIVING.name, "XFD1048576", FAR_ID)
    assert book.stat().st_size < 100_000  # a small file
    code, out, err, peak = _child("check", book, "--format", "json")
    assert code in (0, 1), err[-2000:]
    assert "Traceback" not in err and "panicked" not in err
    assert peak < PEAK_MB, peak
    far = [i for i in json.loads(out) if i["cell"] == "XFD1048576"]
    assert len(far) == 1 and far[0]["sheet"] == LIVING.name and far[0]["code"] == "cell-far-from-data"
    assert far[0]["value"] == "530114********1232"  # an ID there is masked like every other
    # the roster itself still reads: the same people as without the stray value
    code0, out0, _err, _peak = _child("check", demo_book, "--format", "json")
    assert sorted(map(json.dumps, json.loads(out0))) == sorted(json.dumps(i) for i in json.loads(out) if i not in far)


def test_a_value_at_a1048576_keeps_refresh_of_a_small_book_small(demo_book, tmp_path):
    book = _with_cell(demo_book, tmp_path / "far.xlsx", ONE_OFF.name, "A1048576", "误输入")
    out = tmp_path / "out.xlsx"
    code, stdout, err, peak = _child("refresh", book, "-o", out, "-q")
    assert code in (0, 1), err[-2000:]
    assert peak < PEAK_MB, peak
    result = read_book(out)
    listed = [r for r in result.grid(ISSUES_SHEET) if r[3] == "A1048576"]
    assert listed and listed[0][2] == ONE_OFF.name and listed[0][4] == "误输入"
    # the stray cell is left where it was; the tool wrote no row for it
    wb = openpyxl.load_workbook(out, read_only=True)
    assert wb[ONE_OFF.name]["A1048576"].value == "误输入"
    assert wb[ONE_OFF.name]["O1048576"].value is None


def test_far_cells_beyond_the_columns_are_set_apart_and_the_rest_of_their_row_kept(demo_book, tmp_path):
    """A stray cell on a person's own row, far to the right: that row still reads, the cell is listed."""
    book = _with_cell(demo_book, tmp_path / "far.xlsx", LIVING.name, "XFA5", "x")
    data = read_book(book)
    plain = read_book(demo_book)
    assert data.grid(LIVING.name) == plain.grid(LIVING.name)
    assert [(s.cell, s.value) for s in data.scans[LIVING.name].stray] == [("XFA5", "x")]


def test_one_far_flung_street_form_does_not_stop_the_others(demo_book, tmp_path):
    book = tmp_path / "book.xlsx"
    shutil.copyfile(demo_book, book)
    book.chmod(0o644)
    forms = tmp_path / "forms"
    forms.mkdir()
    good, _id = returned_form(book, forms, "吴家营街道", {"联系电话": "13900000001"}, _new_person(1))
    bad, _id2 = returned_form(book, forms, "洛龙街道", {"联系电话": "13900000002"}, _new_person(2))
    _with_cell(bad, bad, LIVING.name, "XFD1048576", "x")
    code, out, err, peak = _child("import-streets", book, good, bad, "-q")
    assert code in (0, 1), err[-2000:]
    assert peak < PEAK_MB, peak
    grid = read_book(book).grid(LIVING.name)
    phones = {row[19] for row in grid}
    assert {"13900000001", "13900000002"} <= phones  # both forms' changes merged
    changes = read_book(book).grid(CHANGES_SHEET)
    assert any({"cell-far-from-data", "XFD1048576"} <= set(r) and any("洛龙街道.xlsx" in str(v) for v in r)
               for r in changes)  # the import's problems (whatever columns the block spreads them over)


def test_a_form_that_makes_the_reader_fail_is_reported_and_the_others_imported(demo_book, tmp_path, monkeypatch):
    """Any failure reading one form (here an error made to happen while it is read) leaves the others."""
    from subsidy_xl.streets import usecases

    book = tmp_path / "book.xlsx"
    shutil.copyfile(demo_book, book)
    book.chmod(0o644)
    forms = tmp_path / "forms"
    forms.mkdir()
    good, _id = returned_form(book, forms, "吴家营街道", {"联系电话": "13900000001"}, _new_person(1))
    bad, _id2 = returned_form(book, forms, "洛龙街道", {"联系电话": "13900000002"}, _new_person(2))
    real = usecases.read_form

    def failing(src, path, params):
        if Path(path).name == bad.name:
            raise MemoryError("cannot allocate")
        return real(src, path, params)

    monkeypatch.setattr(usecases, "read_form", failing)
    run = run_cli("import-streets", book, good, bad, "-q")
    assert run.code == 1, run.text
    assert "Traceback" not in run.text
    assert "13900000001" in {row[19] for row in read_book(book).grid(LIVING.name)}
    changes = read_book(book).grid(CHANGES_SHEET)
    assert any("form-unreadable" in r and any("洛龙街道.xlsx" in str(v) for v in r) for r in changes)


# ------------------------------------------------------------------------------------------ the issue cap

def test_more_issues_than_the_sheet_holds_are_capped_with_a_summary(demo_book, tmp_path, monkeypatch):
    """The cap is tied to the sheet's row limit (issues.MAX_LISTED); a small one stands in for 1,048,575."""
    full = run_cli("check", demo_book, "--format", "json")
    all_issues = json.loads(full.out)
    cap = 5
    assert len(all_issues) > cap + 3
    monkeypatch.setattr(issues_module, "MAX_LISTED", cap)
    out = tmp_path / "out.xlsx"
    run = run_cli("refresh", demo_book, "-o", out, "--quarter", "2026Q2", "-q")
    assert run.code == 1, run.text
    left_out = len(all_issues) - cap
    assert f"问题清单只列出前{cap}条，其余{left_out}条未列出" in run.out
    rows = read_book(out).grid(ISSUES_SHEET)
    body = [r for r in rows[1:] if r and r[0]]
    assert len(body) == cap + 1  # the first ``cap`` issues and one summary row
    assert body[-1][0] == "issues-left-out"
    assert f"其余{left_out}条未列出" in body[-1][5]
    # errors come first, so what is left out is the least severe
    severities = [i["severity"] for i in all_issues]
    assert [r[1] for r in body[:cap]] == [{"error": "错误", "warning": "警告", "info": "提示"}[s]
                                          for s in severities[:cap]]


def test_the_real_cap_fills_the_sheet_with_the_header_and_the_summary_row():
    assert issues_module.MAX_LISTED + 2 == 1_048_576  # Excel's last row


def test_the_readme_states_the_limits_the_code_has():
    from subsidy_xl.streets.changes import HISTORY_IMPORTS

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert f"（{issues_module.MAX_LISTED:,} 条）" in readme
    assert f"以前各次（最近{HISTORY_IMPORTS}次）保留在下面" in readme


def test_many_far_cells_are_listed_up_to_a_limit_and_counted_after_it(demo_book, tmp_path):
    from subsidy_xl.checks.workbook import STRAY_SHOWN

    wb = openpyxl.load_workbook(demo_book)
    ws = wb[LIVING.name]
    for col in range(1, STRAY_SHOWN + 6):
        ws.cell(1_048_576, col, f"误{col}")
    book = tmp_path / "far.xlsx"
    wb.save(book)
    run = run_cli("check", book, "--format", "json")
    far = [i for i in json.loads(run.out) if i["code"] == "cell-far-from-data"]
    assert len(far) == STRAY_SHOWN + 1
    assert [i["value"] for i in far[:STRAY_SHOWN]] == [f"误{c}" for c in range(1, STRAY_SHOWN + 1)]
    assert far[-1]["message"].startswith("另有5个远离表中数据的单元格未逐一列出")


def test_a_far_cell_and_an_impossible_date_in_one_sheet_are_both_reported(demo_book, tmp_path):
    """The reader's two fallbacks together: the date-as-text copy is made from the sheet without its far
    cell (else calamine would build the huge grid there)."""
    wb = openpyxl.load_workbook(demo_book)
    ws = wb[LIVING.name]
    cell = ws.cell(2, LIVING.headers.index("起发年月") + 1, -1e308)
    cell.number_format = "yyyy-mm"
    ws["XFD1048576"] = "x"
    book = tmp_path / "both.xlsx"
    wb.save(book)
    code, out, err, peak = _child("check", book, "--format", "json")
    assert code in (0, 1), err[-2000:]
    assert peak < PEAK_MB, peak
    cells = {(i["cell"], i["code"]) for i in json.loads(out)}
    assert ("XFD1048576", "cell-far-from-data") in cells
    assert (f"{chr(65 + LIVING.headers.index('起发年月'))}2", "month-invalid") in cells
