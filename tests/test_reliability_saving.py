"""Safe saving through the command: a workbook open in Excel/WPS/LibreOffice or read-only is refused with a
Chinese message and not touched; a save that fails or is killed part-way leaves the workbook as it was
(tests/test_io_safe_save.py covers safe_replace itself)."""
from __future__ import annotations

import errno
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from reliability_support import (book, fail_at_member, grids, network_forbidden,  # noqa: F401 (the book fixture)
                                 run_cli)
from subsidy_xl import cli
from subsidy_xl.io import safe_save
from subsidy_xl.io.safe_save import BACKUP_FOLDER, LOCK_FILE, backups_of, lock_files
from subsidy_xl.schema import CHANGELOG_SHEET

assert network_forbidden  # autouse: no test or fixture here may open a socket

REPO = Path(__file__).resolve().parents[1]
COMMANDS = ("refresh", "fill-performance", "import-streets")
UNTOUCHED = "文件未作任何修改"


@pytest.fixture(scope="module")
def form(demo_book, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("form") / "龙城街道.xlsx"
    assert run_cli("street-form", path, "--street", "龙城街道", "--book", demo_book).code == 0
    return path




def command(name: str, book: Path, form: Path) -> list[object]:
    return {"refresh": ["refresh", book, "--quarter", "2026Q2"], "fill-performance": ["fill-performance", book],
            "import-streets": ["import-streets", book, form]}[name] + ["-q"]


def listing(folder: Path) -> list[str]:
    """The folder's files, without the lock file any run that writes there leaves (empty; safe_save.LOCK_FILE)."""
    return sorted(p.name for p in folder.iterdir() if p.name != LOCK_FILE)


def assert_refused_untouched(run, book: Path, original: bytes, before: list[str], *message: str) -> None:
    assert run.code == cli.EXIT_UNREADABLE, run.text
    assert run.err.startswith("错误：") and "Traceback" not in run.err, run.err
    for part in message:
        assert part in run.err, run.err
    assert book.read_bytes() == original
    assert listing(book.parent) == before  # no backup, no temporary file


# ---------------------------------------------------------------------------------------
# refused before anything is written
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("lock", [0, 1], ids=["excel-wps", "libreoffice"])
@pytest.mark.parametrize("name", COMMANDS)
def test_a_workbook_open_in_an_office_suite_is_refused_untouched(book, form, name, lock):
    lock_files(book)[lock].write_bytes(b"owner")
    original, before = book.read_bytes(), listing(book.parent)
    run = run_cli(*command(name, book, form))
    assert_refused_untouched(run, book, original, before, "正在 Excel/WPS/LibreOffice 中打开", "请先关闭",
                             UNTOUCHED)


@pytest.mark.parametrize("name", COMMANDS)
def test_a_read_only_workbook_is_refused_untouched(book, form, name):
    book.chmod(0o444)
    original, before = book.read_bytes(), listing(book.parent)
    run = run_cli(*command(name, book, form))
    assert_refused_untouched(run, book, original, before, "只读", UNTOUCHED)


@pytest.mark.parametrize("name", COMMANDS)
def test_a_read_only_folder_is_refused_untouched(book, form, name):
    original, before = book.read_bytes(), listing(book.parent)
    book.parent.chmod(0o555)
    try:
        run = run_cli(*command(name, book, form))
    finally:
        book.parent.chmod(0o755)
    assert_refused_untouched(run, book, original, before, "不可写", UNTOUCHED)


@pytest.mark.parametrize("name", ["new", "demo", "street-form"])
def test_a_command_that_makes_a_file_never_overwrites_one(book, name):
    target = book.with_name("已有.xlsx")
    shutil.copyfile(book, target)
    original, before = target.read_bytes(), listing(book.parent)
    args = {"new": ["new", target], "demo": ["demo", target, "-q"],
            "street-form": ["street-form", target, "--street", "龙城街道", "--book", book]}[name]
    assert_refused_untouched(run_cli(*args), target, original, before, "文件已存在，未覆盖")


# ---------------------------------------------------------------------------------------
# failing part-way
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("member", [1, 12, 30])
@pytest.mark.parametrize("name", COMMANDS)
def test_a_disk_full_part_way_through_the_save_leaves_the_workbook_intact(book, form, name, member, monkeypatch):
    original, before = book.read_bytes(), listing(book.parent)
    written = fail_at_member(monkeypatch, member, OSError(errno.ENOSPC, "No space left on device"))
    run = run_cli(*command(name, book, form))
    assert len(written) == member - 1  # the save really was cut at that part
    assert_refused_untouched(run, book, original, before, "磁盘空间不足", UNTOUCHED)


@pytest.mark.parametrize("name", COMMANDS)
def test_a_crash_part_way_through_the_save_leaves_the_workbook_intact(book, form, name, monkeypatch):
    original, before = book.read_bytes(), listing(book.parent)
    fail_at_member(monkeypatch, 20, RuntimeError("模拟的程序错误"))
    run = run_cli(*command(name, book, form))
    assert run.code == cli.EXIT_INTERNAL and "内部错误" in run.err and "Traceback" not in run.err
    assert book.read_bytes() == original and listing(book.parent) == before


def test_a_failed_rename_after_the_backup_leaves_the_workbook_and_its_backup(book, form, monkeypatch):
    original = book.read_bytes()
    real = os.replace

    def replace(src, dst):
        if Path(dst) == book:
            raise OSError(errno.EIO, "Input/output error")
        return real(src, dst)

    monkeypatch.setattr(safe_save.os, "replace", replace)
    run = run_cli(*command("refresh", book, form))
    assert run.code == cli.EXIT_UNREADABLE and "磁盘读写错误" in run.err and "未作任何修改" in run.err
    assert book.read_bytes() == original and [b.read_bytes() for b in backups_of(book)] == [original]
    assert listing(book.parent) == sorted([book.name, BACKUP_FOLDER])


# ---------------------------------------------------------------------------------------
# a process killed while it saves
# ---------------------------------------------------------------------------------------
KILL_DELAYS = tuple(n * 0.025 for n in range(1, 9))  # seconds after "写入工作簿…"; the save takes ~0.1 s


def test_killing_refresh_while_it_saves_never_leaves_a_broken_workbook(demo_book, tmp_path):
    """Each run is killed at another moment of its save; the workbook is then either exactly the original
    or the complete refreshed one, a backup (if any) is the original, and leftovers are hidden temp files."""
    original = demo_book.read_bytes()
    runs = []
    for n, delay in enumerate(KILL_DELAYS):
        folder = tmp_path / f"run{n}"
        folder.mkdir()
        target = folder / "补助经费.xlsx"
        target.write_bytes(original)
        process = subprocess.Popen([sys.executable, "-m", "subsidy_xl.cli", "refresh", str(target), "--quarter",
                                    "2026Q2"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=REPO)
        runs.append((process, target, delay))
    outcomes = []
    for process, target, delay in runs:
        try:
            for line in process.stderr:
                if "写入工作簿" in line.decode("utf-8"):
                    time.sleep(delay)
                    break
            process.send_signal(signal.SIGKILL)
        finally:
            process.wait(timeout=60)
            process.stderr.close()
        outcomes.append(_state_after_kill(target, original))
    assert set(outcomes) <= {"original", "refreshed"}, outcomes


def _state_after_kill(target: Path, original: bytes) -> str:
    kept = backups_of(target)
    assert len(kept) <= 1 and all(b.read_bytes() == original for b in kept)
    leftovers = set(os.listdir(target.parent)) - {target.name, BACKUP_FOLDER, LOCK_FILE}
    if (target.parent / BACKUP_FOLDER).exists():
        leftovers |= {f"{BACKUP_FOLDER}/{name}" for name in os.listdir(target.parent / BACKUP_FOLDER)
                      if not kept or name != kept[0].name}
    assert all(re.fullmatch(r"(subsidy-xl备份/)?\.subsidy-xl-[0-9a-f]+\.tmp", name) for name in leftovers), leftovers
    if target.read_bytes() == original:
        return "original"
    log = grids(target, [CHANGELOG_SHEET])[CHANGELOG_SHEET]  # a complete package that reads
    assert log[-1][1] == "刷新" and len(log) == len(grids(kept[0], [CHANGELOG_SHEET])[CHANGELOG_SHEET]) + 1
    return "refreshed"


# ---------------------------------------------------------------------------------------
# a real full disk (issue 13): a tiny tmpfs in a private mount namespace
# ---------------------------------------------------------------------------------------
_SMALL_DISK = """
mount -t tmpfs -o "size=$1" tmpfs "$2" || exit 97
cp -a "$3"/. "$2"/ || exit 98
cd "$5" || exit 96
shift 5
"$@" >"$OUT/out" 2>"$OUT/err"
echo $? >"$OUT/rc"
cp -a "$DISK"/. "$AFTER"/
"""


def _small_disk_reason() -> str | None:
    """Why no tiny file system can be mounted here (None when one can)."""
    if shutil.which("unshare") is None:
        return "unshare (util-linux) is not installed"
    probe = subprocess.run(["unshare", "--mount", "--map-root-user", "sh", "-c",
                            "mount -t tmpfs -o size=64k tmpfs /mnt"], capture_output=True, timeout=30)
    return None if probe.returncode == 0 else f"cannot mount a tmpfs: {probe.stderr.decode(errors='replace')}"


NO_SMALL_DISK = _small_disk_reason()


@dataclass
class DiskRun:
    code: int
    out: str
    err: str
    files: dict[str, bytes]  # what is on the disk afterwards (folders end in /)


def on_small_disk(tmp_path: Path, size: int, seed: dict[str, Path], *args: object) -> DiskRun:
    """``subsidy-xl args`` (``{disk}`` stands for the disk's folder) on a tmpfs of ``size`` bytes holding ``seed``
    (name -> file), in a mount namespace of its own; the disk's files afterwards are copied out."""
    disk, seeds, out, after = (tmp_path / n for n in ("disk", "seed", "out", "after"))
    for folder in (disk, seeds, out, after):
        folder.mkdir()
    for name, source in seed.items():
        shutil.copyfile(source, seeds / name)
    argv = [str(a).replace("{disk}", str(disk)) for a in args]
    env = {**os.environ, "OUT": str(out), "DISK": str(disk), "AFTER": str(after)}
    done = subprocess.run(["unshare", "--mount", "--map-root-user", "bash", "-c", _SMALL_DISK, "small-disk",
                           f"{size // 1024}k", str(disk), str(seeds), "unused", str(REPO), sys.executable, "-m",
                           "subsidy_xl.cli", *argv], env=env, capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    files = {str(p.relative_to(after)) + ("/" if p.is_dir() else ""): (b"" if p.is_dir() else p.read_bytes())
             for p in sorted(after.rglob("*"))}
    return DiskRun(int((out / "rc").read_text()), (out / "out").read_text("utf-8"),
                   (out / "err").read_text("utf-8"), files)


def _pages(size: int) -> int:
    return -(-size // 4096) * 4096


def assert_disk_full_explained(run: DiskRun) -> None:
    assert run.code == cli.EXIT_UNREADABLE, (run.code, run.out, run.err)
    assert run.err.startswith("错误：") and "磁盘空间不足" in run.err, run.err
    assert "Traceback" not in run.err and "Errno" not in run.err and "Exception" not in run.err, run.err


@pytest.mark.skipif(NO_SMALL_DISK is not None, reason=str(NO_SMALL_DISK))
@pytest.mark.parametrize("room", ["no-room-for-the-new-version", "no-room-for-the-backup"])
@pytest.mark.parametrize("name", COMMANDS + ("import-performance",))
def test_a_really_full_disk_leaves_the_workbook_as_it_was(book, form, tmp_path, name, room):
    original = book.read_bytes()
    # tmpfs counts whole pages: the book, then either less than one more book or about one more book.
    size = _pages(len(original)) + (24 << 10 if room == "no-room-for-the-new-version" else _pages(len(original)) + (28 << 10))
    args = {"refresh": ["refresh", "{disk}/补助经费.xlsx", "--quarter", "2026Q2"],
            "fill-performance": ["fill-performance", "{disk}/补助经费.xlsx"],
            "import-streets": ["import-streets", "{disk}/补助经费.xlsx", form],
            "import-performance": ["import-performance", "{disk}/补助经费.xlsx", book]}[name]
    run = on_small_disk(tmp_path, size, {"补助经费.xlsx": book}, *args, "-q")
    assert_disk_full_explained(run)
    assert "文件未作任何修改" in run.err
    assert run.files["补助经费.xlsx"] == original
    assert set(run.files) == {"补助经费.xlsx", LOCK_FILE}, sorted(run.files)  # no temporary file, no backup


@pytest.mark.skipif(NO_SMALL_DISK is not None, reason=str(NO_SMALL_DISK))
@pytest.mark.parametrize("name", ["new", "demo", "street-form"])
def test_a_really_full_disk_leaves_no_broken_file_and_the_rerun_works(book, tmp_path, name):
    args = {"new": ["new", "{disk}/新建.xlsx"], "demo": ["demo", "{disk}/新建.xlsx", "-q"],
            "street-form": ["street-form", "{disk}/新建.xlsx", "--street", "龙城街道", "--book", book]}[name]
    run = on_small_disk(tmp_path, 16 << 10, {}, *args)
    assert_disk_full_explained(run)
    assert "未生成该文件" in run.err and "模板" not in run.err  # the disk is blamed, not the template
    assert set(run.files) <= {LOCK_FILE}, sorted(run.files)  # nothing half-written, no temporary file
    # The same command where there is room: not refused as "文件已存在" by anything the failed run left.
    rerun_folder = tmp_path / "after"
    rerun = run_cli(*[str(a).replace("{disk}", str(rerun_folder)) for a in args])
    assert rerun.code in (cli.EXIT_OK, cli.EXIT_ERRORS) and "已生成" in rerun.out, rerun.text


@pytest.mark.skipif(NO_SMALL_DISK is not None, reason=str(NO_SMALL_DISK))
def test_an_export_onto_a_full_disk_is_explained_and_leaves_nothing(book, tmp_path):
    run = on_small_disk(tmp_path, 16 << 10, {}, "export", book, "--quarter", "2026Q2", "-o", "{disk}/报送材料",
                        "--no-pdf", "-q")
    assert_disk_full_explained(run)
    assert run.files == {}, sorted(run.files)


@pytest.mark.parametrize("name", ["demo", "street-form"])
def test_a_disk_full_while_making_a_file_leaves_nothing_and_the_rerun_works(book, tmp_path, name, monkeypatch):
    """The same, in-process (wherever no file system can be mounted): the zip writer fails part-way."""
    target = tmp_path / "新建.xlsx"
    args = {"demo": ["demo", target, "-q"],
            "street-form": ["street-form", target, "--street", "龙城街道", "--book", book]}[name]
    fail_at_member(monkeypatch, 3, OSError(errno.ENOSPC, "No space left on device"))
    run = run_cli(*args)
    assert run.code == cli.EXIT_UNREADABLE and "磁盘空间不足" in run.err and "未生成该文件" in run.err, run.text
    assert listing(tmp_path) == ["book"]
    monkeypatch.undo()
    assert run_cli(*args).code in (cli.EXIT_OK, cli.EXIT_ERRORS) and target.exists()


# ---------------------------------------------------------------------------------------
# reading a workbook that is open in an office suite (issue 13)
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("lock", [0, 1], ids=["excel-wps", "libreoffice"])
@pytest.mark.parametrize("name", ["check", "check-json", "export"])
def test_reading_a_workbook_open_in_an_office_suite_says_what_is_read(book, tmp_path, name, lock):
    lock_files(book)[lock].write_bytes(b"owner")
    args = {"check": ["check", book, "-q"], "check-json": ["check", book, "--format", "json", "-q"],
            "export": ["export", book, "--quarter", "2026Q2", "-o", tmp_path / "报送材料", "--no-pdf", "-q"]}[name]
    run = run_cli(*args)
    assert run.code in (cli.EXIT_OK, cli.EXIT_ERRORS), run.text  # a note, not a refusal
    assert "注意：" in run.err and "正在 Excel/WPS/LibreOffice 中打开" in run.err and "最后一次保存" in run.err
    assert lock_files(book)[lock].name in run.err
    if name == "check-json":
        json.loads(run.out)  # the note goes to stderr: the JSON stays whole
    lock_files(book)[lock].unlink()
    assert "注意：" not in run_cli(*args[:-4], "-q").err if name == "export" else "注意：" not in run_cli(*args).err


@pytest.mark.skipif(NO_SMALL_DISK is not None, reason=str(NO_SMALL_DISK))
def test_building_the_add_in_onto_a_full_disk_leaves_no_broken_add_in(tmp_path):
    run = on_small_disk(tmp_path, 16 << 10, {}, "addin", "build", "-o", "{disk}")
    assert_disk_full_explained(run)
    assert "subsidy_xl.xlam" in run.err and set(run.files) <= {LOCK_FILE}, sorted(run.files)
