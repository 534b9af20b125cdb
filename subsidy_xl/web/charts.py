"""Bar charts as inline SVG, drawn here (no chart library, nothing loaded from a network).

Values are exact (int yuan or Decimal); they become floats only for the bars' pixel lengths, and every
label shows the exact value.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Sequence
from xml.sax.saxutils import escape

COLORS = ("#2f6db5", "#e08a2e", "#3a9a5b", "#a14fb0")
_FONT = 'font-family="Microsoft YaHei, PingFang SC, Noto Sans CJK SC, WenQuanYi Micro Hei, sans-serif"'


def _label(v) -> str:
    if isinstance(v, Decimal) and v != v.to_integral_value():
        return f"{v:,.2f}"
    return f"{int(Decimal(str(v))):,}"


def _attr(text: str) -> str:
    return escape(str(text), {'"': "&quot;"})


def bar_chart(title: str, categories: Sequence[str], series: Sequence[tuple[str, Sequence]], stacked: bool = False,
              horizontal: bool = False, width: int = 640) -> str:
    """An SVG bar chart: one group (or stack) per category, one colour per series, with a legend."""
    values = [[Decimal(str(v or 0)) for v in vs] for _name, vs in series]
    if stacked:
        top = max([sum(col) for col in zip(*values)] or [0])
    else:
        top = max([max(vs or [0]) for vs in values] or [0])
    top = top if top > 0 else Decimal(1)
    parts = [f'<text x="10" y="22" font-size="15" font-weight="bold">{escape(title)}</text>']
    lx = 10
    for k, (name, _vs) in enumerate(series):  # legend
        parts.append(f'<rect x="{lx}" y="34" width="12" height="12" fill="{COLORS[k % len(COLORS)]}"/>'
                     f'<text x="{lx + 16}" y="45" font-size="12">{escape(name)}</text>')
        lx += 30 + 13 * len(name)
    top_margin = 60
    if horizontal:
        label_w, bar_h, gap = 110, 22, 8
        plot_w = width - label_w - 120
        height = top_margin + len(categories) * (bar_h + gap) + 10
        for i, cat in enumerate(categories):
            y = top_margin + i * (bar_h + gap)
            parts.append(f'<text x="{label_w - 6}" y="{y + bar_h * 0.7:.1f}" font-size="12" '
                         f'text-anchor="end">{escape(str(cat))}</text>')
            x, total = float(label_w), Decimal(0)
            n = len(series)
            for k, (name, _vs) in enumerate(series):
                v = values[k][i]
                w = float(v / top) * plot_w
                h = bar_h if stacked else bar_h / n
                yy = y if stacked else y + k * h
                parts.append(f'<rect x="{x:.1f}" y="{yy:.1f}" width="{w:.1f}" height="{h:.1f}" '
                             f'fill="{COLORS[k % len(COLORS)]}"><title>{_attr(cat)} {_attr(name)}：'
                             f'{_label(v)}元</title></rect>')
                if stacked:
                    x += w
                total += v
            parts.append(f'<text x="{(x if stacked else label_w + float(max(values[k][i] for k in range(n)) / top) * plot_w) + 4:.1f}" '
                         f'y="{y + bar_h * 0.7:.1f}" font-size="11">{_label(total)}</text>')
    else:
        plot_h, axis_y = 220, top_margin + 230
        height = axis_y + 30
        group_w = (width - 40) / max(len(categories), 1)
        n = len(series)
        bar_w = min(48.0, (group_w - 20) / max(n, 1))
        parts.append(f'<line x1="20" y1="{axis_y}" x2="{width - 20}" y2="{axis_y}" stroke="#888"/>')
        for i, cat in enumerate(categories):
            gx = 20 + i * group_w + (group_w - bar_w * n) / 2
            for k, (name, _vs) in enumerate(series):
                v = values[k][i]
                h = float(v / top) * plot_h
                x = gx + k * bar_w
                parts.append(f'<rect x="{x:.1f}" y="{axis_y - h:.1f}" width="{bar_w - 4:.1f}" height="{h:.1f}" '
                             f'fill="{COLORS[k % len(COLORS)]}"><title>{_attr(cat)} {_attr(name)}：{_label(v)}元</title></rect>'
                             f'<text x="{x + (bar_w - 4) / 2:.1f}" y="{axis_y - h - 4:.1f}" font-size="10" '
                             f'text-anchor="middle">{_label(v)}</text>')
            parts.append(f'<text x="{20 + i * group_w + group_w / 2:.1f}" y="{axis_y + 18}" font-size="12" '
                         f'text-anchor="middle">{escape(str(cat))}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="{_attr(title)}" '
            f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" {_FONT}>' + "".join(parts) + "</svg>")
