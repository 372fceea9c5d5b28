"""Charts drawn on the server as SVG, and the CSV behind each figure.

Each chart repeats what the table before it says; it never carries meaning the table lacks. The
SVG is an image with a text title (`role="img"`, named by its <title>), every bar carries its
label and its number as text, and the bars are black-edged and hatched so that nothing depends on
telling colours apart. Presentation attributes rather than style attributes, so the page's content
security policy needs no exception.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from cme.cases.exports import escape_formula
from cme.reports.dashboard import Figure

INK = "#0b0c0c"
BAR = "#1d70b8"
FONT = 'font-family="GDS Transport, arial, sans-serif"'
LABEL_WIDTH = 260
BAR_SPACE = 340
ROW_HEIGHT = 28

_PATTERN = (
    '<defs><pattern id="{id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)"><rect width="6" height="6" fill="{bar}"></rect>'
    '<line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-width="2"></line></pattern></defs>'
)


def _open_svg(chart_id: str, title: str, desc: str, width: int, height: int) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="cme-chart" role="img" '
        'aria-labelledby="{id}-title {id}-desc" viewBox="0 0 {w} {h}" width="100%" '
        'preserveAspectRatio="xMinYMin meet" focusable="false">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>',
        id=chart_id,
        w=width,
        h=height,
        title=title,
        desc=desc,
    ) + format_html(_PATTERN, id=chart_id, bar=BAR)


def _scale(values: Sequence[int]) -> int:
    return max([*values, 1])


def bar_chart(
    chart_id: str, title: str, labels: Sequence[str], values: Sequence[int]
) -> SafeString:
    """Horizontal bars: the label on the left, the bar, then its number."""
    top = _scale(values)
    width = LABEL_WIDTH + BAR_SPACE + 60
    height = ROW_HEIGHT * len(values) + 8
    rows = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 4 + i * ROW_HEIGHT
        length = round(BAR_SPACE * value / top)
        rows.append(
            (
                LABEL_WIDTH - 8,
                y + 18,
                label[:44],
                LABEL_WIDTH,
                y + 4,
                length,
                chart_id,
                LABEL_WIDTH + length + 6,
                y + 18,
                value,
            )
        )
    body = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="end" font-size="13" fill="'
        + INK
        + '" '
        + FONT
        + ">{}</text>"
        '<rect x="{}" y="{}" width="{}" height="18" fill="url(#{}-hatch)" stroke="' + INK + '">'
        "</rect>"
        '<text x="{}" y="{}" font-size="13" font-weight="bold" fill="'
        + INK
        + '" '
        + FONT
        + ">{}</text>",
        rows,
    )
    desc = "; ".join(f"{label}: {value}" for label, value in zip(labels, values, strict=True))
    axis = format_html(
        '<line x1="{x}" y1="0" x2="{x}" y2="{h}" stroke="{ink}"></line>',
        x=LABEL_WIDTH,
        h=height,
        ink=INK,
    )
    return _open_svg(chart_id, title, desc, width, height) + body + axis + SafeString("</svg>")


def column_chart(
    chart_id: str, title: str, labels: Sequence[str], values: Sequence[int]
) -> SafeString:
    """Vertical columns, one a month: the number above each, the label below every third."""
    top = _scale(values)
    step, plot_height, left = 30, 200, 10
    width = left + step * len(values) + 10
    height = plot_height + 70
    base = plot_height + 24
    columns = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = left + i * step
        tall = round(plot_height * value / top)
        columns.append(
            (
                x + 3,
                base - tall,
                tall,
                chart_id,
                x + step / 2,
                base - tall - 4,
                value,
                x + step / 2,
                base + 16,
                label if i % 3 == 0 or i == len(values) - 1 else "",
            )
        )
    body = format_html_join(
        "",
        '<rect x="{}" y="{}" width="24" height="{}" fill="url(#{}-hatch)" stroke="' + INK + '">'
        "</rect>"
        '<text x="{}" y="{}" text-anchor="middle" font-size="10" fill="'
        + INK
        + '" '
        + FONT
        + ">{}</text>"
        '<text x="{}" y="{}" text-anchor="middle" font-size="10" fill="'
        + INK
        + '" '
        + FONT
        + ">{}</text>",
        columns,
    )
    desc = "; ".join(f"{label}: {value}" for label, value in zip(labels, values, strict=True))
    axis = format_html(
        '<line x1="{l}" y1="{b}" x2="{r}" y2="{b}" stroke="{ink}"></line>',
        l=left,
        b=base,
        r=width - 10,
        ink=INK,
    )
    return _open_svg(chart_id, title, desc, width, height) + body + axis + SafeString("</svg>")


def chart_for(figure: Figure) -> SafeString | None:
    """The figure's chart, or None when it has none (or no rows)."""
    if not figure.chart or not figure.rows:
        return None
    labels = [row.label for row in figure.rows]
    values = [int(row.values[figure.chart_column] or 0) for row in figure.rows]
    title = figure.title
    if len(figure.columns) > 2:
        title = f"{figure.title}: {figure.columns[figure.chart_column + 1].lower()}"
    draw = column_chart if figure.chart == "column" else bar_chart
    return draw(f"chart-{figure.slug}", title, labels, values)


def figure_csv(figure: Figure) -> str:
    """The figure's table as CSV: its column names, then one line a row. Counts only, no child;
    every text cell formula-escaped all the same, since a label could one day come from data."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([escape_formula(name) for name in figure.columns])
    for row in figure.rows:
        cells = [row.label, *("" if value is None else value for value in row.values)]
        writer.writerow([escape_formula(c) if isinstance(c, str) else c for c in cells])
    return buffer.getvalue()
