"""The ribbon's macros (workbook/vba/RibbonCallbacks.bas runs them through RunPython).

Each one reads the calling book through the live adapter, runs the same use
case as the CLI, and writes the resulting plan back in whole-range writes.
``book`` and ``ui`` are parameters so that tests can run a macro against the
xlwings remote engine and answer its questions; from Excel both are found.
"""
from __future__ import annotations

import functools
import inspect
import sys
from pathlib import Path
from typing import Callable

from .. import __version__
from ..analysis import default_quarter
from ..errors import UserError, describe_error, is_user_error
from ..months import Quarter, parse_quarter
from ..params import params_from_grid
from ..schema import CHANGES_SHEET, ISSUES_SHEET, OWNED_SHEETS, PARAMS_SHEET, PERFORMANCE_SHEET, README_SHEET, ROSTERS
from ..service import plan_check, plan_refresh
from .adapter import LiveBook, LiveWrite, apply_plan_live, is_windows_excel
from .ui import ExcelUi, Ui

HELP = f"""离任补贴工具栏各按钮的作用：

全部刷新：按参数表和名册重新计算一次性补助名册的金额列和工具生成的各表，更新问题清单和变更记录（季度为当前季度）。
校验：检查身份证号、任职年限、补贴标准等，只更新问题清单，不改动其他表。
生成季度发放表：输入季度（如 2026Q2）后，按该季度重新生成季度发放表，其他表同时更新。
填写绩效目标表：按名册人数和预算金额填写项目绩效目标表的指标值。
导入街道报表：选择各街道交回的报送表，合并到名册，变动列在“{CHANGES_SHEET}”表；导入后请再点“全部刷新”。
导出报送材料：保存工作簿后，导出发放表PDF、公示名单和问题清单等报送文件到所选的空文件夹。

名册、参数和项目信息由您填写；{'、'.join(OWNED_SHEETS)}由工具生成，请勿手工修改（刷新时会被覆盖）。
工作表函数：=ONE_OFF_SUBSIDY(职务,届数,年数)、=POST_RATE(职务)、=ID_CHECK(身份证号) 等，见“插入函数”中的“离任补贴”类别。"""

_POLICY = "呈组通〔2007〕143号（离任一次性补助）、呈组通〔2018〕88号（生活补贴）"


def _macro(title: str, any_book: bool = False) -> Callable:
    """Find the book and the Ui when Excel calls; turn any failure into a Chinese message box.

    Unless ``any_book``, the active book must be a subsidy workbook: a click while
    another workbook is active must not add the tool's sheets to it. ``addin``: the
    add-in's path (the ribbon passes it), for the findings of an unexpected failure;
    a macro that declares an ``addin`` parameter receives it.
    """
    def wrap(fn: Callable) -> Callable:
        takes_addin = "addin" in inspect.signature(fn).parameters

        @functools.wraps(fn)
        def run(book=None, ui: Ui | None = None, addin: str | None = None, **kwargs):
            if book is None:
                import xlwings as xw

                book = xw.Book.caller()
            ui = ui or ExcelUi(book.app)
            try:
                if not any_book:
                    _require_subsidy_book(book)
                return fn(book, ui, **({"addin": addin} if takes_addin else {}), **kwargs)
            except Exception as e:  # a traceback is no use to the staff; the message says what failed
                ui.message(failure_text(title, e, addin), title, critical=True)
                return None
            finally:
                ui.status(None)
        return run
    return wrap


def failure_text(title: str, error: Exception, addin: str | None = None) -> str:
    """What a failed button says: the Chinese description; for an unexpected failure also where its
    log is and the problems ``subsidy-xl doctor`` finds (the same findings as 关于)."""
    text = f"{title}未完成：{describe_error(error)}"
    if is_user_error(error):
        return text
    from .logs import write_log

    text += f"\n详细信息已记入：{write_log(title, error)}"
    problems = [f for f in _findings(addin) if f.ok is False]
    if problems:
        text += "\n\n检查发现的问题：\n" + "\n".join(f.line() for f in problems)
    return text


def _findings(addin: str | None) -> list:
    from ..doctor import Finding, diagnose

    try:
        return diagnose(Path(addin) if addin else None)
    except Exception as e:  # the diagnosis must not hide the failure it explains
        return [Finding(None, "检查", f"无法完成检查：{type(e).__name__} {e}")]


def _quarter(answer: str) -> Quarter:
    try:
        return parse_quarter(answer)
    except ValueError as e:  # the parser's refusal is Chinese: the staff retype it
        raise UserError(str(e)) from None


def _require_subsidy_book(book) -> None:
    names = {s.name for s in book.sheets}
    missing = [spec.name for spec in ROSTERS if spec.name not in names]
    if missing:
        raise UserError(f"当前工作簿“{book.name}”中没有“{'”“'.join(missing)}”工作表，不是补助经费工作簿；"
                        "请切换到补助经费工作簿后再点击。本工作簿未作任何改动")


def _written(done: LiveWrite) -> str:
    text = f"已写入：{'、'.join(done.sheets)}"
    if done.added:
        text += f"（新建工作表：{'、'.join(done.added)}）"
    if done.missing_styles:
        text += f"\n工作簿中缺少样式 {'、'.join(sorted(done.missing_styles))}，相应单元格未设格式"
    return text


def _finish(book, ui: Ui, title: str, summary: str, errors: int, sheet: str = ISSUES_SHEET) -> None:
    if errors:
        book.sheets[sheet].activate()
        summary += f"\n\n有{errors}条错误，已打开“{sheet}”，请逐条处理后再刷新。"
    ui.message(summary, title)


def _refresh(book, ui: Ui, title: str, quarter: Quarter | None, src: LiveBook | None = None):
    ui.status(f"{title}：读取工作簿…")
    plan, report = plan_refresh(src or LiveBook(book), quarter, progress=lambda m: ui.status(f"{title}：{m}"))
    ui.status(f"{title}：写入工作表…")
    done = apply_plan_live(book, plan)
    _finish(book, ui, title, f"{report.summary()}\n{_written(done)}", report.analysis.errors)
    return report


@_macro("全部刷新")
def refresh_all(book, ui: Ui, quarter: Quarter | None = None):
    """全部刷新: the CLI's ``refresh`` on the open book (``quarter`` defaults as there)."""
    return _refresh(book, ui, "全部刷新", quarter)


@_macro("校验")
def check(book, ui: Ui):
    """校验: the CLI's ``check``; only the 问题清单 is written."""
    ui.status("校验：读取并检查工作簿…")
    plan, report = plan_check(LiveBook(book))
    apply_plan_live(book, plan)
    _finish(book, ui, "校验", report.summary(), report.analysis.errors)
    return report.analysis


@_macro("生成季度发放表")
def build_quarterly(book, ui: Ui):
    """生成季度发放表: asks the quarter, then refreshes for it (``refresh --quarter``)."""
    src = LiveBook(book)
    params, _ = params_from_grid(src.grid(PARAMS_SHEET) or [])
    answer = ui.ask("请输入发放季度，例如 2026Q2：", "生成季度发放表", str(default_quarter(params)))
    if answer is None:
        return None  # cancelled
    return _refresh(book, ui, "生成季度发放表", _quarter(answer), src)


@_macro("填写绩效目标表")
def fill_performance(book, ui: Ui):
    """填写绩效目标表: the CLI's ``fill-performance``: the tool's cells of 绩效目标表, 问题清单, 变更记录."""
    from ..performance.usecases import plan_fill_performance

    ui.status("填写绩效目标表：读取工作簿…")
    plan, report = plan_fill_performance(LiveBook(book), lambda m: ui.status(f"填写绩效目标表：{m}"))
    ui.status("填写绩效目标表：写入工作表…")
    done = apply_plan_live(book, plan)
    if not report.analysis.errors:
        book.sheets[PERFORMANCE_SHEET].activate()
    _finish(book, ui, "填写绩效目标表", f"{report.summary()}\n{_written(done)}", report.analysis.errors)
    return report


@_macro("导入街道报表")
def import_streets(book, ui: Ui):
    """导入街道报表: the CLI's ``import-streets`` on the files chosen; the changes are listed in 变动情况."""
    from ..service import open_book
    from ..streets.usecases import plan_import

    files = ui.pick_files("选择街道报送表（可多选）")
    if not files:
        return None  # cancelled
    plan, report = plan_import(LiveBook(book), [Path(f) for f in files], open_book,
                               lambda m: ui.status(f"导入街道报表：{m}"))
    ui.status("导入街道报表：写入名册…")
    done = apply_plan_live(book, plan)
    summary = f"{report.summary()}\n{_written(done)}\n\n导入后请点击“全部刷新”重新计算。"
    _finish(book, ui, "导入街道报表", summary, report.counts["error"], sheet=CHANGES_SHEET)
    return report


@_macro("导出报送材料")
def export_package(book, ui: Ui, pdf: bool = True):
    """导出报送材料: the CLI's ``export`` of the saved workbook into a chosen (empty) folder.

    The package is computed from the file, so the book is saved first; Excel
    itself prints the PDFs on Windows (no LibreOffice needed there).
    """
    from ..export.bundle import export_package as export
    from ..export.pdf import libreoffice_pdf

    path = Path(book.fullname)
    if not path.is_file():
        raise UserError("工作簿尚未保存为文件，请先保存后再导出")
    params, _ = params_from_grid(LiveBook(book).grid(PARAMS_SHEET) or [])
    answer = ui.ask("导出哪个季度的报送材料？例如 2026Q2：", "导出报送材料", str(default_quarter(params)))
    if answer is None:
        return None
    quarter = _quarter(answer)
    folder = ui.pick_folder("选择保存报送材料的空文件夹")
    if folder is None:
        return None
    ui.status("导出报送材料：保存工作簿…")
    book.save()
    converter = excel_pdf(book.app) if is_windows_excel(book) else libreoffice_pdf
    report = export(path, quarter, Path(folder), lambda m: ui.status(f"导出报送材料：{m}"), pdf, converter)
    warnings = "".join(f"\n注意：{w}" for w in report.warnings)
    ui.message(f"已导出到 {report.out_dir}（导出前已保存工作簿）\n{report.summary()}{warnings}", "导出报送材料")
    return report


def excel_pdf(app):
    """A PDF converter for the export that prints with Excel itself: each workbook opened, exported, closed."""
    def convert(files, out_dir) -> list[Path]:
        made = []
        for f in map(Path, files):
            wb = app.books.open(str(f))
            try:
                target = Path(out_dir) / f"{f.stem}.pdf"
                wb.to_pdf(str(target))
                made.append(target)
            finally:
                wb.close()
        return made
    return convert


@_macro("使用说明", any_book=True)
def show_help(book, ui: Ui):
    if README_SHEET in [s.name for s in book.sheets]:
        book.sheets[README_SHEET].activate()
    ui.message(HELP, "使用说明")


@_macro("关于", any_book=True)
def show_about(book, ui: Ui, addin: str | None = None):
    """关于: versions, the policy, and the findings of ``subsidy-xl doctor`` for this PC and add-in."""
    import xlwings as xw

    from ..doctor import report_text

    text = (f"subsidy-xl {__version__}：正常离任村（社区）干部生活补助经费计算、校验与报表工具\n"
            f"xlwings {xw.__version__}，Python {sys.version.split()[0]}\n"
            f"政策依据：{_POLICY}\n"
            f"计算参数取自本工作簿的“{PARAMS_SHEET}”表（没有该表时使用内置默认值）。\n\n"
            f"{report_text(_findings(addin))}")
    ui.message(text, "关于")
