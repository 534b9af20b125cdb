"""Double-click launchers for staff who never open a terminal: a .cmd for Windows, a .desktop entry
for Kylin/UOS (and other Linux desktops), a .command for macOS. Each runs this very Python with
``-m subsidy_xl.cli ui FOLDER``."""
from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

from ..errors import UserError

TITLE = "离任补贴工具"
WINDOWS_NAME = f"{TITLE}.cmd"
DESKTOP_NAME = "subsidy-xl-ui.desktop"
MAC_NAME = f"{TITLE}.command"


def _cmd_quoted(text: str) -> str:
    """One argument of a cmd.exe command line: in double quotes, ``%`` doubled (cmd expands it even there)."""
    if '"' in text:
        raise UserError(f"路径中含有双引号，无法写入启动文件：{text}")
    return '"' + text.replace("%", "%%") + '"'


def windows_launcher(python: str, folder: str) -> bytes:
    """The .cmd file's bytes. Chinese Windows reads a .cmd in code page 936 (GBK): written so when every
    character fits, else in UTF-8 after ``chcp 65001``."""
    lines = ["@echo off", "title " + TITLE, "echo 正在启动离任补贴工具网页版，请稍候……",
             "echo 使用期间请不要关闭本窗口；用完后关闭本窗口即退出。",
             f"{_cmd_quoted(python)} -m subsidy_xl.cli ui {_cmd_quoted(folder)}",
             "if errorlevel 1 pause", ""]
    text = "\r\n".join(lines)
    try:
        return ("@chcp 936 >nul\r\n" + text).encode("gbk")
    except UnicodeEncodeError:
        return ("@chcp 65001 >nul\r\n" + text).encode("utf-8")


def _exec_quoted(text: str) -> str:
    """An argument of a .desktop Exec key (Desktop Entry Specification, "The Exec key"): quoted, with
    ``"`` `` ` `` ``$`` ``\\`` escaped by a backslash, ``%`` doubled; then, since the key is a string
    value, every backslash doubled again."""
    inner = "".join("\\" + c if c in '"`$\\' else c for c in text).replace("%", "%%")
    return ('"' + inner + '"').replace("\\", "\\\\")


def desktop_entry(python: str, folder: str) -> str:
    """The .desktop file: it opens a terminal (Terminal=true) that shows the address; closing it stops."""
    exec_line = " ".join(_exec_quoted(a) for a in (python, "-m", "subsidy_xl.cli", "ui", folder))
    return "\n".join([
        "[Desktop Entry]", "Type=Application", "Version=1.0", f"Name={TITLE}", f"Name[zh_CN]={TITLE}",
        "Comment=正常离任村（社区）干部生活补助经费：在浏览器中刷新、校验、导出", f"Exec={exec_line}",
        "Path=" + folder.replace("\\", "\\\\"), "Terminal=true", "Icon=x-office-spreadsheet", "Categories=Office;Spreadsheet;",
        "StartupNotify=false", "",
    ])


def mac_command(python: str, folder: str) -> str:
    """The .command file macOS opens in Terminal on a double click: a shell script."""
    argv = " ".join(shlex.quote(a) for a in (python, "-m", "subsidy_xl.cli", "ui", folder))
    return f"#!/bin/sh\n# {TITLE}：双击启动网页版；用完后关闭本窗口即退出\nexec {argv}\n"


def desktop_folder() -> Path:
    """The user's desktop: %USERPROFILE%\\Desktop on Windows, XDG's DESKTOP (桌面 on Chinese Kylin/UOS)."""
    home = Path.home()
    if sys.platform == "win32":
        return Path(os.environ.get("USERPROFILE", home)) / "Desktop"
    try:
        found = subprocess.run(["xdg-user-dir", "DESKTOP"], capture_output=True, text=True, timeout=10).stdout.strip()
        if found and Path(found).is_dir():
            return Path(found)
    except (OSError, subprocess.SubprocessError):
        pass
    for name in ("桌面", "Desktop"):
        if (home / name).is_dir():
            return home / name
    return home


def make_launcher(folder: Path, target_dir: Path | None = None, windows: bool | None = None,
                  python: str | None = None) -> Path:
    """Write the launcher for this system (or ``windows`` as asked) into ``target_dir`` (the desktop)."""
    windows = sys.platform == "win32" if windows is None else windows
    python = python or sys.executable
    folder = str(Path(folder).resolve())
    target_dir = Path(target_dir) if target_dir else desktop_folder()
    if windows:
        path = target_dir / WINDOWS_NAME
        path.write_bytes(windows_launcher(python, folder))
    elif sys.platform == "darwin":
        path = target_dir / MAC_NAME
        path.write_text(mac_command(python, folder), encoding="utf-8")
        path.chmod(0o755)
    else:
        path = target_dir / DESKTOP_NAME
        path.write_text(desktop_entry(python, folder), encoding="utf-8")
        path.chmod(0o755)  # desktops run only executable .desktop files (GNOME, UKUI, DDE)
    return path
