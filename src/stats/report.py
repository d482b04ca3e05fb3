"""A statistics table as data: columns (which of them count people), rows, and how it is written out.

Every dashboard table, the zones table and the annual report are a :class:`Report`; the page shows it, the chart
reads one of its columns, and :func:`csv_text` / :func:`xlsx_bytes` write it for download. In a file that leaves
the building, a cell counting 1 or 2 people is written "<3" (0 stays 0: it names nobody).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Sequence

from src.csvsafe import write_csv
from src.i18n import _

SMALL = 3  # groups of fewer people than this are not shown in exports
SMALL_TEXT = "<3"


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    title: str  # a message id, translated when shown
    people: bool = False  # counts people: suppressed below SMALL in exports
    kind: str = "int"  # int, float (hours), number (int or float as it comes), percent (0..1), text


@dataclass(slots=True)
class Report:
    slug: str
    title: str  # message id
    columns: Sequence[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)
    chart: str | None = None  # the column the bar chart shows (the first text column labels the bars)
    note: str = ""  # message id

    def headers(self) -> list[str]:
        return [_(column.title) for column in self.columns]

    def label_column(self) -> Column | None:
        return next((column for column in self.columns if column.kind == "text"), None)


def shown(value: Any, column: Column, suppress: bool, people: bool = True) -> Any:
    """A cell as a person reads it: hours with one decimal, shares in per cent, small groups hidden."""
    if value is None:
        return "" if column.kind == "text" else 0
    if column.kind == "number":
        column = Column(column.key, column.title, column.people, "int" if isinstance(value, int) else "float")
    if column.kind == "float":
        return round(float(value), 1)
    if column.kind == "percent":
        return round(100 * float(value), 1)
    if column.kind == "int":
        value = int(value)
        if suppress and column.people and people and 0 < value < SMALL:
            return SMALL_TEXT
    return value


def cells(report: Report, suppress: bool = True) -> list[list[Any]]:
    """The rows as written out; a row with ``"_people": False`` (a count of events, hours) is never hidden."""
    return [[shown(row.get(column.key), column, suppress, row.get("_people", True)) for column in report.columns] for row in report.rows]


def csv_text(report: Report) -> str:
    """UTF-8 with a BOM (Excel then reads Cyrillic right), through src/csvsafe.py; small groups hidden."""
    return write_csv(report.headers(), cells(report))


def xlsx_bytes(report: Report, heading: str = "") -> bytes:
    """One worksheet: a heading line (what, where, when), the column titles, the rows; small groups hidden."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = re.sub(r"[\[\]:*?/\\]", " ", _(report.title))[:31] or "libspace"
    offset = 0
    if heading:
        sheet.append([heading])
        sheet.cell(row=1, column=1).font = Font(bold=True)
        offset = 1
    sheet.append(report.headers())
    for index in range(1, len(report.columns) + 1):
        cell = sheet.cell(row=offset + 1, column=index)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in cells(report):
        sheet.append([_xlsx_value(value) for value in row])
    for index, column in enumerate(report.columns, start=1):
        sheet.column_dimensions[sheet.cell(row=offset + 1, column=index).column_letter].width = 40 if column.kind == "text" else 14
    sheet.freeze_panes = sheet.cell(row=offset + 2, column=1)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_value(value: Any) -> Any:
    """Text that would be a formula stays text (openpyxl writes a leading '=' as a formula)."""
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@")):
        return "'" + value
    return value


def file_name(report_slug: str, branches: Sequence[str], start: date, end: date, extension: str) -> str:
    """The filters in the name: ``libspace-events-chekhov-2026-01-01-2026-01-31.csv`` (``network``: all)."""
    where = "-".join(branches) if branches else "network"
    if len(where) > 80:
        where = f"{len(branches)}-branches"
    return f"libspace-{report_slug}-{where}-{start.isoformat()}-{end.isoformat()}.{extension}"
