"""What a finance office receives: the demo workbook and the export package printed through LibreOffice.

The PDFs are read back with poppler (pdftotext, pdffonts): every page's text layer, its fonts. Nothing
here trusts the layout code's own numbers except where the test says so; the pages are what LibreOffice
made of the workbook.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from subsidy_xl import service
from subsidy_xl.analysis import analyse
from subsidy_xl.export.bundle import export_package
from subsidy_xl.export.pdf import find_soffice, libreoffice_pdf
from subsidy_xl.io.reader import read_book
from subsidy_xl.months import Quarter
from subsidy_xl.performance.layout import HEADER_FIRST_ROW, HEADER_ITEMS
from subsidy_xl.schema import (BUDGET_SHEET, ONE_OFF_PAY_SHEET, PERFORMANCE_SHEET, QUARTERLY_SHEET, README_SHEET,
                               SUMMARY_SHEET)
from subsidy_xl.tables.budget import PART_HEADERS, QUARTER_HEADERS
from subsidy_xl.tables.payments import ONE_OFF_HEADERS, QUARTERLY_HEADERS

Q2 = Quarter(2026, 2)
needs_tools = pytest.mark.skipif(not (find_soffice() and shutil.which("pdftotext") and shutil.which("pdffonts")),
                                 reason="LibreOffice and poppler-utils are needed")
pytestmark = needs_tools


def pages_of(pdf: Path) -> list[str]:
    """The text of every page in the order LibreOffice drew it (pdftotext -raw: cell by cell, so the lines of a
    wrapped cell follow one another), in page order."""
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def squeezed(text: str) -> str:
    """Text without the spaces and line breaks of the layout: a wrapped cell reads as one string."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def printed(demo_book, tmp_path_factory):
    """The demo workbook with the performance table filled, as a PDF, and the workbook's grids."""
    folder = tmp_path_factory.mktemp("printed")
    book = folder / "演示.xlsx"
    shutil.copyfile(demo_book, book)
    book.chmod(0o644)
    service.fill_performance(book)
    pdf, = libreoffice_pdf([book], folder)
    return pdf, read_book(book)


@pytest.fixture(scope="module")
def pages(printed):
    return pages_of(printed[0])


def sheet_pages(pages: list[str], first_line: str) -> list[str]:
    """The pages that carry ``first_line`` (a sheet's title, repeated on each of its pages); 说明's page, which
    names the other sheets, only when it is the title asked for."""
    title = squeezed(first_line)
    return [p for p in pages if title in squeezed(p) and ("本工作簿由" not in p or title.endswith("工作簿"))]


def test_no_cell_prints_as_hashes(pages):
    assert pages and not [i for i, p in enumerate(pages, 1) if "###" in p]


def test_every_page_has_its_footer_with_page_x_of_n(pages):
    n = len(pages)
    for i, page in enumerate(pages, 1):
        assert f"第{i}页共{n}页" in squeezed(page), i
    # the 填报单位 of 项目信息 on the pages of the sheets refresh writes
    budget = sheet_pages(pages, "2026年正常离任村（社区）干部生活补助经费资金安排")
    assert budget and "填报单位：中国共产党昆明市呈贡区委员会社会工作部" in squeezed(budget[0])


def shows(header: str, page: str) -> bool:
    """The header is on the page whole, or wrapped in two lines (each line's part is there)."""
    text = squeezed(page)
    return header in text or any(header[:k] in text and header[k:] in text for k in range(2, len(header) - 1))


def pages_with(pages: list[str], text: str) -> list[str]:
    return [p for p in pages if squeezed(text) in squeezed(p)]


def test_payment_sheet_prints_every_header_and_value_in_full(printed, pages):
    _pdf, book = printed
    grid = book.grid(QUARTERLY_SHEET)
    title = grid[0][0]
    assert title.startswith("2026年第二季度正常离任村（社区）干部")
    mine = sheet_pages(pages, title)
    assert len(mine) >= 2
    text = squeezed("".join(mine))
    for header in QUARTERLY_HEADERS:
        assert all(shows(header, p) for p in mine), header  # repeated on every page
    signed = next(i for i, row in enumerate(grid) if any(isinstance(v, str) and "批准日期" in v for v in row))
    for row in grid[3:signed + 1]:  # the print area: the form to sign (lists below it print from exports)
        for value in row:
            if isinstance(value, str) and value:
                assert squeezed(value) in text, value
            elif isinstance(value, int) and not isinstance(value, bool) and value >= 1000:
                assert f"{value:,}.00" in text or str(value) in text, value


def test_street_groups_start_pages_and_keep_their_subtotals(printed, pages):
    """A page of 季度发放 starts with a street's first person (a group fits on a page in the demo), and
    every street's subtotal is on the page of its people."""
    _pdf, book = printed
    grid = book.grid(QUARTERLY_SHEET)
    mine = sheet_pages(pages, grid[0][0])
    streets = {}
    total = next(i for i, row in enumerate(grid) if row[1] == "合计")
    for row in grid[3:total]:  # the people paid (lists below the form have numbers of their own)
        if isinstance(row[0], int):
            streets.setdefault(row[1], []).append(row)
    for page in mine:
        body = page.split("开户行", 1)[1]
        first_person = re.search(r"^\s*(\d+)\s+(\S+街道)", body, re.M)
        if first_person:
            street, seq = first_person.group(2), int(first_person.group(1))
            assert streets[street][0][0] == seq, (street, seq)  # the group begins on this page
    for street, people in streets.items():
        if len(people) <= 15:  # far less than a page: the group and its subtotal print on one page
            holding = [p for p in mine if f"{street}小计" in p]
            assert len(holding) == 1 and all(row[4] in holding[0] for row in people), street


def test_unpaid_list_prints_under_its_own_header(printed, pages):
    """In exports the list of people not paid is a sheet of its own: its pages repeat its header
    (未发放原因), never the payment table's (月补贴标准)."""
    # the workbook: the list is outside the print area, which ends with the signatures
    _pdf, book = printed
    assert not pages_with(pages, "本季未发放人员（")


def test_budget_sheet_prints_labels_counts_and_rate_basis(printed, pages):
    _pdf, book = printed
    grid = book.grid(BUDGET_SHEET)
    mine = sheet_pages(pages, grid[0][0])
    assert len(mine) == 1
    text = squeezed(mine[0])
    for header in PART_HEADERS + QUARTER_HEADERS:
        assert shows(header, mine[0]), header
    assert shows("累计执行率（累计测算÷全年预算）", mine[0])
    for q in ("2026年第一季度", "2026年第二季度", "2026年第三季度", "2026年第四季度"):
        assert q in text
    total = next(row for row in grid if row and row[0] == "合计")
    assert re.search(rf"合计{total[1]}(?!\.00)", text)  # people counted as people, not as money
    assert f"{total[5]}.00" not in text and f"{total[6]}.00" not in text
    for row in grid:
        if row and isinstance(row[-1], str) and row[-1]:
            assert squeezed(row[-1]) in text  # 说明 printed inside the table, whole


def test_performance_table_prints_the_whole_annual_goal_and_the_signature_line(printed, pages):
    _pdf, book = printed
    grid = book.grid(PERFORMANCE_SHEET)
    goal = grid[HEADER_FIRST_ROW + HEADER_ITEMS.index("年度绩效目标") - 1][1]
    assert isinstance(goal, str) and len(goal) > 200
    mine = [p for p in pages if "填报单位（盖章）" in p]  # the form's pages: its signature line at every foot
    assert mine and "项目绩效目标表" in mine[0]
    text = squeezed("".join(mine))
    assert squeezed(goal) in text
    for label in HEADER_ITEMS:
        assert label in text
    assert "填报单位（盖章）" in text and "填报日期" in text
    rows = [row for row in grid[HEADER_FIRST_ROW + len(HEADER_ITEMS) + 1:] if row and row[2]]
    for row in rows:
        for value in row[:9]:
            if isinstance(value, str) and value:
                assert squeezed(value) in text, value


def test_readme_and_summary_print_whole(printed, pages):
    _pdf, book = printed
    text = squeezed("".join(sheet_pages(pages, "正常离任村（社区）干部生活补助经费工作簿")))
    for row in book.grid(README_SHEET):
        if row and isinstance(row[0], str) and row[0]:
            assert squeezed(row[0]) in text, row[0]  # nothing cut at the page's edges
    summary = book.grid(SUMMARY_SHEET)
    assert len(sheet_pages(pages, summary[0][0])) == 1


def test_pdf_fonts_are_the_simplified_chinese_noto_faces(printed):
    """Every embedded font is a Noto CJK face (no DejaVu, no Latin fallback): fontconfig maps 宋体 and the
    workbook's other names through subsidy_xl/data/fonts.conf."""
    pdf, _ = printed
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    names = [line.split()[0] for line in out.splitlines()[2:] if line.strip()]
    assert names and all(re.search(r"NotoS(erif|ans)CJK", n) for n in names), names
    assert any("NotoSerifCJK" in n for n in names)  # 宋体 -> Noto Serif CJK SC


def test_song_prints_with_the_sc_face(tmp_path):
    """宋体 renders exactly as "Noto Serif CJK SC" does (same pixels), and differently from a Latin face."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    files = []
    for tag, font in (("mapped", "宋体"), ("sc", "Noto Serif CJK SC"), ("latin", "DejaVu Sans")):
        wb = Workbook()
        ws = wb.active
        ws["A1"] = "骨直化 门 2026"
        ws["A1"].font = Font(name=font, size=40)
        path = tmp_path / f"{tag}.xlsx"
        wb.save(path)
        files.append(path)
    pixels = {}
    for pdf in libreoffice_pdf(files, tmp_path):
        pixels[pdf.stem] = subprocess.run(["pdftoppm", "-gray", "-r", "30", "-f", "1", "-l", "1", str(pdf)],
                                          capture_output=True, check=True).stdout
    assert pixels["mapped"] == pixels["sc"]
    assert pixels["mapped"] != pixels["latin"]


@pytest.fixture(scope="module")
def exported(demo_book, tmp_path_factory):
    out = tmp_path_factory.mktemp("export") / "报送"
    report = export_package(demo_book, Q2, out)
    return out, report


def test_export_payment_pdf_prints_columns_whole_and_the_unpaid_list_apart(exported, demo_book):
    out, report = exported
    pdf = next(out.glob("季度发放_*.pdf"))
    pages = pages_of(pdf)
    assert not [p for p in pages if "###" in p]
    unpaid = [p for p in pages if "未发放原因" in p]
    assert unpaid and all("月补贴标准" not in p for p in unpaid)
    paid = [p for p in pages if "月补贴标准" in p]
    assert paid and all(all(shows(h, p) for h in QUARTERLY_HEADERS) for p in paid)
    one_off = pages_of(next(out.glob("一次性补助发放_*.pdf")))
    assert all(all(shows(h, p) for h in ONE_OFF_HEADERS) for p in one_off if "月岗位补贴" in p)
    entry = next(f for f in report.manifest["files"] if f["name"] == pdf.name)
    assert entry["pages"] == len(pages)


def test_project_info_prints_every_value_whole(printed, pages):
    """项目信息's 年度绩效目标 is written by the tool after the template set the row heights: it still prints whole."""
    _pdf, book = printed
    grid = book.grid("项目信息")
    mine = [p for p in pages if "统一社会信用代码" in p and "本工作簿由" not in p]
    text = squeezed("".join(mine))
    values = [row[1] for row in grid[1:] if len(row) > 1 and isinstance(row[1], str) and row[1]]
    assert any(len(v) > 200 for v in values)  # the filled 年度绩效目标
    for value in values:
        assert squeezed(value) in text, value[:30]
