"""What a pledge's payments are for, in the donor's language: their receipts say it, and so do
Stripe's descriptions of the payments (their bank statement, Stripe's dashboard)."""

from __future__ import annotations

from flask_babel import gettext

from donations.payments.enums import Frequency
from donations.payments.models import Pledge


def purpose(pledge: Pledge, newsroom: str) -> str:
    """ "Monthly support for The Moscow Times", in the locale being spoken."""
    if pledge.frequency == Frequency.MONTHLY:
        return gettext("Monthly support for %(newsroom)s", newsroom=newsroom)
    if pledge.frequency == Frequency.ANNUAL:
        return gettext("Annual support for %(newsroom)s", newsroom=newsroom)
    return gettext("One-off support for %(newsroom)s", newsroom=newsroom)
