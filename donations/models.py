"""The domain model: articles and their appeals, pledges, payments and Stripe's event log."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    column,
    false,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from donations import pledge_status
from donations.extensions import db

FREQUENCIES = ("once", "monthly", "annual")
RECURRING = ("monthly", "annual")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Stores UTC on every database (SQLite has no time zones) and gives back aware datetimes."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: times are stored in UTC and must say so")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Article(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    standfirst: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text)  # paragraphs separated by blank lines
    photo_path: Mapped[str | None] = mapped_column(String(300))  # under static/
    photo_caption: Mapped[str] = mapped_column(Text, default="")
    photo_credit: Mapped[str] = mapped_column(String(200), default="")
    section: Mapped[str] = mapped_column(String(100), default="News")
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def paragraphs(self) -> list[str]:
        return split_paragraphs(self.body)


class Appeal(db.Model):
    """The words of one prompt in one language: the copy is data, editable without a deploy."""

    __table_args__ = (UniqueConstraint("placement", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    placement: Mapped[str] = mapped_column(String(30))
    language: Mapped[str] = mapped_column(String(10), default="en")
    heading: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)  # paragraphs separated by blank lines
    button_text: Mapped[str] = mapped_column(String(100), default="Continue")
    remind_prompt: Mapped[str] = mapped_column(String(200), default="Not ready to support today?")
    remind_link_text: Mapped[str] = mapped_column(String(100), default="Remind me later.")

    @property
    def paragraphs(self) -> list[str]:
        return split_paragraphs(self.body)


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
        Index(
            "ix_pledge_status_frequency",
            "status",
            "frequency",
            postgresql_include=["currency", "amount", "created_at"],
        ),
        Index("ix_pledge_status_changed", "status", "status_changed_at"),
        Index("ix_pledge_prompt", "prompt"),
        Index(
            "ix_pledge_email_lower",
            func.lower(column("email")).label("email_lower"),
            postgresql_ops={"email_lower": "text_pattern_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(40), unique=True, default=new_public_id)
    frequency: Mapped[str] = mapped_column(String(10))
    amount: Mapped[int]  # minor units
    currency: Mapped[str] = mapped_column(String(3))
    email: Mapped[str | None] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(20), default=pledge_status.PENDING)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When Stripe created the event behind the last status change: older events cannot undo it.
    status_event_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checkout_session_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    customer_id: Mapped[str | None] = mapped_column(String(255), index=True)
    subscription_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    payment_intent_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    checkout_error: Mapped[str | None] = mapped_column(Text)
    # The subscription as Stripe last told us (recurring pledges only).
    cancel_at_period_end: Mapped[bool] = mapped_column(default=False, server_default=false())
    current_period_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    subscription_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Attribution: what led the reader to give.
    article_slug: Mapped[str | None] = mapped_column(String(200))
    placement: Mapped[str | None] = mapped_column(String(30))
    prompt: Mapped[str | None] = mapped_column(String(60))
    variant: Mapped[str | None] = mapped_column(String(60))
    referrer: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    payments: Mapped[list[Payment]] = relationship(
        back_populates="pledge", order_by="Payment.paid_at"
    )

    @property
    def is_recurring(self) -> bool:
        return self.frequency in RECURRING

    @property
    def is_confirmed(self) -> bool:
        return self.status in pledge_status.CONFIRMED

    def move_to(self, status: str) -> bool:
        """Change status along the transition table; False when it already was that status."""
        if not pledge_status.check_transition(self.status, status):
            return False
        self.status = status
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
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pledge_id: Mapped[int] = mapped_column(ForeignKey("pledge.id"), index=True)
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


class StripeEvent(db.Model):
    """Every verified webhook event, once, under Stripe's id: the log and the duplicate guard."""

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(100), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when Stripe created it
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(20))  # applied, ignored, unmatched, refused
    reason: Mapped[str] = mapped_column(Text, default="")
    pledge_id: Mapped[int | None] = mapped_column(ForeignKey("pledge.id"), index=True)
    # An unmatched event waits for this Stripe id; it is applied again once the id is known.
    waiting_for: Mapped[str | None] = mapped_column(String(255), index=True)


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


def split_paragraphs(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\r\n", "\n").split("\n\n") if part.strip()]
