"""CSV files that a spreadsheet opens safely: every CSV libspace writes goes through :func:`write_csv`.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to Excel,
LibreOffice and Google Sheets (a reader named ``=HYPERLINK(...)`` would run in the librarian's spreadsheet), so
such a cell is written with a leading ``'``, which the programs show as plain text. Numbers stay numbers.

    from src.csvsafe import write_csv
    text = write_csv(["name", "seats"], [[row.full_name, row.seats] for row in rows])   # str, with a BOM for Excel
"""

from __future__ import annotations

import csv
import io
from typing import Any, Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """The value as it may go into a cell: text that would start a formula is prefixed with ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(header: Iterable[Any], rows: Iterable[Iterable[Any]], bom: bool = True) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([cell(value) for value in header])
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return ("\ufeff" if bom else "") + buffer.getvalue()
