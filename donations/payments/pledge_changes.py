"""Changes donors make to a running pledge from their manage page: a new amount, annual
instead of monthly, a pause, a cancellation and why. Each goes to Stripe through the gateway
and is kept as a PledgeChange; the pledge itself changes when Stripe's webhook says so."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext

from donations.payments.amounts import AmountRules
from donations.payments.enums import Frequency
from donations.payments.models import Pledge, PledgeChange, StripeEvent
from donations.payments.money import Money
from donations.payments.stripe_gateway import gateway
from donations.platform.database import utcnow
from donations.platform.extensions import db

# Why donors stop, in their words; the page shows them in random order, so the first one
# listed is not the one most often picked.
CANCEL_REASONS = {
    "cost": lazy_gettext("I can't afford it right now"),
    "break": lazy_gettext("I'm taking a break from the news"),
    "once": lazy_gettext("I'd rather give once in a while"),
    "coverage": lazy_gettext("I'm unhappy with the coverage"),
    "elsewhere": lazy_gettext("I support other causes now"),
    "other": lazy_gettext("Something else"),
}
REASON_TEXT_MAX = 500
PAUSE_MONTHS = (1, 2, 3)
# How far ahead a donor who has just cancelled may ask to be reminded to come back (the manage
# page offers these, the reminders feature stores them).
WIN_BACK_MONTHS = (3, 6)
# The reasons a save offer answers: money trouble is met with a lower amount, a wish for a
# break with a pause. Other reasons (unhappy with us, giving elsewhere) get no offer: asking
# them to stay would only delay them.
SAVE_OFFERS = {"cost": "amount", "break": "pause"}


@dataclass(frozen=True)
class SaveOffer:
    """What a donor who asked to cancel is offered instead: a lower amount or a pause."""

    kind: str  # "amount" or "pause"
    amount: Money | None = None  # the lower amount (amount offers only)


def save_offer(
    pledge: Pledge, reason: str, rules: AmountRules, *, enabled: bool
) -> SaveOffer | None:
    """The one place that decides which save offer fits a cancellation, if any."""
    if not enabled:
        return None
    kind = SAVE_OFFERS.get(reason)
    if kind == "amount":
        rule = rules.rule(pledge.frequency)
        if pledge.amount <= rule.minimum:
            return None
        # The next lower preset (a round, familiar number), never below the minimum.
        lower = [p for p in rule.presets if rule.minimum <= p < pledge.amount]
        return SaveOffer("amount", Money(max([rule.minimum, *lower]), pledge.currency))
    if kind == "pause" and pledge.frequency is Frequency.MONTHLY and not pledge.collection_paused:
        return SaveOffer("pause")
    return None


def change_amount(
    pledge: Pledge, money: Money, kind: str = "amount", *, saved_from: str | None = None
) -> PledgeChange:
    """Charge `money` from the next payment on, at the same cadence. `kind` says where the
    donor asked (the manage page's "amount", an anniversary e-mail's "upgrade"); `saved_from`
    is the reason for cancelling of a donor who took this as a save offer instead."""
    gateway().change_price(
        pledge.subscription_id,
        amount=money.amount,
        interval=pledge.frequency.interval,
        keep_billing_date=False,
    )
    return _record(pledge, kind, amount_after=money.amount, **_saved("amount", saved_from))


def annual_amount(pledge: Pledge) -> int:
    """A year of the monthly gift."""
    return pledge.amount * 12


def switch_to_annual(pledge: Pledge) -> PledgeChange:
    """Give a year's worth once a year, from the date the next monthly payment was due."""
    amount = annual_amount(pledge)
    gateway().change_price(
        pledge.subscription_id, amount=amount, interval="year", keep_billing_date=True
    )
    return _record(pledge, "annual", amount_after=amount, frequency_after=Frequency.ANNUAL)


def resumes_after(pledge: Pledge, months: int) -> datetime:
    """The next `months` payments are skipped: collection resumes a day after the last one."""
    start = pledge.current_period_end or utcnow()
    total = start.month - 1 + months - 1
    year, month = start.year + total // 12, total % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return start.replace(year=year, month=month, day=day) + timedelta(days=1)


def pause(pledge: Pledge, months: int, *, saved_from: str | None = None) -> PledgeChange:
    """Skip the next 1–3 monthly payments; Stripe resumes collecting on its own. `saved_from`
    as for change_amount."""
    if months not in PAUSE_MONTHS:
        raise ValueError(f"a pause is {PAUSE_MONTHS} months, not {months}")
    resumes_at = resumes_after(pledge, months)
    gateway().pause_collection(pledge.subscription_id, resumes_at=int(resumes_at.timestamp()))
    return _record(pledge, "pause", resumes_at=resumes_at, **_saved("pause", saved_from))


def resume(pledge: Pledge) -> PledgeChange:
    """End a pause now: the next invoice is collected as before the pause."""
    gateway().resume_collection(pledge.subscription_id)
    return _record(pledge, "resume")


def cancel(
    pledge: Pledge, reason: str, reason_text: str | None, *, declined: SaveOffer | None = None
) -> PledgeChange:
    """Stop at the end of the paid period, keeping why (and the save offer declined)."""
    if reason not in CANCEL_REASONS:
        raise ValueError(f"unknown reason {reason!r}")
    gateway().cancel_subscription(pledge.subscription_id, at_period_end=True)
    text = (reason_text or "").strip()[:REASON_TEXT_MAX] or None
    return _record(
        pledge,
        "cancel",
        reason=reason,
        reason_text=text,
        save_offer=declined.kind if declined else None,
    )


def _saved(offer: str, reason: str | None) -> dict[str, object]:
    if reason is None:
        return {}
    if SAVE_OFFERS.get(reason) != offer:
        raise ValueError(f"no {offer} offer is made for {reason!r}")
    return {"save_offer": offer, "reason": reason}


def has_cancelled(pledge: Pledge) -> bool:
    """Whether the donor asked on their manage page for this pledge to stop."""
    found = db.select(PledgeChange.id).where(
        PledgeChange.pledge_id == pledge.id, PledgeChange.kind == "cancel"
    )
    return db.session.scalar(found.limit(1)) is not None


def changes_of(pledge: Pledge) -> list[PledgeChange]:
    """The donor's changes to a pledge, newest first (for staff)."""
    return list(
        db.session.scalars(
            db.select(PledgeChange)
            .where(PledgeChange.pledge_id == pledge.id)
            .order_by(PledgeChange.created_at.desc(), PledgeChange.id.desc())
        )
    )


# Stripe may deliver the webhook for a change a moment before the change is recorded (the
# gateway's answer comes first): an event received this long before it can still confirm it.
WEBHOOK_HEAD_START = timedelta(minutes=1)


def carried_by(change: PledgeChange, subscription: dict[str, Any]) -> bool:
    """Whether a subscription, as a Stripe event sent it, shows this change made."""
    if change.kind == "cancel":
        return bool(subscription.get("cancel_at_period_end")) or subscription.get("status") == (
            "canceled"
        )
    if change.kind == "pause":
        resumes = (subscription.get("pause_collection") or {}).get("resumes_at")
        return change.resumes_at is not None and resumes == int(change.resumes_at.timestamp())
    if change.kind == "resume":
        return not subscription.get("pause_collection")
    items = (subscription.get("items") or {}).get("data") or []
    if not items:
        return False
    price = items[0].get("price") or {}
    amount = (price.get("unit_amount") or 0) * (items[0].get("quantity") or 1)
    interval = (price.get("recurring") or {}).get("interval")
    return amount == change.amount_after and interval == change.frequency_after.interval


def confirmed_at(change: PledgeChange, events: list[StripeEvent]) -> datetime | None:
    """When a Stripe webhook about the pledge first showed the change (None: not yet)."""
    since = change.created_at - WEBHOOK_HEAD_START
    return min(
        (
            event.received_at
            for event in events
            if event.type in SUBSCRIPTION_EVENTS
            and event.received_at >= since
            and carried_by(change, event.payload["data"]["object"])
        ),
        default=None,
    )


SUBSCRIPTION_EVENTS = ("customer.subscription.updated", "customer.subscription.deleted")


def _record(pledge: Pledge, kind: str, **values: object) -> PledgeChange:
    change = PledgeChange(
        pledge_id=pledge.id,
        kind=kind,
        amount_before=pledge.amount,
        amount_after=values.pop("amount_after", pledge.amount),
        currency=pledge.currency,
        frequency_after=values.pop("frequency_after", pledge.frequency),
        **values,
    )
    db.session.add(change)
    db.session.commit()
    return change
