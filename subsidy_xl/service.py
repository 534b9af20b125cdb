"""The use cases, written once against the core and called by the CLI and by the
ribbon macros alike: check, refresh, new, demo.

A use case reads through a BookSource, analyses, and produces a WritePlan: the
owned sheets' new content and the owned cells inside user sheets. The headless
adapter applies a plan to the .xlsx package; the live adapter to an open book.
"""
from __future__ import annotations

import datetime as _dt
import gc
import getpass
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from . import __version__
from .analysis import Analysis, BookSource, analyse
from .issues import count_by_severity, counts_text
from .months import Quarter
from .schema import CHANGELOG_SHEET, ISSUES_SHEET, ONE_OFF, ONE_OFF_PAY_SHEET, QUARTERLY_SHEET, STYLES
from .tables.budget import budget_sheet
from .tables.payments import one_off_sheet, quarterly_sheet
from .tables.records import changelog_sheet, issues_sheet
from .tables.sheet import SheetContent
from .tables.summary import summary_sheet

Progress = Callable[[str], None]
Patch = dict[int, dict[int, tuple[object, str | None]]]  # Excel row -> 0-based col -> (value, style name)


def _quiet(_msg: str) -> None:
    pass


@contextmanager
def bulk_work():
    """Pause Python's cyclic garbage collector while a use case reads a workbook and builds its rows.

    A 100,000-row roster becomes millions of small objects (cells, records, sheet rows) that hold no
    reference cycles, so the collector finds nothing to free in them; yet as they accumulate it walks all
    of them again and again, which took a third of the time of a refresh at that size. Reference counting
    still frees everything as usual; the previous setting is restored on the way out, and the collector
    then runs on its own schedule.

    What is still alive then (the records and people a use case returns) is handed to the collector's
    oldest generation, as if it had lived through the young collections it missed (gc.freeze moves every
    object to the permanent generation, gc.unfreeze moves them on into the oldest one): otherwise the first
    young collection after the pause walks all of it at once.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


@dataclass
class WritePlan:
    sheets: list[SheetContent] = field(default_factory=list)
    patches: dict[str, Patch] = field(default_factory=dict)  # sheet -> cells the tool owns in a user sheet
    table_rows: dict[str, int] = field(default_factory=dict)  # table -> Excel row it must reach (rows appended)
    # sheet -> (Excel row, count): empty rows inserted there before the patches (new people above a total row)
    inserted_rows: dict[str, tuple[int, int]] = field(default_factory=dict)


@dataclass
class RefreshReport:
    analysis: Analysis
    quarter_figures: dict
    one_off_figures: dict
    out: Path | None = None
    backup: Path | None = None

    @property
    def figures(self) -> dict:
        """The budget's figures (资金安排), as the analysis computed them."""
        return self.analysis.budget

    @property
    def counts(self) -> dict[str, int]:
        return count_by_severity(self.analysis.issues)

    def summary(self) -> str:
        q, o = self.quarter_figures, self.one_off_figures
        if q.get("stopped"):
            return (f"参数表有错误，未生成发放名单：{self.analysis.quarter.label}生活补贴实发 0人 0元"
                    f"（暂缓 {q['held']}人），一次性补助实发 0人 0元（暂缓 {o['held']}人）；"
                    f"{counts_text(self.analysis.issues)}")
        return (f"{self.analysis.quarter.label}生活补贴实发 {q['paid']}人 {q['total']:,}元"
                f"（暂缓 {q['held']}人 {q['held_amount']:,}元，本季无应发 {q['not_due']}人）；"
                f"一次性补助实发 {o['paid']}人 {o['total']:,}元（暂缓 {o['held']}人 {o['held_amount']:,}元）；"
                f"{counts_text(self.analysis.issues)}")


def one_off_patch(analysis: Analysis, grid: Sequence[Sequence[object]], rewrite_unchanged: bool = True) -> Patch:
    """The computed columns of 一次性补助名册: values for each person, cleared on rows now blank.

    ``grid`` is the sheet as read. Without ``rewrite_unchanged``, a row whose three cells already hold
    their values is left out: the file writer then rewrites only what changed, and a 100,000-row roster
    whose computed columns are all still right is not rewritten at all. (The live adapter writes the
    columns in one call, unchanged rows included.)
    """
    roster = analysis.one_off
    cols = [roster.cols[k] for k in ("rate", "months", "amount") if k in roster.cols]
    if len(cols) < 3:
        return {}  # a missing column is reported; nothing to write into
    patch: Patch = {}
    by_row = {p.rec.row: p for p in analysis.one_off_people}
    for row in range(roster.header_row + 1, len(grid) + 1):
        if row in roster.not_people:  # a 合计 row, a table's total row, a note: never written (not_people.py)
            continue
        person = by_row.get(row)
        r = person.result if person and not person.held else None  # a held row shows no amount until fixed
        values = (r.rate, r.months, r.amount) if r else (None, None, None)
        if not rewrite_unchanged:
            read = grid[row - 1]
            cells = tuple(read[c] if c < len(read) else None for c in cols)
            if (cells == values and tuple(map(type, cells)) == tuple(map(type, values))) \
                    or all(map(_holds, cells, values)):  # the first test is the common case, at once
                continue
        patch[row] = {c: (v, None) for c, v in zip(cols, values)}
    return patch


def _holds(cell: object, value: object) -> bool:
    """The cell as read already shows ``value``: the same number, the same text, or empty for None."""
    if value is None or cell is None:
        return cell is None and value is None
    if isinstance(value, str) or isinstance(cell, str):
        return type(cell) is type(value) and cell == value
    return type(cell) is not bool and type(value) is not bool and cell == value


def changelog_entry(action: str, scope: str, result: str) -> list[object]:
    now = _dt.datetime.now().replace(microsecond=0)
    try:
        user = getpass.getuser()
    except Exception:  # no login name (service accounts): the log still gets its row
        user = ""
    return [now.strftime("%Y-%m-%d %H:%M:%S"), action, scope, result, user, __version__]


def plan_refresh(src: BookSource, quarter: Quarter | None = None, progress: Progress = _quiet,
                 rewrite_unchanged: bool = True) -> tuple[WritePlan, RefreshReport]:
    """The refresh of ``src`` as a plan; ``rewrite_unchanged``: see one_off_patch."""
    with bulk_work():
        return _plan_refresh(src, quarter, progress, rewrite_unchanged)


def _plan_refresh(src: BookSource, quarter: Quarter | None, progress: Progress,
                  rewrite_unchanged: bool) -> tuple[WritePlan, RefreshReport]:
    progress("校验名册和参数…")
    analysis = analyse(src, quarter)
    params = analysis.params
    unit = str(analysis.project_info.get("unit") or "")
    progress("生成发放表和资金安排…")
    quarterly, q_fig = quarterly_sheet(analysis.living_people, analysis.quarter, params, unit, stops=analysis.stops)
    one_off, o_fig = one_off_sheet(analysis.one_off_people, params, unit, stops=analysis.stops)
    figures = analysis.budget
    report = RefreshReport(analysis, q_fig, o_fig)
    previous = (src.grid(CHANGELOG_SHEET) or [])[1:]
    plan = WritePlan(
        sheets=[quarterly, one_off, budget_sheet(figures, params),
                summary_sheet(analysis.living_people, analysis.one_off_people, analysis.quarter, params, figures),
                issues_sheet(analysis.issues),
                changelog_sheet(previous, changelog_entry("刷新", str(analysis.quarter), report.summary()))],
        patches={ONE_OFF.name: one_off_patch(analysis, src.grid(ONE_OFF.name) or [], rewrite_unchanged)},
    )
    for sheet in plan.sheets:
        sheet.stamp(unit)  # every printed page: 填报单位, 第X页 共N页
    return plan, report


# ---------------------------------------------------------------- headless doors

def open_book(path: Path) -> BookSource:
    from .io.reader import read_book

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
    from .cells import a1, parse_a1
    from .io.package import PackageEditor
    from .io.safe_save import output_target, safe_create, safe_replace

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


def _read(path: Path, progress: Progress) -> BookSource:
    progress("读取工作簿…")
    return open_book(Path(path))


def check(path: Path, progress: Progress = _quiet) -> Analysis:
    with bulk_work():
        src = _read(path, progress)
        progress("校验…")
        analysis = analyse(src)
        del src  # the sheets read go before the collector resumes
    return analysis


def refresh(path: Path, quarter: Quarter | None = None, out: Path | None = None,
            progress: Progress = _quiet) -> RefreshReport:
    return _update(path, out, progress, lambda src: plan_refresh(src, quarter, progress, rewrite_unchanged=False),
                   prefetch=[QUARTERLY_SHEET, ONE_OFF_PAY_SHEET, ISSUES_SHEET])


def _update(path: Path, out: Path | None, progress: Progress, make_plan, prefetch: Sequence[str] = (),
            backup: bool = True) -> object:
    """A use case that changes the workbook: read it once, ``make_plan(src)`` -> (plan, report), and write
    the plan into the very bytes it was computed from.

    Refused before anything is read when the output cannot be written (``-o`` naming an existing file, the
    workbook open in an office suite, read-only). From before the read until the write, the folder written
    is locked against other subsidy-xl runs (they wait), and the workbook is not replaced if anything else
    changed it in the meantime (``safe_save.WorkbookChanged``).

    ``prefetch``: big sheets the plan rewrites; what is kept of them is read on another core while the plan
    is made."""
    import os

    from .io.package import PackageEditor
    from .io.safe_save import Snapshot, output_target, refuse_if_unwritable, workbook_lock

    path = Path(path)
    target, in_place = output_target(path, out)
    refuse_if_unwritable(target, *([path] if in_place else []))
    with workbook_lock(target, on_wait=progress), bulk_work():
        before = os.stat(path) if in_place else None
        src = _read(path, progress)
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


def template_path() -> Path:
    from .template import TEMPLATE_PATH

    return TEMPLATE_PATH


def new_workbook(out: Path) -> Path:
    """A blank workbook from the template; never over an existing file, complete or not at all."""
    from .io.safe_save import refuse_existing, safe_create

    out = Path(out)
    refuse_existing(out)
    template = template_path().read_bytes()
    return safe_create(out, lambda handle: handle.write(template))


def demo(out: Path, quarter: Quarter | None = None, progress: Progress = _quiet) -> RefreshReport:
    """The template with the sample data, refreshed; never over an existing file, complete or not at all."""
    from .io.safe_save import creating, refuse_existing
    from .sample import load_sample
    from .template import build

    out = Path(out)
    refuse_existing(out)
    progress("写入样例数据…")
    with creating(out) as staging:  # a hidden file beside ``out``; it takes the name only when complete
        build(staging, load_sample())
        report = _update(staging, None, progress,
                         lambda src: plan_refresh(src, quarter, progress, rewrite_unchanged=False),
                         prefetch=[QUARTERLY_SHEET, ONE_OFF_PAY_SHEET, ISSUES_SHEET], backup=False)
    report.out = out
    return report


# ---------------------------------------------------------------- street forms and the submission package

def street_form(path: Path | None, street: str, out: Path):
    """The form a 街道 fills, pre-filled with its people from the workbook at ``path`` (blank without one)."""
    from .streets.form import street_form as make

    return make(path, street, out)


def import_streets(path: Path, files: list[Path], out: Path | None = None, progress: Progress = _quiet):
    """Merge returned street forms into the rosters and write 变动情况 (see subsidy_xl/streets)."""
    from .streets.usecases import plan_import

    return _update(path, out, progress, lambda src: plan_import(src, files, open_book, progress))


def export_package(path: Path, quarter: Quarter | None, out_dir: Path, progress: Progress = _quiet, pdf: bool = True):
    """The submission package of a quarter (see subsidy_xl/export/bundle.py)."""
    from .export.bundle import export_package as export

    return export(Path(path), quarter, Path(out_dir), progress, pdf)


# ---------------------------------------------------------------- 绩效目标表

def fill_performance(path: Path, out: Path | None = None, progress: Progress = _quiet):
    """Fill the 绩效目标表 from the rosters and 参数, score the self-evaluation (see subsidy_xl/performance)."""
    from .performance.usecases import plan_fill_performance

    return _update(path, out, progress, lambda src: plan_fill_performance(src, progress))


def import_performance(path: Path, source: Path, out: Path | None = None, progress: Progress = _quiet):
    """Replace the 绩效目标表's indicators with those of a .xlsx/.docx laid out like the application's table."""
    from .performance.usecases import plan_import_performance

    return _update(path, out, progress, lambda src: plan_import_performance(src, Path(source), progress))
