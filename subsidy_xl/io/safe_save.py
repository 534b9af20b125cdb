"""Write workbooks so that nothing is lost: atomically, never over someone else's save, with dated backups.

One rule for every command that writes a file:

* **Replacing a workbook** (``refresh``, ``fill-performance``, ``import-performance``, ``import-streets`` in
  place, or with ``-o`` naming the workbook itself): ``safe_replace(path, write_fn, expected=...)``.
  It refuses (nothing written) when the workbook is open in Excel/WPS/LibreOffice or cannot be written.
  ``write_fn`` writes the complete new file into a temporary file beside it, which is flushed and fsynced;
  then, if the workbook is no longer the file that was read (``Snapshot``: size, modification time and
  every byte of what was read), the save is refused with ``WorkbookChanged``; otherwise the previous version
  is copied into the backup folder (``BACKUP_FOLDER`` beside the workbook, the last ``BACKUPS_KEPT`` kept,
  each named with its date and time) and the temporary file atomically takes the workbook's name
  (``os.replace``). A workbook reached through a symbolic link is written where the link points; the link
  stays a link.
* **Making a new file** (``new``, ``demo``, ``street-form``, and ``-o`` naming another file):
  ``safe_create(path, write_fn)`` / ``creating(path)``. A file that exists is never overwritten
  (``文件已存在，未覆盖``), also when it appears while the new one is being written: the finished temporary
  file is hard-linked to the name, which fails if the name is taken.
* Concurrent runs on one folder are serialised by ``workbook_lock`` (an operating-system lock on the hidden
  file ``LOCK_FILE`` in the folder, through the ``filelock`` library: fcntl on POSIX, msvcrt on Windows),
  held from before the workbook is read until it is written.

If ``write_fn`` raises, or the process dies, the workbook is untouched; after an exception the temporary
file is removed too (after a hard kill a hidden ``.subsidy-xl-*.tmp`` file is left), and an OSError (disk
full, an unwritable backup) comes out as ``SaveFailed`` with a Chinese message. Temporary and backup names
stay within the 255-byte limit of a file name, however long the workbook's own name is.
"""
from __future__ import annotations

import datetime as _dt
import errno
import os
import re
import secrets
import shutil
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..errors import os_error_reason
from .zipsafe import WorkbookError

__all__ = ["BACKUPS_KEPT", "BACKUP_FOLDER", "LOCK_FILE", "SaveFailed", "SaveRefused", "Snapshot",
           "WorkbookBusy", "WorkbookChanged", "WorkbookInUse", "WorkbookReadOnly", "backups_of", "creating",
           "lock_files", "office_lock_note", "os_error_reason", "output_target", "real_target",
           "refuse_existing", "refuse_if_unwritable", "safe_create", "safe_replace", "workbook_lock"]

BACKUP_FOLDER = "subsidy-xl备份"  # beside the workbook
BACKUPS_KEPT = 5  # per workbook: the last five versions replaced
LOCK_FILE = ".subsidy-xl.lock"  # one per folder written
LOCK_WAIT_SECONDS = 600.0  # how long a run waits for another one writing in the same folder
_NAME_MAX_BYTES = 255  # a file name's limit on NTFS, ext4, APFS ... (UTF-8 bytes here; NTFS counts UTF-16 units)
_STAMP_FORMAT = "%Y%m%d-%H%M%S"
_COMPARE_CHUNK = 1 << 20


class SaveRefused(WorkbookError):
    """The workbook was not written."""


class WorkbookInUse(SaveRefused):
    """Excel, WPS or LibreOffice has the workbook open."""


class WorkbookReadOnly(SaveRefused):
    """The workbook or its folder cannot be written."""


class WorkbookChanged(SaveRefused):
    """The workbook on disk is no longer the file that was read (someone saved it meanwhile)."""


class WorkbookBusy(SaveRefused):
    """Another subsidy-xl run kept writing in the same folder for longer than we waited."""


class SaveFailed(SaveRefused):
    """Writing the new version failed part-way (disk full, I/O error); the workbook is as it was."""


def lock_files(path: str | os.PathLike[str]) -> list[Path]:
    """Owner/lock files that an office suite creates beside a workbook it has open."""
    path = Path(path)
    return [
        path.with_name("~$" + path.name),  # Excel and WPS on Windows
        path.with_name(f".~lock.{path.name}#"),  # LibreOffice
    ]


def office_lock_note(path: str | os.PathLike[str]) -> str | None:
    """For a command that only reads: the note that the workbook is open in an office suite, so what is read
    is its last saved state (None when it is not open)."""
    found = _office_lock(Path(path))
    if found is None:
        return None
    return (f"工作簿“{Path(path).name}”正在 Excel/WPS/LibreOffice 中打开（发现锁文件“{found.name}”），"
            f"本次读取的是它最后一次保存的内容；尚未保存的修改不在其中。")


def real_target(path: str | os.PathLike[str]) -> Path:
    """The file a path names, symbolic links followed (a refresh through a link writes the linked file)."""
    return Path(os.path.realpath(path))


# ---------------------------------------------------------------------------------------------
# what was read
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Snapshot:
    """The workbook as it was read: its size and modification time before the read, and the bytes read
    (the very bytes object the reader holds anyway: nothing is copied)."""

    size: int
    mtime_ns: int
    data: bytes

    @classmethod
    def of(cls, before: os.stat_result, data: bytes) -> Snapshot:
        """``before``: os.stat of the file taken before it was read; ``data``: the bytes read."""
        return cls(before.st_size, before.st_mtime_ns, data)

    def same_stat(self, path: Path) -> bool:
        """Whether the file at ``path`` still has the size and modification time it had (the quick check)."""
        try:
            now = os.stat(path)
        except FileNotFoundError:
            return False
        return (now.st_size, now.st_mtime_ns) == (self.size, self.mtime_ns)

    def matches(self, path: Path) -> bool:
        """Whether the file at ``path`` is still exactly what was read: size, time, and every byte (compared
        with the bytes read chunk by chunk, which is stronger than comparing digests and ten times faster)."""
        if not self.same_stat(path) or len(self.data) != self.size:
            return False
        read = memoryview(self.data)
        at = 0
        with open(path, "rb") as handle:
            while chunk := handle.read(_COMPARE_CHUNK):
                if read[at:at + len(chunk)] != chunk:
                    return False
                at += len(chunk)
        return at == len(read)


def _refuse_if_changed(path: Path, expected: Snapshot | None) -> None:
    if expected is not None and not expected.matches(path):
        raise WorkbookChanged(
            f"工作簿“{path.name}”在本次运行期间被修改过（例如同事刚保存了它，或另一程序写入了它），"
            f"为免覆盖这些修改，本次未写入。请重新运行。文件未作任何修改。")


# ---------------------------------------------------------------------------------------------
# where to write
# ---------------------------------------------------------------------------------------------
def refuse_existing(path: str | os.PathLike[str]) -> None:
    """A command that makes a new file never overwrites one (a dangling link counts as one)."""
    if os.path.lexists(path):
        raise FileExistsError(f"文件已存在，未覆盖：{path}。请换一个文件名，或先将原文件改名或移走。")


def output_target(book: str | os.PathLike[str], out: str | os.PathLike[str] | None) -> tuple[Path, bool]:
    """Where a command that changes ``book`` writes, and whether it replaces the workbook itself.

    Without ``out``, or with ``out`` naming the workbook itself (also through a link): the workbook, links
    followed, in place (with a backup). Otherwise ``out`` must not exist: it is refused as ``new`` refuses an
    existing file.
    """
    if out is None:
        return real_target(book), True
    if os.path.lexists(out):
        if os.path.exists(out) and os.path.exists(book) and os.path.samefile(out, book):
            return real_target(book), True
        refuse_existing(out)
    return Path(out), False


def refuse_if_unwritable(path: str | os.PathLike[str], *names: Path) -> None:
    """Refuse (nothing written) a workbook open in an office suite, read-only, or in a read-only folder.
    ``names``: other names of the same file (the link it was reached through) whose lock files count too."""
    path = Path(path)
    for name in (path, *names):
        lock = _office_lock(name)
        if lock is not None:
            raise WorkbookInUse(f"工作簿“{name.name}”正在 Excel/WPS/LibreOffice 中打开（发现锁文件“{lock.name}”），"
                                f"请先关闭它再试。文件未作任何修改。")
    folder = path.parent
    if path.exists() and not _writable(path):
        raise WorkbookReadOnly(f"工作簿“{path.name}”是只读文件，无法保存。请取消只读属性后再试。文件未作任何修改。")
    if not folder.is_dir() or not _writable(folder):
        raise WorkbookReadOnly(f"文件夹“{folder}”不可写，无法保存“{path.name}”。文件未作任何修改。")


def _office_lock(path: Path) -> Path | None:
    return next((lock for lock in lock_files(path) if os.path.lexists(lock)), None)


def _writable(path: Path) -> bool:
    # A file or folder without any write bit is meant to be read-only (Windows' read-only
    # attribute shows that way too), even for root or an administrator, whom os.access lets through.
    return os.access(path, os.W_OK) and bool(path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


# ---------------------------------------------------------------------------------------------
# one writer at a time
# ---------------------------------------------------------------------------------------------
@contextmanager
def workbook_lock(path: str | os.PathLike[str], on_wait: Callable[[str], None] | None = None,
                  wait: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """Hold the lock of the folder ``path`` is written in; another subsidy-xl run waits for it (up to ``wait``
    seconds, then ``WorkbookBusy``). ``on_wait`` is told once when this run has to wait."""
    from filelock import FileLock, Timeout

    target = real_target(path)
    lock = FileLock(os.fspath(target.parent / LOCK_FILE))
    try:
        try:
            lock.acquire(timeout=0)
        except Timeout:
            if on_wait is not None:
                on_wait("另一个 subsidy-xl 正在写入同一文件夹中的工作簿，等待它完成…")
            lock.acquire(timeout=wait)
    except Timeout as exc:
        raise WorkbookBusy(f"另一个 subsidy-xl 正在写入“{target.parent}”中的工作簿，已等待 {wait:.0f} 秒仍未完成，"
                           f"请稍后再试。“{target.name}”未作任何修改。") from exc
    except OSError as exc:
        raise WorkbookReadOnly(f"无法在文件夹“{target.parent}”中建立锁文件（{os_error_reason(exc)}），"
                               f"“{target.name}”未作任何修改。") from exc
    try:
        yield
    finally:
        lock.release()


# ---------------------------------------------------------------------------------------------
# replacing a workbook
# ---------------------------------------------------------------------------------------------
def safe_replace(path: str | os.PathLike[str], write_fn: Callable[[BinaryIO], object], backup: bool = True,
                 expected: Snapshot | None = None) -> Path | None:
    """Write a new version of `path` through `write_fn(file)`, atomically; see the module docstring.

    ``expected``: the workbook as it was read; the save is refused (WorkbookChanged) when the file is no
    longer that. Returns the backup of the previous version, or None when none was made.
    """
    given = Path(path)
    path = real_target(given)
    refuse_if_unwritable(path, given)
    temp = _temp_file(path)
    kept = None
    try:
        with open(temp, "wb") as handle:
            write_fn(handle)
            handle.flush()
            os.fsync(handle.fileno())
        _refuse_if_changed(path, expected)
        if path.exists():
            shutil.copymode(path, temp)
            if backup:
                kept = _keep_backup(path)
        if expected is not None and not expected.same_stat(path):  # saved while the backup was made
            if kept is not None:
                kept.unlink(missing_ok=True)
                kept = None
            _refuse_if_changed(path, expected)
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
    if kept is not None:
        _prune_backups(path)
    return kept


# ---------------------------------------------------------------------------------------------
# making a new file
# ---------------------------------------------------------------------------------------------
def safe_create(path: str | os.PathLike[str], write_fn: Callable[[BinaryIO], object]) -> Path:
    """Write a new file at `path` through `write_fn(file)`: complete or not at all, never over an existing one."""
    with creating(path) as temp:
        with open(temp, "wb") as handle:
            write_fn(handle)
    return Path(path)


@contextmanager
def creating(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A hidden temporary file beside `path` for the caller to write (by name); when the block ends it becomes
    `path` (refused if that exists by then), or is removed if the block raised. OSErrors become SaveFailed."""
    path = Path(path)
    refuse_existing(path)
    if not path.parent.is_dir() or not _writable(path.parent):
        raise WorkbookReadOnly(f"文件夹“{path.parent}”不存在或不可写，无法生成“{path.name}”。")
    temp = _temp_file(path)
    try:
        yield temp
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())
        _link_new(temp, path)
    except BaseException as exc:
        temp.unlink(missing_ok=True)
        if isinstance(exc, OSError) and not isinstance(exc, FileExistsError):
            raise SaveFailed(f"生成“{path.name}”时出错（{os_error_reason(exc)}），未生成该文件。") from exc
        raise
    _fsync_directory(path.parent)


def _link_new(temp: Path, path: Path) -> None:
    """Give the finished `temp` the name `path` unless that is taken (then FileExistsError)."""
    try:
        os.link(temp, path)  # atomic, and fails if the name exists
    except FileExistsError:
        raise FileExistsError(f"文件已存在，未覆盖：{path}。请换一个文件名，或先将原文件改名或移走。") from None
    except (OSError, NotImplementedError):  # no hard links here (FAT on a USB stick ...)
        if os.name != "nt":  # Windows' rename refuses an existing name by itself
            refuse_existing(path)
        try:
            os.rename(temp, path)
        except FileExistsError:
            raise FileExistsError(f"文件已存在，未覆盖：{path}。请换一个文件名，或先将原文件改名或移走。") from None
        return
    temp.unlink()


def _create_exclusive(path: Path) -> None:
    """Create an empty file that must not exist yet, mode 0666 less the umask."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666))


def _temp_file(path: Path) -> Path:
    """A new hidden file beside `path`, with a short name (whatever the length of `path`'s), mode 0666 less
    the umask as any new file."""
    for _attempt in range(100):
        temp = path.parent / f".subsidy-xl-{secrets.token_hex(6)}.tmp"
        try:
            _create_exclusive(temp)
        except FileExistsError:
            continue
        except OSError as exc:
            raise WorkbookReadOnly(f"无法在文件夹“{path.parent}”中写入临时文件（{os_error_reason(exc)}），"
                                   f"“{path.name}”未作任何修改。") from exc
        return temp
    raise WorkbookReadOnly(f"无法在文件夹“{path.parent}”中建立临时文件，“{path.name}”未作任何修改。")


# ---------------------------------------------------------------------------------------------
# backups
# ---------------------------------------------------------------------------------------------
def backups_of(path: str | os.PathLike[str]) -> list[Path]:
    """The backups kept of the workbook at `path` (links followed), oldest first."""
    path = real_target(path)
    folder = path.parent / BACKUP_FOLDER
    if not folder.is_dir():
        return []
    pattern = _backup_pattern(path)
    found = []
    for entry in folder.iterdir():
        match = pattern.fullmatch(entry.name)
        if match and entry.is_file():
            found.append(((match[1], int(match[2] or 0)), entry))
    return [entry for _key, entry in sorted(found)]


def _backup_stem(path: Path) -> str:
    """The workbook's stem, shortened (at a character) so that stem + ".YYYYMMDD-HHMMSS-NN" + suffix fits."""
    room = _NAME_MAX_BYTES - len(".20261231-235959-99".encode()) - len(path.suffix.encode())
    stem = path.stem
    while len(stem.encode()) > room:
        stem = stem[:-1]
    return stem


def _backup_pattern(path: Path) -> re.Pattern[str]:
    return re.compile(re.escape(_backup_stem(path)) + r"\.(\d{8}-\d{6})(?:-(\d+))?" + re.escape(path.suffix))


def _keep_backup(path: Path) -> Path:
    """Copy the current version into the backup folder under its date and time, itself atomically."""
    folder = path.parent / BACKUP_FOLDER
    made = not folder.is_dir()
    folder.mkdir(exist_ok=True)
    stem, stamp = _backup_stem(path), _dt.datetime.now().strftime(_STAMP_FORMAT)
    try:
        staging = _temp_file(folder / path.name)
    except BaseException:
        _remove_if_made(folder, made)
        raise
    try:
        shutil.copy2(path, staging)
        with open(staging, "rb+") as handle:
            os.fsync(handle.fileno())
        # After the backups of this second so far (a name freed by pruning is not reused: it would sort first).
        pattern = _backup_pattern(path)
        taken = [int(m[2] or 0) for b in backups_of(path) if (m := pattern.fullmatch(b.name)) and m[1] == stamp]
        first = max(taken) + 1 if taken else 0
        for number in range(first, first + 100):
            target = folder / (f"{stem}.{stamp}" + (f"-{number}" if number else "") + path.suffix)
            try:
                _link_new(staging, target)
            except FileExistsError:
                continue
            return target
        raise OSError(errno.EEXIST, "too many backups in one second", str(folder))
    except BaseException:
        staging.unlink(missing_ok=True)
        _remove_if_made(folder, made)  # a failed first backup leaves no empty folder behind
        raise
    finally:
        staging.unlink(missing_ok=True)


def _remove_if_made(folder: Path, made: bool) -> None:
    if made:
        try:
            folder.rmdir()
        except OSError:
            pass


def _prune_backups(path: Path) -> None:
    """Keep the last BACKUPS_KEPT backups of the workbook; a backup that cannot be removed stays."""
    for old in backups_of(path)[:-BACKUPS_KEPT]:
        try:
            old.unlink()
        except OSError:
            pass


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
