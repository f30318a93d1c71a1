"""The payment core's records: pledges, the payments they brought, Stripe's event log, and the
e-mails webhooks queue for donors. Money in minor units with its currency; times in UTC."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Computed,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    and_,
    case,
    column,
    false,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from donations.payments.enums import EventOutcome, Frequency, PledgeStatus
from donations.payments.money import Money
from donations.platform.database import EnumText, UTCDateTime, utcnow
from donations.platform.extensions import db


def new_public_id() -> str:
    # Random, so pledges cannot be counted or guessed from their URLs.
    return "pl_" + secrets.token_urlsafe(12)


class Pledge(db.Model):
    """A reader's promise to give once or on a schedule, from the form to Stripe and after."""

    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("frequency IN ('once', 'monthly', 'annual')", name="frequency_known"),
        Index("ix_pledge_status_created", "status", "created_at"),
        # The staff dashboard: the pledge list's order, recurring revenue and churn read by
        # status from the index, the prompt filter, and e-mail search (a whole address or its
        # start, hence text_pattern_ops on PostgreSQL).
        Index(
            "ix_pledge_created_at_id",
            "created_at",
            "id",
            postgresql_include=[
                "status",
                "currency",
                "frequency",
                "prompt",
                "placement",
                "variant",
            ],
        ),
        # Keys past status and frequency so SQLite (no INCLUDE) also reads the retention
        # page's cohorts from the index alone: PostgreSQL 126 → 65 ms, SQLite 198 → 109 ms.
        Index(
            "ix_pledge_status_frequency",
            "status",
            "frequency",
            "currency",
            "created_at",
            "status_changed_at",
            postgresql_include=["amount"],
        ),
        Index("ix_pledge_status_changed", "status", "status_changed_at"),
        # The retention page's 365-day view: the monthly offer's outcomes (82 → 5 ms), and the
        # addresses and end times of lapsed recurring pledges that win-backs look for (the
        # e-mail itself, not lower(), so it is read from the index: 30 days 80 → 38 ms), bench/.
        Index("ix_pledge_upsell_created", "upsell", "created_at", "status"),
        Index("ix_pledge_lapsed", "status", "frequency", "email", "status_changed_at"),
        Index("ix_pledge_prompt", "prompt"),
        Index(
            "ix_pledge_email_lower",
            func.lower(column("email")).label("email_lower"),
            postgresql_ops={"email_lower": "text_pattern_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(40), unique=True, default=new_public_id)
    frequency: Mapped[Frequency] = mapped_column(EnumText(Frequency, 10))
    amount: Mapped[int]  # minor units
    currency: Mapped[str] = mapped_column(String(3))
    email: Mapped[str | None] = mapped_column(String(254))
    status: Mapped[PledgeStatus] = mapped_column(
        EnumText(PledgeStatus, 20), default=PledgeStatus.PENDING
    )
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When Stripe created the event behind the last status change: older events cannot undo it.
    status_event_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checkout_session_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    customer_id: Mapped[str | None] = mapped_column(String(255), index=True)
    subscription_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    payment_intent_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    checkout_error: Mapped[str | None] = mapped_column(Text)
    # A monthly pledge made in one click from a one-off gift's thank-you ("make it monthly"),
    # on the gift's customer and card: unique, so a double click makes one.
    converted_from_id: Mapped[int | None] = mapped_column(ForeignKey("pledge.id"), unique=True)
    # The card a one-off gift saved on its customer for later payments, as its payment intent's
    # webhook said: what "make it monthly" charges, known without asking Stripe on each view.
    reusable_card_id: Mapped[str | None] = mapped_column(String(255))
    # The subscription as Stripe last told us (recurring pledges only).
    cancel_at_period_end: Mapped[bool] = mapped_column(default=False, server_default=false())
    # A one-off gift made anonymously: no e-mail is kept, not even the one Checkout asks for,
    # so no receipt, statement or manage link is ever sent for it.
    anonymous: Mapped[bool] = mapped_column(default=False, server_default=false())
    current_period_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    subscription_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Stripe's pause_collection: no payment is taken until it resumes (None: not paused).
    collection_paused: Mapped[bool] = mapped_column(default=False, server_default=false())
    pause_resumes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Attribution: what led the reader to give.
    article_slug: Mapped[str | None] = mapped_column(String(200))
    placement: Mapped[str | None] = mapped_column(String(30))
    prompt: Mapped[str | None] = mapped_column(String(60))
    variant: Mapped[str | None] = mapped_column(String(60))
    referrer: Mapped[str | None] = mapped_column(String(500))
    # The monthly offer before Checkout (a one-off under UPSELL_BELOW): UpsellStep's values.
    upsell: Mapped[str | None] = mapped_column(String(10))
    # The language of the page the reader gave on: the e-mails about it speak it (platform/i18n).
    language: Mapped[str] = mapped_column(String(10), default="en", server_default="en")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    payments: Mapped[list[Payment]] = relationship(
        back_populates="pledge", order_by="Payment.paid_at"
    )

    @validates("frequency")
    def _as_frequency(self, _key: str, value: str) -> Frequency:
        return Frequency(value)

    @validates("status")
    def _as_status(self, _key: str, value: str) -> PledgeStatus:
        return PledgeStatus(value)

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)

    @property
    def is_recurring(self) -> bool:
        return self.frequency.is_recurring

    @property
    def is_confirmed(self) -> bool:
        return self.status.confirmed

    def move_to(self, status: PledgeStatus) -> bool:
        """Change status along the transition table; False when it already was that status."""
        if not self.status.moves_to(status):
            return False
        self.status = PledgeStatus(status)
        self.status_changed_at = utcnow()
        return True


class Payment(db.Model):
    """Money that arrived: one row per Stripe invoice (recurring) or payment intent (one-off)."""

    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint(
            "refunded_amount >= 0 AND refunded_amount <= amount", name="refund_within_amount"
        ),
        CheckConstraint(
            "stripe_invoice_id IS NOT NULL OR stripe_payment_intent_id IS NOT NULL",
            name="has_stripe_reference",
        ),
        Index("ix_payment_paid_at", "paid_at"),
        # A pledge's payments in time order, and what they kept without the table (keys, not
        # INCLUDE, so SQLite too): the retention page's 12-month value, 561 → 226 ms on 1M
        # payments (PostgreSQL), SQLite 490 → 178 ms.
        Index("ix_payment_pledge_paid", "pledge_id", "paid_at", "amount", "refunded_amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pledge_id: Mapped[int] = mapped_column(ForeignKey("pledge.id"))
    stripe_invoice_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    stripe_charge_id: Mapped[str | None] = mapped_column(String(255), index=True)
    amount: Mapped[int]  # minor units
    currency: Mapped[str] = mapped_column(String(3))
    paid_at: Mapped[datetime] = mapped_column(UTCDateTime)
    refunded_amount: Mapped[int] = mapped_column(default=0)
    disputed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    pledge: Mapped[Pledge] = relationship(back_populates="payments")

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)

    @property
    def refunded(self) -> Money:
        return Money(self.refunded_amount, self.currency)


def _withdraws_cancellation():
    """A subscription.updated that takes back a scheduled cancellation: Stripe's
    `previous_attributes.cancel_at_period_end` true, the subscription's now false."""
    data = column("payload", JSON)["data"]
    return and_(
        column("type") == "customer.subscription.updated",
        data["previous_attributes"]["cancel_at_period_end"].as_boolean().is_(True),
        data["object"]["cancel_at_period_end"].as_boolean().is_(False),
    )


def _cancellation_reason():
    """Stripe's `cancellation_details.reason` on a customer.subscription.deleted."""
    details = column("payload", JSON)["data"]["object"]["cancellation_details"]
    return case((column("type") == "customer.subscription.deleted", details["reason"].as_string()))


class StripeEvent(db.Model):
    """Every verified webhook event, once, under Stripe's id: the log and the duplicate guard."""

    __table_args__ = (
        # Events of a type in a period, with what the retention page's churn reasons read from
        # them, so they come from the index alone: 940k events, 30 days 119 → 11 ms, 365 days
        # 322 → 24 ms.
        Index(
            "ix_stripe_event_type_created",
            "type",
            "created_at",
            "pledge_id",
            "cancellation_reason",
        ),
        Index("ix_stripe_event_withdrawn_created", "withdraws_cancellation", "created_at"),
        # A pledge's events of a type since a time: the anniversary raises' confirmations
        # (0.077 → 0.022 ms an offer), and every lookup by pledge, as the pledge_id index did.
        Index("ix_stripe_event_pledge_type_received", "pledge_id", "type", "received_at"),
    )

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when Stripe created it
    # The API version Stripe rendered it in (the endpoint's): one the app does not read is
    # refused, saying which to set.
    api_version: Mapped[str | None] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[EventOutcome] = mapped_column(EnumText(EventOutcome, 20))
    # What the event did, as records (donations/payments/webhooks/outcome.py says them in words).
    details: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    pledge_id: Mapped[int | None] = mapped_column(ForeignKey("pledge.id"))
    # An unmatched event waits for this Stripe id; it is applied again once the id is known.
    waiting_for: Mapped[str | None] = mapped_column(String(255), index=True)
    # Worked out by the database from the payload when the row is written, and indexed: the
    # retention page counts saves without parsing every renewal's JSON (365 days among 940k
    # events: 3,681 → 2 ms).
    withdraws_cancellation: Mapped[bool | None] = mapped_column(
        Computed(_withdraws_cancellation(), persisted=True)
    )
    cancellation_reason: Mapped[str | None] = mapped_column(
        String(100), Computed(_cancellation_reason(), persisted=True)
    )


class DonorNotice(db.Model):
    """An e-mail a webhook decided to send, queued in the same transaction as the change.

    Sent by `flask mail send-notices` (cron), so Stripe's webhook never waits on a mail server
    and no notice is lost if one is down. One per pledge, kind and reference (the invoice a
    failure notice is about), so a replayed event never queues it twice.
    """

    __table_args__ = (UniqueConstraint("pledge_id", "kind", "reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pledge_id: Mapped[int] = mapped_column(ForeignKey("pledge.id"))
    kind: Mapped[str] = mapped_column(String(30))  # thank_you, payment_failed
    reference: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)

    pledge: Mapped[Pledge] = relationship()


class PledgeChange(db.Model):
    """A change a donor asked for on their manage page: what it was, and why they cancelled.

    The request, kept when the gateway accepted it; the pledge itself changes only when
    Stripe's webhook confirms. `kind` is amount, annual, pause, resume or cancel, or upgrade (a
    raise from an anniversary e-mail's link); `reason` is one of pledge_changes.CANCEL_REASONS,
    `reason_text` what they added. `save_offer` is the offer (amount or pause) made to a donor
    who asked to cancel: on an amount or pause change it was taken instead (a save, and
    `reason` is why they had wanted to stop); on a cancellation it was declined.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    pledge_id: Mapped[int] = mapped_column(ForeignKey("pledge.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    amount_before: Mapped[int]
    amount_after: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    frequency_after: Mapped[Frequency] = mapped_column(EnumText(Frequency, 10))
    resumes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(String(30))
    reason_text: Mapped[str | None] = mapped_column(String(500))
    save_offer: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def saved(self) -> bool:
        """A save offer taken instead of cancelling."""
        return self.save_offer is not None and self.kind != "cancel"


class UpgradeOffer(db.Model):
    """The raise an anniversary e-mail offers ("raise to $10 a month"), one per pledge and
    anniversary year: its signed link names this row, which is used once (`used_at`).

    The amounts are kept as offered, so the link cannot be made to raise to another amount,
    and a pledge whose amount has changed since is not raised from the wrong one.
    """

    __table_args__ = (
        UniqueConstraint("pledge_id", "year"),
        CheckConstraint("amount_offered > amount_before", name="offer_is_a_raise"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pledge_id: Mapped[int] = mapped_column(ForeignKey("pledge.id"))
    year: Mapped[int]  # the anniversary: 1 a year after the first payment
    amount_before: Mapped[int]
    amount_offered: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    frequency: Mapped[Frequency] = mapped_column(EnumText(Frequency, 10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the confirm page, first
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)  # confirmed

    pledge: Mapped[Pledge] = relationship()

    @property
    def before(self) -> Money:
        return Money(self.amount_before, self.currency)

    @property
    def offered(self) -> Money:
        return Money(self.amount_offered, self.currency)


def new_stop_code() -> str:
    return secrets.token_urlsafe(18)


class CheckoutRecovery(db.Model):
    """Reminders to finish an abandoned Checkout: for a reader who gave an e-mail and agreed to
    hear from us, at most two, each with a one-click stop; none once the address has given."""

    __table_args__ = (CheckConstraint("sent_count BETWEEN 0 AND 2", name="at_most_two"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pledge_id: Mapped[int] = mapped_column(ForeignKey("pledge.id"), unique=True)
    email: Mapped[str] = mapped_column(String(254))
    # Stripe's after_expiration.recovery.url: a new session copied from the expired one.
    recovery_url: Mapped[str | None] = mapped_column(Text)
    recovery_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expired_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    sent_count: Mapped[int] = mapped_column(default=0)
    first_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stop_code: Mapped[str] = mapped_column(String(40), unique=True, default=new_stop_code)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stopped_reason: Mapped[str | None] = mapped_column(String(20))  # asked, gave, link_expired
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    pledge: Mapped[Pledge] = relationship()
