"""CSV for spreadsheets: streamed line by line, with cells a spreadsheet would run defused."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

# A cell starting with one of these is read as a formula (or, with |, a DDE command) by Excel,
# LibreOffice and Sheets; donors type their own e-mail and Stripe passes on what they typed, so
# each is defused. Spreadsheets also read full-width forms (＝, ＋) as these, and skip spaces.
FORMULA_STARTS = ("=", "+", "-", "@", "|", "\t", "\r", "\n")
SKIPPED = " \u3000\u00a0"


def safe_cell(value: Any) -> str:
    """The value as spreadsheet text; one that would start a formula gets a leading '."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    probe = unicodedata.normalize("NFKC", text).lstrip(SKIPPED)
    return "'" + text if probe.startswith(FORMULA_STARTS) else text


def csv_lines(header: Iterable[str], rows: Iterable[Iterable[str]]) -> Iterator[str]:
    """The header, then one CSV line per row of cells (already text), as the rows arrive."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(cells: Iterable[str]) -> str:
        writer.writerow(cells)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield line(header)
    for row in rows:
        yield line(row)
