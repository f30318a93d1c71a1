"""A recurring donor's anniversary: on each anniversary of their first payment, one e-mail that
thanks them, says what they have given, and offers a signed one-click raise ("Raise to $10 a
month") that works once, expires, and is confirmed on a page before anything changes.

`flask mail queue-anniversaries` (daily cron) queues the e-mails with their offers; `mail
send-notices` sends them. The raise goes to Stripe as the manage page's change of amount does,
and the pledge's amount changes when Stripe's webhook says so.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired
from sqlalchemy import func, select, update

from donations.payments import pledge_changes
from donations.payments.amounts import donation_rules, raise_to
from donations.payments.enums import Frequency, PledgeStatus
from donations.payments.models import DonorNotice, Payment, Pledge, PledgeChange, UpgradeOffer
from donations.payments.money import Money
from donations.payments.stripe_gateway import PaymentServiceError
from donations.platform.database import insert_unless_stored, utcnow
from donations.platform.extensions import db
from donations.platform.signing import signer
from donations.platform.web import external_url

KIND = "anniversary"
SALT = "upgrade-offer"
# The PledgeChange kind of a raise made from an anniversary e-mail (the manage page's is "amount").
CHANGE_KIND = "upgrade"


def anniversary_year(first_paid: datetime, day: date) -> int | None:
    """Which anniversary of the first payment falls on `day` (UTC), or None. A first payment
    on 29 February has its anniversary on the 28th in years without one."""
    years = day.year - first_paid.year
    if years < 1:
        return None
    month, dom = first_paid.month, first_paid.day
    if (month, dom) == (2, 29) and not calendar.isleap(day.year):
        dom = 28
    return years if (day.month, day.day) == (month, dom) else None


def due_pledges(day: date) -> list[tuple[Pledge, int]]:
    """Running recurring pledges (not paused, not stopping) with an address whose first
    payment has an anniversary on `day`, with which anniversary it is."""
    first = (
        select(Payment.pledge_id, func.min(Payment.paid_at).label("paid_at"))
        .group_by(Payment.pledge_id)
        .subquery()
    )
    days = [day.day]
    if (day.month, day.day) == (2, 28) and not calendar.isleap(day.year):
        days.append(29)
    stmt = (
        select(Pledge, first.c.paid_at)
        .join(first, first.c.pledge_id == Pledge.id)
        .where(
            Pledge.frequency.in_([Frequency.MONTHLY, Frequency.ANNUAL]),
            Pledge.status == PledgeStatus.ACTIVE,
            Pledge.collection_paused.is_(False),
            Pledge.cancel_at_period_end.is_(False),
            Pledge.email.is_not(None),
            Pledge.subscription_id.is_not(None),
            func.extract("month", first.c.paid_at) == day.month,
            func.extract("day", first.c.paid_at).in_(days),
            func.extract("year", first.c.paid_at) < day.year,
        )
        .order_by(Pledge.id)
    )
    found = []
    for pledge, paid_at in db.session.execute(stmt):
        year = anniversary_year(paid_at, day)
        if year is not None:
            found.append((pledge, year))
    return found


def queue_anniversaries(day: date) -> int:
    """Queue the anniversary e-mails due on `day` and their offers; returns how many were new.

    Idempotent and safe on two machines: the notice is unique per pledge, kind and anniversary
    ("year 1"), the offer per pledge and anniversary, and both are inserted ON CONFLICT DO
    NOTHING in one transaction.
    """
    if not current_app.config["ANNIVERSARY_EMAILS"]:
        return 0
    notice = insert_unless_stored(db.session, DonorNotice, "pledge_id", "kind", "reference")
    offer = insert_unless_stored(db.session, UpgradeOffer, "pledge_id", "year")
    rules = donation_rules()
    now = utcnow()
    queued = 0
    for pledge, year in due_pledges(day):
        new = db.session.execute(
            notice,
            {
                "pledge_id": pledge.id,
                "kind": KIND,
                "reference": reference(year),
                "created_at": now,
                "attempts": 0,
            },
        ).first()
        if new is None:
            continue
        queued += 1
        offered = raise_to(rules, pledge.frequency, pledge.money)
        if offered is not None:
            db.session.execute(
                offer,
                {
                    "pledge_id": pledge.id,
                    "year": year,
                    "amount_before": pledge.amount,
                    "amount_offered": offered.amount,
                    "currency": pledge.currency,
                    "frequency": str(pledge.frequency),
                    "created_at": now,
                },
            )
    db.session.commit()
    return queued


def reference(year: int) -> str:
    return f"year {year}"


def given_in_total(pledge: Pledge) -> list[Money]:
    """What the donor has given (kept: paid minus refunded), per currency, over every pledge of
    their Stripe customer (this pledge alone without one)."""
    mine = (
        Pledge.customer_id == pledge.customer_id if pledge.customer_id else Pledge.id == pledge.id
    )
    stmt = (
        select(Payment.currency, func.sum(Payment.amount - Payment.refunded_amount))
        .join(Pledge, Pledge.id == Payment.pledge_id)
        .where(mine)
        .group_by(Payment.currency)
        .order_by(Payment.currency)
    )
    return [Money(int(total), currency) for currency, total in db.session.execute(stmt) if total]


def email_details(pledge: Pledge, notice_reference: str) -> dict[str, object]:
    """What the anniversary e-mail says: which year (its notice's reference), the total given,
    and the offer's link while the offer still fits the pledge."""
    year = int(notice_reference.removeprefix("year "))
    offer = db.session.scalar(
        select(UpgradeOffer).where(UpgradeOffer.pledge_id == pledge.id, UpgradeOffer.year == year)
    )
    usable = offer is not None
    if offer is not None:
        try:
            check_usable(offer)
        except OfferUnusable:  # the pledge changed or stopped between queueing and sending
            usable = False
    return {
        "years": year,
        "given": given_in_total(pledge),
        "offer": offer if usable else None,
        "offer_url": offer_url(offer) if usable else None,
        "offer_days": link_days(),
    }


def link_days() -> int:
    return current_app.config["UPGRADE_LINK_MAX_AGE_SECONDS"] // 86400


def offer_url(offer: UpgradeOffer) -> str:
    """The signed link: it names the offer, its pledge and both amounts, so none can be swapped."""
    token = signer(SALT).dumps(
        {
            "o": offer.id,
            "p": offer.pledge.public_id,
            "b": offer.amount_before,
            "a": offer.amount_offered,
            "c": offer.currency,
        }
    )
    return external_url("manage.upgrade", token=token)


class OfferUnusable(Exception):
    """Why a link cannot raise the pledge; `reason` names the page that says so."""

    reason = "invalid"

    def __init__(self, offer: UpgradeOffer | None = None) -> None:
        super().__init__(self.reason)
        self.offer = offer


class OfferExpired(OfferUnusable):
    reason = "expired"


class OfferInvalid(OfferUnusable):
    reason = "invalid"


class OfferUsed(OfferUnusable):
    reason = "used"


class PledgeNotRunning(OfferUnusable):
    reason = "not_running"


class AmountChanged(OfferUnusable):
    reason = "amount_changed"


def offer_of(token: str) -> UpgradeOffer:
    """The offer a link names, while it can still be taken up; an OfferUnusable otherwise."""
    try:
        data = signer(SALT).loads(token, max_age=current_app.config["UPGRADE_LINK_MAX_AGE_SECONDS"])
    except SignatureExpired:
        raise OfferExpired from None
    except BadSignature:
        raise OfferInvalid from None
    if not isinstance(data, dict) or not isinstance(data.get("o"), int):
        raise OfferInvalid
    offer = db.session.get(UpgradeOffer, data["o"])
    if offer is None or not offer.pledge.email:  # a forgotten donor's links stop working
        raise OfferInvalid
    named = (data.get("p"), data.get("b"), data.get("a"), data.get("c"))
    if named != (offer.pledge.public_id, offer.amount_before, offer.amount_offered, offer.currency):
        raise OfferInvalid
    check_usable(offer)
    return offer


def check_usable(offer: UpgradeOffer) -> None:
    """OfferUnusable unless the offer is unused and its pledge runs at the amount offered from."""
    pledge = offer.pledge
    if offer.used_at is not None:
        raise OfferUsed(offer)
    if (
        pledge.status is not PledgeStatus.ACTIVE
        or pledge.cancel_at_period_end
        or not pledge.subscription_id
    ):
        raise PledgeNotRunning(offer)
    if (pledge.amount, pledge.currency, pledge.frequency) != (
        offer.amount_before,
        offer.currency,
        offer.frequency,
    ):
        raise AmountChanged(offer)


def mark_opened(offer: UpgradeOffer) -> None:
    """The confirm page was seen (first time only), for the staff figures; nothing else."""
    if offer.opened_at is None:
        offer.opened_at = utcnow()
        db.session.commit()


def accept(offer: UpgradeOffer) -> PledgeChange:
    """Raise the pledge to the offered amount from its next payment, once.

    The offer is claimed with a conditional UPDATE held until the change is recorded: a second
    click (or a second machine) finds it used. When Stripe refuses or is away the claim is
    rolled back, so the donor can try again; PaymentServiceError rises for the page.
    """
    check_usable(offer)
    claimed = db.session.execute(
        update(UpgradeOffer)
        .where(UpgradeOffer.id == offer.id, UpgradeOffer.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        raise OfferUsed(offer)
    try:
        return pledge_changes.change_amount(offer.pledge, offer.offered, kind=CHANGE_KIND)
    except PaymentServiceError:
        db.session.rollback()
        raise
