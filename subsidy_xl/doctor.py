"""``subsidy-xl doctor``: is this PC ready for the add-in? Each finding in Chinese, with its fix.

What it looks at is what the add-in will do on Windows: the Python it starts (its
own xlwings.conf sheet's Interpreter_Win), the xlwings DLL it loads from beside that
Python or one folder up (xlwings' XLPyLoadDLL), whether that Python imports
subsidy_xl and has the add-in's xlwings version, the copy in XLSTART, and the fonts
the PDFs need. Elsewhere it reports what it can and says what it could not check.
The add-in's 关于 button and a failing button show the same findings.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from defusedxml import ElementTree

from .errors import os_error_reason

ADDIN_FILE_NAME = "subsidy_xl.xlam"  # the name addin.build gives it (no xlwings import here)
RERUN_INSTALL = "请重新运行离线安装包中的“安装.cmd”"
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CUSTOM = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"
_CHINESE_FONT_FILES = ("simsun.ttc", "msyh.ttc", "msyh.ttf", "simhei.ttf", "simkai.ttf")


@dataclass(frozen=True)
class Finding:
    ok: bool | None  # True fine, False a problem, None could not be checked here
    item: str
    text: str
    fix: str = ""

    def line(self) -> str:
        label = {True: "正常", False: "问题", None: "未检查"}[self.ok]
        return f"[{label}] {self.item}：{self.text}" + (f"\n        处理：{self.fix}" if self.fix else "")


@dataclass(frozen=True)
class AddinInfo:
    path: Path
    xlwings: str | None
    version: str | None
    config: dict[str, str]  # the xlwings.conf sheet, keys upper-cased as xlwings reads them

    @property
    def interpreter(self) -> str | None:
        return self.config.get("INTERPRETER_WIN") or self.config.get("INTERPRETER")


def read_addin(path: Path) -> AddinInfo:
    """The add-in's document properties and its xlwings.conf sheet (column A keys, column B values)."""
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        properties = {}
        if "docProps/custom.xml" in names:
            root = ElementTree.fromstring(archive.read("docProps/custom.xml"))
            properties = {p.get("name"): "".join(p.itertext()) for p in root.iter(f"{_CUSTOM}property")}
        config: dict[str, str] = {}
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target") for r in rels.iter(f"{_PKG_REL}Relationship")}
        for sheet in workbook.iter(f"{_MAIN}sheet"):
            if sheet.get("name") != "xlwings.conf":
                continue
            part = "xl/" + targets[sheet.get(f"{_REL}id")].lstrip("/").removeprefix("xl/")
            rows: dict[str, dict[str, str]] = {}
            for cell in ElementTree.fromstring(archive.read(part)).iter(f"{_MAIN}c"):
                where = re.fullmatch(r"([A-Z]+)(\d+)", cell.get("r") or "")
                if where is None:
                    continue  # a cell without its reference (optional in the format): not a key or a value we can place
                column, row = where.groups()
                rows.setdefault(row, {})[column] = "".join(t.text or "" for t in cell.iter(f"{_MAIN}t"))
            config = {r["A"].upper(): r.get("B", "") for r in rows.values() if r.get("A")}
    return AddinInfo(Path(path), properties.get("xlwings_version"), properties.get("subsidy_xl_version"), config)


def expand_windows_variables(text: str, environ=None) -> str:
    """%NAME% replaced as Windows does (names case-insensitive; unknown ones kept)."""
    environ = {k.upper(): v for k, v in (os.environ if environ is None else environ).items()}
    return re.sub(r"%([^%]+)%", lambda m: environ.get(m[1].upper(), m[0]), text)


def _windows_parent(path: str) -> str:
    return path.rstrip("\\/").rsplit("\\", 1)[0] if "\\" in path else str(Path(path).parent)


def dll_folders(interpreter: str) -> list[str]:
    """Where the add-in looks for xlwings' DLL: beside the interpreter, then one folder up."""
    parent = _windows_parent(interpreter)
    return [parent, _windows_parent(parent)]


def _join(folder: str, name: str) -> str:
    return f"{folder}\\{name}" if "\\" in folder else str(Path(folder) / name)


# ---------------------------------------------------------------- the checks

def python_finding() -> Finding:
    from packaging.specifiers import SpecifierSet

    version = ".".join(map(str, sys.version_info[:3]))
    bits = 64 if sys.maxsize > 2**32 else 32
    text = f"Python {version}（{bits} 位），{sys.executable}"
    needs = []
    for distribution in ("subsidy-xl", "xlwings"):
        try:
            needs.append(importlib.metadata.metadata(distribution).get("Requires-Python"))
        except importlib.metadata.PackageNotFoundError:  # run from a source tree without installing
            pass
    needs = [n for n in needs if n]
    if not all(SpecifierSet(n).contains(version) for n in needs):
        return Finding(False, "Python 版本", text + f"；需要 Python {'，'.join(needs)}",
                       "请安装 64 位 Python 3.11 或更高版本后，" + RERUN_INSTALL)
    return Finding(True, "Python 版本", text)


def _probe(interpreter: str, run=subprocess.run) -> tuple[dict[str, str] | None, str]:
    """Start ``interpreter`` as the add-in would and import subsidy_xl: (versions, error text)."""
    console = interpreter
    if console.lower().endswith("pythonw.exe"):  # same folder, but with output we can read
        console = console[: -len("pythonw.exe")] + "python.exe"
    code = ("import sys, xlwings, subsidy_xl; "
            "print(sys.version.split()[0], 64 if sys.maxsize > 2**32 else 32, xlwings.__version__, subsidy_xl.__version__)")
    try:
        # In the interpreter's folder, as xlwings starts it (and no package of the current folder shadows one).
        done = run([console, "-c", code], capture_output=True, text=True, timeout=120, cwd=Path(console).parent)
    except subprocess.TimeoutExpired:
        return None, "启动后 120 秒仍未完成"
    except OSError as e:
        return None, str(e)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [f"退出码 {done.returncode}"])[-1]
        return None, last
    words = (done.stdout.strip().splitlines() or [""])[-1].split()  # the last line: a sitecustomize may print first
    if len(words) != 4:
        return None, f"输出无法识别：{done.stdout.strip()[-200:]}"
    python, bits, xlwings, subsidy = words
    return {"python": python, "bits": bits, "xlwings": xlwings, "subsidy_xl": subsidy}, ""


def interpreter_findings(addin: AddinInfo | None, interpreter: str | None = None, run=subprocess.run) -> list[Finding]:
    """The Python the add-in starts: found, imports subsidy_xl, has the add-in's xlwings, the DLL beside it."""
    found = []
    if interpreter is None:
        if addin is None:
            return [Finding(None, "加载项启动的 Python", "没有找到加载项文件，无法确定",
                            "安装后再运行检查，或用 --addin 指定 subsidy_xl.xlam")]
        configured = addin.interpreter
        if not configured:
            return [Finding(False, "加载项启动的 Python",
                            "加载项没有指定 Python，将使用 %USERPROFILE%\\.xlwings\\xlwings.conf 或 PATH 中的 pythonw（可能是别的 Python）",
                            "请使用离线安装包安装（其加载项指定了专用环境中的 Python）")]
        interpreter = expand_windows_variables(configured)
        if sys.platform != "win32":
            return [Finding(None, "加载项启动的 Python", f"{interpreter}（本机不是 Windows，无法检查）")]
    exists = Path(interpreter).is_file()
    if not exists:
        return [Finding(False, "加载项启动的 Python", f"找不到 {interpreter}", RERUN_INSTALL)]
    versions, error = _probe(interpreter, run)
    if versions is None:
        found.append(Finding(False, "加载项启动的 Python", f"{interpreter} 无法导入 subsidy_xl：{error}", RERUN_INSTALL))
    else:
        found.append(Finding(True, "加载项启动的 Python",
                             f"{interpreter}（Python {versions['python']}，{versions['bits']} 位，subsidy-xl {versions['subsidy_xl']}）"))
        wanted = addin.xlwings if addin else None
        if wanted and versions["xlwings"] != wanted:
            found.append(Finding(False, "xlwings 版本", f"版本不一致：加载项需要 xlwings {wanted}，该 Python 中是 {versions['xlwings']}",
                                 RERUN_INSTALL + "（安装包中的加载项与 xlwings 版本一致）"))
        elif wanted:
            found.append(Finding(True, "xlwings 版本", f"{wanted}，与加载项一致"))
    version = (addin.xlwings if addin else None) or (versions or {}).get("xlwings")
    if version:
        names = [f"xlwings64-{version}.dll", f"xlwings32-{version}.dll"]
        folders = dll_folders(interpreter)
        present = [n for n in names if any(Path(_join(f, n)).is_file() for f in folders)]
        if len(present) == len(names):
            found.append(Finding(True, "xlwings DLL", f"{'、'.join(names)} 位于 {' 或 '.join(folders)}"))
        else:
            missing = [n for n in names if n not in present]
            found.append(Finding(False, "xlwings DLL", f"加载项在 {' 和 '.join(folders)} 中找不到 {'、'.join(missing)}，"
                                 "工作表函数将显示“Could not load …dll”",
                                 RERUN_INSTALL + "（专用环境中的 64 位 Python 会带上这两个 DLL）"))
    return found


def xlstart_finding(xlstart: Path | None) -> Finding:
    if xlstart is None:
        return Finding(None, "Excel 启动文件夹", "本机不是 Windows，没有 XLSTART 文件夹")
    path = xlstart / ADDIN_FILE_NAME
    if path.is_file():
        return Finding(True, "Excel 启动文件夹", f"加载项已在 {path}")
    return Finding(False, "Excel 启动文件夹", f"{path} 不存在，Excel 启动时不会打开加载项", RERUN_INSTALL)


def font_finding() -> Finding:
    if sys.platform == "win32":
        fonts = Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"
        present = [n for n in _CHINESE_FONT_FILES if (fonts / n).is_file()]
        if present:
            return Finding(True, "中文字体", f"{fonts} 中有 {'、'.join(present)}，导出的 PDF 可正常显示中文")
        return Finding(False, "中文字体", f"{fonts} 中没有宋体、微软雅黑或黑体", "请信息化人员安装中文字体（如宋体）")
    from .export.pdf import cjk_font_missing

    if cjk_font_missing():
        return Finding(False, "中文字体", "本机没有中文字体，用 LibreOffice 导出的 PDF 中的中文会显示为方框",
                       "请安装中文字体（如 fonts-noto-cjk）")
    return Finding(True, "中文字体", "已安装中文字体，LibreOffice 导出的 PDF 可正常显示中文")


def diagnose(addin: Path | None = None, xlstart: Path | None = None, interpreter: str | None = None,
             run=subprocess.run) -> list[Finding]:
    """Every finding, in the order a person would fix them.

    ``addin``: the .xlam to check (default: the copy in XLSTART); ``xlstart``: the folder
    (default: the user's on Windows); ``interpreter``: check this Python instead of the add-in's.
    """
    from .addin.install import default_xlstart_dir

    xlstart = xlstart or default_xlstart_dir()
    if addin is None and xlstart is not None and (xlstart / ADDIN_FILE_NAME).is_file():
        addin = xlstart / ADDIN_FILE_NAME
    findings = [python_finding()]
    info = None
    if addin is not None:
        try:
            info = read_addin(addin)
            findings.append(Finding(True, "加载项", f"{addin}（subsidy-xl {info.version}，xlwings {info.xlwings}）"))
        except (OSError, KeyError, zipfile.BadZipFile, ElementTree.ParseError) as e:
            reason = os_error_reason(e) if isinstance(e, OSError) else "文件已损坏或不是 Excel 加载项"
            findings.append(Finding(False, "加载项", f"无法读取 {addin}：{reason}", RERUN_INSTALL))
    here = importlib.metadata.version("xlwings")
    if info and info.xlwings and info.xlwings != here and interpreter is None and info.interpreter is None:
        findings.append(Finding(False, "xlwings 版本", f"版本不一致：加载项需要 xlwings {info.xlwings}，本 Python 中是 {here}",
                                RERUN_INSTALL))
    findings += interpreter_findings(info, interpreter, run)
    findings.append(xlstart_finding(xlstart))
    findings.append(font_finding())
    return findings


def report_text(findings: list[Finding]) -> str:
    problems = sum(f.ok is False for f in findings)
    head = "检查结果：" + (f"发现 {problems} 个问题，请按“处理”逐项解决。" if problems else "未发现问题。")
    return "\n".join([head, *(f.line() for f in findings)])
