"""Issue 2's promises for the headless door: the demo, refresh and check."""
import json
import shutil
import subprocess
import zipfile

import pytest
from reliability_support import grids as sheets

from subsidy_xl.cli import main
from subsidy_xl.io.safe_save import backups_of
from subsidy_xl.months import Quarter
from subsidy_xl.schema import (BUDGET_SHEET, CHANGELOG_SHEET, ISSUES_SHEET, LIVING, ONE_OFF, OWNED_SHEETS,
                               PERFORMANCE_SHEET)
from subsidy_xl.service import refresh

Q2 = Quarter(2026, 2)


def issues_of(grid):
    header = grid[0]
    return [dict(zip(header, row)) for row in grid[1:] if any(row)]


def test_demo_lists_each_deliberate_defect_at_its_cell(demo_book):
    found = {(i["代码"], i["工作表"], i["单元格"]) for i in issues_of(sheets(demo_book)[ISSUES_SHEET])}
    living = sheets(demo_book)[LIVING.name]
    one_off = sheets(demo_book)[ONE_OFF.name]
    id_col = LIVING.headers.index("身份证号")
    remark = LIVING.headers.index("备注")

    def row_with(grid, col, text):
        return next(r + 1 for r, row in enumerate(grid) if text in str(row[col]))

    check_row = row_with(living, remark, "校验位")
    twin_row = row_with(living, remark, "两个街道")
    letter = chr(65 + id_col)
    assert ("id-check-digit", LIVING.name, f"{letter}{check_row}") in found
    assert ("person-two-streets", LIVING.name, f"{letter}{twin_row}") in found
    o_remark = ONE_OFF.headers.index("备注")
    number_row = row_with(one_off, o_remark, "数字格式")
    post_row = row_with(one_off, o_remark, "职务无法识别")
    assert ("id-stored-as-number", ONE_OFF.name, f"F{number_row}") in found
    assert ("role-unknown", ONE_OFF.name, f"G{post_row}") in found


def test_budget_sheet_shows_the_seed_budget_beside_the_computed_figure(demo_book):
    grid = sheets(demo_book)[BUDGET_SHEET]
    header_row = next(r for r in grid if r[0] == "项目")
    living = next(r for r in grid if r[0] == "生活补贴")
    cols = {h: i for i, h in enumerate(header_row)}
    assert living[cols["预算金额（元）"]] == 84 * 660 * 12 == 665280
    computed = living[cols["实发金额（元）"]]
    assert computed and computed != 665280  # one recipient stops in May; one ID is wrong; one is a duplicate
    assert living[cols["差额（实发−预算）"]] == computed - 665280
    # 应发 = 实发 + 暂缓: the wrong ID's row is held (its amount shown apart), the duplicate cannot be computed
    assert living[cols["暂缓人数"]] == 2 and living[cols["暂缓金额（元）"]] > 0
    assert living[cols["应发金额（元）"]] == computed + living[cols["暂缓金额（元）"]]
    assert living[cols["应发人数"]] == living[cols["实发人数"]] + 2


def test_one_off_computed_columns_follow_the_rule(demo_book):
    grid = sheets(demo_book)[ONE_OFF.name]
    h = {name: i for i, name in enumerate(grid[0])}
    rates = {"一肩挑": 2400, "正职": 2200, "副职": 2100, "监委会主任": 2100}
    checked = 0
    for row in grid[1:]:
        if row[h["补助金额"]] in ("", None):
            continue
        assert row[h["月岗位补贴"]] in rates.values()
        per_year = 2 if row[h["连续任满届数"]] >= 2 else 1 if row[h["连续任满届数"]] >= 1 else 0
        assert row[h["计发月数"]] == row[h["任满年数"]] * per_year
        assert row[h["补助金额"]] == row[h["月岗位补贴"]] * row[h["计发月数"]]
        checked += 1
    assert checked >= 95


def test_libreoffice_opens_and_converts_the_demo(demo_book, tmp_path):
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice missing (CI installs it)")
    out = tmp_path / "out"
    run = subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                          "--convert-to", "ods", "--outdir", str(out), str(demo_book)],
                         capture_output=True, text=True, timeout=180)
    ods = out / "demo.ods"
    assert ods.exists(), run.stderr
    assert "Error" not in run.stderr
    content = zipfile.ZipFile(ods).read("content.xml").decode()
    assert "665280" in content and "问题清单" in content


def _copy(src, tmp_path, name):
    dst = tmp_path / name
    shutil.copyfile(src, dst)
    return dst


def test_refresh_twice_gives_the_same_content_and_never_changes_input(demo_book, tmp_path):
    book = _copy(demo_book, tmp_path, "b.xlsx")
    before = sheets(book)
    refresh(book, Q2)
    once = sheets(book)
    refresh(book, Q2)
    twice = sheets(book)
    owned = set(OWNED_SHEETS)
    for name in before:
        if name in owned or name == CHANGELOG_SHEET:
            continue
        if name == ONE_OFF.name:
            computed = {ONE_OFF.headers.index(h) for h in ("月岗位补贴", "计发月数", "补助金额")}
            strip = lambda g: [[v for c, v in enumerate(r) if c not in computed] for r in g]  # noqa: E731
            assert strip(once[name]) == strip(before[name]), name
        elif name != PERFORMANCE_SHEET:
            assert once[name] == before[name], name
    for name in once:
        if name != CHANGELOG_SHEET:
            assert once[name] == twice[name], name
    log = twice[CHANGELOG_SHEET]
    assert len([r for r in log if any(r)]) == len([r for r in once[CHANGELOG_SHEET] if any(r)]) + 1
    assert len(backups_of(tmp_path / "b.xlsx")) == 2  # one dated backup per refresh


def test_refresh_to_another_file_leaves_the_original(demo_book, tmp_path):
    book = _copy(demo_book, tmp_path, "c.xlsx")
    original = book.read_bytes()
    assert main(["refresh", str(book), "--quarter", "2026Q1", "-o", str(tmp_path / "out.xlsx"), "-q"]) == 1
    assert book.read_bytes() == original
    title = sheets(tmp_path / "out.xlsx")["季度发放"][0][0]
    assert "2026年第一季度" in title


def test_check_json_and_exit_codes(demo_book, capsys, tmp_path):
    assert main(["check", str(demo_book), "--format", "json"]) == 1
    issues = json.loads(capsys.readouterr().out)
    assert issues and set(issues[0]) == {"code", "severity", "sheet", "cell", "value", "message", "basis"}
    assert {i["severity"] for i in issues} <= {"error", "warning", "info"}
    garbage = tmp_path / "x.xlsx"
    garbage.write_text("not a workbook")
    assert main(["check", str(garbage)]) == 2
    assert "错误" in capsys.readouterr().err
    assert main(["check", str(tmp_path / "missing.xlsx")]) == 2


def test_new_workbook_checks_clean(tmp_path, capsys):
    book = tmp_path / "new.xlsx"
    assert main(["new", str(book)]) == 0
    assert main(["check", str(book), "--format", "json"]) == 0
    issues = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert not [i for i in issues if i["severity"] == "error"]
    assert main(["new", str(book)]) == 2  # never overwrites
