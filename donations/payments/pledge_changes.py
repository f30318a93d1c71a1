"""Changes donors make to a running pledge from their manage page: a new amount, annual
instead of monthly, a pause, a cancellation and why. Each goes to Stripe through the gateway
and is kept as a PledgeChange; the pledge itself changes when Stripe's webhook says so."""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta

from donations.payments.enums import Frequency
from donations.payments.models import Pledge, PledgeChange
from donations.payments.money import Money
from donations.payments.stripe_gateway import gateway
from donations.platform.database import utcnow
from donations.platform.extensions import db

# Why donors stop, in their words; the page shows them in random order, so the first one
# listed is not the one most often picked.
CANCEL_REASONS = {
    "cost": "I can't afford it right now",
    "break": "I'm taking a break from the news",
    "once": "I'd rather give once in a while",
    "coverage": "I'm unhappy with the coverage",
    "elsewhere": "I support other causes now",
    "other": "Something else",
}
REASON_TEXT_MAX = 500
PAUSE_MONTHS = (1, 2, 3)


def change_amount(pledge: Pledge, money: Money, kind: str = "amount") -> PledgeChange:
    """Charge `money` from the next payment on, at the same cadence; `kind` says where the
    donor asked (the manage page's "amount", an anniversary e-mail's "upgrade")."""
    gateway().change_price(
        pledge.subscription_id,
        amount=money.amount,
        interval=pledge.frequency.interval,
        keep_billing_date=False,
    )
    return _record(pledge, kind, amount_after=money.amount)


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


def pause(pledge: Pledge, months: int) -> PledgeChange:
    """Skip the next 1–3 monthly payments; Stripe resumes collecting on its own."""
    if months not in PAUSE_MONTHS:
        raise ValueError(f"a pause is {PAUSE_MONTHS} months, not {months}")
    resumes_at = resumes_after(pledge, months)
    gateway().pause_collection(pledge.subscription_id, resumes_at=int(resumes_at.timestamp()))
    return _record(pledge, "pause", resumes_at=resumes_at)


def cancel(pledge: Pledge, reason: str, reason_text: str | None) -> PledgeChange:
    """Stop at the end of the paid period, keeping why."""
    if reason not in CANCEL_REASONS:
        raise ValueError(f"unknown reason {reason!r}")
    gateway().cancel_subscription(pledge.subscription_id, at_period_end=True)
    text = (reason_text or "").strip()[:REASON_TEXT_MAX] or None
    return _record(pledge, "cancel", reason=reason, reason_text=text)


def changes_of(pledge: Pledge) -> list[PledgeChange]:
    """The donor's changes to a pledge, newest first (for staff)."""
    return list(
        db.session.scalars(
            db.select(PledgeChange)
            .where(PledgeChange.pledge_id == pledge.id)
            .order_by(PledgeChange.created_at.desc(), PledgeChange.id.desc())
        )
    )


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
