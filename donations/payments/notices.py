"""E-mails to donors about their pledges, queued and sent by `flask mail send-notices`.

Webhooks queue thank-yous and payment failures; readers' requests for a manage link or a
supporter sign-in link are queued the same way, so the answer to a request takes as long for
an unknown address as for a donor's and says nothing about who has given.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext
from sqlalchemy import select

from donations.payments import anniversaries
from donations.payments.amounts import pledge_summary
from donations.payments.donor_links import SIGN_IN, manage_url, max_age_hours, sign_in_url
from donations.payments.models import DonorNotice, Payment, Pledge
from donations.payments.pledges import conversion_of, first_of_next_month, monthly_offer
from donations.payments.purpose import purpose
from donations.platform.database import insert_unless_stored, utcnow
from donations.platform.extensions import db
from donations.platform.i18n import speaking
from donations.platform.mail import MailError, name_for_readers, send_email
from donations.platform.web import external_url

log = logging.getLogger(__name__)

# A queued e-mail that failed this often (a bad address, a long outage) stays unsent, logged.
MAX_ATTEMPTS = 5

# In the pledge's language: read (str) while deliver() speaks it.
SUBJECTS = {
    "thank_you": lazy_gettext("Thank you for supporting {newsroom}"),
    "receipt": lazy_gettext("Your receipt from {newsroom}"),
    "payment_failed": lazy_gettext("Your payment to {newsroom} did not go through"),
    "manage_link": lazy_gettext("Manage your donation to {newsroom}"),
    "supporter_sign_in": lazy_gettext("Your supporter link from {newsroom}"),
    "anniversary": lazy_gettext("Thank you for your support of {newsroom}"),
}
# The same under DONOR_SAFETY: nothing in the subject says whom the reader supports.
NEUTRAL_SUBJECTS = {
    "thank_you": lazy_gettext("Your receipt"),
    "receipt": lazy_gettext("Your payment receipt"),
    "payment_failed": lazy_gettext("A payment did not go through"),
    "manage_link": lazy_gettext("The link you asked for"),
    "supporter_sign_in": lazy_gettext("Your sign-in link"),
    "anniversary": lazy_gettext("A note of thanks"),
}
TEMPLATES = {
    "thank_you": "donor_thank_you",
    "receipt": "donor_receipt",
    "payment_failed": "donor_payment_failed",
    "manage_link": "donor_manage_link",
    "supporter_sign_in": "supporter_sign_in",
    "anniversary": "anniversary",
}
# However often a link is asked for, a donor gets at most one of each kind in this many minutes.
REQUEST_WINDOW_MINUTES = 10


def send_to_donor(kind: str, pledge: Pledge) -> bool:
    """Send one of the donor e-mails now (a reader or staff asked); False if it could not go."""
    if not pledge.email:
        return False
    try:
        deliver(kind, pledge)
    except MailError:
        log.exception("could not send %s to pledge %s", kind, pledge.public_id)
        return False
    return True


def deliver(kind: str, pledge: Pledge, reference: str | None = None) -> None:
    """Render and send one donor e-mail, in the language they gave in; MailError when the mail
    server refuses. `reference` is the queued notice's (a receipt's invoice)."""
    if not pledge.email:
        return
    with speaking(pledge.language):
        _deliver(kind, pledge, reference)


def _deliver(kind: str, pledge: Pledge, reference: str | None) -> None:
    newsroom = current_app.config["NEWSROOM_NAME"]
    if kind == "supporter_sign_in":
        details = {"link": sign_in_url(pledge), "hours": max_age_hours(SIGN_IN)}
    else:
        details = {"manage_url": manage_url(pledge) if pledge.customer_id else None}
    if kind in ("thank_you", "receipt"):
        details.update(receipt_details(kind, pledge, reference))
    if kind == anniversaries.KIND:
        details.update(anniversaries.email_details(pledge, reference))
    send_email(
        pledge.email,
        str(SUBJECTS[kind]).format(newsroom=newsroom),
        TEMPLATES[kind],
        neutral_subject=str(NEUTRAL_SUBJECTS[kind]),
        pledge=pledge,
        summary=pledge_summary(pledge.frequency, pledge.money),
        newsroom=newsroom,
        contact=current_app.config["NEWSROOM_CONTACT_EMAIL"],
        **details,
    )


def receipt_details(kind: str, pledge: Pledge, reference: str | None) -> dict[str, Any]:
    """What a receipt says about one payment: the thank-you is the first payment's receipt
    (when Stripe has told us of it by then), a receipt names its invoice. A one-off gift's
    thank-you also offers to make it monthly, where the gift allows it."""
    if kind == "receipt":
        payment = db.session.scalar(select(Payment).where(Payment.stripe_invoice_id == reference))
    else:
        payment = pledge.payments[0] if pledge.payments else None
    offer_url = None
    offered = kind == "thank_you" and pledge.checkout_session_id and conversion_of(pledge) is None
    if offered and monthly_offer(pledge) is not None:
        offer_url = external_url("support.thank_you", session_id=pledge.checkout_session_id)
    return {
        "payment": payment,
        "reference": payment and (payment.stripe_invoice_id or payment.stripe_payment_intent_id),
        # Every notice is a donor's (it has a neutral subject): its receipt names as its body does.
        "purpose": purpose(pledge, name_for_readers()),
        "first_payment": first_of_next_month(pledge.created_at)
        if pledge.converted_from_id and payment is None
        else None,
        "offer_url": offer_url,
    }


def queue_notices(pledge: Pledge, notices: list[tuple[str, str]]) -> None:
    """Queue e-mails in the caller's transaction; one already queued is not queued again."""
    if not notices:
        return
    queued = insert_unless_stored(db.session, DonorNotice, "pledge_id", "kind", "reference")
    now = utcnow()
    for kind, reference in notices:
        db.session.execute(
            queued,
            {
                "pledge_id": pledge.id,
                "kind": kind,
                "reference": reference,
                "created_at": now,
                "attempts": 0,
            },
        )


def queue_requested(kind: str, pledge: Pledge | None, now: datetime | None = None) -> None:
    """Queue the link a reader asked for, when the address has a pledge to send it for, and
    commit either way: known and unknown addresses take the same path, and no mail is sent
    during the request."""
    if pledge is not None:
        now = now or utcnow()
        window = now.replace(minute=now.minute - now.minute % REQUEST_WINDOW_MINUTES)
        queue_notices(pledge, [(kind, f"asked {window:%Y-%m-%dT%H:%M}")])
    db.session.commit()


def send_pending_notices(limit: int = 100) -> int:
    """Send queued e-mails; safe on several machines at once (rows are claimed with SKIP LOCKED)."""
    due = db.session.scalars(
        select(DonorNotice)
        .where(DonorNotice.sent_at.is_(None), DonorNotice.attempts < MAX_ATTEMPTS)
        .order_by(DonorNotice.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    sent = 0
    for notice in due:
        notice.attempts += 1
        try:
            deliver(notice.kind, notice.pledge, notice.reference)
        except MailError as error:
            notice.last_error = str(error)[:1000]
            log.warning("notice %s to pledge %s failed: %s", notice.kind, notice.pledge_id, error)
        else:
            notice.sent_at = utcnow()
            sent += 1
    db.session.commit()
    return sent
