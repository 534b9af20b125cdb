"""Replace a workbook on disk so that no crash can leave it half-written.

``safe_replace(path, write_fn)`` refuses (nothing written) when the workbook is
open in Excel/WPS/LibreOffice or cannot be written; otherwise ``write_fn``
writes the complete new file into a temporary file beside it, which is flushed
and fsynced, the previous version is copied to ``<stem>.bak<suffix>`` (only the
last one is kept), and the temporary file atomically takes the workbook's name
(``os.replace``).  If ``write_fn`` raises, or the process dies, the workbook is
untouched; after an exception the temporary file is removed too (after a hard
kill it is left as a hidden ``.<name>.*.tmp`` file), and an OSError (disk full,
an unwritable backup) comes out as ``SaveFailed`` with a Chinese message.
"""
from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from .zipsafe import WorkbookError

__all__ = ["SaveFailed", "SaveRefused", "WorkbookInUse", "WorkbookReadOnly", "backup_path", "lock_files",
           "os_error_reason", "safe_replace"]


class SaveRefused(WorkbookError):
    """The workbook was not written."""


class WorkbookInUse(SaveRefused):
    """Excel, WPS or LibreOffice has the workbook open."""


class WorkbookReadOnly(SaveRefused):
    """The workbook or its folder cannot be written."""


class SaveFailed(SaveRefused):
    """Writing the new version failed part-way (disk full, I/O error); the workbook is as it was."""


# errno -> why, in Chinese: the one table (io.errors.describe_error describes every OSError with it).
OS_ERROR_REASONS = {
    errno.ENOENT: "找不到文件", errno.EEXIST: "文件已存在，未覆盖", errno.EACCES: "没有权限读写文件",
    errno.EPERM: "没有权限读写文件", errno.EISDIR: "这是一个文件夹，不是工作簿", errno.ENOSPC: "磁盘空间不足",
    errno.EROFS: "磁盘为只读", errno.EIO: "磁盘读写错误", errno.ENAMETOOLONG: "文件名过长",
    **({errno.EDQUOT: "磁盘配额已用完"} if hasattr(errno, "EDQUOT") else {}),
}


def os_error_reason(exc: OSError) -> str:
    """Why, in Chinese (the system's own text is English; it stays in the exception chain for --debug)."""
    return OS_ERROR_REASONS.get(exc.errno) or (f"系统错误代码 {exc.errno}" if exc.errno else "系统错误")


def backup_path(path: str | os.PathLike[str]) -> Path:
    """Where the previous version is kept: demo.xlsx -> demo.bak.xlsx."""
    path = Path(path)
    return path.with_name(f"{path.stem}.bak{path.suffix}")


def lock_files(path: str | os.PathLike[str]) -> list[Path]:
    """Owner/lock files that an office suite creates beside a workbook it has open."""
    path = Path(path)
    return [
        path.with_name("~$" + path.name),  # Excel and WPS on Windows
        path.with_name(f".~lock.{path.name}#"),  # LibreOffice
    ]


def safe_replace(path: str | os.PathLike[str], write_fn: Callable[[BinaryIO], object],
                 backup: bool = True) -> Path | None:
    """Write a new version of `path` through `write_fn(file)`, atomically; see the module docstring.

    Returns the backup of the previous version, or None when none was made.
    """
    path = Path(path)
    _refuse_if_unwritable(path)
    temp = _temp_file(path)
    kept = None
    try:
        with open(temp, "wb") as handle:
            write_fn(handle)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            shutil.copymode(path, temp)
            if backup:
                kept = _keep_backup(path)
        try:
            os.replace(temp, path)
        except PermissionError as exc:  # Windows: another program holds the file open
            raise WorkbookInUse(f"工作簿“{path.name}”正被其他程序占用，无法替换，请关闭后再试。文件未作任何修改。") from exc
    except BaseException as exc:
        temp.unlink(missing_ok=True)
        if isinstance(exc, OSError):  # disk full, a backup that cannot be written ...: a message, not a traceback
            raise SaveFailed(f"保存“{path.name}”时出错（{os_error_reason(exc)}），文件未作任何修改。") from exc
        raise
    _fsync_directory(path.parent)
    return kept


def _refuse_if_unwritable(path: Path) -> None:
    for lock in lock_files(path):
        if lock.exists():
            raise WorkbookInUse(f"工作簿“{path.name}”正在 Excel/WPS/LibreOffice 中打开（发现锁文件“{lock.name}”），"
                                f"请先关闭它再试。文件未作任何修改。")
    folder = path.parent
    if path.exists() and not _writable(path):
        raise WorkbookReadOnly(f"工作簿“{path.name}”是只读文件，无法保存。请取消只读属性后再试。文件未作任何修改。")
    if not folder.is_dir() or not _writable(folder):
        raise WorkbookReadOnly(f"文件夹“{folder}”不可写，无法保存“{path.name}”。文件未作任何修改。")


def _writable(path: Path) -> bool:
    # A file or folder without any write bit is meant to be read-only (Windows' read-only
    # attribute shows that way too), even for root or an administrator, whom os.access lets through.
    return os.access(path, os.W_OK) and bool(path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def _temp_file(path: Path) -> Path:
    try:
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise WorkbookReadOnly(f"无法在文件夹“{path.parent}”中写入临时文件（{os_error_reason(exc)}），"
                               f"“{path.name}”未作任何修改。") from exc
    os.close(handle)
    return Path(name)


def _keep_backup(path: Path) -> Path:
    """Copy the current version to its backup name, itself atomically (copy, fsync, rename)."""
    target = backup_path(path)
    staging = target.with_name(f".{target.name}.tmp")
    try:
        shutil.copy2(path, staging)
        with open(staging, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(staging, target)
    except BaseException:
        staging.unlink(missing_ok=True)
        raise
    return target


def _fsync_directory(folder: Path) -> None:
    """Make the rename itself durable (POSIX); Windows has no directory handles to sync."""
    if os.name != "posix":
        return
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:  # some network file systems refuse it; the rename has happened all the same
        pass
    finally:
        os.close(descriptor)
