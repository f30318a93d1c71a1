"""Pledge service: creating pledges, sending readers to Checkout, and finding pledges again."""

from __future__ import annotations

import logging

from sqlalchemy import select

from donations import pledge_status
from donations.extensions import db
from donations.models import Pledge
from donations.stripe_gateway import CheckoutSession, PaymentServiceError, gateway
from donations.support.forms import Attribution, DonationChoice

log = logging.getLogger(__name__)


def start_pledge(choice: DonationChoice, attribution: Attribution, referrer: str | None) -> Pledge:
    """Store the pledge before the reader leaves for Checkout, so nothing can be lost."""
    pledge = Pledge(
        frequency=choice.frequency,
        amount=choice.amount,
        currency=choice.currency,
        email=choice.email,
        article_slug=attribution.article_slug,
        placement=attribution.placement,
        prompt=attribution.prompt,
        variant=attribution.variant,
        referrer=(referrer or "")[:500] or None,
    )
    db.session.add(pledge)
    db.session.commit()
    return pledge


def open_checkout(pledge: Pledge, *, success_url: str, cancel_url: str) -> CheckoutSession:
    """Create the pledge's Checkout session; on failure the pledge says so and the error rises."""
    try:
        session = gateway().create_checkout_session(
            pledge, success_url=success_url, cancel_url=cancel_url
        )
    except PaymentServiceError as error:
        log.warning("checkout for pledge %s could not start: %s", pledge.public_id, error)
        pledge.move_to(pledge_status.CHECKOUT_FAILED)
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


def latest_manageable_pledge(email: str) -> Pledge | None:
    """The donor's newest confirmed pledge with a Stripe customer, to send a manage link for."""
    query = (
        select(Pledge)
        .where(Pledge.email == email, Pledge.customer_id.is_not(None))
        .where(Pledge.status.in_(pledge_status.CONFIRMED))
        .order_by(Pledge.created_at.desc())
        .limit(1)
    )
    return db.session.scalar(query)


def pledges_of_customer(customer_id: str) -> list[Pledge]:
    query = (
        select(Pledge)
        .where(Pledge.customer_id == customer_id)
        .where(Pledge.status.in_(pledge_status.CONFIRMED))
        .order_by(Pledge.created_at.desc())
    )
    return list(db.session.scalars(query))
