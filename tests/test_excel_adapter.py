"""The live adapter's pieces that need no Excel: values as Excel receives them, patch
blocks, style rectangles, and the COM calls for styles and merged areas (on stand-ins)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from subsidy_xl.excel.adapter import merged_areas, patch_blocks, to_excel
from subsidy_xl.excel.styles import MAX_ADDRESS, ComStyler, area_addresses, style_rects
from subsidy_xl.months import YearMonth
from subsidy_xl.schema import STYLES
from subsidy_xl.tables.sheet import SheetContent


def test_text_excel_would_convert_keeps_its_form():
    for text in ("530114193211178759", "6228215477127462210", "=SUM(A1)", "+1", "-", "@x", "'a", "#N/A",
                 "2026-01", "2026年1月", "12:30", "1/2", "95%", "1e5", "TRUE", " 12 "):
        assert to_excel(text) == "'" + text, text
    for text in ("张三", "53011419321117875X", "2026Q2", "5人", "龙城街道小计", ""):
        assert to_excel(text) == text, text
    assert to_excel("530114193211178759", text_cell=True) == "530114193211178759"


def test_numbers_reach_excel_as_numbers():
    assert to_excel(Decimal("12.50")) == 12.5 and isinstance(to_excel(Decimal("12.50")), float)
    assert to_excel(Decimal("12.00")) == 12 and isinstance(to_excel(Decimal("12.00")), int)
    assert to_excel(11000) == 11000 and to_excel(True) is True and to_excel(None) is None
    assert to_excel(dt.date(2026, 1, 1)) == dt.date(2026, 1, 1)
    assert to_excel(YearMonth(2026, 1)) == "'2026-01"  # a NamedTuple would otherwise spread over cells


def test_a_patch_of_adjacent_columns_is_one_block():
    patch = {r: {12: (r, None), 13: (r * 2, None), 14: (None, None)} for r in range(2, 102)}
    blocks = patch_blocks(patch)
    assert len(blocks) == 1
    row, col, values = blocks[0]
    assert (row, col, len(values), values[0]) == (2, 12, 100, [2, 4, None])


def test_patch_blocks_split_at_gaps_only():
    patch = {2: {1: ("a", None), 3: ("b", None)}, 3: {1: ("c", None), 3: ("d", None)}, 5: {1: ("e", None)}}
    assert patch_blocks(patch) == [(2, 1, [["a"], ["c"]]), (2, 3, [["b"], ["d"]]), (5, 1, [["e"]])]


def _content() -> SheetContent:
    sheet = SheetContent("季度发放")
    sheet.merged_row("标题", "title", width=3)
    sheet.add(["序号", "姓名", "金额"], style="header")
    for i in range(50):
        sheet.add([i + 1, "张三", 660], styles=("int", "text", "money"))
    sheet.add([None, "合计", 33000], styles=(None, "total_text", "total"))
    return sheet


def test_styles_group_into_few_rectangles():
    rects = style_rects(_content().rows)
    assert rects["title"] == [(1, 0, 1, 2)]
    assert rects["header"] == [(2, 0, 2, 2)]
    assert rects["int"] == [(3, 0, 52, 0)] and rects["money"] == [(3, 2, 52, 2)]
    assert rects["total"] == [(53, 2, 53, 2)] and rects["total_text"] == [(53, 1, 53, 1)]


def test_area_addresses_stay_under_excels_limit():
    rects = [(r, 0, r, 3) for r in range(1, 400, 2)]
    addresses = area_addresses(rects)
    assert all(len(a) <= MAX_ADDRESS for a in addresses) and len(addresses) < 20
    assert ",".join(addresses).count(":") == len(rects)


class FakeRange:
    def __init__(self, log, address):
        self._log, self._address = log, address

    def __setattr__(self, name, value):
        if name == "Style":
            if value == "缺失":
                raise RuntimeError("com_error")
            self._log.append((self._address, value))
        object.__setattr__(self, name, value)


class FakeComSheet:
    def __init__(self):
        self.log = []
        self.api = self

    def Range(self, address):
        return FakeRange(self.log, address)


def test_com_styler_sets_named_styles_per_area():
    sheet = FakeComSheet()
    calls = ComStyler().apply(sheet, _content().rows)
    assert calls == len(sheet.log) == 7  # one per style here
    assert ("A3:A52", STYLES["int"]) in sheet.log


def test_com_styler_skips_a_style_the_book_lacks(monkeypatch):
    monkeypatch.setitem(STYLES, "money", "缺失")
    styler = ComStyler()
    sheet = FakeComSheet()
    styler.apply(sheet, _content().rows)
    assert styler.missing == {"缺失"} and all(style != "缺失" for _, style in sheet.log)


class FakeCell:
    def __init__(self, r, c, rows=1, cols=1):
        self.Row, self.Column, self.Address = r, c, f"${r}${c}"
        self.Rows, self.Columns = type("N", (), {"Count": rows})(), type("N", (), {"Count": cols})()
        self.MergeArea = self


class FakeUsed:
    def __init__(self, merge_flag, areas):
        self.MergeCells, self.areas = merge_flag, areas
        self.Application = self
        self.FindFormat = type("F", (), {"Clear": lambda self: None, "MergeCells": None})()
        self.finds = 0

    def Find(self, What, LookIn, SearchFormat, After=None):
        self.finds += 1
        if not self.areas:
            return None
        i = 0 if After is None else (self.areas.index(After) + 1) % len(self.areas)
        return self.areas[i]  # wraps round to the first, as Excel's Find does


class FakeSheet:
    def __init__(self, used):
        self.used_range = type("U", (), {"api": used})()


def test_merged_areas_from_excels_format_search():
    assert merged_areas(FakeSheet(FakeUsed(False, []))) == []
    used = FakeUsed(None, [FakeCell(1, 1, 1, 3), FakeCell(5, 2, 2, 1)])
    assert merged_areas(FakeSheet(used)) == [(0, 0, 0, 2), (4, 1, 5, 1)]
    assert used.finds == 3


def test_engines_without_com_report_no_merged_areas():
    class Remote:
        @property
        def api(self):
            raise NotImplementedError

    assert merged_areas(type("S", (), {"used_range": Remote()})()) == []
