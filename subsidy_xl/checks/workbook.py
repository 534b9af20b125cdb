"""Checks on the workbook file itself: links to other files and programs, which the tool never follows."""
from __future__ import annotations

from typing import Sequence
from urllib.parse import unquote

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
