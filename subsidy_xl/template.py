"""The workbook template, generated from schema.py and the default parameters.

``python -m subsidy_xl.template`` rewrites templates/subsidy_template.xlsx; a test
checks that regenerating it gives the same content. openpyxl is fine here: the
template is small and has nothing of a user's to lose.
"""
from __future__ import annotations

import datetime as _dt
import sys
from pathlib import Path
from typing import Mapping, Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.header_footer import HeaderFooterItem, _HeaderFooterPart
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.table import Table, TableStyleInfo

from .cells import a1, col_letter
from .io.safe_save import BACKUP_FOLDER, BACKUPS_KEPT
from .months import Quarter
from .params import default_data, default_params
from .schema import (BUDGET_SHEET, CHANGELOG_COLUMNS, CHANGELOG_SHEET, CHANGES_COLUMNS, CHANGES_SHEET, GENDERS,
                     ISSUE_COLUMNS, ISSUES_SHEET, ONE_OFF_PAY_SHEET, OWNED_SHEETS, PARAM_BLOCKS, PARAM_HEADER_ROW,
                     PARAMS_SHEET, PERFORMANCE_SHEET, PROJECT_INFO_HEADERS, PROJECT_INFO_ITEMS, PROJECT_INFO_SHEET,
                     QUARTERLY_SHEET, README_SHEET, ROSTERS, SHEET_ORDER, STYLES, STOP_EFFECTS, SUMMARY_SHEET, Roster,
                     cell_style, param_block)
from .tables import summary
from .tables.budget import budget_figures
from .tables.payments import ONE_OFF_HEADERS, QUARTERLY_HEADERS, column_widths
from .performance.layout import (GOAL_CHARS, GOAL_LABELS, HEADER_FIRST_ROW, HEADER_ITEMS, INDICATOR_HEADER_ROW,
                                 INDICATOR_HEADERS, INDICATOR_WIDTHS, SIGNATURE_FOOTER, TITLE)
from .tables.layout import (NUMBER_FORMATS, ROW_PADDING, ColumnSpec, Layout, PageLayout, column_points, footer_text,
                            line_height, lines_needed)
from .tables.sheet import SheetContent
from .tables.summary import summary_sheet
from .resources import project_path

TEMPLATE_DIR = project_path("templates")
TEMPLATE_PATH = TEMPLATE_DIR / "subsidy_template.xlsx"
ROSTER_ROWS = 20000  # rows covered by drop-down validation and text formats below each roster header
FIXED_TIME = _dt.datetime(2026, 1, 1)  # document properties, so regeneration is reproducible

_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
# One column of wrapped text on a portrait page: narrow enough to fit A4 at full size in Excel and in
# LibreOffice (whose character width, from the fonts it maps to, is wider than Excel's).
PORTRAIT_TEXT_WIDTH = 78
_FONT = "宋体"  # PDFs made on Linux print it as Noto Serif CJK SC (export/pdf.py, data/fonts.conf)


def _named_styles() -> list[NamedStyle]:
    def style(key, size=11, bold=False, fill=None, fmt="General", border=True, wrap=False, h=None, color=None):
        ns = NamedStyle(name=STYLES[key])
        ns.font = Font(name=_FONT, size=size, bold=bold, color=color)
        if fill:
            ns.fill = PatternFill("solid", fgColor=fill)
        ns.number_format = fmt
        if border:
            ns.border = _BORDER
        ns.alignment = Alignment(horizontal=h, vertical="center", wrap_text=wrap)
        return ns

    fmt = NUMBER_FORMATS  # number formats by meaning (tables/layout.py)
    return [
        style("title", 16, bold=True, border=False, h="center"),
        style("subtitle", 11, border=False, wrap=True),
        style("header", bold=True, fill="DDEBF7", wrap=True, h="center"),
        style("text", fmt=fmt["text"]),
        style("int", fmt=fmt["int"], h="center"),
        style("money", fmt=fmt["money"]),
        style("pct", fmt=fmt["pct"]),
        style("total", bold=True, fill="F2F2F2", fmt=fmt["total"]),
        style("total_text", bold=True, fill="F2F2F2"),
        style("total_int", bold=True, fill="F2F2F2", fmt=fmt["total_int"], h="center"),
        style("note", border=False, wrap=True),
        style("error", fill="FFC7CE", color="9C0006"),
        style("warning", fill="FFEB9C", color="9C5700"),
        style("info", fill="DDEBF7"),
        style("wrap", fmt=fmt["text"], wrap=True),
        style("sign", border=False, wrap=True),
        style("form_label", bold=True, wrap=True, h="center"),
        style("form_text", wrap=True, fmt=fmt["text"]),
    ]


def _page_setup(ws, title_rows: str, landscape: bool = True, unit: str = "") -> None:
    """A4, fit to the page width, rows ``title_rows`` ("1:3") on every page, 填报单位 and page X of N below."""
    first, _, last = title_rows.partition(":")
    page_setup(ws, PageLayout(orientation="landscape" if landscape else "portrait",
                              title_rows=(int(first), int(last or first)), footer=footer_text(unit, ws.title)))


def _widths(ws, widths: Sequence[float], first_col: int = 0) -> None:
    for i, w in enumerate(widths):
        ws.column_dimensions[get_column_letter(first_col + i + 1)].width = w


def _list_range(block_key: str) -> str:
    block = param_block(block_key)
    col = get_column_letter(block.first_col + 1)
    first = PARAM_HEADER_ROW + 1
    return f"'{PARAMS_SHEET}'!${col}${first}:${col}${first + block.capacity - 1}"


def _readme(ws) -> None:
    lines = [
        ("正常离任村（社区）干部生活补助经费 工作簿", "title"),
        ("本工作簿由 subsidy-xl 生成。请在以下工作表中录入或粘贴数据：", None),
        ("· 参数：补助标准、换届时间、生活补贴条件、预算数等。默认值来自2026年预算申报书，标注“未核实”的请按本区实际核对。", None),
        ("· 项目信息：项目名称、实施单位、编制和人员情况等。", None),
        ("· 生活补贴名册：2000年以前正常离任、享受生活补贴的人员，一人一行。身份证号、银行账号请按文本录入。", None),
        ("· 一次性补助名册：2026年换届正常离任、连续任满一届以上的社区干部。月岗位补贴、计发月数、补助金额由工具计算，请勿手填。", None),
        ("· 绩效目标表：项目绩效目标表，可由工具按名册填写并校验。", None),
        (f"以下工作表由工具生成，每次刷新或导入都会重写，请勿在其中录入：{'、'.join(OWNED_SHEETS)}。", None),
        ("使用方法：在 Excel 功能区“离任补贴”选项卡点击“全部刷新”；或在命令行运行 subsidy-xl refresh 工作簿.xlsx --quarter 2026Q1。", None),
        (f"刷新或导入前，原文件会备份到同一文件夹下的“{BACKUP_FOLDER}”文件夹（文件名带日期时间，每个工作簿保留最近"
         f"{BACKUPS_KEPT}份）。问题清单列出所有需核实之处及其单元格位置。", None),
        ("月份可写作 2013-01、2013.01、2013年1月 或 201301；数字 2013.1 无法区分1月和10月，会被列入问题清单。", None),
        ("", None),
        ("本工具使用以下单元格样式生成各表，请勿删除或改名：", None),
    ]
    content = SheetContent(README_SHEET, columns=[ColumnSpec(width=PORTRAIT_TEXT_WIDTH)],
                           page=PageLayout(orientation="portrait", footer=footer_text("", README_SHEET)))
    for text, style in lines:
        content.add([text], style=style or "sign")  # wrapped, no border: prints whole within the page
    for key in STYLES:
        content.add([STYLES[key]], style=key)
    write_content(ws, content)


def _params(ws) -> None:
    data = default_data()
    for block in PARAM_BLOCKS:
        ws.cell(1, block.first_col + 1, block.title).style = STYLES["subtitle"]
        ws.cell(1, block.first_col + 1).font = Font(name=_FONT, bold=True)
        for i, h in enumerate(block.headers):
            ws.cell(PARAM_HEADER_ROW, block.first_col + 1 + i, h).style = STYLES["header"]
        rows = data[block.key]
        for r, row in enumerate(rows, PARAM_HEADER_ROW + 1):
            for i, f in enumerate(block.fields):
                value = row.get(f)
                cell = ws.cell(r, block.first_col + 1 + i, value)
                cell.style = STYLES["int"] if isinstance(value, int) else STYLES["text"]
        last = PARAM_HEADER_ROW + max(len(rows), 1)
        ref = f"{a1(PARAM_HEADER_ROW, block.first_col)}:{a1(last, block.first_col + len(block.headers) - 1)}"
        table = Table(displayName=block.table, ref=ref)
        table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
        ws.add_table(table)
        _widths(ws, block.widths, block.first_col)
    effect = DataValidation(type="list", formula1=f'"{",".join(STOP_EFFECTS)}"', allow_blank=False)
    stop = param_block("stop_reasons")
    col = get_column_letter(stop.first_col + 2)
    effect.add(f"{col}{PARAM_HEADER_ROW + 1}:{col}{PARAM_HEADER_ROW + stop.capacity}")
    ws.add_data_validation(effect)
    ws.freeze_panes = f"A{PARAM_HEADER_ROW + 1}"
    _params_print(ws, data)


def _params_print(ws, data: Mapping[str, object]) -> None:
    """参数 prints blocks whole: landscape pages each holding the blocks that fit side by side (a column
    break between blocks, never inside one), the title and header rows on every page, long notes wrapped."""
    # Row heights: the tallest wrapped text of the row across the blocks.
    from .tables.layout import ROW_PADDING, line_height, lines_needed
    tallest: dict[int, float] = {}
    for block in PARAM_BLOCKS:
        for r, row in enumerate(data[block.key], PARAM_HEADER_ROW + 1):
            for i, f in enumerate(block.fields):
                value = row.get(f)
                if isinstance(value, str) and value:
                    h = lines_needed(value, "wrap", block.widths[i]) * line_height("wrap") + ROW_PADDING
                    tallest[r] = max(tallest.get(r, 0), h)
                    ws.cell(r, block.first_col + 1 + i).alignment = Alignment(wrap_text=True, vertical="center")
    for r, h in tallest.items():
        if h > line_height("text") + ROW_PADDING + 0.05:
            ws.row_dimensions[r].height = round(h, 1)
    page = PageLayout(title_rows=(1, PARAM_HEADER_ROW), fit_width=False, footer=footer_text("", PARAMS_SHEET))
    page_setup(ws, page)
    usable = page.printable_points[0] * 0.97
    used = 0.0
    for block in PARAM_BLOCKS:
        block_points = sum(column_points(w) for w in block.widths) + column_points(8.43)
        if used and used + block_points > usable:
            ws.col_breaks.append(Break(id=block.first_col))
            used = 0.0
        used += block_points
    ws.page_setup.scale = 100


def _project_info(ws, info: Mapping[str, object]) -> None:
    for i, h in enumerate(PROJECT_INFO_HEADERS, 1):
        ws.cell(1, i, h).style = STYLES["header"]
    for r, (_key, label) in enumerate(PROJECT_INFO_ITEMS, 2):
        ws.cell(r, 1, label).style = STYLES["text"]
        cell = ws.cell(r, 2, info.get(label))
        cell.style = STYLES["note"]
        cell.border = _BORDER
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 90
    from .tables.layout import lines_needed, line_height, ROW_PADDING
    for r, (key, label) in enumerate(PROJECT_INFO_ITEMS, 2):
        value = info.get(label)
        if key == "annual_goal":  # filled later by the tool, which sets no heights: room for a generated goal
            value = max(str(value or ""), "字" * GOAL_CHARS, key=len)
        if isinstance(value, str) and value:
            lines = lines_needed(value, "note", 90)
            if lines > 1:
                ws.row_dimensions[r].height = round(lines * line_height("note") + ROW_PADDING, 1)
    ws.freeze_panes = "A2"
    _page_setup(ws, "1:1", landscape=False)


_VALIDATION_LISTS = {"streets": _list_range("streets"), "categories": _list_range("rates"),
                     "stop_reasons": _list_range("stop_reasons"), "genders": f'"{",".join(GENDERS)}"'}


def _roster(ws, spec: Roster, rows: Sequence[Mapping[str, object]]) -> None:
    for i, col in enumerate(spec.columns, 1):
        ws.cell(1, i, col.header).style = STYLES["header"]
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = col.width
        if col.kind in ("id", "account", "phone", "month"):
            # A text column keeps 18-digit IDs and 2013-01 as typed (no number or date conversion).
            ws.column_dimensions[letter].number_format = "@"
        if col.choices:
            dv = DataValidation(type="list", formula1=_VALIDATION_LISTS[col.choices], allow_blank=True,
                                showErrorMessage=True, errorTitle="输入有误", error=f"请从下拉列表中选择“{col.header}”")
            dv.add(f"{letter}2:{letter}{ROSTER_ROWS + 1}")
            ws.add_data_validation(dv)
    for r, row in enumerate(rows, 2):
        ws.cell(r, 1, r - 1).style = STYLES["int"]
        for i, col in enumerate(spec.columns[1:], 2):
            value = row.get(col.header)
            ws.cell(r, i, value).style = STYLES[cell_style(col, value)]
    last = 1 + max(len(rows), 1)
    table = Table(displayName=spec.table, ref=f"A1:{get_column_letter(len(spec.columns))}{last}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    ws.add_table(table)
    ws.freeze_panes = "A2"
    _page_setup(ws, "1:1")


def _owned(ws, title: str, headers: Sequence[str], note: str) -> None:
    """Placeholder of a sheet the tool writes: title, note and header; refresh lays the sheet out anew."""
    content = SheetContent(ws.title, header_row=3, footer=footer_text("", ws.title))
    content.width = max(len(headers), 1)
    content.merged_row(title, "title")
    content.add([note], style="subtitle")
    if headers:
        content.add(list(headers), style="header")
        content.columns = [ColumnSpec(min_width=w) for w in column_widths(headers)]
    write_content(ws, content)
    ws.freeze_panes = "A4"


def styled_workbook() -> Workbook:
    """An empty workbook with the tool's named styles: the template, exports and street forms start here."""
    wb = Workbook()
    for ns in _named_styles():
        wb.add_named_style(ns)
    wb.remove(wb.active)
    return wb


def write_content(ws, content: SheetContent, layout: Layout | None = None) -> Layout:
    """A SheetContent's cells (named styles), merges and print layout (its own, computed from the cells,
    unless ``layout`` is given) into a new openpyxl sheet; returns the layout written."""
    for r, cells in content.rows:
        for c, value, style in cells:
            cell = put(ws, r, c, value)
            if style:
                cell.style = STYLES[style]
    for ref in content.merges:
        ws.merge_cells(ref)
    layout = layout or content.layout()
    apply_layout(ws, layout)
    return layout


def apply_layout(ws, layout: Layout) -> None:
    """Column widths, row heights and the page (tables/layout.py) on an openpyxl sheet."""
    _widths(ws, layout.widths)
    for row, height in layout.row_heights([(r,) for r in range(1, ws.max_row + 1)]).items():
        ws.row_dimensions[row].height = height
    ws.sheet_format.defaultRowHeight = layout.default_height
    ws.sheet_format.customHeight = True
    page_setup(ws, layout.page)


def page_setup(ws, page: PageLayout) -> None:
    """An openpyxl sheet's page from a PageLayout: the same elements io/render.py writes headlessly."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = page.orientation
    ws.sheet_properties.pageSetUpPr.fitToPage = page.fit_width
    if page.fit_width:
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 1 if page.fit_height else 0
    left, right, top, bottom = page.margins
    ws.page_margins.left, ws.page_margins.right, ws.page_margins.top, ws.page_margins.bottom = left, right, top, bottom
    ws.print_options.horizontalCentered = page.centered
    if page.title_rows:
        ws.print_title_rows = f"{page.title_rows[0]}:{page.title_rows[1]}"
    if page.print_area:
        ws.print_area = page.print_area
    ws.row_breaks.brk = []
    for row in page.breaks:
        ws.row_breaks.append(Break(id=row))
    if page.footer:
        ws.oddFooter = _header_footer(page.footer)


def _header_footer(text: str) -> HeaderFooterItem:
    """Excel's "&L…&C…&R…" codes as openpyxl's three parts."""
    import re as _re
    parts = dict(_re.findall(r"&([LCR])((?:[^&]|&[^LCR])*)", text))
    item = HeaderFooterItem()
    for key, attr in (("L", "left"), ("C", "center"), ("R", "right")):
        if key in parts:
            setattr(item, attr, _HeaderFooterPart.from_str(parts[key]))
    return item


def storable(value: object) -> object:
    """The value as an .xlsx cell can hold it: control characters (which openpyxl refuses) dropped."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def put(ws, row: int, col: int, value: object):
    """Set a cell (Excel row, 0-based column); text is always stored as text, since openpyxl would
    otherwise make a formula of a name or remark that begins with '='."""
    value = storable(value)
    cell = ws.cell(row, col + 1, value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def _summary(ws) -> None:
    """汇总 with the default year's budget and its two charts, which read fixed cells that refresh rewrites."""
    params = default_params()
    quarter = Quarter(params.budget_year, 1)
    content = summary_sheet([], [], quarter, params, budget_figures([], [], params))
    content.columns = content.columns or [ColumnSpec(min_width=w) for w in summary.WIDTHS]
    write_content(ws, content)

    def bar(title: str, y_title: str, header_row: int, first: int, last: int, cols: Sequence[int], stacked: bool):
        chart = BarChart()
        chart.type, chart.title, chart.y_axis.title = "col", title, y_title
        chart.height, chart.width = 9, 18
        if stacked:
            chart.grouping, chart.overlap = "stacked", 100
        for col in cols:
            chart.add_data(Reference(ws, min_col=col + 1, min_row=header_row, max_row=last), titles_from_data=True)
        categories = Reference(ws, min_col=1, min_row=first, max_row=last)
        for series in chart.series:  # text categories (street, quarter): openpyxl would declare them numbers
            series.cat = AxDataSource(strRef=StrRef(f=str(categories)))
        return chart

    ws.add_chart(bar("各街道补助金额（全年测算）", "元", summary.STREET_HEADER_ROW, summary.STREET_FIRST_ROW,
                     summary.STREET_LAST_ROW, summary.STREET_CHART_COLS, stacked=True), "I1")
    ws.add_chart(bar("分季度累计预算与测算", "元", summary.QUARTER_HEADER_ROW, summary.QUARTER_FIRST_ROW,
                     summary.QUARTER_LAST_ROW, summary.QUARTER_CHART_COLS, stacked=False), "I20")
    page_setup(ws, PageLayout(title_rows=(1, 2), fit_height=True, footer=footer_text("", SUMMARY_SHEET)))


def _listing(ws, columns) -> None:
    content = SheetContent(ws.title, header_row=1, columns=[ColumnSpec(width=col.width) for col in columns])
    content.add([col.header for col in columns], style="header")
    write_content(ws, content)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}1"
    _page_setup(ws, "1:1")


def build(path: Path, data: Mapping[str, object] | None = None) -> Path:
    """Write the template (``data`` None) or a workbook holding sample/roster data."""
    data = data or {}
    wb = styled_workbook()
    sheets = {name: wb.create_sheet(name) for name in SHEET_ORDER}
    _readme(sheets[README_SHEET])
    _params(sheets[PARAMS_SHEET])
    _project_info(sheets[PROJECT_INFO_SHEET], data.get(PROJECT_INFO_SHEET, {}))
    for spec in ROSTERS:
        _roster(sheets[spec.name], spec, data.get(spec.name, []))
    pending = "（刷新后生成）"
    _owned(sheets[QUARTERLY_SHEET], "季度生活补贴发放表", QUARTERLY_HEADERS, pending)
    _owned(sheets[ONE_OFF_PAY_SHEET], "一次性补助发放表", ONE_OFF_HEADERS, pending)
    _owned(sheets[BUDGET_SHEET], "资金安排", (), pending)
    _summary(sheets[SUMMARY_SHEET])
    write_performance_sheet(sheets[PERFORMANCE_SHEET], data.get(PERFORMANCE_SHEET))
    _listing(sheets[ISSUES_SHEET], ISSUE_COLUMNS)
    _listing(sheets[CHANGES_SHEET], CHANGES_COLUMNS)
    _listing(sheets[CHANGELOG_SHEET], CHANGELOG_COLUMNS)
    wb.active = SHEET_ORDER.index(README_SHEET)
    wb.properties.creator = "subsidy-xl"
    wb.properties.created = wb.properties.modified = FIXED_TIME
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def write_performance_sheet(ws, data: Mapping[str, object] | None = None) -> None:
    """Title, the header items (label in A, value in B merged across), the indicator header and rows,
    printed like the official form: bordered and wrapped cells, rows as tall as their text (computed: no
    spreadsheet program fits a merged cell), one page wide, the indicator header on every page, and the
    signature line (填报单位（盖章）, 填报人, 日期) at the foot of every page."""
    data = data or {}
    width = len(INDICATOR_HEADERS)
    ws.cell(1, 1, TITLE).style = STYLES["title"]
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.row_dimensions[1].height = round(line_height("title") + ROW_PADDING, 1)
    for i, h in enumerate(INDICATOR_HEADERS, 1):
        ws.column_dimensions[col_letter(i - 1)].width = INDICATOR_WIDTHS[i - 1]
    value_width = sum(INDICATOR_WIDTHS[1:])
    for i, label in enumerate(HEADER_ITEMS):
        r = HEADER_FIRST_ROW + i
        ws.cell(r, 1, label).style = STYLES["form_label"]
        value = (data.get("header") or {}).get(label)
        cell = ws.cell(r, 2, value)
        cell.style = STYLES["form_text"]
        for c in range(3, width + 1):  # the merged value's border on every cell it covers
            ws.cell(r, c).style = STYLES["form_text"]
        ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=width)
        # Goals are filled later by the tool (fill.py patches cells, not heights): room for GOAL_CHARS characters.
        room = "字" * GOAL_CHARS if label in GOAL_LABELS else str(value or "")
        lines = max(lines_needed(room, "form_text", value_width), lines_needed(label, "form_label", INDICATOR_WIDTHS[0]))
        ws.row_dimensions[r].height = round(lines * line_height("form_text") + ROW_PADDING, 1)
    for i, h in enumerate(INDICATOR_HEADERS, 1):
        ws.cell(INDICATOR_HEADER_ROW, i, h).style = STYLES["header"]
    ws.row_dimensions[INDICATOR_HEADER_ROW].height = round(2 * line_height("header") + ROW_PADDING, 1)
    rows: Sequence[Sequence[object]] = data.get("indicators") or ()
    for r, row in enumerate(rows, INDICATOR_HEADER_ROW + 1):
        lines = 1
        for c, value in enumerate(row, 1):
            ws.cell(r, c, value).style = STYLES["form_text"]
            if value not in (None, ""):
                lines = max(lines, lines_needed(str(value), "form_text", INDICATOR_WIDTHS[c - 1]))
        for c in range(len(row) + 1, width + 1):
            ws.cell(r, c).style = STYLES["form_text"]
        ws.row_dimensions[r].height = round(lines * line_height("form_text") + ROW_PADDING, 1)
    ws.freeze_panes = f"A{INDICATOR_HEADER_ROW + 1}"
    page_setup(ws, PageLayout(title_rows=(INDICATOR_HEADER_ROW, INDICATOR_HEADER_ROW), footer=SIGNATURE_FOOTER))


if __name__ == "__main__":
    sys.stdout.write(f"wrote {build(TEMPLATE_PATH)}\n")
