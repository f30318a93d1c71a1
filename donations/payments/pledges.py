"""The pledge service: store a reader's pledge, send them to Checkout, and find pledges again."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import func, select

from donations.payments.enums import Frequency, Placement, PledgeStatus, UpsellStep
from donations.payments.models import Pledge
from donations.payments.money import Money
from donations.payments.stripe_gateway import CheckoutSession, PaymentServiceError, gateway
from donations.platform.extensions import db

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
    upsell: UpsellStep | None = None  # the monthly offer, for a small one-off gift


def start_pledge(request: PledgeRequest) -> Pledge:
    """Store the pledge before the reader leaves for Checkout, so nothing can be lost."""
    attribution = request.attribution
    pledge = Pledge(
        frequency=request.frequency,
        amount=request.money.amount,
        currency=request.money.currency,
        email=request.email,
        article_slug=attribution.article_slug,
        placement=attribution.placement,
        prompt=attribution.prompt,
        variant=attribution.variant,
        referrer=(attribution.referrer or "")[:500] or None,
        upsell=request.upsell,
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


def find_by_checkout_session(session_id: str) -> Pledge | None:
    return db.session.scalar(select(Pledge).where(Pledge.checkout_session_id == session_id))


def find_by_public_id(public_id: str) -> Pledge | None:
    return db.session.scalar(select(Pledge).where(Pledge.public_id == public_id))


def confirmed_pledges_of(email: str) -> list[Pledge]:
    """Every confirmed pledge given with this e-mail address, newest first."""
    query = (
        select(Pledge)
        .where(func.lower(Pledge.email) == email.strip().lower())
        .where(Pledge.status.in_(CONFIRMED_STATUSES))
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
        .where(Pledge.status.in_(CONFIRMED_STATUSES))
        .order_by(Pledge.created_at.desc())
    )
    return list(db.session.scalars(query))


CONFIRMED_STATUSES = [status for status in PledgeStatus if status.confirmed]
