"""Write a macro-enabled add-in package (.xlam): the OOXML parts around a VBA project.

Only what an add-in needs: a workbook whose ``codeName`` and sheets'
``codeName`` match the VBA document modules, sheets of plain text cells
(inline strings), minimal styles, the ribbon (``customUI/customUI.xml``), the
``vbaProject.bin`` and document properties. The zip is deterministic.
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

ADDIN_CONTENT_TYPE = "application/vnd.ms-excel.addin.macroEnabled.main+xml"
VBA_PROJECT_CONTENT_TYPE = "application/vnd.ms-office.vbaProject"
VBA_PROJECT_RELATIONSHIP = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
RIBBON_RELATIONSHIP = "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility"

_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_OFFICE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_OPENXML_TYPE = "application/vnd.openxmlformats-officedocument"
_SHEET_CONTENT_TYPE = f"{_OPENXML_TYPE}.spreadsheetml.worksheet+xml"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Sheet:
    """A worksheet of text cells; ``code_name`` is its VBA document module."""

    name: str
    code_name: str
    rows: Sequence[Sequence[str]] = ()


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _relationships(targets: Sequence[tuple[str, str]]) -> str:
    items = "".join(
        f'<Relationship Id="rId{number}" Type="{kind}" Target={quoteattr(target)}/>'
        for number, (kind, target) in enumerate(targets, start=1)
    )
    return f'{_XML_DECLARATION}<Relationships xmlns="{_PACKAGE_REL}">{items}</Relationships>'


def _content_types(sheet_count: int) -> str:
    overrides = [
        ("/xl/workbook.xml", ADDIN_CONTENT_TYPE),
        ("/xl/styles.xml", f"{_OPENXML_TYPE}.spreadsheetml.styles+xml"),
        ("/xl/vbaProject.bin", VBA_PROJECT_CONTENT_TYPE),
        ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
        ("/docProps/app.xml", f"{_OPENXML_TYPE}.extended-properties+xml"),
        ("/docProps/custom.xml", f"{_OPENXML_TYPE}.custom-properties+xml"),
        *((f"/xl/worksheets/sheet{n}.xml", _SHEET_CONTENT_TYPE) for n in range(1, sheet_count + 1)),
    ]
    items = "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in overrides)
    relationships_type = "application/vnd.openxmlformats-package.relationships+xml"
    return (
        f'{_XML_DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Default Extension="rels" ContentType="{relationships_type}"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f"{items}</Types>"
    )


def _workbook(sheets: Sequence[Sheet], code_name: str) -> str:
    items = "".join(
        f'<sheet name={quoteattr(s.name)} sheetId="{n}" r:id="rId{n}"/>'
        for n, s in enumerate(sheets, start=1)
    )
    return (
        f'{_XML_DECLARATION}<workbook xmlns="{_MAIN_NS}" xmlns:r="{_OFFICE_REL}">'
        '<fileVersion appName="xl"/>'
        f"<workbookPr codeName={quoteattr(code_name)}/>"
        '<bookViews><workbookView visibility="hidden"/></bookViews>'
        f"<sheets>{items}</sheets></workbook>"
    )


def _cell(reference: str, value: str) -> str:
    space = ' xml:space="preserve"' if value != value.strip() else ""
    return f'<c r="{reference}" t="inlineStr"><is><t{space}>{escape(value)}</t></is></c>'


def _worksheet(sheet: Sheet) -> str:
    rows = []
    for row_number, row in enumerate(sheet.rows, start=1):
        cells = "".join(
            _cell(f"{_column_letter(column)}{row_number}", value)
            for column, value in enumerate(row)
            if value
        )
        rows.append(f'<row r="{row_number}">{cells}</row>')
    return (
        f'{_XML_DECLARATION}<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_OFFICE_REL}">'
        f"<sheetPr codeName={quoteattr(sheet.code_name)}/>"
        f'<sheetData>{"".join(rows)}</sheetData></worksheet>'
    )


# A minimal style sheet: one font, the two fills the spec reserves (none, gray125),
# one border and the "Normal" cell style.
_STYLES = (
    f'{_XML_DECLARATION}<styleSheet xmlns="{_MAIN_NS}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _core_properties(title: str) -> str:
    return (
        f"{_XML_DECLARATION}<cp:coreProperties"
        ' xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:title>{escape(title)}</dc:title></cp:coreProperties>"
    )


def _app_properties() -> str:
    return (
        f"{_XML_DECLARATION}<Properties"
        ' xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        "<Application>Microsoft Excel</Application></Properties>"
    )


def _custom_properties(properties: Mapping[str, str]) -> str:
    # pid 0 and 1 are reserved; user properties start at 2 (ECMA-376 Part 1, 22.3.2.1).
    items = "".join(
        '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"'
        f' pid="{pid}" name={quoteattr(name)}><vt:lpwstr>{escape(value)}</vt:lpwstr></property>'
        for pid, (name, value) in enumerate(properties.items(), start=2)
    )
    return (
        f"{_XML_DECLARATION}<Properties"
        ' xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"'
        ' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        f"{items}</Properties>"
    )


def write_addin_package(
    path: Path,
    *,
    vba_project: bytes,
    sheets: Sequence[Sheet],
    custom_ui: bytes,
    title: str,
    properties: Mapping[str, str],
    workbook_code_name: str = "ThisWorkbook",
) -> Path:
    """Write the .xlam to ``path``; ``properties`` become custom document properties."""
    if not sheets:
        raise ValueError("a workbook needs at least one sheet")
    sheet_numbers = range(1, len(sheets) + 1)
    workbook_targets = [
        *((f"{_OFFICE_REL}/worksheet", f"worksheets/sheet{n}.xml") for n in sheet_numbers),
        (f"{_OFFICE_REL}/styles", "styles.xml"),
        (VBA_PROJECT_RELATIONSHIP, "vbaProject.bin"),
    ]
    package_targets = [
        (f"{_OFFICE_REL}/officeDocument", "xl/workbook.xml"),
        (f"{_PACKAGE_REL}/metadata/core-properties", "docProps/core.xml"),
        (f"{_OFFICE_REL}/extended-properties", "docProps/app.xml"),
        (f"{_OFFICE_REL}/custom-properties", "docProps/custom.xml"),
        (RIBBON_RELATIONSHIP, "customUI/customUI.xml"),
    ]
    parts: dict[str, str | bytes] = {
        "[Content_Types].xml": _content_types(len(sheets)),
        "_rels/.rels": _relationships(package_targets),
        "docProps/core.xml": _core_properties(title),
        "docProps/app.xml": _app_properties(),
        "docProps/custom.xml": _custom_properties(properties),
        "customUI/customUI.xml": custom_ui,
        "xl/workbook.xml": _workbook(sheets, workbook_code_name),
        "xl/_rels/workbook.xml.rels": _relationships(workbook_targets),
        "xl/styles.xml": _STYLES,
        "xl/vbaProject.bin": vba_project,
        **{f"xl/worksheets/sheet{n}.xml": _worksheet(s) for n, s in enumerate(sheets, start=1)},
    }
    path.parent.mkdir(parents=True, exist_ok=True)

    def write(handle) -> None:
        with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, content in parts.items():
                info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, content.encode("utf-8") if isinstance(content, str) else content)

    from ..io.safe_save import safe_replace

    safe_replace(path, write, backup=False)  # complete or not at all: a full disk leaves no broken add-in
    return path
