"""Server-rendered SVG charts of a :class:`Report` (pure). The numbers are always in the table beside the chart, so
the picture carries no information of its own: it is a labelled image and screen readers read the table."""

from __future__ import annotations

from markupsafe import Markup, escape

from src.i18n import _
from src.stats.report import Report, shown

WIDTH = 640
LABEL_WIDTH = 230
ROW = 24
BAR = 16
COLOURS = ("#1f5f99", "#9bb7d4")  # this period, a year before


def _short(text: str, limit: int = 30) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def bars(report: Report) -> Markup:
    """Horizontal bars of the report's chart column (and of ``previous`` beside it when the table has one); a
    comparison table ("figure" lines) scales each line on its own, since its lines have different units."""
    if not report.chart or not report.rows:
        return Markup("")
    label_column = report.label_column()
    columns = {column.key: column for column in report.columns}
    series = [report.chart] + (["previous"] if "previous" in columns else [])
    per_line = label_column is not None and label_column.key == "figure"
    values = [[_value(row, key, columns) for key in series] for row in report.rows]
    overall = max((v for line in values for v in line), default=0) or 1
    step = ROW * len(series) + 8
    height = step * len(report.rows) + 30
    plot = WIDTH - LABEL_WIDTH - 60
    title = _("Chart of the table «%(title)s»; the numbers are in the table", title=_(report.title))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" aria-label="{escape(title)}">']
    for index, (row, line) in enumerate(zip(report.rows, values)):
        top = 6 + index * step
        scale = (max(line) or 1) if per_line else overall
        label = row.get(label_column.key, "") if label_column else ""
        parts.append(f'<text x="{LABEL_WIDTH - 6}" y="{top + BAR - 3}" text-anchor="end" font-size="12">{escape(_short(label))}</text>')
        for position, value in enumerate(line):
            y = top + position * ROW
            length = max(0.0, plot * value / scale) if scale else 0
            parts.append(f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{BAR}" fill="{COLOURS[position]}" class="bar s{position}"/>')
            parts.append(f'<text x="{LABEL_WIDTH + length + 4:.1f}" y="{y + BAR - 3}" font-size="12">{escape(_number(value))}</text>')
    if len(series) > 1:
        legend_y = height - 10
        parts.append(f'<rect x="{LABEL_WIDTH}" y="{legend_y - 10}" width="12" height="12" fill="{COLOURS[0]}"/><text x="{LABEL_WIDTH + 16}" y="{legend_y}" font-size="12">{escape(_("This period"))}</text>')
        parts.append(f'<rect x="{LABEL_WIDTH + 160}" y="{legend_y - 10}" width="12" height="12" fill="{COLOURS[1]}"/><text x="{LABEL_WIDTH + 176}" y="{legend_y}" font-size="12">{escape(_("Same period last year"))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _value(row: dict, key: str, columns: dict) -> float:
    value = shown(row.get(key), columns[key], suppress=False)
    return value if isinstance(value, (int, float)) else 0


def heat_map(report: Report) -> Markup:
    """Weekdays down, hours across; the darker a cell, the more bookings started in that hour."""
    hour_columns = [column for column in report.columns if column.kind != "text"]
    if not hour_columns or not report.rows:
        return Markup("")
    cell_w, cell_h, left, top = 34, 24, 44, 22
    width, height = left + cell_w * len(hour_columns) + 4, top + cell_h * len(report.rows) + 4
    highest = max((int(row.get(column.key) or 0) for row in report.rows for column in hour_columns), default=0) or 1
    title = _("Heat map of the table «%(title)s»; the numbers are in the table", title=_(report.title))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart heat" viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{escape(title)}">']
    for index, column in enumerate(hour_columns):
        parts.append(f'<text x="{left + index * cell_w + cell_w / 2}" y="14" text-anchor="middle" font-size="10">{escape(column.title[:2])}</text>')
    for row_index, row in enumerate(report.rows):
        y = top + row_index * cell_h
        parts.append(f'<text x="{left - 6}" y="{y + cell_h - 8}" text-anchor="end" font-size="11">{escape(row.get("weekday", ""))}</text>')
        for index, column in enumerate(hour_columns):
            value = int(row.get(column.key) or 0)
            shade = value / highest
            x = left + index * cell_w
            parts.append(f'<rect x="{x}" y="{y}" width="{cell_w - 2}" height="{cell_h - 2}" fill="#1f5f99" fill-opacity="{0.06 + 0.94 * shade:.2f}" class="bar"/>')
            if value:
                colour = "#fff" if shade > 0.5 else "#111"
                parts.append(f'<text x="{x + (cell_w - 2) / 2}" y="{y + cell_h - 8}" text-anchor="middle" font-size="10" fill="{colour}">{value}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
