"""What a ribbon button runs in Python: ``run(name, addin_xlwings, addin_path)`` (RibbonCallbacks.bas).

Nothing may reach Excel as a raw traceback: xlwings' RunPython shows whatever a
failing Python wrote to stderr. The macros themselves turn failures into a Chinese
message box (macros._macro); what fails before them (an import, xlwings unable to
reach Excel) is written to a log file, and stderr gets only a Chinese line naming
that log, which is then what xlwings shows.
"""

from __future__ import annotations

import sys

from .logs import write_log

# The ribbon's buttons: the macro's name in subsidy_xl.excel.macros and its title.
BUTTONS = {
    "refresh_all": "全部刷新", "check": "校验", "fill_performance": "填写绩效目标表",
    "build_quarterly": "生成季度发放表", "import_streets": "导入街道报表", "export_package": "导出报送材料",
    "show_help": "使用说明", "show_about": "关于",
}  # fmt: skip


def version_mismatch_text(addin_xlwings: str, python_xlwings: str) -> str:
    return (f"版本不一致：加载项需要 xlwings {addin_xlwings}，而它启动的 Python（{sys.executable}）中是 xlwings "
            f"{python_xlwings}。操作未执行。请运行离线安装包中的“检查.cmd”查看详细诊断，或重新运行“安装.cmd”。")


def run(name: str, addin_xlwings: str = "", addin_path: str = "", book=None, ui=None) -> None:
    """Run the button ``name``'s macro on the calling book, after checking the add-in's xlwings version."""
    title = BUTTONS.get(name, name)
    try:
        import xlwings as xw

        from . import macros
        from .ui import ExcelUi

        if book is None:
            book = xw.Book.caller()
        ui = ui or ExcelUi(book.app)
        if addin_xlwings and addin_xlwings != xw.__version__:
            ui.message(version_mismatch_text(addin_xlwings, xw.__version__), title, critical=True)
            return
        macro = getattr(macros, name) if name in BUTTONS else None
        if macro is None:
            raise ValueError(f"没有名为 {name} 的按钮")
        macro(book, ui, addin=addin_path or None)
    except BaseException as e:  # before the macro's own handling: say it in Chinese, keep the traceback in a file
        log = write_log(title, e)
        sys.stderr.write(f"“{title}”未能运行（{type(e).__name__}）。详细信息已记入：{log}\n"
                         "请运行离线安装包中的“检查.cmd”，并把该文件发给维护人员。\n")
        raise SystemExit(1) from None
