"""Write only what the tool owns into an .xlsx/.xlsm package.

``PackageEditor`` opens a workbook through zipsafe, replaces the rows of sheets
the tool owns, patches cells of user sheets, resizes tables, adds sheets, and
saves a new package in which every part it did not change keeps its exact
uncompressed bytes, in the original order.  Sheets are edited as bytes: rows are
rendered by plain string building and user sheets are patched by streaming over
their XML, so nothing the tool does not understand (charts, VBA, comments,
slicers, pivot caches ...) is ever parsed or re-serialised, and 100,000-row
sheets take seconds.  styles.xml and sharedStrings.xml are never written: text
goes in as inline strings and styles are looked up by the names the template
registers.

Coordinates: row numbers are Excel row numbers (1-based, the 5 of "C5");
column indexes are 0-based (0 = column A), as in ``reader.SheetData.rows[r][c]``.

Typical use (with safe_save.safe_replace around the save)::

    editor = PackageEditor("补助.xlsx")
    editor.replace_sheet_data("季度发放", [(1, 0, ["标题"], "标题"), (3, 0, ["序号", "姓名"], None)],
                              merges=["A1:F1"])
    editor.patch_cells("一次性补助名册", {5: {17: (Decimal("1200"), "金额")}})
    editor.save(target)
"""
from __future__ import annotations

import os
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import BinaryIO
from xml.etree.ElementTree import Element

from ..cells import Line, parse_range, range_text
from .reader import CellRange
from .render import (COLUMNS, CellRenderer, TruncatedCell, ValueRefused, render_lines, row_height_attrs, with_layout,
                     with_print_names)
from .zipsafe import NotInWorkbook, PackageError, SafePackage, SheetEntry, parse_xml, rels_part_for
# Copying a member still deflated (save() calls these by their names here: tests wrap them to fail part-way).
from .zipsafe import add_deflated as _add_deflated, can_copy_deflated as _can_copy_deflated
from .deflate import (DEFAULT_DEFLATE_LEVEL, FAST_DEFLATE_LEVEL, FAST_DEFLATE_MIN_BYTES, WORKER_THREADS, Rewritten,
                      RowsDeflater, deflate_pieces)
from .parts import (AFTER_CALC_PR, MACRO_MAIN_CONTENT_TYPE, MAIN_NS, OVERRIDE, REL_NS, RELATIONSHIP, SHEET_ELEMENT,
                    SHEET_NAME_FORBIDDEN, TABLE_CONTENT_TYPE, WORKSHEET_CONTENT_TYPE, StyleBook, content_type_of, damaged,
                    filtered_calc_chain, insert_before, refuse_strict, set_xml_attribute, shift_sheet_indexes,
                    without_matching, worksheet_folder, xml_attr_text, xml_attribute)
from .sheet_xml import (FormulaConflict, SheetPatcher, normalised_merges, split_sheet, validated_patches, with_dimension,
                        with_merge_cells, without_filter_state)

__all__ = ["FAST_DEFLATE_MIN_BYTES", "FormulaConflict", "NotInWorkbook", "PackageEditor", "PackageError", "TruncatedCell"]

CHUNK_BYTES = 8 << 20  # a part is read in chunks of this size


# ----------------------------------------------------------------------------------
# the editor
# ----------------------------------------------------------------------------------
class PackageEditor:
    """Edit the parts of one workbook that the tool owns; see the module docstring."""

    def __init__(self, source: str | os.PathLike[str] | SafePackage) -> None:
        """Open the workbook at a path, or edit a SafePackage already read (e.g. ``BookData.package``):
        then the bytes the caller read are the bytes edited, and the file is not read a second time.
        The package itself is never changed."""
        self._package = source if isinstance(source, SafePackage) else SafePackage(source)
        self._order = self._package.names
        self._changed: dict[str, Rewritten] = {}  # parts rewritten

        self._removed: set[str] = set()
        self._workbook = self._package.main_part
        refuse_strict(self._package)
        self._entries = self._package.sheets()
        self._workbook_rels = {  # the one-per-workbook parts we need: styles and calcChain
            rel_type.rsplit("/", 1)[-1]: (rel_id, target)
            for rel_id, rel_type, target in self._package.relationships(self._workbook)
            if rel_type.endswith(("/styles", "/calcChain"))}
        self.date1904 = self._read_date1904()
        styles = self._workbook_rels.get("styles", ("", ""))[1]
        self._styles = StyleBook(self._package.xml(styles) if styles in self._package else None)
        self._calc_drops: dict[int, set[str] | None] = {}
        self._frames: dict[str, Future] = {}  # part -> its _frame being read on the worker (see prefetch)
        self._worker: ThreadPoolExecutor | None = None

    # --- queries ---------------------------------------------------------------------
    @property
    def sheet_names(self) -> list[str]:
        """Worksheet names in tab order (chart sheets are left out)."""
        return [entry.name for entry in self._entries if entry.kind == "worksheet"]

    def has_table(self, table_name: str) -> bool:
        """Whether the workbook has an Excel table of that name or display name."""
        try:
            self._table(table_name)
        except NotInWorkbook:
            return False
        return True

    @property
    def macro_enabled(self) -> bool:
        """Whether the workbook is a macro-enabled one (.xlsm): its main part has the macro content type."""
        return content_type_of(self._current("[Content_Types].xml"), self._workbook) == MACRO_MAIN_CONTENT_TYPE

    def check_output_name(self, target: str | os.PathLike[str]) -> None:
        """Refuse (PackageError) to write this workbook under a name whose extension does not say what it is:
        Excel will not open a macro-enabled workbook named .xlsx, nor a macro-free one named .xlsm."""
        suffix = os.path.splitext(os.fspath(target))[1].lower()
        wanted = ".xlsm" if self.macro_enabled else ".xlsx"
        if suffix != wanted:
            kind = "含宏的工作簿（.xlsm）" if self.macro_enabled else "不含宏的工作簿（.xlsx）"
            raise PackageError(f"原工作簿是{kind}，输出文件“{os.path.basename(target)}”的扩展名须为 {wanted}，"
                               f"否则 Excel 无法打开。请改用以 {wanted} 结尾的文件名。未生成任何文件。")

    def recalculate_on_open(self) -> None:
        """Ask Excel, WPS and LibreOffice to recalculate every formula when the workbook is next opened
        (``<calcPr fullCalcOnLoad="1">`` in workbook.xml), so that the staff's own formulas that read a
        rewritten sheet do not show the figures cached before."""
        data = self._current(self._workbook)
        calc_pr = re.search(rb"<(?:[\w.-]+:)?calcPr\b[^>]*?/?>", data)
        if calc_pr:
            tag = set_xml_attribute(calc_pr.group(0), b"fullCalcOnLoad", b"1")
            if tag != calc_pr.group(0):
                self._set_part(self._workbook, data[:calc_pr.start()] + tag + data[calc_pr.end():])
            return
        root = re.search(rb"<([\w.-]+:)?workbook\b[^>]*>", data)
        if root is None:
            raise damaged(self._workbook)
        prefix = root.group(1) or b""
        end = data.rfind(b"</" + prefix + b"workbook>")
        if end < 0:
            raise damaged(self._workbook)
        # CT_Workbook: calcPr comes after definedNames and before these (schema order).
        later = re.compile(rb"<" + re.escape(prefix) + rb"(?:" + b"|".join(AFTER_CALC_PR) + rb")\b")
        found = later.search(data, root.end(), end)
        at = found.start() if found else end
        self._set_part(self._workbook, data[:at] + b"<" + prefix + b'calcPr fullCalcOnLoad="1"/>' + data[at:])

    def style_id(self, style_name: str) -> int:
        """cellXfs index applying the named cell style `style_name` unchanged; 0 if there is none."""
        index = self._styles.index(style_name)
        return 0 if index is None else index

    # --- sheets ----------------------------------------------------------------------
    def replace_sheet_data(self, sheet: str, lines: Iterable[Line], merges: Sequence[str | CellRange] = (),
                           style_names: Mapping[str, str] | None = None, layout=None) -> list[TruncatedCell]:
        """Replace every row of an owned sheet, and its merged ranges, by `lines` and `merges`.

        With a ``layout`` (tables.layout.Layout) the sheet's columns, row heights and page setup (print
        titles and area in workbook.xml) become the layout's (io/render.py writes them); without one they
        are kept as described below.

        lines: (Excel row number, first 0-based column, values, styles) in
        ascending row order (cells.Line): ``styles`` is one named style (or
        None) for all the values or one per value; a None value is no cell
        (an empty styled cell where it has a style).  With `style_names` (e.g.
        schema.STYLES) a style is a key of that mapping rather than the name
        itself.  Rows are written without the attributes the old rows
        had (hidden or filtered away, outline level, height): they belonged to
        what used to be at that row number; an autoFilter keeps its range (its
        buttons) but loses its criteria and sort (the sheet's filterMode goes
        too).  Otherwise
        everything outside <sheetData> and <mergeCells> (views, widths,
        validations, conditional formats, drawings, page setup ...) is kept
        byte for byte; <dimension> is updated.  Returns the cells whose text
        had to be truncated.
        """
        entry = self._worksheet(sheet)
        merge_refs = normalised_merges(merges)
        renderer = CellRenderer(sheet, self.date1904)
        framing = self._frames.pop(entry.part, None)
        head, tail = framing.result() if framing else self._frame(entry.part)
        old_attrs: dict[int, str] = {}  # no stale row state by number (issue 13): a new row is a plain row
        style_attr = self._cached_style_attr(style_names)
        if layout is not None:
            head, tail = with_layout(head, tail, layout.widths, layout.page, layout.default_height)
            lines = lines if isinstance(lines, list) else list(lines)
            old_attrs = row_height_attrs(layout.row_heights(lines))
            index = [e.name for e in self._entries].index(entry.name)
            self._set_part(self._workbook, with_print_names(
                self._current(self._workbook), index, entry.name, layout.page.title_rows, layout.page.print_area))
        deflater = RowsDeflater(self._background)
        body, bounds = render_lines(lines, renderer, old_attrs, lambda style: style_attr(style) or "", deflater.add)
        dimension = bounds.union_text(None) or "A1"
        head, tail = without_filter_state(head, tail)
        head = with_dimension(head, lambda _old: dimension) + b"<sheetData>"
        tail = b"</sheetData>" + with_merge_cells(tail, merge_refs)
        pieces = [head, *body, tail]
        self._set_sheet_part(entry.part, pieces, deflater.finish(pieces))
        self._calc_drops[entry.sheet_id] = None
        return renderer.truncated

    def prefetch(self, sheets: Iterable[str]) -> None:
        """Start reading what replace_sheet_data keeps of these sheets (all but their rows) on another
        thread, so that inflating a big sheet overlaps the caller's work; call before changing them."""
        for sheet in sheets:
            if sheet in self.sheet_names:
                part = self._worksheet(sheet).part
                if part not in self._frames:
                    self._frames[part] = self._background().submit(self._frame, part)

    def _frame(self, part: str) -> tuple[bytes, bytes]:
        """A sheet's XML before and after <sheetData> (its rows are not kept, nor anything of them)."""
        head = tail = b""
        try:
            for kind, data in split_sheet(self._chunks(part), part):
                if kind == "head":
                    head = data
                elif kind == "tail":
                    tail = data
        except ValueError as exc:  # a byte scan met XML that is not what Excel writes (bytes.index, int ...)
            raise damaged(part) from exc
        return head, tail

    def patch_cells(self, sheet: str, cells: Mapping[int, Mapping[int, tuple[object, str | None]]],
                    style_names: Mapping[str, str] | None = None) -> list[TruncatedCell]:
        """Set the given cells of a (possibly huge, user-owned) sheet; keep everything else byte for byte.

        cells: {Excel row number: {0-based column: (value, named style or None)}};
        with `style_names` a style is a key of that mapping, as in replace_sheet_data.
        A patched cell keeps its existing style unless a known style name is
        given, and loses its formula; missing rows and cells are created in
        order; <dimension> grows if needed.  Raises FormulaConflict instead of
        cutting through a shared/array formula range.  Returns the cells whose
        text had to be truncated.
        """
        entry = self._worksheet(sheet)
        patches = validated_patches(cells)
        if not patches:
            return []
        renderer = CellRenderer(sheet, self.date1904)
        patcher = SheetPatcher(sheet, entry.part, patches, renderer, self._cached_style_attr(style_names))
        head = tail = b""
        body: list[bytes] = []
        try:
            for kind, data in split_sheet(self._chunks(entry.part), entry.part):
                if kind == "head":
                    head = data
                elif kind == "rows":
                    body.append(patcher.rows(data))
                else:
                    tail = data
        except ValueRefused:
            raise
        except ValueError as exc:  # a byte scan met XML that is not what Excel writes (bytes.index, int ...)
            raise damaged(entry.part, sheet) from exc
        body.append(patcher.remaining_rows())
        self._set_sheet_part(entry.part, [
            with_dimension(head, patcher.dimension_for), b"<sheetData>", *body, b"</sheetData>", tail])
        dropped = self._calc_drops.setdefault(entry.sheet_id, set())
        if dropped is not None and self._has_calc_chain():
            dropped.update(f"{COLUMNS[col]}{row}" for row, cols in patches.items() for col in cols)
        return renderer.truncated

    def insert_rows(self, sheet: str, before: int, count: int) -> None:
        """Insert ``count`` empty rows above Excel row ``before`` of ``sheet`` (see io/insert_rows.py), its
        Excel tables moved or grown with them; call it before any other change to that sheet."""
        from .insert_rows import insert_rows, shift_range

        entry = self._worksheet(sheet)
        self._set_part(entry.part, insert_rows(self._current(entry.part), before, count))
        self._calc_drops[entry.sheet_id] = None  # the sheet's cells moved: Excel rebuilds its calcChain entries
        for _id, kind, target in self._package.relationships(entry.part):
            if kind.endswith("/table") and target in self._order and target not in self._removed:
                table = parse_xml(self._current(target), target)
                top, left, bottom, right = parse_range(table.get("ref", ""))
                new_top, new_bottom = shift_range(top, bottom, before, count)
                if (new_top, new_bottom) != (top, bottom):
                    self.set_table_ref(table.get("name", ""), range_text(new_top, left, new_bottom, right))

    def table_ref(self, table_name: str) -> str:
        """The range `table_name` (name or display name) covers now, e.g. "A1:U86"."""
        return self._table(table_name)[1].get("ref", "")

    def set_table_ref(self, table_name: str, ref: str) -> None:
        """Point the Excel table `table_name` (name or display name) at `ref`, e.g. "A3:F120".

        The width must stay the same (the table's columns are not managed here);
        the header cells in the sheet must match the table's column names.
        """
        part, table = self._table(table_name)
        top, left, bottom, right = parse_range(ref)
        try:
            header_rows = int(table.get("headerRowCount", "1"))
            totals_rows = int(table.get("totalsRowCount", "0"))
        except ValueError as exc:
            raise damaged(part) from exc
        columns = [child for child in table.iter() if child.tag.endswith("}tableColumn")]
        if right - left + 1 != len(columns):
            raise ValueError(f"表格“{table_name}”有 {len(columns)} 列，区域“{ref}”的列数不同。")
        if bottom - top + 1 < header_rows + totals_rows + 1:
            raise ValueError(f"表格“{table_name}”的区域“{ref}”至少要有一行数据。")
        data = self._current(part)
        root = re.search(rb"<table\b[^>]*>", data)
        if root is None:
            raise PackageError(f"表格部件“{part}”无法识别。")
        data = data[: root.start()] + set_xml_attribute(root.group(0), b"ref", range_text(
            top, left, bottom, right).encode()) + data[root.end():]
        data = self._with_child_ref(data, b"autoFilter", range_text(top, left, bottom - totals_rows, right))
        sort_state = re.search(rb"<sortState\b[^>]*>", data)
        if sort_state and (sort_ref := xml_attribute(sort_state.group(0), b"ref")):
            try:
                _t, sort_left, _b, sort_right = parse_range(sort_ref.decode())
            except ValueError:
                sort_left, sort_right = left, right
            body = range_text(top + header_rows, sort_left, bottom - totals_rows, sort_right)
            data = self._with_child_ref(data, b"sortState", body)
        self._set_part(part, data)

    def add_sheet(self, name: str, after: str | None = None) -> None:
        """Add an empty worksheet (for workbooks made from an older template).

        Placed after the sheet `after`, or last.  Only workbook.xml, its rels and
        [Content_Types].xml change; sheet-index references in workbook.xml
        (defined names' localSheetId, the active and first visible tab) follow
        the sheets they pointed at.
        """
        self._check_new_sheet_name(name)
        position = len(self._entries)
        if after is not None:
            position = [entry.name for entry in self._entries].index(self._worksheet(after).name) + 1
        part = self._new_sheet_part()
        rel_id = self._new_rel_id()
        sheet_id = max((entry.sheet_id for entry in self._entries), default=0) + 1
        self._insert_sheet_element(name, sheet_id, rel_id, position)
        rels_part = rels_part_for(self._workbook)
        target = posixpath.relpath(part, posixpath.dirname(self._workbook))
        relationship = (f'<Relationship Id="{rel_id}" Type="{REL_NS}/worksheet" Target="{target}"/>').encode()
        self._set_part(rels_part, insert_before(self._current(rels_part), b"</Relationships>", relationship))
        override = f'<Override PartName="/{part}" ContentType="{WORKSHEET_CONTENT_TYPE}"/>'.encode()
        self._set_part("[Content_Types].xml", insert_before(
            self._current("[Content_Types].xml"), b"</Types>", override))
        self._set_part(part, (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><dimension ref="A1"/>'
            '<sheetViews><sheetView workbookViewId="0"/></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
            '<sheetData/><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
            "</worksheet>").encode())
        self._order.append(part)
        self._entries.insert(position, SheetEntry(name, sheet_id, rel_id, part, "worksheet", "visible"))

    # --- saving ----------------------------------------------------------------------
    def save(self, dst: str | os.PathLike[str] | BinaryIO) -> None:
        """Write the edited package to `dst` (a path or a seekable binary file).

        Parts in the original order, new ones last; unchanged parts with their
        original uncompressed bytes, date and attributes (a deflated one is
        copied as it is stored, not inflated and deflated again).  To replace
        the workbook itself, call this from safe_save.safe_replace.
        """
        self._apply_calc_chain_drops()
        stamp = self._package.info(self._workbook).date_time
        try:
            self._write(dst, stamp)
        finally:
            self._stop_worker()

    def _write(self, dst: str | os.PathLike[str] | BinaryIO, stamp: tuple[int, ...]) -> None:
        with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as out:
            for name in self._order:
                if name in self._removed:
                    continue
                if name not in self._changed and _can_copy_deflated(self._package.info(name), out):
                    _add_deflated(out, self._package.info(name), self._package.compressed(name))
                    continue
                info = zipfile.ZipInfo(name, date_time=stamp)
                if name in self._package:
                    original = self._package.info(name)
                    info.date_time = original.date_time
                    info.create_system = original.create_system
                    info.external_attr = original.external_attr
                info.compress_type = zipfile.ZIP_DEFLATED
                changed = self._changed.get(name)
                if changed is not None and changed.deflating is not None:
                    # deflated on the other thread while the next sheets were made
                    deflated, info.CRC = changed.deflating.result()
                    info.file_size, info.compress_size = changed.size, len(deflated)
                    if _can_copy_deflated(info, out):
                        _add_deflated(out, info, deflated)
                        continue
                data = changed.data() if changed is not None else self._package.read(name)
                level = FAST_DEFLATE_LEVEL if len(data) >= FAST_DEFLATE_MIN_BYTES else DEFAULT_DEFLATE_LEVEL
                out.writestr(info, data, compresslevel=level)

    # --- internals -------------------------------------------------------------------
    def _set_part(self, part: str, data: bytes) -> None:
        """Store a rewritten part other than a sheet's rows (workbook.xml, rels, a table, a new sheet ...)."""
        self._changed[part] = Rewritten([data])

    def _set_sheet_part(self, part: str, pieces: list[bytes],
                        deflating: Future[tuple[bytes, int]] | None = None) -> None:
        """Store a rewritten sheet, given as the pieces it is made of; a big one starts deflating on
        another thread at once (unless it already is: ``deflating`` gives its deflated bytes and CRC).

        zlib lets other threads run while it deflates, so a 100,000-row sheet is compressed on
        the second core while the next sheet is rendered, instead of all of them in save().
        """
        rewritten = Rewritten(pieces, deflating)
        if deflating is None and rewritten.size >= FAST_DEFLATE_MIN_BYTES:
            rewritten.deflating = self._background().submit(deflate_pieces, pieces, FAST_DEFLATE_LEVEL)
        self._changed[part] = rewritten
        self._frames.pop(part, None)

    def _background(self) -> ThreadPoolExecutor:
        if self._worker is None:
            # WORKER_THREADS is 1, and must stay so: RowsDeflater needs its tasks run in order, one at a time.
            self._worker = ThreadPoolExecutor(max_workers=WORKER_THREADS, thread_name_prefix="package")
        return self._worker

    def _stop_worker(self) -> None:
        if self._worker is not None:
            self._worker.shutdown(wait=True, cancel_futures=True)
            self._worker = None
        self._frames.clear()
        for changed in self._changed.values():  # a later save deflates these parts itself
            changed.deflating = None

    def _worksheet(self, name: str) -> SheetEntry:
        for entry in self._entries:
            if entry.name == name:
                if entry.kind != "worksheet" or entry.part not in self._order:
                    raise PackageError(f"“{name}”不是普通工作表，无法写入。")
                return entry
        raise NotInWorkbook(f"工作簿中没有名为“{name}”的工作表。")

    def _current(self, part: str) -> bytes:
        return self._changed[part].data() if part in self._changed else self._package.read(part)

    def _chunks(self, part: str) -> Iterable[bytes]:
        if part in self._changed:
            return self._changed[part].pieces
        return self._package.iter_chunks(part, CHUNK_BYTES)

    def _read_date1904(self) -> bool:
        for element in self._package.xml(self._workbook).iter():
            if element.tag.endswith("}workbookPr"):
                return element.get("date1904", "0").lower() in ("1", "true")
        return False

    def _style_attr(self, style: str | None) -> str | None:
        """' s="N"' for a known named style; None (keep / no style) for None or an unknown name."""
        index = None if style is None else self._styles.index(style)
        return None if index is None else f' s="{index}"'

    def _cached_style_attr(self, style_names: Mapping[str, str] | None = None) -> Callable[[str], str | None]:
        cache: dict[str, str | None] = {}

        def style_attr(style: str | None) -> str | None:
            if style not in cache:
                named = style_names[style] if style_names is not None and style is not None else style
                cache[style] = self._style_attr(named)
            return cache[style]
        return style_attr

    def _has_calc_chain(self) -> bool:
        part = self._workbook_rels.get("calcChain", ("", ""))[1]
        return part in self._order and part not in self._removed

    def _table(self, table_name: str) -> tuple[str, Element]:
        types = self._current("[Content_Types].xml")
        for override in OVERRIDE.finditer(types):
            tag = override.group(0)
            if xml_attribute(tag, b"ContentType") != TABLE_CONTENT_TYPE.encode():
                continue
            part = (xml_attribute(tag, b"PartName") or b"").decode().lstrip("/")
            if part not in self._order or part in self._removed:
                continue
            table = parse_xml(self._current(part), part)
            if table_name in (table.get("name"), table.get("displayName")):
                return part, table
        raise NotInWorkbook(f"工作簿中没有名为“{table_name}”的表格。")

    @staticmethod
    def _with_child_ref(data: bytes, element: bytes, ref: str) -> bytes:
        found = re.search(rb"<" + element + rb"\b[^>]*>", data)
        if found is None:
            return data
        return data[: found.start()] + set_xml_attribute(found.group(0), b"ref", ref.encode()) + data[found.end():]

    def _check_new_sheet_name(self, name: str) -> None:
        if not 1 <= len(name) <= 31 or SHEET_NAME_FORBIDDEN.search(name) or name[0] == "'" or name[-1] == "'":
            raise ValueError(f"工作表名“{name}”无效：须为 1-31 个字符，不含 []:*?/\\，且首尾不能是单引号。")
        if name.casefold() in {entry.name.casefold() for entry in self._entries} or name.casefold() == "history":
            raise ValueError(f"工作表名“{name}”已存在或被 Excel 保留。")

    def _new_sheet_part(self) -> str:
        folder = worksheet_folder(self._entries, self._workbook)
        number = 1
        while f"{folder}/sheet{number}.xml" in self._order:
            number += 1
        return f"{folder}/sheet{number}.xml"

    def _new_rel_id(self) -> str:
        used = set(re.findall(rb'\sId="([^"]*)"', self._current(rels_part_for(self._workbook))))
        number = len(used) + 1
        while b"rId%d" % number in used:
            number += 1
        return f"rId{number}"

    def _insert_sheet_element(self, name: str, sheet_id: int, rel_id: str, position: int) -> None:
        data = self._current(self._workbook)
        root = re.search(rb"<(?:[\w.-]+:)?workbook\b[^>]*>", data)
        # Only a declaration on the root is in scope for the new element (openpyxl declares it per <sheet>).
        prefix = re.search(rb'xmlns:([\w.-]+)="' + REL_NS.encode() + rb'"', root.group(0)) if root else None
        r_attr = f"{prefix.group(1).decode()}:id" if prefix else f'xmlns:r="{REL_NS}" r:id'
        element = f'<sheet name="{xml_attr_text(name)}" sheetId="{sheet_id}" {r_attr}="{rel_id}"/>'.encode()
        try:
            sheets_start, sheets_end = data.index(b"<sheets"), data.index(b"</sheets>")
        except ValueError as exc:
            raise damaged(self._workbook) from exc
        existing = list(SHEET_ELEMENT.finditer(data, sheets_start, sheets_end))
        at = existing[position].start() if position < len(existing) else sheets_end
        data = data[:at] + element + data[at:]
        if position < len(existing):
            data = shift_sheet_indexes(data, position)
        self._set_part(self._workbook, data)

    def _apply_calc_chain_drops(self) -> None:
        if not self._calc_drops or not self._has_calc_chain():
            return
        rel_id, part = self._workbook_rels["calcChain"]
        filtered, kept = filtered_calc_chain(self._current(part), self._calc_drops)
        self._calc_drops = {}
        if filtered is None:
            return
        if kept:
            self._set_part(part, filtered)
            return
        # A calcChain must list at least one cell, so an emptied one goes with its
        # relationship and content type; Excel rebuilds it on the next calculation.
        self._removed.add(part)
        rels_part = rels_part_for(self._workbook)
        self._set_part(rels_part, without_matching(
            self._current(rels_part), RELATIONSHIP, b"Id", rel_id.encode()))
        self._set_part("[Content_Types].xml", without_matching(
            self._current("[Content_Types].xml"), OVERRIDE, b"PartName", b"/" + part.encode()))
