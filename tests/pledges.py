"""Pledges as a reader's form would start them, for tests that begin after the form."""

from __future__ import annotations

from donations.payments.enums import Frequency, Placement
from donations.payments.models import Pledge
from donations.payments.money import Money
from donations.payments.pledges import Attribution, PledgeRequest, start_pledge


def new_pledge(
    frequency: str = "once",
    amount: int = 1000,
    email: str | None = None,
    *,
    currency: str = "usd",
    article: str | None = None,
    placement: str | None = "support-page",
) -> Pledge:
    """A pending pledge stored as POST /support would store it (minor units)."""
    return start_pledge(
        PledgeRequest(
            frequency=Frequency(frequency),
            money=Money(amount, currency),
            email=email,
            attribution=Attribution(
                article_slug=article, placement=Placement(placement) if placement else None
            ),
        )
    )
