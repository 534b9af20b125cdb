"""safe_replace: refuse what must not be written, never leave a half-written workbook."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import openpyxl
import pytest

from subsidy_xl.io.package import PackageEditor
from subsidy_xl.io.reader import read_book
from subsidy_xl.io.safe_save import (BACKUP_FOLDER, WorkbookInUse, WorkbookReadOnly, backups_of, lock_files,
                                     safe_replace)

CHINESE = re.compile("[\u4e00-\u9fff]")
OLD, NEW, NEWER = b"old version", b"new version", b"newer version"


@pytest.fixture()
def workbook(tmp_path) -> Path:
    path = tmp_path / "demo.xlsx"
    path.write_bytes(OLD)
    path.chmod(0o640)
    return path


def writer(content: bytes):
    return lambda handle: handle.write(content)


def folder_listing(path: Path) -> list[str]:
    return sorted(entry.name for entry in path.parent.iterdir())


def test_success_replaces_the_file_and_keeps_the_previous_version(workbook):
    kept = safe_replace(workbook, writer(NEW))
    assert kept == backups_of(workbook)[-1] and kept.parent == workbook.parent / BACKUP_FOLDER
    assert re.fullmatch(r"demo\.\d{8}-\d{6}\.xlsx", kept.name)  # dated
    assert workbook.read_bytes() == NEW
    assert kept.read_bytes() == OLD
    assert workbook.stat().st_mode & 0o777 == 0o640
    assert folder_listing(workbook) == ["demo.xlsx", BACKUP_FOLDER]

    safe_replace(workbook, writer(NEWER))  # the earlier backup stays (tests/test_reliability_backups.py: how many)
    assert workbook.read_bytes() == NEWER and [b.read_bytes() for b in backups_of(workbook)] == [OLD, NEW]
    assert folder_listing(workbook) == ["demo.xlsx", BACKUP_FOLDER]


def test_backup_can_be_skipped_and_a_new_file_needs_none(workbook, tmp_path):
    assert safe_replace(workbook, writer(NEW), backup=False) is None
    assert workbook.read_bytes() == NEW and not backups_of(workbook)
    fresh = tmp_path / "fresh.xlsx"
    assert safe_replace(fresh, writer(NEW)) is None
    assert fresh.read_bytes() == NEW and not backups_of(fresh)


@pytest.mark.parametrize("lock_index", [0, 1], ids=["excel-wps", "libreoffice"])
def test_an_open_workbook_is_refused_untouched(workbook, lock_index):
    lock = lock_files(workbook)[lock_index]
    lock.write_bytes(b"owner")
    before = folder_listing(workbook)
    with pytest.raises(WorkbookInUse) as refused:
        safe_replace(workbook, writer(NEW))
    assert CHINESE.search(str(refused.value)) and lock.name in str(refused.value)
    assert workbook.read_bytes() == OLD and folder_listing(workbook) == before


def test_a_read_only_file_is_refused_untouched(workbook):
    workbook.chmod(0o444)
    with pytest.raises(WorkbookReadOnly, match="只读"):
        safe_replace(workbook, writer(NEW))
    assert workbook.read_bytes() == OLD and folder_listing(workbook) == ["demo.xlsx"]


def test_a_read_only_folder_is_refused_untouched(workbook):
    folder = workbook.parent
    folder.chmod(0o555)
    try:
        with pytest.raises(WorkbookReadOnly, match="不可写"):
            safe_replace(workbook, writer(NEW))
    finally:
        folder.chmod(0o755)
    assert workbook.read_bytes() == OLD and folder_listing(workbook) == ["demo.xlsx"]


def test_a_crash_while_writing_leaves_the_original_and_the_old_backup(workbook):
    safe_replace(workbook, writer(NEW))

    def crash(handle):
        handle.write(b"half of a workbook")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        safe_replace(workbook, crash)
    assert workbook.read_bytes() == NEW
    assert [b.read_bytes() for b in backups_of(workbook)] == [OLD]  # the failed save made no backup
    assert folder_listing(workbook) == ["demo.xlsx", BACKUP_FOLDER]  # no temporary file left


def test_a_killed_process_leaves_the_original_intact(workbook):
    script = textwrap.dedent(f"""
        import sys, time
        from subsidy_xl.io.safe_save import safe_replace

        def slow(handle):
            handle.write(b"x" * 1_000_000)
            handle.flush()
            print("writing", flush=True)
            time.sleep(60)

        safe_replace({str(workbook)!r}, slow)
    """)
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                               cwd=Path(__file__).resolve().parents[1])
    try:
        assert process.stdout.readline().strip() == b"writing"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)
        process.stdout.close()
    assert workbook.read_bytes() == OLD
    assert not backups_of(workbook)
    leftovers = [name for name in folder_listing(workbook) if name != "demo.xlsx"]
    assert all(re.fullmatch(r"\.subsidy-xl-[0-9a-f]+\.tmp", name) for name in leftovers)  # hidden, never the workbook
    safe_replace(workbook, writer(NEW))  # the next save is not disturbed by it
    assert workbook.read_bytes() == NEW


def test_a_package_editor_saves_through_it(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "名册"
    book.active["A1"] = "姓名"
    path = tmp_path / "名册.xlsx"
    book.save(path)
    original = path.read_bytes()
    editor = PackageEditor(path)
    editor.patch_cells("名册", {2: {0: ("张三", None)}})
    safe_replace(path, editor.save)
    assert read_book(path).sheet("名册").rows == [["姓名"], ["张三"]]
    assert backups_of(path)[-1].read_bytes() == original


def test_every_adapter_error_shares_one_base_for_the_cli():
    from subsidy_xl.io.package import FormulaConflict, PackageError
    from subsidy_xl.io.zipsafe import UnreadableWorkbook, UnsafeWorkbook, WorkbookError

    for error in (UnreadableWorkbook, UnsafeWorkbook, PackageError, FormulaConflict, WorkbookInUse, WorkbookReadOnly):
        assert issubclass(error, WorkbookError)
