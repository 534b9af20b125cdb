"""Where export keeps personal data for a moment, and how it makes sure none is left behind.

The payment sheets are printed from staging workbooks holding every ID and bank account, and LibreOffice
writes their PDFs next to them. Those files live in a private folder:

* ``<system temp>/subsidy-xl-<uid>/run-<pid>-<random>``: the parent is the user's own (mode 0700,
  checked: a folder someone else made there is not used), each run gets its own subfolder (0700);
* the subfolder goes on every exit the process sees: normal end, an exception, Ctrl+C, SIGTERM and
  SIGHUP (turned into an exception while an export runs, so every ``finally`` runs), and atexit;
* what a process killed outright (SIGKILL, power loss) leaves is removed by the next export: a run
  folder whose process is gone is stale.

The converter child is started in its own process group and killed with it on every such exit (it never
outlives the command); on Linux it also gets PR_SET_PDEATHSIG, so the kernel kills it when the command is
killed outright (see pdf.py).
"""
from __future__ import annotations

import atexit
import contextlib
import os
import secrets
import shutil
import signal
import stat
import tempfile
import threading
import time
from pathlib import Path
from typing import Iterator

_RUN_PREFIX = "run-"
_live_runs: set[Path] = set()  # run folders of this process, removed at exit if still there
_live_groups: set[int] = set()  # process groups of converters still running


class Interrupted(KeyboardInterrupt):
    """SIGTERM or SIGHUP while an export runs: unwinds like Ctrl+C, so every clean-up runs."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def private_root(fresh_if_not_ours: bool = True) -> Path | None:
    """The user's own folder for temporary personal data (made mode 0700; refused when not the user's: then
    a fresh private folder, or None when ``fresh_if_not_ours`` is false)."""
    uid = os.getuid() if hasattr(os, "getuid") else None
    root = Path(tempfile.gettempdir()) / (f"subsidy-xl-{uid}" if uid is not None else "subsidy-xl")
    try:
        root.mkdir(mode=0o700)
    except FileExistsError:
        pass
    info = os.lstat(root)
    if not stat.S_ISDIR(info.st_mode) or (uid is not None and (info.st_uid != uid or info.st_mode & 0o077)):
        # not a folder of ours (a link, someone else's, open to others): a fresh private one instead
        return Path(tempfile.mkdtemp(prefix="subsidy-xl-")) if fresh_if_not_ours else None
    return root


STALE_AFTER = 24 * 3600  # seconds: no export runs this long (LibreOffice is given TIMEOUT_SECONDS), so its pid
# was reused by another process and the folder is stale all the same


def remove_stale(root: Path) -> list[Path]:
    """Remove run folders whose process is gone (left by a run killed outright), or older than STALE_AFTER;
    returns what went."""
    gone = []
    now = time.time()
    for entry in root.glob(_RUN_PREFIX + "*"):
        pid = entry.name[len(_RUN_PREFIX):].split("-", 1)[0]
        try:
            old = now - entry.stat().st_mtime > STALE_AFTER
        except OSError:
            continue
        if pid.isdigit() and (old or not _alive(int(pid))) and int(pid) != os.getpid():
            shutil.rmtree(entry, ignore_errors=True)
            gone.append(entry)
    return gone


def remove_stale_building(parent: Path) -> None:
    """Hidden ``.<name>.<pid>.<hex>.tmp`` folders export_package builds in beside OUT_DIR, left by a run
    killed outright (they may hold the payment PDFs): removed when their process is gone."""
    with contextlib.suppress(OSError):
        for entry in parent.glob(".*.tmp"):
            parts = entry.name.split(".")
            if len(parts) >= 5 and parts[-3].isdigit() and entry.is_dir() and not _alive(int(parts[-3])):
                if not hasattr(os, "getuid") or entry.stat().st_uid == os.getuid():
                    shutil.rmtree(entry, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process, or cannot tell: left alone
    return True


@contextlib.contextmanager
def private_run() -> Iterator[Path]:
    """A private folder (0700) for this run's personal data, removed on the way out whatever happens."""
    root = private_root(fresh_if_not_ours=False)
    if root is None:  # the shared folder is not ours: the run gets a fresh private folder, removed whole
        run = Path(tempfile.mkdtemp(prefix="subsidy-xl-"))
    else:
        remove_stale(root)
        run = root / f"{_RUN_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
        run.mkdir(mode=0o700)
    _live_runs.add(run)
    try:
        with signals_unwind():
            yield run
    finally:
        shutil.rmtree(run, ignore_errors=True)
        _live_runs.discard(run)


@contextlib.contextmanager
def signals_unwind() -> Iterator[None]:
    """While inside: SIGTERM and SIGHUP raise Interrupted (in the main thread only; elsewhere Python cannot
    set handlers and the caller's process decides)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    wanted = [s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s is not None]
    previous = {}
    for signum in wanted:
        current = signal.getsignal(signum)
        if current is signal.SIG_IGN:
            continue  # started with nohup: a hang-up is meant not to stop it
        previous[signum] = current
        signal.signal(signum, _raise_interrupted)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _raise_interrupted(signum, _frame) -> None:
    raise Interrupted(signum)


def track_group(pgid: int) -> None:
    _live_groups.add(pgid)


def kill_group(pgid: int) -> None:
    """Kill a converter's whole process group (LibreOffice's launcher and soffice.bin alike)."""
    _live_groups.discard(pgid)
    if hasattr(os, "killpg"):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)


@atexit.register
def _at_exit() -> None:
    for pgid in list(_live_groups):
        kill_group(pgid)
    for run in list(_live_runs):
        shutil.rmtree(run, ignore_errors=True)
