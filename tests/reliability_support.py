"""Helpers of the reliability tests (tests/test_reliability_*.py).

- ``rich_workbook``: the template with the sample data and everything staff add to a
  workbook (chart, image, comments, conditional formatting, data validation,
  defined names, hyperlink, extra and hidden sheets, column widths, their own
  cells beside the tool's), optionally as an .xlsm carrying a VBA project;
- package comparison part by part (uncompressed bytes) and cell by cell (the
  ``<c>`` XML), with sheet parts found from workbook.xml independently of the tool;
- ``run_cli``: the subsidy-xl command in-process, its exit code and output;
- guards: ``no_network`` makes socket use raise and records it (the autouse
  fixture ``network_forbidden`` applies it to a whole test module), ``watching``
  records audited events (processes started, files opened).
"""
from __future__ import annotations

import contextlib
import io
import re
import shutil
import socket
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping
from xml.etree import ElementTree

import openpyxl
import pytest
import xlwings
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import PatternFill
from openpyxl.utils import column_index_from_string
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from python_calamine import CalamineWorkbook

from test_io_package import PngImage, cells_xml, names_of, outside_sheet_data, parts_of, png_bytes, rewrite_zip

from subsidy_xl import cli
from subsidy_xl.sample import load_sample
from subsidy_xl.schema import LIVING, ONE_OFF, OWNED_SHEETS, PERFORMANCE_SHEET, PROJECT_INFO_SHEET, QUARTERLY_SHEET
from subsidy_xl.streets.form import FORM_HEADER_ROW
from subsidy_xl.template import build

__all__ = ["cells_xml", "names_of", "outside_sheet_data", "parts_of", "rewrite_zip"]

QUICKSTART = Path(xlwings.__file__).parent / "quickstart.xlsm"
TOOL_SHEETS = OWNED_SHEETS + (ONE_OFF.name, PERFORMANCE_SHEET)  # the tool's own sheets (two partly the user's)
USER_SHEET, HIDDEN_SHEET, VERY_HIDDEN_SHEET = "核对记录", "备查", "内部"
ONE_OFF_USER_COL = len(ONE_OFF.columns)  # 0-based: the staff's own column right of the roster ("核对人")
PERFORMANCE_NOTE = "M12"  # a note staff keep beside the 绩效目标表
NEW_ID = "530114195003191974"  # a person added to a returned form: valid check digit, not in the sample
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_VBA_REL = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"


# ---------------------------------------------------------------------------------------
# a workbook carrying what users add
# ---------------------------------------------------------------------------------------
def rich_workbook(path: Path, macro: bool = False) -> Path:
    """The template with the sample data plus everything staff add; ``macro``: an .xlsm with a VBA project."""
    build(path, load_sample())
    wb = openpyxl.load_workbook(path)
    living, one_off = wb[LIVING.name], wb[ONE_OFF.name]
    people = one_off.max_row

    living["D2"].comment = Comment("已与户籍核对", "审核员")
    living.column_dimensions["D"].width = 15.5
    living.conditional_formatting.add(f"N2:N{living.max_row}", CellIsRule(
        operator="greaterThan", formula=["1000"], fill=PatternFill("solid", fgColor="FFEB9C")))

    one_off["D3"].comment = Comment("本人已签字", "审核员")
    one_off.cell(1, ONE_OFF_USER_COL + 1, "核对人")
    one_off.cell(1, ONE_OFF_USER_COL + 2, "两倍金额")
    for r in range(2, people + 1):
        one_off.cell(r, ONE_OFF_USER_COL + 1, f"核对员{r % 3}")
        one_off.cell(r, ONE_OFF_USER_COL + 2, f"=O{r}*2")  # reads a computed column
    one_off.column_dimensions["S"].width = 17.25
    one_off.conditional_formatting.add(f"O2:O{people}", CellIsRule(
        operator="greaterThan", formula=["40000"], fill=PatternFill("solid", fgColor="FFC7CE")))

    targets = wb[PERFORMANCE_SHEET]
    targets["A2"].comment = Comment("与申报书一致", "财务")
    targets[PERFORMANCE_NOTE] = "人数以名册为准"
    targets.column_dimensions["M"].width = 21

    info = wb[PROJECT_INFO_SHEET]
    seal = PngImage(png_bytes(8, 6), 64, 48)
    seal.anchor = "D2"
    info.add_image(seal)
    info["D20"] = "政策文件"
    info["D20"].hyperlink = "https://www.kmcg.gov.cn/"

    quarterly = wb[QUARTERLY_SHEET]  # an owned sheet: its rows are the tool's, its look the staff's
    quarterly.column_dimensions["B"].width = 33
    quarterly.conditional_formatting.add("H4:H500", CellIsRule(
        operator="lessThan", formula=["0"], fill=PatternFill("solid", fgColor="FFC7CE")))

    mine = wb.create_sheet(USER_SHEET)
    mine.append(["街道", "人数", "一次性补助合计"])
    mine.append(["龙城街道", f'=COUNTIF(\'{LIVING.name}\'!B:B,"龙城街道")', f"=SUM('{ONE_OFF.name}'!O:O)"])
    check = DataValidation(type="list", formula1='"已核,未核"', allow_blank=True)
    check.add("D2:D50")
    mine.add_data_validation(check)
    chart = BarChart()
    chart.add_data(Reference(one_off, min_col=15, min_row=1, max_row=people), titles_from_data=True)
    mine.add_chart(chart, "F2")
    logo = PngImage(png_bytes(), 40, 30)
    logo.anchor = "F20"
    mine.add_image(logo)
    mine.defined_names["本表合计"] = DefinedName("本表合计", attr_text=f"'{USER_SHEET}'!$C$2")
    wb.create_sheet(HIDDEN_SHEET).sheet_state = "hidden"
    wb[HIDDEN_SHEET]["A1"] = "上年名册备份"
    wb.create_sheet(VERY_HIDDEN_SHEET).sheet_state = "veryHidden"
    wb[VERY_HIDDEN_SHEET]["A1"] = 42
    wb.defined_names["一次性合计"] = DefinedName("一次性合计", attr_text=f"'{ONE_OFF.name}'!$O$2:$O${people}")
    wb.save(path)
    if macro:
        path = with_vba_project(path, path.with_suffix(".xlsm"))
    return path


def with_vba_project(source: Path, target: Path) -> Path:
    """An .xlsm copy of ``source`` carrying xlwings' quickstart VBA project, declared as Excel declares it."""
    with zipfile.ZipFile(QUICKSTART) as quickstart:
        vba = quickstart.read("xl/vbaProject.bin")
    shutil.copyfile(source, target)
    parts = parts_of(target)
    types = parts["[Content_Types].xml"].replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml").replace(
        b"<Default ", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/><Default ', 1)
    rels = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", f'<Relationship Id="rIdVba" Type="{_VBA_REL}" Target="vbaProject.bin"/>'
                             f"</Relationships>".encode())
    rewrite_zip(target, {"[Content_Types].xml": types, "xl/_rels/workbook.xml.rels": rels},
                {"xl/vbaProject.bin": vba})
    return target


# ---------------------------------------------------------------------------------------
# comparing packages
# ---------------------------------------------------------------------------------------
def sheet_parts(path: Path) -> dict[str, str]:
    """Sheet name -> its part, read from workbook.xml and its relationships."""
    with zipfile.ZipFile(path) as archive:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target").lstrip("/") for rel in rels}
    return {sheet.get("name"): (t if t.startswith("xl/") else "xl/" + t)
            for sheet in workbook.iter(f"{_MAIN_NS}sheet") for t in [targets[sheet.get(_REL_ID)]]}


def changed_parts(before: Path, after: Path) -> set[str]:
    old, new = parts_of(before), parts_of(after)
    return {name for name in old.keys() | new.keys() if old.get(name) != new.get(name)}


def changed_cells(before: bytes, after: bytes) -> set[str]:
    """A1 references whose cell XML differs (value, formula, style, type), appeared or went."""
    old, new = cells_xml(before), cells_xml(after)
    return {ref for ref in old.keys() | new.keys() if old.get(ref) != new.get(ref)}


def column_of(ref: str) -> int:
    """0-based column of an A1 reference."""
    return column_index_from_string(re.match(r"[A-Z]+", ref).group()) - 1


def row_of(ref: str) -> int:
    return int(re.search(r"\d+", ref).group())


def grids(path: Path, names=None) -> dict[str, list[list]]:
    """Values of sheets as python-calamine reads them (independently of the tool's reader)."""
    book = CalamineWorkbook.from_path(str(path))
    return {n: book.get_sheet_by_name(n).to_python(skip_empty_area=False)
            for n in book.sheet_names if names is None or n in names}


# ---------------------------------------------------------------------------------------
# the command, in-process
# ---------------------------------------------------------------------------------------
@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


def run_cli(*args: object) -> Run:
    """subsidy-xl with ``args``: exit code, stdout and stderr (usable inside hypothesis tests)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main([str(a) for a in args])
        except SystemExit as e:  # argparse
            code = e.code
    return Run(code, out.getvalue(), err.getvalue())


def returned_form(book: Path, folder: Path, street: str, changes: Mapping[str, object],
                  added: Mapping[str, object],
                  others: Mapping[int, Mapping[str, object]] | None = None) -> tuple[Path, object]:
    """``street``'s 生活补贴名册 form made from ``book`` by the CLI, as it comes back: the first person's cells
    named in ``changes`` (header -> value) changed, and one person added below the last, a copy of the first
    person's row with the cells named in ``added``; ``others``: cells of later people changed (index of the
    person, 1 for the second -> header -> value). Returns the form and the first person's ID."""
    form = folder / f"{street}.xlsx"
    assert run_cli("street-form", form, "--street", street, "--book", book).code == 0
    wb = openpyxl.load_workbook(form)
    ws = wb[LIVING.name]
    header = [c.value for c in ws[FORM_HEADER_ROW]]
    first = FORM_HEADER_ROW + 1
    for h, value in changes.items():
        ws.cell(first, header.index(h) + 1, value)
    for person, cells in (others or {}).items():
        assert person > 0, "the first person's cells are ``changes``"
        for h, value in cells.items():
            ws.cell(first + person, header.index(h) + 1, value)
    row = [c.value for c in ws[first]]
    for h, value in added.items():
        row[header.index(h)] = value
    last = max(r for r in range(first, ws.max_row + 1) if ws.cell(r, header.index("姓名") + 1).value)
    for i, value in enumerate(row, 1):
        ws.cell(last + 1, i, value)
    wb.save(form)
    return form, ws.cell(first, header.index("身份证号") + 1).value


def assert_ended_normally(run: Run) -> None:
    """Exit 0 (no errors) or 1 (errors listed), never 3 (internal error), no traceback."""
    assert "Traceback" not in run.text and "内部错误" not in run.err, run.text[-2000:]
    assert run.code in (cli.EXIT_OK, cli.EXIT_ERRORS), (run.code, run.text[-2000:])


# ---------------------------------------------------------------------------------------
# guards
# ---------------------------------------------------------------------------------------
class NetworkUsed(AssertionError):
    pass


@contextlib.contextmanager
def no_network():
    """Every way to reach the network raises NetworkUsed; attempts are also recorded, so an attempt
    the code catches and hides still fails the test on leaving the block."""
    attempts: list[tuple] = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise NetworkUsed(f"网络访问被拒绝：{args!r}")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", refuse)
        patch.setattr(socket.socket, "connect_ex", refuse)
        patch.setattr(socket, "create_connection", refuse)
        patch.setattr(socket, "getaddrinfo", refuse)
        yield attempts
    assert not attempts, f"the tool tried to use the network: {attempts[:3]}"


@pytest.fixture(scope="module", autouse=True)
def network_forbidden():
    """Imported by every reliability module: no socket use in any of its fixtures or tests."""
    with no_network() as attempts:
        yield attempts


_watchers: list[tuple[frozenset[str], list]] = []
PROCESS_EVENTS = frozenset({"subprocess.Popen", "os.system", "os.posix_spawn", "os.exec", "os.spawn", "os.fork",
                            "os.startfile"})


def _audit(event: str, args: tuple) -> None:
    for events, seen in _watchers:
        if event in events:
            seen.append((event, args))


sys.addaudithook(_audit)  # one hook for the session; it records only inside ``watching``


@contextlib.contextmanager
def watching(events=PROCESS_EVENTS):
    """Record the audited ``events`` (sys.audit) raised inside the block: processes started, files opened."""
    seen: list[tuple[str, tuple]] = []
    entry = (frozenset(events), seen)
    _watchers.append(entry)
    try:
        yield seen
    finally:
        _watchers.remove(entry)


# The print layout of a sheet the tool rewrites is the tool's (issue 15): these parts of it change on every write.
_LAYOUT_PARTS = re.compile(rb"<(cols|sheetFormatPr|pageSetUpPr|printOptions|pageMargins|pageSetup|headerFooter|"
                           rb"rowBreaks)\b(?:[^>]*?/>|.*?</\1>)", re.S)
_PRINT_NAME = re.compile(rb'<definedName name="_xlnm\.Print_(?:Titles|Area)" localSheetId="(\d+)"[^>]*>.*?'
                         rb"</definedName>", re.S)


def without_layout(sheet_part: bytes) -> bytes:
    """A sheet's XML without the print layout the tool writes into the sheets it rewrites: column widths,
    default row height, fit to page, margins, page setup, header/footer and page breaks."""
    return _LAYOUT_PARTS.sub(b"", sheet_part)


def without_print_names(workbook: bytes, sheets: set[int] | None = None) -> bytes:
    """workbook.xml without the print titles and print areas of the given sheets (0-based positions; all
    sheets when None), which the tool sets for the sheets it rewrites."""
    def drop(match: re.Match) -> bytes:
        return b"" if sheets is None or int(match.group(1)) in sheets else match.group(0)
    text = _PRINT_NAME.sub(drop, workbook)
    return re.sub(rb"<definedNames>\s*</definedNames>|<definedNames/>", b"", text)


# ------------------------------------------------------------------------------ fixtures of the writing tests

@pytest.fixture
def book(demo_book, tmp_path) -> Path:
    """A writable copy of the demo workbook, alone in its folder (backups and the lock file go beside it)."""
    folder = tmp_path / "book"
    folder.mkdir()
    path = folder / "补助经费.xlsx"
    shutil.copyfile(demo_book, path)
    path.chmod(0o644)
    return path


@pytest.fixture(scope="module")
def form(demo_book, tmp_path_factory) -> Path:
    """A returned 龙城街道 form with one changed phone number."""
    folder = tmp_path_factory.mktemp("form")
    return returned_form(demo_book, folder, "龙城街道", {"联系电话": "13900001111"}, {})[0]


def fail_at_member(monkeypatch, number: int, error: BaseException) -> list[str]:
    """Make the ``number``-th part written into a zip raise ``error`` (e.g. ENOSPC, a full disk); returns the
    parts written. Parts are written by ZipFile.writestr, or copied still deflated by package._add_deflated."""
    from subsidy_xl.io import package

    written: list[str] = []
    real, real_copy = zipfile.ZipFile.writestr, package._add_deflated

    def count(name: str) -> None:
        if len(written) + 1 == number:
            raise error
        written.append(name)

    def writestr(self, info, data, *args, **kwargs):
        count(getattr(info, "filename", info))
        return real(self, info, data, *args, **kwargs)

    def add_deflated(out, original, data):
        count(original.filename)
        return real_copy(out, original, data)

    monkeypatch.setattr(zipfile.ZipFile, "writestr", writestr)
    monkeypatch.setattr(package, "_add_deflated", add_deflated)
    return written
