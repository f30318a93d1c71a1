"""The words pledges are made of, each defined once: frequencies, placements, statuses (with the
one table of moves between them) and what a Stripe event did."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import LazyString, lazy_gettext


class Frequency(StrEnum):
    ONCE = "once"
    MONTHLY = "monthly"
    ANNUAL = "annual"

    @property
    def is_recurring(self) -> bool:
        return self is not Frequency.ONCE

    @property
    def interval(self) -> str:
        """Stripe's recurring interval for this frequency."""
        return {Frequency.MONTHLY: "month", Frequency.ANNUAL: "year"}[self]


class Placement(StrEnum):
    """Where a reader was asked: one of the prompts, or a page of ours."""

    ARTICLE_END = "article-end"
    BANNER = "banner"
    OVERLAY = "overlay"
    SUPPORT_PAGE = "support-page"
    REMINDER = "reminder"
    CANCELLED = "cancelled"
    THANK_YOU = "thank-you"  # "make it monthly", after a one-off gift

    @classmethod
    def prompts(cls) -> tuple[Placement, ...]:
        """The placements the <support-prompt> component draws."""
        return (cls.ARTICLE_END, cls.BANNER, cls.OVERLAY)

    @property
    def label(self) -> LazyString:
        """Its name for the newsroom's staff, in the language they read the page in."""
        return PLACEMENT_LABELS[self]


PLACEMENT_LABELS = {
    Placement.ARTICLE_END: lazy_gettext("article end"),
    Placement.BANNER: lazy_gettext("banner"),
    Placement.OVERLAY: lazy_gettext("overlay"),
    Placement.SUPPORT_PAGE: lazy_gettext("support page"),
    Placement.REMINDER: lazy_gettext("reminder e-mail"),
    Placement.CANCELLED: lazy_gettext("cancelled checkout"),
    Placement.THANK_YOU: lazy_gettext("thank-you page"),
}


class PromptKind(StrEnum):
    """What a prompt shows: the appeal, or a thank-you to a supporter."""

    APPEAL = "appeal"
    THANKS = "thanks"


class UpsellStep(StrEnum):
    """What the monthly offer before Checkout came to, for a one-off gift small enough to get it."""

    SKIPPED = "skipped"  # small enough, but not offered (off, or an experiment's control)
    OFFERED = "offered"  # shown; the reader has not answered (yet)
    ACCEPTED = "accepted"  # went monthly
    DECLINED = "declined"  # "no thanks, once"

    @classmethod
    def shown(cls) -> tuple[UpsellStep, ...]:
        return (cls.OFFERED, cls.ACCEPTED, cls.DECLINED)


class IllegalTransition(Exception):
    """A move the table does not allow; the pledge is left as it was."""

    def __init__(self, current: PledgeStatus, wanted: PledgeStatus) -> None:
        super().__init__(f"a pledge cannot move from {current} to {wanted}")
        self.current = current
        self.wanted = wanted


class PledgeStatus(StrEnum):
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

    @property
    def confirmed(self) -> bool:
        """The reader has given (for confirmation pages and supporter passes)."""
        return self in CONFIRMED

    @property
    def running(self) -> bool:
        """A recurring pledge Stripe still collects: it counts towards recurring revenue."""
        return self in (PledgeStatus.ACTIVE, PledgeStatus.PAST_DUE)

    @property
    def words(self) -> LazyString:
        """The status as the donor reads it on their own page."""
        return STATUS_WORDS[self]

    def moves_to(self, wanted: PledgeStatus) -> bool:
        """True when the move changes the status, False for a no-op; IllegalTransition otherwise."""
        wanted = PledgeStatus(wanted)
        if self == wanted:
            return False
        if wanted not in TRANSITIONS[self]:
            raise IllegalTransition(self, wanted)
        return True


S = PledgeStatus
# Legal moves. A move to the same status is always a harmless no-op, so Stripe's retries and
# duplicates change nothing; every other move not listed is refused.
TRANSITIONS: dict[PledgeStatus, frozenset[PledgeStatus]] = {
    S.PENDING: frozenset(
        {S.PAID, S.ACTIVE, S.PAST_DUE, S.CHECKOUT_FAILED, S.FAILED, S.EXPIRED, S.CANCELED}
    ),
    # A late webhook may still prove that Checkout did start and was paid.
    S.CHECKOUT_FAILED: frozenset({S.PAID, S.ACTIVE}),
    S.PAID: frozenset({S.REFUNDED, S.DISPUTED}),
    # A recurring pledge's refunds and disputes mark its payments; the pledge goes on.
    S.ACTIVE: frozenset({S.PAST_DUE, S.CANCELED}),
    S.PAST_DUE: frozenset({S.ACTIVE, S.CANCELED}),
    S.CANCELED: frozenset(),
    S.REFUNDED: frozenset({S.DISPUTED}),
    S.DISPUTED: frozenset(),
    # An expired or failed session can still be completed by a delayed payment method.
    S.FAILED: frozenset({S.PAID, S.ACTIVE}),
    S.EXPIRED: frozenset({S.PAID, S.ACTIVE}),
}
STATUS_WORDS = {
    S.PENDING: lazy_gettext("pending"),
    S.CHECKOUT_FAILED: lazy_gettext("checkout failed"),
    S.PAID: lazy_gettext("paid"),
    S.ACTIVE: lazy_gettext("active"),
    S.PAST_DUE: lazy_gettext("past due"),
    S.CANCELED: lazy_gettext("canceled"),
    S.REFUNDED: lazy_gettext("refunded"),
    S.DISPUTED: lazy_gettext("disputed"),
    S.FAILED: lazy_gettext("failed"),
    S.EXPIRED: lazy_gettext("expired"),
}
CONFIRMED = frozenset({S.PAID, S.ACTIVE, S.PAST_DUE, S.CANCELED, S.REFUNDED, S.DISPUTED})
# Statuses a recurring pledge ends in; status_changed_at says when it ended.
ENDED = frozenset({S.CANCELED, S.REFUNDED, S.DISPUTED})


class EventOutcome(StrEnum):
    """What receiving a Stripe event came to."""

    RECEIVED = "received"  # stored, not yet applied
    APPLIED = "applied"
    IGNORED = "ignored"  # not an event this service acts on
    UNMATCHED = "unmatched"  # about an object we do not know (yet)
    REFUSED = "refused"  # signed by Stripe, but not something we can apply
    DUPLICATE = "duplicate"  # delivered before
