"""The pledge service: store a reader's pledge, send them to Checkout, and find pledges again."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from donations.payments.amounts import donation_rules
from donations.payments.enums import CONFIRMED, Frequency, Placement, PledgeStatus, UpsellStep
from donations.payments.models import Pledge
from donations.payments.money import Money
from donations.payments.stripe_gateway import CheckoutSession, PaymentServiceError, gateway
from donations.platform.database import utcnow
from donations.platform.extensions import db
from donations.platform.i18n import page_language

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Attribution:
    """What led the reader to give: the article, the prompt and where it was shown."""

    article_slug: str | None = None
    placement: Placement | None = None
    prompt: str | None = None
    variant: str | None = None
    referrer: str | None = None


@dataclass(frozen=True)
class PledgeRequest:
    """A reader's checked choice: how often, how much, and an e-mail for the receipt."""

    frequency: Frequency
    money: Money
    email: str | None
    attribution: Attribution
    anonymous: bool = False
    upsell: UpsellStep | None = None  # the monthly offer, for a small one-off gift


def start_pledge(request: PledgeRequest) -> Pledge:
    """Store the pledge before the reader leaves for Checkout, so nothing can be lost."""
    attribution = request.attribution
    pledge = Pledge(
        frequency=request.frequency,
        amount=request.money.amount,
        currency=request.money.currency,
        email=None if request.anonymous else request.email,
        anonymous=request.anonymous,
        article_slug=attribution.article_slug,
        placement=attribution.placement,
        prompt=attribution.prompt,
        variant=attribution.variant,
        referrer=(attribution.referrer or "")[:500] or None,
        upsell=request.upsell,
        language=page_language(),
    )
    db.session.add(pledge)
    db.session.commit()
    return pledge


class UpsellAnswered(Exception):
    """The monthly offer was answered already, or this pledge never had one open."""


def answer_upsell(pledge: Pledge, monthly: Money | None) -> None:
    """The reader's answer to "make it monthly?": the monthly amount, or None for "once"."""
    if pledge.upsell != UpsellStep.OFFERED or pledge.checkout_session_id is not None:
        raise UpsellAnswered(pledge.public_id)
    if monthly is None:
        pledge.upsell = UpsellStep.DECLINED
    else:
        pledge.upsell = UpsellStep.ACCEPTED
        pledge.frequency = Frequency.MONTHLY
        pledge.amount, pledge.currency = monthly.amount, monthly.currency
    db.session.commit()


def open_checkout(pledge: Pledge, *, success_url: str, cancel_url: str) -> CheckoutSession:
    """Create the pledge's Checkout session; on failure the pledge says so and the error rises."""
    try:
        session = gateway().create_checkout_session(
            pledge, success_url=success_url, cancel_url=cancel_url
        )
    except PaymentServiceError as error:
        log.warning("checkout for pledge %s could not start: %s", pledge.public_id, error)
        pledge.move_to(PledgeStatus.CHECKOUT_FAILED)
        pledge.checkout_error = str(error)[:1000]
        db.session.commit()
        raise
    pledge.checkout_session_id = session.id
    db.session.commit()
    return session


@dataclass(frozen=True)
class MonthlyOffer:
    """ "Make it monthly from next month": the same amount each month, on the gift's card."""

    money: Money
    starts: datetime
    payment_method: str


class NotConvertible(Exception):
    """The gift cannot become a monthly pledge (already did, or its card cannot be reused)."""


def first_of_next_month(moment: datetime) -> datetime:
    """Midnight UTC on the first day of the month after `moment`."""
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    return datetime(year, month, 1, tzinfo=UTC)


def monthly_offer(gift: Pledge, now: datetime | None = None) -> MonthlyOffer | None:
    """What "make it monthly" would start for a one-off gift, or None where the gift does not
    allow it: not a paid one-off gift, no customer, an amount outside the monthly limits, or
    no card saved for later (as its payment intent's webhook told us)."""
    if gift.frequency is not Frequency.ONCE or gift.status is not PledgeStatus.PAID:
        return None
    if not (gift.customer_id and gift.reusable_card_id and gift.email):
        return None
    if donation_rules().problem(Frequency.MONTHLY, gift.money) is not None:
        return None
    return MonthlyOffer(gift.money, first_of_next_month(now or utcnow()), gift.reusable_card_id)


def conversion_of(gift: Pledge) -> Pledge | None:
    """The monthly pledge a gift was made into, if it was."""
    return db.session.scalar(select(Pledge).where(Pledge.converted_from_id == gift.id))


def make_monthly(gift: Pledge) -> Pledge:
    """Turn a one-off gift into a monthly pledge from next month, on its customer and card.

    Idempotent: a second call (a double click, a reload) returns the same pledge and makes no
    second subscription. The pledge is pending until Stripe's webhook confirms it, as any.
    """
    pledge = conversion_of(gift)
    if pledge is not None and pledge.subscription_id:
        return pledge
    offer = monthly_offer(gift, now=pledge.created_at if pledge else None)
    if offer is None:
        raise NotConvertible(gift.public_id)
    if pledge is None:
        pledge = _store_conversion(gift, offer)
    try:
        subscription = gateway().start_subscription(
            pledge,
            customer_id=gift.customer_id,
            payment_method=offer.payment_method,
            first_payment_at=int(first_of_next_month(pledge.created_at).timestamp()),
        )
    except PaymentServiceError as error:
        log.warning("could not make %s monthly: %s", gift.public_id, error)
        raise
    pledge.customer_id = pledge.customer_id or subscription.customer
    pledge.subscription_id = pledge.subscription_id or subscription.id
    db.session.commit()
    return pledge


def _store_conversion(gift: Pledge, offer: MonthlyOffer) -> Pledge:
    """The monthly pledge, stored before Stripe is asked; the one a parallel click stored, if
    that click came first."""
    pledge = Pledge(
        frequency=Frequency.MONTHLY,
        amount=offer.money.amount,
        currency=offer.money.currency,
        email=gift.email,
        customer_id=gift.customer_id,
        converted_from_id=gift.id,
        article_slug=gift.article_slug,
        placement=Placement.THANK_YOU,
        language=gift.language,
    )
    db.session.add(pledge)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        stored = conversion_of(gift)
        if stored is None:
            raise
        return stored
    return pledge


def find_by_checkout_session(session_id: str) -> Pledge | None:
    return db.session.scalar(select(Pledge).where(Pledge.checkout_session_id == session_id))


def find_by_public_id(public_id: str) -> Pledge | None:
    return db.session.scalar(select(Pledge).where(Pledge.public_id == public_id))


def confirmed_pledges_of(email: str) -> list[Pledge]:
    """Every confirmed pledge given with this e-mail address, newest first."""
    query = (
        select(Pledge)
        .where(func.lower(Pledge.email) == email.strip().lower())
        .where(Pledge.status.in_(CONFIRMED))
        .order_by(Pledge.created_at.desc())
    )
    return list(db.session.scalars(query))


def latest_manageable_pledge(email: str) -> Pledge | None:
    """The donor's newest confirmed pledge with a Stripe customer, to send a manage link for."""
    return next((p for p in confirmed_pledges_of(email) if p.customer_id), None)


def pledges_of_customer(customer_id: str) -> list[Pledge]:
    query = (
        select(Pledge)
        .where(Pledge.customer_id == customer_id)
        .where(Pledge.status.in_(CONFIRMED))
        .order_by(Pledge.created_at.desc())
    )
    return list(db.session.scalars(query))
