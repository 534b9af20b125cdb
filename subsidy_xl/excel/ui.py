"""What the ribbon macros ask of the user interface, behind one small interface.

Macros talk to a ``Ui``; in Excel it is ``ExcelUi`` (status bar, message box,
input box, file pickers), in tests a recording stand-in that answers questions.
"""
from __future__ import annotations

import sys
from typing import Protocol, Sequence

from ..errors import UserError

MSO_FOLDER_PICKER = 4  # MsoFileDialogType.msoFileDialogFolderPicker
WORKBOOK_FILTER = "Excel 工作簿 (*.xlsx;*.xlsm;*.xls),*.xlsx;*.xlsm;*.xls"


class Ui(Protocol):
    def status(self, text: str | None) -> None:
        """Show progress; None gives the status bar back to Excel."""

    def message(self, text: str, title: str, critical: bool = False) -> None:
        """A message box the user closes."""

    def ask(self, prompt: str, title: str, default: str) -> str | None:
        """A line of text from the user; None when cancelled."""

    def pick_files(self, title: str) -> Sequence[str]:
        """Workbooks to open; empty when cancelled."""

    def pick_folder(self, title: str) -> str | None:
        """A folder to write into; None when cancelled."""


class NeedsWindowsExcel(UserError):
    """A dialog (input box, file or folder picker) asked of Excel for Mac or another engine."""

    def __init__(self) -> None:
        super().__init__("此操作需要在 Windows 版 Excel 中运行")


class ExcelUi:
    """The Ui of an xlwings App. Dialogs need Excel on Windows; messages work on every engine."""

    def __init__(self, app) -> None:
        self.app = app

    def _com(self):
        if sys.platform != "win32" or self.app.engine.name != "excel":
            raise NeedsWindowsExcel()
        return self.app.api

    def status(self, text: str | None) -> None:
        try:
            self.app.status_bar = text if text else False  # False restores Excel's own text
        except NotImplementedError:  # engines without a status bar (remote): progress is not shown
            pass

    def message(self, text: str, title: str, critical: bool = False) -> None:
        self.app.alert(text, title=title, mode="critical" if critical else "info")

    def ask(self, prompt: str, title: str, default: str) -> str | None:
        answer = self._com().InputBox(prompt, title, default, Type=2)  # Type 2: text
        return None if answer is False else str(answer)

    def pick_files(self, title: str) -> Sequence[str]:
        chosen = self._com().GetOpenFilename(FileFilter=WORKBOOK_FILTER, Title=title, MultiSelect=True)
        return [] if chosen is False else [str(p) for p in chosen]

    def pick_folder(self, title: str) -> str | None:
        dialog = self._com().FileDialog(MSO_FOLDER_PICKER)
        dialog.Title = title
        return str(dialog.SelectedItems(1)) if dialog.Show() == -1 else None
