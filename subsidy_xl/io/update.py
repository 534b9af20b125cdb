"""The headless door's machinery: open a workbook file, apply a plan to it, and run a use case that
changes it (read once, plan, write into the very bytes read, under the folder lock)."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

from ..analysis import BookSource
from ..cells import a1, parse_a1
from ..plan import Progress, WritePlan, bulk_work
from ..schema import STYLES
from .package import PackageEditor
from .reader import read_book
from .safe_save import Snapshot, output_target, refuse_if_unwritable, safe_create, safe_replace, workbook_lock


def open_book(path: Path) -> BookSource:
    return read_book(path)


def apply_plan(path: Path, plan: WritePlan, out: Path | None = None, backup: bool = True,
               editor=None, expected=None) -> Path | None:
    """Write a plan into the package at ``path`` (or into a new file ``out``); returns the backup path.

    ``editor``: a PackageEditor on the bytes the plan was computed from (``PackageEditor(book.package)``),
    so that a file changed since it was read is not what gets edited; without one, ``path`` is read here.
    ``expected``: the ``safe_save.Snapshot`` of what was read; the workbook is not replaced if it changed
    since. ``out`` follows the rule of every command (``safe_save.output_target``): a new file, or the
    workbook itself (then in place, with a backup).
    """
    target, in_place = output_target(path, out)
    editor = editor or PackageEditor(path)
    if not in_place:
        editor.check_output_name(target)
    for name, (before, count) in plan.inserted_rows.items():
        editor.insert_rows(name, before, count)
    for sheet in plan.sheets:
        if sheet.name not in editor.sheet_names:
            editor.add_sheet(sheet.name)
        editor.replace_sheet_data(sheet.name, sheet.lines, sheet.merges, style_names=STYLES, layout=sheet.layout())
    for name, patch in plan.patches.items():
        if patch:
            editor.patch_cells(name, patch, style_names=STYLES)
    for table, last_row in plan.table_rows.items():
        if not editor.has_table(table):
            continue  # renamed or deleted by the user: its rows are written all the same (as the live door does)
        first, _, last = editor.table_ref(table).partition(":")
        end_row, end_col = parse_a1(last)
        if last_row > end_row:  # grow only: blank rows the table already has stay in it
            editor.set_table_ref(table, f"{first}:{a1(last_row, end_col)}")
    editor.recalculate_on_open()  # staff formulas that read the rewritten sheets show the new figures
    if not in_place:
        safe_create(target, editor.save)
        return None
    return safe_replace(Path(path), editor.save, backup=backup, expected=expected)


def read(path: Path, progress: Progress) -> BookSource:
    progress("读取工作簿…")
    return open_book(Path(path))


def update(path: Path, out: Path | None, progress: Progress, make_plan, prefetch: Sequence[str] = (),
            backup: bool = True) -> object:
    """A use case that changes the workbook: read it once, ``make_plan(src)`` -> (plan, report), and write
    the plan into the very bytes it was computed from.

    Refused before anything is read when the output cannot be written (``-o`` naming an existing file, the
    workbook open in an office suite, read-only). From before the read until the write, the folder written
    is locked against other subsidy-xl runs (they wait), and the workbook is not replaced if anything else
    changed it in the meantime (``safe_save.WorkbookChanged``).

    ``prefetch``: big sheets the plan rewrites; what is kept of them is read on another core while the plan
    is made."""
    path = Path(path)
    target, in_place = output_target(path, out)
    refuse_if_unwritable(target, *([path] if in_place else []))
    with workbook_lock(target, on_wait=progress), bulk_work():
        before = os.stat(path) if in_place else None
        src = read(path, progress)
        expected = Snapshot.of(before, src.package.data) if in_place else None
        editor = PackageEditor(src.package)  # the bytes read are the bytes edited: the file is read once
        if not in_place:
            editor.check_output_name(target)
        editor.prefetch(prefetch)
        plan, report = make_plan(src)
        progress("写入工作簿…")
        del src  # the sheets read go before the collector resumes
        report.backup = apply_plan(path, plan, out, backup=backup, editor=editor, expected=expected)
        del plan, editor  # their rows go before the collector resumes
    report.out = Path(out or path)
    return report
