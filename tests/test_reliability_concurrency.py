"""Nothing lost when two people (or two runs) write one workbook (issue 13, lost update).

- A colleague saves the workbook while a command runs: the command refuses, writes nothing, and the
  colleague's save is what stays (every command that changes a workbook, in-process so that the save lands
  at a known moment: after the command read the book, before it writes).
- Four real ``subsidy-xl refresh`` processes on one workbook at once: each waits for the one before it, so
  the 变更记录 gets four rows and every run says it refreshed; none is lost, none fails with a wrong message.
- A run that finds another one writing says it waits (a real OS lock held by another process).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from reliability_support import book, form, grids, network_forbidden, run_cli  # noqa: F401 (fixtures)
from subsidy_xl import cli
from subsidy_xl.io.package import PackageEditor
from subsidy_xl.io.safe_save import BACKUP_FOLDER, LOCK_FILE, WorkbookBusy, backups_of, workbook_lock
from subsidy_xl.performance import cli as performance_cli
from subsidy_xl.schema import CHANGELOG_SHEET, LIVING
from subsidy_xl.streets import cli as streets_cli

assert network_forbidden  # autouse: no test or fixture here may open a socket

REPO = Path(__file__).resolve().parents[1]
WRITERS = ("refresh", "fill-performance", "import-performance", "import-streets")
NOTE_COL = LIVING.headers.index("备注")




def command(name: str, book: Path, form: Path, source: Path) -> list[object]:
    return {"refresh": ["refresh", book, "--quarter", "2026Q2"], "fill-performance": ["fill-performance", book],
            "import-performance": ["import-performance", book, source],
            "import-streets": ["import-streets", book, form]}[name]


def colleague_version(book: Path, folder: Path) -> bytes:
    """The workbook as a colleague saves it: one note typed into the roster."""
    editor = PackageEditor(book)
    editor.patch_cells(LIVING.name, {2: {NOTE_COL: ("同事刚改的备注", None)}})
    saved = folder / "colleague.xlsx"
    editor.save(saved)
    return saved.read_bytes()


def save_while_writing(monkeypatch, save) -> list[str]:
    """Call ``save()`` when the command says it starts writing (it has read the workbook and made its plan)."""
    said: list[str] = []

    def printer(_quiet: bool):
        def say(message: str) -> None:
            said.append(message)
            if message.startswith("写入工作簿"):
                save()
        return say

    for module in (cli, streets_cli, performance_cli):
        monkeypatch.setattr(module, "progress_printer", printer)
    return said


@pytest.mark.parametrize("same_size_and_time", [False, True], ids=["new-save", "same-size-and-time"])
@pytest.mark.parametrize("name", WRITERS)
def test_a_save_by_someone_else_while_a_command_runs_is_never_overwritten(book, form, tmp_path, monkeypatch, name,
                                                                        same_size_and_time):
    source = tmp_path / "绩效目标表.xlsx"
    shutil.copyfile(book, source)
    theirs = colleague_version(book, tmp_path)
    if same_size_and_time:  # a change that size and time cannot see: one byte, the time put back
        original = book.read_bytes()
        theirs = original[:100] + bytes([original[100] ^ 1]) + original[101:]
    before = book.stat()

    def colleague_saves() -> None:
        staged = book.with_name("~excel-save.tmp")  # as Excel saves: a new file renamed over the old
        staged.write_bytes(theirs)
        os.replace(staged, book)
        if same_size_and_time:
            os.utime(book, ns=(before.st_atime_ns, before.st_mtime_ns))

    said = save_while_writing(monkeypatch, colleague_saves)
    run = run_cli(*command(name, book, form, source))
    assert any(m.startswith("写入工作簿") for m in said), said  # the save did land while the command ran
    assert run.code == cli.EXIT_UNREADABLE, run.text
    assert "被修改过" in run.err and "未写入" in run.err and "文件未作任何修改" in run.err, run.err
    assert "Traceback" not in run.err
    assert book.read_bytes() == theirs  # the colleague's save is what stays
    assert not backups_of(book)  # nothing written, not even a backup
    assert sorted(p.name for p in book.parent.iterdir()) == sorted([book.name, LOCK_FILE])


def test_the_same_command_after_a_refusal_includes_the_colleagues_save(book, form, tmp_path, monkeypatch):
    theirs = colleague_version(book, tmp_path)
    save_while_writing(monkeypatch, lambda: book.write_bytes(theirs))
    assert run_cli("refresh", book, "--quarter", "2026Q2").code == cli.EXIT_UNREADABLE
    monkeypatch.undo()
    assert run_cli("refresh", book, "--quarter", "2026Q2", "-q").code == cli.EXIT_ERRORS  # demo: deliberate errors
    assert grids(book, [LIVING.name])[LIVING.name][1][NOTE_COL] == "同事刚改的备注"
    assert backups_of(book)[-1].read_bytes() == theirs


# ---------------------------------------------------------------------------------------
# real processes
# ---------------------------------------------------------------------------------------
STARTER = textwrap.dedent("""
    import os, sys, time
    from subsidy_xl import cli  # everything imported before the start signal, so the runs overlap
    import subsidy_xl.service, subsidy_xl.io.package, subsidy_xl.io.reader, subsidy_xl.analysis  # noqa: F401
    go = sys.argv[1]
    while not os.path.exists(go):
        time.sleep(0.002)
    sys.exit(cli.main(sys.argv[2:]))
""")


def start(args: list[object], go: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", STARTER, str(go), *map(str, args)], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")


def test_four_refreshes_of_one_workbook_at_once_each_leave_their_row(book, tmp_path):
    log_before = len(grids(book, [CHANGELOG_SHEET])[CHANGELOG_SHEET])
    go = tmp_path / "go"
    runs = [start(["refresh", book, "--quarter", "2026Q2"], go) for _ in range(4)]
    time.sleep(1.0)  # let the four interpreters import everything
    go.touch()
    results = [(p.wait(timeout=120), p.stdout.read(), p.stderr.read()) for p in runs]
    for p in runs:
        p.stdout.close()
        p.stderr.close()
    for code, out, err in results:
        assert code == cli.EXIT_ERRORS and out.startswith("已刷新：") and "错误：" not in err, (code, out, err)
    waited = [err for _code, _out, err in results if "等待它完成" in err]
    assert waited, "the runs did not overlap: no run had to wait for another"
    log = grids(book, [CHANGELOG_SHEET])[CHANGELOG_SHEET]
    assert len(log) == log_before + 4 and [row[1] for row in log[-4:]] == ["刷新"] * 4
    # Each run read what the run before it wrote: the four backups are four different versions.
    kept = backups_of(book)
    assert len(kept) == 4 and len({b.read_bytes() for b in kept}) == 4
    assert sorted(p.name for p in book.parent.iterdir()) == sorted([book.name, LOCK_FILE, BACKUP_FOLDER])


def test_a_run_waits_while_another_process_holds_the_lock(book, tmp_path):
    original = book.read_bytes()
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys
        from subsidy_xl.io.safe_save import workbook_lock
        with workbook_lock({str(book)!r}):
            print("holding", flush=True)
            sys.stdin.readline()
    """)], cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        waiting = subprocess.Popen([sys.executable, "-m", "subsidy_xl.cli", "refresh", str(book), "--quarter",
                                    "2026Q2"], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   encoding="utf-8")
        lines = []
        for line in waiting.stderr:
            lines.append(line)
            if "等待它完成" in line:
                break
        assert "另一个 subsidy-xl 正在写入同一文件夹中的工作簿" in lines[-1], lines
        assert "读取工作簿" not in "".join(lines)  # it has not even read the workbook yet
        time.sleep(0.3)
        assert waiting.poll() is None and book.read_bytes() == original  # still waiting, nothing written
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert waiting.wait(timeout=120) == cli.EXIT_ERRORS
        assert waiting.stdout.read().startswith("已刷新：")
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
        holder.stdout.close()
        for stream in (waiting.stdout, waiting.stderr):
            stream.close()
    assert book.read_bytes() != original and backups_of(book)[-1].read_bytes() == original


def test_a_lock_held_too_long_is_a_clear_refusal(book):
    """In-process: the same lock taken by this thread's own FileLock object counts as another writer."""
    from filelock import FileLock

    other = FileLock(str(book.parent / LOCK_FILE))
    other.acquire()
    try:
        with pytest.raises(WorkbookBusy) as refused:
            with workbook_lock(book, wait=0.2):
                pass
    finally:
        other.release()
    assert "已等待" in str(refused.value) and "未作任何修改" in str(refused.value)
