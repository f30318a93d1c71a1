"""What an admin may do to a pledge, each through the Stripe gateway and into the audit log.

Stripe's webhooks bring the resulting state change (a refund, a cancellation) as for any other
change; these services only ask Stripe, and record who asked for what and when.
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from donations.payments.models import Payment, Pledge
from donations.payments.money import Money
from donations.payments.notices import send_to_donor
from donations.payments.stripe_gateway import PaymentServiceError, gateway
from donations.platform.extensions import db
from donations.staff.models import AuditLog, StaffUser

log = logging.getLogger(__name__)

EMAILS = {"thank_you": "receipt", "manage_link": "manage link"}


class ActionRefused(Exception):
    """The action cannot be done (Stripe refused, or there is nothing to do); says why."""


def refund(staff: StaffUser, payment: Payment, amount: int | None) -> str:
    """Ask Stripe to refund a payment (all that is left, or `amount`); returns the refund id."""
    left = payment.amount - payment.refunded_amount
    if left <= 0:
        raise ActionRefused("This payment has already been refunded in full.")
    wanted = amount or left
    what = f"refund {Money(wanted, payment.currency)} of payment {payment.id}"
    try:
        refund_id = gateway().refund_payment(payment, amount)
    except PaymentServiceError as error:
        _audit(staff, "refund", payment.pledge, f"{what}: {error}", "failed")
        raise ActionRefused(f"Stripe did not refund the payment: {error}") from error
    _audit(staff, "refund", payment.pledge, f"{what}: {refund_id}", "requested")
    return refund_id


def cancel(staff: StaffUser, pledge: Pledge, *, at_period_end: bool) -> None:
    """Ask Stripe to stop a recurring pledge now or when the paid period ends."""
    if not pledge.subscription_id:
        raise ActionRefused("This pledge has no Stripe subscription to cancel.")
    when = "at period end" if at_period_end else "now"
    try:
        gateway().cancel_subscription(pledge.subscription_id, at_period_end=at_period_end)
    except PaymentServiceError as error:
        _audit(staff, "cancel", pledge, f"cancel {when}: {error}", "failed")
        raise ActionRefused(f"Stripe did not cancel the subscription: {error}") from error
    _audit(staff, "cancel", pledge, f"cancel {pledge.subscription_id} {when}", "requested")


def resend(staff: StaffUser, pledge: Pledge, kind: str) -> None:
    """E-mail the donor their receipt or their manage link again."""
    if not pledge.email:
        raise ActionRefused("This pledge has no e-mail address to send to.")
    sent = send_to_donor(kind, pledge)
    outcome = "sent" if sent else "failed"
    _audit(staff, f"resend_{kind}", pledge, f"{EMAILS[kind]} to {pledge.email}", outcome)
    if not sent:
        raise ActionRefused("The e-mail could not be sent; the mail server refused it.")


def record(by: str, action: str, target: str, detail: str) -> None:
    """An entry for what another feature's staff page (or its guardrails) did: a seam."""
    staff = db.session.scalar(select(StaffUser).where(StaffUser.email == by))
    db.session.add(
        AuditLog(
            staff_user_id=staff.id if staff else None,
            staff_email=by,
            action=action,
            target=target,
            detail=detail,
            outcome="done",
        )
    )
    db.session.commit()
    log.info("%s: %s %s", by, action, target)


def _audit(staff: StaffUser, action: str, pledge: Pledge, detail: str, outcome: str) -> None:
    db.session.add(
        AuditLog(
            staff_user_id=staff.id,
            staff_email=staff.email,
            action=action,
            target=pledge.public_id,
            pledge_id=pledge.id,
            detail=detail,
            outcome=outcome,
        )
    )
    db.session.commit()
    log.info("staff %s: %s %s (%s)", staff.email, action, pledge.public_id, outcome)


def audit_entries(limit: int = 200, pledge: Pledge | None = None) -> list[AuditLog]:
    stmt = select(AuditLog).order_by(AuditLog.created_at.desc(), AuditLog.id.desc()).limit(limit)
    if pledge is not None:
        stmt = stmt.where(AuditLog.pledge_id == pledge.id)
    return list(db.session.scalars(stmt))
