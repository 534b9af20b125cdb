"""Backups and output paths (issue 13).

- Every command that replaces a workbook keeps the version it replaced in ``subsidy-xl备份`` beside it, under
  its date and time; the last five are kept (safe_save.BACKUPS_KEPT), so a mistake two runs ago can still be
  undone.
- One rule for where a command writes: ``-o`` names a new file (an existing one is refused, as ``new``,
  ``demo`` and ``street-form`` refuse it), or the workbook itself (then in place, with a backup); a workbook
  reached through a symbolic link is written where the link points and the link stays a link.
- A workbook whose name is as long as a file name may be (255 bytes of UTF-8) is refreshed like any other.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from reliability_support import book, form, grids, network_forbidden, run_cli  # noqa: F401 (fixtures)
from subsidy_xl import cli
from subsidy_xl.io.package import PackageEditor
from subsidy_xl.io.safe_save import BACKUP_FOLDER, BACKUPS_KEPT, LOCK_FILE, backups_of
from subsidy_xl.schema import CHANGELOG_SHEET, LIVING

assert network_forbidden  # autouse: no test or fixture here may open a socket

WRITERS = ("refresh", "fill-performance", "import-performance", "import-streets")
NAME_COL = LIVING.headers.index("姓名")




def command(name: str, book: Path, form: Path, source: Path, *extra: object) -> list[object]:
    return {"refresh": ["refresh", book, "--quarter", "2026Q2"], "fill-performance": ["fill-performance", book],
            "import-performance": ["import-performance", book, source],
            "import-streets": ["import-streets", book, form]}[name] + [*extra, "-q"]


def ran(run) -> None:
    assert run.code in (cli.EXIT_OK, cli.EXIT_ERRORS), run.text
    assert any(line.startswith(("已刷新：", "已导入：", "已填写", "已")) for line in run.out.splitlines()), run.text


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != LOCK_FILE)


# ---------------------------------------------------------------------------------------
# backups
# ---------------------------------------------------------------------------------------
def test_the_last_five_versions_are_kept_under_their_date_and_time(book, form, tmp_path):
    versions = []
    for n in range(BACKUPS_KEPT + 2):
        versions.append(book.read_bytes())
        name = ("refresh", "fill-performance", "import-streets")[n % 3]
        ran(run_cli(*command(name, book, form, book)))
    kept = backups_of(book)
    assert [b.read_bytes() for b in kept] == versions[-BACKUPS_KEPT:]  # the newest five, oldest first
    assert {b.parent for b in kept} == {book.parent / BACKUP_FOLDER}
    assert all(re.fullmatch(r"补助经费\.\d{8}-\d{6}(-\d+)?\.xlsx", b.name) for b in kept), kept
    assert listing(book.parent) == sorted([book.name, BACKUP_FOLDER])
    assert listing(book.parent / BACKUP_FOLDER) == sorted(b.name for b in kept)  # nothing else there


def test_another_workbooks_backups_in_the_same_folder_are_left_alone(book, form):
    other = book.with_name("补助经费-副本.xlsx")
    shutil.copyfile(book, other)
    ran(run_cli("refresh", other, "--quarter", "2026Q2", "-q"))
    for _ in range(BACKUPS_KEPT + 1):
        ran(run_cli("refresh", book, "--quarter", "2026Q2", "-q"))
    assert len(backups_of(other)) == 1 and len(backups_of(book)) == BACKUPS_KEPT


@pytest.mark.parametrize("name", WRITERS)
def test_every_command_that_replaces_a_workbook_backs_it_up(book, form, tmp_path, name):
    source = tmp_path / "绩效目标表.xlsx"
    shutil.copyfile(book, source)
    original = book.read_bytes()
    run = run_cli(*command(name, book, form, source))
    ran(run)
    kept = backups_of(book)
    assert [b.read_bytes() for b in kept] == [original]
    assert f"（原文件备份：{kept[0]}）" in run.out  # what the command says is where the backup is


def test_a_mistake_two_runs_ago_can_still_be_undone(book, form):
    """A clerk blanks a name by mistake and saves; two more runs follow before anyone notices. The version
    from before the mistake is still among the backups, and putting it back works."""
    ran(run_cli("refresh", book, "--quarter", "2026Q2", "-q"))  # run 1
    name = grids(book, [LIVING.name])[LIVING.name][1][NAME_COL]
    editor = PackageEditor(book)
    editor.patch_cells(LIVING.name, {2: {NAME_COL: (None, None)}})  # the mistake, saved in Excel
    mistaken = book.with_name("excel.tmp")
    editor.save(mistaken)
    os.replace(mistaken, book)
    ran(run_cli("refresh", book, "--quarter", "2026Q2", "-q"))  # run 2 (the old single .bak: the mistake)
    ran(run_cli("fill-performance", book, "-q"))  # run 3
    ran(run_cli("import-streets", book, form, "-q"))  # run 4
    kept = backups_of(book)
    names = [grids(b, [LIVING.name])[LIVING.name][1][NAME_COL] for b in kept]
    assert name and not any(names[-3:]) and names[0] == name  # the backup of run 1 predates the mistake
    shutil.copyfile(kept[0], book)  # undo: the backup put back, then carried on
    ran(run_cli("refresh", book, "--quarter", "2026Q2", "-q"))
    assert grids(book, [LIVING.name])[LIVING.name][1][NAME_COL] == name


# ---------------------------------------------------------------------------------------
# output paths: one rule
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", WRITERS)
def test_an_existing_output_file_is_refused_untouched(book, form, tmp_path, name):
    source = tmp_path / "绩效目标表.xlsx"
    shutil.copyfile(book, source)
    existing = book.with_name("上季度.xlsx")
    existing.write_bytes(b"last quarter's file")
    original, before = book.read_bytes(), listing(book.parent)
    run = run_cli(*command(name, book, form, source, "-o", existing))
    assert run.code == cli.EXIT_UNREADABLE and "文件已存在，未覆盖" in run.err and "Traceback" not in run.err, run.text
    assert existing.read_bytes() == b"last quarter's file" and book.read_bytes() == original
    assert listing(book.parent) == before  # no backup, no temporary file


@pytest.mark.parametrize("spelling", ["same", "other-spelling", "link"])
@pytest.mark.parametrize("name", WRITERS)
def test_output_naming_the_workbook_itself_is_in_place_with_a_backup(book, form, tmp_path, name, spelling):
    source = tmp_path / "绩效目标表.xlsx"
    shutil.copyfile(book, source)
    out = {"same": book, "other-spelling": book.parent / ".." / book.parent.name / book.name,
           "link": tmp_path / "链接.xlsx"}[spelling]
    if spelling == "link":
        out.symlink_to(book)
    original = book.read_bytes()
    ran(run_cli(*command(name, book, form, source, "-o", out)))
    assert book.read_bytes() != original
    assert [b.read_bytes() for b in backups_of(book)] == [original]
    if spelling == "link":
        assert out.is_symlink()


def test_a_new_output_file_leaves_the_workbook_and_makes_no_backup(book, form):
    original = book.read_bytes()
    out = book.with_name("另存.xlsx")
    ran(run_cli("refresh", book, "--quarter", "2026Q2", "-o", out, "-q"))
    assert book.read_bytes() == original and out.exists() and not backups_of(book) and not backups_of(out)
    assert (out.stat().st_mode & 0o777) == 0o666 & ~_umask()  # a new file's usual permissions, not 0600


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@pytest.mark.parametrize("name", WRITERS)
def test_refreshing_through_a_symbolic_link_writes_the_linked_workbook(book, form, tmp_path, name):
    source = tmp_path / "绩效目标表.xlsx"
    shutil.copyfile(book, source)
    shortcut_folder = tmp_path / "桌面"
    shortcut_folder.mkdir()
    link = shortcut_folder / "补助经费.xlsx"
    link.symlink_to(book)
    original = book.read_bytes()
    ran(run_cli(*command(name, link, form, source)))
    assert link.is_symlink() and os.readlink(link) == str(book)  # the link is still the link
    assert book.read_bytes() != original  # the real workbook has the new version
    assert [b.read_bytes() for b in backups_of(book)] == [original]  # backed up beside the real workbook
    assert listing(shortcut_folder) == [link.name]


# ---------------------------------------------------------------------------------------
# long names
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("name_bytes", [245, 255])
def test_a_workbook_with_a_name_as_long_as_a_file_name_may_be_is_refreshed(book, form, name_bytes):
    stem = "补" * ((name_bytes - len(".xlsx")) // 3) + "x" * ((name_bytes - len(".xlsx")) % 3)
    long_book = book.with_name(stem + ".xlsx")
    assert len(long_book.name.encode()) == name_bytes
    book.rename(long_book)
    log_rows = len(grids(long_book, [CHANGELOG_SHEET])[CHANGELOG_SHEET])
    for name in ("refresh", "fill-performance", "import-streets", "refresh"):
        ran(run_cli(*command(name, long_book, form, long_book)))
    assert len(grids(long_book, [CHANGELOG_SHEET])[CHANGELOG_SHEET]) > log_rows
    kept = backups_of(long_book)
    assert len(kept) == 4 and all(len(b.name.encode()) <= 255 for b in kept)
    ran(run_cli("refresh", long_book, "--quarter", "2026Q2", "-o", long_book, "-q"))  # -o the book itself
    assert len(backups_of(long_book)) == BACKUPS_KEPT


def test_what_the_readme_sheet_says_about_backups_is_what_happens(demo_book):
    """The 说明 sheet's sentence about backups names the folder and the number the tests above hold."""
    text = "".join(str(c) for row in grids(demo_book, ["说明"])["说明"] for c in row if c)
    assert f"“{BACKUP_FOLDER}”文件夹" in text and f"保留最近{BACKUPS_KEPT}份" in text and ".bak" not in text


def test_a_save_during_the_backup_is_caught_and_its_backup_removed(book, tmp_path, monkeypatch):
    """The content is compared before the backup is made; size and time once more right before the replace."""
    from subsidy_xl.io import safe_save

    real = safe_save._keep_backup
    theirs = book.read_bytes()[:-1] + b"\0"  # another save, same size

    def backup_then_colleague_saves(path):
        kept = real(path)
        path.write_bytes(theirs)  # a new modification time
        return kept

    monkeypatch.setattr(safe_save, "_keep_backup", backup_then_colleague_saves)
    run = run_cli("refresh", book, "--quarter", "2026Q2", "-q")
    assert run.code == cli.EXIT_UNREADABLE and "被修改过" in run.err, run.text
    assert book.read_bytes() == theirs and not backups_of(book)
