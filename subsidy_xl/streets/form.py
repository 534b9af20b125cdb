"""street-form: the workbook a 街道 fills, pre-filled with its current people.

A new file, so openpyxl writes it. Sheets: 填表说明; one sheet per roster under the
roster's own name and headers (the importer reads it like a roster); 选项 (hidden:
drop-down lists); 原始数据 (very hidden: the baseline, see streets/__init__.py).
"""
from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Mapping, Sequence

from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ..analysis import BookSource, analyse
from ..errors import UserError
from ..months import YearMonth
from ..params import Params, default_params
from ..schema import GENDERS, ROSTERS, STYLES, TEXT_KINDS, Column, Roster, cell_style
from ..tables.layout import ROW_PADDING, ColumnSpec, PageLayout, footer_text, line_height, lines_needed
from ..tables.sheet import SheetContent
from ..template import PORTRAIT_TEXT_WIDTH, page_setup, put, storable, styled_workbook, write_content
from .baseline import BASELINE_HEADERS, BASELINE_SHEET, FORMAT, META_LABELS, baseline_digest
from .values import canon, id_key

FORM_HEADER_ROW = 3  # Excel row of the headers on each roster sheet of the form
SPARE_ROWS = 300  # empty rows below the people that get validation and text format
GUIDE_SHEET = "填表说明"
LISTS_SHEET = "选项"

Person = Mapping[str, object]  # column key -> the roster cell's value
GUIDE_WIDTH = PORTRAIT_TEXT_WIDTH
# The line under each roster's title: what the 街道 does on that sheet (the one-off roster has no 停发 columns).
ROSTER_NOTES = {
    ROSTERS[0].name: "请核对预填人员：有变动直接修改，新增人员在下方空行填写，停发请填停发年月和停发原因（详见“填表说明”）",
    ROSTERS[1].name: "请核对预填人员：有变动直接修改，新增人员在下方空行填写；不再符合条件的人员请勿删除，在“备注”中说明"
                     "（详见“填表说明”）",
}


class StreetFormError(UserError):
    """A street form cannot be made as asked; the message is for the user."""


def form_columns(spec: Roster) -> list[Column]:
    """What a 街道 fills: every roster column except those the tool computes."""
    return [c for c in spec.columns if not c.computed]


def street_form(book: Path | None, street: str, out: Path) -> tuple[Path, dict[str, int]]:
    """The use case: the form for ``street``, pre-filled from ``book`` (blank without one).
    Returns the file and the number of people pre-filled per roster."""
    from ..io.update import open_book

    out = Path(out)
    if out.exists():
        raise FileExistsError(f"文件已存在，未覆盖：{out}")
    params, people = default_params(), {spec.name: [] for spec in ROSTERS}
    if book is not None:
        params, people = street_people(open_book(Path(book)), street)
    if street not in params.streets:
        raise StreetFormError(f"未知街道“{street}”（应为 {'、'.join(params.streets)}）")
    write_form(out, street, people, params, Path(book).name if book else "")
    return out, {name: len(rows) for name, rows in people.items()}


def street_people(src: BookSource, street: str) -> tuple[Params, dict[str, list[Person]]]:
    """The roster rows of one 街道, as the cells hold them (also when they hold mistakes)."""
    analysis = analyse(src)
    people = {}
    for data in (analysis.living, analysis.one_off):
        people[data.spec.name] = [rec.raw for rec in data.records if rec.values.get("street") == street]
    return analysis.params, people


def write_form(out: Path, street: str, people: Mapping[str, Sequence[Person]], params: Params, source: str) -> Path:
    wb = styled_workbook()
    _guide(wb.create_sheet(GUIDE_SHEET), street, source)
    lists = _lists(wb.create_sheet(LISTS_SHEET), street, params)
    entries: list[tuple[str, str, str, str]] = []
    for spec in ROSTERS:
        entries += _roster_sheet(wb.create_sheet(spec.name), spec, street, people.get(spec.name, ()), lists)
    _baseline(wb.create_sheet(BASELINE_SHEET), street, source, entries)
    wb.active = 0
    from ..io.safe_save import creating

    with creating(out) as staging:  # complete or not at all (a full disk leaves no broken form)
        wb.save(staging)
    return out


def _guide(ws, street: str, source: str) -> None:
    lines = [
        (f"{street} 正常离任村（社区）干部补助人员报送表", "title"),
        (f"生成时间：{_dt.datetime.now():%Y-%m-%d %H:%M}" + (f"    来源：{source}" if source else ""), "subtitle"),
        ("填写说明", "header"),
        ("1. 本文件有“生活补贴名册”“一次性补助名册”两张表，已预填贵街道现有人员。请逐人核对，有变动的直接修改对应单元格。", None),
        ("2. 新增人员：在表格下方空行填写，一人一行；请勿合并单元格。", None),
        ("3. 生活补贴名册人员停发（死亡、任公职、受刑事处罚等）：请勿删除该行，在“停发年月”“停发原因”两列填写，并在“备注”中说明；"
         "一次性补助名册没有停发列，不再符合条件的人员请勿删除，在“备注”中说明。"
         "直接删除的行只会被列为“减少”，需区里另行核实。", None),
        ("4. 人员调往其他街道：由调入街道在其报送表中新增，调出街道删除该行并在报送时说明。", None),
        ("5. 身份证号、银行账号、联系电话、年月请按文本填写（已设为文本格式）。身份证号为18位，末位可为X；"
         "切勿以数字格式录入，否则末几位会丢失。年月写作 2013-01。", None),
        ("6. 街道、性别、职务类别、停发原因请从下拉列表中选择。红色表头为必填项。", None),
        ("7. 请勿修改表头和工作表名称，勿删除本文件中的隐藏工作表：区里据此核对哪些内容是贵街道修改的。", None),
        ("8. 银行账号如有变更，请附本人签字的变更材料。", None),
    ]
    content = SheetContent(GUIDE_SHEET, columns=[ColumnSpec(width=GUIDE_WIDTH)],
                           page=PageLayout(orientation="portrait", footer=footer_text("", GUIDE_SHEET)))
    for text, style in lines:
        content.add([text], style=style or "sign")  # wrapped: every line prints whole, rows as tall as needed
    write_content(ws, content)


def _lists(ws, street: str, params: Params) -> dict[str, str]:
    """Drop-down lists on a hidden sheet (an inline list is limited to 255 characters); key -> range."""
    ws.sheet_state = "hidden"
    values = {"streets": list(params.streets) or [street], "genders": list(GENDERS),
              "categories": list(params.rates), "stop_reasons": list(params.stop_effects)}
    ranges = {}
    for c, (key, items) in enumerate(values.items()):
        put(ws, 1, c, key)
        for r, item in enumerate(items, 2):
            put(ws, r, c, item)
        letter = get_column_letter(c + 1)
        ranges[key] = f"'{LISTS_SHEET}'!${letter}$2:${letter}${max(2, len(items) + 1)}"
    return ranges


def _roster_sheet(ws, spec: Roster, street: str, people: Sequence[Person], lists: Mapping[str, str]
                  ) -> list[tuple[str, str, str, str]]:
    """Title, headers and the pre-filled rows; returns the baseline entries (roster, ID, header, value)."""
    columns = form_columns(spec)
    width = len(columns)
    put(ws, 1, 0, f"{street}{spec.name}（报送表）").style = STYLES["title"]
    put(ws, 2, 0, ROSTER_NOTES[spec.name]).style = STYLES["subtitle"]
    ws.row_dimensions[2].height = round(
        lines_needed(ROSTER_NOTES[spec.name], "subtitle", sum(c.width for c in columns)) * line_height("subtitle")
        + ROW_PADDING, 1)
    for r in (1, 2):
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
    for i, col in enumerate(columns):
        cell = put(ws, FORM_HEADER_ROW, i, col.header)
        cell.style = STYLES["header"]
        if col.required:
            cell.font = Font(name=cell.font.name, bold=True, color="C00000")
    entries = []
    for n, person in enumerate(people, 1):
        r = FORM_HEADER_ROW + n
        key = id_key(person.get("id"))
        for i, col in enumerate(columns):
            value = n if col.key == "seq" else _form_value(col, person.get(col.key))
            cell = put(ws, r, i, value)
            cell.style = STYLES[cell_style(col, value)]
            if key and col.key != "seq":
                entries.append((spec.name, key, col.header, canon(value)))
    last = FORM_HEADER_ROW + len(people) + SPARE_ROWS
    _validate(ws, columns, lists, FORM_HEADER_ROW + 1, last)
    for i, col in enumerate(columns):
        letter = get_column_letter(i + 1)
        ws.column_dimensions[letter].width = col.width
        if col.kind in TEXT_KINDS:
            # New rows typed by the 街道 stay text: an 18-digit ID in a number cell loses its last digits.
            ws.column_dimensions[letter].number_format = "@"
    ws.freeze_panes = f"A{FORM_HEADER_ROW + 1}"
    ws.row_dimensions[FORM_HEADER_ROW].height = round(2 * line_height("header") + ROW_PADDING, 1)
    # Some 街道 print the form to check it on paper: A4 landscape, one page wide, headers on every page.
    page_setup(ws, PageLayout(title_rows=(1, FORM_HEADER_ROW), footer=footer_text(street, ws.title)))
    return entries


def _form_value(col: Column, value: object) -> object:
    """A roster cell as the form shows it; a real date in a month column becomes 2019-01, since the column
    is text-formatted and would otherwise show the date's serial number."""
    if col.kind == "month" and isinstance(value, _dt.date):
        return str(YearMonth(value.year, value.month))
    return storable(value)


def _validate(ws, columns: Sequence[Column], lists: Mapping[str, str], first: int, last: int) -> None:
    for i, col in enumerate(columns):
        letter = get_column_letter(i + 1)
        if col.choices:
            dv = DataValidation(type="list", formula1=lists[col.choices], allow_blank=True, showErrorMessage=True,
                                errorTitle="输入有误", error=f"请从下拉列表中选择“{col.header}”")
        elif col.kind == "id":
            dv = DataValidation(type="textLength", operator="equal", formula1="18", allow_blank=True,
                                showErrorMessage=True, errorTitle="身份证号有误", error="身份证号应为18位（末位可为X），请按文本录入")
        elif col.kind in ("money", "int", "decimal"):
            dv = DataValidation(type="whole" if col.kind == "int" else "decimal", operator="greaterThanOrEqual",
                                formula1="0", allow_blank=True, showErrorMessage=True, errorTitle="输入有误",
                                error=f"“{col.header}”应为不小于0的数字")
        else:
            continue
        dv.add(f"{letter}{first}:{letter}{last}")
        ws.add_data_validation(dv)


def _baseline(ws, street: str, source: str, entries: Sequence[tuple[str, str, str, str]]) -> None:
    # Very hidden: Excel's 取消隐藏 does not list it, so it is not edited by accident.
    ws.sheet_state = "veryHidden"
    meta = {"format": FORMAT, "street": street, "created": _dt.datetime.now().replace(microsecond=0).isoformat(),
            "source": source, "digest": baseline_digest(street, entries)}
    for r, (key, label) in enumerate(META_LABELS.items(), 1):
        put(ws, r, 0, label)
        put(ws, r, 1, meta[key])
    header_row = len(META_LABELS) + 2
    for c, h in enumerate(BASELINE_HEADERS):
        put(ws, header_row, c, h)
    for r, entry in enumerate(entries, header_row + 1):
        for c, text in enumerate(entry):
            put(ws, r, c, text)
