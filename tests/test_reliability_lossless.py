"""Nothing lost: a workbook carrying everything staff add (chart, image, comments, conditional formatting,
data validation, defined names, hyperlink, extra and hidden sheets, column widths, a VBA project in the .xlsm)
comes out of refresh, fill-performance and import-streets with every part outside the sheets the command
writes byte-identical, and every cell of those sheets that is not the tool's unchanged."""
from __future__ import annotations

import posixpath
import random
import re
import shutil
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest

from reliability_support import (ONE_OFF_USER_COL, PERFORMANCE_NOTE, TOOL_SHEETS, USER_SHEET, changed_cells,
                                 changed_parts, column_of, grids, names_of, network_forbidden, outside_sheet_data,
                                 parts_of, returned_form, rich_workbook, row_of, run_cli, sheet_parts, without_layout,
                                 without_print_names)
from subsidy_xl.idcard import check_id
from subsidy_xl.io.safe_save import backups_of
from subsidy_xl.performance.layout import HEADER_FIRST_ROW, HEADER_ITEMS, INDICATOR_HEADER_ROW, INDICATOR_HEADERS
from subsidy_xl.sample import make_id
from subsidy_xl.schema import (CHANGELOG_SHEET, CHANGES_SHEET, ISSUES_SHEET, LIVING, ONE_OFF, OWNED_SHEETS,
                               PERFORMANCE_SHEET, PROJECT_INFO_SHEET)

assert network_forbidden  # autouse: no test or fixture here may open a socket

STREET = "龙城街道"
NEW_PERSON = "新增核对"
NEW_PHONE = "13900001111"
NEW_ID = make_id(random.Random(2026), 1950, male=True)  # valid: the added person is no ID defect
VARIANTS = ("xlsx", "xlsm")


@pytest.fixture(scope="module")
def originals(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("rich")
    return {"xlsx": rich_workbook(folder / "rich.xlsx"),
            "xlsm": rich_workbook(folder / "rich_macro.xlsx", macro=True)}


def run_in_place(original: Path, folder: Path, *command: str) -> Path:
    """The command on a copy of ``original``, written in place (with its backup)."""
    book = folder / original.name
    shutil.copyfile(original, book)
    run = run_cli(command[0], book, *command[1:], "-q")
    assert run.code in (0, 1) and "已" in run.out, run.text
    assert backups_of(book)[-1].read_bytes() == original.read_bytes()
    return book


@pytest.fixture(scope="module")
def forms(originals, tmp_path_factory) -> dict[str, tuple[Path, str]]:
    forms = {variant: returned_form(original, tmp_path_factory.mktemp(variant), STREET, {"联系电话": NEW_PHONE},
                                    {"姓名": NEW_PERSON, "身份证号": NEW_ID})
             for variant, original in originals.items()}
    # The added person is no ID defect (an invalid check digit once made it one without anyone noticing).
    assert check_id(NEW_ID).code is None
    for form, _person in forms.values():
        rows = [r for r in openpyxl.load_workbook(form)[LIVING.name].iter_rows(values_only=True) if NEW_PERSON in r]
        assert len(rows) == 1 and NEW_ID in rows[0]
    return forms


@pytest.fixture(scope="module")
def results(originals, forms, tmp_path_factory) -> dict[tuple[str, str], Path]:
    out = {}
    for variant, original in originals.items():
        out["refresh", variant] = run_in_place(original, tmp_path_factory.mktemp("refresh"), "refresh", "--quarter",
                                               "2026Q2")
        out["fill-performance", variant] = run_in_place(original, tmp_path_factory.mktemp("fill"), "fill-performance")
        out["import-streets", variant] = run_in_place(original, tmp_path_factory.mktemp("import"), "import-streets",
                                                      str(forms[variant][0]))
    return out


# The sheets each command writes: every other part must come out byte-identical.
WRITES = {
    "refresh": set(OWNED_SHEETS) - {CHANGES_SHEET} | {ONE_OFF.name},
    "fill-performance": {PERFORMANCE_SHEET, PROJECT_INFO_SHEET, ISSUES_SHEET, CHANGELOG_SHEET},
    "import-streets": {LIVING.name, CHANGES_SHEET, CHANGELOG_SHEET},
}
COMMANDS = sorted(WRITES)


def _columns(sheet_part: bytes):
    """The <col> elements of a sheet (min, max, width), one per column they cover."""
    from types import SimpleNamespace
    out = []
    for tag in re.findall(rb"<col\b[^>]*>", sheet_part):
        attrs = dict(re.findall(rb'(\w+)="([^"]*)"', tag))
        for col in range(int(attrs[b"min"]), int(attrs[b"max"]) + 1):
            out.append(SimpleNamespace(min=col, width=float(attrs[b"width"])))
    return out


def _table_parts(book: Path, sheet: str) -> set[str]:
    """The table parts a sheet's relationships name (an import may only move their ranges)."""
    part = sheet_parts(book)[sheet]
    rels = parts_of(book)[posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")]
    return {posixpath.normpath(posixpath.join(posixpath.dirname(part), rel.get("Target"))).lstrip("/")
            for rel in ElementTree.fromstring(rels) if rel.get("Type").endswith("/table")}


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("command", COMMANDS)
def test_every_part_outside_the_written_sheets_is_byte_identical(originals, results, command, variant):
    original, result = originals[variant], results[command, variant]
    assert names_of(result) == names_of(original)  # no part lost, added or reordered
    parts = sheet_parts(original)
    written = {parts[name] for name in WRITES[command]}
    tables = _table_parts(original, LIVING.name) if command == "import-streets" else set()
    changed = changed_parts(original, result)
    if "xl/workbook.xml" in changed:  # only the print titles and areas of the sheets it rewrites (issue 15)
        order = [name for name in sheet_parts(original)]
        owned = {order.index(name) for name in WRITES[command] & set(OWNED_SHEETS) if name in order}
        before_book, after_book = (parts_of(book)["xl/workbook.xml"] for book in (original, result))
        assert without_print_names(after_book, owned) == without_print_names(before_book, owned)
        changed.discard("xl/workbook.xml")
    assert changed - tables <= written, sorted(changed - written)
    assert {parts[name] for name in (ISSUES_SHEET, CHANGELOG_SHEET) if name in WRITES[command]} <= changed
    before, after = parts_of(original), parts_of(result)
    for part in tables & changed:  # a grown roster: only the table's ranges move
        assert re.sub(rb'ref="[^"]*"', b"", after[part]) == re.sub(rb'ref="[^"]*"', b"", before[part])
    if variant == "xlsm":
        assert after["xl/vbaProject.bin"] == before["xl/vbaProject.bin"]
        assert b"macroEnabled.main+xml" in after["[Content_Types].xml"]


@pytest.mark.parametrize("variant", VARIANTS)
def test_refresh_changes_only_the_computed_columns_of_the_one_off_roster(originals, results, variant):
    original, result = originals[variant], results["refresh", variant]
    part = sheet_parts(original)[ONE_OFF.name]
    changed = changed_cells(parts_of(original)[part], parts_of(result)[part])
    computed = {i for i, c in enumerate(ONE_OFF.columns) if c.computed}
    assert changed and {column_of(ref) for ref in changed} <= computed
    assert min(row_of(ref) for ref in changed) > ONE_OFF.header_row
    rows = grids(result, [ONE_OFF.name])[ONE_OFF.name]
    assert rows[1][ONE_OFF_USER_COL] == "核对员2"  # the staff's own column beside the roster


@pytest.mark.parametrize("variant", VARIANTS)
def test_fill_performance_writes_only_the_tools_cells(originals, results, variant):
    original, result = originals[variant], results["fill-performance", variant]
    parts, before, after = sheet_parts(original), parts_of(original), parts_of(result)
    header_values = {f"B{HEADER_FIRST_ROW + i}" for i in range(len(HEADER_ITEMS))}
    tool_columns = {INDICATOR_HEADERS.index(h) for h in ("指标值", "完成值", "得分")}
    changed = changed_cells(before[parts[PERFORMANCE_SHEET]], after[parts[PERFORMANCE_SHEET]])
    for ref in changed:
        assert ref in header_values or (row_of(ref) > INDICATOR_HEADER_ROW and column_of(ref) in tool_columns), ref
    info = grids(original, [PROJECT_INFO_SHEET])[PROJECT_INFO_SHEET]
    goal_row = next(r for r, row in enumerate(info, 1) if row[0] == "年度绩效目标")
    assert changed_cells(before[parts[PROJECT_INFO_SHEET]], after[parts[PROJECT_INFO_SHEET]]) == {f"B{goal_row}"}
    assert grids(result, [PERFORMANCE_SHEET])[PERFORMANCE_SHEET][row_of(PERFORMANCE_NOTE) - 1][12] == "人数以名册为准"


@pytest.mark.parametrize("variant", VARIANTS)
def test_import_streets_writes_the_changed_cell_and_the_new_row_only(originals, forms, results, variant):
    original, result = originals[variant], results["import-streets", variant]
    person = forms[variant][1]
    part = sheet_parts(original)[LIVING.name]
    changed = changed_cells(parts_of(original)[part], parts_of(result)[part])
    roster = grids(original, [LIVING.name])[LIVING.name]
    header = roster[0]
    person_row = next(r for r, row in enumerate(roster, 1) if row[header.index("身份证号")] == person)
    phone = f"{openpyxl.utils.get_column_letter(header.index('联系电话') + 1)}{person_row}"
    appended = {row_of(ref) for ref in changed} - {person_row}
    assert phone in changed and len(appended) == 1 and min(appended) > len(roster) - 1
    after = grids(result, [LIVING.name])[LIVING.name]
    assert after[person_row - 1][header.index("联系电话")] == NEW_PHONE
    assert after[min(appended) - 1][header.index("姓名")] == NEW_PERSON


@pytest.mark.parametrize("command", COMMANDS)
def test_the_look_staff_gave_the_written_sheets_is_kept(originals, results, command):
    """Frozen panes, conditional formatting, validations and everything else outside the cell data of every
    sheet a command writes stay as they were; of a sheet the tool rewrites whole, the print layout (widths,
    page setup, breaks: issue 15) is the tool's, but no column comes out narrower than staff made it."""
    original, result = originals["xlsx"], results[command, "xlsx"]
    parts, before, after = sheet_parts(original), parts_of(original), parts_of(result)
    merges = re.compile(rb"<mergeCells.*?</mergeCells>")
    for name in WRITES[command]:
        laid_out = name in OWNED_SHEETS
        old, new = before[parts[name]], after[parts[name]]
        old_head, old_tail = outside_sheet_data(without_layout(old) if laid_out else old)
        new_head, new_tail = outside_sheet_data(without_layout(new) if laid_out else new)
        assert new_head == old_head, name
        assert merges.sub(b"", new_tail) == merges.sub(b"", old_tail), name
        if laid_out:
            old_widths = {c.min: c.width for c in _columns(old)}
            new_widths = {c.min: c.width for c in _columns(new)}
            assert all(new_widths.get(col, 0) >= width for col, width in old_widths.items()), name


def test_what_staff_added_still_opens_in_openpyxl(originals, results):
    """A second, independent reader of the refreshed book finds the staff's additions."""
    wb = openpyxl.load_workbook(results["refresh", "xlsx"])
    assert set(TOOL_SHEETS) <= set(wb.sheetnames)
    assert wb[USER_SHEET]._charts and wb["备查"].sheet_state == "hidden" and wb["内部"].sheet_state == "veryHidden"
    assert wb[ONE_OFF.name]["D3"].comment.text == "本人已签字"
    assert wb[ONE_OFF.name].column_dimensions["S"].width == 17.25
    assert wb["季度发放"].column_dimensions["B"].width == 33
    assert "一次性合计" in wb.defined_names and "本表合计" in wb[USER_SHEET].defined_names
    assert wb[ONE_OFF.name].cell(2, ONE_OFF_USER_COL + 2).value == "=O2*2"
