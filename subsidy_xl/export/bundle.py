"""export: the package a quarter's payment is submitted with.

OUT_DIR holds, for the quarter asked for (computed afresh from the rosters, so it
does not matter which quarter the workbook was last refreshed for):

- 季度发放_<quarter>.pdf and 一次性补助发放_<year>.pdf: the payment sheets to sign;
- 公示_<quarter>.xlsx and .pdf: who is paid, IDs masked, no bank details;
- 问题清单_<quarter>.xlsx and .csv;
- manifest.json and 提交清单.txt: totals and the SHA-256 of every other file.

The payment PDFs are printed from staging workbooks in a temporary folder, so the
full IDs and accounts reach OUT_DIR only inside the PDFs meant to carry them. The
package is built in a hidden folder beside OUT_DIR and moved there when complete:
OUT_DIR never holds half a package.
"""
from __future__ import annotations

import csv
import datetime as _dt
import hashlib
import json
import os
import secrets
import shutil
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable, Sequence

from .. import __version__
from ..analysis import Analysis, analyse
from ..errors import UserError
from ..issues import count_by_severity
from ..money import Money, rmb_upper
from ..months import Quarter
from ..schema import ISSUE_COLUMNS
from ..tables.payments import one_off_sheet, quarterly_sheet
from ..tables.records import issue_row, issues_sheet
from .tempspace import private_root, private_run, remove_stale, remove_stale_building, signals_unwind
from .pdf import FONT_HINT, cjk_font_missing, libreoffice_pdf
from .xlsx import Printable, write_workbook

Converter = Callable[[Sequence[Path], Path], list[Path]]
MANIFEST = "manifest.json"
MANIFEST_TEXT = "提交清单.txt"


class ExportError(UserError):
    """The package cannot be written as asked; the message is for the user."""


@dataclass
class ExportReport:
    out_dir: Path
    quarter: Quarter
    manifest: dict
    warnings: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return self.manifest["issues"]["error"]

    def summary(self) -> str:
        t = self.manifest["totals"]
        return (f"{self.quarter.label}生活补贴 {t['living']['paid']}人 {_yuan(t['living']['amount'])}元；"
                f"一次性补助 {t['one_off']['paid']}人 {_yuan(t['one_off']['amount'])}元；"
                f"共 {len(self.manifest['files'])} 个文件")


def held_sentence(totals: dict) -> str:
    """What the export says of who was left out of the payment sheets, from the sheets' own figures."""
    if totals.get("stopped"):
        return "参数表有错误，发放表未列出任何发放人员（全部暂缓），请按问题清单改正参数表后重新导出。"
    held = totals["living"]["held"] + totals["one_off"]["held"]
    if not held:
        return "没有暂缓发放的人员：名册中有错误的人员均已改正。"
    return (f"暂缓发放 {held} 人（生活补贴 {totals['living']['held']} 人、一次性补助 {totals['one_off']['held']} 人）："
            "其名册行有错误，未列入发放名单和合计，列在发放表“暂缓发放人员”部分，改正后重新导出。")


def _yuan(amount) -> str:
    return f"{Decimal(str(amount)):,}"


def _money(amount: Money) -> int | str:
    """JSON keeps whole yuan as numbers and amounts with fen as exact text."""
    return amount if isinstance(amount, int) else str(amount)


def _not_empty(out_dir: Path) -> ExportError:
    return ExportError(f"输出文件夹不是空的：{out_dir}；为免新旧文件混在一起，请指定新的或空的文件夹")


def _sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()  # read in blocks, never whole


def _payments(analysis: Analysis, public: bool):
    unit = str(analysis.project_info.get("unit") or "")
    quarterly, q_fig = quarterly_sheet(analysis.living_people, analysis.quarter, analysis.params, unit, public,
                                       stops=analysis.stops)
    one_off, o_fig = one_off_sheet(analysis.one_off_people, analysis.params, unit, public, stops=analysis.stops)
    quarterly.stamp(unit)  # 填报单位 and 第X页 共N页 on every page
    one_off.stamp(unit)
    return (Printable(quarterly, "季度发放公示" if public else "季度发放"),
            Printable(one_off, "一次性补助公示" if public else "一次性补助发放"),
            q_fig, o_fig)


def _write_issues_csv(path: Path, analysis: Analysis) -> Path:
    # UTF-8 with BOM: Excel on Chinese Windows otherwise opens the file as GBK and garbles it.
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow([c.header for c in ISSUE_COLUMNS])
        for i in analysis.issues:
            w.writerow([_csv_text(v) for v in issue_row(i)])
    return path


def _csv_text(text: str) -> str:
    """Text Excel would run as a formula when it opens the CSV (a cell value such as =cmd|'/c calc'!A0)
    gets a leading apostrophe, which Excel shows as plain text."""
    return "'" + text if text.startswith(_FORMULA_START) else text


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def export_package(path: Path, quarter: Quarter | None, out_dir: Path, progress: Callable[[str], None] = lambda m: None,
                   pdf: bool = True, converter: Converter = libreoffice_pdf) -> ExportReport:
    """Build the package in a hidden folder beside OUT_DIR and move it into place only when complete, so a
    failure (no LibreOffice, a conversion error, a crash) leaves OUT_DIR as it was and a rerun can use it."""
    from ..io.update import open_book

    path, out_dir = Path(path), Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise ExportError(f"输出位置已存在且不是文件夹：{out_dir}；请指定新的或空的文件夹")
    if out_dir.exists() and any(out_dir.iterdir()):
        raise _not_empty(out_dir)
    progress("读取并校验工作簿…")
    book = open_book(path)
    analysis = analyse(book, quarter)
    book_sha256 = hashlib.sha256(book.package.data).hexdigest()  # the bytes analysed, not the file read again
    parent = out_dir.resolve().parent
    made_parents = [p for p in (parent, *parent.parents) if not p.exists()]
    parent.mkdir(parents=True, exist_ok=True)
    remove_stale_building(parent)  # what an export killed outright left here (payment PDFs among it)
    if (root := private_root(fresh_if_not_ours=False)) is not None:
        remove_stale(root)  # and in the private temporary folder
    building = parent / f".{out_dir.resolve().name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    building.mkdir(mode=0o700)  # private while it holds half a package; opened up as it is moved into place
    try:
        with signals_unwind():  # SIGTERM/SIGHUP unwind through the clean-up below
            report = _build(path, book_sha256, analysis, building, progress, pdf, converter)
            building.chmod(_NEW_FOLDER_MODE)  # the permissions a new folder normally has
            _move_into_place(building, out_dir)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        for p in made_parents:  # nearest first: only the folders this run made, and only if still empty
            try:
                p.rmdir()
            except OSError:
                break
        raise
    report.out_dir = out_dir
    return report


def _new_folder_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o777 & ~mask


_NEW_FOLDER_MODE = _new_folder_mode()


def _move_into_place(building: Path, out_dir: Path) -> None:
    if not out_dir.exists():
        building.rename(out_dir)
        return
    if any(out_dir.iterdir()):  # something appeared there while the package was being built
        raise _not_empty(out_dir)
    for f in building.iterdir():  # an empty folder the user chose is kept (it may be open in a file manager)
        f.rename(out_dir / f.name)
    building.rmdir()


def _build(path: Path, book_sha256: str, analysis: Analysis, out_dir: Path, progress: Callable[[str], None],
           pdf: bool, converter: Converter) -> ExportReport:
    q = analysis.quarter
    year = analysis.params.budget_year
    quarterly, one_off, q_fig, o_fig = _payments(analysis, public=False)
    pub_quarterly, pub_one_off, _, _ = _payments(analysis, public=True)
    files: list[tuple[Path, str, int | None]] = []  # (file, description, pages)
    warnings = []
    progress("生成公示表和问题清单…")
    public_xlsx = write_workbook(out_dir / f"公示_{q}.xlsx", [pub_quarterly, pub_one_off])
    files.append((public_xlsx, "公示名单（身份证号已遮盖，无银行账号）", None))
    issues = Printable(issues_sheet(analysis.issues), "问题清单")
    files.append((write_workbook(out_dir / f"问题清单_{q}.xlsx", [issues]), "问题清单", None))
    files.append((_write_issues_csv(out_dir / f"问题清单_{q}.csv", analysis), "问题清单（CSV，UTF-8）", None))
    if pdf:
        progress("转换PDF（LibreOffice）…")
        if converter is libreoffice_pdf and cjk_font_missing():
            warnings.append(FONT_HINT)
        with private_run() as staging:  # 0700, removed on every way out, or by the next run (tempspace.py)
            sources = [write_workbook(staging / f"季度发放_{q}.xlsx", [quarterly]),
                       write_workbook(staging / f"一次性补助发放_{year}.xlsx", [one_off]),
                       staging / public_xlsx.name]
            shutil.copyfile(public_xlsx, sources[2])
            made = converter(sources, staging)
            for pdf_file, desc, pages in zip(made, ("季度生活补贴发放表（签字用）", "一次性补助发放表（签字用）", "公示名单"),
                                             (quarterly.pages, one_off.pages, pub_quarterly.pages + pub_one_off.pages)):
                target = out_dir / pdf_file.name
                shutil.move(pdf_file, target)
                files.append((target, desc, pages))
    manifest = _manifest(path, book_sha256, analysis, q_fig, o_fig, files)
    text = out_dir / MANIFEST_TEXT
    text.write_text(_manifest_text(manifest, warnings), encoding="utf-8")
    manifest["files"].append(_entry(text, "提交清单（本说明）", None))
    (out_dir / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return ExportReport(out_dir, q, manifest, warnings)


def _entry(path: Path, description: str, pages: int | None) -> dict:
    entry = {"name": path.name, "description": description, "bytes": path.stat().st_size, "sha256": _sha256(path)}
    if pages is not None:
        entry["pages"] = pages
    return entry


def _manifest(book: Path, book_sha256: str, analysis: Analysis, q_fig: dict, o_fig: dict, files) -> dict:
    return {
        "tool": "subsidy-xl",
        "version": __version__,
        "generated_at": _dt.datetime.now().replace(microsecond=0).isoformat(),
        "quarter": str(analysis.quarter),
        "book": {"name": book.name, "sha256": book_sha256},
        "totals": {
            "stopped": q_fig["stopped"],  # errors on 参数: no payment rows at all
            "living": {"paid": q_fig["paid"], "unpaid": q_fig["unpaid"], "amount": _money(q_fig["total"]),
                       "held": q_fig["held"], "held_amount": _money(q_fig["held_amount"]), "not_due": q_fig["not_due"],
                       "amount_upper": rmb_upper(q_fig["total"]),
                       "by_street": {s: {"people": n, "amount": _money(a)} for s, (n, a) in q_fig["street_totals"].items()}},
            "one_off": {"paid": o_fig["paid"], "unpaid": o_fig["unpaid"], "amount": _money(o_fig["total"]),
                        "held": o_fig["held"], "held_amount": _money(o_fig["held_amount"]), "not_due": o_fig["not_due"],
                        "amount_upper": rmb_upper(o_fig["total"]),
                        "by_category": {c: {"people": n, "amount": _money(a)}
                                        for c, (n, a) in o_fig["category_totals"].items()}},
            "budget": _budget_totals(analysis),
        },
        "issues": count_by_severity(analysis.issues),
        "files": [_entry(f, desc, pages) for f, desc, pages in files],
    }


def _budget_totals(analysis: Analysis) -> dict:
    f = analysis.budget
    return {"living_budget": _money(f["living_budget"]), "living_year": _money(f["living_total"]),
            "one_off_budget": _money(f["one_off_budget"]), "one_off_year": _money(f["one_off_total"])}


def _manifest_text(m: dict, warnings: list[str]) -> str:
    t = m["totals"]
    lines = [f"正常离任村（社区）干部补助经费 提交材料清单（{m['quarter']}）",
             f"生成时间：{m['generated_at']}    工具：subsidy-xl {m['version']}",
             f"来源工作簿：{m['book']['name']}（SHA-256 {m['book']['sha256']}）", "",
             f"本季生活补贴：发放 {t['living']['paid']} 人，合计 {_yuan(t['living']['amount'])} 元"
             f"（{t['living']['amount_upper']}）；暂缓发放 {t['living']['held']} 人，本季无应发 {t['living']['not_due']} 人"]
    lines += [f"    {s}：{v['people']} 人，{_yuan(v['amount'])} 元" for s, v in t["living"]["by_street"].items()]
    lines.append(f"一次性补助：发放 {t['one_off']['paid']} 人，合计 {_yuan(t['one_off']['amount'])} 元"
                 f"（{t['one_off']['amount_upper']}）；暂缓发放 {t['one_off']['held']} 人，不予发放 {t['one_off']['not_due']} 人")
    lines += [f"    {c}：{v['people']} 人，{_yuan(v['amount'])} 元" for c, v in t["one_off"]["by_category"].items()]
    lines.append(held_sentence(t))
    b = t["budget"]
    lines += [f"全年测算：生活补贴 {_yuan(b['living_year'])} 元（预算 {_yuan(b['living_budget'])} 元），"
              f"一次性补助 {_yuan(b['one_off_year'])} 元（预算 {_yuan(b['one_off_budget'])} 元）",
              f"问题清单：错误 {m['issues']['error']} 条，警告 {m['issues']['warning']} 条，提示 {m['issues']['info']} 条",
              "", "文件（SHA-256 可用于核对文件未被改动；本清单与 manifest.json 不含自身的校验值）："]
    for f in m["files"]:
        pages = f"，{f['pages']} 页" if "pages" in f else ""
        lines.append(f"  {f['name']}  —  {f['description']}{pages}，{f['bytes']} 字节\n    SHA-256 {f['sha256']}")
    if warnings:
        lines += ["", "注意："] + [f"  {w}" for w in warnings]
    return "\n".join(lines) + "\n"
