"""Assemble ``subsidy_xl.xlam`` from text sources.

The VBA that talks to Python is the installed xlwings' own custom add-in code,
read at build time so it always matches the xlwings version that will run it.
Around it: our ribbon callbacks, the UDF wrappers generated from the registry,
and the document modules of the workbook and its config sheet.
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Sequence
from pathlib import Path

import xlwings

from .. import __version__
from ..excel.registry import UDF_MODULE, UDFS, UdfSpec
from .package import Sheet, write_addin_package
from .vba_texts import WORKBOOK_CODE, addin_module_code, vba_string_expression
from .vba_project import VbaModule, build_vba_project, module_from_export
from ..resources import project_path

ADDIN_FILE_NAME = "subsidy_xl.xlam"
PROJECT_NAME = "subsidy_xl"
UDF_WRAPPER_MODULE = "SubsidyUdfs"
ADDIN_TEXT_MODULE = "SubsidyAddin"
CONFIG_SHEET = "xlwings.conf"
WORKBOOK_CODE_NAME = "ThisWorkbook"
CONFIG_SHEET_CODE_NAME = "Sheet1"
WORKBOOK_SOURCES = project_path("workbook")

# VB_Base of Excel's document modules: the Workbook and Worksheet classes.
_WORKBOOK_BASE = '"0{00020819-0000-0000-C000-000000000046}"'
_WORKSHEET_BASE = '"0{00020820-0000-0000-C000-000000000046}"'

# xlwings' add-in reads its settings from the sheet and files named
# PROJECT_NAME + ".conf". Naming the project "xlwings" makes that the standard
# xlwings.conf sheet, %USERPROFILE%\.xlwings\xlwings.conf (what
# `xlwings config create` writes) and the workbook folder's xlwings.conf.
_XLWINGS_PROJECT_NAME_LINE = 'Public Const PROJECT_NAME As String = "myaddin"'
_ADAPTED_PROJECT_NAME_LINE = 'Public Const PROJECT_NAME As String = "xlwings"'

# Only keys that need a value: an empty row would hide the user's own setting
# (e.g. Interpreter_Win from ~/.xlwings/xlwings.conf), since the sheet wins.
CONFIG_ROWS = (("UDF Modules", UDF_MODULE),)


def _read_xlwings_text(relative_path: str) -> str:
    return importlib.resources.files(xlwings).joinpath(relative_path).read_text(encoding="ascii")


def xlwings_modules() -> list[VbaModule]:
    """xlwings' custom add-in module and its Dictionary class, as installed."""
    main = _read_xlwings_text("xlwings_custom_addin.bas")
    if main.count(_XLWINGS_PROJECT_NAME_LINE) != 1:
        raise RuntimeError(
            f"xlwings {xlwings.__version__}: PROJECT_NAME line not found in xlwings_custom_addin.bas"
        )
    main = main.replace(_XLWINGS_PROJECT_NAME_LINE, _ADAPTED_PROJECT_NAME_LINE)
    return [module_from_export(main), module_from_export(_read_xlwings_text("addin/Dictionary.cls"))]


# Shown before the error's own text when a wrapper cannot reach Python (xlwings not
# installed, interpreter not found…). The VBA project's code page is 1252, so the
# Chinese is built with ChrW: the module text stays ASCII.
UDF_FAILURE_PREFIX = "#无法调用 Python，请按安装说明检查："
CALLER_BOOK_FUNCTION = "SubsidyCallerBook"
FAILURE_TEXT_FUNCTION = "SubsidyFailureText"


def udf_wrapper_code(specs: Sequence[UdfSpec], python_module: str = UDF_MODULE) -> str:
    """VBA functions forwarding to Python, in the form xlwings' import_udfs writes.

    An add-in cannot pass ThisWorkbook (that is the add-in): each call passes the
    workbook of the formula's cell (``Application.Caller.Parent.Parent``), so
    ``xw.Book.caller()`` is that book even when another one is active; called
    from elsewhere than a cell, the active workbook.
    """
    lines = [
        "' Generated from subsidy_xl/excel/registry.py by subsidy_xl/addin/build.py.",
        '#Const App = "Microsoft Excel"',
        "",
        '#If App = "Microsoft Excel" Then',
        f"Private Function {CALLER_BOOK_FUNCTION}() As Object",
        '    If TypeName(Application.Caller) = "Range" Then',
        f"        Set {CALLER_BOOK_FUNCTION} = Application.Caller.Parent.Parent",
        "    Else",
        f"        Set {CALLER_BOOK_FUNCTION} = ActiveWorkbook",
        "    End If",
        "End Function",
        "#End If",
        "",
        f"Private Function {FAILURE_TEXT_FUNCTION}() As String",
        f"    {FAILURE_TEXT_FUNCTION} = {vba_string_expression(UDF_FAILURE_PREFIX)}",
        "End Function",
        "",
    ]
    for spec in specs:
        params = ", ".join(("Optional " if a.optional else "") + a.name for a in spec.args)
        arguments = ", ".join(a.name for a in spec.args)
        call = f'XLPy.CallUDF("{python_module}", "{spec.name}", Array({arguments})'
        lines += [
            f"Function {spec.name}({params})",
            '    #If App = "Microsoft Excel" Then',
            "        If TypeOf Application.Caller Is Range Then On Error GoTo failed",
            f"        {spec.name} = {call}, {CALLER_BOOK_FUNCTION}(), Application.Caller)",
            "        Exit Function",
            "    #Else",
            f"        {spec.name} = {call})",
            "        Exit Function",
            "    #End If",
            "failed:",
            f"    {spec.name} = {FAILURE_TEXT_FUNCTION}() & Err.Description",
            "End Function",
            "",
        ]
    return "\r\n".join(lines)


def addin_modules(sources: Path = WORKBOOK_SOURCES) -> list[VbaModule]:
    """Every module of the add-in's VBA project, document modules first."""
    ribbon = (sources / "vba" / "RibbonCallbacks.bas").read_text(encoding="ascii")
    return [
        VbaModule(WORKBOOK_CODE_NAME, "document", WORKBOOK_CODE, attributes={"VB_Base": _WORKBOOK_BASE}),
        VbaModule(CONFIG_SHEET_CODE_NAME, "document", attributes={"VB_Base": _WORKSHEET_BASE}),
        *xlwings_modules(),
        module_from_export(ribbon),
        VbaModule(UDF_WRAPPER_MODULE, "standard", udf_wrapper_code(UDFS)),
        VbaModule(ADDIN_TEXT_MODULE, "standard", addin_module_code(UDFS)),
    ]


def config_rows(interpreter: str | None = None) -> tuple[tuple[str, str], ...]:
    """The add-in's xlwings.conf sheet; with ``interpreter``, the Python the add-in starts.

    xlwings reads the active workbook's sheet first, then this one, then
    %USERPROFILE%\\.xlwings\\xlwings.conf: an Interpreter_Win here makes the add-in
    independent of that user-wide file (which other tools may own). xlwings expands
    %VARIABLES% in the value, so one add-in serves every user of a kit.
    """
    return CONFIG_ROWS + ((("Interpreter_Win", interpreter),) if interpreter else ())


def build_addin(out_dir: Path | str, sources: Path = WORKBOOK_SOURCES, interpreter: str | None = None) -> Path:
    """Build ``subsidy_xl.xlam`` into ``out_dir`` and return its path (``interpreter``: see config_rows)."""
    if not (sources / "customUI.xml").is_file():
        raise FileNotFoundError(f"找不到加载项源文件：{sources}（需要源代码中的 workbook 文件夹）")
    return write_addin_package(
        Path(out_dir) / ADDIN_FILE_NAME,
        vba_project=build_vba_project(PROJECT_NAME, addin_modules(sources)),
        sheets=[Sheet(CONFIG_SHEET, CONFIG_SHEET_CODE_NAME, config_rows(interpreter))],
        workbook_code_name=WORKBOOK_CODE_NAME,
        custom_ui=(sources / "customUI.xml").read_bytes(),
        title="离任补贴 (subsidy_xl)",
        # The user's xlwings must be exactly this version (its DLL name has it).
        properties={"xlwings_version": xlwings.__version__, "subsidy_xl_version": __version__},
    )
