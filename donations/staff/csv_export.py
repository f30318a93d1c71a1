"""CSV exports of pledges and payments: streamed row by row, and safe to open in a spreadsheet."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from donations.payments.money import major_text
from donations.platform import spreadsheet
from donations.platform.spreadsheet import safe_cell

__all__ = ["PAYMENT_HEADER", "PLEDGE_HEADER", "csv_lines", "safe_cell"]

PLEDGE_HEADER = (
    "pledge",
    "created_at",
    "status",
    "frequency",
    "amount",
    "currency",
    "email",
    "prompt",
    "placement",
    "variant",
    "article",
    "stripe_customer",
    "stripe_subscription",
    "stripe_payment_intent",
)
PAYMENT_HEADER = (
    "payment",
    "paid_at",
    "amount",
    "refunded",
    "currency",
    "disputed",
    "stripe_invoice",
    "stripe_payment_intent",
    "pledge",
    "frequency",
    "email",
    "prompt",
)
# Money columns (minor units in the database) are written in major units: 12.50, not 1250.
PLEDGE_MONEY = {4}
PAYMENT_MONEY = {2, 3}


def csv_lines(
    header: Iterable[str], rows: Iterable[tuple[Any, ...]], money: set[int]
) -> Iterator[str]:
    """The header, then one CSV line per row, produced as the rows arrive."""
    return spreadsheet.csv_lines(
        header,
        (
            [
                major_text(value) if index in money else safe_cell(value)
                for index, value in enumerate(row)
            ]
            for row in rows
        ),
    )
