"""A pledge's statuses and the one table of moves between them; nothing else changes a status."""

from __future__ import annotations

PENDING = "pending"  # created, the reader is on Stripe Checkout (or left it)
CHECKOUT_FAILED = "checkout_failed"  # Stripe could not start Checkout; nothing was charged
PAID = "paid"  # one-off gift received
ACTIVE = "active"  # recurring gift running
PAST_DUE = "past_due"  # a renewal failed; Stripe is retrying
CANCELED = "canceled"  # recurring gift ended
REFUNDED = "refunded"  # one-off gift fully refunded
DISPUTED = "disputed"  # the donor's bank opened a dispute
FAILED = "failed"  # the payment never succeeded (async method failed)
EXPIRED = "expired"  # the Checkout session expired unpaid

ALL = (
    PENDING,
    CHECKOUT_FAILED,
    PAID,
    ACTIVE,
    PAST_DUE,
    CANCELED,
    REFUNDED,
    DISPUTED,
    FAILED,
    EXPIRED,
)

# Legal moves. A move to the same status is always a harmless no-op, so Stripe's retries and
# duplicates change nothing; every other move not listed is refused.
TRANSITIONS: dict[str, frozenset[str]] = {
    PENDING: frozenset({PAID, ACTIVE, PAST_DUE, CHECKOUT_FAILED, FAILED, EXPIRED, CANCELED}),
    # A late webhook may still prove that Checkout did start and was paid.
    CHECKOUT_FAILED: frozenset({PAID, ACTIVE}),
    PAID: frozenset({REFUNDED, DISPUTED}),
    # A recurring pledge's refunds and disputes mark its payments; the pledge goes on.
    ACTIVE: frozenset({PAST_DUE, CANCELED}),
    PAST_DUE: frozenset({ACTIVE, CANCELED}),
    CANCELED: frozenset(),
    REFUNDED: frozenset({DISPUTED}),
    DISPUTED: frozenset(),
    # An expired or failed session can still be completed by a delayed payment method.
    FAILED: frozenset({PAID, ACTIVE}),
    EXPIRED: frozenset({PAID, ACTIVE}),
}

# Statuses that mean the reader has given (used for confirmation and supporter passes).
CONFIRMED = frozenset({PAID, ACTIVE, PAST_DUE, CANCELED, REFUNDED, DISPUTED})


class IllegalTransition(Exception):
    """A move the table does not allow; the pledge is left as it was."""

    def __init__(self, current: str, wanted: str) -> None:
        super().__init__(f"a pledge cannot move from {current} to {wanted}")
        self.current = current
        self.wanted = wanted


def check_transition(current: str, wanted: str) -> bool:
    """True when the move changes the status, False for a no-op; IllegalTransition otherwise."""
    if wanted not in TRANSITIONS:
        raise ValueError(f"unknown pledge status {wanted!r}")
    if current == wanted:
        return False
    if wanted not in TRANSITIONS[current]:
        raise IllegalTransition(current, wanted)
    return True
