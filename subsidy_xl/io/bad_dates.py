"""Sheets python-calamine gives up on: a date- or time-formatted cell holding a number no date can be.

Excel shows such a cell as ``####`` (-1E+308 typed into a date column, 1E+20 in a
``[h]:mm`` column); python-calamine converts it all the same and fails on the whole
sheet (an OverflowError, or a Rust panic that Python sees as pyo3's PanicException,
a BaseException).  The reader then reads the sheet once more from a copy of the
package in which those numbers are text, so the checks report each one at its cell
and every other cell reads as usual.  Only that copy changes; the file never does.
"""
from __future__ import annotations

import re

from .extent import with_sheet
from .zipsafe import SafePackage

# Excel's built-in date/time formats (14-22, 45-47) and those of the Chinese locale (27-36, 50-58).
_BUILTIN_DATE_FORMATS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
# Quoted text, escaped characters and [Red]/[$-804] sections say nothing about dates; [h] [mm] [ss] do.
_FORMAT_NOISE = re.compile(r'"[^"]*"|\\.|_.|\*.|\[(?![hms]+\])[^\]]*\]')
_DATE_TOKEN = re.compile(r"[dmyhs]|[年月日时分秒]")
_LAST_DATE_SERIAL = 2958466  # 10000-01-01: beyond every date and duration Excel can show
_NUMBER_CELL = re.compile(rb"<c\b([^>]*?)>(?:\s*<f\b[^>]*?(?:/>|>[^<]*</f>))?\s*<v>([^<]*)</v>\s*</c>")
_STYLE = re.compile(rb'\ss="(\d+)"')
_TYPE = re.compile(rb'\st="([^"]*)"')


def calamine_gave_up(exc: BaseException) -> bool:
    return isinstance(exc, OverflowError) or type(exc).__name__ == "PanicException"


def dates_as_text(package: SafePackage, part: str, sheet_xml: bytes | None = None) -> bytes:
    """The package's bytes with every out-of-range number of the sheet ``part`` that has a date or time
    format written as the text of the number (a formula's cached value too; the formula goes).
    ``sheet_xml``: the sheet to start from instead of the package's (one without far-away cells, extent.py)."""
    dated = _date_styles(package)

    def as_text(cell: re.Match) -> bytes:
        attrs, number = cell.group(1), cell.group(2)
        style, kind = _STYLE.search(attrs), _TYPE.search(attrs)
        if style is None or int(style.group(1)) not in dated or (kind and kind.group(1) != b"n"):
            return cell.group(0)
        try:
            if 0 <= float(number) < _LAST_DATE_SERIAL:
                return cell.group(0)
        except ValueError:
            return cell.group(0)
        attrs = _TYPE.sub(b"", attrs)
        return b'<c%s t="inlineStr"><is><t>%s</t></is></c>' % (attrs, number.strip())

    sheet = _NUMBER_CELL.sub(as_text, package.read(part) if sheet_xml is None else sheet_xml)
    return with_sheet(package, part, sheet)


def _date_styles(package: SafePackage) -> set[int]:
    """Indexes of the cell formats (cellXfs) that show a number as a date, time or duration."""
    styles = next((target for _id, kind, target in package.relationships(package.main_part)
                   if kind.endswith("/styles") and target in package), None)
    if styles is None:
        return set()
    root = package.xml(styles)
    custom = {el.get("numFmtId"): el.get("formatCode", "") for el in root.iter() if el.tag.endswith("}numFmt")}
    cell_xfs = next((el for el in root if el.tag.endswith("}cellXfs")), ())
    dated = set()
    for index, xf in enumerate(cell_xfs):
        number_format = xf.get("numFmtId", "0")
        code = _FORMAT_NOISE.sub("", custom.get(number_format, "").lower())
        if (number_format.isdigit() and int(number_format) in _BUILTIN_DATE_FORMATS) or _DATE_TOKEN.search(code):
            dated.add(index)
    return dated
