"""The one folder the page may touch: its workbooks, its subfolders, uploads into it.

A name from the page is a bare file name in this folder: separators, ``..``, hidden and lock files are
refused, and so is a symlink that leads outside the folder (the name is resolved and must stay in it).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..errors import UserError

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class PathRefused(UserError):
    """A name that would leave the chosen folder, or is not a workbook name."""


def clean_name(raw: str, suffixes: tuple[str, ...] = WORKBOOK_SUFFIXES) -> str:
    """A file name sent by a browser as a bare name (a browser may send a whole Windows path)."""
    name = re.split(r"[\\/]", str(raw or ""))[-1].strip()
    if not name or _CONTROL.search(name) or name in (".", "..") or name.startswith((".", "~$")):
        raise PathRefused(f"文件名“{_CONTROL.sub('', str(raw or ''))[:80]}”无效")
    if suffixes and not name.lower().endswith(suffixes):
        raise PathRefused(f"“{name}”不是 Excel 工作簿（应为 {'、'.join(suffixes)} 文件）")
    if len(name.encode("utf-8")) > 240:
        raise PathRefused("文件名过长")
    return name


@dataclass
class Folder:
    root: Path

    def __post_init__(self) -> None:
        root = Path(self.root).expanduser()
        if not root.is_dir():
            raise PathRefused(f"文件夹不存在：{root}")
        self.root = root.resolve()

    def path(self, name: str, suffixes: tuple[str, ...] = WORKBOOK_SUFFIXES, must_exist: bool = True) -> Path:
        """The file ``name`` in this folder; refuses traversal, separators and symlinks that lead out."""
        if str(name) != re.split(r"[\\/]", str(name))[-1]:
            raise PathRefused("只能访问所选文件夹中的文件（不允许路径）")
        clean = clean_name(name, suffixes)
        path = self.root / clean
        if path.is_symlink() or path.resolve().parent != self.root:
            raise PathRefused(f"“{clean}”指向所选文件夹以外，已拒绝")
        if must_exist and not path.is_file():
            raise FileNotFoundError(2, "No such file", str(path))
        return path

    def workbooks(self) -> list[dict]:
        rows = []
        for entry in sorted(os.scandir(self.root), key=lambda e: e.name):
            if not entry.name.lower().endswith(WORKBOOK_SUFFIXES) or entry.name.startswith((".", "~$")):
                continue
            try:
                path = self.path(entry.name)
                stat = path.stat()
            except (OSError, UserError):
                continue  # a symlink out, a file gone meanwhile: not listed
            rows.append({"name": entry.name, "size": stat.st_size, "mtime": int(stat.st_mtime)})
        return rows

    def subfolders(self) -> list[str]:
        names = []
        for entry in os.scandir(self.root):
            if entry.name.startswith(".") or entry.is_symlink():
                continue
            try:
                if entry.is_dir():
                    names.append(entry.name)
            except OSError:
                continue
        return sorted(names)

    def moved(self, target: str) -> "Folder":
        """Another folder: a subfolder's name, ``..``, or a full path the user typed."""
        target = str(target or "").strip()
        if not target:
            raise PathRefused("请输入文件夹")
        path = self.root.parent if target == ".." else (self.root / target if not Path(target).is_absolute() and
                                                          target in self.subfolders() else Path(target))
        return Folder(path)

    def save_upload(self, filename: str, stream: BinaryIO) -> Path:
        """A workbook dropped on the page, written as a new file (an existing one is never overwritten)."""
        path = self.path(clean_name(filename), must_exist=False)  # a browser may send a whole path: its name
        try:
            with open(path, "xb") as out:
                while chunk := stream.read(1 << 20):
                    out.write(chunk)
        except FileExistsError:
            raise FileExistsError(17, "File exists", str(path)) from None
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return path
