"""Street forms out and back in: the demo workbook, real .xlsx forms edited the way a 街道 edits them."""
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from reliability_support import NEW_ID
from subsidy_xl import cli, service
from subsidy_xl.analysis import analyse
from subsidy_xl.months import Quarter
from subsidy_xl.schema import CHANGES_COLUMNS, CHANGES_SHEET, LIVING, ONE_OFF
from subsidy_xl.streets.form import BASELINE_SHEET, FORM_HEADER_ROW, LISTS_SHEET, form_columns

STREET, OTHER = "吴家营街道", "雨花街道"


@pytest.fixture
def book(demo_book, tmp_path):
    path = tmp_path / "book.xlsx"
    shutil.copyfile(demo_book, path)
    return path


@pytest.fixture(scope="module")
def form(demo_book, tmp_path_factory):
    path = tmp_path_factory.mktemp("forms") / f"{STREET}.xlsx"
    service.street_form(demo_book, STREET, path)
    return path


def _street_edit(form: Path, out: Path, edit) -> Path:
    """Edit a returned form as the 街道 would in Excel (openpyxl is fine: the form is their file)."""
    wb = openpyxl.load_workbook(form)
    edit(wb)
    wb.save(out)
    return out


def _headers(ws) -> dict[str, int]:
    return {c.value: c.column for c in ws[FORM_HEADER_ROW] if c.value}


def _sheet_parts(path: Path) -> dict[str, bytes]:
    """Sheet name -> its worksheet XML, to compare cells byte for byte."""
    with zipfile.ZipFile(path) as z:
        workbook = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        targets = dict(re.findall(r'<Relationship[^>]*Id="([^"]+)"[^>]*Target="([^"]+)"', rels))
        targets.update({k: v for v, k in re.findall(r'<Relationship[^>]*Target="([^"]+)"[^>]*Id="([^"]+)"', rels)})
        parts = {}
        for name, rid in re.findall(r'<sheet [^>]*name="([^"]+)"[^>]*r:id="([^"]+)"', workbook):
            target = targets[rid].lstrip("/")
            parts[name] = z.read(target if target.startswith("xl/") else "xl/" + target)
        return parts


def _roster_grid(path: Path, spec):
    return service.open_book(path).grid(spec.name)


def _changes(path: Path) -> list[dict]:
    grid = service.open_book(path).grid(CHANGES_SHEET)
    headers = [c.header for c in CHANGES_COLUMNS]
    assert list(grid[0][:len(headers)]) == headers
    rows = []
    for row in grid[1:]:
        if not isinstance(row[0], (int, float)):
            break
        rows.append(dict(zip(headers, row)))
    return rows


# ---------------------------------------------------------------- the form

def test_form_is_prefilled_validated_and_text_formatted(demo_book, form):
    analysis = analyse(service.open_book(demo_book))
    wb = openpyxl.load_workbook(form)
    assert wb[BASELINE_SHEET].sheet_state == "veryHidden" and wb[LISTS_SHEET].sheet_state == "hidden"
    for spec, roster in ((LIVING, analysis.living), (ONE_OFF, analysis.one_off)):
        ws = wb[spec.name]
        assert list(_headers(ws)) == [c.header for c in form_columns(spec)]
        h = _headers(ws)
        ids = [ws.cell(r, h["身份证号"]).value for r in range(FORM_HEADER_ROW + 1, ws.max_row + 1)]
        expected = [rec.raw["id"] for rec in roster.records if rec.values.get("street") == STREET]
        assert len(ids) == len(expected) >= 8
        validated = {str(dv.sqref).split(":")[0].rstrip("0123456789") for dv in ws.data_validations.dataValidation}
        for col in form_columns(spec):
            letter = openpyxl.utils.get_column_letter(h[col.header])
            if col.choices or col.kind == "id":
                assert letter in validated, col.header
            if col.kind in ("id", "account"):
                assert ws.column_dimensions[letter].number_format == "@"
                assert all(ws.cell(r, h[col.header]).number_format == "@" for r in range(4, ws.max_row + 1))
    guide = " ".join(str(c.value) for c in wb["填表说明"]["A"] if c.value)
    assert "身份证号" in guide and "文本" in guide and "停发年月" in guide


def test_unknown_street_is_refused(demo_book, tmp_path):
    code = cli.main(["street-form", str(tmp_path / "x.xlsx"), "--street", "呈贡街道", "--book", str(demo_book)])
    assert code == cli.EXIT_UNREADABLE and not (tmp_path / "x.xlsx").exists()


# ---------------------------------------------------------------- importing

def test_importing_an_unchanged_form_changes_nothing(book, form):
    before = _sheet_parts(book)
    report = service.import_streets(book, [form])
    after = _sheet_parts(book)
    for spec in (LIVING, ONE_OFF):
        assert after[spec.name] == before[spec.name], spec.name
    assert report.result.changes == [] and not report.result.patches
    assert _changes(book) == []


def test_a_changed_bank_account_shows_in_the_changes_and_lands_in_the_roster(book, form, tmp_path):
    grid = _roster_grid(book, LIVING)
    head = grid[0]
    row = next(i for i, r in enumerate(grid) if r[head.index("街道")] == STREET)
    person_id, old = grid[row][head.index("身份证号")], grid[row][head.index("银行账号")]
    new = "6228480402564890018"

    def edit(wb):
        ws = wb[LIVING.name]
        h = _headers(ws)
        r = next(r for r in range(4, ws.max_row + 1) if ws.cell(r, h["身份证号"]).value == person_id)
        ws.cell(r, h["银行账号"]).value = new

    returned = _street_edit(form, tmp_path / "returned.xlsx", edit)
    report = service.import_streets(book, [returned])
    changes = _changes(book)
    assert [(c["身份证号"], c["字段"], c["原值"], c["新值"], c["处理"]) for c in changes] == \
        [(person_id, "银行账号", old, new, "已合并")]
    assert _roster_grid(book, LIVING)[row][head.index("银行账号")] == new
    assert any(i.code == "account-changed" and new not in i.message for i in report.problems)


def test_staff_edits_after_the_form_are_not_overwritten(book, form, tmp_path):
    # The staff change a phone number in the book after sending the form; the 街道 changes the same cell.
    wb = openpyxl.load_workbook(book)
    ws = wb[LIVING.name]
    head = [c.value for c in ws[1]]
    r = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, head.index("街道") + 1).value == STREET)
    person_id = ws.cell(r, head.index("身份证号") + 1).value
    ws.cell(r, head.index("联系电话") + 1).value = "13900000001"
    ws.cell(r, head.index("备注") + 1).value = "区里核实过"
    wb.save(book)

    def edit(wb):
        ws = wb[LIVING.name]
        h = _headers(ws)
        fr = next(fr for fr in range(4, ws.max_row + 1) if ws.cell(fr, h["身份证号"]).value == person_id)
        ws.cell(fr, h["联系电话"]).value = "13700000002"  # conflicts with the staff's edit
        ws.cell(fr, h["开户行"]).value = "中国工商银行呈贡支行"  # only the 街道 changed this one

    returned = _street_edit(form, tmp_path / "returned.xlsx", edit)
    report = service.import_streets(book, [returned])
    grid = _roster_grid(book, LIVING)
    assert grid[r - 1][head.index("联系电话")] == "13900000001"
    assert grid[r - 1][head.index("备注")] == "区里核实过"  # the 街道 left it as pre-filled
    assert grid[r - 1][head.index("开户行")] == "中国工商银行呈贡支行"
    outcome = {c["字段"]: c["处理"] for c in _changes(book)}
    assert outcome == {"联系电话": "未合并", "开户行": "已合并"}
    assert any(i.code == "import-conflict" for i in report.problems)


def test_people_added_and_removed(book, form, tmp_path):
    def edit(wb):
        ws = wb[LIVING.name]
        h = _headers(ws)
        ws.delete_rows(FORM_HEADER_ROW + 2)  # the 街道 deletes a person
        r = ws.max_row + 1
        new = {"街道": STREET, "社区": "吴家营东社区", "姓名": "张新", "性别": "男", "身份证号": NEW_ID,
               "离任年月": "1998-01", "连续任职届数": 3, "月补贴标准": 660, "起发年月": "2026-04",
               "银行账号": "6228000011112222333", "备注": "=1+1"}
        for k, v in new.items():
            ws.cell(r, h[k]).value = v
            ws.cell(r, h[k]).data_type = "s" if isinstance(v, str) else "n"

    before = _roster_grid(book, LIVING)
    returned = _street_edit(form, tmp_path / "returned.xlsx", edit)
    service.import_streets(book, [returned])
    kinds = sorted((c["变动"], c["处理"]) for c in _changes(book))
    assert kinds == [("减少", "未删除"), ("新增", "已合并")]
    after = _roster_grid(book, LIVING)
    head = after[0]
    assert len(after) == len(before) + 1
    added = after[-1]
    assert added[head.index("身份证号")] == NEW_ID and added[head.index("序号")] == len(before)
    assert added[head.index("备注")] == "=1+1"  # text, not a formula
    with zipfile.ZipFile(book) as z:
        tables = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/tables/")]
        assert "<f>1+1</f>" not in _sheet_parts(book)[LIVING.name].decode()
    living_table = next(t for t in tables if f'displayName="{LIVING.table}"' in t)
    assert re.search(rf'ref="A1:[A-Z]+{len(after)}"', living_table)
    # The new person is paid from 2026-04 once refreshed.
    analysis = analyse(service.open_book(book), Quarter(2026, 2))
    person = next(p for p in analysis.living_people if p.rec.values.get("id_number") == NEW_ID)
    assert person.pay(Quarter(2026, 2), analysis.params).amount == 1980


def test_a_person_moved_between_streets(demo_book, book, form, tmp_path):
    other = tmp_path / f"{OTHER}.xlsx"
    service.street_form(demo_book, OTHER, other)
    moved = {}

    def leave(wb):
        ws = wb[LIVING.name]
        h = _headers(ws)
        r = FORM_HEADER_ROW + 1
        moved.update({k: ws.cell(r, c).value for k, c in h.items()})
        ws.delete_rows(r)

    def arrive(wb):
        ws = wb[LIVING.name]
        h = _headers(ws)
        r = ws.max_row + 1
        for k, v in {**moved, "街道": OTHER, "社区": "雨花东社区"}.items():
            if v is not None:
                ws.cell(r, h[k]).value = v

    a = _street_edit(form, tmp_path / "a.xlsx", leave)
    b = _street_edit(other, tmp_path / "b.xlsx", arrive)
    report = service.import_streets(book, [a, b])
    changes = _changes(book)
    assert {(c["字段"], c["原值"], c["新值"], c["处理"]) for c in changes} == \
        {("街道", STREET, OTHER, "已合并"), ("社区", moved["社区"], "雨花东社区", "已合并")}
    assert any(i.code == "person-moved-street" for i in report.problems)


def test_the_same_new_person_from_two_streets_is_not_imported(demo_book, book, form, tmp_path):
    other = tmp_path / f"{OTHER}.xlsx"
    service.street_form(demo_book, OTHER, other)

    def add(street):
        def edit(wb):
            ws = wb[LIVING.name]
            h = _headers(ws)
            r = ws.max_row + 1
            for k, v in {"街道": street, "社区": "某社区", "姓名": "张新", "性别": "男", "身份证号": NEW_ID}.items():
                ws.cell(r, h[k]).value = v
        return edit

    files = [_street_edit(form, tmp_path / "a.xlsx", add(STREET)), _street_edit(other, tmp_path / "b.xlsx", add(OTHER))]
    before = _sheet_parts(book)[LIVING.name]
    report = service.import_streets(book, files)
    assert _sheet_parts(book)[LIVING.name] == before
    assert [(c["变动"], c["处理"]) for c in _changes(book)] == [("重复", "未导入")] * 2
    assert any(i.code == "import-duplicate-person" and i.severity == "error" for i in report.problems)


def test_a_form_without_its_baseline_only_fills_blanks(book, form, tmp_path):
    grid = _roster_grid(book, LIVING)
    head = grid[0]
    row = next(i for i, r in enumerate(grid) if r[head.index("街道")] == STREET and not r[head.index("备注")])
    person_id = grid[row][head.index("身份证号")]

    def edit(wb):
        del wb[BASELINE_SHEET]
        ws = wb[LIVING.name]
        h = _headers(ws)
        r = next(r for r in range(4, ws.max_row + 1) if ws.cell(r, h["身份证号"]).value == person_id)
        ws.cell(r, h["备注"]).value = "街道补充"
        ws.cell(r, h["社区"]).value = "改过的社区"

    report = service.import_streets(book, [_street_edit(form, tmp_path / "r.xlsx", edit)])
    after = _roster_grid(book, LIVING)
    assert after[row][head.index("备注")] == "街道补充"
    assert after[row][head.index("社区")] == grid[row][head.index("社区")]
    assert {c["字段"]: c["处理"] for c in _changes(book)} == {"备注": "已填补空白", "社区": "未合并"}
    assert any(i.code == "form-no-baseline" for i in report.problems)


def test_a_form_with_renamed_headers_is_reported_not_imported(book, form, tmp_path):
    def edit(wb):
        for name in (LIVING.name, ONE_OFF.name):
            ws = wb[name]
            ws.cell(FORM_HEADER_ROW, _headers(ws)["身份证号"]).value = "证件号码"

    before = _sheet_parts(book)
    report = service.import_streets(book, [_street_edit(form, tmp_path / "r.xlsx", edit)])
    assert _sheet_parts(book)[LIVING.name] == before[LIVING.name]
    assert any(i.code == "form-missing-column" for i in report.problems)


def test_an_unreadable_file_is_reported_and_the_others_still_import(book, form, tmp_path):
    broken = tmp_path / "坏文件.xlsx"
    broken.write_bytes(b"not a workbook")
    report = service.import_streets(book, [broken, form])
    assert [i.code for i in report.problems if i.sheet.startswith("[坏文件.xlsx]")] == ["form-unreadable"]
    assert report.result.changes == []


def test_cli_round_trip(demo_book, book, tmp_path, capsys):
    out = tmp_path / "form.xlsx"
    assert cli.main(["street-form", str(out), "--street", STREET, "--book", str(demo_book)]) == cli.EXIT_OK
    assert cli.main(["import-streets", str(book), str(out), "-q"]) == cli.EXIT_OK
    printed = capsys.readouterr().out
    assert "新增0人" in printed and "变更0项" in printed
