"""Where a failed button leaves its details: a log file per failure, in the kit's folder.

Used by the ribbon's entry (launch.py) for what fails before a macro runs, and by the macros
(macros.failure_text) for an unexpected failure inside one.
"""
from __future__ import annotations

import datetime as _dt
import os
import sys
import tempfile
import traceback
from pathlib import Path


def log_dir() -> Path:
    """%LOCALAPPDATA%\\subsidy-xl\\logs (the kit's folder); the temp folder where there is none."""
    base = os.environ.get("LOCALAPPDATA")
    return Path(base) / "subsidy-xl" / "logs" if base else Path(tempfile.gettempdir()) / "subsidy-xl-logs"


def write_log(title: str, error: BaseException) -> Path:
    """The traceback of ``error`` with the versions involved, in a new file of log_dir()."""
    folder = log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    path = folder / f"{stamp}.log"
    try:
        import xlwings

        xlwings_version = xlwings.__version__
    except Exception:  # the log must be written even when xlwings itself is what failed
        xlwings_version = "（无法导入）"
    text = (f"操作：{title}\nPython：{sys.version}\n解释器：{sys.executable}\nxlwings：{xlwings_version}\n\n"
            + "".join(traceback.format_exception(type(error), error, error.__traceback__)))
    path.write_text(text, encoding="utf-8")
    return path
