"""Install the add-in: copy it into Excel's XLSTART folder, which Excel opens at start-up."""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path


# Users install with the offline kit (subsidy-xl kit): its add-in names its own Python.
# `addin install` is the developer's path: the add-in it builds names the Python running it
# (its own xlwings.conf sheet), never the user-wide %USERPROFILE%\.xlwings\xlwings.conf.
_USE_THE_KIT = "使用者请用离线安装包安装（信息化人员运行 subsidy-xl kit 生成，见 docs/excel_install_zh.md）"


def this_pythonw() -> str:
    """pythonw.exe beside the running interpreter (no console window), else the interpreter itself."""
    here = Path(sys.executable)
    windowed = here.with_name("pythonw.exe")
    return str(windowed if windowed.is_file() else here)


@dataclass(frozen=True)
class InstallResult:
    installed: Path | None  # the copy in XLSTART, or None when nothing was copied
    message: str
    failed: bool = False  # True for errors; not installing outside Windows is no error


def default_xlstart_dir() -> Path | None:
    """%APPDATA%\\Microsoft\\Excel\\XLSTART on Windows; None elsewhere."""
    if sys.platform != "win32" or not os.environ.get("APPDATA"):
        return None
    return Path(os.environ["APPDATA"]) / "Microsoft" / "Excel" / "XLSTART"


def install_addin(path: Path | str, xlstart_dir: Path | None = None) -> InstallResult:
    """Copy the .xlam at ``path`` into ``xlstart_dir`` (default: the user's XLSTART).

    Outside Windows there is no Excel to install into: nothing is copied and the
    message says what to do on the Windows machine.
    """
    source = Path(path)
    target_dir = xlstart_dir or default_xlstart_dir()
    if target_dir is None:
        return InstallResult(
            None,
            "当前系统不是 Windows，未安装。\n"
            f"{_USE_THE_KIT}：在 Windows 电脑上运行安装包中的“安装.cmd”，它建立专用 Python 环境，并把加载项"
            " 复制到 %APPDATA%\\Microsoft\\Excel\\XLSTART 文件夹；重新打开 Excel，功能区会出现“离任补贴”选项卡。",
        )
    if not source.is_file():
        return InstallResult(None, f"找不到加载项文件：{source}", failed=True)
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / source.name
    try:
        shutil.copyfile(source, target)
    except PermissionError:
        return InstallResult(None, f"无法写入 {target}：请先关闭 Excel 再安装。", failed=True)
    return InstallResult(
        target,
        f"已安装到 {target}。\n重新打开 Excel 后，功能区会出现“离任补贴”选项卡。"
        "可运行 subsidy-xl doctor 检查。",
    )
