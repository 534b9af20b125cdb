"""Issue 13, rows that are not people: a 合计 row with =SUM(...), an Excel table's total row
(=SUBTOTAL(109,...), totalsRowCount in the table part), a note under the roster.

The tool writes only on rows that are people, does not count the others as people nor report them as
broken people (one info issue each), and import-streets puts new people above a total row, so that the
table's total row stays its last row and the SUBTOTAL does not count itself. Books are made by openpyxl
and by xlsxwriter (each writes tables its own way); LibreOffice recalculates the results."""
from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo
from stdnum.cn import ric

from reliability_support import network_forbidden, returned_form, run_cli  # noqa: F401 - autouse guard
from subsidy_xl.io.reader import read_book
from subsidy_xl.sample import load_sample
from subsidy_xl.schema import ISSUES_SHEET, LIVING, ONE_OFF, PARAMS_SHEET
from subsidy_xl.service import template_path

ONE_OFF_AMOUNT = ONE_OFF.headers.index("补助金额")
ONE_OFF_TERMS = ONE_OFF.headers.index("连续任满届数")
LIVING_STANDARD = LIVING.headers.index("月补贴标准")
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _col(index: int) -> str:
    return _LETTERS[index]


def _issues(book: Path) -> list[list]:
    return [r for r in read_book(book).grid(ISSUES_SHEET)[1:] if r and r[0]]


def _summary_counts(run_out: str) -> str:
    return run_out.split("已刷新", 1)[-1]


def _last_person_row(ws, id_col: int) -> int:
    return max(r for r in range(2, ws.max_row + 1) if isinstance(ws.cell(r, id_col + 1).value, str)
               and len(ws.cell(r, id_col + 1).value) == 18)


# ------------------------------------------------------------------------------ a 合计 row and a note (openpyxl)

def test_refresh_leaves_a_sum_row_and_a_note_under_the_one_off_roster_as_they_are(demo_book, tmp_path):
    wb = openpyxl.load_workbook(demo_book)
    ws = wb[ONE_OFF.name]
    last = _last_person_row(ws, ONE_OFF.headers.index("身份证号"))
    total, note = last + 1, last + 3
    amount, terms = _col(ONE_OFF_AMOUNT), _col(ONE_OFF_TERMS)
    ws.cell(total, ONE_OFF.headers.index("姓名") + 1, "合  计")
    ws[f"{terms}{total}"] = f"=SUM({terms}2:{terms}{last})"
    ws[f"{amount}{total}"] = f"=SUM({amount}2:{amount}{last})"
    ws.cell(note, 1, "注：补助金额单位为元，由各街道审核后报送。")
    ws.cell(last + 2, ONE_OFF.headers.index("姓名") + 1, "=COUNTA(D2:D%d)" % last)  # a formula row without a name
    book = tmp_path / "book.xlsx"
    wb.save(book)
    plain = run_cli("refresh", demo_book, "-o", tmp_path / "plain.xlsx", "--quarter", "2026Q2", "-q")
    run = run_cli("refresh", book, "-o", tmp_path / "out.xlsx", "--quarter", "2026Q2", "-q")
    assert run.code == plain.code, run.text
    # the same people counted: the summary line (people, amounts, error and warning counts) is the same
    assert run.out.split("；问题")[0].split("\n")[-1] == plain.out.split("；问题")[0].split("\n")[-1]
    out = openpyxl.load_workbook(tmp_path / "out.xlsx")[ONE_OFF.name]
    assert out[f"{amount}{total}"].value == f"=SUM({amount}2:{amount}{last})"
    assert out[f"{terms}{total}"].value == f"=SUM({terms}2:{terms}{last})"
    assert out.cell(total, ONE_OFF.headers.index("姓名") + 1).value == "合  计"
    assert out.cell(note, 1).value == "注：补助金额单位为元，由各街道审核后报送。"
    assert out.cell(last + 2, ONE_OFF.headers.index("姓名") + 1).value == "=COUNTA(D2:D%d)" % last
    for c in ("月岗位补贴", "计发月数"):
        assert out.cell(total, ONE_OFF.headers.index(c) + 1).value is None
    # no issue about those rows but one info each
    rows = {total: "合计行", last + 2: "公式行", note: "说明行"}
    about = [r for r in _issues(tmp_path / "out.xlsx") if r[2] == ONE_OFF.name and int(r[3].lstrip(_LETTERS)) in rows]
    assert sorted((r[0], r[1], r[3]) for r in about) == sorted(
        ("roster-row-not-person", "提示", f"A{r}") for r in rows)
    for r in about:
        assert rows[int(r[3][1:])] in r[5]


# ------------------------------------------------------------------------------ Excel table total rows

def _people(kind: str, street: str, n: int) -> list[dict]:
    return [p for p in load_sample()[kind] if p["街道"] == street][:n]


def _build(engine: str, path: Path, street: str = "吴家营街道") -> tuple[Path, dict]:
    """A book with both rosters as Excel tables, each with a total row (label 合计 in 序号, SUBTOTAL(109, ...)
    over 月补贴标准 / 补助金额), written by ``engine``. Returns the path and the total rows' cells."""
    rosters = {LIVING: (_people(LIVING.name, street, 3), "月补贴标准"),
               ONE_OFF: (_people(ONE_OFF.name, street, 3), "补助金额")}
    totals = {}
    params = read_book(template_path()).grid(PARAMS_SHEET)  # the 参数 sheet's values, written by ``engine`` too
    cells = [(r, c, v) for r, row in enumerate(params) for c, v in enumerate(row) if v is not None]
    if engine == "xlsxwriter":
        wb = xlsxwriter.Workbook(str(path))
        text = wb.add_format({"num_format": "@"})
        ws = wb.add_worksheet(PARAMS_SHEET)
        for r, c, v in cells:
            ws.write(r, c, v)
        for spec, (people, summed) in rosters.items():
            ws = wb.add_worksheet(spec.name)
            rows = [[i + 1] + [p.get(h) for h in spec.headers[1:]] for i, p in enumerate(people)]
            last = len(rows) + 2
            columns = [{"header": h, "format": text} if h in ("身份证号", "银行账号") else {"header": h}
                       for h in spec.headers]
            columns[0]["total_string"] = "合计"
            columns[spec.headers.index(summed)]["total_function"] = "sum"
            ws.add_table(0, 0, last - 1, len(spec.headers) - 1,
                         {"name": spec.table, "total_row": True, "columns": columns, "data": rows})
            cell = f"{_col(spec.headers.index(summed))}{last}"
            # Excel's own form (xlsxwriter writes [col] without the table's name, which LibreOffice cannot read)
            ws.write_formula(cell, f"=SUBTOTAL(109,{spec.table}[{summed}])")
            totals[spec.name] = cell
        wb.close()
    else:
        wb = openpyxl.Workbook()
        wb.active.title = PARAMS_SHEET
        for r, c, v in cells:
            wb.active.cell(r + 1, c + 1, v)
        for spec, (people, summed) in rosters.items():
            ws = wb.create_sheet(spec.name)
            ws.append(list(spec.headers))
            for i, p in enumerate(people):
                ws.append([i + 1] + [p.get(h) for h in spec.headers[1:]])
            last = len(people) + 2
            ws.cell(last, 1, "合计")
            cell = f"{_col(spec.headers.index(summed))}{last}"
            ws[cell] = f"=SUBTOTAL(109,{spec.table}[{summed}])"
            table = Table(displayName=spec.table, ref=f"A1:{_col(len(spec.headers) - 1)}{last}", totalsRowCount=1)
            table._initialise_columns()
            for column, header in zip(table.tableColumns, spec.headers):
                column.name = header
            table.tableColumns[0].totalsRowLabel = "合计"
            table.tableColumns[spec.headers.index(summed)].totalsRowFunction = "sum"
            table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium9", showRowStripes=True)
            ws.add_table(table)
            totals[spec.name] = cell
        wb.save(path)
    return path, totals


_RECALC = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">
<value>0</value></prop></item></oor:items>
"""


def libreoffice_values(book: Path, sheet: str, work: Path) -> list[list[str]]:
    """The sheet as LibreOffice shows it after recalculating every formula on load (Err:522 = circular)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    profile = work / "lo-profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_RECALC, encoding="utf-8")
    index = openpyxl.load_workbook(book, read_only=True).sheetnames.index(sheet) + 1
    out = work / "lo-out"
    shutil.rmtree(out, ignore_errors=True)
    subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to",
                    f"csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,{index}",
                    "--outdir", str(out), str(book)], capture_output=True, timeout=180, check=True)
    (found,) = out.glob("*.csv")
    with open(found, encoding="utf-8") as f:
        return list(csv.reader(f))


def _table(book: Path, name: str) -> dict[str, str]:
    import re
    import zipfile

    with zipfile.ZipFile(book) as z:
        for part in z.namelist():
            if part.startswith("xl/tables/"):
                xml = z.read(part).decode()
                if f'name="{name}"' in xml:
                    return {"ref": re.search(r'<table\b[^>]*\sref="([^"]+)"', xml).group(1),
                            "totals": re.search(r'totalsRowCount="(\d+)"', xml).group(1),
                            "filter": re.search(r'<autoFilter\b[^>]*\sref="([^"]+)"', xml).group(1)}
    raise AssertionError(name)


@pytest.mark.parametrize("engine", ["xlsxwriter", "openpyxl"])
def test_a_table_total_row_is_left_alone_by_refresh_and_new_people_go_above_it(engine, tmp_path):
    book, totals = _build(engine, tmp_path / f"{engine}.xlsx")
    # refresh: the one-off table's SUBTOTAL stays, and LibreOffice sums the computed amounts with it
    run = run_cli("refresh", book, "--quarter", "2026Q2", "-q")
    assert run.code in (0, 1), run.text
    assert "Traceback" not in run.text
    cell = totals[ONE_OFF.name]
    ws = openpyxl.load_workbook(book)[ONE_OFF.name]
    assert ws[cell].value == f"=SUBTOTAL(109,{ONE_OFF.table}[补助金额])"
    assert ws.cell(ws[cell].row, 1).value == "合计"
    issues = _issues(book)
    total_rows = {ONE_OFF.name: ws[cell].row, LIVING.name: int(totals[LIVING.name][1:])}
    about = [r for r in issues if r[2] in total_rows and r[3] and int(r[3].lstrip(_LETTERS)) == total_rows[r[2]]]
    assert [r[0] for r in about] == ["roster-row-not-person"] * 2, about
    values = libreoffice_values(book, ONE_OFF.name, tmp_path)
    amounts = [int(r[ONE_OFF_AMOUNT]) for r in values[1:4]]
    assert all(a > 0 for a in amounts)
    assert values[4][ONE_OFF_AMOUNT] == str(sum(amounts))

    # import-streets with one new person in the living roster: above the total row, the table grown over it
    forms = tmp_path / "forms"
    forms.mkdir()
    body = "53011419500320201"
    new_id = body + ric.calc_check_digit(body + "0")
    form, _first = returned_form(book, forms, "吴家营街道", {}, {"身份证号": new_id, "姓名": "新来人", "月补贴标准": 700})
    before = _table(book, LIVING.table)
    run = run_cli("import-streets", book, form, "-q")
    assert run.code in (0, 1), run.text
    assert "Traceback" not in run.text
    ws = openpyxl.load_workbook(book)[LIVING.name]
    total_row = int(totals[LIVING.name][1:]) + 1  # moved one row down
    assert ws.cell(total_row - 1, LIVING.headers.index("身份证号") + 1).value == new_id
    assert ws.cell(total_row, 1).value == "合计"
    assert ws[f"{_col(LIVING_STANDARD)}{total_row}"].value == f"=SUBTOTAL(109,{LIVING.table}[月补贴标准])"
    after = _table(book, LIVING.table)
    last_col = _col(len(LIVING.headers) - 1)
    assert before["ref"] == f"A1:{last_col}{total_row - 1}"
    assert after == {"ref": f"A1:{last_col}{total_row}", "totals": "1", "filter": f"A1:{last_col}{total_row - 1}"}
    values = libreoffice_values(book, LIVING.name, tmp_path)
    standards = [int(r[LIVING_STANDARD]) for r in values[1:total_row - 1]]
    assert 700 in standards and len(standards) == 4
    assert values[total_row - 1][LIVING_STANDARD] == str(sum(standards))  # not Err:522 (circular)
    # and the new person is counted as a person by check, the total row is not
    run = run_cli("check", book, "--format", "json")
    assert f'"{LIVING.name}",\n  "cell": "A{total_row}"' in run.out  # its info issue moved with it


# ------------------------------------------------------------------------------ 变动情况 keeps earlier imports

def _import_on(day: str, book: Path, form: Path, monkeypatch) -> None:
    from subsidy_xl.streets import usecases

    real = usecases.changelog_entry
    monkeypatch.setattr(usecases, "changelog_entry", lambda *a: [f"{day} 09:30:00", *real(*a)[1:]])
    run = run_cli("import-streets", book, form, "-q")
    assert run.code in (0, 1) and "Traceback" not in run.text, run.text


def _changes_grid(book: Path) -> list[list]:
    from subsidy_xl.schema import CHANGES_SHEET

    return [list(r) for r in read_book(book).grid(CHANGES_SHEET)]


def test_each_import_adds_its_dated_block_and_keeps_the_earlier_ones(demo_book, tmp_path, monkeypatch):
    from subsidy_xl.streets import changes

    book = tmp_path / "book.xlsx"
    shutil.copyfile(demo_book, book)
    book.chmod(0o644)
    forms = tmp_path / "forms"
    forms.mkdir()
    first, _ = returned_form(book, forms, "吴家营街道", {"联系电话": "13900000001"}, {"身份证号": "x"})
    second, _ = returned_form(book, forms, "洛龙街道", {"联系电话": "13900000002"}, {"身份证号": "y"})
    third, _ = returned_form(book, forms, "龙城街道", {"联系电话": "13900000003"}, {"身份证号": "z"})
    _import_on("2026-03-02", book, first, monkeypatch)
    day1 = _changes_grid(book)
    _import_on("2026-03-09", book, second, monkeypatch)
    day2 = _changes_grid(book)
    text = [" ".join(map(str, r)) for r in day2]
    # the newest block on top (header in row 1, as before), the earlier one below, whole
    assert day2[0][:3] == ["序号", "来源文件", "名册"]
    assert any("13900000002" in t for t in text[:5]) and not any("13900000001" in t for t in text[:5])
    title = next(i for i, t in enumerate(text) if changes.EARLIER_TITLE in t)
    kept = [r for r in day2[title + 1:] if any(v is not None for v in r)]
    assert kept == [r for r in day1 if any(v is not None for v in r)]
    assert any(t.startswith("2026-03-02 09:30:00") for t in text[title:])
    assert any(t.startswith("2026-03-09 09:30:00") for t in text[:title])
    # the earlier block's merged summary line is still merged
    from subsidy_xl.schema import CHANGES_SHEET
    merges = read_book(book).merged(CHANGES_SHEET)
    day1_line = next(i for i, t in enumerate(text) if t.startswith("2026-03-02 09:30:00"))
    assert any(m.first_row == day1_line and m.last_col > m.first_col for m in merges)

    # bounded: with room for one earlier import, the third import keeps the second and says the first is gone
    monkeypatch.setattr(changes, "HISTORY_IMPORTS", 1)
    _import_on("2026-03-16", book, third, monkeypatch)
    text = [" ".join(map(str, r)) for r in _changes_grid(book)]
    assert any("更早的1次导入已不再保留" in t for t in text), "\n".join(text)
    assert any(t.startswith("2026-03-09 09:30:00") for t in text)
    assert not any(t.startswith("2026-03-02 09:30:00") for t in text)


def test_a_person_without_an_id_is_still_a_person_whatever_else_the_row_holds():
    """Only labels, notes and formula-only rows are set apart: a person missing the ID, with a 序号 formula
    or a 备注 beginning with 合计, is still a person (and reported as one missing the ID)."""
    from subsidy_xl.not_people import rows_not_people

    cols = {key: i for i, key in enumerate(c.key for c in LIVING.columns)}
    person = [1, "吴家营街道", "吴家营南社区", "张三", "男", None] + [None] * (len(LIVING.columns) - 6)
    person[cols["remark"]] = "合计任职3届"
    total = ["合计"] + [None] * (len(LIVING.columns) - 1)
    numbers = [None] * 13 + [2040] + [None] * (len(LIVING.columns) - 14)
    found = rows_not_people([person, total, numbers, person], 2, cols, formula_rows={2, 4, 5})
    assert found == {3: "合计行", 4: "公式行"}


def test_a_new_person_goes_above_a_sum_row_which_then_counts_them(demo_book, tmp_path):
    """A plain 合计 row (=SUM over the column) and a merged note under 生活补贴名册: the new person from a
    street form goes above them, the rows below move down with their merge, and the SUM grows over the
    new row (LibreOffice recalculates it)."""
    wb = openpyxl.load_workbook(demo_book)
    ws = wb[LIVING.name]
    last = _last_person_row(ws, LIVING.headers.index("身份证号"))
    std = _col(LIVING_STANDARD)
    ws.cell(last + 1, 1, "合计")
    ws[f"{std}{last + 1}"] = f"=SUM({std}2:{std}{last})"
    ws.cell(last + 3, 1, "注：月补贴标准单位为元。")
    ws.merge_cells(f"A{last + 3}:H{last + 3}")
    book = tmp_path / "book.xlsx"
    wb.save(book)
    forms = tmp_path / "forms"
    forms.mkdir()
    body = "53011419500320301"
    new_id = body + ric.calc_check_digit(body + "0")
    form, _first = returned_form(book, forms, "吴家营街道", {}, {"身份证号": new_id, "姓名": "新来人", "月补贴标准": 700})
    run = run_cli("import-streets", book, form, "-q")
    assert run.code in (0, 1) and "Traceback" not in run.text, run.text
    out = openpyxl.load_workbook(book)[LIVING.name]
    assert out.cell(last + 1, LIVING.headers.index("身份证号") + 1).value == new_id
    assert out.cell(last + 2, 1).value == "合计"
    assert out[f"{std}{last + 2}"].value == f"=SUM({std}2:{std}{last + 1})"
    assert out.cell(last + 4, 1).value == "注：月补贴标准单位为元。"
    assert f"A{last + 4}:H{last + 4}" in {str(r) for r in out.merged_cells.ranges}
    values = libreoffice_values(book, LIVING.name, tmp_path)
    standards = [int(r[LIVING_STANDARD]) for r in values[1:last + 1] if r[LIVING_STANDARD]]
    assert 700 in standards
    assert values[last + 1][LIVING_STANDARD] == str(sum(standards))


def test_the_ribbon_inserts_the_new_person_above_the_sum_row_too(demo_book, tmp_path):
    """The live-Excel door (xlwings remote engine): Excel's own Insert above the 合计 row, then the new
    person written into the inserted row, the table grown over it."""
    from excel_support import remote_engine
    from test_excel_macros import RecordingUi, run

    from subsidy_xl.excel import macros

    wb = openpyxl.load_workbook(demo_book)
    ws = wb[LIVING.name]
    last = _last_person_row(ws, LIVING.headers.index("身份证号"))
    ws.cell(last + 1, 1, "合计")
    ws[f"{_col(LIVING_STANDARD)}{last + 1}"] = f"=SUM({_col(LIVING_STANDARD)}2:{_col(LIVING_STANDARD)}{last})"
    book = tmp_path / "book.xlsx"
    wb.save(book)
    forms = tmp_path / "forms"
    forms.mkdir()
    body = "53011419500320501"
    new_id = body + ric.calc_check_digit(body + "0")
    form, _first = returned_form(book, forms, "吴家营街道", {}, {"身份证号": new_id, "姓名": "新来人"})
    data, actions, ui, _report = run(remote_engine(), book, macros.import_streets, RecordingUi(files=[str(form)]))
    assert not [m for m in ui.messages if m[2]], ui.messages
    living = [s["name"] for s in data["sheets"]].index(LIVING.name)
    on_living = [a for a in actions if a["sheet_position"] == living]
    inserts = [i for i, a in enumerate(on_living) if a["func"] == "rangeInsert"]
    assert len(inserts) == 1 and on_living[inserts[0]]["start_row"] == last  # 0-based: Excel row last + 1
    assert on_living[inserts[0]]["row_count"] == 1 and on_living[inserts[0]]["args"][0] == "down"
    written = [i for i, a in enumerate(on_living)
               if a["func"] == "setValues" and any(new_id in str(v) for row in a["values"] for v in row)]
    assert written and written[0] > inserts[0] and on_living[written[0]]["start_row"] == last
