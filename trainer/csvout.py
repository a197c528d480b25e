"""CSV for spreadsheets: streamed row by row, with formula injection neutralised."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)  # a negative number is data, not a formula
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def stream(headers: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """The CSV text in chunks: memory stays flat however many rows there are."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for count, row in enumerate(rows, start=1):
        writer.writerow([safe_cell(value) for value in row])
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
