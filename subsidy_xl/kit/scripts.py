"""The kit's 安装/检查/卸载 scripts and 安装说明.txt.

The scripts are cmd.exe batch files: no admin rights, no PowerShell execution
policy to meet. cmd.exe reads a batch file in the console's code page, which on
Chinese Windows is 936: so they are written in GBK with CRLF line endings (a batch
file with LF only misparses labels). They only find a Python and hand over to
kit_install.py, which is tested as Python; 卸载 needs no Python at all.

A Python is tried in this order: the path given as the first argument, the py
launcher (newest version first), ``python`` on PATH, then per-user and all-users
installs from python.org. kit_install.py exits with 0 when done, 20 when it tried and
failed, 10 when a Python does not suit the kit (version, bitness): the script stops at 0
or 20 and tries the next Python on anything else (10, the py launcher's "no such
version", the Store's python stub, a Python too old to read kit_install.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from . import installer

SCRIPT_ENCODING = "gbk"
INSTALL_SCRIPT = "安装.cmd"
CHECK_SCRIPT = "检查.cmd"
UNINSTALL_SCRIPT = "卸载.cmd"
README = "安装说明.txt"


def _python_search(action: str, versions: Sequence[str]) -> list[str]:
    """Batch lines that run ``kit_install.py action`` with the first suitable Python; sets RC."""
    lines = [
        "set \"RC=\"",
        "if not \"%~1\"==\"\" call :try \"%~1\"",
        "where py >nul 2>nul",
        "if errorlevel 1 goto :no_launcher",
    ]
    lines += [f"call :try py -{v}" for v in sorted(versions, key=lambda v: tuple(map(int, v.split("."))), reverse=True)]
    lines += [
        ":no_launcher",
        "where python >nul 2>nul",
        "if not errorlevel 1 call :try python",
        "for /d %%D in (\"%LOCALAPPDATA%\\Programs\\Python\\Python3*\") do call :try \"%%D\\python.exe\"",
        "for /d %%D in (\"%ProgramFiles%\\Python3*\") do call :try \"%%D\\python.exe\"",
        "for /d %%D in (\"%ProgramFiles(x86)%\\Python3*\") do call :try \"%%D\\python.exe\"",
        "goto :searched",
        "",
        ":try",
        "if defined RC exit /b 0",
        f"%* kit_install.py {action}",
        "set \"TRIED=%ERRORLEVEL%\"",
        "if \"%TRIED%\"==\"0\" set \"RC=0\"",
        f"if \"%TRIED%\"==\"{installer.FAILED}\" set \"RC={installer.FAILED}\"",
        "exit /b 0",
        "",
        ":searched",
    ]
    return lines


def _no_python(supported_text: str) -> list[str]:
    return [
        "if defined RC goto :done",
        "echo.",
        "echo 没有找到可用的 Python。本安装包支持：" + supported_text.replace("%", "%%") + "。",
        "echo 请让信息化人员从 python.org 安装 64 位 Python（安装时不勾选“为所有用户安装”即无需管理员权限），",
        "echo 或把 python.exe 的完整路径作为参数运行，例如：",
        "echo     %~nx0 \"C:\\Users\\用户名\\AppData\\Local\\Programs\\Python\\Python312\\python.exe\"",
        "set \"RC=1\"",
    ]


def install_script(supported_text: str, versions: Sequence[str]) -> str:
    return _batch(
        "安装离任补贴加载项：建立专用 Python 环境（不需要管理员权限，不联网），安装 subsidy-xl，把加载项放入 Excel 启动文件夹。",
        [*_python_search("install", versions), *_no_python(supported_text)],
    )


def check_script(supported_text: str, versions: Sequence[str]) -> str:
    return _batch(
        "检查安装：核对安装包文件，并在专用 Python 环境中运行 subsidy-xl doctor，逐项列出问题和处理办法。",
        [*_python_search("check", versions), *_no_python(supported_text)],
    )


def uninstall_script(addin: str) -> str:
    home = "%LOCALAPPDATA%\\" + "\\".join(installer.HOME_PARTS)
    return _batch(
        "卸载离任补贴加载项：删除专用 Python 环境和 Excel 启动文件夹中的加载项（不改动任何工作簿）。",
        [
            "tasklist /FI \"IMAGENAME eq EXCEL.EXE\" /NH 2>nul | find /I \"EXCEL.EXE\" >nul",
            "if not errorlevel 1 (",
            "    echo Excel 正在运行。请先关闭所有 Excel 窗口，再运行卸载。",
            "    set \"RC=1\"",
            "    goto :done",
            ")",
            f"if exist \"%APPDATA%\\Microsoft\\Excel\\XLSTART\\{addin}\" del /f /q \"%APPDATA%\\Microsoft\\Excel\\XLSTART\\{addin}\"",
            f"if exist \"%APPDATA%\\Microsoft\\Excel\\XLSTART\\{addin}\" (",
            "    echo 无法删除加载项，请关闭 Excel 后重试。",
            "    set \"RC=1\"",
            "    goto :done",
            ")",
            f"if exist \"{home}\" rmdir /s /q \"{home}\"",
            f"if exist \"{home}\" (",
            # Inside a ( ) block a path expanded at parse time could close it ("C:\\Users\\x (y)"): %% prints %.
            f"    echo 无法删除 {home.replace('%', '%%')}，请关闭 Excel 和所有 Python 窗口后重试。",
            "    set \"RC=1\"",
            "    goto :done",
            ")",
            "echo 已卸载：加载项和专用 Python 环境均已删除。您的工作簿没有任何改动。",
            "set \"RC=0\"",
        ],
    )


def _batch(purpose: str, body: list[str]) -> str:
    lines = [
        "@echo off",
        f"rem {purpose}",
        "rem 本文件为 GBK 编码、CRLF 换行（中文 Windows 的 cmd.exe 按代码页 936 读取批处理文件）。",
        "setlocal EnableExtensions DisableDelayedExpansion",
        "pushd \"%~dp0\"",
        *body,
        ":done",
        "popd",
        "echo.",
        "pause",
        "exit /b %RC%",
    ]
    return "\r\n".join(lines) + "\r\n"


def readme(manifest: dict, resolutions: Sequence) -> str:
    not_supported = [
        f"  - Python {r.target.python}（{r.target.bits} 位）：{r.error and '依赖无法解析（' + r.error.splitlines()[-1] + '）' or r.unsupported}"
        for r in resolutions if not r.supported
    ]
    lines = [
        f"离任补贴（subsidy-xl {manifest['version']}）离线安装包",
        "",
        "一、安装（每位使用者在自己的电脑上做一次，不需要管理员权限，不需要上网）",
        "  1. 关闭所有 Excel 窗口。",
        f"  2. 双击本文件夹中的“{INSTALL_SCRIPT}”。它会：",
        "     核对安装包中每个文件的 SHA-256 校验值；",
        "     在 %LOCALAPPDATA%\\subsidy-xl\\venv 建立专用 Python 环境，只用本安装包中的文件安装 subsidy-xl；",
        f"     把加载项 {manifest['addin']} 复制到 Excel 启动文件夹 %APPDATA%\\Microsoft\\Excel\\XLSTART；",
        "     最后自动运行“检查”，逐项列出结果。",
        "  3. 重新打开 Excel，功能区出现“离任补贴”选项卡即安装成功。",
        "",
        "二、需要的 Python",
        f"  本安装包支持：{manifest['supported_text']}。",
        "  电脑上须已有其中一个版本（从 python.org 下载的安装程序，不勾选“为所有用户安装”即不需要管理员权限）。",
        "  安装程序会自动查找；找不到时，可把 python.exe 的完整路径拖到“安装.cmd”上，或在命令提示符中运行：",
        f"    {INSTALL_SCRIPT} \"C:\\...\\python.exe\"",
        *(["  不支持的组合及原因：", *not_supported] if not_supported else []),
        "",
        "三、检查与卸载",
        f"  “{CHECK_SCRIPT}”：核对安装包文件，并检查 Python、xlwings 版本、xlwings DLL、加载项和中文字体，逐项给出处理办法。",
        f"  “{UNINSTALL_SCRIPT}”：删除专用 Python 环境和加载项，不改动任何工作簿。",
        "  加载项只使用自己的设置（加载项内的 xlwings.conf 工作表），不读写 %USERPROFILE%\\.xlwings\\xlwings.conf。",
        "",
        "四、文件",
        f"  {installer.CHECKSUMS}：本文件夹中每个文件的 SHA-256 校验值；",
        f"  {installer.MANIFEST}：各 Python 版本是否支持及原因；wheels：安装用的文件；requirements：每个 Python 版本的安装清单（含校验值）。",
        "  详细说明见源代码中的 docs/excel_install_zh.md。",
    ]
    return "\r\n".join(lines) + "\r\n"


def write_scripts(out: Path, manifest: dict, resolutions: Sequence) -> None:
    versions = sorted({r.target.python for r in resolutions if r.supported})
    supported = manifest["supported_text"]
    for name, text in (
        (INSTALL_SCRIPT, install_script(supported, versions)),
        (CHECK_SCRIPT, check_script(supported, versions)),
        (UNINSTALL_SCRIPT, uninstall_script(manifest["addin"])),
    ):
        (out / name).write_bytes(text.encode(SCRIPT_ENCODING))
    # Notepad opens UTF-8 with a BOM correctly on every Windows version.
    (out / README).write_bytes(readme(manifest, resolutions).encode("utf-8-sig"))
