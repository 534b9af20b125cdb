"""The built subsidy_xl.xlam, checked with real third-party readers (olevba, LibreOffice)."""

from __future__ import annotations

import argparse
import inspect
import io
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import olefile
import pytest
import xlwings
from lxml import etree
from oletools.olevba import VBA_Parser

from subsidy_xl.addin import cli
from subsidy_xl.addin.build import (
    ADDIN_FILE_NAME,
    ADDIN_TEXT_MODULE,
    CALLER_BOOK_FUNCTION,
    FAILURE_TEXT_FUNCTION,
    UDF_FAILURE_PREFIX,
    CONFIG_SHEET,
    UDF_WRAPPER_MODULE,
    WORKBOOK_SOURCES,
    addin_modules,
    build_addin,
)
from subsidy_xl.addin.install import install_addin
from subsidy_xl.addin.vba_texts import MESSAGES
from subsidy_xl.excel import launch
from subsidy_xl.addin.package import ADDIN_CONTENT_TYPE, RIBBON_RELATIONSHIP, VBA_PROJECT_RELATIONSHIP
from subsidy_xl.addin.vba_project import encrypt, module_from_export
from subsidy_xl.excel.registry import UDF_MODULE, UDFS

CUSTOM_UI_NS = "http://schemas.microsoft.com/office/2006/01/customui"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
MACRO_FUNCTIONS = [
    "refresh_all",
    "check",
    "fill_performance",
    "build_quarterly",
    "import_streets",
    "export_package",
    "show_help",
    "show_about",
]
RIBBON_LABELS = ["全部刷新", "校验", "填写绩效目标表", "生成季度发放表", "导入街道报表", "导出报送材料", "使用说明", "关于"]


@pytest.fixture(scope="module")
def modules():
    return {m.name: m for m in addin_modules()}


@pytest.fixture(scope="module")
def xlam(tmp_path_factory) -> Path:
    return build_addin(tmp_path_factory.mktemp("addin"))


@pytest.fixture(scope="module")
def package(xlam):
    with zipfile.ZipFile(xlam) as archive:
        yield archive


@pytest.fixture(scope="module")
def libreoffice_ods(xlam, tmp_path_factory):
    """The add-in converted to .ods by LibreOffice, once for all tests here."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    work = tmp_path_factory.mktemp("libreoffice")
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--infilter=Calc MS Excel 2007 VBA XML",
            "--convert-to",
            "ods",
            "--outdir",
            str(work),
            str(xlam),
        ],
        check=False,  # a broken VBA project still converts with exit 0: check the contents
        capture_output=True,
        timeout=180,
    )
    ods = work / xlam.with_suffix(".ods").name
    assert ods.is_file(), "LibreOffice produced no .ods"
    with zipfile.ZipFile(ods) as archive:
        yield archive


@pytest.fixture(scope="module")
def libreoffice_modules(libreoffice_ods) -> dict[str, etree._Element]:
    """The Basic modules LibreOffice imported from the VBA project."""
    return {
        Path(name).stem: etree.fromstring(libreoffice_ods.read(name))
        for name in libreoffice_ods.namelist()
        if name.startswith("Basic/subsidy_xl/") and not name.endswith("script-lb.xml")
    }


# Lines LibreOffice puts before an imported VBA module's code.
LIBREOFFICE_PREAMBLE = re.compile(r"Rem Attribute VBA_ModuleType=\w+|Option VBASupport 1|Option ClassModule")


def _trim_blank_tail(lines: list[str]) -> list[str]:
    while lines and not lines[-1]:
        lines = lines[:-1]
    return lines


# --- the VBA project, read by olevba --------------------------------------------------


def test_olevba_extracts_every_module_with_its_exact_source(xlam, modules) -> None:
    parser = VBA_Parser(str(xlam), relaxed=False)  # strict: raise on unexpected records
    try:
        extracted = {stream.split("/")[-1]: code for _, stream, _, code in parser.extract_macros()}
    finally:
        parser.close()
    assert extracted.keys() == modules.keys()
    for name, module in modules.items():
        assert extracted[name] == module.text(), name  # CRLF lines, Attribute header kept


def test_module_streams_hold_only_compressed_chunks(package, modules) -> None:
    project = olefile.OleFileIO(io.BytesIO(package.read("xl/vbaProject.bin")))
    for name in modules:
        stream = project.openstream(f"VBA/{name}").read()
        assert stream[0] == 0x01  # source at MODULEOFFSET 0: no performance cache
        position = 1
        while position < len(stream):
            header = int.from_bytes(stream[position : position + 2], "little")
            assert header & 0x8000, f"{name}: raw chunk"
            position += (header & 0x0FFF) + 3
    assert project.openstream("VBA/_VBA_PROJECT").read() == bytes.fromhex("CC61FFFF000100")


def test_project_stream_declares_each_module_by_kind(package, modules) -> None:
    project = olefile.OleFileIO(io.BytesIO(package.read("xl/vbaProject.bin")))
    text = project.openstream("PROJECT").read().decode("cp1252")
    keyword = {"standard": "Module={}", "class": "Class={}", "document": "Document={}/&H00000000"}
    for module in modules.values():
        assert keyword[module.kind].format(module.name) + "\r\n" in text
    assert 'Name="subsidy_xl"\r\n' in text
    wm = project.openstream("PROJECTwm").read()
    assert all(name.encode() + b"\0" + name.encode("utf-16-le") + b"\0\0" in wm for name in modules)


def test_encryption_matches_the_ms_ovba_examples() -> None:
    """MS-OVBA 3.1.6: CMG, DPB and GC of the example project."""
    project_id = "{917DED54-440B-4FD1-A5C1-74ACF261E600}"
    assert encrypt(project_id, bytes(4), seed=0x07) == "0705D8E3D8EDDBF1DBF1DBF1DBF1"
    assert encrypt(project_id, bytes(1), seed=0x0E) == "0E0CD1ECDFF4E7F5E7F5E7"
    assert encrypt(project_id, b"\xff", seed=0x15) == "1517CAF1D6F9D7F9D706"


# --- LibreOffice imports the project ---------------------------------------------------


def test_libreoffice_imports_every_module(libreoffice_modules, modules) -> None:
    assert libreoffice_modules.keys() == modules.keys()


def test_libreoffice_sees_module_kinds_and_code(libreoffice_modules, modules) -> None:
    script = "{http://openoffice.org/2000/script}"
    expected_type = {"standard": "normal", "class": "class", "document": "document"}
    for name, module in modules.items():
        element = libreoffice_modules[name]
        assert element.get(f"{script}moduleType") == expected_type[module.kind], name
        # LibreOffice drops every Attribute line (module and procedure ones) and
        # prepends its own Rem/Option lines; the rest must be our code unchanged.
        imported = element.text.splitlines()
        while imported and LIBREOFFICE_PREAMBLE.fullmatch(imported[0]):
            imported.pop(0)
        code = [line for line in module.text().splitlines() if not line.startswith("Attribute ")]
        assert _trim_blank_tail(imported) == _trim_blank_tail(code), name


def test_libreoffice_reads_code_names_and_config_sheet(libreoffice_ods) -> None:
    config = "{urn:oasis:names:tc:opendocument:xmlns:config:1.0}"
    settings = etree.fromstring(libreoffice_ods.read("settings.xml"))
    code_names = {
        entry.get(f"{config}name"): entry[0].text
        for entry in settings.iter(f"{config}config-item-map-entry")
        if len(entry) and entry[0].get(f"{config}name") == "CodeName"
    }
    assert code_names == {"*doc*": "ThisWorkbook", CONFIG_SHEET: "Sheet1"}
    content = etree.fromstring(libreoffice_ods.read("content.xml"))
    table = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
    (sheet,) = content.iter(f"{table}table")
    assert sheet.get(f"{table}name") == CONFIG_SHEET
    first_row = next(sheet.iter(f"{table}table-row"))
    assert ["".join(cell.itertext()) for cell in first_row][:3] == ["UDF Modules", UDF_MODULE, ""]


# --- package: workbook, sheets, ribbon -------------------------------------------------


def test_package_parts_and_relationships(package) -> None:
    types = etree.fromstring(package.read("[Content_Types].xml"))
    overrides = {o.get("PartName"): o.get("ContentType") for o in types}
    assert overrides["/xl/workbook.xml"] == ADDIN_CONTENT_TYPE
    assert overrides["/xl/vbaProject.bin"] == "application/vnd.ms-office.vbaProject"
    package_rels = {r.get("Type"): r.get("Target") for r in etree.fromstring(package.read("_rels/.rels"))}
    assert package_rels[RIBBON_RELATIONSHIP] == "customUI/customUI.xml"
    workbook_rels = {
        r.get("Type"): r.get("Target") for r in etree.fromstring(package.read("xl/_rels/workbook.xml.rels"))
    }
    assert workbook_rels[VBA_PROJECT_RELATIONSHIP] == "vbaProject.bin"
    assert ADDIN_FILE_NAME.isascii()


def test_document_modules_match_code_names(package, modules) -> None:
    workbook = etree.fromstring(package.read("xl/workbook.xml"))
    code_names = [workbook.find(f"{{{MAIN_NS}}}workbookPr").get("codeName")]
    sheet_names = [s.get("name") for s in workbook.iter(f"{{{MAIN_NS}}}sheet")]
    for number in range(1, len(sheet_names) + 1):
        sheet = etree.fromstring(package.read(f"xl/worksheets/sheet{number}.xml"))
        code_names.append(sheet.find(f"{{{MAIN_NS}}}sheetPr").get("codeName"))
    assert sheet_names == [CONFIG_SHEET]
    assert code_names == [m.name for m in modules.values() if m.kind == "document"]


def test_config_sheet_and_version_properties(package) -> None:
    sheet = etree.fromstring(package.read("xl/worksheets/sheet1.xml"))
    rows = [[t.text for t in row.iter(f"{{{MAIN_NS}}}t")] for row in sheet.iter(f"{{{MAIN_NS}}}row")]
    assert ["UDF Modules", UDF_MODULE] in rows
    properties = etree.fromstring(package.read("docProps/custom.xml"))
    values = {p.get("name"): p[0].text for p in properties}
    assert values["xlwings_version"] == xlwings.__version__


def _ribbon_buttons(custom_ui: bytes) -> list[etree._Element]:
    root = etree.fromstring(custom_ui)
    assert root.tag == f"{{{CUSTOM_UI_NS}}}customUI"
    return list(root.iter(f"{{{CUSTOM_UI_NS}}}button"))


def test_ribbon_buttons_call_existing_callbacks(package) -> None:
    custom_ui = package.read("customUI/customUI.xml")
    assert custom_ui == (WORKBOOK_SOURCES / "customUI.xml").read_bytes()
    buttons = _ribbon_buttons(custom_ui)
    assert sorted(b.get("label") for b in buttons) == sorted(RIBBON_LABELS)
    assert [t.get("label") for t in etree.fromstring(custom_ui).iter(f"{{{CUSTOM_UI_NS}}}tab")] == ["离任补贴"]
    callbacks = (WORKBOOK_SOURCES / "vba" / "RibbonCallbacks.bas").read_text(encoding="ascii")
    subs = set(re.findall(r"^Public Sub (\w+)\(control As IRibbonControl\)", callbacks, re.M))
    for button in buttons:
        assert button.get("imageMso") and button.get("screentip"), button.get("id")
        module, sub = button.get("onAction").split(".")
        assert module == "RibbonCallbacks" and sub in subs, button.get("onAction")
    assert len(subs) == len(buttons)


def _callbacks() -> str:
    return (WORKBOOK_SOURCES / "vba" / "RibbonCallbacks.bas").read_text(encoding="ascii")


def _procedure(code: str, name: str) -> str:
    match = re.search(rf"^(?:Public |Private )?(Sub|Function) {name}\(.*?\r?\n(.*?)^End \1", code, re.M | re.S)
    assert match, name
    return match[2]


def test_callbacks_run_the_python_macros() -> None:
    callbacks = _callbacks()
    bodies = re.findall(r"^Public Sub \w+\(control As IRibbonControl\)\r?\n(.*?)^End Sub", callbacks, re.M | re.S)
    called = [re.fullmatch(r'\s*RunSubsidy "(\w+)"\s*', body)[1] for body in bodies]
    assert sorted(called) == sorted(MACRO_FUNCTIONS) == sorted(launch.BUTTONS)
    run = _procedure(callbacks, "RunSubsidy")
    # One RunPython, into launch.run with the button, the add-in's xlwings version and the add-in's path.
    statement = re.sub(r" _\r?\n\s*", " ", re.search(r"^\s*RunPython (.*?)\r?$(?<! _)", run, re.M | re.S)[1])
    assert statement == ('"import subsidy_xl.excel.launch as launch; launch.run(\'" & macroName & "\', \'" '
                         '& XLWINGS_VERSION & "\', \'" & PythonText(ThisWorkbook.FullName) & "\')"')
    assert callbacks.count("RunPython ") == 1


def test_callbacks_handle_every_error_and_check_before_python_starts() -> None:
    """No VBA error dialog (its Debug button opens the editor): RunSubsidy handles errors; the checks run
    before RunPython, Protected View before the workbook (a Protected View window has no ActiveWorkbook)."""
    callbacks = _callbacks()
    run = _procedure(callbacks, "RunSubsidy")
    assert run.index("On Error GoTo failed") < run.index("SubsidyPrecheck()") < run.index("RunPython")
    assert re.search(r'^failed:\r?\n\s*MsgBox SubsidyText\("run_failed"\) & Err\.Description, vbCritical', run, re.M)
    check = _procedure(callbacks, "SubsidyPrecheck")
    order = ["InProtectedView()", "ActiveWorkbook Is Nothing", 'GetConfig("INTERPRETER_WIN"', "FileExists(interpreter)",
             'InstalledVersion(folder, root, "xlwings")', '"{addin}", XLWINGS_VERSION', 'InstalledVersion(folder, root, "subsidy_xl")',
             'dll = "xlwings64-" & XLWINGS_VERSION & ".dll"', 'FileExists(root & "\\" & dll)']
    positions = [check.index(part) for part in order]
    assert positions == sorted(positions)
    assert "Application.ActiveProtectedViewWindow Is Nothing" in _procedure(callbacks, "InProtectedView")
    # Every text the callbacks show exists, in Chinese.
    keys = set(re.findall(r'SubsidyText\("(\w+)"\)', callbacks))
    assert keys == {"title", "protected_view", "no_book", "no_python", "version_mismatch", "no_subsidy", "no_dll", "run_failed"}
    assert keys <= MESSAGES.keys() and all(not MESSAGES[k].isascii() for k in keys)


def _select_case_texts(code: str) -> dict[str, str]:
    """The value of each Case of SubsidyText, by evaluating its ``t = ...`` lines."""
    body = _procedure(code, "SubsidyText")
    texts = {}
    for key, block in re.findall(r'^\s*Case "(\w+)"\r?\n(.*?)(?=^\s*Case |^\s*End Select)', body, re.M | re.S):
        value = ""
        for line in block.strip().splitlines():
            target, expression = line.strip().split(" = ", 1)
            assert target == "t"
            if expression.startswith("t & "):
                expression = expression[4:]
            else:
                assert value == ""
            value += _eval_vba_string(expression)
        texts[key] = value
    return texts


def test_no_helper_shows_up_as_a_worksheet_function(modules) -> None:
    """A Public Function of a standard module is also a worksheet function in Excel's wizard: only the UDF
    wrappers may be; the generated texts module is Option Private Module, the callbacks' helpers Private."""
    assert "\r\nOption Private Module\r\n" in modules[ADDIN_TEXT_MODULE].text()
    callbacks = modules["RibbonCallbacks"].text()
    assert not re.findall(r"^Public Function", callbacks, re.M)
    assert re.findall(r"^Public Sub (\w+)\(", callbacks, re.M) == [
        "OnRefreshAll", "OnCheck", "OnFillPerformance", "OnBuildQuarterly", "OnImportStreets", "OnExportPackage",
        "OnShowHelp", "OnShowAbout"]


def test_addin_texts_are_the_python_strings(modules) -> None:
    code = modules[ADDIN_TEXT_MODULE].text()
    assert _select_case_texts(code) == dict(MESSAGES)
    assert all(len(line) < 1000 for line in code.splitlines())  # VBA's limit is 1023 characters a line


def _assignments(body: str, target: str) -> list[str]:
    """The successive values given to ``target`` (a line ``target = target & ...`` continues the previous one)."""
    values: list[str] = []
    for line in body.splitlines():
        line = line.strip()
        if not line.startswith(f"{target} = "):
            continue
        expression = line[len(target) + 3 :]
        if expression.startswith(f"{target} & "):
            values[-1] += _eval_vba_string(expression[len(target) + 3 :])
        else:
            values.append(_eval_vba_string(expression))
    return values


def test_macro_options_give_the_wizard_category_and_chinese_texts(modules) -> None:
    """Application.MacroOptions for every UDF: category 离任补贴, the registry's description per function and per
    argument; called when the add-in opens."""
    code = modules[ADDIN_TEXT_MODULE].text()
    body = _procedure(code, "SubsidyRegisterFunctions")
    assert body.lstrip().startswith("' ") and "On Error Resume Next" in body.split("category =")[0]
    assert _assignments(body, "category") == ["离任补贴"]
    blocks = re.split(r"^\s*Application\.MacroOptions .*$", body, flags=re.M)[:-1]
    calls = re.findall(r'^\s*Application\.MacroOptions Macro:="(\w+)", Description:=description, '
                       r"Category:=category, ArgumentDescriptions:=arguments\r?$", body, re.M)
    assert calls == [spec.name for spec in UDFS]
    for spec, block in zip(UDFS, blocks):
        assert _assignments(block, "description")[-1] == spec.description
        empty = ", ".join(['""'] * len(spec.args))
        assert f"arguments = Array({empty})" in block
        for number, arg in enumerate(spec.args):
            assert _assignments(block, f"arguments({number})") == [arg.description], (spec.name, arg.name)
    workbook = modules["ThisWorkbook"].text()
    assert _procedure(workbook, "Workbook_Open").strip() == "SubsidyRegisterFunctions"
    assert _procedure(workbook, "Workbook_AddinInstall").strip() == "SubsidyRegisterFunctions"


def test_olevba_shows_the_new_vba_in_the_built_addin(xlam) -> None:
    parser = VBA_Parser(str(xlam), relaxed=False)
    try:
        code = {stream.split("/")[-1]: text for _, stream, _, text in parser.extract_macros()}
    finally:
        parser.close()
    assert "Private Sub Workbook_Open()\r\n    SubsidyRegisterFunctions" in code["ThisWorkbook"]
    assert 'Application.MacroOptions Macro:="ONE_OFF_SUBSIDY"' in code[ADDIN_TEXT_MODULE]
    assert "Private Function SubsidyPrecheck() As String" in code["RibbonCallbacks"]
    assert "launch.run(" in code["RibbonCallbacks"] and "subsidy_xl.excel.macros as m" not in code["RibbonCallbacks"]


def test_the_kit_addin_names_its_own_python(tmp_path) -> None:
    """The kit's add-in starts the private environment's Python from its own xlwings.conf sheet (read here by
    python-calamine); a plain build leaves the choice to the user's xlwings settings."""
    from python_calamine import CalamineWorkbook

    interpreter = r"%LOCALAPPDATA%\subsidy-xl\venv\Scripts\pythonw.exe"
    for folder, given, rows in ((tmp_path / "kit", interpreter, [["UDF Modules", UDF_MODULE], ["Interpreter_Win", interpreter]]),
                                (tmp_path / "plain", None, [["UDF Modules", UDF_MODULE]])):
        built = build_addin(folder, interpreter=given)
        copy = built.with_suffix(".xlsm")  # calamine goes by the extension
        shutil.copyfile(built, copy)
        assert CalamineWorkbook.from_path(str(copy)).get_sheet_by_name(CONFIG_SHEET).to_python() == rows


# --- modules from xlwings and the registry ---------------------------------------------


def test_xlwings_modules_are_the_installed_text(modules) -> None:
    root = Path(xlwings.__file__).parent
    installed = (root / "xlwings_custom_addin.bas").read_bytes().decode("ascii")  # keep CRLF
    adapted = installed.replace('PROJECT_NAME As String = "myaddin"', 'PROJECT_NAME As String = "xlwings"')
    assert modules["xlwings"].text() == adapted  # only the config name changes
    assert modules["Dictionary"] == module_from_export((root / "addin" / "Dictionary.cls").read_text())
    assert f'XLWINGS_VERSION As String = "{xlwings.__version__}"' in modules["xlwings"].text()


def test_udf_wrappers_declare_every_registered_function(modules) -> None:
    code = modules[UDF_WRAPPER_MODULE].text()
    declared = dict(re.findall(r"^Function (\w+)\((.*)\)\r$", code, re.M))
    assert declared.keys() == {spec.name for spec in UDFS}
    for spec in UDFS:
        expected = ", ".join(("Optional " if a.optional else "") + a.name for a in spec.args)
        assert declared[spec.name] == expected
        arguments = ", ".join(a.name for a in spec.args)
        assert (
            f'{spec.name} = XLPy.CallUDF("{UDF_MODULE}", "{spec.name}", Array({arguments}), '
            f"{CALLER_BOOK_FUNCTION}(), Application.Caller)" in code
        )
    # and no other call: each function once, every one passing the caller's workbook
    calls = re.findall(r'XLPy\.CallUDF\("[^"]+", "(\w+)", Array\([^)]*\), (\w+\(\)), Application\.Caller\)', code)
    assert sorted(calls) == sorted((spec.name, f"{CALLER_BOOK_FUNCTION}()") for spec in UDFS)


def _vba_function_body(code: str, name: str) -> list[str]:
    match = re.search(rf"^(?:Private )?Function {name}\(.*?\r\n(.*?)^End Function", code, re.M | re.S)
    assert match, name
    return [line.strip() for line in match[1].splitlines() if line.strip()]


def _eval_vba_string(expression: str) -> str:
    """The value of a VBA string expression made only of "literals", ChrW(n) and vbLf joined by &."""
    term = r'"(?:[^"]|"")*"|ChrW\(\d+\)|vbLf'
    assert re.fullmatch(rf"(?:{term})(?: & (?:{term}))*", expression), expression
    return "".join("\n" if t == "vbLf" else t[1:-1].replace('""', '"') if t.startswith('"') else chr(int(t[5:-1]))
                   for t in re.findall(term, expression))


def test_udfs_pass_the_workbook_of_the_formulas_cell(modules) -> None:
    """With two books open, a formula must read its own book's 参数: the wrapper passes the calling
    cell's workbook (Range.Parent.Parent), the active workbook only when not called from a cell.
    The module's text is what the .xlam holds (test_olevba_extracts_every_module_with_its_exact_source)."""
    code = modules[UDF_WRAPPER_MODULE].text()
    assert "ActiveWorkbook, Application.Caller)" not in code
    assert _vba_function_body(code, CALLER_BOOK_FUNCTION) == [
        'If TypeName(Application.Caller) = "Range" Then',
        f"Set {CALLER_BOOK_FUNCTION} = Application.Caller.Parent.Parent",
        "Else",
        f"Set {CALLER_BOOK_FUNCTION} = ActiveWorkbook",
        "End If",
    ]


def test_a_udf_that_cannot_reach_python_says_so_in_chinese(modules) -> None:
    code = modules[UDF_WRAPPER_MODULE].text()
    (assignment,) = _vba_function_body(code, FAILURE_TEXT_FUNCTION)
    target, expression = assignment.split(" = ", 1)
    assert target == FAILURE_TEXT_FUNCTION
    assert _eval_vba_string(expression) == UDF_FAILURE_PREFIX == "#无法调用 Python，请按安装说明检查："
    for spec in UDFS:
        body = _vba_function_body(code, spec.name)
        assert body[body.index("failed:") + 1] == f"{spec.name} = {FAILURE_TEXT_FUNCTION}() & Err.Description"
        assert f"{spec.name} = Err.Description" not in body


# Statements and keywords that cannot name a VBA parameter.
VBA_RESERVED = {
    "and", "as", "call", "case", "const", "date", "dim", "do", "each", "else", "end", "error",
    "exit", "false", "for", "function", "get", "goto", "if", "in", "is", "let", "like", "loop",
    "me", "mod", "new", "next", "not", "nothing", "on", "option", "optional", "or", "private",
    "property", "public", "resume", "select", "set", "static", "stop", "string", "sub", "then",
    "to", "true", "type", "until", "wend", "while", "with", "xor",
}  # fmt: skip


def test_registry_names_suit_vba_and_python() -> None:
    for spec in UDFS:
        assert spec.name.isidentifier()
        assert spec.description and not spec.description.isascii()
        names = [a.name for a in spec.args]
        assert not VBA_RESERVED & {n.lower() for n in names}, spec.name
        optional = [a.optional for a in spec.args]
        assert optional == sorted(optional), f"{spec.name}: optional args must come last"


def test_udfs_module_matches_registry() -> None:
    udfs = pytest.importorskip(UDF_MODULE)
    for spec in UDFS:
        parameters = list(inspect.signature(getattr(udfs, spec.name)).parameters.values())
        assert [p.name for p in parameters] == [a.name for a in spec.args], spec.name
        assert [p.default is not p.empty for p in parameters] == [a.optional for a in spec.args]


def test_vba_sources_are_ascii(modules) -> None:
    for path in (WORKBOOK_SOURCES / "vba").iterdir():
        assert path.read_bytes().isascii(), path
    for module in modules.values():
        assert module.text().isascii(), module.name


# --- build is reproducible; install and CLI -------------------------------------------


def test_build_is_reproducible(xlam, tmp_path) -> None:
    assert build_addin(tmp_path).read_bytes() == xlam.read_bytes()


def test_install_copies_into_the_given_xlstart(xlam, tmp_path) -> None:
    result = install_addin(xlam, xlstart_dir=tmp_path / "XLSTART")
    assert result.installed == tmp_path / "XLSTART" / ADDIN_FILE_NAME
    assert result.installed.read_bytes() == xlam.read_bytes()
    assert not result.failed


def test_install_reports_a_missing_file(tmp_path) -> None:
    result = install_addin(tmp_path / "missing.xlam", xlstart_dir=tmp_path)
    assert result.failed and result.installed is None


@pytest.mark.skipif(sys.platform == "win32", reason="checks the non-Windows behaviour")
def test_install_outside_windows_only_explains(xlam) -> None:
    result = install_addin(xlam)
    assert result.installed is None and not result.failed
    assert "XLSTART" in result.message and "Windows" in result.message


def test_cli_builds_the_addin(tmp_path) -> None:
    parser = argparse.ArgumentParser(prog="subsidy-xl")
    cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["addin", "build", "-o", str(tmp_path)])
    assert args.func(args) == 0
    assert (tmp_path / ADDIN_FILE_NAME).is_file()


def test_installing_never_sends_the_user_to_the_shared_xlwings_conf(xlam, tmp_path) -> None:
    """`xlwings config create` writes %USERPROFILE%\\.xlwings\\xlwings.conf, which other tools may own: the
    add-in names its Python itself (this Python for `addin install`, the private environment in the kit)."""
    from subsidy_xl.addin.install import this_pythonw

    for result in (install_addin(xlam), install_addin(xlam, xlstart_dir=tmp_path)):
        assert "config create" not in result.message and ".xlwings" not in result.message
    assert "安装.cmd" in install_addin(xlam).message or sys.platform == "win32"
    windowed = Path(sys.executable).with_name("pythonw.exe")
    assert this_pythonw() == str(windowed if windowed.is_file() else Path(sys.executable))
