"""Checks on the workbook file itself: links to other files and programs, which the tool never follows."""
from __future__ import annotations

from typing import Callable, Mapping, Sequence
from urllib.parse import unquote

from ..cells import a1
from ..issues import WARNING, Issue, shown

BASIS = "工作簿安全：外部链接不跟随、不执行"


def check_external_links(links: Sequence[str], sheet: str = "") -> list[Issue]:
    """One warning per external link a reader found (``BookSource.external_links``, when it offers them)."""
    issues = []
    for link in map(unquote, links):  # file:///D:/%E5%90%8D%E5%86%8C.xlsx -> file:///D:/名册.xlsx
        if link.startswith(("DDE ", "OLE ")):
            message = (f"工作簿含有 {link[:3]} 链接“{shown(link[4:])}”，它能在 Excel 中启动其他程序；本工具不会执行。"
                       "请核实来源，并在 Excel 的“数据—编辑链接”中删除该链接")
        else:
            message = (f"工作簿含有指向外部文件“{link}”的链接；本工具不打开该文件，引用它的单元格按 Excel "
                       "上次保存的值读取。如名册数据来自该文件，请先在 Excel 中更新链接或改为数值")
        issues.append(Issue("workbook-external-link", WARNING, sheet, "", shown(link), message, BASIS))
    return issues


STRAY_SHOWN = 20  # stray cells listed one by one per sheet; the rest in one line


def check_stray_cells(scans: Mapping[str, object], label: Callable[[str], str] = lambda name: name) -> list[Issue]:
    """One warning per cell far beyond a sheet's data that the reader set apart (io/extent.py; the file
    reader offers ``scans``, sheet -> SheetScan). ``label`` names a sheet in the issue (street forms)."""
    issues = []
    for name, scan in list(scans.items()):  # a sheet may still be arriving from the reader thread
        stray = scan.stray
        for s in stray[:STRAY_SHOWN]:
            issues.append(Issue("cell-far-from-data", WARNING, label(name), s.cell, shown(s.value),
                                f"单元格 {s.cell} 远离表中数据（数据在第{scan.last_row}行、{a1(1, scan.last_col)[:-1]}列以内），"
                                "可能是误输入；本工具未读取它。如确属误输入，请在 Excel/WPS 中删除该单元格的内容",
                                "表格数据应连续"))
        if len(stray) > STRAY_SHOWN:
            issues.append(Issue("cell-far-from-data", WARNING, label(name), stray[STRAY_SHOWN].cell, "",
                                f"另有{len(stray) - STRAY_SHOWN}个远离表中数据的单元格未逐一列出，本工具均未读取",
                                "表格数据应连续"))
    return issues
