"""The page's buttons: each one calls the same use case as the CLI command and the ribbon macro of that
name (``service``) and turns its report into what the page shows."""
from __future__ import annotations

import secrets
import shutil
import threading
import zipfile
from pathlib import Path
from typing import Callable, Sequence

from .. import service
from ..errors import UserError
from ..months import Quarter, parse_quarter
from ..schema import CHANGES_SHEET
from .folder import Folder
from .present import figures, issue_rows, masked, roster_data, sheet_table

Progress = Callable[[str], None]

# The ribbon's button names (workbook/customUI: the same words), used as the jobs' titles.
REFRESH, CHECK, FILL, QUARTERLY, IMPORT, EXPORT = ("全部刷新", "校验", "填写绩效目标表", "生成季度发放表",
                                                   "导入街道报表", "导出报送材料")
NEW, DEMO, STREET_FORM, SUMMARY = "新建工作簿", "生成演示工作簿", "生成街道报送表", "读取工作簿"
IMPORT_HINT = "导入后请点击“全部刷新”重新计算。"


def quarter_of_text(text: str | None) -> Quarter | None:
    """The quarter the user typed (None when left empty: the use case's default, as in the CLI)."""
    if text is None or not str(text).strip():
        return None
    try:
        return parse_quarter(str(text).strip())
    except ValueError as e:  # the parser's refusal is Chinese
        raise UserError(str(e)) from None


def _saved(report) -> str:
    text = f"已写入：{report.out.name}"
    return text + (f"（原文件备份：{report.backup.name}）" if report.backup else "")


class Desk:
    """The chosen folder, a private work folder for uploads and packages, and the files offered for download."""

    def __init__(self, folder: Folder, workdir: Path) -> None:
        self.folder = folder
        self.workdir = Path(workdir)
        self.downloads: dict[str, tuple[Path, str]] = {}
        self._lock = threading.Lock()

    def scratch(self) -> Path:
        path = self.workdir / secrets.token_hex(8)
        path.mkdir(parents=True)
        return path

    def offer(self, path: Path, name: str) -> str:
        key = secrets.token_hex(12)
        with self._lock:
            self.downloads[key] = (Path(path), name)
        return key

    # ------------------------------------------------------------ read-only

    def summary(self, book: Path, quarter: Quarter | None, progress: Progress) -> dict:
        """What the ribbon would report for the book as it is: 全部刷新's plan, computed and not written."""
        progress("读取工作簿…")
        src = service.open_book(book)
        _plan, report = service.plan_refresh(src, quarter, progress, rewrite_unchanged=False)
        del src, _plan
        a = report.analysis
        return {"message": report.summary(), "issues": issue_rows(a.issues, roster_data(a)),
                "summary": figures(a, report.quarter_figures, report.one_off_figures, report.summary())}

    # ------------------------------------------------------------ changing the workbook

    def check(self, book: Path, progress: Progress) -> dict:
        """校验: the ribbon's (the checks of the CLI's ``check``; only the 问题清单 sheet is written)."""
        report = service.record_check(book, progress)
        a = report.analysis
        return {"message": f"{_saved(report)}\n{report.summary()}", "issues": issue_rows(a.issues, roster_data(a)),
                "summary": figures(a)}

    def refresh(self, book: Path, quarter: Quarter | None, progress: Progress) -> dict:
        """全部刷新 (no quarter) and 生成季度发放表 (the quarter asked): the CLI's ``refresh``."""
        report = service.refresh(book, quarter, None, progress)
        a = report.analysis
        return {"message": f"{_saved(report)}\n{report.summary()}", "issues": issue_rows(a.issues, roster_data(a)),
                "summary": figures(a, report.quarter_figures, report.one_off_figures, report.summary())}

    def fill_performance(self, book: Path, progress: Progress) -> dict:
        report = service.fill_performance(book, None, progress)
        a = report.analysis
        lines = [_saved(report), report.summary()] + [f"建议：{masked(i.message)}" for i in report.suggestions]
        return {"message": "\n".join(lines), "issues": issue_rows(a.issues, roster_data(a)), "summary": figures(a)}

    def import_streets(self, book: Path, forms: Sequence[Path], progress: Progress) -> dict:
        try:
            report = service.import_streets(book, list(forms), None, progress)
        finally:  # the uploaded forms hold people's IDs and accounts: not kept once read
            for form in forms:
                shutil.rmtree(Path(form).parent, ignore_errors=True)
        changes = sheet_table(service.open_book(book).grid(CHANGES_SHEET))  # the 变动情况 sheet as written
        return {"message": f"{_saved(report)}\n{masked(report.summary())}\n{IMPORT_HINT}",
                "issues": issue_rows(report.problems), "changes": changes, "issues_title": "导入时发现的问题"}

    def export(self, book: Path, quarter: Quarter | None, pdf: bool, progress: Progress) -> dict:
        """导出报送材料: the CLI's ``export`` into a private folder, then one .zip to download."""
        where = self.scratch()
        report = service.export_package(book, quarter, where / f"{book.stem}_报送材料", progress, pdf)
        q = report.quarter
        progress("打包为 .zip…")
        name = f"{book.stem}_报送材料_{q}.zip"
        archive = where / name
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
            for f in sorted(p for p in report.out_dir.rglob("*") if p.is_file()):
                zf.write(f, f.relative_to(report.out_dir).as_posix())
        shutil.rmtree(report.out_dir, ignore_errors=True)  # only the .zip is kept, until the page is closed
        lines = [f"已生成报送材料（{name}）", report.summary()]
        lines += [f"注意：{w}" for w in report.warnings]
        if report.errors:
            from ..export.bundle import held_sentence

            lines.append(f"问题清单中有 {report.errors} 条错误。{held_sentence(report.manifest['totals'])}")
        return {"message": "\n".join(lines), "download": {"id": self.offer(archive, name), "name": name}}

    # ------------------------------------------------------------ new files in the folder

    def new(self, name: str, progress: Progress) -> dict:
        path = service.new_workbook(self.folder.path(name, must_exist=False))
        return {"message": f"已生成空白工作簿：{path.name}", "book": path.name}

    def demo(self, name: str, quarter: Quarter | None, progress: Progress) -> dict:
        report = service.demo(self.folder.path(name, must_exist=False), quarter, progress)
        return {"message": f"已生成演示工作簿：{report.out.name}\n{report.summary()}", "book": report.out.name}

    def street_form(self, book: Path | None, street: str, progress: Progress) -> dict:
        street = str(street or "").strip()
        if not street:
            raise UserError("请选择街道")
        out = self.folder.path(f"{street}报送表.xlsx", must_exist=False)
        progress(f"生成{street}报送表…")
        path, counts = service.street_form(book, street, out)
        people = "，".join(f"{name}{n}人" for name, n in counts.items())
        return {"message": f"已生成{street}报送表：{path.name}" + (f"（预填 {people}）" if book else "（空表）"),
                "file": path.name}
