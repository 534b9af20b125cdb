"""Issue 13, leaks: an export interrupted by a signal leaves no personal data behind and no LibreOffice
running. Real processes: `subsidy-xl export` as a child with its own TMPDIR, real LibreOffice (caught
while converting and stopped there with SIGSTOP, so the signal always arrives mid-conversion), real
signals. Waiting for a condition has a generous limit; nothing asserts how long anything takes."""
from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reliability_support import network_forbidden  # noqa: F401 - autouse guard

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None or not sys.platform.startswith("linux"),
                                reason="needs LibreOffice and Linux /proc")


def _processes_with(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if marker in cmdline and state != "Z":
            found.append(int(entry.name))
    return found


def _wait(condition, limit: float = 120.0, step: float = 0.02):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    return condition()


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def _start_export(book: Path, out: Path, tmp: Path, *extra: str) -> subprocess.Popen:
    env = dict(os.environ, TMPDIR=str(tmp))
    return subprocess.Popen([sys.executable, "-m", "subsidy_xl.cli", "export", str(book), "-o", str(out),
                             "--quarter", "2026Q2", "-q", *extra],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _caught_converting(book: Path, out: Path, tmp: Path) -> tuple[subprocess.Popen, list[int], Path]:
    """An export stopped while LibreOffice converts: (the export, LibreOffice's pids (stopped), the run folder)."""
    proc = _start_export(book, out, tmp)

    def stopped() -> list[int]:
        """LibreOffice's processes, stopped (SIGSTOP: it cannot finish now, so the signal the test sends next
        arrives mid-conversion); [] while there is none yet (or it ended before it could be stopped)."""
        if proc.poll() is not None:
            return [-1]
        done = []
        for pid in _processes_with(str(tmp)):
            try:
                os.kill(pid, signal.SIGSTOP)
                done.append(pid)
            except ProcessLookupError:
                pass
        return done

    office = _wait(stopped)
    assert office and office != [-1], proc.communicate()
    roots = list(tmp.glob("subsidy-xl-*"))
    assert len(roots) == 1
    runs = list(roots[0].glob("run-*"))
    assert len(runs) == 1
    return proc, office, runs[0]


@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGTERM, signal.SIGINT])
def test_an_export_ended_by_a_signal_leaves_no_data_and_no_converter(demo_book, tmp_path, signum):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    out = tmp_path / "package"
    proc, office, run = _caught_converting(demo_book, out, tmp)
    # while it runs: the personal data is in a private folder
    assert stat.S_IMODE(run.stat().st_mode) == 0o700
    assert stat.S_IMODE(run.parent.stat().st_mode) == 0o700
    assert any(name.endswith(".xlsx") for name in os.listdir(run))  # the full-data staging workbooks
    proc.send_signal(signum)
    _stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode != 0
    assert "Traceback" not in stderr.decode()
    assert _wait(lambda: not _processes_with(str(tmp)), limit=30), "LibreOffice outlived the command"
    assert _files(tmp) == []  # no staging workbook, no PDF, no profile
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no half-built package


def test_an_export_killed_outright_takes_libreoffice_with_it_and_the_next_run_cleans_up(demo_book, tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    out = tmp_path / "package"
    proc, office, run = _caught_converting(demo_book, out, tmp)
    proc.kill()
    proc.communicate(timeout=60)
    assert _wait(lambda: not _processes_with(str(tmp)), limit=30), "LibreOffice outlived the killed command"
    # what a SIGKILL leaves cannot be removed by the process itself ...
    assert run.exists()
    assert any(p.name.startswith(".package.") for p in tmp_path.iterdir())
    # ... the next export removes it (here one without PDFs, into another folder of the same parent)
    again = _start_export(demo_book, tmp_path / "package2", tmp, "--no-pdf")
    _out, err = again.communicate(timeout=300)
    assert again.returncode in (0, 1), err.decode()
    assert not run.exists()
    assert _files(tmp) == []
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert (tmp_path / "package2" / "manifest.json").is_file()


def test_a_temp_folder_someone_else_could_read_is_not_used(demo_book, tmp_path, monkeypatch):
    """A shared <tmp>/subsidy-xl-<uid> that is open to others (made by someone else or by an old version)
    is not where the staging files go."""
    from subsidy_xl.export import tempspace

    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempspace.tempfile, "tempdir", None)
    shared = tmp_path / f"subsidy-xl-{os.getuid()}"
    shared.mkdir()
    shared.chmod(0o777)
    root = tempspace.private_root()
    assert root != shared
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    shutil.rmtree(root)


def test_stale_run_folders_are_those_of_dead_processes_or_older_than_a_day(tmp_path):
    from subsidy_xl.export import tempspace

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        of_dead = tmp_path / f"run-{dead.pid}-aaaa"
        of_alive = tmp_path / f"run-{alive.pid}-bbbb"
        of_alive_old = tmp_path / f"run-{alive.pid}-cccc"
        mine = tmp_path / f"run-{os.getpid()}-dddd"
        for folder in (of_dead, of_alive, of_alive_old, mine):
            folder.mkdir()
            (folder / "季度发放.xlsx").write_bytes(b"x")
        old = time.time() - tempspace.STALE_AFTER - 60
        os.utime(of_alive_old, (old, old))
        gone = tempspace.remove_stale(tmp_path)
        assert sorted(p.name for p in gone) == sorted([of_dead.name, of_alive_old.name])
        assert of_alive.exists() and mine.exists() and not of_dead.exists() and not of_alive_old.exists()
    finally:
        alive.kill()
        alive.wait()
