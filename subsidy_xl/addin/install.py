"""Install the add-in: copy it into Excel's XLSTART folder, which Excel opens at start-up."""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path


# The add-in starts Python through xlwings, which finds the interpreter in
# %USERPROFILE%\.xlwings\xlwings.conf; `xlwings config create` writes it.
_CONFIGURE_PYTHON = "在装有 subsidy-xl 的 Python 环境中运行 xlwings config create，让加载项找到这个 Python"


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
            "当前系统不是 Windows，未安装。请在装有 Excel 的 Windows 电脑上：\n"
            "  1. 安装 subsidy-xl（会一并安装与本加载项相同版本的 xlwings）；\n"
            f"  2. {_CONFIGURE_PYTHON}；\n"
            f"  3. 运行 subsidy-xl addin install，或把 {source.name} 复制到"
            " %APPDATA%\\Microsoft\\Excel\\XLSTART 文件夹；\n"
            "  4. 重新打开 Excel，功能区会出现“离任补贴”选项卡。",
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
        f"已安装到 {target}。\n如尚未设置：{_CONFIGURE_PYTHON}。\n"
        "重新打开 Excel 后，功能区会出现“离任补贴”选项卡。",
    )
