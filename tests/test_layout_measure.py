"""tables/layout.py: widths from the content, heights for wrapped and merged text, page breaks by group."""
from __future__ import annotations

import math
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from subsidy_xl.tables.layout import (CELL_PADDING, ColumnSpec, Layout, PageLayout, column_points, display_text,
                                      lay_out, line_height, lines_needed, measure_heights, measure_widths,
                                      _with_last_group, page_breaks, page_capacity, print_scale, text_units)
from subsidy_xl.tables.sheet import SheetContent


def test_a_chinese_character_counts_about_twice_a_digit():
    assert text_units("身份证号") > 1.8 * text_units("1234")
    assert text_units("530114195807201234") == text_units("123456789012345678")
    assert text_units("斗南街道A") == text_units("斗南街道") + text_units("A")


def test_numbers_are_measured_as_their_format_shows_them():
    assert display_text(1234567, "money") == "1,234,567.00"
    assert display_text(Decimal("0.9820"), "pct") == "98.20%"
    assert display_text(184, "total_int") == "184"  # a count is not money
    assert display_text(184, "total") == "184.00"


def _table(rows, styles=("text", "money")):
    sheet = SheetContent("表")
    sheet.width = 2
    sheet.merged_row("一个很长很长很长很长很长很长很长很长的标题，只占合并的区域", "title")
    sheet.add(["姓名", "本季金额"], style="header")
    for row in rows:
        sheet.add(list(row), styles=styles)
    return sheet


def test_each_column_is_as_wide_as_its_widest_value_and_merged_titles_widen_nothing():
    sheet = _table([("张三", 1920), ("欧阳建国同志", 1234567)])
    widths = measure_widths(sheet)
    assert widths[0] >= text_units("欧阳建国同志") + CELL_PADDING - 1e-9
    assert widths[1] >= text_units("1,234,567.00") + CELL_PADDING - 1e-9
    # the title (merged over both columns) is far wider than both columns together: it does not count
    assert sum(widths) < text_units(sheet.row_values(1)[0])


def test_column_specs_fix_or_bound_the_width():
    sheet = _table([("欧阳建国同志" * 10, 1)])
    assert measure_widths(sheet, [ColumnSpec(max_width=20), ColumnSpec(width=9)]) == [20, 9]
    assert measure_widths(_table([("张", 1)]), [ColumnSpec(min_width=15), None])[0] == 15


def test_a_long_header_wraps_to_two_lines_rather_than_widen_its_column():
    sheet = SheetContent("表")
    sheet.add(["累计执行率（累计测算÷全年预算）"], style="header")
    sheet.add([Decimal("0.5")], style="pct")
    width = measure_widths(sheet)[0]
    assert width < text_units("累计执行率（累计测算÷全年预算）")
    assert measure_heights(sheet, [width])[1] >= 2 * line_height("header")  # and its row is two lines tall


def test_merged_wrapped_text_gets_the_height_of_its_lines():
    goal = "对全区84名正常离任社区干部发放生活补贴，每人每月平均660元。" * 8  # ~280 characters
    sheet = SheetContent("绩效")
    sheet.width = 4
    sheet.add(["年度绩效目标", goal, None, None], styles=("header", "wrap", "wrap", "wrap"))
    sheet.merges.append("B1:D1")
    widths = [12, 30, 30, 30]
    height = measure_heights(sheet, widths)[1]
    lines = math.ceil(text_units(goal) / (90 - CELL_PADDING))
    assert height >= lines * line_height("wrap")
    # the same text in one 30-wide column needs about three times the lines
    alone = SheetContent("绩效")
    alone.add(["年度绩效目标", goal], styles=("header", "wrap"))
    assert measure_heights(alone, widths)[1] > 2.5 * height - 10


def test_rows_without_wrapping_text_keep_the_default_height():
    sheet = _table([("张三", 1920)] * 50)
    heights = measure_heights(sheet, measure_widths(sheet))
    assert set(heights) <= {1, 2}  # the title (bigger font) and perhaps the header


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="测算ab 1，。\n", min_size=1, max_size=300), st.floats(min_value=6, max_value=80))
def test_wrapped_lines_hold_the_text(text, width):
    """The lines hold every character (none cut off), and no line could have taken the next one."""
    room = width - CELL_PADDING
    lines = lines_needed(text, "wrap", width)
    paragraphs = text.split("\n")
    assert lines >= len(paragraphs)
    assert lines * room >= sum(text_units(p) for p in paragraphs) - 1e-6
    widest = max(map(text_units, text)) if text.strip("\n") else 0
    assert lines <= sum(math.ceil(text_units(p) / (room - widest)) if p else 1 for p in paragraphs) + len(paragraphs)
    assert lines_needed(text + "测" * 100, "wrap", width) >= lines


def test_six_full_width_characters_need_three_lines_where_two_fit_a_line():
    """2.1 units each in a 6.2-unit room: two a line, so three lines (6 × 2.1 / 6.2 alone would say 3; 9 say 5)."""
    width = 2.1 * 2.5 + CELL_PADDING + 1
    assert lines_needed("测" * 6, "wrap", width) == 3
    assert lines_needed("测" * 9, "wrap", width) == 5


def _people_sheet(groups: list[int]) -> SheetContent:
    """Title, unit line, header; then each group's people and its subtotal; a total and signatures."""
    sheet = SheetContent("季度发放", header_row=3)
    sheet.width = 3
    sheet.merged_row("标题", "title")
    sheet.merged_row("单位", "subtitle")
    sheet.add(["序号", "街道", "金额"], style="header")
    for g, size in enumerate(groups):
        first = sheet.next_row
        for i in range(size):
            sheet.add([i + 1, f"街道{g}", 100], styles=("int", "text", "money"))
        sheet.group(first, sheet.add(["", f"街道{g}小计", 100 * size], style="total"))
    total = sheet.add(["", "合计", 1], style="total")
    sheet.add(["大写"], style="total_text")
    sheet.keep(total, sheet.add(["制表人：  审核人："], style="sign"))
    return sheet


def _pages(breaks, first, last):
    starts = [first] + [b + 1 for b in breaks]
    ends = list(breaks) + [last]
    return list(zip(starts, ends))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=45), min_size=1, max_size=12))
def test_pages_break_between_groups_that_fit_and_hold_at_most_a_page(groups):
    sheet = _people_sheet(groups)
    layout = lay_out(sheet)
    capacity = page_capacity(layout)
    breaks = layout.page.breaks
    assert list(breaks) == sorted(set(breaks))
    for first, last in _pages(breaks, 4, sheet.last_row):
        assert sum(layout.height(r) for r in range(first, last + 1)) <= capacity + 1e-6
    for first, last in sheet.groups + sheet.keep_together:
        size = sum(layout.height(r) for r in range(first, last + 1))
        if size <= capacity:
            assert not any(first <= b < last for b in breaks), (first, last)
    # a page ends before a group only when that group would not have fitted on it
    pages = _pages(breaks, 4, sheet.last_row)
    blocks = sheet.groups + sheet.keep_together + _with_last_group(layout, sheet.groups, sheet.keep_together)
    for (first, last), (next_first, _next_last) in zip(pages, pages[1:]):
        end = max([l for f, l in blocks if f == next_first] or [next_first])
        used = sum(layout.height(r) for r in range(first, last + 1))
        more = sum(layout.height(r) for r in range(next_first, end + 1))
        assert used + more > capacity - 1e-6  # what starts the next page would not have fitted on this one


def test_a_block_asking_for_its_own_page_starts_one():
    sheet = _people_sheet([3, 3])
    start = sheet.next_row + 1
    sheet.skip()
    sheet.add(["暂缓发放人员"], style="subtitle")
    sheet.new_page_before.append(start)
    layout = lay_out(sheet)
    assert start - 1 in layout.page.breaks


def test_fit_to_width_scale_lets_a_page_hold_more_rows():
    narrow = Layout([10] * 5, page=PageLayout(title_rows=(1, 1)))
    wide = Layout([40] * 10, page=PageLayout(title_rows=(1, 1)))
    assert print_scale(narrow.page, narrow.widths) == 1
    scale = print_scale(wide.page, wide.widths)
    assert scale < 1 and sum(map(column_points, wide.widths)) * scale <= wide.page.printable_points[0]
    assert page_capacity(wide) > page_capacity(narrow)
    assert len(page_breaks(199, wide)) < len(page_breaks(199, narrow))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.integers(-10**12, 10**12), st.decimals(-10**9, 10**9, places=2, allow_nan=False),
                          st.text(alphabet="0123456789X-", max_size=25), st.text(alphabet="斗南街道社区王", max_size=8),
                          st.none()), min_size=1, max_size=40),
       st.sampled_from(["text", "money", "int", "pct"]))
def test_the_shortcut_over_distinct_values_measures_what_every_cell_would(values, style):
    """measure_widths looks only at the extremes of numbers and the longest ASCII text: the plain way, every
    cell measured, gives the same width."""
    from subsidy_xl.tables.layout import _units_needed
    sheet = SheetContent("表")
    for v in values:
        sheet.add([v], style=style)
    plain = max([_units_needed(v, style) for v in values if v not in (None, "")] or [0.0])
    expected = math.ceil(round(min(max(plain, 4.0), 60.0), 6) * 10) / 10
    assert measure_widths(sheet) == [expected]
