"""Hostile files through the command: a zip bomb, entity expansion, external links and DDE are refused or
reported, never followed or run; text beginning with =, +, - or @ from a street form lands as text, never as
a formula. (zipsafe's limits themselves: tests/test_io_reader.py.)"""
from __future__ import annotations

import csv
import json
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from reliability_support import (PROCESS_EVENTS, assert_ended_normally, cells_xml, grids, network_forbidden,
                                 parts_of, rewrite_zip, run_cli, sheet_parts, watching, without_print_names)
from subsidy_xl import cli
from subsidy_xl.io.safe_save import LOCK_FILE
from subsidy_xl.schema import CHANGES_SHEET, ISSUES_SHEET, LIVING, ONE_OFF
from subsidy_xl.streets.form import FORM_HEADER_ROW
from test_io_reader import BILLION_LAUGHS, with_member

assert network_forbidden  # autouse: no test or fixture here may open a socket

STREET = "龙城街道"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_LINK_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"
DDE_FORMULA = "cmd|' /C calc'!A0"


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("hostile")


@pytest.fixture(scope="module")
def demo(folder) -> Path:
    path = folder / "demo.xlsx"
    assert run_cli("demo", path, "--quarter", "2026Q2", "-q").code == 0
    return path


@pytest.fixture(scope="module")
def form(demo, folder) -> Path:
    path = folder / f"{STREET}.xlsx"
    assert run_cli("street-form", path, "--street", STREET, "--book", demo).code == 0
    return path


def zip_bomb(source: Path, target: Path) -> Path:
    """64 MiB of zeros deflated to ~64 KiB beside the real parts."""
    return with_member(source, target, "xl/media/image99.png", bytes(64 << 20))


def billion_laughs(source: Path, target: Path) -> Path:
    with zipfile.ZipFile(source) as archive:
        workbook = archive.read("xl/workbook.xml")
    body = workbook.split(b"?>", 1)[1] if workbook.startswith(b"<?xml") else workbook
    return with_member(source, target, "xl/workbook.xml", BILLION_LAUGHS + body.replace(b"<", b"<!--&lol9;--><", 1))


HOSTILE = {"zip-bomb": (zip_bomb, "压缩炸弹"), "billion-laughs": (billion_laughs, "DTD")}


def book_commands(book: Path, out: Path) -> dict[str, list[object]]:
    """Every command that opens a workbook."""
    return {"check": ["check", book, "-q"], "refresh": ["refresh", book, "-q"],
            "fill-performance": ["fill-performance", book, "-q"],
            "import-performance": ["import-performance", book, book, "-q"],
            "export": ["export", book, "-o", out, "--no-pdf", "-q"],
            "street-form": ["street-form", out / "表.xlsx", "--street", STREET, "--book", book]}


# ---------------------------------------------------------------------------------------
# refused before parsing
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", HOSTILE)
@pytest.mark.parametrize("name", list(book_commands(Path(), Path())))
def test_a_hostile_workbook_is_refused_with_a_message_and_left_alone(demo, tmp_path, kind, name):
    make, message = HOSTILE[kind]
    book = make(demo, tmp_path / "补助经费.xlsx")
    original, before = book.read_bytes(), sorted(p.name for p in tmp_path.iterdir())
    run = run_cli(*book_commands(book, tmp_path / "out")[name])
    assert run.code == cli.EXIT_UNREADABLE and run.err.startswith("错误：") and message in run.err, run.text
    assert "Traceback" not in run.text
    # The folder as it was, but for the empty lock file any command that writes there takes (safe_save.LOCK_FILE).
    assert book.read_bytes() == original and sorted(p.name for p in tmp_path.iterdir() if p.name != LOCK_FILE) == before


@pytest.mark.parametrize("kind", HOSTILE)
def test_a_hostile_street_form_is_reported_and_the_roster_left_alone(demo, form, tmp_path, kind):
    make, message = HOSTILE[kind]
    hostile = make(form, tmp_path / f"{STREET}.xlsx")
    book = tmp_path / "补助经费.xlsx"
    shutil.copyfile(demo, book)
    run = run_cli("import-streets", book, hostile, "-q")
    assert run.code == cli.EXIT_ERRORS and "Traceback" not in run.text, run.text
    assert "form-unreadable" in run.out and message in run.out
    parts = sheet_parts(demo)
    for roster in (LIVING.name, ONE_OFF.name):
        assert parts_of(book)[parts[roster]] == parts_of(demo)[parts[roster]]
    changes = grids(book, [CHANGES_SHEET])[CHANGES_SHEET]
    assert any("form-unreadable" in row for row in changes)


# ---------------------------------------------------------------------------------------
# external links and DDE: reported, never opened or run
# ---------------------------------------------------------------------------------------
def with_links(source: Path, target: Path, linked: Path, dde_cell: str = "U2") -> Path:
    """``source`` with two external-link parts as Excel writes them (another workbook, a DDE server) and a
    DDE formula in ``dde_cell`` of 生活补贴名册 (the 备注 of its first person)."""
    shutil.copyfile(source, target)
    parts = parts_of(target)
    roster = sheet_parts(target)[LIVING.name]
    refs = "".join(f'<externalReference xmlns:r="{_REL_NS}" r:id="rIdLink{n}"/>' for n in (1, 2))
    rels = "".join(f'<Relationship Id="rIdLink{n}" Type="{_REL_NS}/externalLink" '
                   f'Target="externalLinks/externalLink{n}.xml"/>' for n in (1, 2))
    types = "".join(f'<Override PartName="/xl/externalLinks/externalLink{n}.xml" ContentType="{_LINK_TYPE}"/>'
                    for n in (1, 2))
    remark = re.search(rb'<c r="%s"[^>]*?(?:/>|>.*?</c>)' % dde_cell.encode(), parts[roster]).group(0)
    formula = f'<c r="{dde_cell}" t="e"><f>{DDE_FORMULA}</f><v>#N/A</v></c>'.encode()
    replace = {
        "xl/workbook.xml": parts["xl/workbook.xml"].replace(b"</sheets>", f"</sheets><externalReferences>{refs}"
                                                            f"</externalReferences>".encode()),
        "xl/_rels/workbook.xml.rels": parts["xl/_rels/workbook.xml.rels"].replace(
            b"</Relationships>", rels.encode() + b"</Relationships>"),
        "[Content_Types].xml": parts["[Content_Types].xml"].replace(b"</Types>", types.encode() + b"</Types>"),
        roster: parts[roster].replace(remark, formula),
    }
    add = {
        "xl/externalLinks/externalLink1.xml": (
            f'<externalLink xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}"><externalBook r:id="rId1"><sheetNames>'
            f'<sheetName val="名册"/></sheetNames></externalBook></externalLink>').encode(),
        "xl/externalLinks/_rels/externalLink1.xml.rels": (
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship '
            f'Id="rId1" Type="{_REL_NS}/externalLinkPath" Target="{linked.as_uri()}" TargetMode="External"/>'
            f'</Relationships>').encode(),
        "xl/externalLinks/externalLink2.xml": (
            f'<externalLink xmlns="{_MAIN_NS}"><ddeLink ddeService="cmd" ddeTopic="/C calc"><ddeItems>'
            f'<ddeItem name="A0" advise="1"/></ddeItems></ddeLink></externalLink>').encode(),
    }
    rewrite_zip(target, replace, add)
    return target


@pytest.fixture(scope="module")
def linked_file(folder, demo) -> Path:
    """The workbook the link points at: it exists, so following the link would open it."""
    path = folder / "外部名册.xlsx"
    shutil.copyfile(demo, path)
    return path


def opened(events, path: Path) -> list:
    return [args for event, args in events if event == "open" and path.name in str(args[0])]


def link_issues(issues) -> list[str]:
    return sorted(i["message"] for i in issues if i["code"] == "workbook-external-link")


def test_external_links_and_dde_are_reported_never_followed_or_run(demo, linked_file, tmp_path):
    book = with_links(demo, tmp_path / "补助经费.xlsx", linked_file)
    before = parts_of(book)
    with watching(PROCESS_EVENTS | {"open"}) as events:
        checked = run_cli("check", book, "--format", "json", "-q")
        refreshed = run_cli("refresh", book, "-q")
    assert_ended_normally(checked)
    assert_ended_normally(refreshed)
    assert not [e for e in events if e[0] in PROCESS_EVENTS] and not opened(events, linked_file)
    dde, book_link = link_issues(json.loads(checked.out))
    assert "DDE 链接“cmd|/C calc”" in dde and str(linked_file) in book_link
    issues = grids(book, [ISSUES_SHEET])[ISSUES_SHEET]
    assert sum(row[0] == "workbook-external-link" for row in issues) == 2
    after = parts_of(book)
    for part in [p for p in before if "externalLink" in p] + ["xl/workbook.xml", "xl/_rels/workbook.xml.rels"]:
        if part == "xl/workbook.xml":  # but for the request to recalculate on open (test_reliability_rewrite.py)
            after[part] = re.sub(rb'\sfullCalcOnLoad="1"', b"", after[part], count=1)
            before[part] = re.sub(rb'\sfullCalcOnLoad="1"', b"", before[part], count=1)
            # and the print titles and areas of the sheets refresh lays out (issue 15)
            after[part], before[part] = without_print_names(after[part]), without_print_names(before[part])
        assert after[part] == before[part], part
    roster = sheet_parts(book)[LIVING.name]
    assert cells_xml(after[roster])["U2"] == cells_xml(before[roster])["U2"]  # the formula stays, unevaluated


def test_a_street_form_with_links_is_reported_never_followed_or_run(demo, form, linked_file, tmp_path):
    hostile = with_links(form, tmp_path / f"{STREET}.xlsx", linked_file, dde_cell=f"U{FORM_HEADER_ROW + 1}")
    book = tmp_path / "补助经费.xlsx"
    shutil.copyfile(demo, book)
    with watching(PROCESS_EVENTS | {"open"}) as events:
        run = run_cli("import-streets", book, hostile, "-q")
    assert_ended_normally(run)
    assert not [e for e in events if e[0] in PROCESS_EVENTS] and not opened(events, linked_file)
    assert run.out.count("workbook-external-link") == 2
    changes = json.dumps(grids(book, [CHANGES_SHEET])[CHANGES_SHEET], ensure_ascii=False)
    assert "DDE cmd|/C calc" in changes and DDE_FORMULA not in changes


# ---------------------------------------------------------------------------------------
# text that looks like a formula
# ---------------------------------------------------------------------------------------
FORMULA_LIKE = {"姓名": "=HYPERLINK(\"http://example.com\",\"点我\")", "联系电话": "+86 139 0000 0000",
                "开户行": "-农业银行-", "备注": "@SUM(A1:A9)"}
NEW_NAME = "=cmd|' /C calc'!A0"


def test_formula_like_text_from_a_street_lands_as_text(demo, form, tmp_path):
    returned = tmp_path / f"{STREET}.xlsx"
    wb = openpyxl.load_workbook(form)
    ws = wb[LIVING.name]
    header = [c.value for c in ws[FORM_HEADER_ROW]]
    first, new = FORM_HEADER_ROW + 1, ws.max_row + 1
    for column, text in FORMULA_LIKE.items():
        ws.cell(first, header.index(column) + 1).value = text
    for i, cell in enumerate(ws[first], 1):
        ws.cell(new, i).value = cell.value
    ws.cell(new, header.index("姓名") + 1).value = NEW_NAME
    ws.cell(new, header.index("身份证号") + 1).value = "530114195001011234"
    for row in (first, new):
        for cell in ws[row]:
            cell.data_type = "s" if isinstance(cell.value, str) else cell.data_type  # typed text, not formulas
    wb.save(returned)
    book = tmp_path / "补助经费.xlsx"
    shutil.copyfile(demo, book)
    assert_ended_normally(run_cli("import-streets", book, returned, "-q"))

    roster = grids(book, [LIVING.name])[LIVING.name]
    landed = {(r + 1, c): v for r, row in enumerate(roster) for c, v in enumerate(row)
              if v in (*FORMULA_LIKE.values(), NEW_NAME)}
    copied = [text for column, text in FORMULA_LIKE.items() if column != "姓名"]  # the new row's other cells
    assert sorted(landed.values()) == sorted([*FORMULA_LIKE.values(), *copied, NEW_NAME])
    xml = cells_xml(parts_of(book)[sheet_parts(book)[LIVING.name]])
    for (row, col), _text in landed.items():
        cell = xml[f"{openpyxl.utils.get_column_letter(col + 1)}{row}"]
        assert b"<f" not in cell and b't="inlineStr"' in cell, cell


def test_formula_like_issue_values_are_text_in_the_exported_csv(demo, tmp_path):
    book = tmp_path / "补助经费.xlsx"
    wb = openpyxl.load_workbook(demo)
    ws = wb[LIVING.name]
    ws.cell(2, [c.value for c in ws[1]].index("街道") + 1).value = NEW_NAME
    ws.cell(2, [c.value for c in ws[1]].index("街道") + 1).data_type = "s"
    wb.save(book)
    out = tmp_path / "package"
    assert_ended_normally(run_cli("export", book, "--quarter", "2026Q2", "-o", out, "--no-pdf", "-q"))
    with open(next(out.glob("问题清单_*.csv")), encoding="utf-8-sig", newline="") as f:
        values = [row[4] for row in csv.reader(f)]
    assert "'" + NEW_NAME in values
    assert not [v for v in values if v[:1] in ("=", "+", "-", "@")]
