"""Measure the headless .xlsx adapter on 100,000-row sheets (prints seconds; asserts nothing).

    python benchmarks/io_bench.py [rows]

Figures printed:
  * replace_sheet_data of a 100k x 21 sheet, and the save;
  * python-calamine reading that sheet (raw, and through reader.read_book);
  * patch_cells of 3 columns of every row (cells already there / cells new), and the save;
  * the target scenario: a workbook with two 100k-row rosters, read both and
    refresh 3 columns of each, against calamine reading them;
  * deflate level 1 vs 6 on the big sheet.
"""
from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
import zipfile
import zlib
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from python_calamine import CalamineWorkbook

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from subsidy_xl.io.package import PackageEditor  # noqa: E402
from subsidy_xl.io.reader import read_book  # noqa: E402

COLUMNS = 21
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "建国秀英志强丽华明伟芳军敏静海燕桂兰文"


def roster_rows(count: int):
    """A header and `count` person rows shaped like 一次性补助名册 (21 columns)."""
    header = [f"列{i + 1}" for i in range(COLUMNS)]
    yield 1, 0, header, None
    for i in range(count):
        name = SURNAMES[i % 20] + GIVEN[i % 17] + GIVEN[(i // 17) % 17]
        id_number = f"530114{1940 + i % 40}{1 + i % 12:02d}{1 + i % 28:02d}{i % 1000:03d}{i % 10}"
        values = [
            i + 1, name, id_number, "男" if i % 2 else "女", dt.date(1940 + i % 40, 1 + i % 12, 1 + i % 28),
            f"呈贡区第{i % 10 + 1}街道", f"社区{i % 97}", "主任" if i % 3 else "书记", dt.date(2000 + i % 20, 6, 30),
            12 + i % 20, Decimal(1800 + i % 7 * 100), Decimal("1234.50"), "是" if i % 5 else "否",
            f"1{3 + i % 6}{i:09d}"[:11], "", None, "备注" if i % 11 == 0 else None,
            Decimal(i % 5000), Decimal(i % 3000), Decimal(i % 2000), "已核对",
        ]
        yield i + 2, 0, values, None


def timed(label: str, action):
    start = time.perf_counter()
    result = action()
    print(f"{label:<58} {time.perf_counter() - start:7.2f} s")
    return result


def blank_template(path: Path, sheets: list[str]) -> None:
    book = Workbook()
    book.active.title = sheets[0]
    for name in sheets[1:]:
        book.create_sheet(name)
    book.save(path)


def calamine_read(path: Path, sheet: str) -> int:
    return len(CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False))


def patch_three_columns(count: int, first_col: int) -> dict:
    return {row: {first_col: (Decimal(row % 900), None), first_col + 1: (Decimal("12.5"), None),
                  first_col + 2: ("合格" if row % 3 else "待核", None)} for row in range(2, count + 2)}


def main(count: int) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="io_bench_"))
    template = workdir / "template.xlsx"
    blank_template(template, ["名册", "名册二"])

    print(f"--- {count:,} rows x {COLUMNS} columns ---")
    editor = PackageEditor(template)
    timed("replace_sheet_data (render rows)", lambda: editor.replace_sheet_data("名册", roster_rows(count)))
    one = workdir / "one.xlsx"
    timed("save", lambda: editor.save(one))
    print(f"{'file size':<58} {one.stat().st_size / 1e6:7.1f} MB")

    calamine_seconds = time.perf_counter()
    timed("python-calamine from_path + to_python", lambda: calamine_read(one, "名册"))
    calamine_seconds = time.perf_counter() - calamine_seconds
    timed("reader.read_book(...).sheet(...) (checks + clean values)", lambda: read_book(one).sheet("名册"))

    editor = timed("PackageEditor(...) open", lambda: PackageEditor(one))
    timed("patch_cells 3 existing columns x all rows", lambda: editor.patch_cells("名册", patch_three_columns(count, 17)))
    timed("save", lambda: editor.save(workdir / "patched.xlsx"))
    editor = PackageEditor(one)
    timed("patch_cells 3 new columns (appended) x all rows",
          lambda: editor.patch_cells("名册", patch_three_columns(count, 21)))

    print("--- target: two rosters, read both + refresh 3 columns each ---")
    editor = PackageEditor(one)
    editor.replace_sheet_data("名册二", roster_rows(count))
    two = workdir / "two.xlsx"
    editor.save(two)
    start = time.perf_counter()
    calamine_read(two, "名册")
    calamine_read(two, "名册二")
    calamine_both = time.perf_counter() - start
    print(f"{'python-calamine reads both rosters':<58} {calamine_both:7.2f} s")

    def refresh() -> None:
        book = read_book(two)
        book.sheet("名册")
        book.sheet("名册二")
        writer = PackageEditor(book.package)  # the bytes read are the bytes edited, as service.refresh does
        writer.patch_cells("名册", patch_three_columns(count, 17))
        writer.patch_cells("名册二", patch_three_columns(count, 17))
        writer.save(workdir / "two_refreshed.xlsx")

    start = time.perf_counter()
    refresh()
    refresh_seconds = time.perf_counter() - start
    print(f"{'refresh (read both, patch both, save)':<58} {refresh_seconds:7.2f} s"
          f"  = {refresh_seconds / calamine_both:.1f}x calamine")

    print("--- deflate level on the big sheet XML ---")
    with zipfile.ZipFile(one) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml")
    print(f"{'sheet XML':<58} {len(sheet_xml) / 1e6:7.1f} MB")
    for level in (1, 6):
        start = time.perf_counter()
        size = len(zlib.compress(sheet_xml, level))
        print(f"{f'level {level}: compressed {size / 1e6:.1f} MB':<58} {time.perf_counter() - start:7.2f} s")
    print(f"(files left in {workdir}; remove with: rm -r {workdir})" if os.environ.get("KEEP") else "")
    if not os.environ.get("KEEP"):
        for path in workdir.iterdir():
            path.unlink()
        workdir.rmdir()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
